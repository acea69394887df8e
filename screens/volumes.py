"""Volumes pane (Longhorn): degraded and faulted first, where each is attached, replicas healthy,
a rebuild's progress, and how old the newest backup is (flagged when overdue).

At 80 columns: PVC, HEALTH (or `rebuilding 63%`), NODE, REPL, SIZE, BACKUP. From 100 the STATE,
from 120 USED BY, from 140 the snapshots, from 160 the recurring jobs and the Longhorn name;
the detail view (enter) holds every field.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from tui.core.backup_overdue import backup_problem
from tui.core.clock import age, parse_time
from tui.core.index import VolumeUsers
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


def health(row: VolumeRow) -> Text:
    """The robustness word; while a replica is rebuilt, `rebuilding 63%` (its ETA is in the detail)."""
    if row.rebuild_progress is None:
        return c.status(row.robustness)
    return Text(f"rebuilding {row.rebuild_progress}%", style=c.WARN)


def last_backup(row: VolumeRow, now: datetime) -> Text:
    """Age of the newest completed backup; `43%` while one uploads; red with `!` when overdue
    (the reason is the Overview's finding and the detail's backup problem)."""
    problem = backup_problem(row, now)
    at = parse_time(row.last_backup_at)
    if row.backup_progress is not None:
        return Text(f"up {row.backup_progress}%", style=c.BAD if problem else c.WARN)
    if row.backup_target_available is False:
        return Text("target!", style=c.BAD)
    if at is None:
        return Text("none!" if problem else "none", style=c.BAD if problem else c.DIM)
    return Text(age(at, now) + ("!" if problem else ""), style=c.BAD if problem else "")


def snapshots(row: VolumeRow) -> Text:
    if row.snapshot_count is None:
        return Text("?", style=c.DIM)  # Snapshots not served: unknown, not none
    size = f" {c.size(row.snapshot_size_bytes)}" if row.snapshot_size_bytes else ""
    return Text(f"{row.snapshot_count}{size}")


def jobs(row: VolumeRow) -> Text:
    return c.plain(tuple(job.split(":", 1)[0] for job in row.recurring_jobs))


class VolumesScreen(PaneScreen):
    PANE = "volumes"
    TITLE = "Volumes"
    LAYER = "volumes"
    CSS_PATH = "volumes.tcss"
    ACTIONS = ("volume.mount", "volume.unmount", "volume.snapshot", "volume.backup", "snapshot.delete",
               "volume.restore")
    HELP = ("Longhorn volumes, worst first. i: the node it is attached to and what else it carries. "
            "BACKUP: age of the newest completed backup, ! when overdue.")
    BINDINGS = bindings("action.volume.mount", "action.volume.unmount", "action.volume.snapshot",
                        "action.volume.backup", "action.snapshot.delete", "action.volume.restore")
    COLUMNS = (
        Column("pvc", "PVC", 16, flex=True),
        Column("robustness", "HEALTH", 14, cut="end"),
        Column("state", "STATE", 9, min_screen=100),
        Column("node", "NODE", 10),
        Column("replicas", "REPL", 5, cut="never"),
        Column("size", "SIZE", 6, cut="never"),
        Column("backup", "BACKUP", 7, cut="never"),
        Column("workloads", "USED BY", 22, min_screen=120),
        Column("snapshots", "SNAPSHOTS", 11, min_screen=140),
        Column("jobs", "JOBS", 28, min_screen=160),
        Column("name", "LONGHORN VOLUME", 42, min_screen=200),
    )

    _users: VolumeUsers | None = None
    _users_from: tuple[object, object] | None = None  # the store's workloads and ReplicaSets it was made of

    def refresh_table(self, changed: set[str] | None = None) -> None:
        # who uses each volume, resolved to Deployments/StatefulSets as the cross-layer index does,
        # for the drawn rows only (not the whole index on the key that opens the pane); made again
        # when the store's workloads or ReplicaSets are new lists (it holds them: ids stay unique)
        store = self.deck.store
        inputs = (store.rows("workloads"), store.parsed("replicasets"))
        if self._users_from is None or any(a is not b for a, b in zip(inputs, self._users_from)):
            self._users, self._users_from = VolumeUsers(*inputs), inputs
        super().refresh_table(changed)

    def users(self, row: VolumeRow) -> str | None:
        resolved = sorted(self._users(row)) if self._users is not None else []
        names = tuple(u.split("/", 1)[1] for u in resolved) or row.workloads
        return c.first(names) if names else None

    def sort_key(self, row: VolumeRow) -> Any:
        return (ROBUSTNESS_RANK.get(row.robustness or "unknown", 3), row.state != "attached",
                volume_label(row))

    def cells(self, row: VolumeRow) -> tuple[Text, ...]:
        now = self.deck.clock.now()
        return (
            Text(volume_label(row), style="bold"),
            health(row),
            c.status(row.state),
            c.plain(row.node),
            replicas(row),
            c.plain(c.size(row.size_bytes)),
            last_backup(row, now),
            c.plain(self.users(row)),
            snapshots(row),
            jobs(row),
            c.plain(row.name),
        )
