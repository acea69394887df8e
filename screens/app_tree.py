"""Enter on an app: the resources it manages (status.resources) with kind, sync and health;
Enter on one jumps to it in its pane (tui/core/app_tree.py says which, or why none)."""
from __future__ import annotations

from typing import Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.core.app_tree import pane_for
from tui.core.literal import visible
from tui.core.ports import Deck
from tui.core.rows import AppResource, object_key
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.cluster_header import ClusterHeader
from tui.widgets.resource_table import Column, ResourceTable, TableRow

COLUMNS = (
    Column("kind", "KIND", 12),
    Column("name", "NAME", 20, flex=True),
    Column("sync", "SYNC", 9),
    Column("health", "HEALTH", 11),
    Column("opens", "OPENS IN", 9, min_screen=100),
)
SYNC_RANK = {"OutOfSync": 0, "Unknown": 1}


def resource_key(res: AppResource) -> str:
    return f"{res.group}/{res.kind}/{object_key(res.namespace, res.name)}"


class AppTreeScreen(Screen[None]):
    CSS_PATH = "apps.tcss"
    AUTO_FOCUS = "#tree"
    HELP = "The app's resources, out-of-sync first. Enter: the object in its pane; d: the app's detail."
    BINDINGS = bindings("screen.back", "screen.detail")

    def __init__(self, row: Any) -> None:
        super().__init__()
        self.row = row
        self.by_key: dict[str, AppResource] = {}

    @property
    def deck(self) -> Deck:
        return cast("Deck", self.app)

    def compose(self) -> ComposeResult:
        yield ClusterHeader()
        yield Static(id="tree-title")
        table = ResourceTable(COLUMNS, id="tree")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ClusterHeader).show(**self.deck.header_facts("apps"), health=self.deck.store.health())
        self.refresh_from_store(None, False)

    def refresh_from_store(self, layers: frozenset[str] | None, health: bool) -> None:
        if layers is not None and "apps" not in layers and "workloads" not in layers and "volumes" not in layers:
            return
        row = self.deck.store.row("apps", self.row.key) or self.row
        self.row = row
        resources = sorted(row.tree, key=lambda r: (SYNC_RANK.get(r.sync or "", 2), r.kind, r.namespace or "", r.name))
        self.by_key = {resource_key(r): r for r in resources}
        table = self.query_one("#tree", ResourceTable)
        table.reconcile([TableRow(resource_key(r), self._cells(r)) for r in resources])
        table.border_title = f"Resources of {visible(row.name)} ({len(resources)})"
        sources = "  ".join(row.sources) or "no source"
        self.query_one("#tree-title", Static).update(Text.assemble(
            ("App ", "bold"), (visible(row.key), "bold reverse"), "  ", c.status(row.sync), " ",
            c.status(row.health), "\n", (visible(sources, one_line=True), c.DIM)))

    def _cells(self, res: AppResource) -> tuple[Text, ...]:
        found = pane_for(self.deck.store, res)
        return (Text(visible(res.kind)), Text(visible(object_key(res.namespace, res.name))),
                c.status(res.sync), c.status(res.health, missing="-"),
                c.plain(found[0] if isinstance(found, tuple) else None))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = self.query_one("#tree", ResourceTable).cursor_key
        res = self.by_key.get(key or "")
        if res is None:
            return
        found = pane_for(self.deck.store, res)
        if isinstance(found, str):
            self.notify(visible(found), title=f"{res.kind} {res.name}", severity="warning", timeout=6)
            return
        pane, row_key = found
        self.app.run_worker(self.deck.jump_to(pane, row_key), group="jump", exit_on_error=False)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_detail(self) -> None:
        self.deck.open_detail("apps", self.row)
