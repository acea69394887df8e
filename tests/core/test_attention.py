"""The Overview's "Needs attention", decided in core: the broken pod named with its reason in a
line that fits 80 columns, recent Warning events one line per object, worst first."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tests.core.test_parse_events import EVENTS
from tests.core.test_parse_pods import PODS
from tests.support.core_samples import application, node, statefulset, store_with, volume
from tui.core.attention import attention
from tui.core.events import Changed
from tui.core.findings import Finding, Severity


@pytest.fixture
def store():
    cordoned = node("hel-wk-04")
    cordoned["spec"] = {"unschedulable": True}
    return store_with({
        "nodes": [node("hel-wk-01"), node("hel-wk-02"), node("hel-wk-03", ready="False"), cordoned],
        "pods": list(PODS.values()),
        "events": EVENTS,
        "statefulsets": [statefulset("wiki-db", "wiki", {"app": "wiki-db"}, claim="data")],
        "lh_volumes": [volume("pvc-3f6c2a1e-8b4d-4c11-9a57-2d0e6b7f9c41", node_id="hel-wk-02")],
        "applications": [application("wiki", [("StatefulSet", "wiki", "wiki-db")], health="Degraded")],
    })


def by_subject(findings: list[Finding]) -> dict[str, Finding]:
    return {f.subject: f for f in findings}


def test_the_crashlooping_pod_is_one_short_line_above_its_app(store):
    findings = attention(store)
    crash = by_subject(findings)["pod wiki/wiki-db-0"]
    assert crash.severity is Severity.PROBLEM
    assert crash.text == "CrashLoopBackOff ×14, last 3m ago"
    assert crash.links == ("pods|wiki/wiki-db-0",)
    assert len(f"{crash.subject}  {crash.text}") <= 80
    subjects = [f.subject for f in findings]
    assert subjects.index("pod wiki/wiki-db-0") < subjects.index("app wiki")


def test_unready_pod_is_a_warning_whose_detail_is_the_kubelets_probe_message(store):
    web = by_subject(attention(store))["pod wiki/wiki-web-7c9d5b8f6d-x2k9p"]
    assert (web.severity, web.text) == (Severity.WARNING, "Running, 1/2 ready")
    assert web.detail == "Readiness probe failed: HTTP probe failed with statuscode: 503"


def test_pending_pod_names_the_scheduler_verdict(store):
    pending = by_subject(attention(store))["pod games/minecraft-0"]
    assert pending.text == "Pending: Unschedulable"
    assert pending.detail.startswith("0/7 nodes are available")


def test_fine_and_finishing_pods_are_not_listed(store):
    subjects = set(by_subject(attention(store)))
    for fine in ("pod ops/backup-29360100-ok001", "pod games/api-6d5c4b3a2-recov",
                 "pod kube-system/kube-vip-hel-cp-01", "pod wiki/wiki-web-7c9d5b8f6d-old01"):
        assert fine not in subjects


def test_a_starting_pod_waits_out_its_grace_before_it_is_listed(store):
    assert "pod monitoring/loki-canary-7f6e5d4c3-starting" not in by_subject(attention(store))
    store.clock.advance(120)
    assert by_subject(attention(store))["pod monitoring/loki-canary-7f6e5d4c3-starting"].text == \
        "ContainerCreating"


def test_recent_warning_events_give_one_line_per_object_not_already_listed(store):
    findings = attention(store)
    attach = by_subject(findings)["volume longhorn-system/pvc-3f6c2a1e-8b4d-4c11-9a57-2d0e6b7f9c41"]
    assert attach.text.startswith("FailedAttachVolume ×4: AttachVolume.Attach failed")
    assert attach.links == ("events|" + next(
        e.key for e in store.rows("events") if e.reason == "FailedAttachVolume"),)
    # minecraft-0's FailedScheduling and wiki-db-0's BackOff are folded into their pods' lines
    assert sum(1 for f in findings if "minecraft-0" in f.subject) == 1
    assert sum(1 for f in findings if "wiki-db-0" in f.subject) == 1
    # a Normal event never needs attention
    assert not any("NodeHasDiskPressure" in f.text for f in findings)


def test_warning_events_older_than_15_minutes_drop_off(store):
    store.clock.advance(20 * 60)
    assert not any(f.text.startswith("FailedAttachVolume") for f in attention(store))


def test_nodes_apps_and_volumes_keep_the_overviews_rules_worst_first(store):
    findings = attention(store)
    found = by_subject(findings)
    assert (found["node hel-wk-03"].severity, found["node hel-wk-03"].text) == (Severity.PROBLEM, "NotReady")
    assert (found["node hel-wk-04"].severity, found["node hel-wk-04"].text) == (Severity.WARNING, "cordoned")
    assert found["app wiki"].severity is Severity.PROBLEM and found["app wiki"].text.startswith("Degraded")
    assert found["app wiki"].links == ("apps|argocd/wiki",)
    severities = [f.severity for f in findings]
    assert severities == sorted(severities)
    problems = [f.subject for f in findings if f.severity is Severity.PROBLEM]
    assert problems.index("node hel-wk-03") < problems.index("pod wiki/wiki-db-0") < problems.index("app wiki")


def test_a_healthy_cluster_needs_no_attention():
    assert attention(store_with({"nodes": [node("hel-cp-01", server=True)]})) == []


def test_pods_lost_with_their_node_are_counted_on_the_nodes_line(store):
    down = node("hel-wk-04", ready="Unknown")
    store.handle(Changed("nodes", "MODIFIED", down))
    findings = attention(store)
    found = by_subject(findings)
    assert found["node hel-wk-04"].text == "Unknown, 2 pods down with it"
    assert found["node hel-wk-04"].links == (
        "nodes|hel-wk-04", "pods|games/api-6d5c4b3a2-lost1", "pods|games/api-6d5c4b3a2-unrch")
    assert "pod games/api-6d5c4b3a2-lost1" not in found
    # a pod failing for its own reasons on that node keeps its own line
    assert "pod git/gitea-0" in found


def test_a_failed_job_pod_is_a_warning_not_an_outage(store):
    failed = by_subject(attention(store))["pod ops/backup-29360160-fail1"]
    assert (failed.severity, failed.text) == (Severity.WARNING, "Error")


def test_restarts_read_naturally_in_each_form():
    from tui.core.attention import pod_problem
    from tui.core.clock import FrozenClock
    from tui.core.parsers.pods import parse_pod

    now = FrozenClock().now()
    flapping = replace(parse_pod(PODS["wiki-web-7c9d5b8f6d-x2k9p"]), restarts=3,
                       last_restart_at="2026-11-26T14:03:00")  # no zone: read as UTC
    assert pod_problem(flapping, now) == "Running, 1/2 ready, 3 restarts, last 2m ago"
    assert pod_problem(parse_pod(PODS["transcoder-8d7f6c5b4-oomkd"]), now) == "OOMKilled ×2, last 2m ago"
