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
                "timeout": "bold red", "unknown": "dim"}
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


class ResultScreen(ModalScreen[None]):
    """The full (redacted) result of one task on one or all hosts."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="result.close")]
    DEFAULT_CSS = """
    ResultScreen { align: center middle; }
    ResultScreen > VerticalScroll { width: 90%; height: 90%; border: round $primary; background: $surface; }
    """

    def __init__(self, title: str, results: list[HostResult]) -> None:
        super().__init__()
        self._title = title
        self._results = results

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self._title
            for result in self._results:
                head = Text(f"{result.host}: ", style="bold")
                head.append(result.status, style=STATUS_STYLE.get(result.status, ""))
                if result.ignored:
                    head.append(" (ignored)", style="dim")
                yield Static(head)
                yield Static(Text(json.dumps(result.result, indent=2, sort_keys=True, default=str) or "{}"))


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
        self._bar_total: float | None = None
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
            bar = self.query_one("#progress-bar", ProgressBar)
            bar.update(total=max(event.total, 1), progress=event.done)
            self.query_one("#progress-counts", Static).update(Text(event.text, overflow="ellipsis", no_wrap=True))
        elif isinstance(event, Done):
            self._show_outcome(event)

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
        bar = self.query_one("#progress-bar", ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        self.query_one("#progress-counts", Static).update(counts_text(run.counts()))
        _reconcile(widget.root, [(p.uuid or f"play-{i}", _play_label(p), p) for i, p in enumerate(run.plays)],
                   lambda play: [(t.uuid or f"task-{j}", _task_label(t), t) for j, t in enumerate(play.tasks)],
                   lambda task: [(h.host, _host_label(h), (task, h)) for h in task.hosts])
        self._show_title()

    def _show_outcome(self, done: Done) -> None:
        self.outcome = done
        text = Text(done.outcome.upper() + ": ", style=STATUS_STYLE.get(done.outcome, ""))
        text.append(done.message)
        if self.follow_up is not None:
            text.append(f"\n{self.follow_up.key}: {self.follow_up.label}", style="bold")
        self.query_one("#progress-outcome", Static).update(text)
        if self.run_tree is None:
            bar = self.query_one("#progress-bar", ProgressBar)
            if done.outcome == "succeeded":
                bar.update(total=bar.total or 1, progress=bar.total or 1)
        self._show_title()
        self.refresh_bindings()

    def offer(self, follow_up: FollowUp) -> None:
        self.follow_up = follow_up
        if self.outcome is not None:
            self._show_outcome(self.outcome)

    # -- keys ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            if self._cancel is None:
                return False  # a replayed run: nothing to cancel
            return None if self.outcome is not None else True
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

    def action_toggle(self) -> None:
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


def _task_label(task: TaskNode) -> Text:
    status = task.status
    label = Text(f"{status:<12}", style=STATUS_STYLE.get(status, ""))
    label.append(task.name or task.action)
    if len(task.hosts) > 1:
        label.append("  ")
        label.append_text(counts_text(task.counts()))
    return label


def _host_label(host: HostResult) -> Text:
    label = Text(f"{host.status:<12}", style=STATUS_STYLE.get(host.status, ""))
    label.append(host.host, style="bold")
    if host.message and host.status in ("failed", "unreachable"):
        label.append(f"  {host.message}", style="dim")
    return label


def _reconcile(parent: TreeNode[Any], children: list[tuple[str, Text, Any]], *levels: Callable[[Any], list]) -> None:
    """Update a tree level in place by key (cursor and expansion survive live updates)."""
    existing: dict[str, TreeNode[Any]] = {}
    for node in parent.children:
        key = getattr(node, "_cd_key", None)
        if key is not None:
            existing[key] = node
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
