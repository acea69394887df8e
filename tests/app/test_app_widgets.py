"""The keyed table, the bridge's coalescing ticker, and the source banner wording."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from rich.text import Text
from textual.app import App, ComposeResult

from tui.core.clock import FrozenClock
from tui.core.events import HealthChanged, Relisted, SourceHealth, SourceState
from tui.core.store import ClusterStore
from tui.store_bridge import StoreBridge, StoreChanged
from tui.widgets.resource_table import Column, ResourceTable, TableRow
from tui.widgets.source_banner import pane_state, pane_trouble

COLUMNS = (Column("name", "NAME", 8), Column("state", "STATE", 8))


def rows(*pairs: tuple[str, str]) -> list[TableRow]:
    return [TableRow(k, (Text(k), Text(v))) for k, v in pairs]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable(COLUMNS, id="t")


async def test_reconcile_keeps_the_cursor_on_its_key_through_reorder_update_and_removal() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(ResourceTable)
        table.reconcile(rows(("a", "ok"), ("b", "ok"), ("c", "ok")))
        table.select_key("b")
        await pilot.pause()
        table.reconcile(rows(("b", "bad"), ("c", "ok"), ("a", "ok")))  # b moved to the top
        assert table.keys == ["b", "c", "a"] and table.cursor_key == "b" and table.cursor_row == 0
        assert table.get_cell("b", "state").plain == "bad"
        table.reconcile(rows(("c", "ok"), ("a", "ok"), ("d", "new")))  # b is gone
        assert table.cursor_row == 0 and table.cursor_key == "c"  # same height, not the top jump
        assert table.keys == ["c", "a", "d"]
        table.toggle_mark("a")
        table.reconcile(rows(("c", "ok"), ("d", "new")))
        assert table.marked == set()  # a mark on a row that left is dropped


async def test_narrow_terminal_keeps_the_important_columns() -> None:
    class Wide(App[None]):
        def compose(self) -> ComposeResult:
            yield ResourceTable((Column("name", "NAME", 8), Column("extra", "EXTRA", 8, min_screen=100)))

    app = Wide()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(ResourceTable)
        table.reconcile([TableRow("a", (Text("a"), Text("x")))])
        await pilot.pause()
        assert [c.key for c in table.shown_columns] == ["__mark", "name"]
        await pilot.resize_terminal(120, 10)
        await pilot.pause()
        assert [c.key for c in table.shown_columns] == ["__mark", "name", "extra"]
        assert table.get_cell("a", "extra").plain == "x"  # the kept cells come back


async def test_bridge_posts_one_message_per_change_and_none_when_still() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        store = ClusterStore(FrozenClock())
        bridge = StoreBridge(app, store)
        bridge.bind_loop()
        assert bridge.tick() is not None  # the first tick announces everything
        assert bridge.tick() is None
        for i in range(50):  # a burst of events from a source thread...
            bridge.deliver(Relisted("nodes", [{"metadata": {"name": f"n{i}", "resourceVersion": str(i)}}]))
        await pilot.pause()
        message = bridge.tick()  # ...is one announcement
        assert message is not None and "nodes" in message.layers and "volumes" not in message.layers
        assert bridge.tick() is None
        bridge.deliver(HealthChanged(SourceHealth("lh_volumes", SourceState.FORBIDDEN)))
        await pilot.pause()
        message = bridge.tick()
        assert message is not None and message.health


class Listening(App[None]):
    """An app that keeps every StoreChanged it is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.announced: list[StoreChanged] = []

    def on_store_changed(self, message: StoreChanged) -> None:
        self.announced.append(message)


async def test_a_change_is_announced_by_itself_without_waiting_for_the_ticker() -> None:
    app = Listening()
    async with app.run_test() as pilot:
        bridge = StoreBridge(app, ClusterStore(FrozenClock()), refresh_hz=20)
        bridge.bind_loop()
        bridge.start_ticker()
        bridge.tick()  # the first announcement (everything) is behind us
        await pilot.pause()
        app.announced.clear()
        assert bridge._timer is not None
        bridge._timer.pause()  # the ticker stays silent: only the change itself may announce
        for i in range(50):  # a burst from a source thread...
            bridge.deliver(Relisted("nodes", [{"metadata": {"name": f"n{i}", "resourceVersion": str(i)}}]))
        for _ in range(500):
            await asyncio.sleep(0.01)
            if app.announced:
                break
        await asyncio.sleep(0.2)  # time for any second announcement the burst might wrongly make
        assert len(app.announced) == 1  # ...is announced once, without anyone ticking
        assert "nodes" in app.announced[0].layers and "volumes" not in app.announced[0].layers
        bridge.stop()


NOW = datetime(2026, 11, 26, 14, 3, tzinfo=UTC)


def test_banner_wording_per_state() -> None:
    health = {
        "lh_volumes": SourceHealth("lh_volumes", SourceState.FORBIDDEN, NOW, "cannot list volumes.longhorn.io (403)"),
        "lh_nodes": SourceHealth("lh_nodes", SourceState.STALE, NOW, "connection refused"),
        "lh_replicas": SourceHealth("lh_replicas", SourceState.STALE, NOW, "connection refused"),
    }
    texts = [t.text for t in pane_trouble("volumes", health)]
    assert texts == ["stale since 14:03 (connection refused), retrying",
                     "forbidden: cannot list volumes.longhorn.io"]
    assert pane_state("volumes", health) == SourceState.FORBIDDEN
    absent = {k: SourceHealth(k, SourceState.NOT_INSTALLED, NOW) for k in ("applications",)}
    assert [t.text for t in pane_trouble("apps", absent)] == [
        "Argo CD not installed (no applications.argoproj.io API)"]
    # Traefik v3 served, the legacy v2 group absent: nothing to say
    routes = {"ingressroutes": SourceHealth("ingressroutes", SourceState.OK, NOW),
              "ingressroutes_legacy": SourceHealth("ingressroutes_legacy", SourceState.NOT_INSTALLED, NOW),
              "ingresses": SourceHealth("ingresses", SourceState.OK, NOW)}
    assert pane_trouble("routes", routes) == [] and pane_state("routes", routes) == SourceState.OK


def test_a_newer_store_message_supersedes_a_queued_one_and_keeps_what_it_said() -> None:
    from tui.store_bridge import StoreChanged

    queued = StoreChanged(1, frozenset({"nodes"}), health=True)
    newer = StoreChanged(2, frozenset({"volumes"}), health=False)
    assert queued.can_replace(newer)
    assert newer.layers == {"nodes", "volumes"} and newer.health and newer.version == 2


def test_overview_banner_says_once_when_the_whole_api_is_gone() -> None:
    from tui.core.kinds import KINDS

    gone = {k: SourceHealth(k, SourceState.STALE, NOW, "connection refused") for k in KINDS}
    assert [t.text for t in pane_trouble("overview", gone)] == [
        "every source: stale since 14:03 (connection refused), retrying"]
    partly = {k: SourceHealth(k, SourceState.OK, NOW) for k in KINDS}
    partly["lh_volumes"] = SourceHealth("lh_volumes", SourceState.FORBIDDEN, NOW)
    assert [t.text for t in pane_trouble("overview", partly)] == [
        "Longhorn: forbidden: cannot list volumes.longhorn.io"]
    assert pane_trouble("overview", {k: SourceHealth(k, SourceState.OK, NOW) for k in KINDS}) == []
