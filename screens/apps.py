"""Apps pane (Argo CD Applications): sync, health, revision, last operation."""
from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.core.rows import AppRow
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.resource_table import Column

from .app_tree import HEALTH_RANK  # one ranking of health words for the pane and the tree
from .pane import PaneScreen


class AppsScreen(PaneScreen):
    PANE = "apps"
    TITLE = "Apps"
    LAYER = "apps"
    CSS_PATH = "apps.tcss"
    ACTIONS = ("app.sync", "app.refresh", "app.rollback", "app.terminate")
    HELP = "Argo CD applications, unhealthy and out-of-sync first."
    BINDINGS = bindings("apps.resources", "apps.diff", "action.app.sync", "action.app.refresh", "action.app.rollback",
                        "action.app.terminate", "rows.logs")
    COLUMNS = (
        Column("name", "APP", 10),
        Column("sync", "SYNC", 9),
        Column("health", "HEALTH", 11),
        Column("revision", "REV", 7, min_screen=100, cut="never"),
        Column("operation", "LAST OP", 9, min_screen=100),
        # the one fact that says why: most of the width at 80 columns, wrapped, never cut short
        Column("message", "MESSAGE", 16, flex=True, cut="wrap"),
        Column("auto", "AUTO", 9, min_screen=110),
        Column("project", "PROJECT", 11, min_screen=130),
        Column("app_set", "APPSET", 12, min_screen=150),
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "diff":
            return True if self.cursor_row() is not None else None
        return super().check_action(action, parameters)

    def action_detail(self) -> None:
        """Enter: the app's resources, each a jump to its pane (screens/app_tree.py)."""
        row = self.cursor_row()
        if row is not None:
            from .app_tree import AppTreeScreen

            self.app.push_screen(AppTreeScreen(row))

    def action_diff(self) -> None:
        """`d`: live vs desired state of the app under the cursor (screens/app_diff.py)."""
        row = self.cursor_row()
        if row is not None:
            from .app_diff import AppDiffScreen

            self.app.push_screen(AppDiffScreen(row))

    def sort_key(self, row: AppRow) -> Any:
        # an ApplicationSet's generated apps stay together (after the apps of no set)
        return (row.app_set or "", HEALTH_RANK.get(row.health or "Unknown", 5), row.sync == "Synced", row.name)

    def cells(self, row: AppRow) -> tuple[Text, ...]:
        auto = ("auto" + ("+heal" if row.self_heal else "")) if row.auto_sync else "manual"
        return (
            Text(row.name, style="bold"),
            c.status(row.sync),
            c.status(row.health),
            c.plain((row.revision or "")[:7] or None),
            c.status(row.operation, missing="-"),
            c.plain(row.message),
            c.plain(auto),
            c.plain(row.project),
            c.plain(row.app_set),
        )
