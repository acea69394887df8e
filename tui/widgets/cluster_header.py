"""The two header lines every pane shows.

Line 1: the cluster context (warning colour when it matches a production pattern), the read-only
badge, the data source. Line 2: the panes as numbered tabs, each marked and coloured by its
sources' health, so trouble in another pane is visible from anywhere. Colours come from the
theme (CSS classes), so ansi-dark and NO_COLOR apply.
"""
from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

from tui.core.events import SourceHealth, SourceState
from tui.core.layers import TAB_PANES
from tui.widgets.source_banner import pane_state

# (pane id, default key, title): the tabs, from the vocabulary table
PANES: tuple[tuple[str, str, str], ...] = tuple((p.id, p.digit, p.title) for p in TAB_PANES)
# the mark after a tab's title, and the CSS class that colours it
STATE_MARK = {
    SourceState.OK: ("", "-ok"),
    SourceState.CONNECTING: ("…", "-connecting"),
    SourceState.STALE: ("!", "-stale"),
    SourceState.ERROR: ("!", "-error"),
    SourceState.FORBIDDEN: ("✖", "-error"),
    SourceState.NOT_INSTALLED: ("-", "-absent"),
    SourceState.NOT_IN_DUMP: ("-", "-absent"),
}
_STATE_CLASSES = ("-ok", "-connecting", "-stale", "-error", "-absent")


class ClusterHeader(Vertical):
    DEFAULT_CSS = """
    ClusterHeader { height: 2; dock: top; background: $panel; }
    ClusterHeader Horizontal { height: 1; }
    ClusterHeader Label { width: auto; padding: 0 1 0 0; }
    ClusterHeader #brand { background: $primary; color: $text; text-style: bold; padding: 0 1; }
    ClusterHeader #context { text-style: bold; padding: 0 1; }
    ClusterHeader #context.-production { background: $warning; color: $background; }
    ClusterHeader #production { color: $warning; text-style: bold; }
    ClusterHeader #readonly { background: $secondary; color: $background; text-style: bold; padding: 0 1; }
    ClusterHeader #origin { color: $text-muted; padding: 0 1; }
    ClusterHeader .tab { padding: 0 1; }
    ClusterHeader .tab.-active { background: $accent; color: $background; text-style: bold; }
    ClusterHeader .tab.-stale { color: $warning; text-style: bold; }
    ClusterHeader .tab.-error { color: $error; text-style: bold; }
    ClusterHeader .tab.-connecting, ClusterHeader .tab.-absent { color: $text-muted; }
    ClusterHeader .tab.-active.-stale, ClusterHeader .tab.-active.-error { color: $background; }
    ClusterHeader.-compact .tab { padding: 0 1 0 0; }
    ClusterHeader.-compact .tab.-active { padding: 0 1; }
    """
    COMPACT_BELOW = 84  # eight tabs with padding on both sides need 82 columns

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("clusterdeck", id="brand")
            yield Label("", id="context")
            yield Label("PRODUCTION", id="production")
            yield Label("READ-ONLY", id="readonly")
            yield Label("", id="origin")
        with Horizontal(id="tabs"):
            for pane, key, title in PANES:
                yield Label(f"{key} {title}", id=f"tab-{pane}", classes="tab")

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.COMPACT_BELOW, "-compact")

    def show(self, *, context: str, production: bool, read_only: bool, origin: str,
             active: str, health: Mapping[str, SourceHealth],
             pane_keys: Mapping[str, str] | None = None) -> None:
        """`pane_keys`: pane id -> the key the keymap binds to it (a remap shows truly)."""
        label = self.query_one("#context", Label)
        label.update(context or "(no context)")
        label.set_class(production, "-production")
        self.query_one("#production").display = production
        self.query_one("#readonly").display = read_only
        self.query_one("#origin", Label).update(origin)
        for pane, default_key, title in PANES:
            key = (pane_keys or {}).get(pane, default_key)
            tab = self.query_one(f"#tab-{pane}", Label)
            mark, css = ("", "-ok") if pane == "overview" else STATE_MARK[pane_state(pane, health)]
            tab.update(f"{key} {title}{mark}")
            # one style update per tab whose classes changed (each re-styles it), none otherwise
            tab.update_classes({**{state: state == css for state in _STATE_CLASSES}, "-active": pane == active})
