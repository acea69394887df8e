"""Routes pane (Traefik IngressRoutes and Ingresses): hosts, entrypoints, backends, TLS, problems.

With the Traefik API source configured (config `traefik_api_url`) a narrow TRAEFIK column shows
what Traefik itself says of each route (enabled / disabled / warning / absent), and the banner
says when that API is unreachable.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult

from tui.core.rows import RouteRow
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.resource_table import Column, ResourceTable

from .pane import PaneScreen

# with the TRAEFIK column, TLS waits for 100 columns and BACKEND gives up two cells: at 80
# columns host, Traefik's word, backend and the first problem still fit
TRAEFIK_COLUMNS = (
    Column("name", "ROUTE", 16),
    Column("host", "HOST", 18),
    Column("traefik", "TRAEFIK", 8),
    Column("tls", "TLS", 3, min_screen=100),
    Column("backend", "BACKEND", 14),
    Column("problems", "PROBLEMS", 10, flex=True, cut="wrap"),
    Column("entrypoints", "ENTRYPOINTS", 16, min_screen=100),
    Column("source", "KIND", 12, min_screen=120),
    Column("middlewares", "MIDDLEWARES", 18, min_screen=160),
)
TRAEFIK_STYLE = {"enabled": c.OK, "warning": c.WARN, "disabled": c.BAD, "absent": c.BAD}


class RoutesScreen(PaneScreen):
    PANE = "routes"
    TITLE = "Routes"
    LAYER = "routes"
    CSS_PATH = "routes.tcss"
    HELP = ("Traefik routes, the broken ones first: host, backend, TLS, what is wrong "
            "(and, with traefik_api_url set, what Traefik itself says). d: every hop of the route.")
    BINDINGS = bindings("routes.diagnose")
    # a route is named by namespace/name (two routes may share a host); the backend drops the
    # route's own namespace so the column goes to what differs, and its port is never cut
    COLUMNS = (
        Column("name", "ROUTE", 18),
        Column("host", "HOST", 24),
        Column("tls", "TLS", 3, min_screen=100),
        Column("backend", "BACKEND", 14),
        Column("problems", "PROBLEMS", 10, flex=True, cut="wrap"),
        Column("entrypoints", "ENTRYPOINTS", 16, min_screen=100),
        Column("source", "KIND", 12, min_screen=120),
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "diagnose":
            return True if self.cursor_row() is not None else None
        return super().check_action(action, parameters)

    def action_diagnose(self) -> None:
        from .diagnose import DiagnoseScreen

        row = self.cursor_row()
        if isinstance(row, RouteRow):
            self.app.push_screen(DiagnoseScreen(row))

    def sort_key(self, row: RouteRow) -> Any:
        # a legacy-group twin follows the live route of its name, whatever its key sorts as
        return (not row.problems, row.hosts[0] if row.hosts else "~", row.legacy, row.key)

    def cells(self, row: RouteRow) -> tuple[Text, ...]:
        cells = (
            Text(route_name(row), style="bold"),
            host_cell(row.hosts),
            tls_cell(row, self.deck.clock.now()),
            c.plain(backend_label(row)),
            state_cell(row),
            c.plain(",".join(row.entrypoints)),
            c.plain(row.source),
            c.plain(",".join(row.middlewares)),
        )
        if not self.with_traefik:
            return cells
        return (*cells[:2], traefik_cell(row.traefik_status), *cells[2:])


def tls_cell(row: RouteRow, now: datetime) -> Text:
    """yes / no; with a certificate read from its Secret: "exp" once expired, days left under 14."""
    if row.cert_state == "expired":
        return c.styled("exp", c.BAD)
    if row.cert_state == "warning" and row.cert_expires:
        days = max(0, (datetime.fromisoformat(row.cert_expires) - now).days)
        return c.styled(f"{days}d", c.WARN)
    return c.styled("yes", c.OK) if row.tls else c.styled("no", c.DIM)


def state_cell(row: RouteRow) -> Text:
    """The first problem; else a note (a legacy API group that Traefik v3 does not read); else ok."""
    if row.problems:
        return c.styled(c.first(row.problems), c.BAD)
    if row.notes:
        return c.styled(c.first(row.notes), c.WARN)
    return c.styled("ok", c.OK)


_LAYER4 = {"IngressRouteTCP": "tcp", "IngressRouteUDP": "udp"}


def route_name(row: RouteRow) -> str:
    """ns/name; a TCP/UDP route and a legacy-group twin say so at the end, "(legacy tcp)" (a long
    name is cut in the middle, so the mark stays; KIND shows only from 120 columns)."""
    marks = " ".join(m for m in ("legacy" if row.legacy else "", _LAYER4.get(row.source, "")) if m)
    return f"{row.ref} ({marks})" if marks else row.ref


PATTERN_MARK = "re:"  # a HostRegexp: a pattern, not a host anyone can type


def host_cell(hosts: tuple[str, ...]) -> Text:
    """The first host (+N more); a HostRegexp ("~pattern" from the parser) as `re:pattern`,
    the mark in words so it survives without colour."""
    if not hosts:
        return c.plain(None)
    first, more = hosts[0], f" +{len(hosts) - 1}" if len(hosts) > 1 else ""
    if first.startswith("~"):
        return Text.assemble((PATTERN_MARK, "italic"), (first[1:], "italic"), more)
    return Text(first + more)


def backend_label(row: RouteRow) -> str | None:
    """The first backend ("+N" more), without the route's own namespace: `wiki-web:80`."""
    if not row.backends:
        return None
    first = row.backends[0]
    if row.namespace and first.startswith(f"{row.namespace}/"):
        first = first[len(row.namespace) + 1:]
    return first + (f" +{len(row.backends) - 1}" if len(row.backends) > 1 else "")


def traefik_cell(status: str | None) -> Text:
    if status is None:
        return c.styled("-", c.DIM)  # not heard from Traefik yet, or not its route
    return c.styled(status, TRAEFIK_STYLE.get(status, ""))
