"""Snapshots of the Pods pane and the Events view (the cluster's, and one pod's) at 80x24 and
120x40, over the demo cluster with controllers off and a frozen clock (see test_snapshots.py).
Regenerate on purpose with `--snapshot-update`, then look at the SVGs."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support.app_support import make_app, press, settle, synced
from tests.support.demo_pods import demo_with_pods

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
SCREENS = {
    "pods": ("8",),
    "events": ("colon", *"events", "enter"),
    "events_of_pod": ("8", "e"),  # the crash-looping wiki-db-0 is listed first
}


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_with_pods(), controllers=False)


def keys_then_settle(*keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await synced(pilot)
        await press(pilot, *keys)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_pods_screens(snap_compare: Any, demo: Any, screen: str, size: str) -> None:
    assert snap_compare(make_app(demo), terminal_size=SIZES[size], run_before=keys_then_settle(*SCREENS[screen]))
