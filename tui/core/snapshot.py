"""The model as `clusterdeck snapshot` prints it: a JSON dict (the contract other tools read)
or plain aligned text tables for humans. No rich: this is core code."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tui.core.events import SourceHealth, SourceState
from tui.core.literal import visible

if TYPE_CHECKING:
    from tui.core.store import ClusterStore

# contract layers first (issue 2), then extras
JSON_LAYERS = ("nodes", "volumes", "ip_pools", "load_balancers", "routes", "apps", "workloads",
               "pods", "events")


def snapshot_json(store: ClusterStore) -> dict[str, Any]:
    out: dict[str, Any] = {layer: [row.to_json() for row in store.rows(layer)] for layer in JSON_LAYERS}
    out["sources"] = {key: health.to_json() for key, health in store.health().items()}
    out["events_dropped"] = store.events_dropped  # older events let go (the store keeps the newest N)
    return out


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return ",".join(str(v) for v in value) or "-"
    return str(value)


def _size(value: int | None) -> str:
    if value is None or value < 0 or value >= 1024**5:
        return "-" if value is None else str(value)
    size = float(value)
    for unit in ("B", "Ki", "Mi", "Gi", "Ti"):
        if size < 1024 or unit == "Ti":
            return f"{size:.0f}{unit}" if unit == "B" or size.is_integer() else f"{size:.1f}{unit}"
        size /= 1024
    return str(value)


def _ready(value: bool | None) -> str:
    return {True: "Ready", False: "NotReady", None: "Unknown"}[value]


Column = tuple[str, Callable[[Any], str]]


def _field(name: str) -> Column:
    return name.upper().replace("_", " "), lambda row: _text(getattr(row, name))


TABLES: dict[str, tuple[str, list[Column]]] = {
    "nodes": ("NODES", [
        _field("name"), ("STATUS", lambda r: _ready(r.ready) + (",Cordoned" if r.unschedulable else "")),
        ("ROLES", lambda r: _text(r.roles) if r.roles else "<none>"), _field("kubelet_version"),
        _field("internal_ip"), _field("pressure"),
    ]),
    "volumes": ("LONGHORN VOLUMES", [
        _field("name"), _field("state"), _field("robustness"), _field("node"),
        ("SIZE", lambda r: _size(r.size_bytes)),
        ("REPLICAS", lambda r: f"{_text(r.replicas_healthy)}/{_text(r.replicas_wanted)}"),
        _field("pvc"), ("LAST BACKUP", lambda r: r.last_backup_at or "-"),
    ]),
    "ip_pools": ("METALLB POOLS", [
        _field("name"), _field("addresses"), ("USED", lambda r: f"{r.used}/{_text(r.total)}"),
        _field("auto_assign"), _field("advertised"),
    ]),
    "load_balancers": ("LOADBALANCER SERVICES", [
        _field("namespace"), _field("name"), ("IPS", lambda r: _text(r.ips) if r.ips else "<pending>"),
        _field("pool"), _field("announcing_node"),
    ]),
    "routes": ("ROUTES", [
        _field("namespace"), _field("name"), _field("source"), _field("hosts"), _field("entrypoints"),
        _field("backends"), ("TLS", lambda r: _text(r.tls)),
        ("TRAEFIK", lambda r: r.traefik_status or "-"),
        ("PROBLEMS", lambda r: "; ".join(r.problems) or "-"),
    ]),
    "apps": ("ARGOCD APPS", [
        _field("name"), _field("project"), _field("sync"), _field("health"),
        ("REVISION", lambda r: (r.revision or "-")[:12]), _field("operation"),
        ("AUTO", lambda r: _text(r.auto_sync)), _field("message"),
    ]),
    "workloads": ("WORKLOADS", [
        _field("namespace"), _field("name"), _field("kind"),
        ("READY", lambda r: f"{_text(r.ready)}/{_text(r.replicas)}"), _field("rollout"),
    ]),
    "pods": ("PODS", [
        _field("namespace"), _field("name"), _field("ready"), _field("status"),
        _field("restarts"), _field("node"), _field("owner"),
    ]),
    "events": ("EVENTS", [
        _field("namespace"), _field("object"), _field("type"), _field("reason"),
        _field("count"), _field("last_seen"), _field("message"),
    ]),
}


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns separated by two spaces, trailing blanks trimmed."""
    cells = [[_one_line(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    lines = []
    for row in [list(headers), *cells]:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return lines


OPTIONAL_COLUMNS: dict[str, Callable[[Any], Any]] = {
    "TRAEFIK": lambda r: r.traefik_status,  # only with the Traefik API source configured
}


def _one_line(value: str) -> str:
    return visible(" ".join(value.split()), one_line=True)  # an ESC from the cluster stays inert


def _health_line(health: SourceHealth) -> str:
    text = f"{health.key}: {health.state.value}"
    if health.since and health.state is not SourceState.OK:
        text += f" since {health.since.isoformat().replace('+00:00', 'Z')}"
    if health.detail:
        text += f" ({_one_line(health.detail)})"
    return text


def snapshot_text(store: ClusterStore) -> str:
    out: list[str] = []
    for layer, (title, columns) in TABLES.items():
        rows = store.rows(layer)
        sources = store.layer_health(layer)
        out.append(f"== {title} ({len(rows)})")
        out.append("   sources: " + "; ".join(_health_line(h) for h in sources))
        # a column of what an optional source says appears only when that source said something
        columns = [c for c in columns
                   if c[0] not in OPTIONAL_COLUMNS or any(OPTIONAL_COLUMNS[c[0]](r) for r in rows)]
        if rows:
            out.extend(format_table([c[0] for c in columns], [[fn(r) for _, fn in columns] for r in rows]))
        else:
            out.append("(none)")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
