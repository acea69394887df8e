"""Network pane (MetalLB): address pools with usage bars, LoadBalancer services with their IP,
pool and the node that announces it. `tab` moves between the two tables."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult

from tui.core.rows import IpPoolRow, LoadBalancerRow
from tui.keymap import bindings
from tui.widgets import cells as c
from tui.widgets.resource_table import Column, ResourceTable, TableRow

from .pane import PaneScreen

POOL_COLUMNS = (
    Column("name", "POOL", 12, flex=True),  # what is left after the addresses, which are never cut
    Column("usage", "USED", 15),
    Column("count", "IPS", 7, cut="never"),
    Column("addresses", "ADDRESSES", 29, cut="never"),
    Column("flags", "FLAGS", 12, min_screen=100),
)


def pool_flags(row: IpPoolRow) -> Text:
    flags = Text()
    flags.append("auto " if row.auto_assign else "manual ", style="" if row.auto_assign else c.DIM)
    by = "+".join(row.advertised_by).lower() or ("l2" if row.advertised else "")
    flags.append(by or "not-advertised", style="" if by else c.BAD)
    return flags


def pool_usage(row: IpPoolRow) -> tuple[int, int | None, Text]:
    """(used, total, the IPS cell): MetalLB's own count (status, >= 0.15) when it wrote one,
    ours from the Services otherwise; both when they disagree."""
    total = row.total
    if row.reported_used is None:
        return row.used, total, c.plain(f"{row.used}/{'∞' if total is None else total}")
    used = row.reported_used
    if row.reported_available is not None:
        total = used + row.reported_available
    cell = Text(f"{used}/{'∞' if total is None else total}")
    if used != row.used:
        cell.append(f" (Services hold {row.used})", style=c.WARN)
    return used, total, cell


def l2_statuses_exist(store: Any) -> bool:
    """Whether any ServiceL2Status is known: without one, "announced by no node" is not a fact
    (an older MetalLB, or the kind forbidden), only unknown."""
    return bool(store.parsed("l2_statuses"))


def announced_cell(row: LoadBalancerRow, statuses: bool) -> Text:
    if not row.ips:
        return c.plain(None)
    if row.announcing_node:
        return c.plain(row.announcing_node)
    return c.styled("none", c.BAD) if statuses else c.styled("unknown", c.DIM)


class NetworkScreen(PaneScreen):
    PANE = "network"
    TITLE = "LoadBalancer services"
    LAYER = "load_balancers"
    CSS_PATH = "network.tcss"
    AUTO_FOCUS = "#table"  # the services: where impact (i) applies
    HELP = "MetalLB pools (usage) and LoadBalancer services: IP, pool, announcing node. tab: switch table."
    BINDINGS = bindings("pane.next_table")
    COLUMNS = (
        Column("name", "SERVICE", 20, flex=True),
        Column("ips", "IP", 15, cut="never"),
        Column("pool", "POOL", 10),
        Column("node", "ANNOUNCED BY", 12),
        Column("ports", "PORTS", 16, min_screen=100, cut="never"),
        Column("policy", "POLICY", 8, min_screen=120),
    )

    def __init__(self) -> None:
        super().__init__()
        self.pools_by_key: dict[str, IpPoolRow] = {}

    def compose_body(self) -> ComposeResult:
        pools = ResourceTable(POOL_COLUMNS, id="pools")
        pools.border_title = "Address pools"
        yield pools
        yield from super().compose_body()

    def depends_on(self, layers: frozenset[str]) -> bool:
        return "ip_pools" in layers

    def refresh_table(self, changed: set[str] | None = None) -> None:
        pools = list(self.deck.store.rows("ip_pools"))
        self.pools_by_key = {r.key: r for r in pools}
        table = self.query_one("#pools", ResourceTable)
        wanted = []
        for row in sorted(pools, key=lambda p: p.name):
            wanted.append(TableRow(row.key, self.pool_cells(row)))
        table.reconcile(wanted)
        table.border_title = f"Address pools ({len(pools)})"
        super().refresh_table(changed)

    def pool_cells(self, row: IpPoolRow) -> tuple[Text, ...]:
        used, total, count = pool_usage(row)
        return (
            Text(row.name, style="bold"),
            c.bar(used, total, width=8),
            count,
            c.plain(", ".join(row.addresses)),
            pool_flags(row),
        )

    def sort_key(self, row: LoadBalancerRow) -> Any:
        return (not row.pending, row.announcing_node is not None, row.key)

    def cells(self, row: LoadBalancerRow) -> tuple[Text, ...]:
        return (
            Text(row.key, style="bold"),
            c.styled("pending", c.WARN) if row.pending else c.plain(c.first(row.ips)),
            c.plain(row.pool),
            announced_cell(row, l2_statuses_exist(self.deck.store)),
            c.plain(",".join(row.ports)),
            c.plain(row.external_traffic_policy),
        )

    def rows_for_table(self, table: ResourceTable) -> dict[str, Any]:
        return self.pools_by_key if table.id == "pools" else self.rows_by_key

    def layer_of(self, table: ResourceTable) -> str:
        return "ip_pools" if table.id == "pools" else self.LAYER

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "impact" and self.focused_table().id == "pools":
            return False
        return super().check_action(action, parameters)

    def action_next_table(self) -> None:
        other = "#table" if self.focused_table().id == "pools" else "#pools"
        self.query_one(other, ResourceTable).focus()
        self.refresh_bindings()

    def select_key(self, key: str) -> bool:
        if key in self.pools_by_key:
            table = self.query_one("#pools", ResourceTable)
            table.focus()
            return table.select_key(key)
        return super().select_key(key)
