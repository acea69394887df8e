"""Why a dimmed key does not apply, said when it is pressed (instead of nothing happening).

`x` on an app with no operation running says "x: no operation is running on …"; `m` on a volume in use says
who uses it; a row key on an empty table says there is no row. The reasons are the actions' own
preconditions (tui/core/actions), never a second copy of them.
"""
from __future__ import annotations

from typing import Any

from tui.core.actions import ActionError, action_for
from tui.keymap import key_label


def dimmed_key_reason(screen: Any, key: str) -> str | None:
    """The sentence for `key` on `screen` when its binding is shown dimmed; None when the key is
    not a dimmed binding of this screen (it then goes on as usual)."""
    active = _active_binding(screen, key)
    if active is None or active.enabled:
        return None
    action = active.binding.action
    if not active.binding.show and not action.startswith("run("):
        return None  # a hidden action key (help lists it) explains itself too; other hidden keys do not
    label = key_label(key)
    if action.startswith("run(") and action.endswith(")"):
        return f"{label}: {_action_reason(screen, action[4:-1].strip(chr(39) + chr(34)))}"
    if screen.cursor_row() is None:
        return f"{label}: no row selected"
    if action == "impact":
        return f"{label}: no impact view for this kind of object"
    if action == "row_logs":
        return f"{label}: no pods"
    return f"{label}: {active.binding.description.lower()} does not apply here"


def _active_binding(screen: Any, key: str) -> Any:
    """`screen.active_bindings.get(key)`, asking only the bindings of `key` whether they apply:
    every keypress comes here, and asking all of them (each action's preconditions) cost more
    than the key's own work."""
    from textual.binding import ActiveBinding

    found: ActiveBinding | None = None
    for namespace, bindings in screen._modal_binding_chain:  # noqa: SLF001 - the chain active_bindings walks
        for binding in bindings.key_to_bindings.get(key, ()):
            state = screen.app._check_action_state(binding.action, namespace)  # noqa: SLF001
            if state is False:  # not shown at all
                continue
            # the first binding of the key wins, unless a later one has priority (as active_bindings)
            if found is None or (binding.priority and not found.binding.priority):
                found = ActiveBinding(namespace, binding, bool(state), binding.tooltip)
    return found


def _action_reason(screen: Any, action_id: str) -> str:
    rows = screen.selected_rows()
    if not rows:
        return "no row selected"
    if len(rows) != 1 and action_id != "playbook":
        return "one target at a time (esc clears the marks)"
    launcher = getattr(screen.app, "actions", None)
    try:
        action = action_for(action_id, rows[0].key)
    except ActionError as exc:
        return str(exc)
    refusal = launcher.runner.refusal(action) if launcher is not None else None
    problems = [refusal] if refusal else action.preconditions(screen.app.store)
    return "; ".join(problems) if problems else "not available for this row"
