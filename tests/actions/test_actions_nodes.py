"""Node maintenance against the emulator over HTTP: cordon / uncordon succeed only when the API
shows the node's new state; drain cordons, evicts through the Eviction API (a PDB's 429 is
retried until it clears), follows each pod to a Ready replacement elsewhere, and a cancelled
drain leaves the node cordoned and says so."""
from __future__ import annotations

import threading
import time

from tests.support.actions_support import context, run_all, runner_for
from tui.core.actions import Done, NodeCordon, NodeDrain, Note
from tui.emulator.demo import demo_objects


def _unschedulable(emu, name: str) -> bool:
    return bool((emu.get("nodes", None, name).get("spec") or {}).get("unschedulable"))


def test_cordon_then_uncordon_on_evidence(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects())
    ctx = context(emu, tmp_path)
    runner = runner_for(ctx)
    cordon = NodeCordon("hel-wk-04")
    plan = cordon.plan(ctx)
    assert plan.title == "Cordon hel-wk-04" and plan.danger == "safe"
    events = run_all(runner, cordon, ctx, plan)
    assert events[-1].outcome == "succeeded", events[-1]
    assert "spec.unschedulable=true" in events[-1].message
    assert _unschedulable(emu, "hel-wk-04")

    ctx = context(emu, tmp_path)  # a fresh store: the row now says cordoned, so the key uncordons
    uncordon = NodeCordon("hel-wk-04")
    plan = uncordon.plan(ctx)
    assert plan.title == "Uncordon hel-wk-04"
    assert run_all(runner, uncordon, ctx, plan)[-1].outcome == "succeeded"
    assert not _unschedulable(emu, "hel-wk-04")
    records = (tmp_path / "audit.jsonl").read_text().splitlines()
    assert len(records) == 4  # a start and an end record for each


def test_read_only_refuses_cordon(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects())
    ctx = context(emu, tmp_path, read_only=True)
    runner = runner_for(ctx, read_only=True)
    cordon = NodeCordon("hel-wk-04")
    events = list(runner.run(cordon, ctx, cordon.plan(ctx)))
    assert events[-1].outcome == "refused" and not _unschedulable(emu, "hel-wk-04")


def test_cordon_of_a_node_that_is_gone_says_so(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects())
    ctx = context(emu, tmp_path)
    assert NodeCordon("hel-wk-99").preconditions(ctx.store) == ["node hel-wk-99 is not in the cluster (any more)"]


def _pods_on(emu, node: str) -> list[str]:
    return sorted(f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in emu.list("pods")
                  if (p.get("spec") or {}).get("nodeName") == node and not p["metadata"].get("deletionTimestamp"))


def test_drain_evicts_every_pod_and_follows_replacements(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=50)
    ctx = context(emu, tmp_path, timeout=60.0)
    drain = NodeDrain("hel-wk-01")
    plan = drain.plan(ctx)
    assert plan.data["pods"], "hel-wk-01 runs pods in the demo"
    events = run_all(runner_for(ctx), drain, ctx, plan)
    assert events[-1].outcome == "succeeded", events[-1]
    assert _unschedulable(emu, "hel-wk-01")
    left = [p for p in _pods_on(emu, "hel-wk-01") if p not in plan.data["left_alone"]]
    assert left == []
    notes = [e.text for e in events if isinstance(e, Note)]
    assert any(t.startswith("evicted ") for t in notes)
    assert any("Ready on" in t for t in notes)


def test_cancelled_drain_leaves_the_node_cordoned(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=5)
    ctx = context(emu, tmp_path, timeout=60.0)
    drain = NodeDrain("hel-wk-01")
    plan = drain.plan(ctx)
    events: list = []
    runner = runner_for(ctx)

    def run() -> None:
        events.extend(runner.run(drain, ctx, plan))

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 20
    while not any(isinstance(e, Note) and "cordoned" in e.text for e in events) and time.monotonic() < deadline:
        time.sleep(0.02)
    drain.cancel()
    worker.join(30)
    final = events[-1]
    assert isinstance(final, Done) and final.outcome == "cancelled", final
    assert "stays cordoned" in final.message
    assert _unschedulable(emu, "hel-wk-01")


def test_reboot_playbook_confirmation_shows_the_drain_plan_and_guards_a_notready_cluster(emulator_factory,
                                                                                         tmp_path):
    from tui.core.actions import PlaybookAction, catalog_for

    emu = emulator_factory(demo_objects())
    ctx = context(emu, tmp_path)
    catalog = catalog_for(ctx)
    preview = PlaybookAction("node-reboot", ["hel-cp-02"], check=True, catalog=catalog).plan(ctx)
    assert any(w.startswith("hel-cp-02: ") and "pod(s) evicted" in w for w in preview.warnings)
    assert any("LB IP" in w for w in preview.warnings), preview.warnings  # Traefik's IP is announced there
    assert preview.confirm_name is None  # the check run changes nothing
    real = PlaybookAction("node-reboot", ["hel-cp-02"], check=False, catalog=catalog).plan(ctx)
    assert real.confirm_name == "hel-cp-02"  # hel-wk-03 is NotReady in the demo
    assert "hel-wk-03 NotReady already" in real.warnings[0]


def _replicas_on(emu, node: str) -> list[str]:
    return sorted(r["spec"].get("volumeName", "") for r in emu.list("lh_replicas")
                  if r["spec"].get("nodeID") == node and not r["spec"].get("failedAt"))


def test_longhorn_maintenance_plans_rebuilds_then_empties_the_node(emulator_factory, tmp_path):
    from tui.core.actions import LonghornNodeMaintenance

    emu = emulator_factory(demo_objects(), time_scale=50)
    ctx = context(emu, tmp_path, timeout=20.0)
    before = _replicas_on(emu, "hel-wk-01")
    assert before, "hel-wk-01 holds Longhorn replicas in the demo"
    action = LonghornNodeMaintenance("hel-wk-01")
    plan = action.plan(ctx)
    assert plan.requests[0]["body"] == {"spec": {"allowScheduling": False, "evictionRequested": True}}
    assert len([line for line in plan.lines if line.startswith("  ")]) == len(before)
    assert all("rebuilt on one of" in line or "NO node" in line for line in plan.lines[1:])
    events = run_all(runner_for(ctx), action, ctx, plan)
    assert events[-1].outcome == "succeeded", events[-1]
    assert _replicas_on(emu, "hel-wk-01") == []
    lh_node = emu.get("lh_nodes", "longhorn-system", "hel-wk-01")
    assert lh_node["spec"]["allowScheduling"] is False

    ctx = context(emu, tmp_path)
    back = LonghornNodeMaintenance("hel-wk-01")
    plan = back.plan(ctx)
    assert plan.title == "End Longhorn maintenance on hel-wk-01"
    assert run_all(runner_for(ctx), back, ctx, plan)[-1].outcome == "succeeded"
    assert emu.get("lh_nodes", "longhorn-system", "hel-wk-01")["spec"]["allowScheduling"] is True


def test_drain_retries_a_pdb_refusal_until_it_clears(emulator_factory, tmp_path):
    from tui.core.kube_http import MERGE_PATCH, request_json

    emu = emulator_factory(demo_objects(), time_scale=50)
    ctx = context(emu, tmp_path, timeout=8.0)
    drain = NodeDrain("hel-wk-04")
    plan = drain.plan(ctx, {"timeout": "60s"})
    assert any("PDB bot/bot-db" in w for w in plan.warnings)  # minAvailable 1 of 1: blocks now
    events: list = []
    worker = threading.Thread(target=lambda: events.extend(runner_for(ctx).run(drain, ctx, plan)))
    worker.start()
    deadline = time.monotonic() + 30
    while not any(isinstance(e, Note) and "bot/bot-db-0" in e.text and "retrying" in e.text for e in events):
        assert time.monotonic() < deadline, events
        time.sleep(0.05)
    assert _pods_on(emu, "hel-wk-04").count("bot/bot-db-0") == 1  # refused: still there
    # the operator relaxes the budget in another terminal; the next retry goes through
    request_json(ctx.api_client, "PATCH", "/apis/policy/v1/namespaces/bot/poddisruptionbudgets/bot-db",
                 body={"spec": {"minAvailable": 0}}, content_type=MERGE_PATCH)
    worker.join(90)
    notes = [e.text for e in events if isinstance(e, Note)]
    assert "evicted bot/bot-db-0" in notes, notes
    assert isinstance(events[-1], Done) and "bot/bot-db-0" not in events[-1].message.split("left on it")[-1]


def test_drain_can_bypass_pdbs_by_deleting(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=50)
    ctx = context(emu, tmp_path, timeout=8.0)
    drain = NodeDrain("hel-wk-04")
    plan = drain.plan(ctx, {"disable_eviction": True})
    assert plan.lines[0].startswith("Cordon hel-wk-04, then delete (PDBs bypassed)")
    assert {r["method"] for r in plan.requests} == {"DELETE"}
    events = run_all(runner_for(ctx), drain, ctx, plan)
    notes = [e.text for e in events if isinstance(e, Note)]
    # the replacement lands on whichever schedulable node the scheduler picks, never the drained one
    assert "deleted bot/bot-db-0" in notes, notes
    assert any(n.startswith("bot/bot-db-0: Ready on hel-") and not n.endswith("hel-wk-04") for n in notes), notes
    left = [p for p in _pods_on(emu, "hel-wk-04") if p not in plan.data["left_alone"]]
    assert left == []
    # the incident: wiki-web's replacement runs but never turns Ready (its database crash-loops),
    # and the drain says so instead of claiming success
    assert events[-1].outcome == "failed"
    assert "no Ready replacement: wiki/wiki-web" in events[-1].message and "Running 0/1" in events[-1].message
