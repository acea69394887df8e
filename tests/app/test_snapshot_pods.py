"""`clusterdeck snapshot --format json` gains `pods` and `events` lists (existing keys kept)."""
from __future__ import annotations

import json
from pathlib import Path

from tests.app.test_cli import run

PODS_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pods"


def test_snapshot_json_lists_pods_with_kubectls_status_and_aggregated_events(tmp_path):
    dump = tmp_path / "incident.yaml"
    dump.write_text("\n---\n".join(
        (PODS_FIXTURES / name).read_text() for name in ("containers.yaml", "lifecycle.yaml", "events.yaml")))
    done = run("snapshot", "--from", str(dump), "--format", "json")
    assert done.returncode == 0, done.stderr
    snapshot = json.loads(done.stdout)
    assert {"nodes", "volumes", "ip_pools", "load_balancers", "routes", "apps", "workloads",
            "sources", "pods", "events"} <= set(snapshot)
    pods = {p["key"]: p for p in snapshot["pods"]}
    crash = pods["wiki/wiki-db-0"]
    assert (crash["status"], crash["ready"], crash["restarts"], crash["node"]) == \
        ("CrashLoopBackOff", "0/1", 14, "hel-wk-02")
    assert crash["last_restart_at"] == "2026-11-26T14:01:07Z"
    assert pods["games/minecraft-0"]["reason"] == "Unschedulable"
    backoff = next(e for e in snapshot["events"] if e["object"] == "Pod/wiki-db-0" and e["reason"] == "BackOff")
    assert (backoff["type"], backoff["count"], backoff["namespace"]) == ("Warning", 61, "wiki")
    assert snapshot["events_dropped"] == 0
    assert snapshot["sources"]["pods"]["state"] == "ok" and snapshot["sources"]["events"]["state"] == "ok"


def test_snapshot_text_has_a_pods_table(tmp_path):
    dump = tmp_path / "pods.yaml"
    dump.write_text((PODS_FIXTURES / "containers.yaml").read_text())
    done = run("snapshot", "--from", str(dump))
    assert done.returncode == 0, done.stderr
    assert "== PODS (" in done.stdout
    line = next(line for line in done.stdout.splitlines() if " wiki-db-0 " in line)
    assert "CrashLoopBackOff" in line and "StatefulSet/wiki/wiki-db" in line
