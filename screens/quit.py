"""Quit while an action runs: ask, instead of a screen that goes blank until the run ends.

c cancels the run(s) and quits as soon as they have stopped (at most a couple of seconds);
k keeps the run going and quits when it ends, saying so; esc goes back.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

QUIT_CHOICES = ("cancel", "keep", None)  # what the dialog dismisses with (None: back)


class QuitScreen(ModalScreen[str | None]):
    BINDINGS = [
        Binding("c", "choose('cancel')", "Cancel run + quit", id="quit.cancel"),
        Binding("k", "choose('keep')", "Quit when it ends", id="quit.keep"),
        Binding("escape,b", "choose(None)", "Back", id="quit.back"),
    ]
    DEFAULT_CSS = """
    QuitScreen { align: center middle; }
    QuitScreen > Vertical { width: 64; max-width: 96%; height: auto; border: round $warning;
                            background: $surface; padding: 0 1; }
    """

    def __init__(self, running: list[str]) -> None:
        super().__init__()
        self.running = running

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Quit"
            text = Text("Still running:\n", style="bold")
            for title in self.running:
                text.append(f"  {title}\n")
            text.append("\n")
            text.append("c", style="bold")
            text.append("  cancel the run and quit\n")
            text.append("k", style="bold")
            text.append("  keep it running, quit when it ends\n")
            text.append("esc", style="bold")
            text.append(" back")
            yield Static(text, id="quit-text")

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
