"""The `clusterdeck` command as a user runs it: snapshot, emulate, and every bad input."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.support.paths import REFERENCE

BIN = Path(sys.executable).parent
CLUSTERDECK = str(BIN / "clusterdeck")
KUBECTL = str(BIN / "kubectl")


def run(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLUSTERDECK, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def reference_dump(tmp_path_factory) -> Path:
    """Every reference fixture object as one multi-document YAML dump."""
    documents = []
    for path in sorted(REFERENCE.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict):
                continue
            items = doc["items"] if doc.get("kind") == "List" else [doc]
            # some fixtures hold request bodies and fragments: keep whole objects only
            documents.extend(
                i for i in items
                if isinstance(i, dict) and i.get("apiVersion") and i.get("kind")
                and isinstance(i.get("metadata"), dict) and i["metadata"].get("name")
            )
    dump = tmp_path_factory.mktemp("dump") / "reference.yaml"
    dump.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return dump


@pytest.fixture(scope="module")
def snapshot(reference_dump) -> dict:
    done = run("snapshot", "--from", str(reference_dump), "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def by_name(rows: list[dict], name: str) -> dict:
    matches = [r for r in rows if r["name"] == name]
    assert matches, f"{name} not in {[r['name'] for r in rows]}"
    return matches[0]


def test_snapshot_json_contract(snapshot):
    assert {"nodes", "volumes", "ip_pools", "load_balancers", "routes", "apps", "sources"} <= set(snapshot)
    node = by_name(snapshot["nodes"], "node-a")
    assert set(node) >= {"name", "ready", "roles", "kubelet_version", "internal_ip", "unschedulable", "pressure"}
    assert node["ready"] is True
    assert "control-plane" in node["roles"]

    degraded = by_name(snapshot["volumes"], "pvc-3f6c2a1e-8b4d-4c11-9a57-2d0e6b7f9c41")
    assert degraded["robustness"] == "degraded"
    assert degraded["node"] == "node-a"
    assert isinstance(degraded["size_bytes"], int) and degraded["size_bytes"] > 0
    detached = by_name(snapshot["volumes"], "media-import")
    assert (detached["state"], detached["node"]) == ("detached", None)

    pool = by_name(snapshot["ip_pools"], "lan-pool")
    assert pool["total"] == 11 + 16  # a range of 11 and a /28
    assert pool["used"] == 1

    lb = by_name(snapshot["load_balancers"], "jellyfin")
    assert lb["ips"] == ["192.168.10.241"]
    assert lb["pool"] == "lan-pool"
    assert lb["announcing_node"] == "node-b"

    route = by_name([r for r in snapshot["routes"] if r["source"] == "IngressRoute"], "jellyfin")
    assert route["hosts"] == ["jellyfin.home.example"]
    assert route["backends"] == ["media/jellyfin:8096"]
    assert route["tls"] is True
    assert route["problems"] == []  # the jellyfin Service is in the dump

    app = by_name(snapshot["apps"], "jellyfin")
    assert (app["sync"], app["health"]) == ("OutOfSync", "Degraded")
    assert [h["id"] for h in app["history"]] == [41, 42] and app["history"][-1]["revisions"]
    assert app["sources"] and app["sources"][0].endswith(" -> " + app["revision"][:7])
    assert {"kind": "Service", "sync": "OutOfSync"}.items() <= next(
        r for r in app["tree"] if r["kind"] == "Service").items()
    # a kind the dump does not hold is unknown ("not in the dump"), never "ok, there are none"
    assert all(h["state"] in ("ok", "not_in_dump") for h in snapshot["sources"].values())
    assert snapshot["sources"]["nodes"]["state"] == "ok"
    assert snapshot["sources"]["endpointslices"]["state"] == "not_in_dump"


def test_snapshot_text_is_a_table_per_layer(reference_dump):
    done = run("snapshot", "--from", str(reference_dump))
    assert done.returncode == 0, done.stderr
    for word in ("node-a", "lan-pool", "jellyfin.home.example", "OutOfSync"):
        assert word in done.stdout


@pytest.mark.parametrize(
    "content, expected",
    [
        ("apiVersion: v1\nkind: Node\nmetadata:\n  name: a\n  labels: [unclosed\n", "line"),
        ("apiVersion: v1\nmetadata:\n  name: no-kind\n", "kind"),
        ("apiVersion: v1\nkind: Node\nmetadata: {}\n", "name"),
        ("- just\n- a list\n", "mapping"),
    ],
)
def test_bad_dump_is_one_line_exit_2(tmp_path, content, expected):
    dump = tmp_path / "bad.yaml"
    dump.write_text(content)
    done = run("snapshot", "--from", str(dump))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "bad.yaml" in lines[0] and expected in lines[0].lower()


def test_missing_dump_file(tmp_path):
    done = run("snapshot", "--from", str(tmp_path / "nope.yaml"))
    assert done.returncode == 2
    assert "nope.yaml" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_unknown_flag_is_one_line_exit_2():
    done = run("snapshot", "--bogus")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "clusterdeck: unrecognized arguments: --bogus (see clusterdeck --help)"
    ]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_cluster_names_the_host(tmp_path):
    port = _closed_port()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "gone",
        "clusters": [{"name": "gone", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "u"}}],
    }))
    done = run("snapshot", "--kubeconfig", str(kubeconfig))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"clusterdeck: cannot reach the cluster at http://127.0.0.1:{port}: connection refused"
    )


def test_broken_kubeconfig(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("clusters: [oops\n")
    done = run("snapshot", "--kubeconfig", str(kubeconfig))
    assert done.returncode == 2
    assert str(kubeconfig) in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_emulate_serves_kubectl_and_stops_cleanly(tmp_path, reference_dump):
    kubeconfig = tmp_path / "kubeconfig"
    proc = subprocess.Popen(
        [CLUSTERDECK, "emulate", "--from", str(reference_dump), "--kubeconfig-out", str(kubeconfig)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (kubeconfig.exists() and kubeconfig.stat().st_size):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "emulate wrote no kubeconfig"
            time.sleep(0.1)
        got = subprocess.run(
            [KUBECTL, "--kubeconfig", str(kubeconfig), "get", "volumes.longhorn.io", "-A", "-o", "name"],
            capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(tmp_path)},
        )
        assert got.returncode == 0, got.stderr
        assert "volume.longhorn.io/media-import" in got.stdout
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        assert "Ctrl+C to stop" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_bad_config_and_bad_theme_are_one_line_exit_2(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("theme: [unclosed\n")
    env = {**os.environ, "CLUSTERDECK_CONFIG": str(config)}
    done = subprocess.run([CLUSTERDECK, "--demo"], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and str(config) in done.stderr

    config.write_text("refresh_hz: 2\n")
    done = subprocess.run([CLUSTERDECK, "--demo", "--theme", "neon"], capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "clusterdeck: --theme: expected one of clusterdeck, ansi-dark, ansi-light, textual-dark, "
        "textual-light, got 'neon'"
    ]


def test_snapshot_json_of_the_demo_carries_backups_snapshots_jobs_and_rebuilds():
    done = run("snapshot", "--demo", "--format", "json")
    assert done.returncode == 0, done.stderr
    volumes = {v["pvc"] or v["name"]: v for v in json.loads(done.stdout)["volumes"]}
    wiki = volumes["wiki/wiki-db-data"]
    assert (wiki["last_backup"], wiki["backup_state"], wiki["backup_target_available"]) == (
        "backup-53fe9f331135fff1", "Completed", True)
    assert wiki["last_backup_at"] and wiki["snapshot_count"] == 8 and wiki["snapshot_size_bytes"] > 0
    assert wiki["recurring_jobs"] == ["backup-weekly: backup 30 3 * * 0", "snapshot-daily: snapshot 0 2 * * *"]
    assert 63 <= wiki["rebuild_progress"] < 100  # the demo runs its controllers: it may have moved on
    legacy = volumes["import-wiki-legacy"]
    assert (legacy["last_backup"], legacy["snapshot_count"]) == (None, 0)
