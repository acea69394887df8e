"""Snapshots of the log screen (80x24 and 120x40) over the demo cluster, emulator clock frozen:
the incident's previous run of wiki-db-0, and a workload's pods merged with timestamps."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from screens.log_view import LogView
from screens.logs import LogScreen
from tests.support.app_support import make_app, press, settle, synced, wait_until
from tui.emulator.demo import demo_objects

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
FROZEN = datetime(2026, 11, 26, 14, 5, 0, tzinfo=UTC)


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False, now=lambda: FROZEN)


def log_screen_of(pane: str, name: str, *keys: str, streams_done: str) -> Any:
    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await synced(pilot)
        await press(pilot, pane, "slash", *name, "enter")
        await wait_until(pilot, lambda: app.screen.cursor_row() is not None, what=name)
        await press(pilot, "escape", "l", *keys)
        screen = app.screen
        assert isinstance(screen, LogScreen)
        await wait_until(pilot, lambda: screen.session.states()
                         and all(s.state == streams_done for s in screen.session.states())
                         and screen.view.lines, what="every stream read")
        await pilot.pause(0.3)  # the drain timer hands the last lines over
        await settle(pilot)
        view = screen.query_one(LogView)
        view.refresh()
        # the scrollbar is its own widget: let it repaint for the final scroll position too,
        # or the capture can catch its thumb one frame behind the lines
        view.vertical_scrollbar.refresh()
        await settle(pilot)
        await pilot.pause(0.1)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_previous_run_of_the_crashlooping_db(snap_compare: Any, demo: Any, size: str) -> None:
    assert snap_compare(make_app(demo), terminal_size=SIZES[size],
                        run_before=log_screen_of("8", "wiki-db-0", "p", streams_done="ended"))


@pytest.mark.parametrize("size", SIZES)
def test_a_workloads_pods_merged_with_timestamps(snap_compare: Any, demo: Any, size: str) -> None:
    assert snap_compare(make_app(demo), terminal_size=SIZES[size],
                        run_before=log_screen_of("7", "api/api", "t", streams_done="following"))
