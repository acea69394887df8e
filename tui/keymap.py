"""Every key binding clusterdeck defines, by id, in one table.

Screens build their BINDINGS from here (`bindings("pane.filter", ...)`), the help screen and the
config check read it, and `Config.keymap` ({id: "keys"}) remaps any of them through
`App.set_keymap`. Keys are from the set every terminal sends over SSH: no alt-combos.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType

from tui.core.layers import TAB_PANES


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
    *(KeyDef(p.binding_id, p.digit, f"app.pane('{p.id}')", p.title, show=False) for p in TAB_PANES),
    KeyDef("app.help", "question_mark", "app.help", "Help"),
    KeyDef("app.command", "colon", "app.command_line", "Command"),
    KeyDef("app.runs", "H", "app.runs", "Runs", show=False),
    KeyDef("app.quit", "q", "app.quit", "Quit"),
    KeyDef("app.retry", "r,ctrl+r", "app.retry_sources", "Retry now", show=False),  # the banner says it
    # Every table pane
    KeyDef("pane.filter", "slash", "filter", "Filter"),
    KeyDef("pane.detail", "enter", "detail", "Detail"),
    KeyDef("pane.impact", "i", "impact", "Impact"),
    KeyDef("pane.mark", "space", "mark", "Mark", show=False),
    KeyDef("pane.clear", "escape", "clear", "Clear", show=False),
    KeyDef("pane.next_table", "tab", "next_table", "Next table", show=False),
    KeyDef("rows.events", "e", "row_events", "Events", show=False),  # every pane: footer room is scarce
    KeyDef("overview.full_text", "w", "full_text", "Why (full text)"),
    # Actions (engineer G's launcher decides availability)
    KeyDef("action.playbook", "b", "run('playbook')", "Playbook"),
    KeyDef("action.volume.mount", "m", "run('volume.mount')", "Mount"),
    KeyDef("action.volume.unmount", "u", "run('volume.unmount')", "Unmount"),
    # footer room at 80 columns is taken: these show in help (?)
    KeyDef("action.volume.snapshot", "S", "run('volume.snapshot')", "Snapshot now", show=False),
    KeyDef("action.volume.backup", "B", "run('volume.backup')", "Back up now", show=False),
    KeyDef("action.snapshot.delete", "ctrl+d", "run('snapshot.delete')", "Delete snapshot", show=False),
    KeyDef("action.volume.restore", "R", "run('volume.restore')", "Restore", show=False),
    KeyDef("action.app.sync", "s", "run('app.sync')", "Sync"),
    KeyDef("action.app.refresh", "r", "run('app.refresh')", "Refresh"),
    KeyDef("action.app.rollback", "R", "run('app.rollback')", "Rollback"),
    KeyDef("action.app.terminate", "x", "run('app.terminate')", "Terminate op"),
    KeyDef("apps.diff", "d", "diff", "Diff"),
    KeyDef("apps.resources", "enter", "detail", "Resources"),
    KeyDef("action.workload.restart", "t", "run('workload.restart')", "Restart"),
    KeyDef("action.workload.undo", "U", "run('workload.undo')", "Undo rollout"),
    KeyDef("action.node.cordon", "c", "run('node.cordon')", "Cordon/uncordon"),
    KeyDef("action.node.drain", "D", "run('node.drain')", "Drain"),
    KeyDef("node.shell", "s", "shell", "Shell (ssh)"),
    KeyDef("action.longhorn.node", "L", "run('longhorn.node')", "Longhorn maint."),
    KeyDef("action.pod.delete", "ctrl+d", "run('pod.delete')", "Delete pod"),
    # Logs: `l` on a pod, a workload or an app; the rest inside the log screen
    KeyDef("rows.logs", "l", "row_logs", "Logs"),
    KeyDef("logs.since_1m", "1", "since(60)", "1m", show=False),
    KeyDef("logs.since_5m", "2", "since(300)", "5m", show=False),
    KeyDef("logs.since_15m", "3", "since(900)", "15m", show=False),
    KeyDef("logs.since_1h", "4", "since(3600)", "1h", show=False),
    KeyDef("logs.since_all", "0", "since(0)", "Tail", show=False),
    KeyDef("logs.command", "colon", "log_command", "Command", show=False),
    KeyDef("logs.previous", "p", "previous", "Previous"),
    KeyDef("logs.container", "c", "pick_container", "Container"),
    KeyDef("logs.search", "slash", "search", "Search"),
    KeyDef("logs.next", "n", "next_match(1)", "Next", show=False),
    KeyDef("logs.prev", "N", "next_match(-1)", "Prev", show=False),
    KeyDef("logs.wrap", "w", "wrap", "Wrap"),
    KeyDef("logs.timestamps", "t", "timestamps", "Times", show=False),
    KeyDef("logs.pause", "space", "pause", "Pause"),
    KeyDef("logs.save", "ctrl+s", "save", "Save"),
    KeyDef("logs.down", "j", "scroll_lines(1)", "Down", show=False),
    KeyDef("logs.up", "k", "scroll_lines(-1)", "Up", show=False),
    KeyDef("logs.top", "g", "scroll_edge(0)", "Top", show=False),
    KeyDef("logs.bottom", "G", "scroll_edge(1)", "Bottom", show=False),
    # Detail / impact / help screens
    KeyDef("screen.back", "escape", "back", "Back"),
    KeyDef("detail.yaml", "y", "yaml", "YAML"),
    KeyDef("detail.events", "e", "events", "Events"),
    KeyDef("detail.down", "j", "scroll('down')", "Scroll down", show=False),
    KeyDef("detail.up", "k", "scroll('up')", "Scroll up", show=False),
    KeyDef("screen.impact", "i", "impact", "Impact"),
    KeyDef("screen.detail", "d", "detail", "Detail"),
    KeyDef("impact.findings", "f", "findings", "All findings"),
    KeyDef("routes.diagnose", "d", "diagnose", "Diagnose"),  # Routes pane only
)
KEYS: dict[str, KeyDef] = {d.id: d for d in _DEFS}


def bindings(*ids: str) -> list[BindingType]:
    out: list[BindingType] = []
    for binding_id in ids:
        d = KEYS[binding_id]
        out.append(Binding(d.key, d.action, d.description, show=d.show, priority=d.priority,
                           id=d.id))
    return out


def check_keymap(keymap: Mapping[str, str]) -> list[str]:
    """Problems with a user keymap: unknown ids (a typo would otherwise silently do nothing)."""
    return [f"keymap: unknown binding id {binding_id!r}" for binding_id in keymap
            if binding_id not in KEYS]


def shown_key(binding_id: str, keymap: Mapping[str, str]) -> str:
    """The first key that runs a binding, as the header and help write it: the user's keymap
    when it remaps the binding, else the default."""
    keys = keymap.get(binding_id) or KEYS[binding_id].key
    return key_label(keys.split(",")[0])


def key_label(key: str) -> str:
    """How the help screen writes a key."""
    names = {"question_mark": "?", "colon": ":", "slash": "/", "space": "space",
             "escape": "esc", "enter": "enter"}
    return ",".join(names.get(k.strip(), k.strip()) for k in key.split(","))
