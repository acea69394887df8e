"""`clusterdeck diagnose` as a user (or cron) runs it: every route with its hops, the JSON
contract, exit codes, a bad --route. The demo sends no traffic: DNS, Traefik and HTTP hops are
skipped saying why (the live hops are tested in tests/core/test_diagnose_live.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CLUSTERDECK = str(Path(sys.executable).parent / "clusterdeck")
HOPS = ["dns", "lb_ip", "announce", "traefik", "backend", "http"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLUSTERDECK, *args], capture_output=True, text=True, timeout=90, check=False)


@pytest.fixture(scope="module")
def demo_routes() -> list[str]:
    done = run("snapshot", "--demo", "--format", "json")
    assert done.returncode == 0, done.stderr
    return sorted(f"{r['namespace']}/{r['name']}" for r in json.loads(done.stdout)["routes"])


def test_demo_json_lists_every_route_with_its_hops_and_exits_1_for_the_broken_one(demo_routes):
    done = run("diagnose", "--demo", "--format", "json")
    assert done.returncode == 1, done.stderr  # wiki's backend has no ready endpoint
    routes = json.loads(done.stdout)["routes"]
    assert [r["route"] for r in routes] == demo_routes
    for route in routes:
        assert route["hosts"], route
        assert [h["hop"] for h in route["hops"]] == HOPS
        assert all(h["status"] in ("ok", "failed", "skipped") and h["reason"] for h in route["hops"])
        by_hop = {h["hop"]: h for h in route["hops"]}
        # nothing is looked up or requested on the demo, and it says so
        assert by_hop["dns"] == {"hop": "dns", "status": "skipped",
                                 "reason": "the demo cluster is simulated: names are not looked up"}
        assert by_hop["traefik"]["status"] == "skipped"
        assert by_hop["http"]["status"] == "skipped"
        assert by_hop["announce"] == {
            "hop": "announce", "status": "ok",
            "reason": "192.168.10.240 in pool lan-pool, announced by hel-cp-02 (Ready; its speaker pod is not listed)"}
    wiki = next(r for r in routes if r["route"] == "wiki/wiki")
    assert wiki["ok"] is False
    assert wiki["hops"][4] == {"hop": "backend", "status": "failed",
                               "reason": "no ready endpoint for wiki/wiki-web:80"}
    assert wiki["hops"][5] == {"hop": "http", "status": "skipped", "reason": "an earlier hop failed"}
    assert [r["route"] for r in routes if not r["ok"]] == ["wiki/wiki"]


def test_one_healthy_route_as_text_exits_0():
    done = run("diagnose", "--demo", "--route", "website/website")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "website/website  emberforge.games, www.emberforge.games  ok"
    assert [line.split()[0] for line in lines[1:]] == HOPS
    assert lines[5] == "  backend  ok      website/website:80: 2 ready endpoint(s)"


def test_a_route_that_does_not_exist_names_those_that_do(demo_routes):
    done = run("diagnose", "--demo", "--route", "website/webiste")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"clusterdeck: no route website/webiste; routes: {', '.join(demo_routes)}\n"
