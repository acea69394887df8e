"""Detail of one object: key facts (every row field, including those the tables truncate),
its conditions, its events (fetched on demand through the API client), and its raw YAML."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import yaml
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from tui.core import kube_http
from tui.core.clock import age, parse_time
from tui.core.errors import describe_error
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.cluster_header import ClusterHeader

if TYPE_CHECKING:
    from tui.app import ClusterDeckApp

LAYER_KIND = {
    "nodes": "nodes", "volumes": "lh_volumes", "lh_nodes": "lh_nodes", "replicas": "lh_replicas",
    "ip_pools": "ip_pools", "load_balancers": "services", "apps": "applications",
}
LAYER_PANE = {"volumes": "volumes", "lh_nodes": "volumes", "replicas": "volumes",
              "ip_pools": "network", "load_balancers": "network"}


def raw_ref(layer: str, row: Any) -> tuple[str, str]:
    """(KINDS key, "ns/name") of the object a row was parsed from, for store.get()."""
    if layer == "routes":
        if row.source == "Ingress":
            return "ingresses", row.key
        legacy = row.api_group == "traefik.containo.us"
        return ("ingressroutes_legacy" if legacy else "ingressroutes"), row.key
    if layer == "workloads":
        kind = "deployments" if row.kind == "Deployment" else "statefulsets"
        return kind, f"{row.namespace}/{row.name}" if row.namespace else row.name
    return LAYER_KIND.get(layer, layer), row.key


def fetch_events(api_client: Any, obj: dict[str, Any]) -> list[dict[str, Any]]:
    """Events whose involvedObject is this object (runs on a worker thread)."""
    meta = obj.get("metadata") or {}
    name, namespace, kind = meta.get("name"), meta.get("namespace"), obj.get("kind")
    path = f"/api/v1/namespaces/{namespace}/events" if namespace else "/api/v1/events"
    answer = kube_http.request_json(api_client, "GET", path,
                                    query=[("fieldSelector", f"involvedObject.name={name}")],
                                    timeout=(3.0, 10.0))
    items = answer.get("items") if isinstance(answer, dict) else None
    events = [e for e in items or [] if isinstance(e, dict)
              and (e.get("involvedObject") or {}).get("name") == name
              and (e.get("involvedObject") or {}).get("kind") in (kind, None)]
    return sorted(events, key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))


def facts_table(row: Any) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for name, value in row.to_json().items():
        if value in (None, "", [], ()):
            continue
        if isinstance(value, list):
            value = "\n".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, int) and (name.endswith("_bytes") or name.startswith("storage_")):
            value = f"{c.size(value)} ({value} bytes)"
        table.add_row(name.replace("_", " ").removesuffix(" bytes"), Text(str(value)))
    return table


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
            Text(str(cond.get("type", "?")), style="bold"),
            Text(status, style=c.OK if status == "True" else c.WARN if status == "False" else c.DIM),
            Text(age(when, now) if when else "-", style=c.DIM),
            Text(str(cond.get("reason") or "")),
            Text(str(cond.get("message") or "")),
        )
    return table


def events_table(events: list[dict[str, Any]], now: Any) -> Table | Text:
    if not events:
        return Text("no events", style=c.DIM)
    table = Table.grid(padding=(0, 1))
    for e in events[-20:]:
        kind = str(e.get("type") or "")
        when = parse_time(e.get("lastTimestamp") or e.get("eventTime"))
        count = e.get("count")
        table.add_row(
            Text(kind, style=c.WARN if kind == "Warning" else c.DIM),
            Text(str(e.get("reason") or ""), style="bold"),
            Text((age(when, now) if when else "-") + (f" x{count}" if isinstance(count, int) and count > 1 else ""),
                 style=c.DIM),
            Text(str(e.get("message") or "")),
        )
    return table


def object_yaml(obj: dict[str, Any]) -> str:
    clean = json.loads(json.dumps(obj))  # a copy: the store's object stays untouched
    (clean.get("metadata") or {}).pop("managedFields", None)
    return yaml.safe_dump(clean, sort_keys=False, default_flow_style=False, width=200)


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
        self.events: list[dict[str, Any]] | None = None  # None until fetched
        self.events_problem: str | None = None  # why they could not be fetched

    @property
    def deck(self) -> ClusterDeckApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield ClusterHeader()
        with VerticalScroll(id="detail-body"):
            yield Static(id="title")
            yield Static("Facts", classes="section")
            yield Static(id="facts")
            yield Static("Conditions", classes="section")
            yield Static(id="conditions")
            yield Static("Events", classes="section", id="events-title")
            yield Static(Text("loading events…", style=c.DIM), id="events")
            yield Static("YAML", classes="section", id="yaml-title")
            yield Static(id="yaml")
        yield Footer()

    def on_mount(self) -> None:
        pane = LAYER_PANE.get(self.row_layer, self.row_layer)
        self.query_one(ClusterHeader).show(**self.deck.header_facts(pane), health=self.deck.store.health())
        obj = self.deck.store.get(self.kind_key, self.ref)
        kind = obj.get("kind", self.kind_key) if isinstance(obj, dict) else self.kind_key
        self.query_one("#title", Static).update(Text.assemble((f"{kind} ", "bold"), (self.ref, "bold reverse")))
        self.query_one("#facts", Static).update(facts_table(self.row))
        now = self.deck.clock.now()
        if not isinstance(obj, dict):
            missing = Text("the object is no longer in the store (deleted?)", style=c.WARN)
            for widget in ("#conditions", "#events", "#yaml"):
                self.query_one(widget, Static).update(missing)
            return
        self.query_one("#conditions", Static).update(conditions_table(obj, now))
        self.query_one("#yaml", Static).update(Text(object_yaml(obj)))
        self.run_worker(lambda: fetch_events(self.deck.connection.api_client, obj), thread=True,
                        group="detail-events", exit_on_error=False, name="events")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "detail-events":
            return
        widget = self.query_one("#events", Static)
        if event.state == WorkerState.SUCCESS:
            self.events = list(event.worker.result or [])
            widget.update(events_table(self.events, self.deck.clock.now()))
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            status = getattr(error, "status", None)
            reason = {403: "forbidden: cannot list events", 404: "events not served"}.get(
                status or 0, describe_error(error) if error else "unknown error")
            self.events_problem = f"events unavailable: {reason}"
            widget.update(Text(self.events_problem, style=c.WARN))

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
