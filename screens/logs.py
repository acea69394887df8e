"""Log screen: `l` on a pod shows its logs; on a workload or an app, all its pods merged with
a short per-pod prefix (as stern does), new pods joining as they appear.

The streams (tui/core/logs.py) run in threads into a ring buffer; this screen drains it on a
timer (at most refresh_hz a second, so 2,000 lines/s cost four appends) and renders only the
visible rows (screens/log_view.py). Keys: 1-4 since 1m/5m/15m/1h (0: back to the tail),
`:since 10m`, p previous run, c container, / search with n/N, w wrap, t timestamps,
space pause (new lines counted), ctrl+s save under the state dir.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.logs import (
    LOG_LINES_MAX,
    LogLine,
    LogOptions,
    LogSession,
    LogTarget,
    parse_since,
    stamp_key,
)
from tui.core.ports import Deck
from tui.core.rows import PodRow
from tui.keymap import bindings

from .log_view import LogView

_STATE_WORDS = {"following": "following", "reading": "reading", "connecting": "connecting",
                "reconnecting": "reconnecting", "ended": "ended", "deleted": "pod deleted", "error": "error"}


def _since_label(seconds: int | None) -> str:
    if not seconds:
        return ""
    if seconds % 3600 == 0:
        return f"since {seconds // 3600}h"
    if seconds % 60 == 0:
        return f"since {seconds // 60}m"
    return f"since {seconds}s"


def _time_order(line: LogLine) -> tuple[str, int]:
    return stamp_key(line.stamp) or ("", 0)


def targets_of(pods: list[PodRow]) -> list[LogTarget]:
    """The frozen view the streams get: names and containers, taken on the loop."""
    return [LogTarget(p.namespace or "", p.name, tuple(p.containers) or ("",)) for p in pods if p.name]


class ContainerPicker(ModalScreen[str | None]):
    """Which container of a multi-container pod: one, or all of them with a prefix each."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("screen.back")

    def __init__(self, containers: list[str], current: str | None) -> None:
        super().__init__()
        self.containers, self.current = containers, current

    def compose(self) -> ComposeResult:
        options = [Option(Text("all containers"), id="*")]
        options += [Option(Text(c), id=c) for c in self.containers]
        picker = OptionList(*options, id="containers")
        picker.border_title = "Container"
        yield picker

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        ids = ["*", *self.containers]
        picker.highlighted = ids.index(self.current) if self.current in ids else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_back(self) -> None:
        self.dismiss(None)


class LogScreen(Screen[None]):
    CSS_PATH = "logs.tcss"
    TITLE = "Logs"
    AUTO_FOCUS = "LogView"
    HELP = ("Logs of a pod, or of every pod of a workload or app (each line prefixed by its pod). "
            "1-4: since 1m/5m/15m/1h, 0: last 500 lines, `:since 10m`; p: the previous (crashed) run; "
            "c: container; /: search, n/N: next/previous match; w: wrap; t: timestamps; "
            "space: pause following; ctrl+s: save what is shown.")
    BINDINGS = bindings("screen.back", "logs.previous", "logs.container", "logs.search", "logs.next",
                        "logs.prev", "logs.wrap", "logs.timestamps", "logs.pause", "logs.save",
                        "logs.since_1m", "logs.since_5m", "logs.since_15m", "logs.since_1h",
                        "logs.since_all", "logs.command", "logs.down", "logs.up", "logs.top", "logs.bottom")

    def __init__(self, layer: str, row: Any) -> None:
        super().__init__()
        self.source_layer, self.row_key = layer, str(getattr(row, "key", ""))
        name = getattr(row, "name", "") or self.row_key
        ns = getattr(row, "namespace", None)
        self.subject = f"{ns}/{name}" if ns else str(name)
        self.merged = layer != "pods"
        self.session: LogSession | None = None
        self.paused = False
        self._shown_seq = 0  # newest buffer line handed to the view
        self._buffer: Any = None
        self._status_shown: Text | None = None

    @property
    def deck(self) -> Deck:
        return cast("Deck", self.app)

    # ---- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="logs-body"):
            yield Static(id="logs-status")
            view = LogView(self._label, id="log")
            view.border_title = f"Logs {self.subject}"
            yield view
        yield Footer()

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def _label(self, source: str) -> str:
        return self.session.label(source) if self.session is not None else ""

    def on_mount(self) -> None:
        config = getattr(self.app, "config", None)
        limit = int(getattr(config, "log_lines_max", LOG_LINES_MAX) or LOG_LINES_MAX)
        self.session = LogSession(self.deck.connection.api_client, LogOptions(), limit, merged=self.merged)
        targets = self._targets()
        if not targets:
            self.view.placeholder = f"no pods for {self.subject}"
        self.session.set_targets(targets)
        hz = float(getattr(config, "refresh_hz", 4.0) or 4.0)
        self.set_interval(1.0 / max(0.5, min(4.0, hz)), self.drain)
        self.drain()

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.stop()

    def _targets(self) -> list[LogTarget]:
        pods = list(self.deck.store.pods_of(self.source_layer, self.row_key))
        if not pods and self.source_layer == "pods":  # not yet in the index: the row itself
            row = self.deck.store.row("pods", self.row_key)
            pods = [row] if isinstance(row, PodRow) else []
        return targets_of(pods)

    def refresh_from_store(self, layers: frozenset[str] | None, health: bool) -> None:
        """New pods of a workload or app join the merged view."""
        if self.session is None or not self.merged or (layers is not None and "pods" not in layers):
            return
        if self.session.options.previous:
            return
        targets = self._targets()
        if targets:
            self.view.placeholder = ""
        self.session.set_targets(targets)

    # ---- the timer: buffer -> view ---------------------------------------------------------
    def drain(self) -> None:
        session = self.session
        if session is None:
            return
        buffer = session.buffer
        if buffer is not self._buffer:  # restarted with new options: start over
            self._buffer, self._shown_seq = buffer, 0
            self.view.set_lines([])
        if not self.paused:
            fresh = buffer.since(self._shown_seq)
            if fresh:
                self._shown_seq = fresh[-1].seq
                if self.merged:  # several pods: shown in time order, a late backlog slots in
                    self.view.merge(fresh, buffer.limit, _time_order)
                else:
                    self.view.append(fresh, buffer.limit)
        self._show_status()

    def _show_status(self) -> None:
        session = self.session
        if session is None:
            return
        buffer = session.buffer
        options = session.options
        parts = [self.subject]
        if options.container:
            parts.append(options.container)
        if options.previous:
            parts.append("previous run")
        if options.since_seconds:
            parts.append(_since_label(options.since_seconds))
        elif not options.previous:
            parts.append(f"last {options.tail_lines}")
        text = Text(" · ".join(parts), style="bold")
        text.append(f"  {len(self.view.lines):,} lines")
        if buffer.dropped:
            text.append(f", {buffer.dropped:,} dropped", style="yellow")
        states = session.states()
        words = sorted({_STATE_WORDS.get(s.state, s.state) for s in states})
        if self.paused:
            text.append(f"  paused (+{buffer.total - self._shown_seq:,} new)", style="bold yellow")
        elif words:
            text.append("  " + ", ".join(words), style="green" if words == ["following"] else "yellow")
        details = [s.detail for s in states if s.detail and s.state in ("deleted", "ended", "error")]
        if details:
            text.append("  " + details[0], style="yellow")
        if self.view.search:
            hits = len(self.view.matches())
            text.append(f"  /{self.view.search} ({hits} line{'s' if hits != 1 else ''})", style="cyan")
        if not self.view.lines and details:  # why the pane is empty: not found, pod deleted
            self.view.placeholder = details[0]
            self.view.refresh()
        if text != self._status_shown:  # fixed size: no layout pass (a layout costs the whole screen)
            self._status_shown = text
            self.query_one("#logs-status", Static).update(text, layout=False)

    # ---- keys ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_container":
            return True if len(self._containers()) > 1 else False  # hidden: footer room is scarce
        if action == "next_match":
            return True if self.view.search else None
        return True

    def _containers(self) -> list[str]:
        if self.session is None:
            return []
        return sorted({c for t in self.session.targets for c in t.containers if c})

    def _restart(self, **changes: Any) -> None:
        if self.session is None:
            return
        old = self.session.options
        options = LogOptions(**{**old.__dict__, **changes})
        self.paused = False
        self.session.restart(options)
        self.drain()
        self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss()

    def action_since(self, seconds: int) -> None:
        self._restart(since_seconds=seconds or None, tail_lines=None if seconds else 500, previous=False)

    def action_previous(self) -> None:
        if self.session is not None:
            self._restart(previous=not self.session.options.previous)

    def action_pick_container(self) -> None:
        current = self.session.options.container if self.session else None
        self.app.push_screen(ContainerPicker(self._containers(), current or "*"), callback=self._picked)

    def _picked(self, choice: str | None) -> None:
        if choice is not None:
            self._restart(container=None if choice == "*" else choice)

    def action_search(self) -> None:
        from tui.widgets.prompt import PromptScreen

        self.app.push_screen(PromptScreen("/", self.view.search, placeholder="search the log"),
                             callback=self._searched)

    def _searched(self, text: str | None) -> None:
        if text is None:
            return
        self.view.search = text
        self.view.current = None
        self.view.restyle()
        if text:
            self.view.jump(-1)  # the newest match first: what just happened
        self._show_status()
        self.refresh_bindings()

    def action_next_match(self, step: int) -> None:
        # n goes down (newer), N up, as in less
        self.view.jump(step)
        self._show_status()

    def action_wrap(self) -> None:
        self.view.wrap = not self.view.wrap
        self.view.restyle()

    def action_timestamps(self) -> None:
        self.view.timestamps = not self.view.timestamps
        self.view.restyle()

    def action_pause(self) -> None:
        self.paused = not self.paused
        self.drain()

    def action_scroll_lines(self, step: int) -> None:
        self.view.scroll_relative(y=step, animate=False)

    def action_scroll_edge(self, end: int) -> None:
        if end:
            self.view.scroll_end(animate=False)
        else:
            self.view.scroll_home(animate=False)

    def action_log_command(self) -> None:
        from tui.widgets.prompt import PromptScreen

        self.app.push_screen(PromptScreen(":", placeholder="since 10m | since 0 | any app command"),
                             callback=self._command)

    def _command(self, text: str | None) -> None:
        if not text:
            return
        verb, _, arg = text.strip().partition(" ")
        if verb == "since":
            seconds = 0 if arg.strip() in ("0", "", "all") else parse_since(arg)
            if seconds is None:
                self.app.notify(f"since: not a duration: {arg} (try 90s, 10m, 2h)", severity="error")
                return
            self.action_since(seconds)
            return
        run = getattr(self.app, "run_command", None)  # every other command is the app's
        if run is not None:
            self.app.run_worker(run(text), group="command", exit_on_error=False)

    def action_save(self) -> None:
        config = getattr(self.app, "config", None)
        state = Path(getattr(config, "state_dir", Path.home() / ".local/state/clusterdeck"))
        folder = state / "logs"
        safe = self.subject.replace("/", "_")
        path = folder / f"{safe}-{time.strftime('%Y%m%d-%H%M%S')}.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            lines = self.view.shown_text()
            path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        except OSError as exc:
            self.app.notify(f"could not save the log: {exc}", severity="error")
            return
        self.app.notify(f"saved {len(lines):,} lines to {path}", timeout=8)
        self.saved_to = path
