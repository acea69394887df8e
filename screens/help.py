"""Help (`?`): the keys of the screen it was opened from, read from the live bindings (so a
remapped key shows as remapped, and a key that does not apply right now shows dimmed)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.keymap import key_label


@dataclass(frozen=True)
class HelpLine:
    group: str  # "This screen" / "Table" / "Everywhere"
    keys: str
    description: str
    binding_id: str
    enabled: bool


def help_lines(screen: Screen[object]) -> list[HelpLine]:
    """One line per binding reachable on `screen`, hidden (vim) keys included."""
    lines: dict[tuple[str, str], HelpLine] = {}
    for key, active in screen.active_bindings.items():
        binding: Binding = active.binding
        if not binding.id or binding.id.startswith("help."):
            continue  # Textual's own scrolling/focus keys: standard, not ours to document
        group = "Everywhere" if isinstance(active.node, App) else \
            "This screen" if active.node is screen else "Table"
        ident = (group, binding.action)
        previous = lines.get(ident)
        keys = key_label(key) if previous is None else f"{previous.keys},{key_label(key)}"
        lines[ident] = HelpLine(group, keys, binding.description or binding.action,
                                binding.id or "", active.enabled)
    # a screen key shadowed by the focused table's own (enter: the table's select -> our detail)
    listed = {line.binding_id for line in lines.values()}
    for key, chain in screen._bindings.key_to_bindings.items():
        for binding in chain:
            if binding.id and binding.id not in listed and binding.show is not None:
                state = screen.check_action(binding.action.split("(")[0], ())
                if state is False:
                    continue
                lines[("This screen", binding.action)] = HelpLine(
                    "This screen", key_label(key), binding.description, binding.id, bool(state))
    order = {"This screen": 0, "Table": 1, "Everywhere": 2}
    return sorted(lines.values(), key=lambda h: (order[h.group], h.description if order[h.group] < 2
                                                 else h.keys))


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, title: str, about: str, lines: list[HelpLine]) -> None:
        super().__init__()
        self.title_text = title
        self.about = about
        self.lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            if self.about:
                yield Static(Text(self.about, style="italic"), id="help-about")
            yield Static(self.render_help())

    def on_mount(self) -> None:
        body = self.query_one("#help-body")
        body.border_title = f"Keys: {self.title_text}"
        body.border_subtitle = "esc to close; remap in config.yaml keymap: {id: key}"

    def render_help(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        table.add_column(style="dim", no_wrap=True)
        group = None
        for line in self.lines:
            if line.group != group:
                group = line.group
                table.add_row(Text(group, style="bold underline"), "", "")
            style = "" if line.enabled else "dim"
            table.add_row(Text(line.keys, style=style or "bold"),
                          Text(line.description + ("" if line.enabled else " (n/a here)"), style=style),
                          line.binding_id)
        return table
