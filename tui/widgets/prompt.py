"""A one-line prompt at the bottom of the screen: the `/` filter and the `:` command line.

PromptBar is the line itself: `on_change` sees every keystroke as it is typed (live filtering); enter ends it
with the text, escape restores the initial text and ends it with None. A pane's filter shows it
in place of the pane's footer, so each keystroke redraws only the rows that it moves; the `:`
command line and the log's search show it on a PromptScreen over whatever is open.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PromptField(Input):
    """The prompt's text field. A change reaches its bar at once, in the keystroke's own turn of
    the loop: the echoed text and what the change filters paint in one frame (the Changed
    message is handled after the echo's frame is drawn: two frames a keystroke)."""

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        bar = self.parent
        if isinstance(bar, PromptBar) and bar.on_change is not None:
            bar.on_change(value)


class PromptBar(Horizontal):
    DEFAULT_CSS = """
    PromptBar { dock: bottom; height: 1; width: 100%; background: $panel; }
    PromptBar Label { width: auto; padding: 0 0 0 1; text-style: bold; }
    PromptBar Input, PromptBar Input:focus {
        border: none; height: 1; padding: 0; width: 1fr; background: $panel;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False, id="prompt.cancel")]

    def __init__(self, prefix: str, initial: str = "", on_change: Callable[[str], None] | None = None,
                 placeholder: str = "", on_done: Callable[[str | None], None] | None = None) -> None:
        super().__init__()
        self.prefix = prefix
        self.initial = initial
        self.on_change = on_change
        self.on_done = on_done
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield Label(self.prefix)
        # no blink: a blinking cursor is a redraw twice a second over SSH
        field = PromptField(self.initial, placeholder=self.placeholder, id="prompt")
        field.cursor_blink = False
        yield field

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()  # the field told on_change already

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.on_done is not None:
            self.on_done(event.value)

    def action_cancel(self) -> None:
        if self.on_change is not None:
            self.on_change(self.initial)
        if self.on_done is not None:
            self.on_done(None)


class PromptScreen(ModalScreen[str | None]):
    """The prompt over whatever screen is open, dismissed with its text (None: escape)."""

    DEFAULT_CSS = "PromptScreen { align: left bottom; background: transparent; }"

    def __init__(self, prefix: str, initial: str = "", on_change: Callable[[str], None] | None = None,
                 placeholder: str = "") -> None:
        super().__init__()
        self.bar = PromptBar(prefix, initial, on_change, placeholder, on_done=self._done)

    def _done(self, value: str | None) -> None:
        self.dismiss(value)

    def compose(self) -> ComposeResult:
        yield self.bar
