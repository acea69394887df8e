"""Pods pane: every pod as `kubectl get pods -A` shows it, broken ones first (ctrl+d deletes one)."""
from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.core.rows import PodRow
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.resource_table import Column

from .pane import PaneScreen

# statuses of a pod on its way (not broken, not done): yellow rather than red
_TRANSIENT = ("Pending", "ContainerCreating", "PodInitializing", "Terminating", "Init:")
_FINE = ("Running", "Completed", "Succeeded")
SHORT_OWNER_KIND = {"Deployment": "deploy", "StatefulSet": "sts", "DaemonSet": "ds", "ReplicaSet": "rs",
                    "Job": "job", "Node": "node"}


def pod_status(row: PodRow) -> Text:
    """STATUS coloured by what it means: red when broken, yellow while on its way, green when fine."""
    status = row.status or "?"
    if row.broken:
        style = c.BAD
    elif status.startswith(_TRANSIENT) or row.deleting:
        style = c.WARN
    elif status in _FINE:
        style = c.OK
    else:
        style = ""
    return Text(status, style=style)


def pod_ready(row: PodRow) -> Text:
    have, _, want = (row.ready or "").partition("/")
    try:
        return c.ratio(int(have), int(want)) if row.status != "Completed" else Text(row.ready, style=c.DIM)
    except ValueError:
        return c.plain(row.ready)


def restarts(row: PodRow, now: Any) -> Text:
    """`14 (2m)`: the count, and how long since the last restart (kubectl adds " ago")."""
    text = Text(str(row.restarts), style=c.WARN if row.restarts else "")
    if row.restarts and row.last_restart_at:
        text.append(f" ({c.age_of(row.last_restart_at, now).plain})", style=c.DIM)
    return text


def owner_label(row: PodRow) -> Text:
    """deploy/wiki-web, sts/wiki-db: the workload the pod belongs to (a bare pod has none)."""
    if not row.owner:
        return Text("none", style=c.WARN) if not row.controlled else c.plain(None)
    kind, _, rest = row.owner.partition("/")
    name = rest.rsplit("/", 1)[-1] if rest else kind
    return Text(f"{SHORT_OWNER_KIND.get(kind, kind.lower())}/{name}")


def broken_rank(row: PodRow) -> int:
    """Failing containers first (the pod's own problem), then pods lost with their node (the Nodes
    pane tells that story), then pods on their way, then the fine ones."""
    if row.broken:
        return 1 if row.status in ("Unknown", "Terminating") else 0
    if row.deleting or (row.status or "").startswith(_TRANSIENT):
        return 2
    return 3


class PodsScreen(PaneScreen):
    PANE = "pods"
    TITLE = "Pods"
    LAYER = "pods"
    CSS_PATH = "pods.tcss"
    ACTIONS = ("pod.delete",)
    IMPACT = False  # a pod's links are its node, workload and volumes: all in its detail
    HELP = ("Every pod, broken ones first: READY, STATUS as kubectl computes it, restarts with the "
            "age of the last one. enter: detail with live events; e: its events; ctrl+d: delete it "
            "(its controller makes a new one).")
    BINDINGS = bindings("action.pod.delete", "rows.logs")
    COLUMNS = (
        Column("name", "NAMESPACE/NAME", 24, flex=True),
        Column("ready", "READY", 5, cut="never"),
        Column("status", "STATUS", 16, cut="end"),
        Column("restarts", "RESTARTS", 8, cut="end"),
        Column("node", "NODE", 9),
        Column("age", "AGE", 4, cut="never"),
        Column("ip", "IP", 11, min_screen=110, cut="never"),
        Column("owner", "OWNER", 16, min_screen=120),
        Column("app", "APP", 10, min_screen=140),
    )

    def sort_key(self, row: PodRow) -> Any:
        return (broken_rank(row), row.namespace or "", row.name)

    def cells(self, row: PodRow) -> tuple[Text, ...]:
        now = self.deck.clock.now()
        return (
            Text(f"{row.namespace}/{row.name}" if row.namespace else row.name, style="bold"),
            pod_ready(row),
            pod_status(row),
            restarts(row, now),
            c.plain(row.node, "<none>"),
            c.age_of(row.created, now),
            c.plain(row.ip),
            owner_label(row),
            c.plain(row.app.rsplit("/", 1)[-1] if row.app else None),
        )

    def search_text(self, row: PodRow, cells: tuple[Text, ...]) -> str:
        # the reason behind a status (Unschedulable, the scheduler's message) is searchable too
        return " ".join([super().search_text(row, cells), row.reason or "", row.owner or ""])
