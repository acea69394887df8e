"""Action progress: a live view of one action, or a replay of a past playbook run.

Playbook runs show plays -> tasks -> hosts (ok/changed/failed/unreachable/skipped counts) as
ansible-navigator does, with a progress bar; `enter` on a task or host opens its full result.
Other actions show a bar and a log of steps. `ctrl+c` cancels (through the action's cancel()).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Log, ProgressBar, Static, Tree
from textual.widgets.tree import TreeNode

from tui.core.actions import Done, Note, Progress, RunTree, RunUpdate, TaskNode
from tui.core.actions.ansible_model import STATUSES, HostResult

STATUS_STYLE = {"ok": "green", "changed": "yellow", "failed": "bold red", "unreachable": "bold magenta",
                "skipped": "cyan", "running": "bold", "successful": "green", "canceled": "yellow",
                "cancelled": "yellow", "interrupted": "yellow", "succeeded": "green", "refused": "bold red",
                "timeout": "bold red", "unknown": "dim", "timed out": "bold red", "not finished": "yellow",
                "no result": "dim"}
COUNT_LABEL = {"ok": "ok", "changed": "chg", "failed": "fail", "unreachable": "unr", "skipped": "skip"}


def counts_text(counts: dict[str, int]) -> Text:
    out = Text()
    for status in STATUSES:
        n = counts.get(status, 0)
        if n:
            out.append(f"{COUNT_LABEL[status]}={n} ", style=STATUS_STYLE[status])
    return out


class ActionEvent(Message):
    """A progress event from the worker thread running the action."""

    def __init__(self, event: Any) -> None:
        super().__init__()
        self.event = event

    def can_replace(self, message: Message) -> bool:
        # a newer tree makes an older one pointless; notes and the final Done are never dropped
        return isinstance(self.event, RunUpdate) and isinstance(message, ActionEvent) \
            and isinstance(message.event, RunUpdate)


@dataclass(frozen=True)
class FollowUp:
    """A key offered once the action finished (e.g. "run it for real" after a check run)."""

    key: str
    label: str
    callback: Callable[[], None]


def result_summary(result: HostResult) -> Text:
    """What the module said, in words: changed/failed, its msg, rc, the first lines of stderr and
    stdout. The raw JSON is one key (j) away."""
    raw = result.result if isinstance(result.result, dict) else {}
    out = Text(f"{result.host}: ", style="bold")
    out.append(result.status, style=STATUS_STYLE.get(result.status, ""))
    if result.ignored:
        out.append(" (failed, ignored)", style="dim")
    out.append(f"\nchanged: {'yes' if raw.get('changed') else 'no'}"
               f"   failed: {'yes' if raw.get('failed') or result.status == 'failed' else 'no'}")
    if raw.get("rc") is not None:
        out.append(f"   rc: {raw.get('rc')}")
    msg = raw.get("msg")
    if isinstance(msg, list):
        msg = "\n".join(str(m) for m in msg)
    message = str(msg) if msg not in (None, "") else result.message
    if message:
        out.append("\n" + message)
    for stream in ("stderr", "stdout"):
        value = raw.get(stream)
        if isinstance(value, str) and value.strip():
            lines = value.strip().splitlines()
            out.append(f"\n{stream}:", style="dim")
            out.append("\n" + "\n".join(lines[:8]) + (f"\n… {len(lines) - 8} more lines (j)" if len(lines) > 8 else ""))
    return out


class ResultScreen(ModalScreen[None]):
    """One task's result on one or all hosts: the module's message first, the raw (redacted)
    JSON one key away."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="result.close"),
                Binding("j", "json", "JSON", id="result.json")]
    DEFAULT_CSS = """
    ResultScreen { align: center middle; }
    ResultScreen > VerticalScroll { width: 90%; height: 90%; border: round $primary; background: $surface; }
    ResultScreen .result-json { display: none; color: $text-muted; }
    ResultScreen.-json .result-json { display: block; }
    """

    def __init__(self, title: str, results: list[HostResult]) -> None:
        super().__init__()
        self._title = title
        self._results = results

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self._title
            scroll.border_subtitle = "j: JSON"
            for result in self._results:
                yield Static(result_summary(result), classes="result-summary")
                yield Static(Text(json.dumps(result.result, indent=2, sort_keys=True, default=str) or "{}"),
                             classes="result-json")

    def action_json(self) -> None:
        self.toggle_class("-json")


class ProgressScreen(Screen[None]):
    CSS_PATH = "progress.tcss"
    BINDINGS = [
        Binding("ctrl+c", "cancel", "Cancel", id="progress.cancel", priority=True),
        Binding("enter", "result", "Result", id="progress.result"),
        Binding("space", "toggle", "Fold", id="progress.fold", show=False),
        Binding("escape,q", "close", "Close", id="progress.close"),
        Binding("f", "follow_up", "Follow up", id="progress.follow_up", show=False),
    ]

    def __init__(self, title: str, *, cancel: Callable[[], None] | None = None, tree: RunTree | None = None,
                 outcome: Done | None = None) -> None:
        super().__init__()
        self.title_text = title
        self._cancel = cancel
        self.run_tree: RunTree | None = tree
        self.outcome: Done | None = outcome
        self.follow_up: FollowUp | None = None
        self._bar_total: float | None = None  # the largest total seen: estimates only grow
        self._bar_done: float = 0
        self._cancel_requested = False

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="progress-title")
        with Horizontal(id="progress-bar-row"):
            yield ProgressBar(id="progress-bar", show_eta=False)
            yield Static(id="progress-counts")
        tree: Tree[Any] = Tree("run", id="progress-tree")
        tree.show_root = False
        tree.guide_depth = 2
        tree.auto_expand = False  # enter opens a task's result; space/arrows fold
        yield tree
        yield Log(id="progress-log", highlight=False)
        yield Static(id="progress-outcome")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress-log", Log).display = False
        self.query_one("#progress-tree", Tree).display = False
        self._show_title()
        if self.run_tree is not None:
            self._show_tree(self.run_tree)
        if self.outcome is not None:
            self._show_outcome(self.outcome)
        self.query_one("#progress-tree", Tree).focus()

    # -- events from the worker ----------------------------------------------------------
    def on_action_event(self, message: ActionEvent) -> None:
        self.apply(message.event)

    def apply(self, event: Any) -> None:
        if isinstance(event, RunUpdate):
            self._show_tree(event.run)
        elif isinstance(event, Note):
            log = self.query_one("#progress-log", Log)
            log.display = True
            log.write_line(("! " if event.level != "info" else "") + event.text)
        elif isinstance(event, Progress):
            self._show_bar(event.done, event.total, finished=False, succeeded=False)
            self.query_one("#progress-counts", Static).update(Text(event.text, overflow="ellipsis", no_wrap=True))
        elif isinstance(event, Done):
            self._show_outcome(event)

    def _show_bar(self, done: float, total: float, *, finished: bool, succeeded: bool) -> None:
        """100 % only for a run that finished and succeeded: mid-run the bar stops short of it
        (the estimate may be low), and a cancelled or failed run shows how far it got."""
        self._bar_total = max(self._bar_total or 0, total, 1)
        self._bar_done = done
        shown_total = self._bar_total
        if succeeded:
            shown_total = done = max(done, shown_total)
        elif done >= shown_total:  # not 100 %: one more step, at least, was still to come
            shown_total = done + max(1.0, done * 0.01)
        self.query_one("#progress-bar", ProgressBar).update(total=shown_total, progress=done)

    def _show_title(self) -> None:
        title = Text(self.title_text, style="bold")
        status = self.outcome.outcome if self.outcome else (self.run_tree.status if self.run_tree else "running")
        title.append("  ")
        title.append(status, style=STATUS_STYLE.get(status, ""))
        self.query_one("#progress-title", Static).update(title)

    def _show_tree(self, run: RunTree) -> None:
        self.run_tree = run
        widget = self.query_one("#progress-tree", Tree)
        widget.display = True
        done, total = run.progress()
        self._show_bar(done, total, finished=run.status != "running", succeeded=run.status == "successful")
        self.query_one("#progress-counts", Static).update(counts_text(run.counts()))
        ended = None if run.status == "running" and self.outcome is None else (
            run.status if run.status != "running" else self.outcome.outcome if self.outcome else None)
        _reconcile(widget.root, [(p.uuid or f"play-{i}", _play_label(p), p) for i, p in enumerate(run.plays)],
                   lambda play: [(t.uuid or f"task-{j}", _task_label(t, ended), t) for j, t in enumerate(play.tasks)],
                   lambda task: [(h.host, _host_label(h, ended), (task, h)) for h in task.hosts])
        self._show_title()

    def _show_outcome(self, done: Done) -> None:
        self.outcome = done
        text = Text(done.outcome.upper() + ": ", style=STATUS_STYLE.get(done.outcome, ""))
        text.append(done.message)
        if self.follow_up is not None:
            text.append(f"\n{self.follow_up.key}: {self.follow_up.label}", style="bold")
        self.query_one("#progress-outcome", Static).update(text)
        if self.run_tree is not None and self.is_mounted:
            self._show_tree(self.run_tree)  # relabel what was still "running" when the run ended
        if self.run_tree is None or self.run_tree.status == "running":
            self._show_bar(self._bar_done, self._bar_total or 1, finished=True,
                           succeeded=done.outcome == "succeeded")
        if self._cancel_requested and done.outcome in ("cancelled", "interrupted"):
            # the runner returns only once ansible-playbook (and its workers) have exited
            self.query_one("#progress-log", Log).write_line("cancelled: the run's processes have ended")
        self._show_title()
        self.refresh_bindings()

    def offer(self, follow_up: FollowUp) -> None:
        self.follow_up = follow_up
        if self.outcome is not None:
            self._show_outcome(self.outcome)

    # -- keys ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            if self._cancel is None or self.outcome is not None:
                return False  # a replayed or finished run: nothing to cancel, so no key offered
            return None if self._cancel_requested else True
        if action == "follow_up":
            return self.follow_up is not None and self.outcome is not None
        if action == "result":
            return self.run_tree is not None
        return True

    def on_tree_node_selected(self, event: Tree.NodeSelected[Any]) -> None:
        event.stop()
        self.action_result()

    def action_cancel(self) -> None:
        if self._cancel is not None and self.outcome is None and not self._cancel_requested:
            self._cancel_requested = True
            self._cancel()
            self.apply(Note("cancel requested", "warning"))

    def action_follow_up(self) -> None:
        if self.follow_up is not None and self.outcome is not None:
            follow = self.follow_up
            self.dismiss()
            follow.callback()

    def action_close(self) -> None:
        if self.outcome is None and self._cancel is not None:
            self.notify("still running: it goes on in the background (H lists runs; ctrl+c cancels)")
        self.dismiss()

    def action_toggle(self) -> None:  # type: ignore[override]  # a tree node's, not DOMNode's attribute toggle
        node = self.query_one("#progress-tree", Tree).cursor_node
        if node is not None and node.allow_expand:
            node.toggle()

    def action_result(self) -> None:
        node = self.query_one("#progress-tree", Tree).cursor_node
        if node is None or node.data is None:
            return
        data = node.data
        if isinstance(data, TaskNode):
            self.app.push_screen(ResultScreen(f"task: {data.name}", list(data.hosts)))
        elif isinstance(data, tuple):
            task, host = data
            self.app.push_screen(ResultScreen(f"task: {task.name}", [host]))
        elif node.is_expanded:
            node.collapse()
        else:
            node.expand()


def _play_label(play: Any) -> Text:
    label = Text("PLAY ", style="dim")
    label.append(play.name or "(unnamed)", style="bold")
    label.append("  ")
    label.append_text(counts_text(play.counts()))
    return label


# what a task or host still "running" when its run ended really is
UNFINISHED = {"canceled": "cancelled", "cancelled": "cancelled", "interrupted": "interrupted",
              "timeout": "timed out", "failed": "not finished", "successful": "no result"}


def _status_word(status: str, ended: str | None) -> str:
    if status == "running" and ended is not None:
        return UNFINISHED.get(ended, "not finished")
    return status


def _task_label(task: TaskNode, ended: str | None = None) -> Text:
    status = _status_word(task.status, ended)
    label = Text(f"{status:<12}", style=STATUS_STYLE.get(status, ""))
    label.append(task.name or task.action)
    if len(task.hosts) > 1:
        label.append("  ")
        label.append_text(counts_text(task.counts()))
    return label


def _host_label(host: HostResult, ended: str | None = None) -> Text:
    status = _status_word(host.status, ended)
    label = Text(f"{status:<12}", style=STATUS_STYLE.get(status, ""))
    label.append(host.host, style="bold")
    if host.message and host.status in ("failed", "unreachable"):
        label.append(f"  {host.message}", style="dim")
    return label


def _reconcile(parent: TreeNode[Any], children: list[tuple[str, Text, Any]], *levels: Callable[[Any], list]) -> None:
    """Update a tree level in place by key (cursor and expansion survive live updates)."""
    existing: dict[str, TreeNode[Any]] = {}
    for child in parent.children:
        key = getattr(child, "_cd_key", None)
        if key is not None:
            existing[key] = child
    for key, label, data in children:
        node = existing.get(key)
        if node is None:
            leaf = not levels
            node = parent.add_leaf(label, data) if leaf else parent.add(label, data, expand=True)
            node._cd_key = key  # type: ignore[attr-defined]
        else:
            if str(node.label) != str(label) or node.label != label:
                node.set_label(label)
            node.data = data
        if levels:
            _reconcile(node, levels[0](data), *levels[1:])
