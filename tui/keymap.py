"""Every key binding clusterdeck defines, by id, in one table.

Screens build their BINDINGS from here (`bindings("pane.filter", ...)`), the help screen and the
config check read it, and `Config.keymap` ({id: "keys"}) remaps any of them through
`App.set_keymap`. Keys are from the set every terminal sends over SSH: no alt-combos.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class KeyDef:
    id: str
    key: str
    action: str
    description: str
    show: bool = True
    priority: bool = False


_DEFS = (
    # App-wide
    KeyDef("pane.overview", "1", "app.pane('overview')", "Overview", show=False),
    KeyDef("pane.nodes", "2", "app.pane('nodes')", "Nodes", show=False),
    KeyDef("pane.volumes", "3", "app.pane('volumes')", "Volumes", show=False),
    KeyDef("pane.network", "4", "app.pane('network')", "Network", show=False),
    KeyDef("pane.routes", "5", "app.pane('routes')", "Routes", show=False),
    KeyDef("pane.apps", "6", "app.pane('apps')", "Apps", show=False),
    KeyDef("pane.workloads", "7", "app.pane('workloads')", "Workloads", show=False),
    KeyDef("app.help", "question_mark", "app.help", "Help"),
    KeyDef("app.command", "colon", "app.command_line", "Command"),
    KeyDef("app.runs", "H", "app.runs", "Runs", show=False),
    KeyDef("app.quit", "q", "app.quit", "Quit"),
    # Every table pane
    KeyDef("pane.filter", "slash", "filter", "Filter"),
    KeyDef("pane.detail", "enter", "detail", "Detail"),
    KeyDef("pane.impact", "i", "impact", "Impact"),
    KeyDef("pane.mark", "space", "mark", "Mark", show=False),
    KeyDef("pane.clear", "escape", "clear", "Clear", show=False),
    KeyDef("pane.next_table", "tab", "next_table", "Next table", show=False),
    # Actions (engineer G's launcher decides availability)
    KeyDef("action.playbook", "b", "run('playbook')", "Playbook"),
    KeyDef("action.volume.mount", "m", "run('volume.mount')", "Mount"),
    KeyDef("action.volume.unmount", "u", "run('volume.unmount')", "Unmount"),
    KeyDef("action.app.sync", "s", "run('app.sync')", "Sync"),
    KeyDef("action.app.refresh", "r", "run('app.refresh')", "Refresh"),
    KeyDef("action.app.rollback", "R", "run('app.rollback')", "Rollback"),
    KeyDef("action.app.terminate", "x", "run('app.terminate')", "Terminate op"),
    KeyDef("action.workload.restart", "t", "run('workload.restart')", "Restart"),
    KeyDef("action.workload.undo", "U", "run('workload.undo')", "Undo rollout"),
    # Detail / impact / help screens
    KeyDef("screen.back", "escape", "back", "Back"),
    KeyDef("detail.yaml", "y", "yaml", "YAML"),
    KeyDef("detail.events", "e", "events", "Events"),
    KeyDef("detail.down", "j", "scroll('down')", "Scroll down", show=False),
    KeyDef("detail.up", "k", "scroll('up')", "Scroll up", show=False),
    KeyDef("screen.impact", "i", "impact", "Impact"),
    KeyDef("screen.detail", "d", "detail", "Detail"),
    KeyDef("impact.findings", "f", "findings", "All findings"),
)
KEYS: dict[str, KeyDef] = {d.id: d for d in _DEFS}


def bindings(*ids: str) -> list[Binding]:
    out = []
    for binding_id in ids:
        d = KEYS[binding_id]
        out.append(Binding(d.key, d.action, d.description, show=d.show, priority=d.priority,
                           id=d.id))
    return out


def check_keymap(keymap: Mapping[str, str]) -> list[str]:
    """Problems with a user keymap: unknown ids (a typo would otherwise silently do nothing)."""
    return [f"keymap: unknown binding id {binding_id!r}" for binding_id in keymap
            if binding_id not in KEYS]


def key_label(key: str) -> str:
    """How the help screen writes a key."""
    names = {"question_mark": "?", "colon": ":", "slash": "/", "space": "space",
             "escape": "esc", "enter": "enter"}
    return ",".join(names.get(k.strip(), k.strip()) for k in key.split(","))
