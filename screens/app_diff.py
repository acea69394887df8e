"""`d` on an app: the difference between its live and desired state, per resource, as a
coloured unified diff (tui/core/argocd_diff.py), with where it came from and what that source
cannot know. Read in a worker thread: the Argo CD API or the kube API may be slow or gone."""
from __future__ import annotations

from typing import Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.core.actions.argocd_diff_fetch import app_diff
from tui.core.argocd_diff import DiffReport, changed_fields, diff_lines
from tui.core.literal import visible
from tui.core.ports import Deck
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.cluster_header import ClusterHeader


def diff_text(report: DiffReport) -> Text:
    """The report as one coloured Text: the source and caveats first, then each resource."""
    out = Text()
    out.append(f"Diff from {report.source}\n", style="bold")
    for caveat in report.caveats:
        out.append(f"Note: {caveat}\n", style=c.WARN)
    if report.error:
        out.append(f"No diff: {visible(report.error)}\n", style=c.BAD)
        return out
    changed = 0
    for res in report.resources:
        body = diff_lines(res)
        if res.problem:
            out.append(f"{visible(res.ref)}: {visible(res.problem)}\n", style=c.WARN)
        if not body:
            continue
        changed += 1
        out.append(f"\n{visible(res.ref)}", style="bold")
        out.append(f"  {visible('; '.join(changed_fields(res)), one_line=True)}\n", style=c.WARN)
        for line in body:
            out.append(visible(line, one_line=True) + "\n", style=c.diff_line_style(line))
    same = len(report.resources) - changed
    unknown = sum(1 for r in report.resources if r.problem)
    if changed:
        out.append(f"\n{changed} resource(s) differ, {same} in sync.\n", style=c.DIM)
    elif unknown:
        out.append(f"\nNo difference shown: {unknown} resource(s) above could not be compared.\n", style=c.WARN)
    else:
        out.append(f"\nNo difference between live and desired state ({same} resource(s)).\n", style=c.DIM)
    return out


class AppDiffScreen(Screen[None]):
    CSS_PATH = "apps.tcss"
    AUTO_FOCUS = "#diff-body"
    HELP = "Live vs desired state of an app's resources (- live, + desired). Secrets' values are masked."
    BINDINGS = bindings("screen.back", "detail.down", "detail.up")

    def __init__(self, row: Any) -> None:
        super().__init__()
        self.row = row
        self.report: DiffReport | None = None

    @property
    def deck(self) -> Deck:
        return cast("Deck", self.app)

    def compose(self) -> ComposeResult:
        yield ClusterHeader()
        with VerticalScroll(id="diff-body"):
            yield Static(Text.assemble(("Diff ", "bold"), (visible(self.row.key), "bold reverse")), id="diff-title")
            yield Static(Text("comparing live and desired state…", style=c.DIM), id="diff")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ClusterHeader).show(**self.deck.header_facts("apps"), health=self.deck.store.health())
        launcher: Any = getattr(self.app, "actions", None)
        ctx = launcher.context(launcher.frozen_view())
        namespace, name = self.row.namespace or "argocd", self.row.name
        self.run_worker(lambda: app_diff(ctx, namespace, name), thread=True, group="app-diff",
                        exit_on_error=False, name="diff")

    def on_worker_state_changed(self, event: Any) -> None:
        worker = event.worker
        if worker.group != "app-diff" or not worker.is_finished:
            return
        report = worker.result if isinstance(worker.result, DiffReport) else \
            DiffReport("-", error=str(worker.error or "the diff could not be read"))
        self.report = report
        self.query_one("#diff", Static).update(diff_text(report))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#diff-body", VerticalScroll)
        (body.scroll_down if direction == "down" else body.scroll_up)(animate=False)
