"""Routes pane (Traefik IngressRoutes and Ingresses): hosts, entrypoints, backends, TLS, problems."""
from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.core.rows import RouteRow
from tui.widgets import cells as c
from tui.widgets.resource_table import Column

from .pane import PaneScreen


class RoutesScreen(PaneScreen):
    PANE = "routes"
    TITLE = "Routes"
    LAYER = "routes"
    CSS_PATH = "routes.tcss"
    HELP = "Traefik routes, the broken ones first: host, backend, TLS, what is wrong."
    COLUMNS = (
        Column("host", "HOST", 24),
        Column("tls", "TLS", 3),
        Column("backend", "BACKEND", 20),
        Column("problems", "PROBLEMS", 14, flex=True),
        Column("entrypoints", "ENTRYPOINTS", 16, min_screen=100),
        Column("name", "ROUTE", 26, min_screen=120),
        Column("middlewares", "MIDDLEWARES", 18, min_screen=160),
    )

    def sort_key(self, row: RouteRow) -> Any:
        return (not row.problems, row.hosts[0] if row.hosts else "~", row.key)

    def cells(self, row: RouteRow) -> tuple[Text, ...]:
        return (
            Text(c.first(row.hosts), style="bold"),
            c.styled("yes", c.OK) if row.tls else c.styled("no", c.DIM),
            c.plain(c.first(row.backends) if row.backends else None),
            c.styled(c.first(row.problems), c.BAD) if row.problems else c.styled("ok", c.OK),
            c.plain(",".join(row.entrypoints)),
            c.plain(f"{row.key} ({row.source})"),
            c.plain(",".join(row.middlewares)),
        )
