"""Diagnose screen (`d` on a route): every hop from the jump host to the backend, one line each.

The checks look names up and send a request (on a live cluster only), so they run in a thread
worker that posts each hop as it is checked; the screen shows which hop is being checked and
never waits. The facts come from the store, taken once on the loop when the screen opens.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.core.diagnose import HOPS, Hop, NetworkFacts, live_tools, route_hops, route_name
from tui.core.literal import visible
from tui.core.ports import Deck
from tui.core.rows import RouteRow
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.cluster_header import ClusterHeader

STATUS_STYLE = {"ok": c.OK, "failed": c.BAD, "skipped": c.DIM}
HOP_WORD = {"dns": "DNS", "lb_ip": "LB IP", "announce": "announce", "traefik": "Traefik",
            "backend": "backend", "http": "HTTP"}


class HopChecked(Message):
    def __init__(self, hop: Hop) -> None:
        super().__init__()
        self.hop = hop


class DiagnoseScreen(Screen[None]):
    CSS_PATH = "diagnose.tcss"
    HELP = ("Every hop of the route, in the order traffic takes them: DNS, Traefik's LB IP, "
            "MetalLB's announcement, Traefik's router and entrypoint, the backend, an HTTP request. "
            "Each is ok, failed with the reason, or skipped saying why.")
    BINDINGS = bindings("screen.back")

    def __init__(self, route: RouteRow) -> None:
        super().__init__()
        self.route = route
        self.hops: list[Hop] = []
        self.done = False

    @property
    def deck(self) -> Deck:
        return self.app  # type: ignore[return-value]  # the App implements the port

    def compose(self) -> ComposeResult:
        yield ClusterHeader()
        yield Static(id="diagnose-title")
        yield Static(id="hops")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ClusterHeader).show(**self.deck.header_facts("routes"), health=self.deck.store.health())
        hosts = ", ".join(self.route.hosts) or "no host"
        title = Text(f"Diagnose {visible(route_name(self.route), one_line=True)}", "bold")
        title.append(f"  {self.route.source}  {visible(hosts, one_line=True)}")
        self.query_one("#diagnose-title", Static).update(title)
        facts = NetworkFacts.from_store(self.deck.store)  # on the loop: the worker never reads the store
        self.render_hops()
        self.check(facts)

    @work(thread=True, group="diagnose", exit_on_error=False)
    def check(self, facts: NetworkFacts) -> None:
        origin = self.deck.connection.origin
        url = self.deck.traefik_api_url()
        if url:
            from tui.core.traefik_api import fetch_entrypoints

            facts = replace(facts, entrypoints=fetch_entrypoints(url) or {})
        resolver, http = live_tools(origin)
        for hop in route_hops(self.route, facts, resolver, http, origin, self.deck.clock.now()):
            self.post_message(HopChecked(hop))

    def on_hop_checked(self, message: HopChecked) -> None:
        self.hops.append(message.hop)
        self.done = len(self.hops) == len(HOPS)
        self.render_hops()

    def render_hops(self) -> None:
        # a grid, so a long reason wraps under the reason column, not under the hop's name
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True, width=7)
        grid.add_column(ratio=1)
        for i, name in enumerate(HOPS):
            label = f"{i + 1}. {HOP_WORD[name]}"
            if i < len(self.hops):
                hop = self.hops[i]
                grid.add_row(Text(label, "bold"), Text(hop.status, STATUS_STYLE[hop.status]),
                             Text(visible(hop.reason, one_line=True)))
            else:
                grid.add_row(Text(label, c.DIM), Text("…", c.DIM),
                             Text("checking" if i == len(self.hops) else "waiting", c.DIM))
        verdict = Text()
        if self.done:
            failed = [h for h in self.hops if h.status == "failed"]
            verdict = Text(f"{len(failed)} hop(s) failed: {', '.join(HOP_WORD[h.hop] for h in failed)}"
                           if failed else "every hop checked is ok", c.BAD if failed else c.OK)
        self.query_one("#hops", Static).update(Group(grid, Text(), verdict))

    def refresh_from_store(self, layers: Any, health: bool) -> None:
        """The header follows the sources; the verdict is of the moment the screen opened."""
        if health:
            self.query_one(ClusterHeader).show(**self.deck.header_facts("routes"), health=self.deck.store.health())

    def action_back(self) -> None:
        self.app.pop_screen()
