"""Snapshots of the diagnose screen (`5`, a route, `d`) on the demo at 80x24 and 120x40: every
hop with its verdict, the demo's skipped hops saying why, the failed one in red."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support.app_support import make_app, press, settle, synced, wait_until
from tui.emulator.demo import demo_objects

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False)


async def diagnose_first_route(pilot: Any) -> None:
    await synced(pilot)
    await press(pilot, "5", "d")  # wiki/wiki: listed first, its backend has no ready endpoint
    await wait_until(pilot, lambda: getattr(pilot.app.screen, "done", False), what="every hop checked")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_diagnose_route(snap_compare: Any, demo: Any, size: str) -> None:
    assert snap_compare(make_app(demo), terminal_size=SIZES[size], run_before=diagnose_first_route)
