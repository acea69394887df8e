"""Defect 1: an Argo CD sync whose API is lost mid-way, then restored with the old state, must
not be recorded as succeeded: the old finished operation is not ours."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.actions_support import context, runner_for
from tui.core.actions import Done, Progress
from tui.core.actions.argocd import AppRollback, AppSync
from tui.emulator.demo import demo_objects


def _until_progress(events: Any) -> list[Any]:
    seen = []
    for event in events:
        seen.append(event)
        if isinstance(event, Progress):
            return seen
    raise AssertionError(f"the action ended before following its operation: {seen}")


def test_sync_lost_then_api_restored_with_old_state_is_unknown(swappable_api: Any, tmp_path: Path) -> None:
    objects = demo_objects()
    api = swappable_api(objects, controllers=False)  # our operation stays pending until the swap
    ctx = context(api.emulator, tmp_path, timeout=5.0)
    runner = runner_for(ctx)
    action = AppSync("argocd/donate")
    events = runner.run(action, ctx, action.plan(ctx))
    _until_progress(events)  # the sync was written and seen pending on the Application
    api.down()
    api.back(demo_objects(), controllers=False)  # an etcd restore: the old finished operation
    rest = list(events)
    done = rest[-1]
    assert isinstance(done, Done)
    assert done.outcome == "unknown", done
    assert "check donate's sync status and history" in done.message
    end = [r for r in runner.audit.records() if r["phase"] == "end"]
    assert [r["outcome"] for r in end] == ["unknown"]


def test_sync_followed_to_its_own_end_still_succeeds(swappable_api: Any, tmp_path: Path) -> None:
    api = swappable_api(demo_objects(), controllers=True, time_scale=20.0)
    ctx = context(api.emulator, tmp_path, timeout=10.0)
    action = AppSync("argocd/donate")
    done = list(runner_for(ctx).run(action, ctx, action.plan(ctx)))[-1]
    assert done.outcome == "succeeded", done


def test_rollback_with_api_gone_for_good_is_never_succeeded(swappable_api: Any, tmp_path: Path) -> None:
    objects = demo_objects()
    for obj in objects:  # the wiki remedy: auto-sync off first
        if obj.get("kind") == "Application" and obj["metadata"]["name"] == "wiki":
            obj["spec"].pop("syncPolicy", None)
    api = swappable_api(objects, controllers=False)
    ctx = context(api.emulator, tmp_path, timeout=1.5)
    action = AppRollback("argocd/wiki")
    plan = action.plan(ctx)
    runner = runner_for(ctx)
    events = runner.run(action, ctx, plan, typed="wiki")
    _until_progress(events)
    api.down()
    done = list(events)[-1]
    assert done.outcome in ("unknown", "failed"), done
    assert runner.audit.records()[-1]["outcome"] == done.outcome
