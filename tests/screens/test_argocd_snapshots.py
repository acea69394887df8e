"""Snapshots of the Argo CD screens over the demo (80x24 and 120x40, frozen clock): the diff of the
OutOfSync donate app from the emulator's Argo CD API."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support.app_support import make_app, press, settle, synced, wait_until
from tui.emulator.demo import demo_objects

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
TOKEN = "snapshot-argocd-token"


@pytest.fixture
def demo_api(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False, argocd_token=TOKEN)


def on_donate(*keys: str, until: str = "") -> Any:
    async def run_before(pilot: Any) -> None:
        await synced(pilot)
        await press(pilot, "6")
        assert pilot.app.screen.select_key("argocd/donate")
        await press(pilot, *keys)
        await wait_until(pilot, lambda: until in pilot.app.screen.query_one("#diff").render().plain, 10, until)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_diff_of_donate(snap_compare: Any, demo_api: Any, size: str) -> None:
    assert snap_compare(make_app(demo_api, argocd_token=TOKEN), terminal_size=SIZES[size],
                        run_before=on_donate("d", until="replicas"))
