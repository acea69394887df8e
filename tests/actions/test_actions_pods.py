"""ctrl+d's action against the emulator: the exact DELETE, the replacement followed, the guards."""
from __future__ import annotations

import json
from typing import Any

from tests.support.actions_support import context, patched, run_all, runner_for
from tests.support.demo_pods import demo_with_pods
from tui.core.actions import ActionError, Done, PodDelete, action_for
from tui.core.kube_http import request_json


def pods_named(ctx: Any, namespace: str, name: str) -> list[dict[str, Any]]:
    listing = request_json(ctx.api_client, "GET", f"/api/v1/namespaces/{namespace}/pods")
    return [p for p in listing["items"] if p["metadata"]["name"] == name]


def test_a_crash_looping_statefulset_pod_is_replaced_and_the_replacement_said_to_crash_too(emulator_factory, tmp_path):
    emu = emulator_factory(demo_with_pods(), controllers=True, time_scale=20.0)
    ctx = context(emu, tmp_path)
    action = action_for("pod.delete", "wiki/wiki-db-0")
    plan = action.plan(ctx)
    old_uid = pods_named(ctx, "wiki", "wiki-db-0")[0]["metadata"]["uid"]
    assert plan.danger == "disruptive" and plan.confirm_name is None  # its StatefulSet recreates it
    assert plan.requests[0]["method"] == "DELETE"
    assert plan.requests[0]["body"]["preconditions"] == {"uid": old_uid}  # never a same-named successor
    assert "Its StatefulSet wiki/wiki-db creates a replacement" in " ".join(plan.lines)
    assert any("likely fail the same way" in w for w in plan.warnings)
    events = run_all(runner_for(ctx), action, ctx, plan)
    done = events[-1]
    assert isinstance(done, Done) and done.outcome == "failed" and "not starting" in done.message
    assert any("CrashLoopBackOff" in getattr(e, "text", "") for e in events)
    (now,) = pods_named(ctx, "wiki", "wiki-db-0")
    assert now["metadata"]["uid"] != old_uid, "the StatefulSet made a new wiki-db-0"
    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [(r["phase"], r["outcome"]) for r in records] == [("start", "started"), ("end", "failed")]


def test_a_pod_without_a_controller_is_destructive_and_refused_without_its_name(emulator_factory, tmp_path):
    emu = emulator_factory(demo_with_pods(bare=True), controllers=False)
    ctx = context(emu, tmp_path)
    action = PodDelete("bot/debug-shell")
    plan = action.plan(ctx)
    assert (plan.danger, plan.confirm_name) == ("destructive", "debug-shell")
    refused = run_all(runner_for(ctx), action, ctx, plan, typed="")
    assert refused[-1].outcome == "refused" and pods_named(ctx, "bot", "debug-shell")
    done = run_all(runner_for(ctx), action, ctx, plan, typed="debug-shell")[-1]
    assert done.outcome == "succeeded" and "no controller recreates it" in done.message
    assert pods_named(ctx, "bot", "debug-shell") == []


def test_a_terminating_or_unknown_pod_is_not_offered(emulator_factory, tmp_path):
    seed = patched(demo_with_pods(), "Pod", "wiki-db-0",
                   lambda pod: pod["metadata"].update(deletionTimestamp="2026-11-26T14:04:00Z"))
    emu = emulator_factory(seed, controllers=False)
    ctx = context(emu, tmp_path)
    assert PodDelete("wiki/wiki-db-0").preconditions(ctx.store) == ["pod wiki/wiki-db-0 is already terminating"]
    assert PodDelete("wiki/no-such-pod").preconditions(ctx.store) == [
        "pod wiki/no-such-pod is not in the cluster (any more)"]
    try:
        PodDelete("not-a-pod-key")
    except ActionError as exc:
        assert "not a pod" in str(exc)
    else:
        raise AssertionError("a key without a namespace is not a pod")
