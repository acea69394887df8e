"""Helpers for the action tests (engineer G): a real store filled from the emulator, a context, a run."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tui.core.actions import Action, ActionContext, ActionRunner, Done, Plan, Who
from tui.core.clock import FrozenClock
from tui.core.events import Relisted
from tui.core.kinds import KINDS
from tui.core.kube_http import client_for
from tui.core.store import ClusterStore

REPO = Path(__file__).resolve().parent.parent
PLAYBOOKS = REPO / "playbooks"


def store_from(emu: Any, store: ClusterStore | None = None) -> ClusterStore:
    """A ClusterStore holding what the emulator holds now (the relist the sources would deliver)."""
    store = store or ClusterStore(FrozenClock())
    for key in KINDS:
        store.handle(Relisted(key, copy.deepcopy(emu.list(key))))
    return store


def context(emu: Any, state_dir: Path, **overrides: Any) -> ActionContext:
    values: dict[str, Any] = dict(
        api_client=client_for(emu.url), store=store_from(emu), clock=FrozenClock("2026-11-26T14:05:00Z"),
        state_dir=state_dir, context="clusterdeck-test", timeout=20.0, poll_interval=0.05,
        playbook_dir=PLAYBOOKS, inventory=PLAYBOOKS / "inventory" / "demo.yml", user="tester",
    )
    values.update(overrides)
    return ActionContext(**values)


def runner_for(ctx: ActionContext, **kwargs: Any) -> ActionRunner:
    return ActionRunner(ctx.state_dir, context=ctx.context, who=Who("tester", "10.9.8.7"), **kwargs)


def run_all(runner: ActionRunner, action: Action, ctx: ActionContext, plan: Plan, typed: str = "") -> list[Any]:
    events = list(runner.run(action, ctx, plan, typed))
    assert isinstance(events[-1], Done), events[-1]
    return events


def patched(objects: list[dict[str, Any]], kind: str, name: str, change: Any) -> list[dict[str, Any]]:
    """A copy of the seed with one object changed by ``change(obj)``."""
    out = copy.deepcopy(objects)
    for obj in out:
        if obj.get("kind") == kind and obj["metadata"]["name"] == name:
            change(obj)
    return out
