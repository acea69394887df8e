"""Workloads pane: Deployments and StatefulSets with their rollout state (restart/undo live here)."""
from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.core.rows import WorkloadRow
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.resource_table import Column

from .pane import PaneScreen

SHORT_KIND = {"Deployment": "deploy", "StatefulSet": "sts"}


def rollout_rank(row: WorkloadRow) -> int:
    rollout = row.rollout or ""
    if rollout.startswith("failed"):
        return 0
    if rollout.startswith("progressing"):
        return 1
    if (row.ready or 0) < (row.replicas or 0):
        return 2
    return 3


class WorkloadsScreen(PaneScreen):
    PANE = "workloads"
    TITLE = "Workloads"
    LAYER = "workloads"
    CSS_PATH = "workloads.tcss"
    ACTIONS = ("workload.restart", "workload.undo")
    HELP = ("Deployments and StatefulSets: ready pods, rollout progress, owning Argo CD app. "
            "i: where its pods run, its volumes, the routes that lead to it.")
    BINDINGS = bindings("action.workload.restart", "action.workload.undo", "rows.logs")
    COLUMNS = (
        Column("name", "WORKLOAD", 22),
        Column("kind", "KIND", 6),
        Column("ready", "READY", 5),
        Column("rollout", "ROLLOUT", 20, flex=True, cut="wrap"),  # prose: wrapped, never cut mid-word
        Column("app", "APP", 9),
        Column("updated", "UP-TO-DATE", 10, min_screen=100),
        Column("image", "IMAGE", 24, min_screen=120),
    )

    def sort_key(self, row: WorkloadRow) -> Any:
        return (rollout_rank(row), row.namespace or "", row.name)

    def cells(self, row: WorkloadRow) -> tuple[Text, ...]:
        return (
            Text(f"{row.namespace}/{row.name}", style="bold"),
            c.plain(SHORT_KIND.get(row.kind, row.kind)),
            c.ratio(row.ready, row.replicas),
            c.status(row.rollout),
            c.plain(row.owner_app.rsplit("/", 1)[-1] if row.owner_app else None),
            c.plain(row.updated),
            c.plain(c.first(tuple(i.rsplit("/", 1)[-1] for i in row.images))),  # registry in detail
        )
