"""Snapshot tests of every screen (80x24 and 120x40), the degraded states and one ansi-dark run.

The app runs over the demo cluster in the emulator (controllers off: a still world), with a
frozen clock; every key is pressed in `run_before` and the app settles (store events applied,
workers done) before the capture. Regenerate on purpose: `pytest tests/test_snapshots.py
--snapshot-update`, then look at the SVGs in tests/__snapshots__/.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.app_support import make_app, press, settle, synced, wait_until
from tui.core.events import SourceState
from tui.emulator.demo import demo_objects
from tui.widgets.source_banner import PANE_KINDS

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False)


def keys_then_settle(*keys: str, before: Callable[[Any], Any] | None = None) -> Callable[[Any], Any]:
    async def run_before(pilot: Any) -> None:
        await synced(pilot)
        if before is not None:
            await before(pilot)
        await press(pilot, *keys)
        await settle(pilot)

    return run_before


# (name, keys): every pane, detail, impact, help, and the prompts
SCREENS = {
    "overview": ("1",),
    "nodes": ("2",),
    "volumes": ("3",),
    "network": ("4",),
    "routes": ("5",),
    "apps": ("6",),
    "workloads": ("7",),
    "detail_node": ("2", "enter"),
    "impact_degraded_volume": ("3", "i"),  # the "done when" path
    "help_volumes": ("3", "question_mark"),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(snap_compare: Any, demo: Any, screen: str, size: str) -> None:
    assert snap_compare(make_app(demo), terminal_size=SIZES[size],
                        run_before=keys_then_settle(*SCREENS[screen]))


EXTRA_80 = {
    "detail_volume_scrolled_to_yaml": ("3", "enter", "y"),
    "impact_of_node": ("2", "slash", *"hel-wk-02", "enter", "i"),
    "impact_of_lb_from_network": ("4", "i"),
    "impact_of_route": ("5", "i"),
    "impact_of_app": ("6", "i"),
    "impact_of_workload": ("7", "i"),  # wiki/wiki-db: 0/1 ready, listed first
    "filter_prompt_open": ("3", "slash", *"wiki"),
    "filter_negated_applied": ("7", "slash", *"!done", "enter"),
    "command_line_open": ("colon", *"volumes wiki"),
    "marked_rows": ("7", "space", "j", "space"),
    "network_pools_focused": ("4", "tab"),
    "palette_jump_to_object": ("ctrl+p", *"wiki-db"),
}


@pytest.mark.parametrize("case", EXTRA_80)
def test_more_at_80x24(snap_compare: Any, demo: Any, case: str) -> None:
    assert snap_compare(make_app(demo), terminal_size=(80, 24),
                        run_before=keys_then_settle(*EXTRA_80[case]))


def _until_state(demo: Any, keys: tuple[str, ...], state: SourceState,
                 detail: str | None = None) -> Callable[[Any], Any]:
    async def wait(pilot: Any) -> None:
        health = pilot.app.store.health

        def reached() -> bool:
            return all(health()[k].state == state and (detail is None or health()[k].detail == detail)
                       for k in keys)

        await wait_until(pilot, reached, 15, f"{keys} {state}")
        await settle(pilot)

    return wait


def test_volumes_forbidden(snap_compare: Any, demo: Any) -> None:
    async def forbid(pilot: Any) -> None:
        demo.fault("lh_volumes", 403)
        demo.drop_watches()
        await _until_state(demo, ("lh_volumes",), SourceState.FORBIDDEN)(pilot)

    assert snap_compare(make_app(demo), run_before=keys_then_settle("3", before=forbid))


def test_apps_not_installed(snap_compare: Any, demo: Any) -> None:
    async def remove(pilot: Any) -> None:
        demo.fault("applications", 404)
        demo.drop_watches()
        await _until_state(demo, ("applications",), SourceState.NOT_INSTALLED)(pilot)

    assert snap_compare(make_app(demo), run_before=keys_then_settle("6", before=remove))


@pytest.mark.parametrize("pane,key", [("volumes", "3"), ("overview", "1")])
def test_api_gone_stale(snap_compare: Any, demo: Any, pane: str, key: str) -> None:
    async def stop(pilot: Any) -> None:
        demo.stop()
        lost = tuple(k for k in PANE_KINDS["volumes"] + PANE_KINDS["nodes"])
        await _until_state(demo, lost, SourceState.STALE, "connection refused")(pilot)

    assert snap_compare(make_app(demo), run_before=keys_then_settle(key, before=stop))


@pytest.mark.parametrize("key", ["1", "3"])
def test_ansi_dark(snap_compare: Any, demo: Any, key: str) -> None:
    assert snap_compare(make_app(demo, theme="ansi-dark"), run_before=keys_then_settle(key))


def test_production_context_read_only_header(snap_compare: Any, demo: Any) -> None:
    app = make_app(demo, context="emberforge-prod", read_only=True)
    assert snap_compare(app, run_before=keys_then_settle("2"))


def test_overview_200x60(snap_compare: Any, demo: Any) -> None:
    assert snap_compare(make_app(demo), terminal_size=(200, 60), run_before=keys_then_settle("1"))


def test_no_color(snap_compare: Any, demo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR: meaning must survive without colour (marks, words, reverse video)."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(demo), run_before=keys_then_settle("3"))


# Every pane at 80x24 with long real-world names and near-identical IPs (tests/screens/fixtures/
# long_names.yaml on top of the demo), in ansi-dark (what an SSH terminal without COLORTERM gets)
# and with NO_COLOR: nothing that tells two rows apart may be cut, and meaning must survive
# without colour.
LONG_NAMES = Path(__file__).parent / "fixtures" / "long_names.yaml"
PANE_KEYS = {"overview": "1", "nodes": "2", "volumes": "3", "network": "4", "routes": "5", "apps": "6",
             "workloads": "7", "pods": "8"}


@pytest.fixture
def long_names(emulator_factory: Any) -> Any:
    extra = [d for d in yaml.safe_load_all(LONG_NAMES.read_text()) if d]
    return emulator_factory(demo_objects() + extra, controllers=False)


@pytest.mark.parametrize("look", ["ansi-dark", "no-color"])
@pytest.mark.parametrize("pane", PANE_KEYS)
def test_pane_long_names_80x24(snap_compare: Any, long_names: Any, monkeypatch: pytest.MonkeyPatch,
                               pane: str, look: str) -> None:
    if look == "no-color":
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(long_names, theme="ansi-dark" if look == "ansi-dark" else "clusterdeck")
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys_then_settle(PANE_KEYS[pane]))
