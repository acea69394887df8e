"""Nodes pane: readiness, roles, cordon, pressure, and the Longhorn storage each node holds.

Maintenance from here: `c` cordon/uncordon, `D` drain (its plan first), `b` a playbook, `s` a
shell on the node (the app suspends while ssh runs).
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from rich.text import Text

from tui.core.node_shell import NoShell, SshTarget, resolve_shell
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
    ACTIONS = ("playbook", "node.cordon", "node.drain", "longhorn.node")
    HELP = ("Every node: Ready, roles, cordon, pressure; storage bar from Longhorn's node view. "
            "c cordons or uncordons, D drains (plan first), s opens ssh from the inventory, "
            "L takes the node out of Longhorn (replicas rebuilt elsewhere) or back.")
    BINDINGS = bindings("action.playbook", "action.node.cordon", "action.node.drain", "node.shell",
                        "action.longhorn.node")
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

    def refresh_table(self, changed: set[str] | None = None) -> None:
        self._lh = {r.name: r for r in self.deck.store.rows("lh_nodes")}
        super().refresh_table(changed)

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

    # --- shell ------------------------------------------------------------------------------
    def action_shell(self) -> None:
        row = self.cursor_row()
        if row is None:
            self.notify("s: no node selected", severity="warning")
            return
        inventory: Path | None = getattr(getattr(self.app, "actions", None), "inventory", None)
        self.notify(f"looking up {row.name} in the inventory…", timeout=3)
        self.run_worker(lambda: self._resolve_shell(row, inventory), thread=True, group="node-shell",
                        exit_on_error=False)

    def _resolve_shell(self, row: NodeRow, inventory: Path | None) -> None:
        # ansible-inventory and the TCP check take seconds: never on the UI thread
        try:
            target = resolve_shell(row.name, row.internal_ip, inventory)
        except NoShell as why:
            self.app.call_from_thread(self.notify, str(why), title=f"shell on {row.name}", severity="warning",
                                      timeout=10)
            return
        self.app.call_from_thread(self._open_shell, row.name, target)

    def _open_shell(self, node: str, target: SshTarget) -> None:
        argv = target.argv()
        try:
            with self.app.suspend():
                print(f"clusterdeck: {' '.join(argv)}   (exit the shell to return)", flush=True)
                code = subprocess.run(argv, check=False).returncode
        except Exception as exc:  # noqa: BLE001 - headless, or no tty: say what to run instead
            self.notify(f"cannot hand the terminal to ssh here ({type(exc).__name__}); run: {' '.join(argv)}",
                        title=f"shell on {node}", severity="warning", timeout=15)
            return
        if code == 255:
            self.notify(f"ssh to {target.describe()} failed (exit 255)", title=f"shell on {node}",
                        severity="warning", timeout=10)
