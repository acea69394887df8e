"""Every action with the API lost mid-way: failed or unknown, never succeeded, and the audit end
record agrees; while it waits, the progress line says the API is unreachable (defect 8: a
rollout restart used to show "running" for 5 minutes)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.actions_support import context, runner_for
from tui.core.actions import Done, Progress, action_for
from tui.emulator.demo import demo_objects

CASES = [
    ("app.sync", "argocd/donate", ""),
    ("app.refresh", "argocd/donate", ""),
    ("app.rollback", "argocd/wiki", "wiki"),
    ("workload.restart", "Deployment/donate/donate", ""),
]


def _without_auto_sync(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for obj in objects:  # the wiki remedy needs auto-sync off first
        if obj.get("kind") == "Application" and obj["metadata"]["name"] == "wiki":
            obj["spec"].pop("syncPolicy", None)
    return objects


@pytest.mark.parametrize(("action_id", "target", "typed"), CASES)
def test_api_lost_after_the_change_was_sent(swappable_api: Any, tmp_path: Path, action_id: str, target: str,
                                            typed: str) -> None:
    api = swappable_api(_without_auto_sync(demo_objects()), controllers=False)  # nothing finishes by itself
    ctx = context(api.emulator, tmp_path, timeout=2.5)
    action = action_for(action_id, target)
    runner = runner_for(ctx)
    events = runner.run(action, ctx, action.plan(ctx), typed=typed)
    first = next(events)  # the change is sent before the first event
    assert not isinstance(first, Done), first
    api.down()
    rest = list(events)
    done = rest[-1]
    assert isinstance(done, Done)
    assert done.outcome in ("failed", "unknown"), done
    assert runner.audit.records()[-1]["outcome"] == done.outcome
    waiting = [e.text for e in rest if isinstance(e, Progress) and "unreachable" in e.text]
    assert waiting, [e for e in rest if isinstance(e, Progress)][-3:]


def test_rollout_restart_with_the_api_down_says_unreachable_and_ends_unknown(swappable_api: Any,
                                                                            tmp_path: Path) -> None:
    api = swappable_api(demo_objects(), controllers=False)
    ctx = context(api.emulator, tmp_path, timeout=2.5)
    action = action_for("workload.restart", "Deployment/donate/donate")
    events = runner_for(ctx).run(action, ctx, action.plan(ctx))
    next(events)
    api.down()
    rest = list(events)
    texts = [e.text for e in rest if isinstance(e, Progress)]
    assert any(t.startswith("waiting: the API is unreachable for") and "connection refused" in t for t in texts), texts
    assert rest[-1].outcome == "unknown" and "kubectl rollout status -n donate deployment/donate" in rest[-1].message
