"""Pick a playbook from playbooks/catalog.yaml for the selected node(s). Dismisses with its id."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core.actions import Catalog

DANGER_STYLE = {"safe": "green", "disruptive": "yellow", "destructive": "bold red"}


class CatalogScreen(ModalScreen[str | None]):
    CSS_PATH = "catalog.tcss"
    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="catalog.cancel")]

    def __init__(self, catalog: Catalog, hosts: list[str]) -> None:
        super().__init__()
        self.catalog = catalog
        self.hosts = hosts

    def compose(self) -> ComposeResult:
        with Vertical(id="catalog-box") as box:
            box.border_title = f"Playbook for {', '.join(self.hosts)}"
            box.border_subtitle = "enter: check run (preview)  esc: cancel"
            options = []
            for entry in self.catalog.pickable():
                label = Text()
                label.append(f"{entry.danger:<12}", style=DANGER_STYLE.get(entry.danger, ""))
                label.append(entry.title, style="bold")
                options.append(Option(label, id=entry.id))
            yield OptionList(*options, id="catalog-list")
            yield Static(id="catalog-description")
            if self.catalog.problems:
                yield Static(Text("Catalog problems: " + "; ".join(self.catalog.problems), style="red"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._describe(0)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._describe(event.option_index)

    def _describe(self, index: int | None) -> None:
        entries = self.catalog.pickable()
        if index is None or not 0 <= index < len(entries):
            return
        entry = entries[index]
        text = Text(entry.description or "")
        text.append(f"\n{entry.playbook.name}; limits: {', '.join(entry.limits)}", style="dim")
        self.query_one("#catalog-description", Static).update(text)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
