"""Routes pane (Traefik IngressRoutes and Ingresses): hosts, entrypoints, backends, TLS, problems.

With the Traefik API source configured (config `traefik_api_url`) a narrow TRAEFIK column shows
what Traefik itself says of each route (enabled / disabled / warning / absent), and the banner
says when that API is unreachable.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult

from tui.core.rows import RouteRow
from tui.widgets import cells as c
from tui.widgets.resource_table import Column, ResourceTable

from .pane import PaneScreen

# with the TRAEFIK column, TLS waits for 100 columns and BACKEND gives up two cells: at 80
# columns host, Traefik's word, backend and the first problem still fit
TRAEFIK_COLUMNS = (
    Column("host", "HOST", 24),
    Column("traefik", "TRAEFIK", 8),
    Column("tls", "TLS", 3, min_screen=100),
    Column("backend", "BACKEND", 18),
    Column("problems", "PROBLEMS", 14, flex=True),
    Column("entrypoints", "ENTRYPOINTS", 16, min_screen=100),
    Column("name", "ROUTE", 26, min_screen=120),
    Column("middlewares", "MIDDLEWARES", 18, min_screen=160),
)
TRAEFIK_STYLE = {"enabled": c.OK, "warning": c.WARN, "disabled": c.BAD, "absent": c.BAD}


class RoutesScreen(PaneScreen):
    PANE = "routes"
    TITLE = "Routes"
    LAYER = "routes"
    CSS_PATH = "routes.tcss"
    HELP = ("Traefik routes, the broken ones first: host, backend, TLS, what is wrong "
            "(and, with traefik_api_url set, what Traefik itself says).")
    COLUMNS = (
        Column("host", "HOST", 24),
        Column("tls", "TLS", 3),
        Column("backend", "BACKEND", 20),
        Column("problems", "PROBLEMS", 14, flex=True),
        Column("entrypoints", "ENTRYPOINTS", 16, min_screen=100),
        Column("name", "ROUTE", 26, min_screen=120),
        Column("middlewares", "MIDDLEWARES", 18, min_screen=160),
    )

    @property
    def with_traefik(self) -> bool:
        """The Traefik API source exists (configured, a live cluster): the TRAEFIK column is shown."""
        return bool(self.deck.traefik_api_url())

    def compose_body(self) -> ComposeResult:
        table = ResourceTable(TRAEFIK_COLUMNS if self.with_traefik else self.COLUMNS, id="table")
        table.border_title = self.TITLE
        yield table

    def sort_key(self, row: RouteRow) -> Any:
        return (not row.problems, row.hosts[0] if row.hosts else "~", row.key)

    def cells(self, row: RouteRow) -> tuple[Text, ...]:
        cells = (
            Text(c.first(row.hosts), style="bold"),
            c.styled("yes", c.OK) if row.tls else c.styled("no", c.DIM),
            c.plain(c.first(row.backends) if row.backends else None),
            c.styled(c.first(row.problems), c.BAD) if row.problems else c.styled("ok", c.OK),
            c.plain(",".join(row.entrypoints)),
            c.plain(f"{row.key} ({row.source})"),
            c.plain(",".join(row.middlewares)),
        )
        if not self.with_traefik:
            return cells
        return (cells[0], traefik_cell(row.traefik_status), *cells[1:])


def traefik_cell(status: str | None) -> Text:
    if status is None:
        return c.styled("-", c.DIM)  # not heard from Traefik yet, or not its route
    return c.styled(status, TRAEFIK_STYLE.get(status, ""))
