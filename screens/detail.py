"""Detail of one object: key facts (every row field, including those the tables truncate),
its conditions, its pods (for a node, volume, workload, app, LB or route), its events (live from
the store's aggregated events), and its raw YAML."""
from __future__ import annotations

import json
from typing import Any, cast

import yaml
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.core.clock import age, parse_time
from tui.core.events import SourceState
from tui.core.layers import LAYER, pane_of
from tui.core.literal import visible
from tui.core.parsers.events import seen_at
from tui.core.ports import Deck
from tui.core.rows import EventRow, PodRow
from tui.core.secrets import mask_object
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.cluster_header import ClusterHeader

from .events import event_refs, event_type, subject_events, warnings_first
from .pods import broken_rank, pod_ready, pod_status, restarts

# layers whose rows have pods behind them (store.pods_of): the detail lists them
PODS_SECTION = ("nodes", "volumes", "load_balancers", "routes", "apps", "workloads")


def raw_ref(layer: str, row: Any) -> tuple[str, str]:
    """(KINDS key, "ns/name") of the object a row was parsed from, for store.get()."""
    if layer == "routes":
        return row.bucket, row.ref
    if layer == "workloads":
        kind = "deployments" if row.kind == "Deployment" else "statefulsets"
        return kind, f"{row.namespace}/{row.name}" if row.namespace else row.name
    return (LAYER[layer].object_kind if layer in LAYER else layer), row.key


def facts_table(row: Any) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for name, value in row.to_json().items():
        if value in (None, "", [], ()):
            continue
        if isinstance(value, list):
            value = "\n".join(map(_fact_item, value))
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, int) and (name.endswith("_bytes") or name.startswith("storage_")):
            value = f"{c.size(value)} ({value} bytes)"
        table.add_row(name.replace("_", " ").removesuffix(" bytes"), Text(visible(str(value))))
    return table


def _fact_item(value: Any) -> str:
    """One entry of a list fact; a nested row (an app's history entry or resource) as its values."""
    if not isinstance(value, dict):
        return str(value)
    parts = (", ".join(map(str, v)) if isinstance(v, list) else str(v) for v in value.values()
             if v is not None and v is not False and v != "" and v != [])  # id 0 stays
    return "  ".join(parts)


def conditions_table(obj: dict[str, Any], now: Any) -> Table | Text:
    conditions = (obj.get("status") or {}).get("conditions")
    if not isinstance(conditions, list) or not conditions:
        return Text("none reported", style=c.DIM)
    table = Table.grid(padding=(0, 2))
    for cond in conditions:
        if not isinstance(cond, dict):
            continue
        status = str(cond.get("status", "?"))
        when = parse_time(cond.get("lastTransitionTime"))
        table.add_row(
            Text(visible(str(cond.get("type", "?"))), style="bold"),
            Text(visible(status), style=c.OK if status == "True" else c.WARN if status == "False" else c.DIM),
            Text(age(when, now) if when else "-", style=c.DIM),
            Text(visible(str(cond.get("reason") or ""))),
            Text(visible(str(cond.get("message") or ""))),
        )
    return table


def events_table(events: list[EventRow], now: Any) -> Table | Text:
    """The object's aggregated events, newest first (as the store keeps them, live)."""
    if not events:
        return Text("no events", style=c.DIM)
    table = Table.grid(padding=(0, 1))
    for e in sorted(events, key=warnings_first)[:20]:
        count = f" x{e.count}" if e.count > 1 else ""
        table.add_row(
            event_type(e),
            Text(visible(e.reason or ""), style="bold"),
            Text(c.age_of(seen_at(e), now).plain + count, style=c.DIM),
            Text(visible(e.message or "")),
        )
    return table


def events_problem(store: Any) -> str | None:
    """Why the store has no events to show (the events source cannot list them), or None."""
    health = store.health().get("events")
    state = getattr(health, "state", None)
    if state is SourceState.FORBIDDEN:
        return "events unavailable: forbidden: cannot list events"
    if state is SourceState.NOT_INSTALLED:
        return "events unavailable: events not served"
    if state is SourceState.NOT_IN_DUMP:
        return "events unknown: the dump holds none"
    return None


def pods_table(pods: list[PodRow], now: Any) -> Table | Text:
    """The pods behind a row (a node's, a workload's, an app's, a volume's), broken first."""
    if not pods:
        return Text("no pods", style=c.DIM)
    table = Table.grid(padding=(0, 2))
    for pod in sorted(pods, key=lambda p: (broken_rank(p), p.key)):
        table.add_row(Text(pod.key, style="bold"), pod_ready(pod), pod_status(pod), restarts(pod, now),
                      c.plain(pod.node, "<none>"))
    return table


def object_yaml(obj: dict[str, Any]) -> str:
    clean = mask_object(json.loads(json.dumps(obj)))  # a copy, secrets masked (tui/core/secrets.py)
    (clean.get("metadata") or {}).pop("managedFields", None)
    return visible(yaml.safe_dump(clean, sort_keys=False, default_flow_style=False, width=200))


class DetailScreen(Screen[None]):
    CSS_PATH = "detail.tcss"
    AUTO_FOCUS = "#detail-body"
    HELP = "Key facts, conditions, events and the raw YAML of one object. y: jump to YAML."
    BINDINGS = bindings("screen.back", "screen.impact", "detail.events", "detail.yaml",
                        "detail.down", "detail.up")

    def __init__(self, layer: str, row: Any) -> None:
        super().__init__()
        self.row_layer = layer
        self.row = row
        self.kind_key, self.ref = raw_ref(layer, row)
        self.event_refs = event_refs(layer, row)
        self.events: list[EventRow] = []  # as last shown, live from the store
        self.events_problem: str | None = None  # why the store has none to show
        self.live = False  # set once mounted with the object: from then on events and pods follow the store

    @property
    def deck(self) -> Deck:
        return cast("Deck", self.app)  # the App implements the port (tui/app.py checks)

    def compose(self) -> ComposeResult:
        yield ClusterHeader()
        with VerticalScroll(id="detail-body"):
            yield Static(id="title")
            yield Static("Facts", classes="section")
            yield Static(id="facts")
            yield Static("Conditions", classes="section")
            yield Static(id="conditions")
            if self.row_layer in PODS_SECTION:
                yield Static("Pods", classes="section", id="pods-title")
                yield Static(id="pods")
            yield Static("Events", classes="section", id="events-title")
            yield Static(Text("loading events…", style=c.DIM), id="events")
            yield Static("YAML", classes="section", id="yaml-title")
            yield Static(id="yaml")
        yield Footer()

    def on_mount(self) -> None:
        pane = pane_of(self.row_layer)
        self.query_one(ClusterHeader).show(**self.deck.header_facts(pane), health=self.deck.store.health())
        obj = self.deck.store.get(self.kind_key, self.ref)
        kind = obj.get("kind", self.kind_key) if isinstance(obj, dict) else self.kind_key
        self.query_one("#title", Static).update(Text.assemble((visible(f"{kind} "), "bold"), (visible(self.ref), "bold reverse")))
        self.query_one("#facts", Static).update(facts_table(self.row))
        now = self.deck.clock.now()
        if not isinstance(obj, dict):
            missing = Text("the object is no longer in the store (deleted?)", style=c.WARN)
            for widget in ("#conditions", "#events", "#yaml"):
                self.query_one(widget, Static).update(missing)
            return
        self.query_one("#conditions", Static).update(conditions_table(obj, now))
        self.query_one("#yaml", Static).update(Text(object_yaml(obj)))
        self.live = True
        self.refresh_from_store(None, False)

    def refresh_from_store(self, layers: frozenset[str] | None, health: bool) -> None:
        """Events and pods follow the store live; facts, conditions and YAML stay as opened."""
        if not self.live:
            return
        store, now = self.deck.store, self.deck.clock.now()
        if layers is None or "events" in layers or health:
            self.events = subject_events(store, self.event_refs)
            self.events_problem = None if self.events else events_problem(store)
            shown = Text(self.events_problem, style=c.WARN) if self.events_problem else \
                events_table(self.events, now)
            self.query_one("#events", Static).update(shown)
        if self.row_layer in PODS_SECTION and (layers is None or "pods" in layers or "impact" in layers):
            self.query_one("#pods", Static).update(pods_table(store.pods_of(self.row_layer, self.row.key), now))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_impact(self) -> None:
        self.deck.open_impact(self.row_layer, self.row)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "impact":
            return self.deck.has_impact(self.row_layer)
        return True

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#detail-body", VerticalScroll)
        (body.scroll_down if direction == "down" else body.scroll_up)(animate=False)

    def action_yaml(self) -> None:
        self.query_one("#yaml-title").scroll_visible(top=True, animate=False)

    def action_events(self) -> None:
        self.query_one("#events-title").scroll_visible(top=True, animate=False)
