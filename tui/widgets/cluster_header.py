"""The two header lines every pane shows.

Line 1: the cluster context (warning colour when it matches a production pattern), the read-only
badge, the data source. Line 2: the panes as numbered tabs, each coloured by its sources' health,
so trouble in another pane is visible from anywhere.
"""
from __future__ import annotations

from typing import Mapping

from rich.text import Text
from textual.widgets import Static

from tui.core.events import SourceHealth, SourceState
from tui.widgets.source_banner import pane_state

PANES: tuple[tuple[str, str, str], ...] = (  # (pane id, key, title)
    ("overview", "1", "Overview"),
    ("nodes", "2", "Nodes"),
    ("volumes", "3", "Volumes"),
    ("network", "4", "Network"),
    ("routes", "5", "Routes"),
    ("apps", "6", "Apps"),
    ("workloads", "7", "Workloads"),
)
_STATE_MARK = {
    SourceState.OK: ("", ""),
    SourceState.CONNECTING: ("…", "dim"),
    SourceState.STALE: ("!", "bold yellow"),
    SourceState.ERROR: ("!", "bold red"),
    SourceState.FORBIDDEN: ("✖", "bold red"),
    SourceState.NOT_INSTALLED: ("-", "dim"),
}


def header_line(context: str, production: bool, read_only: bool, origin: str) -> Text:
    text = Text(" clusterdeck ", style="bold reverse")
    text.append(" ")
    text.append(context or "(no context)", style="bold reverse yellow" if production else "bold")
    if production:
        text.append(" PRODUCTION", style="bold yellow")
    if read_only:
        text.append(" ")
        text.append(" READ-ONLY ", style="bold reverse cyan")
    if origin:
        text.append(f"  {origin}", style="dim")
    return text


def tabs_line(active: str, health: Mapping[str, SourceHealth]) -> Text:
    text = Text()
    for pane, key, title in PANES:
        mark, mark_style = ("", "")
        if pane != "overview":
            mark, mark_style = _STATE_MARK[pane_state(pane, health)]
        style = "bold reverse" if pane == active else ""
        text.append(f" {key} {title}", style=style)
        text.append(mark or " ", style=(mark_style + (" reverse" if pane == active else "")).strip())
    return text


class ClusterHeader(Static):
    DEFAULT_CSS = """
    ClusterHeader { height: 2; dock: top; background: $panel; }
    """

    def show(self, *, context: str, production: bool, read_only: bool, origin: str,
             active: str, health: Mapping[str, SourceHealth]) -> None:
        line = header_line(context, production, read_only, origin)
        line.append("\n")
        line.append_text(tabs_line(active, health))
        self.update(line)
