"""Confirm an action: its preview (what will happen, exact requests, what it reaches), its
options (toggles, choices, text), and for destructive plans the target's name typed in.

Changing an option re-plans (the preview always shows what `enter` will do). Dismisses with
a ConfirmResult, or None when cancelled.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from tui.core.actions import ActionError, Choice, Option, Plan, Toggle
from tui.core.actions import Text as TextOption
from tui.core.findings import Finding, Severity
from tui.core.literal import visible
from tui.widgets import cells as c

DANGER_STYLE = {"safe": "green", "disruptive": "yellow", "destructive": "bold red"}


@dataclass(frozen=True)
class ConfirmResult:
    plan: Plan
    typed: str = ""
    alternative: tuple[str, str] | None = None  # (action id, target key) chosen instead


RISK_STYLE = {Severity.PROBLEM: "bold red", Severity.WARNING: "red", Severity.INFO: ""}


def preview_text(plan: Plan, problem: str | None = None) -> Text:
    """The plan as the dialog shows it (also what a snapshot checks)."""
    out = Text()
    out.append(plan.danger.upper(), style=DANGER_STYLE.get(plan.danger, ""))
    out.append(f"  {plan.title}\n", style="bold")
    for line in plan.lines:
        out.append(line + "\n")
    for line in plan.diff:
        out.append(visible(line, one_line=True) + "\n", style=c.diff_line_style(line))
    for warning in plan.warnings:
        out.append("! " + warning + "\n", style="bold yellow")
    if plan.affected:
        out.append("Affects:\n", style="bold")
        for item in plan.affected:
            if isinstance(item, Finding):  # what is at risk: coloured by the severity core gave it
                out.append(f"  ! {item.text}\n", style=RISK_STYLE[item.severity])
            else:
                out.append(f"  {item}\n")
    for req in plan.requests:
        if "method" in req:
            out.append("Request: ", style="bold")
            out.append(f"{req['method']} {req.get('path', '')}\n", style="dim")
            if req.get("body") is not None:
                out.append(json.dumps(req["body"], sort_keys=True, default=str)[:600] + "\n", style="dim")
    if problem:
        out.append("Cannot plan: " + problem + "\n", style="bold red")
    return out


class MarkedCheckbox(Checkbox):
    """A checkbox whose state is a character, `[x]` or `[ ]`: Textual's `▐X▌` differs only in
    colour, unreadable on 16 colours and with NO_COLOR."""

    @property
    def _button(self) -> Content:
        return Content("[x]" if self.value else "[ ]")


class ConfirmScreen(ModalScreen[ConfirmResult | None]):
    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        Binding("ctrl+y", "confirm", "Confirm", id="confirm.ok", priority=True),
    ]

    def __init__(self, plan: Plan, options: tuple[Option, ...] = (), choices: Mapping[str, Any] | None = None,
                 replan: Callable[[dict[str, Any]], Plan] | None = None, refusal: str | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.options = options
        self.choices: dict[str, Any] = dict(choices or {})
        self._replan = replan
        self.problem: str | None = None
        self.refusal = refusal  # the runner would refuse it (read-only, busy): shown, confirm disabled

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box") as box:
            box.border_title = "Confirm"
            with VerticalScroll(id="confirm-preview"):
                yield Static(preview_text(self.plan), id="confirm-text")
            for opt in self.options:
                if isinstance(opt, Toggle):
                    yield self._widget(opt)
                    continue
                with Horizontal(classes="confirm-option"):
                    yield Label(opt.label + ":", classes="confirm-label")  # never runs into the value
                    yield self._widget(opt)
            with Horizontal(id="confirm-typed-row"):
                yield Static(id="confirm-typed-help")
                yield Input(placeholder="name", id="confirm-typed", compact=True)
            with Horizontal(id="confirm-buttons"):
                alternative = self.plan.data.get("alternative")
                if alternative:
                    yield Button(f"{alternative[0]} {alternative[1]} instead", id="confirm-alternative",
                                 compact=True)
                yield Button("Confirm ^y", id="confirm-ok", variant="primary", compact=True)
                yield Button("Cancel esc", id="confirm-cancel", compact=True)

    def _widget(self, opt: Option) -> Any:
        value = self.choices.get(opt.id)
        ident = f"opt-{opt.id}"
        if isinstance(opt, Toggle):
            return MarkedCheckbox(opt.label, bool(value if value is not None else opt.default), id=ident, compact=True)
        if isinstance(opt, Choice):
            items = [(o or "(none)", o) for o in opt.options]
            initial = str(value) if value is not None and str(value) in opt.options else opt.initial
            return Select(items, value=initial if initial is not None else Select.NULL, allow_blank=False, id=ident,
                          compact=True)
        assert isinstance(opt, TextOption)
        return Input(str(value if value is not None else opt.default), id=ident, compact=True)

    def on_mount(self) -> None:
        self._show_plan()
        focus = self.query_one("#confirm-typed", Input) if self.plan.confirm_name else self.query_one("#confirm-ok")
        focus.focus()

    def _show_plan(self) -> None:
        text = preview_text(self.plan, self.problem)
        if self.refusal:
            text.append("Refused: " + self.refusal + "\n", style="bold red")
        self.query_one("#confirm-text", Static).update(text)
        need = self.plan.confirm_name
        why = "Destructive" if self.plan.danger == "destructive" else "Production context"
        self.query_one("#confirm-typed-row").display = bool(need)
        self.query_one("#confirm-typed-help", Static).update(
            Text(f"{why}: type {need!r} to confirm:", style="bold red") if need else "")
        self._update_ok()

    def _update_ok(self) -> None:
        need = self.plan.confirm_name
        typed = self.query_one("#confirm-typed", Input).value.strip()
        ok = not self.problem and not self.refusal and (not need or typed == need)
        self.query_one("#confirm-ok", Button).disabled = not ok

    # -- options re-plan --------------------------------------------------------------------
    @on(Checkbox.Changed)
    def _checkbox(self, event: Checkbox.Changed) -> None:
        self._option_changed(event.checkbox.id, event.value)

    @on(Select.Changed)
    def _select(self, event: Select.Changed) -> None:
        self._option_changed(event.select.id, event.value)

    @on(Input.Changed)
    def _input(self, event: Input.Changed) -> None:
        if event.input.id == "confirm-typed":
            self._update_ok()
        else:
            self._option_changed(event.input.id, event.value)

    @on(Input.Submitted, "#confirm-typed")
    def _typed_submit(self) -> None:
        self.action_confirm()

    def _option_changed(self, ident: str | None, value: Any) -> None:
        if not ident or not ident.startswith("opt-") or value is Select.BLANK:
            return
        key = ident[4:]
        if self.choices.get(key) == value:
            return
        self.choices[key] = value
        if self._replan is not None:
            self.query_one("#confirm-ok", Button).disabled = True
            self._do_replan(dict(self.choices))

    @work(thread=True, exclusive=True, group="confirm-replan", exit_on_error=False)
    def _do_replan(self, choices: dict[str, Any]) -> None:
        assert self._replan is not None
        try:
            plan, problem = self._replan(choices), None
        except ActionError as exc:
            plan, problem = self.plan, str(exc)
        self.app.call_from_thread(self._replanned, plan, problem)

    def _replanned(self, plan: Plan, problem: str | None) -> None:
        self.plan, self.problem = plan, problem
        self._show_plan()

    # -- buttons ----------------------------------------------------------------------------
    @on(Button.Pressed, "#confirm-ok")
    def action_confirm(self) -> None:
        if self.query_one("#confirm-ok", Button).disabled:
            return
        self.dismiss(ConfirmResult(self.plan, self.query_one("#confirm-typed", Input).value.strip()))

    @on(Button.Pressed, "#confirm-alternative")
    def _alternative(self) -> None:
        self.dismiss(ConfirmResult(self.plan, "", tuple(self.plan.data["alternative"])))

    @on(Button.Pressed, "#confirm-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
