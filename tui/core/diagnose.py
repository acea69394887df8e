"""`diagnose`: every hop of a route, from the jump host, in the order traffic takes them.

1. dns       each host resolves (through one resolver seam), and to what;
2. lb_ip     those addresses include the LoadBalancer IP of Traefik's Service;
3. announce  that IP is in a pool, advertised, announced by a Ready node whose speaker is Ready;
4. traefik   Traefik's API lists the route's routers enabled, on entrypoints that listen where
             the traffic arrives (an entrypoint bound to another address is named);
5. backend   the backend Services exist, have ready endpoints, on Ready nodes;
6. http      a request to the LB IP with the route's Host header: status and latency.
A hop is ok, failed with the reason, or skipped (an earlier hop failed, or it cannot be checked
from here: the demo and dumps send no traffic anywhere).

The JSON form is a contract other tools read: {"routes": [{"route", "hosts", "hops": [{"hop",
"status", "reason"}]}]}; fields may be added, never renamed.
"""
from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tui.core.literal import visible
from tui.core.parsers.metallb import speakers_by_node
from tui.core.ports import LiveStoreView, Origin
from tui.core.rows import IpPoolRow, LoadBalancerRow, NodeRow, RouteRow

HopName = Literal["dns", "lb_ip", "announce", "traefik", "backend", "http"]
HOPS: tuple[HopName, ...] = ("dns", "lb_ip", "announce", "traefik", "backend", "http")
Status = Literal["ok", "failed", "skipped"]
Resolver = Callable[[str], list[str]]  # host -> addresses; OSError when it does not resolve


@dataclass(frozen=True)
class Hop:
    hop: HopName
    status: Status
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"hop": self.hop, "status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class RouteDiagnosis:
    route: str  # "ns/name"
    hosts: tuple[str, ...]
    hops: tuple[Hop, ...]
    source: str = ""  # IngressRoute / Ingress

    @property
    def failed(self) -> bool:
        return any(h.status == "failed" for h in self.hops)

    def to_json(self) -> dict[str, Any]:
        return {"route": self.route, "kind": self.source, "hosts": list(self.hosts),
                "ok": not self.failed, "hops": [h.to_json() for h in self.hops]}


def system_resolver(host: str) -> list[str]:
    """The jump host's own resolver (what a browser there would get)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


@dataclass(frozen=True)
class HttpResult:
    status: int | None
    latency_ms: float
    error: str = ""
    cert_der: bytes | None = None  # the certificate the server presented (TLS only)


def _peer_certificate(response: Any) -> bytes | None:
    """The DER certificate the handshake carried (only the certificate: nothing else is read)."""
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    der = ssl_object.getpeercert(True) if ssl_object is not None else None
    return bytes(der) if der else None


HttpProbe = Callable[[str, int, str, bool], HttpResult]  # (ip, port, host, tls) -> result


def httpx_probe(ip: str, port: int, host: str, tls: bool, timeout: float = 5.0) -> HttpResult:
    """GET / on the LB IP with the route's Host header (and SNI for TLS), through httpx."""
    import httpx  # only a live diagnosis sends traffic: keep the import off the model's path

    scheme = "https" if tls else "http"
    started = time.monotonic()
    try:
        # verify=False: the certificate is the hop's subject, not a reason to stop the request
        with httpx.Client(verify=False, timeout=timeout, trust_env=False, follow_redirects=False) as client:
            response = client.get(f"{scheme}://{ip}:{port}/", headers={"Host": host},
                                  extensions={"sni_hostname": host} if tls else None)
            latency = (time.monotonic() - started) * 1000
            der = _peer_certificate(response) if tls else None
        return HttpResult(response.status_code, latency, cert_der=der)
    except httpx.HTTPError as exc:
        return HttpResult(None, (time.monotonic() - started) * 1000, str(exc) or type(exc).__name__)


@dataclass
class NetworkFacts:
    """What the hops need, taken once from a store (on the loop, for the console)."""

    routes: list[RouteRow]
    nodes: dict[str, NodeRow]
    pools: dict[str, IpPoolRow]
    lbs: dict[str, LoadBalancerRow]
    ingress_lbs: tuple[str, ...]
    service_nodes: dict[str, set[str]]
    service_ready: dict[str, int]
    services: set[str]
    l2_statuses_seen: bool
    speaker_ready: dict[str, bool]  # node -> its MetalLB speaker pod is Ready
    entrypoints: dict[str, str] = field(default_factory=dict)  # Traefik entrypoint -> address, from its API
    traefik_api: bool = False  # Traefik's own view was available

    @classmethod
    def from_store(cls, store: LiveStoreView, entrypoints: dict[str, str] | None = None) -> NetworkFacts:
        index = store.impact()
        ready: dict[str, int] = {}
        for info in store.parsed("endpointslices").values():
            if info.service:
                ready[info.service] = ready.get(info.service, 0) + info.ready
        routes = [r for r in store.rows("routes") if isinstance(r, RouteRow)]
        return cls(
            routes=routes,
            nodes={n.name: n for n in store.rows("nodes") if isinstance(n, NodeRow)},
            pools={p.name: p for p in store.rows("ip_pools") if isinstance(p, IpPoolRow)},
            lbs=dict(index.lbs), ingress_lbs=tuple(index.ingress_lbs),
            service_nodes={k: set(v) for k, v in index.service_nodes.items()}, service_ready=ready,
            services=set(index.services),
            l2_statuses_seen=bool(store.objects("l2_statuses") or store.objects("bgp_statuses")),
            speaker_ready=speakers_by_node(store.rows("pods")), entrypoints=dict(entrypoints or {}),
            traefik_api=any(r.traefik_status is not None for r in routes),
        )


def _skipped(after: Sequence[HopName], why: str) -> Iterator[Hop]:
    yield from (Hop(name, "skipped", why) for name in HOPS if name not in after)


def _host_names(route: RouteRow) -> list[str]:
    return [h for h in route.hosts if not h.startswith("~")]


def _offline(origin: Origin) -> str:
    return "the demo cluster is simulated" if origin is Origin.DEMO else "offline dump"


def diagnose_route(route: RouteRow, facts: NetworkFacts, resolver: Resolver | None,
                   http: HttpProbe | None, origin: Origin = Origin.KUBECONFIG,
                   now: datetime | None = None) -> RouteDiagnosis:
    hops = tuple(route_hops(route, facts, resolver, http, origin, now))
    return RouteDiagnosis(route_name(route), route.hosts, hops, route.source)


def route_hops(route: RouteRow, facts: NetworkFacts, resolver: Resolver | None,
               http: HttpProbe | None, origin: Origin = Origin.KUBECONFIG,
               now: datetime | None = None) -> Iterator[Hop]:
    """The hops in order, each as soon as it is checked (the console shows them one by one)."""
    hosts = _host_names(route)
    lb_keys = [k for k in facts.ingress_lbs if facts.lbs.get(k) and facts.lbs[k].ips]
    lb_ips = sorted({ip for k in lb_keys for ip in facts.lbs[k].ips})

    # 1. dns
    addresses: set[str] = set()
    if not hosts:
        yield Hop("dns", "skipped", "no exact host (HostRegexp or no Host rule): nothing to resolve")
    elif resolver is None:
        yield Hop("dns", "skipped", f"{_offline(origin)}: names are not looked up")
    else:
        answers, errors = [], []
        for host in hosts:
            try:
                found = resolver(host)
            except OSError as exc:
                errors.append(f"{host} does not resolve ({exc.strerror or exc})")
                continue
            addresses.update(found)
            answers.append(f"{host} → {', '.join(found) or 'nothing'}")
        if errors:
            yield Hop("dns", "failed", "; ".join(errors))
            yield from _skipped(("dns",), "DNS failed")
            return
        yield Hop("dns", "ok", "; ".join(answers))

    # 2. lb_ip
    if not lb_ips:
        yield Hop("lb_ip", "failed", "Traefik has no LoadBalancer Service with an IP "
                                     "(pending, or Traefik is not exposed through MetalLB)")
        yield from _skipped(("dns", "lb_ip"), "no LB IP to reach Traefik on")
        return
    if addresses and not addresses & set(lb_ips):
        yield Hop("lb_ip", "failed", f"DNS points at {', '.join(sorted(addresses))}, Traefik's LB IP is "
                                     f"{', '.join(lb_ips)}")
        yield from _skipped(("dns", "lb_ip"), "DNS does not lead to Traefik")
        return
    yield Hop("lb_ip", "ok", f"Traefik's LB IP {', '.join(lb_ips)} ({', '.join(lb_keys)})"
              + ("" if addresses else "; DNS not checked"))

    # 3. announce
    announce = _announce(lb_keys, facts)
    yield announce
    if announce.status == "failed":
        yield from _skipped(("dns", "lb_ip", "announce"), "the LB IP is not reachable on the LAN")
        return

    # 4. traefik, 5. backend
    if origin is Origin.KUBECONFIG:
        traefik = _traefik(route, facts, lb_ips)
    else:
        traefik = Hop("traefik", "skipped", f"{_offline(origin)}: there is no Traefik API to ask")
    backend = _backend(route, facts)
    yield traefik
    yield backend
    # 6. http
    if "failed" in (traefik.status, backend.status):
        yield Hop("http", "skipped", "an earlier hop failed")
    elif http is None or origin is not Origin.KUBECONFIG:
        where = _offline(origin) if origin is not Origin.KUBECONFIG else "no HTTP probe"
        yield Hop("http", "skipped", f"{where}: no request sent to {lb_ips[0]}")
    elif not hosts:
        yield Hop("http", "skipped", "no exact host to send in the Host header")
    else:
        yield _http(route, facts, lb_keys, lb_ips[0], hosts[0], http, now or datetime.now(UTC))


def _announce(lb_keys: Iterable[str], facts: NetworkFacts) -> Hop:
    problems, fine = [], []
    for key in lb_keys:
        lb = facts.lbs[key]
        ips = ", ".join(lb.ips)
        pool = facts.pools.get(lb.pool or "")
        if pool is None:
            problems.append(f"{ips} is in no IPAddressPool")
            continue
        if not pool.advertised:
            problems.append(f"pool {pool.name} is not advertised (no L2Advertisement or BGPAdvertisement "
                            "selects it): nobody answers ARP for {ips}".replace("{ips}", ips))
            continue
        if not lb.announcing_node:
            if facts.l2_statuses_seen:
                problems.append(f"no node announces {ips}")
            else:
                fine.append(f"{ips} in pool {pool.name}, advertised; which node announces it is unknown "
                            "(no ServiceL2Status objects: MetalLB < 0.14?)")
            continue
        node = facts.nodes.get(lb.announcing_node)
        if node is None or node.ready is not True:
            problems.append(f"{ips} is announced by {lb.announcing_node}, which is not Ready")
            continue
        speaker = facts.speaker_ready.get(lb.announcing_node)
        if speaker is False:
            problems.append(f"{ips} is announced by {lb.announcing_node}, whose MetalLB speaker is not Ready")
            continue
        fine.append(f"{ips} in pool {pool.name}, announced by {lb.announcing_node} (Ready"
                    + (", speaker Ready)" if speaker else "; its speaker pod is not listed)"))
    if problems:
        return Hop("announce", "failed", "; ".join(problems))
    return Hop("announce", "ok", "; ".join(fine))


def _traefik(route: RouteRow, facts: NetworkFacts, lb_ips: Sequence[str]) -> Hop:
    if not facts.traefik_api:
        return Hop("traefik", "skipped", "Traefik's API is not configured (traefik_api_url) or not reachable")
    if route.traefik_status in (None, "absent"):
        return Hop("traefik", "failed", "Traefik has no router for this route: it dropped it"
                   + (f" ({route.problems[0]})" if route.problems else ""))
    if route.traefik_status != "enabled":
        errors = [p.removeprefix("traefik: ") for p in route.problems if p.startswith("traefik: ")]
        return Hop("traefik", "failed", f"router {route.traefik_status}" + (f": {'; '.join(errors)}" if errors else ""))
    wrong = []
    for name in route.entrypoints or tuple(facts.entrypoints):
        address = facts.entrypoints.get(name)
        if address is None:
            if facts.entrypoints:
                wrong.append(f"entrypoint {name} does not exist in Traefik")
            continue
        host = address.rpartition(":")[0].strip("[]")
        if host not in ("", "0.0.0.0", "::", *lb_ips):
            wrong.append(f"entrypoint {name} listens on {address}, not on the LB IP {', '.join(lb_ips)} "
                         "or every address")
    if wrong:
        return Hop("traefik", "failed", "; ".join(wrong))
    routers = ", ".join(route.traefik_routers) or "its router"
    return Hop("traefik", "ok", f"{routers} enabled on {', '.join(route.entrypoints) or 'every entrypoint'}")


def _backend(route: RouteRow, facts: NetworkFacts) -> Hop:
    problems, fine = [], []
    for backend in route.backends:
        if backend.endswith("(TraefikService)"):
            fine.append(f"{backend}: not followed")
            continue
        service = backend.rpartition(":")[0] or backend
        if service not in facts.services:
            problems.append(f"service {service} does not exist")
            continue
        ready = facts.service_ready.get(service, 0)
        if not ready:
            problems.append(f"no ready endpoint for {backend}")
            continue
        down = sorted(n for n in facts.service_nodes.get(service, set())
                      if facts.nodes.get(n) is None or facts.nodes[n].ready is not True)
        if down and down == sorted(facts.service_nodes.get(service, set())):
            problems.append(f"every endpoint of {service} is on a node that is not Ready ({', '.join(down)})")
            continue
        fine.append(f"{backend}: {ready} ready endpoint(s)" + (f", some on NotReady {', '.join(down)}" if down else ""))
    if not route.backends:
        return Hop("backend", "failed", "the route names no backend")
    if problems:
        return Hop("backend", "failed", "; ".join(problems))
    return Hop("backend", "ok", "; ".join(fine))


def _service_port(facts: NetworkFacts, lb_keys: Sequence[str], route: RouteRow) -> int:
    """The LB Service port for the route's entrypoint (Traefik's chart names its ports after
    them: web, websecure); else 443 for TLS, 80 without."""
    wanted = route.entrypoints or (("websecure",) if route.tls else ("web",))
    for key in lb_keys:
        for named in facts.lbs[key].named_ports:
            name, _, number = named.rpartition(":")
            if name in wanted and number.isdigit():
                return int(number)
    return 443 if route.tls else 80


def _http(route: RouteRow, facts: NetworkFacts, lb_keys: Sequence[str], ip: str, host: str,
          http: HttpProbe, now: datetime) -> Hop:
    port = _service_port(facts, lb_keys, route)
    answer = http(ip, port, host, route.tls)
    where = f"{'https' if route.tls else 'http'}://{ip}:{port} Host: {host}"
    if answer.status is None:
        return Hop("http", "failed", f"{where}: {answer.error} after {answer.latency_ms:.0f} ms")
    said = f"{where}: HTTP {answer.status} in {answer.latency_ms:.0f} ms"
    cert_ok, cert_said = _certificate(answer.cert_der, host, now) if route.tls else (True, "")
    if answer.status >= 500 or answer.status == 404 or not cert_ok:
        return Hop("http", "failed", said + cert_said)
    return Hop("http", "ok", said + cert_said)


def _certificate(der: bytes | None, host: str, now: datetime) -> tuple[bool, str]:
    """(acceptable, "; certificate ...") for the certificate a TLS request was answered with."""
    if der is None:
        return False, "; no certificate presented"
    from tui.core.certs import (  # cryptography: only a TLS probe needs it
        CertError,
        parse_certificate,
    )

    try:
        cert = parse_certificate(der)
    except CertError as exc:
        return False, f"; certificate unreadable ({exc})"
    when = cert.not_after.strftime("%Y-%m-%d %H:%M UTC")
    said = f"; certificate CN={cert.subject_cn or '-'}"
    state = cert.expiry_state(now)
    covered = cert.covers(host)
    if not covered:
        said += f", does not cover {host} (names: {', '.join(cert.names()) or 'none'})"
    if state == "expired":
        said += f", EXPIRED {when}"
    else:
        days = (cert.not_after - now).days
        said += f", expires {when}" + (f" (in {days} days)" if state == "warning" else "")
    return covered and state != "expired", said


def route_name(route: RouteRow) -> str:
    """NS/NAME, what a user types after --route."""
    return f"{route.namespace}/{route.name}" if route.namespace else route.name


def select_routes(facts: NetworkFacts, wanted: str | None) -> list[RouteRow]:
    """Every route, or those whose NS/NAME (or store key) is `wanted` (an Ingress and an
    IngressRoute may share one)."""
    return [r for r in facts.routes if wanted is None or wanted in (r.key, route_name(r))]


def diagnose(facts: NetworkFacts, resolver: Resolver | None, http: HttpProbe | None,
             origin: Origin = Origin.KUBECONFIG, route_key: str | None = None,
             now: datetime | None = None) -> list[RouteDiagnosis]:
    routes = select_routes(facts, route_key)
    return [diagnose_route(r, facts, resolver, http, origin, now) for r in sorted(routes, key=lambda r: r.key)]


def live_tools(origin: Origin) -> tuple[Resolver | None, HttpProbe | None]:
    """The resolver and HTTP probe a diagnosis may use: only against a live cluster (the demo and
    dumps send no query and no request anywhere)."""
    if origin is Origin.KUBECONFIG:
        return system_resolver, httpx_probe
    return None, None


def diagnosis_json(results: Sequence[RouteDiagnosis]) -> dict[str, Any]:
    return {"routes": [r.to_json() for r in results]}


def diagnosis_text(results: Sequence[RouteDiagnosis]) -> str:
    """One line per route and per hop; cluster strings shown literally (controls made visible)."""
    out = []
    for r in results:
        out.append(visible(f"{r.route}  {', '.join(r.hosts) or '-'}  {'FAILED' if r.failed else 'ok'}", True))
        out += [f"  {h.hop:<9}{h.status:<8}{visible(h.reason, True)}" for h in r.hops]
    return "\n".join(out) + "\n" if out else "no routes\n"
