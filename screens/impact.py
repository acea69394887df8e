"""Impact: what a node carries, and so what breaks if it goes; reachable from a volume, an LB,
a route, an app or a workload (which also show their own links; a volume and an LB the node
they depend on).

Findings ("would lose its last healthy replica") on top; below, one live table of every linked
object (enter: its detail, i: its own impact), so the operator can walk the cross-layer index.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.core.findings import Finding, Severity
from tui.core.index import Impact, NodeImpact
from tui.core.layers import LAYER_WORD, pane_of
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.cluster_header import ClusterHeader
from tui.widgets.resource_table import Column, ResourceTable, TableRow

from .pane import RowKeys
from .pods import pod_status
from .volumes import volume_label


@dataclass(frozen=True)
class Link:
    section: str  # "attached here", "replica here", "LB IP", ...
    layer: str  # store layer of the row
    key: str
    row: Any
    state: Text
    name: str
    risk: bool = False  # this link is in danger (last healthy replica, degraded, ...)

    @property
    def table_key(self) -> str:
        return f"{self.section}|{self.layer}|{self.key}"


SECTION_ORDER = ("attached to", "announced by", "replica on", "runs on", "attached here", "last replica", "replica here", "volume", "LB IP",
                 "route", "workload", "app", "pod")


def subject_impact(store: Any, layer: str, row: Any) -> tuple[Impact, NodeImpact | None]:
    """The subject's own impact, and the impact of the node it depends on (attached / announced)."""
    index = store.impact()
    if layer == "nodes":
        node = index.for_node(row.name)
        return node, None
    if layer == "volumes":
        own = index.for_volume(row.key)
        node_name = row.node
    elif layer == "load_balancers":
        own = index.for_lb(row.key)
        node_name = row.announcing_node
    elif layer == "routes":
        own = index.for_route(row.key)
        node_name = None
    elif layer == "workloads":
        own = index.for_workload(row.key)
        node_name = None
    else:
        own = index.for_app(row.key)
        node_name = None
    return own, (index.for_node(node_name) if node_name else None)


def node_role(subject: Any, node: str) -> str:
    """How a node relates to the subject: where it is attached, announced, or just runs."""
    if getattr(subject, "node", None) == node:
        return "attached to"
    if getattr(subject, "announcing_node", None) == node:
        return "announced by"
    if node in (getattr(subject, "replica_nodes", None) or ()):
        return "replica on"
    return "runs on"


def links_of(store: Any, impact: Impact, prefix: str = "", subject: Any = None) -> list[Link]:
    """The linked objects of one Impact as table rows, each with a one-word state."""
    out: list[Link] = []

    def add(section: str, layer: str, key: str, name_of: Any, state_of: Any, risk_of: Any = None) -> None:
        row = store.row(layer, key)
        if row is None:
            return
        risk = bool(risk_of(row)) if risk_of else False
        out.append(Link(prefix + section, layer, key, row, state_of(row), name_of(row), risk))

    last = set(impact.last_replica_volumes) if isinstance(impact, NodeImpact) else set()
    attached = set(impact.volumes_attached) if isinstance(impact, NodeImpact) else set()
    for name in impact.nodes:
        if not isinstance(impact, NodeImpact):
            add(node_role(subject, name), "nodes", name, lambda r: r.name,
                lambda r: c.status("Ready" if r.ready else "NotReady" if r.ready is False else "Unknown"),
                lambda r: r.ready is not True)
    for key in impact.volumes:
        section = "attached here" if key in attached else "last replica" if key in last else \
            "replica here" if isinstance(impact, NodeImpact) else "volume"
        add(section, "volumes", key, volume_label,
            lambda r: c.status(r.robustness), lambda r, k=key: k in last or r.robustness != "healthy")
    for key in impact.load_balancers:
        # the IP alone in the name column (an IP is never cut); its Service goes with the state
        add("LB IP", "load_balancers", key, lambda r: c.first(r.ips) or r.key,
            lambda r: Text.assemble(c.status("pending") if r.pending else c.plain(r.announcing_node, "unannounced"),
                                    (f" · {r.key}", c.DIM)),
            lambda r: r.pending or not r.announcing_node)
    for key in impact.routes:
        add("route", "routes", key, lambda r: c.first(r.hosts),
            lambda r: c.styled(r.problems[0], c.BAD) if r.problems else c.styled("ok", c.OK),
            lambda r: bool(r.problems))
    for key in impact.workloads:
        add("workload", "workloads", key, lambda r: f"{r.namespace}/{r.name}",
            lambda r: c.ratio(r.ready, r.replicas), lambda r: (r.ready or 0) < (r.replicas or 0))
    for key in impact.apps:
        add("app", "apps", key, lambda r: r.name,
            lambda r: c.status(r.health), lambda r: r.health not in ("Healthy", None))
    for key in getattr(impact, "pods", ()):
        # "Running" alone would hide that it is not ready: READY goes with it
        add("pod", "pods", key, lambda r: r.key,
            lambda r: Text.assemble(pod_status(r), f" {r.ready}" if r.ready else ""), lambda r: r.broken)
    return out


class ImpactScreen(RowKeys, Screen[None]):
    CSS_PATH = "impact.tcss"
    AUTO_FOCUS = "#links"
    HELP = ("What this object links to across layers, and what breaks if its node goes. "
            "enter: detail of a link; i: impact of a link.")
    BINDINGS = bindings("screen.back", "screen.detail", "screen.impact", "rows.events", "impact.findings")

    def __init__(self, layer: str, row: Any) -> None:
        super().__init__()
        self.row_layer = layer
        self.subject = row
        self.links: dict[str, Link] = {}
        self.all_findings = False  # `f` shows every finding, not the first few


    def compose(self) -> ComposeResult:
        yield ClusterHeader()
        yield Static(id="impact-title")
        yield Static(id="findings")
        yield ResourceTable((
            Column("section", "LINK", 14),
            Column("name", "OBJECT", 28),
            Column("state", "STATE", 20, flex=True, cut="wrap"),  # prose: a node name or port never cut
            Column("key", "KEY", 40, min_screen=120),
        ), id="links")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_from_store(None, True)

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.refresh_from_store(None, True)

    def refresh_from_store(self, layers: frozenset[str] | None, health: bool) -> None:
        if health or layers is None:
            pane = pane_of(self.row_layer)
            self.query_one(ClusterHeader).show(**self.deck.header_facts(pane), health=self.deck.store.health())
        if layers is not None and not layers & {"impact", self.row_layer}:
            return
        store = self.deck.store
        current = store.row(self.row_layer, self.subject.key)
        if current is not None:
            self.subject = current
        own, node = subject_impact(store, self.row_layer, self.subject)
        links = links_of(store, own, subject=self.subject)
        if node is not None:
            seen = {(link.layer, link.key) for link in links}
            links += [link for link in links_of(store, node, prefix="node: ")
                      if (link.layer, link.key) not in seen]
        self.query_one("#impact-title", Static).update(self.title_text(own, node))
        self.query_one("#findings", Static).update(self.findings_text(own, node, links))
        order = {s: i for i, s in enumerate(SECTION_ORDER)}
        links.sort(key=lambda l: (l.section.startswith("node: "),
                                  order.get(l.section.removeprefix("node: "), 99), not l.risk, l.name))
        self.links = {link.table_key: link for link in links}
        table = self.query_one("#links", ResourceTable)
        table.reconcile([TableRow(link.table_key, (
            Text(link.section, style=c.BAD if link.risk else ""),
            Text(link.name, style="bold"),
            link.state,
            Text(link.row.label if link.layer == "routes" else link.key, style=c.DIM),  # a route key holds its kind
        )) for link in links])
        table.border_title = f"Linked objects ({len(links)})"

    def title_text(self, own: Impact, node: NodeImpact | None) -> Text:
        what = LAYER_WORD.get(self.row_layer, self.row_layer)
        name = volume_label(self.subject) if self.row_layer == "volumes" else \
            getattr(self.subject, "name", "") if self.row_layer in ("nodes", "apps") else \
            self.subject.label if self.row_layer == "routes" else self.subject.key
        text = Text(f"{what} ", style="bold")
        text.append(name, style="bold reverse")
        state = getattr(self.subject, "robustness", None) or getattr(self.subject, "health", None)
        if state:
            text.append(" ")
            text.append_text(c.status(state))
        elif self.row_layer == "workloads":  # its pods ready, as the Workloads pane shows them
            text.append(" ")
            text.append_text(c.ratio(self.subject.ready, self.subject.replicas))
            text.append(" ready")
        if node is not None:
            via = "attached to" if self.row_layer == "volumes" else "announced by"
            text.append(f"  {via} ", style="bold")
            text.append(node.subject.removeprefix("node "), style="bold reverse")
            text.append(", which carries:", style="bold")
        return text

    def readable(self, finding: str) -> str:
        """Longhorn names (pvc-3f6c…) replaced by the PVC people know."""
        for v in self.deck.store.rows("volumes"):
            if v.pvc and v.name in finding:
                finding = finding.replace(f"volume {v.name}", f"volume {v.pvc}")
        return finding

    def findings_text(self, own: Impact, node: NodeImpact | None, links: list[Link]) -> Text:
        findings = list(own.findings) + [f for f in (node.findings if node else ()) if f not in own.findings]
        # linked objects already in trouble (a degraded volume of an app, a route's pending LB)
        for link in links:
            if link.risk and not link.section.startswith("node: ") and link.key != self.subject.key:
                what = LAYER_WORD.get(link.layer, link.layer)
                if link.layer == "workloads":
                    sentence = f"{what} {link.name} has {link.state.plain} pods ready"
                elif link.layer == "routes":  # its state is its first problem, not an adjective
                    sentence = f"{what} {link.name}: {link.state.plain}"
                else:
                    sentence = f"{what} {link.name} is {link.state.plain}"
                if not any(f.text.startswith(sentence) for f in findings):  # the index said it already
                    findings.append(Finding(Severity.WARNING, f"{what} {link.name}", sentence,
                                            (f"{link.layer}|{link.key}",)))
        # worst first (a stable sort keeps core's order within a severity)
        findings = sorted((replace(f, text=self.readable(f.text)) for f in findings), key=lambda f: f.severity)
        if not own.found:
            return Text(f"{own.subject}: no longer in the store (deleted?)", style=c.WARN)
        if not findings:
            return Text("no cross-layer risk found", style=c.DIM)
        limit = len(findings) if self.all_findings else 4
        text = Text()
        for i, finding in enumerate(findings[:limit]):
            if i:
                text.append("\n")
            danger = finding.severity is Severity.PROBLEM
            text.append("✖ " if danger else "! ", style=c.BAD if danger else c.WARN)
            text.append(finding.text)
        if len(findings) > limit:
            text.append(f"\n… {len(findings) - limit} more findings (f: show all)", style=c.DIM)
        return text

    def action_findings(self) -> None:
        self.all_findings = not self.all_findings
        self.refresh_from_store(None, False)

    # --- keys -----------------------------------------------------------------------------
    def _cursor_link(self) -> Link | None:
        key = self.query_one("#links", ResourceTable).cursor_key
        return self.links.get(key) if key else None

    def cursor_target(self) -> tuple[str, Any] | None:
        link = self._cursor_link()
        return None if link is None else (link.layer, link.row)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("detail", "impact"):
            return self.row_key_state(action)
        return True

    def action_back(self) -> None:
        self.app.pop_screen()
