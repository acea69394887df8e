"""Pods as `kubectl get pods` shows them: STATUS, READY, RESTARTS (with the last restart) and
the links an operator follows (owner workload, node, claims), from real pod shapes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tui.core.parsers.pods import parse_pod
from tui.core.rows import PodRow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pods"


def load_pods() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(FIXTURES.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and doc.get("kind") == "Pod":
                out[doc["metadata"]["name"]] = doc
    return out


PODS = load_pods()


def pod(name: str) -> PodRow:
    return parse_pod(PODS[name])


# (pod, STATUS, READY, RESTARTS) as `kubectl get pods` prints them for these objects
KUBECTL = [
    ("wiki-db-0", "CrashLoopBackOff", "0/1", 14),
    ("wiki-web-7c9d5b8f6d-x2k9p", "Running", "1/2", 0),
    ("jellyfin-5f8c7d9b4-qq7vn", "ImagePullBackOff", "0/1", 0),
    ("grafana-6b7c8d9e0f-abcde", "ErrImagePull", "0/1", 0),
    ("gitea-0", "CreateContainerConfigError", "0/1", 0),
    ("transcoder-8d7f6c5b4-oomkd", "OOMKilled", "0/1", 2),
    ("api-6d5c4b3a2-recov", "Running", "1/1", 1),
    ("backup-29360160-fail1", "Error", "0/1", 0),
    ("backup-29360100-ok001", "Completed", "0/1", 0),
    ("loki-canary-7f6e5d4c3-starting", "ContainerCreating", "0/1", 0),
    ("nextcloud-7b6a5c4d3-init1", "Init:1/2", "0/1", 0),
    ("nextcloud-7b6a5c4d3-init2", "Init:CrashLoopBackOff", "0/1", 6),
    ("minecraft-0", "Pending", "0/1", 0),
    ("wiki-web-7c9d5b8f6d-old01", "Terminating", "1/1", 0),
    ("renderer-5d4c3b2a1-evict", "Evicted", "0/1", 0),
    ("api-6d5c4b3a2-lost1", "Unknown", "0/1", 0),
    ("api-6d5c4b3a2-unrch", "Terminating", "0/1", 0),
    ("svclb-traefik-5a8c1d2e-hx7qm", "Running", "1/1", 0),
    ("kube-vip-hel-cp-01", "Running", "1/1", 0),
    ("immich-5c4b3a29-side1", "Running", "2/2", 1),
]


@pytest.mark.parametrize("name, status, ready, restarts", KUBECTL, ids=[c[0] for c in KUBECTL])
def test_status_ready_and_restarts_as_kubectl_prints_them(name, status, ready, restarts):
    row = pod(name)
    assert (row.status, row.ready, row.restarts) == (status, ready, restarts)


def test_every_fixture_pod_has_a_kubectl_case():
    assert set(PODS) == {c[0] for c in KUBECTL}


def test_crashloop_names_the_reason_the_last_restart_and_the_claim():
    row = pod("wiki-db-0")
    assert row.reason == "CrashLoopBackOff"
    assert "restarting failed container=mariadb" in (row.message or "")
    assert row.last_restart_at == "2026-11-26T14:01:07Z"
    assert row.broken and row.controlled
    assert (row.owner, row.owner_kind) == ("StatefulSet/wiki/wiki-db", "StatefulSet")
    assert row.pvcs == ("wiki/data-wiki-db-0",)
    assert (row.node, row.ip, row.key) == ("hel-wk-02", "10.42.2.17", "wiki/wiki-db-0")


def test_running_but_unready_is_broken_and_owned_by_its_deployment():
    row = pod("wiki-web-7c9d5b8f6d-x2k9p")
    assert row.broken
    # the ReplicaSet is named after its Deployment plus the pod-template-hash
    assert row.owner == "Deployment/wiki/wiki-web"
    assert row.controller_ref == "ReplicaSet/wiki/wiki-web-7c9d5b8f6d"
    assert row.containers == ("wiki", "metrics")


def test_unschedulable_pending_carries_the_schedulers_message():
    row = pod("minecraft-0")
    assert row.reason == "Unschedulable"
    assert (row.message or "").startswith("0/7 nodes are available: 3 node(s) had untolerated taint")
    assert row.node is None and row.broken


def test_oomkilled_last_restart_is_the_newest_termination():
    assert pod("transcoder-8d7f6c5b4-oomkd").last_restart_at == "2026-11-26T14:02:55Z"
    recovered = pod("api-6d5c4b3a2-recov")
    assert recovered.last_restart_at == "2026-11-26T12:00:00Z" and not recovered.broken


def test_init_crashloop_counts_init_restarts_and_names_the_init_container_state():
    row = pod("nextcloud-7b6a5c4d3-init2")
    assert row.reason == "CrashLoopBackOff" and "container=migrate" in (row.message or "")
    assert row.init_containers == ("fix-perms", "migrate")
    assert row.last_restart_at == "2026-11-26T14:01:33Z"


def test_evicted_and_lost_pods_say_why():
    evicted = pod("renderer-5d4c3b2a1-evict")
    assert (evicted.reason, evicted.message) == ("Evicted", "The node had condition: [DiskPressure]. ")
    lost = pod("api-6d5c4b3a2-lost1")
    assert lost.reason == "NodeLost" and lost.deleting and lost.broken


def test_terminating_is_not_broken_but_is_deleting():
    row = pod("wiki-web-7c9d5b8f6d-old01")
    assert row.deleting and not row.broken


def test_daemonset_mirror_and_sidecar_pods():
    ds = pod("svclb-traefik-5a8c1d2e-hx7qm")
    assert ds.daemonset and ds.empty_dir and ds.owner == "DaemonSet/kube-system/svclb-traefik-5a8c1d2e"
    mirror = pod("kube-vip-hel-cp-01")
    assert mirror.mirror and mirror.owner is None and mirror.owner_kind == "Node"
    assert mirror.controller_ref == "Node/hel-cp-01"
    sidecar = pod("immich-5c4b3a29-side1")
    assert sidecar.last_restart_at == "2026-11-26T12:29:58Z" and not sidecar.broken


def test_job_pods_are_owned_by_their_job():
    assert pod("backup-29360160-fail1").owner == "Job/ops/backup-29360160"
    assert not pod("backup-29360100-ok001").broken
    assert pod("backup-29360160-fail1").broken


def test_terminated_without_reason_shows_signal_or_exit_code():
    obj = {"metadata": {"name": "p", "namespace": "n"}, "spec": {"containers": [{"name": "c"}]},
           "status": {"phase": "Running", "containerStatuses": [
               {"name": "c", "restartCount": 0, "state": {"terminated": {"exitCode": 2}}}]}}
    assert parse_pod(obj).status == "ExitCode:2"
    obj["status"]["containerStatuses"][0]["state"]["terminated"]["signal"] = 9
    assert parse_pod(obj).status == "Signal:9"


def test_a_pod_with_nothing_but_a_name_is_unknown_not_an_error():
    row = parse_pod({"metadata": {"name": "bare"}})
    assert (row.status, row.ready, row.restarts, row.key) == ("Unknown", "0/0", 0, "bare")
