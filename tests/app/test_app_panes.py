"""Pilot tests: the console over the demo cluster (emulator → client → sources → store → app),
driven with keys as a user would."""
from __future__ import annotations

from typing import Any

import pytest

from screens.detail import DetailScreen
from screens.help import HelpScreen
from screens.impact import ImpactScreen
from tests.support.app_support import (
    make_app,
    press,
    screen_text,
    settle,
    synced,
    table_keys,
    wait_until,
)
from tui.config import Config
from tui.emulator.demo import demo_objects


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False)


def volume_key(app: Any, pvc: str) -> str:
    return next(v.key for v in app.store.rows("volumes") if v.pvc == pvc)


async def test_number_keys_switch_panes_and_each_lists_its_layer(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        expected = {"2": ("nodes", "hel-wk-03"), "3": ("volumes", "wiki/wiki-db-data"),
                    "4": ("network", "kube-system/traefik"), "5": ("routes", "wiki.emberforge.games"),
                    "6": ("apps", "donate"), "7": ("workloads", "bot/bot-db")}
        for key, (mode, visible) in expected.items():
            await press(pilot, key)
            assert app.current_mode == mode
            assert visible in screen_text(app), f"{visible} not shown in pane {mode}"
        await press(pilot, "1")
        assert app.current_mode == "overview"
        assert "Needs attention" in screen_text(app)


async def test_volumes_sort_degraded_first_and_filter_narrows_and_negates(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        keys = table_keys(app)
        first = app.store.row("volumes", keys[0])
        assert first.robustness == "degraded" and first.pvc == "wiki/wiki-db-data"
        await press(pilot, "slash", *"wiki", "enter")
        shown = [app.store.row("volumes", k) for k in table_keys(app)]
        assert shown and all("wiki" in (v.pvc or v.name) for v in shown)
        assert "/wiki" in screen_text(app)
        await press(pilot, "slash", "ctrl+a", "exclamation_mark", "enter")
        shown = [app.store.row("volumes", k) for k in table_keys(app)]
        assert shown and not any("wiki" in (v.pvc or v.name) for v in shown)
        await press(pilot, "escape")  # esc on the pane clears the filter
        assert len(table_keys(app)) == len(app.store.rows("volumes"))


async def test_the_filter_line_narrows_as_typed_and_escape_puts_back_what_was(demo: Any) -> None:
    """The filter line stands where the footer was: the rows narrow at each keystroke; escape
    restores the filter from before it opened, the footer comes back, and keys move the table."""
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "3", "slash", *"wiki", "enter")
        narrowed = table_keys(app)
        await press(pilot, "slash", "backspace", "backspace", "backspace", "backspace", *"bot")
        assert screen_text(app).splitlines()[-1].strip().startswith("/bot")  # in the footer's place
        assert table_keys(app) and all("bot" in (app.store.row("volumes", k).pvc or "") for k in table_keys(app))
        await press(pilot, "escape")
        assert table_keys(app) == narrowed  # "wiki" again, not "bot" and not nothing
        last_line = screen_text(app).splitlines()[-1]
        assert "/bot" not in last_line and "filter" in last_line.lower()  # the footer's keys are back
        before = app.screen.query_one("#table").cursor_row
        await press(pilot, "j")
        assert app.screen.query_one("#table").cursor_row == min(before + 1, len(narrowed) - 1)


async def test_enter_opens_detail_with_facts_conditions_events_and_yaml(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "2")
        node = table_keys(app)[0]
        await press(pilot, "enter")
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert node in text and "Facts" in text
        assert app.screen.events_problem is None  # the events source works
        await press(pilot, "y")
        text = screen_text(app)
        assert "kind: Node" in text and f"name: {node}" in text
        await press(pilot, "escape")
        assert app.current_mode == "nodes" and not isinstance(app.screen, DetailScreen)


async def test_done_when_degraded_volume_its_node_and_what_else_in_two_keys(demo: Any) -> None:
    """The issue's acceptance path at 80x24: `3` (degraded first, cursor on it), `i`."""
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "3", "i")
        assert isinstance(app.screen, ImpactScreen)
        text = screen_text(app)
        volume = app.store.row("volumes", app.screen.subject.key)
        assert volume.robustness == "degraded"
        assert f"attached to {volume.node}" in text
        links = app.screen.links.values()
        carried = {(l.layer, l.key) for l in links if l.section.startswith("node: ")}
        assert ("volumes", volume_key(app, "api/api-uploads")) in carried  # the other volume there
        assert any(layer == "apps" for layer, _ in carried)


async def test_impact_of_a_node_lists_what_it_carries_and_walks_to_detail(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "2", "slash", *"hel-wk-02", "enter", "i")
        assert isinstance(app.screen, ImpactScreen)
        sections = {l.section for l in app.screen.links.values()}
        assert "attached here" in sections
        await press(pilot, "enter")
        assert isinstance(app.screen, DetailScreen)
        await press(pilot, "escape", "escape")
        assert app.current_mode == "nodes" and app.screen.filter_text == "hel-wk-02"


async def test_impact_of_a_workload_names_its_volume_node_and_app(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "7")
        assert app.screen.table.cursor_key == "StatefulSet/wiki/wiki-db"  # 0/1 ready: listed first
        await press(pilot, "i")
        assert isinstance(app.screen, ImpactScreen)
        text = screen_text(app)
        volume = app.store.row("volumes", volume_key(app, "wiki/wiki-db-data"))
        assert "workload StatefulSet/wiki/wiki-db" in text
        assert "volume wiki/wiki-db-data is degraded: 2 of 3 replicas healthy" in text
        links = {(l.section, l.layer, l.key) for l in app.screen.links.values()}
        assert ("volume", "volumes", volume.key) in links
        assert ("runs on", "nodes", volume.node) in links  # the pod runs where its volume is attached
        assert ("app", "apps", "argocd/wiki") in links
        await press(pilot, "escape")
        assert app.current_mode == "workloads" and not isinstance(app.screen, ImpactScreen)


async def test_command_line_switches_pane_with_filter_and_rejects_unknown_context(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "colon", *"volumes wiki", "enter")
        await wait_until(pilot, lambda: app.current_mode == "volumes", 5, "the volumes pane")
        await settle(pilot)
        assert app.screen.filter_text == "wiki"
        await press(pilot, "colon", *"ctx elsewhere", "enter")
        await wait_until(pilot, lambda: any("unknown context: elsewhere" in str(n.message)
                                            for n in app._notifications), 5, "the notification")
        await press(pilot, "colon", "q", "enter")
        await wait_until(pilot, lambda: app.return_code == 0, 5, "the app to quit")


async def test_palette_jumps_to_an_object_by_name(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "ctrl+p", *"api-uploads")
        await pilot.pause(0.3)
        await press(pilot, "enter")
        await wait_until(pilot, lambda: app.current_mode == "volumes", 5, "the volumes pane")
        await settle(pilot)
        assert app.screen.table.cursor_key == volume_key(app, "api/api-uploads")


async def test_help_lists_the_screens_keys_from_the_bindings_and_follows_the_keymap(demo: Any) -> None:
    app = make_app(demo, config=Config(keymap={"pane.filter": "f"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "3", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        lines = {line.binding_id: line for line in app.screen.lines}
        assert lines["pane.filter"].keys == "f"  # remapped, shown as remapped
        assert lines["pane.impact"].keys == "i" and lines["table.down"].keys == "j"
        await press(pilot, "escape", "f", *"api", "enter")
        assert app.screen.filter_text == "api"


async def test_space_marks_rows_and_escape_clears_marks(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "7", "space", "j", "space")
        screen = app.screen
        assert len(screen.selected_rows()) == 2
        assert screen_text(app).count("*") >= 2
        await press(pilot, "escape")
        assert len(screen.selected_rows()) == 1  # back to the row under the cursor


NODE_EVENT = {  # as events.k8s.io/v1 serves it (what the store watches)
    "apiVersion": "events.k8s.io/v1", "kind": "Event",
    "metadata": {"name": "hel-wk-03.17a2b3c4d5e6f708", "namespace": "default"},
    "regarding": {"kind": "Node", "name": "hel-wk-03", "apiVersion": "v1"},
    "reason": "NodeNotReady", "type": "Warning", "action": "NodeNotReady", "reportingController": "node-controller",
    "note": "Node hel-wk-03 status is now: NodeNotReady", "eventTime": "2026-11-26T13:58:00.000000Z",
    "series": {"count": 3, "lastObservedTime": "2026-11-26T14:01:00.000000Z"},
}


async def test_detail_shows_the_objects_events_from_the_store_and_says_why_when_it_cannot(demo: Any) -> None:
    demo.upsert(NODE_EVENT)
    app = make_app(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await synced(pilot)
        await press(pilot, "2")
        assert app.screen.table.cursor_key == "hel-wk-03"  # not ready: listed first
        await press(pilot, "enter", "e")
        assert [e.reason for e in app.screen.events if e.reason == "NodeNotReady"] == ["NodeNotReady"]
        line = next(l for l in screen_text(app).splitlines() if "NodeNotReady" in l)
        assert "Warning" in line and "4m x3" in line  # the age comes from the frozen clock
    demo.fault("events", 403)
    app = make_app(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await synced(pilot)
        await press(pilot, "2", "enter", "e")
        assert app.screen.events == []
        assert "events unavailable: forbidden: cannot list events" in screen_text(app)
