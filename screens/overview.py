"""Overview: all five layers in one screen, what needs attention listed first.

The attention list is a live table (enter: detail, i: impact of the object); below it one summary
block per layer with bars for Longhorn storage per node and MetalLB pool usage, and the sources'
health chips with their age.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.attention import LAYER_RANK
from tui.core.attention import attention as core_attention
from tui.core.clock import age
from tui.core.events import ABSENT_STATES, SourceState
from tui.core.findings import Finding
from tui.core.kinds import KINDS
from tui.core.literal import visible
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.cluster_header import PANES
from tui.widgets.resource_table import Column, ResourceTable
from tui.widgets.source_banner import PANE_KINDS, PRODUCT, pane_label, pane_state

from .pane import PaneScreen

LOG_LAYERS = frozenset({"pods", "workloads", "apps"})  # rows whose `l` opens logs (screens/logs.py)


@dataclass(frozen=True)
class Attention:
    """One of core's findings as a table row: the row it links to, and KIND / OBJECT / PROBLEM."""

    finding: Finding
    row: Any  # the store row of the finding's first link (None when it is gone)

    @property
    def layer(self) -> str:
        return self.finding.links[0].split("|", 1)[0] if self.finding.links else ""

    @property
    def key(self) -> str:
        return self.finding.links[0] if self.finding.links else f"finding|{self.finding.subject}"

    @property
    def severity(self) -> int:
        return int(self.finding.severity)

    @property
    def what(self) -> str:  # "pod" of "pod wiki/wiki-db-0"
        return self.finding.subject.partition(" ")[0]

    @property
    def name(self) -> str:
        return self.finding.subject.partition(" ")[2] or self.finding.subject

    @property
    def problem(self) -> str:
        return self.finding.text


def attention(store: Any) -> list[Attention]:
    """Everything that is not fine, worst first, as core judges it (tui/core/attention.py)."""
    out = []
    for finding in core_attention(store):
        layer, _, key = finding.links[0].partition("|") if finding.links else ("", "", "")
        out.append(Attention(finding, store.row(layer, key) if layer else None))
    return out


def _counts(values: Iterable[str | None]) -> str:
    counts = Counter(v or "unknown" for v in values)
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


class OverviewScreen(PaneScreen):
    PANE = "overview"
    TITLE = "Needs attention"
    LAYER = ""
    CSS_PATH = "overview.tcss"
    HELP = "Everything degraded first, then one summary per layer. enter/i on a row drills down."
    COLUMNS = (
        Column("what", "KIND", 11),
        Column("name", "OBJECT", 20),
        Column("problem", "PROBLEM", 30, flex=True, cut="wrap"),  # the cause: wrapped, not cut
    )
    BINDINGS = [*PaneScreen.BINDINGS, *bindings("rows.logs", "overview.full_text")]

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[str, Attention] = {}

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="overview-body"):
            yield from super().compose_body()
            yield Static(id="summary")

    def depends_on(self, layers: frozenset[str]) -> bool:
        return True

    def refresh_header(self) -> None:
        super().refresh_header()
        self.refresh_table()

    def source_rows(self) -> list[Any]:
        items = attention(self.deck.store)
        self._items = {a.key: a for a in items}
        return items

    def sort_key(self, row: Attention) -> Any:
        return (row.severity, LAYER_RANK.get(row.layer, 9), row.name)

    def cells(self, row: Attention) -> tuple[Text, ...]:
        style = c.BAD if row.severity == 0 else c.WARN
        return (Text(row.what, style=style), Text(row.name, style="bold"), Text(row.problem, style=style))

    def refresh_table(self, changed: set[str] | None = None) -> None:
        super().refresh_table(changed)
        table = self.table
        table.border_title = f"Needs attention ({len(self._items)})" if self._items else "All clear"
        table.set_class(not self._items, "-empty")
        self.query_one("#summary", Static).update(self.summary())

    def rows_for_table(self, table: ResourceTable) -> dict[str, Any]:
        return self._items

    def cursor_row(self) -> Any | None:
        item = super().cursor_row()
        return item.row if isinstance(item, Attention) else None

    def selected_rows(self) -> list[Any]:
        row = self.cursor_row()
        return [row] if row is not None else []

    def _cursor_layer(self) -> str:
        key = self.table.cursor_key or ""
        item = self._items.get(key)
        return item.layer if item else ""

    def layer_of(self, table: ResourceTable) -> str:
        return self._cursor_layer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "impact" and self._cursor_layer() == "workloads":
            return None
        if action == "row_logs":  # the broken pod's (or its workload's, its app's) logs, one key away
            return True if self._cursor_layer() in LOG_LAYERS else None
        if action == "full_text":
            return True if self._items.get(self.table.cursor_key or "") else None
        return super().check_action(action, parameters)

    def action_full_text(self) -> None:
        """The whole finding, however long: the table wraps it to two lines at most."""
        item = self._items.get(self.table.cursor_key or "")
        if item is not None:
            self.notify(f"{item.finding.subject}: {item.finding.detail or item.problem}", title="Needs attention",
                        severity="error" if item.severity == 0 else "warning", timeout=20, markup=False)

    # --- the summary blocks -----------------------------------------------------------------
    def loading_line(self) -> Text | None:
        """Lists still paging in: "volumes.longhorn.io 8,500 / 20,000" (counts below are partial)."""
        loading = self.deck.store.loading()
        if not loading:
            return None
        parts = []
        for key, (loaded, total) in sorted(loading.items()):
            kind = KINDS[key]
            name = f"{kind.plural}.{kind.group}" if kind.group else kind.plural
            parts.append(f"{name} {loaded:,} / {total:,}" if total is not None else f"{name} {loaded:,} so far")
        return Text("loading " + ", ".join(parts), style=c.WARN)

    def summary(self) -> Table:
        store = self.deck.store
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", width=9)
        grid.add_column()
        # first: with a stale banner above, the health of the sources must not drop below the fold
        grid.add_row("Sources", self.health_chips())
        loading = self.loading_line()
        if loading is not None:
            grid.add_row("Loading", loading)
        nodes = store.rows("nodes")
        ready = sum(1 for n in nodes if n.ready)
        cordoned = sum(1 for n in nodes if n.unschedulable)
        pressure = sum(1 for n in nodes if n.pressure)
        grid.add_row("Nodes", Text.assemble(
            c.ratio(ready, len(nodes)), " ready", f", {cordoned} cordoned, {pressure} under pressure"))
        volumes = store.rows("volumes")
        grid.add_row("Longhorn", Text(
            f"{c.count(len(volumes), 'volume')}: {_counts(v.robustness for v in volumes)}; "
            f"{_counts(v.state for v in volumes)}") if volumes else self.nothing("volumes", "volumes"))
        storage = self.storage_bars()
        if storage is not None:
            grid.add_row("", storage)
        trouble = self.storage_trouble()
        if trouble is not None:
            grid.add_row("", trouble)
        pools = store.rows("ip_pools")
        lbs = store.rows("load_balancers")
        pending = sum(1 for lb in lbs if lb.pending)
        line = Text()
        for p in pools:
            line.append(f"{p.name} ")
            line.append_text(c.bar(p.used, p.total, width=10))
            line.append(f" {p.used}/{p.total if p.total is not None else '∞'}  ")
        line.append(f"{c.count(len(lbs), 'LB service')}, {pending} pending", style=c.WARN if pending else "")
        grid.add_row("MetalLB", line if pools or lbs else self.nothing("network", "LB services"))
        routes = store.rows("routes")
        broken = sum(1 for r in routes if r.problems)
        grid.add_row("Traefik", Text(f"{c.count(len(routes), 'route')}, ") + Text(
            f"{broken} with problems", style=c.BAD if broken else c.OK)
            if routes else self.nothing("routes", "routes"))
        apps = store.rows("apps")
        running = sum(1 for a in apps if a.operation == "Running")
        grid.add_row("Argo CD", Text(
            f"{c.count(len(apps), 'app')}: {_counts(a.sync for a in apps)}; "
            f"{_counts(a.health for a in apps)}; {c.count(running, 'operation')} running")
            if apps else self.nothing("apps", "applications"))
        return grid

    def nothing(self, pane: str, what: str) -> Text:
        """An empty layer: "no volumes" only when the source answered; otherwise why it is empty
        (forbidden, not installed, still connecting, stale)."""
        state = pane_state(pane, self.deck.store.health())
        if state == SourceState.OK:
            return Text(f"no {what}")
        style = c.DIM if state in (SourceState.CONNECTING, *ABSENT_STATES) else c.BAD
        word = {SourceState.NOT_INSTALLED: f"{PRODUCT[pane]} not installed",
                SourceState.NOT_IN_DUMP: f"{what}: not in the dump",
                SourceState.CONNECTING: "connecting…"}.get(state, f"{what}: {state.value.replace('_', ' ')}")
        return Text(word, style=style)

    def storage_bars(self) -> Table | Text | None:
        lh_nodes = sorted(self.deck.store.rows("lh_nodes"), key=lambda n: n.name)
        if not lh_nodes:
            return None
        if self.app.size.width < 120:
            return self.storage_line(lh_nodes)
        bars = Table.grid(padding=(0, 2))
        per_line = 2 if self.app.size.width < 120 else 3
        for _ in range(per_line):
            bars.add_column()
        cells_: list[Text] = []
        for n in lh_nodes:
            used = (n.storage_maximum or 0) - (n.storage_available or 0)
            cell = Text(f"{n.name:<10}")
            cell.append_text(c.bar(used if n.storage_maximum else None, n.storage_maximum, width=10))
            if per_line > 2 and n.storage_maximum:
                cell.append(f" {c.size(used)}/{c.size(n.storage_maximum)}", style=c.DIM)
            cells_.append(cell)
        for i in range(0, len(cells_), per_line):
            bars.add_row(*cells_[i:i + per_line])
        return bars

    def storage_trouble(self) -> Text | None:
        """Where Longhorn cannot place replicas: nodes not schedulable (switched off or by their
        condition) and disks whose conditions are not True, with Longhorn's reason."""
        parts = []
        for n in sorted(self.deck.store.rows("lh_nodes"), key=lambda n: n.name):
            if n.allow_scheduling is False:
                parts.append(f"{n.name} scheduling off")
            elif n.schedulable is False:
                why = f" ({n.schedulable_reason})" if n.schedulable_reason else ""
                parts.append(f"{n.name} not schedulable{why}")
            else:
                parts += [f"{n.name} disk {d.name}: {', '.join(d.problems)}" for d in n.disks if d.problems]
        return Text("; ".join(visible(p) for p in parts), style=c.WARN) if parts else None

    def storage_line(self, lh_nodes: list[Any]) -> Text:
        """At 80 columns one line: the range of storage use, and the nodes above 75 % by name."""
        used = {n.name: ((n.storage_maximum or 0) - (n.storage_available or 0)) / n.storage_maximum
                for n in lh_nodes if n.storage_maximum}
        if not used:
            return Text(f"storage unknown on {c.count(len(lh_nodes), 'node')}", style=c.DIM)
        low, high = min(used.values()), max(used.values())
        out = Text(f"storage {low * 100:.0f}–{high * 100:.0f}% used on {c.count(len(used), 'node')}")
        full = sorted((name for name, r in used.items() if r > 0.75), key=lambda k: -used[k])
        for name in full:
            out.append(f"  {name} {used[name] * 100:.0f}%", style=c.BAD if used[name] > 0.9 else c.WARN)
        return out

    def health_chips(self) -> Text:
        health = self.deck.store.health()
        now = self.deck.clock.now()
        text = Text()
        fine: list[str] = []
        panes = [pane for pane, _, _ in PANES if pane in PANE_KINDS]  # a pane without sources has no chip
        for pane in panes:
            state = pane_state(pane, health)
            label = pane_label(pane)
            if state == SourceState.OK:
                fine.append(label)
                continue
            since = [h.since for k, h in health.items()
                     if k in PANE_KINDS[pane] and h.since and h.state == state]
            style = {SourceState.OK: c.OK, SourceState.CONNECTING: c.DIM,
                     SourceState.NOT_INSTALLED: c.DIM, SourceState.NOT_IN_DUMP: c.DIM}.get(state, c.BAD)
            text.append(f"{label}:", style="")
            text.append(state.value.replace("_", " "), style=style)
            if since and state not in ABSENT_STATES:  # how long a fault lasts; an absent kind has no age
                text.append(f" {age(min(since), now)}", style=c.DIM)
            text.append("  ")
        if fine:  # one word for the sources that are fine: the line stays one line at 80 columns
            text.append("all ok" if len(fine) == len(panes) else "others ok", style=c.OK)
        return text
