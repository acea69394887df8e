"""MetalLB pools, advertisements, ServiceL2Status and LoadBalancer Services, and the facts
linking them: pool size and usage (REFERENCE 2.5), each LB IP's pool and announcing node."""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from tui.core.parsers.access import (
    annotations_of,
    dig,
    dig_bool,
    dig_int,
    dig_list,
    dig_str,
    labels_of,
    name_of,
    namespace_of,
    selector_matches,
    str_map,
    str_tuple,
)
from tui.core.rows import EventRow, IpPoolRow, LoadBalancerRow, PodRow, object_key

POOL_ANNOTATIONS = ("metallb.io/ip-allocated-from-pool", "metallb.universe.tf/ip-allocated-from-pool")
REQUEST_ANNOTATIONS = ("metallb.io/address-pool", "metallb.universe.tf/address-pool")
# an IPv6 block this large (a /64 or bigger) is "effectively unlimited": no count shown
UNCOUNTABLE = 2**64


@dataclass(frozen=True, slots=True)
class AddressRange:
    first: int
    last: int
    version: int  # 4 or 6

    def contains(self, ip: str) -> bool:
        try:
            addr = ipaddress.ip_address(ip.strip())
        except ValueError:
            return False
        return addr.version == self.version and self.first <= int(addr) <= self.last

    @property
    def size(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True, slots=True)
class PoolSpec:
    """What the derived facts need from a pool beyond its row."""

    ranges: tuple[AddressRange, ...]
    labels: tuple[tuple[str, str], ...]


def parse_address_range(entry: str) -> AddressRange | None:
    """A CIDR ("192.168.20.0/28"), a range ("a-b") or a single address; None when invalid."""
    text = entry.strip()
    try:
        if "/" in text:
            net = ipaddress.ip_network(text, strict=False)
            return AddressRange(int(net.network_address), int(net.broadcast_address), net.version)
        if "-" in text:
            start, _, end = text.partition("-")
            first, last = ipaddress.ip_address(start.strip()), ipaddress.ip_address(end.strip())
            if first.version != last.version or int(first) > int(last):
                return None
            return AddressRange(int(first), int(last), first.version)
        addr = ipaddress.ip_address(text)
        return AddressRange(int(addr), int(addr), addr.version)
    except ValueError:
        return None


def _buggy_count(rng: AddressRange) -> int:
    """IPv4 addresses in the range ending in .0 or .255 (MetalLB's avoidBuggyIPs)."""
    if rng.version != 4:
        return 0
    zeros = rng.last // 256 - (rng.first - 1) // 256
    ones = (rng.last + 1) // 256 - rng.first // 256
    return zeros + ones


def pool_total(ranges: tuple[AddressRange, ...] | None, avoid_buggy: bool) -> int | None:
    if ranges is None:
        return None
    total = 0
    for rng in ranges:
        if rng.version == 6 and rng.size >= UNCOUNTABLE:
            return None
        total += rng.size - (_buggy_count(rng) if avoid_buggy else 0)
    return total


def pool_spec(obj: Any) -> PoolSpec | None:
    """The parsed address ranges; None when an entry cannot be parsed (total unknown)."""
    ranges = []
    for entry in dig_list(obj, "spec", "addresses"):
        rng = parse_address_range(entry) if isinstance(entry, str) else None
        if rng is None:
            return None
        ranges.append(rng)
    return PoolSpec(tuple(ranges), tuple(sorted(labels_of(obj).items())))


def parse_ip_pool(obj: Any) -> IpPoolRow:
    name, ns = name_of(obj), namespace_of(obj)
    avoid_buggy = dig_bool(obj, "spec", "avoidBuggyIPs") is True
    spec = pool_spec(obj)
    return IpPoolRow(
        name=name,
        addresses=str_tuple(dig(obj, "spec", "addresses")),
        total=pool_total(spec.ranges if spec else None, avoid_buggy),
        used=0,  # filled by link_pools from the LoadBalancer Services
        auto_assign=dig_bool(obj, "spec", "autoAssign") is not False,  # default true
        key=object_key(ns, name),
        namespace=ns,
        avoid_buggy_ips=avoid_buggy,
        reported_used=_status_sum(obj, "assignedIPv4", "assignedIPv6"),
        reported_available=_status_sum(obj, "availableIPv4", "availableIPv6"),
        allocation=service_allocation(obj),
    )


def _status_sum(obj: Any, *fields: str) -> int | None:
    """MetalLB >= 0.15 counts (IPAddressPoolStatus: int64, never omitted once written); None
    when the pool has no such status (an older MetalLB, or not reconciled yet)."""
    values = [dig_int(obj, "status", f) for f in fields]
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _selector_words(selector: Any) -> str:
    labels = str_map(dig(selector, "matchLabels"))
    words = [f"{k}={v}" for k, v in sorted(labels.items())]
    for expr in dig_list(selector, "matchExpressions"):
        values = ",".join(str_tuple(dig(expr, "values")))
        words.append(f"{dig_str(expr, 'key')} {dig_str(expr, 'operator')} ({values})".replace(" ()", ""))
    return " ".join(words) or "everything"


def service_allocation(obj: Any) -> tuple[str, ...]:
    """spec.serviceAllocation in words: which namespaces / Services may take IPs from the pool."""
    allocation = dig(obj, "spec", "serviceAllocation")
    if not isinstance(allocation, dict):
        return ()
    out = []
    namespaces = str_tuple(allocation.get("namespaces"))
    if namespaces:
        out.append(f"namespaces: {', '.join(namespaces)}")
    out += [f"namespaces with {_selector_words(s)}" for s in dig_list(allocation, "namespaceSelectors")]
    out += [f"services with {_selector_words(s)}" for s in dig_list(allocation, "serviceSelectors")]
    priority = dig_int(allocation, "priority")
    if priority:
        out.append(f"priority {priority}")
    return tuple(out)


def is_load_balancer(obj: Any) -> bool:
    return bool(dig(obj, "spec", "type") == "LoadBalancer")


def parse_service_lb(obj: Any) -> LoadBalancerRow | None:
    """A Service of type LoadBalancer; None for other Services."""
    if not is_load_balancer(obj):
        return None
    name, ns = name_of(obj), namespace_of(obj)
    ips = []
    for ingress in dig_list(obj, "status", "loadBalancer", "ingress"):
        ip = dig_str(ingress, "ip") or dig_str(ingress, "hostname")
        if ip and ip not in ips:
            ips.append(ip)
    ports, named = [], []
    for port in dig_list(obj, "spec", "ports"):
        number = dig_str(port, "port")
        if number:
            ports.append(f"{number}/{dig_str(port, 'protocol') or 'TCP'}")
            if dig_str(port, "name"):
                named.append(f"{dig_str(port, 'name')}:{number}")
    annotations = annotations_of(obj)
    return LoadBalancerRow(
        namespace=ns,
        name=name,
        ips=tuple(ips),
        pool=next((annotations[a] for a in POOL_ANNOTATIONS if annotations.get(a)), None),
        announcing_node=None,  # from ServiceL2Status, in link_pools
        key=object_key(ns, name),
        ports=tuple(ports),
        selector=tuple(f"{k}={v}" for k, v in sorted(str_map(dig(obj, "spec", "selector")).items())),
        pending=not ips,
        requested_pool=next((annotations[a] for a in REQUEST_ANNOTATIONS if annotations.get(a)), None),
        external_traffic_policy=dig_str(obj, "spec", "externalTrafficPolicy"),
        named_ports=tuple(named),
        requested_ips=requested_ips(obj, annotations),
    )


def requested_ips(obj: Any, annotations: dict[str, str]) -> tuple[str, ...]:
    """The IPs the Service asks MetalLB for: metallb.io/loadBalancerIPs (comma-separated, dual
    stack), else the deprecated spec.loadBalancerIP."""
    for name in ("metallb.io/loadBalancerIPs", "metallb.universe.tf/loadBalancerIPs"):
        wanted = tuple(ip.strip() for ip in (annotations.get(name) or "").split(",") if ip.strip())
        if wanted:
            return wanted
    legacy = dig_str(obj, "spec", "loadBalancerIP")
    return (legacy,) if legacy else ()


def parse_l2_status(obj: Any) -> tuple[str, str] | None:
    """(service "ns/name", announcing node) by labels (names are random), status as fallback."""
    labels = labels_of(obj)
    svc_ns = labels.get("metallb.io/service-namespace") or dig_str(obj, "status", "serviceNamespace")
    svc = labels.get("metallb.io/service-name") or dig_str(obj, "status", "serviceName")
    node = labels.get("metallb.io/node") or dig_str(obj, "status", "node")
    if not svc or not node:
        return None
    return object_key(svc_ns, svc), node


def advertisement_selects(adv: Any, pool_name: str, pool: PoolSpec | None) -> bool:
    """An L2Advertisement or BGPAdvertisement with neither pool names nor selectors applies to
    every pool."""
    names = str_tuple(dig(adv, "spec", "ipAddressPools"))
    selectors = dig_list(adv, "spec", "ipAddressPoolSelectors")
    if not names and not selectors:
        return True
    labels = dict(pool.labels) if pool else {}
    return pool_name in names or any(selector_matches(s, labels) for s in selectors)


def link_pools(
    pools: list[tuple[IpPoolRow, PoolSpec | None]],
    lbs: list[LoadBalancerRow],
    advertisements: list[Any],
    announcers: dict[str, str],
    bgp_advertisements: list[Any] | None = None,
) -> tuple[list[IpPoolRow], list[LoadBalancerRow]]:
    """Attribute LB IPs to pools (annotation first, then address ranges) and count usage."""
    by_name = {row.name: (row, spec) for row, spec in pools}
    used: dict[str, set[str]] = {row.name: set() for row, _ in pools}
    services: dict[str, list[str]] = {row.name: [] for row, _ in pools}
    linked_lbs = []
    for lb in lbs:
        pool = lb.pool if lb.pool in by_name else None
        if pool is None:
            pool = next(
                (row.name for row, spec in pools
                 if spec and any(r.contains(ip) for r in spec.ranges for ip in lb.ips)),
                lb.pool,  # keep the annotation's name even when that pool is not visible
            )
        if pool in used and lb.ips:
            spec = by_name[pool][1]
            # shared IPs count once; an IP outside the pool's ranges is still the pool's if annotated
            used[pool].update(ip for ip in lb.ips if spec is None or lb.pool == pool
                              or any(r.contains(ip) for r in spec.ranges))
            services[pool].append(lb.key)
        linked_lbs.append(replace(lb, pool=pool, announcing_node=announcers.get(lb.key)))
    linked_pools = []
    for row, spec in pools:
        by = tuple(word for word, ads in (("L2", advertisements), ("BGP", bgp_advertisements or []))
                   if any(advertisement_selects(a, row.name, spec) for a in ads))
        linked_pools.append(replace(row, used=len(used[row.name]), services=tuple(sorted(services[row.name])),
                                    advertised=bool(by), advertised_by=by))
    return linked_pools, linked_lbs


SPEAKER_LABELS = (("app.kubernetes.io/component", "speaker"), ("component", "speaker"))


def speakers_by_node(pods: Iterable[PodRow]) -> dict[str, bool]:
    """node -> its MetalLB speaker pod is Ready (the Helm chart and the manifests label it
    `app.kubernetes.io/component=speaker`, older manifests `component=speaker`)."""
    wanted = {f"{k}={v}" for k, v in SPEAKER_LABELS}
    out: dict[str, bool] = {}
    for pod in pods:
        if not pod.node or wanted.isdisjoint(pod.labels):
            continue
        out[pod.node] = out.get(pod.node, False) or pod.pod_ready
    return out


def pending_reason(lb: LoadBalancerRow, events: Iterable[EventRow]) -> str | None:
    """Why MetalLB gave a pending Service no IP, from its newest Warning event about the
    Service (AllocationFailed: "no available IPs", a pool that does not exist, ...)."""
    mine = [e for e in events if e.type == "Warning" and e.object_key == lb.key and e.object.startswith("Service/")
            and (e.reason == "AllocationFailed" or "metallb" in (e.source or "").lower())]
    if not mine:
        return None
    newest = max(mine, key=lambda e: e.last_seen or "")
    return f"{newest.reason}: {newest.message}"
