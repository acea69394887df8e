"""A one-line prompt at the bottom of the screen: the `/` filter and the `:` command line.

`on_change` sees every keystroke (live filtering); enter dismisses with the text, escape
restores the initial text and dismisses with None.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PromptScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    PromptScreen { align: left bottom; background: transparent; }
    PromptScreen > Horizontal { height: 1; width: 100%; background: $panel; }
    PromptScreen Label { width: auto; padding: 0 0 0 1; text-style: bold; }
    PromptScreen Input, PromptScreen Input:focus {
        border: none; height: 1; padding: 0; width: 1fr; background: $panel;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False, id="prompt.cancel")]

    def __init__(self, prefix: str, initial: str = "", on_change: Callable[[str], None] | None = None,
                 placeholder: str = "") -> None:
        super().__init__()
        self.prefix = prefix
        self.initial = initial
        self.on_change = on_change
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.prefix)
            # no blink: a blinking cursor is a redraw twice a second over SSH
            field = Input(self.initial, placeholder=self.placeholder, id="prompt")
            field.cursor_blink = False
            yield field

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.on_change is not None:
            self.on_change(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        if self.on_change is not None:
            self.on_change(self.initial)
        self.dismiss(None)
