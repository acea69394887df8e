"""Helpers for the app tests (pilot and snapshot): build the real chain emulator → official
client → SourceSet → ClusterStore → ClusterDeckApp, and wait until it has settled."""
from __future__ import annotations

import asyncio
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tui.app import ClusterDeckApp
from tui.config import Config
from tui.connection import connect_emulator
from tui.core.clock import FrozenClock
from tui.core.sources import Backoff

# retry within a test's patience (the real 60 s for 403/404 is for humans changing RBAC)
FAST_RETRY = Backoff(first=0.05, factor=2.0, cap=0.3, settled=0.3)
FROZEN_AT = "2026-11-26T14:05:00Z"  # the demo's "now": a few weeks after its first sync


def make_app(emulator: Any, *, theme: str = "clusterdeck", read_only: bool = False,
             context: str = "emberforge-demo", config: Config | None = None,
             clock: FrozenClock | None = None, argocd_token: str | None = None) -> ClusterDeckApp:
    # argocd_token: the emulator's Argo CD API is configured too (its Emulator needs the same token)
    conn = connect_emulator(emulator, context=context, read_only=read_only, argocd_token=argocd_token)
    # run history and audit records go to a throwaway state dir, never the user's
    state = Path(tempfile.mkdtemp(prefix="clusterdeck-test-state-"))
    config = replace(config or Config(theme=theme), state_dir=state)
    app = ClusterDeckApp(conn, config, clock=clock or FrozenClock(FROZEN_AT),
                         source_backoff=FAST_RETRY)
    app.animation_level = "none"
    return app


async def wait_until(pilot: Pilot[Any], predicate: Any, timeout: float = 10.0, what: str = "") -> None:
    """Poll `predicate()` on the loop (sources deliver between polls); fail with `what`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        await asyncio.sleep(0.02)


async def settle(pilot: Pilot[Any]) -> None:
    """Let queued store events land, announce them now (not at the next tick), let widgets redraw."""
    await pilot.pause()
    app: ClusterDeckApp = pilot.app  # type: ignore[assignment]
    app.bridge.tick()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def synced(pilot: Pilot[Any], timeout: float = 15.0) -> None:
    """Every source answered once and the active screen shows it."""
    app: ClusterDeckApp = pilot.app  # type: ignore[assignment]
    await wait_until(pilot, app.store.synced, timeout, "every source's first list")
    await settle(pilot)


async def press(pilot: Pilot[Any], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def table_keys(app: ClusterDeckApp, selector: str = "#table") -> list[str]:
    return app.screen.query_one(selector).keys  # type: ignore[attr-defined, no-any-return]


def screen_text(app: ClusterDeckApp) -> str:
    """What the terminal shows now, as plain text lines (for asserting what a user reads)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)
