"""Volumes pane (Longhorn): degraded and faulted first, where each is attached, replicas healthy."""
from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.core.rows import VolumeRow
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.resource_table import Column

from .pane import PaneScreen

ROBUSTNESS_RANK = {"faulted": 0, "degraded": 1, "unknown": 2}


def volume_label(row: VolumeRow) -> str:
    """The PVC people know ("wiki/wiki-data"); the Longhorn name when no PVC is bound."""
    return row.pvc or row.name


def replicas(row: VolumeRow) -> Text:
    """Always healthy/wanted: a bare `3` would read as three healthy replicas of a degraded volume."""
    if row.replicas_healthy is None:
        return Text(f"?/{row.replicas_wanted if row.replicas_wanted is not None else '?'}", style=c.WARN)
    return c.ratio(row.replicas_healthy, row.replicas_wanted)


class VolumesScreen(PaneScreen):
    PANE = "volumes"
    TITLE = "Volumes"
    LAYER = "volumes"
    CSS_PATH = "volumes.tcss"
    ACTIONS = ("volume.mount", "volume.unmount")
    HELP = "Longhorn volumes, worst first. i: the node it is attached to and what else it carries."
    BINDINGS = bindings("action.volume.mount", "action.volume.unmount")
    COLUMNS = (
        Column("pvc", "PVC", 22, flex=True),
        Column("robustness", "HEALTH", 9),
        Column("state", "STATE", 9),
        Column("node", "NODE", 10),
        Column("replicas", "REPL", 5, cut="never"),
        Column("size", "SIZE", 6, cut="never"),
        Column("workloads", "USED BY", 22, min_screen=110),
        Column("name", "LONGHORN VOLUME", 42, min_screen=160),
    )

    def refresh_table(self) -> None:
        # who uses each volume, resolved to Deployments/StatefulSets by the cross-layer index
        self._users = self.deck.store.impact().volume_workloads
        super().refresh_table()

    def users(self, row: VolumeRow) -> str | None:
        resolved = sorted(getattr(self, "_users", {}).get(row.key, ()))
        names = tuple(u.split("/", 1)[1] for u in resolved) or row.workloads
        return c.first(names) if names else None

    def sort_key(self, row: VolumeRow) -> Any:
        return (ROBUSTNESS_RANK.get(row.robustness or "unknown", 3), row.state != "attached",
                volume_label(row))

    def cells(self, row: VolumeRow) -> tuple[Text, ...]:
        return (
            Text(volume_label(row), style="bold"),
            c.status(row.robustness),
            c.status(row.state),
            c.plain(row.node),
            replicas(row),
            c.plain(c.size(row.size_bytes)),
            c.plain(self.users(row)),
            c.plain(row.name),
        )
