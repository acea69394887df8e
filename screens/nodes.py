"""Nodes pane: readiness, roles, cordon, pressure, and the Longhorn storage each node holds."""
from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.core.rows import NodeRow
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.resource_table import Column

from .pane import PaneScreen


def node_status(row: NodeRow) -> Text:
    word = "Ready" if row.ready else "NotReady" if row.ready is False else "Unknown"
    text = c.status(word)
    if row.unschedulable:
        text.append(",cordoned", style=c.WARN)
    return text


def short_roles(roles: tuple[str, ...]) -> str:
    """control-plane,etcd,master -> cp,etcd (master is k3s' old name for control-plane)."""
    short = {"control-plane": "cp", "master": ""}
    words = [short.get(r, r) for r in roles]
    return ",".join(dict.fromkeys(w for w in words if w)) or "agent"


class NodesScreen(PaneScreen):
    PANE = "nodes"
    TITLE = "Nodes"
    LAYER = "nodes"
    CSS_PATH = "nodes.tcss"
    ACTIONS = ("playbook",)
    HELP = "Every node: Ready, roles, cordon, pressure; storage bar from Longhorn's node view."
    BINDINGS = bindings("action.playbook")
    COLUMNS = (
        Column("name", "NAME", 10),
        Column("status", "STATUS", 16),
        Column("roles", "ROLES", 7),
        Column("ip", "IP", 14),
        Column("storage", "LONGHORN DISK", 15, flex=True),
        Column("free", "FREE", 7, min_screen=100),
        Column("pressure", "PRESSURE", 12, min_screen=100),
        Column("version", "VERSION", 14, min_screen=120),
        Column("age", "AGE", 5, min_screen=130),
    )

    def depends_on(self, layers: frozenset[str]) -> bool:
        return "lh_nodes" in layers

    def sort_key(self, row: NodeRow) -> Any:
        return (row.ready is True, not row.unschedulable, not row.pressure, row.name)

    def refresh_table(self) -> None:
        self._lh = {r.name: r for r in self.deck.store.rows("lh_nodes")}
        super().refresh_table()

    def cells(self, row: NodeRow) -> tuple[Text, ...]:
        lh = getattr(self, "_lh", {}).get(row.name)
        if lh is not None and lh.storage_maximum:
            used = lh.storage_maximum - (lh.storage_available or 0)
            storage = c.bar(used, lh.storage_maximum, width=8)
            free = c.plain(c.size(lh.storage_available))
        else:
            storage = free = Text("-", style=c.DIM)
        return (
            Text(row.name, style="bold"),
            node_status(row),
            c.plain(short_roles(row.roles)),
            c.plain(row.internal_ip),
            storage,
            free,
            c.styled(",".join(row.pressure), c.BAD) if row.pressure else c.plain(None),
            c.plain(row.kubelet_version),
            c.age_of(row.created, self.deck.clock.now()),
        )
