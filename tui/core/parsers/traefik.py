"""Traefik IngressRoute (traefik.io and legacy traefik.containo.us) and networking.k8s.io
Ingress -> RouteRow; rule parsing for hosts; backend checks Traefik itself stays silent on."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from tui.core.parsers.access import (
    annotations_of,
    as_str,
    dig,
    dig_dict,
    dig_list,
    dig_str,
    name_of,
    namespace_of,
    str_tuple,
)
from tui.core.parsers.services import ServiceInfo
from tui.core.rows import LEGACY_TRAEFIK_GROUP, RouteRow, object_key, route_key

HOST_MATCHERS = {"Host", "HostHeader", "HostSNI"}  # v2 HostHeader; all take one or more hosts
REGEXP_MATCHERS = {"HostRegexp", "HostSNIRegexp"}
_ANN = "traefik.ingress.kubernetes.io/"
TRAEFIK_SERVICE = " (TraefikService)"  # the mark of a TraefikService among a route's backends
LEGACY_NOTE = f"legacy group {LEGACY_TRAEFIK_GROUP} (Traefik v3 ignores it)"


def _read_string(rule: str, i: int) -> tuple[str | None, int]:
    """A backtick or double-quoted value starting at i; (None, i) when there is none."""
    quote = rule[i]
    if quote not in "`\"":
        return None, i
    out = []
    j = i + 1
    while j < len(rule):
        ch = rule[j]
        if ch == "\\" and quote == '"' and j + 1 < len(rule):
            out.append(rule[j + 1])
            j += 2
            continue
        if ch == quote:
            return "".join(out), j + 1
        out.append(ch)
        j += 1
    return None, len(rule)  # unterminated: treat as no value


def rule_matchers(rule: str) -> list[tuple[str, bool, list[str]]]:
    """Every matcher call in a rule as (name, negated, string args); operators and parentheses
    only combine them, so hosts are the union of positive Host matchers."""
    found = []
    i, n = 0, len(rule)
    while i < n:
        ch = rule[i]
        if ch.isalpha():
            start = i
            while i < n and (rule[i].isalnum() or rule[i] == "_"):
                i += 1
            name = rule[start:i]
            j = i
            while j < n and rule[j].isspace():
                j += 1
            if j >= n or rule[j] != "(":
                continue
            negated = rule[:start].rstrip().endswith("!")
            args: list[str] = []
            j += 1
            while j < n and rule[j] != ")":
                if rule[j] in "`\"":
                    value, j = _read_string(rule, j)
                    if value is not None:
                        args.append(value)
                else:
                    j += 1
            if j < n:  # only a closed call is a matcher; Traefik rejects the rest
                found.append((name, negated, args))
            i = j + 1
        elif ch in "`\"":
            _, i = _read_string(rule, i)  # skip a stray string so its text is not read as names
        else:
            i += 1
    return found


def rule_is_balanced(rule: str) -> bool:
    """Parentheses balance and every string closes (what a parse error usually is)."""
    depth, i = 0, 0
    while i < len(rule):
        ch = rule[i]
        if ch in "`\"":
            value, i = _read_string(rule, i)
            if value is None:
                return False
            continue
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


def rule_hosts(rule: str) -> list[str]:
    """Hosts of a rule: Host(`a`, `b`) gives a and b, HostRegexp(`p`) gives "~p"."""
    hosts: list[str] = []
    for name, negated, args in rule_matchers(rule):
        if negated:
            continue
        if name in HOST_MATCHERS:
            hosts.extend(a for a in args if a and a != "*")
        elif name in REGEXP_MATCHERS:
            hosts.extend(f"~{a}" for a in args if a)
    return hosts


def unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def crd_routes(obj: Any, ns: str | None, match_required: bool) -> tuple[list[str], list[str], list[str], list[str],
                                                             list[str], list[str]]:
    """What an IngressRoute(TCP/UDP)'s `spec.routes` say: (rules, hosts, backends, middlewares,
    serversTransports, problems). UDP routes have no match, so only HTTP and TCP require one."""
    rules: list[str] = []
    hosts: list[str] = []
    backends: list[str] = []
    middlewares: list[str] = []
    transports: list[str] = []
    problems: list[str] = []
    routes = dig_list(obj, "spec", "routes")
    if not routes:
        problems.append("no routes")
    for index, route in enumerate(routes, start=1):
        match = dig_str(route, "match") if match_required else None
        if match_required and not match:
            problems.append(f"route {index} has an empty match (Traefik skips it)")
        elif match:
            if not rule_is_balanced(match):
                problems.append(f"route {index} rule does not parse (unbalanced parentheses or quotes)")
            rules.append(match)
            hosts.extend(rule_hosts(match))
        services = dig_list(route, "services")
        if not services:
            problems.append(f"route {index} has no services")
        for svc in services:
            backends.append(crd_backend(svc, ns))
            if needs_port(svc):
                problems.append(f"route {index} backend {dig_str(svc, 'name')} names no port "
                                "(Traefik drops the route)")
        middlewares.extend(crd_ref(mw_name, dig_str(mw, "namespace"), ns)
                           for mw in dig_list(route, "middlewares") if (mw_name := dig_str(mw, "name")))
        transports.extend(crd_ref(t, None, ns) for svc in services if (t := dig_str(svc, "serversTransport")))
    return rules, hosts, backends, middlewares, transports, problems


def parse_ingressroute(obj: Any, api_group: str | None = None) -> RouteRow:
    """api_group names the watched group when list items omit their apiVersion."""
    name, ns = name_of(obj), namespace_of(obj)
    api_version = dig_str(obj, "apiVersion") or f"{api_group or ''}/"
    rules, hosts, backends, middlewares, transports, problems = crd_routes(obj, ns, match_required=True)
    tls = dig(obj, "spec", "tls")
    group = api_version.partition("/")[0] or None
    return RouteRow(
        namespace=ns,
        name=name,
        source="IngressRoute",
        hosts=unique(hosts),
        entrypoints=str_tuple(dig(obj, "spec", "entryPoints")),
        backends=unique([b for b in backends if b]),
        tls=isinstance(tls, dict),
        problems=tuple(problems),
        key=route_key("IngressRoute", group, ns, name),
        api_group=group,
        rules=tuple(rules),
        middlewares=unique(middlewares),
        tls_secret=dig_str(tls, "secretName"),
        cert_resolver=dig_str(tls, "certResolver"),
        notes=legacy_notes(group),
        tls_certs=_crd_tls_certs(tls, ns, hosts),
        tls_options=tls_options_ref(tls, ns),
        servers_transports=unique(transports),
    )


def _crd_tls_certs(tls: Any, ns: str | None, hosts: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The Secret (in the route's namespace) whose certificate must cover every host."""
    secret = dig_str(tls, "secretName")
    return ((object_key(ns, secret), unique(hosts)),) if secret else ()


def crd_ref(name: str, namespace: str | None, route_ns: str | None) -> str:
    """A reference as Traefik resolves it: "x@provider" as is, else "ns/name" (the route's ns)."""
    return name if "@" in name else object_key(namespace or route_ns, name)


def tls_options_ref(tls: Any, ns: str | None) -> str | None:
    name = dig_str(tls, "options", "name")
    return crd_ref(name, dig_str(tls, "options", "namespace"), ns) if name else None


def legacy_notes(group: str | None) -> tuple[str, ...]:
    return (LEGACY_NOTE,) if group == LEGACY_TRAEFIK_GROUP else ()


def crd_backend(svc: Any, route_ns: str | None) -> str:
    name = dig_str(svc, "name")
    if not name:
        return ""
    ns = dig_str(svc, "namespace") or route_ns
    if dig(svc, "kind") == "TraefikService":
        return f"{object_key(ns, name)}{TRAEFIK_SERVICE}"
    port = as_str(dig(svc, "port"))
    return f"{object_key(ns, name)}:{port}" if port else object_key(ns, name)


def needs_port(svc: Any) -> bool:
    """A Kubernetes Service backend without a port: Traefik refuses it ("service port not
    defined"); a TraefikService has no port."""
    return (dig(svc, "kind") in (None, "Service") and bool(dig_str(svc, "name"))
            and dig(svc, "port") in (None, "", 0))


def parse_ingress(obj: Any) -> RouteRow:
    name, ns = name_of(obj), namespace_of(obj)
    annotations = annotations_of(obj)
    hosts, backends = [], []
    default = dig(obj, "spec", "defaultBackend")
    if default is not None:
        backends.append(_ingress_backend(default, ns))
    for rule in dig_list(obj, "spec", "rules"):
        host = dig_str(rule, "host")
        if host:
            hosts.append(host)
        for path in dig_list(rule, "http", "paths"):
            backends.append(_ingress_backend(dig(path, "backend"), ns))
    tls_entries = [t for t in dig_list(obj, "spec", "tls") if isinstance(t, dict)]
    problems = [] if backends else ["no backends"]
    return RouteRow(
        namespace=ns,
        name=name,
        source="Ingress",
        hosts=unique(hosts),
        entrypoints=_csv(annotations.get(_ANN + "router.entrypoints")),
        backends=unique([b for b in backends if b]),
        tls=bool(tls_entries) or annotations.get(_ANN + "router.tls", "").lower() == "true",
        problems=tuple(problems),
        key=route_key("Ingress", None, ns, name),
        api_group=(dig_str(obj, "apiVersion") or "").partition("/")[0] or None,
        rules=tuple(f"Host(`{h}`)" for h in unique(hosts)),
        middlewares=_csv(annotations.get(_ANN + "router.middlewares")),
        tls_secret=next((dig_str(t, "secretName") for t in tls_entries if dig_str(t, "secretName")), None),
        cert_resolver=annotations.get(_ANN + "router.tls.certresolver"),
        # each spec.tls entry: its secret covers its own hosts (all the rules' hosts when it lists none)
        tls_certs=tuple((object_key(ns, dig_str(t, "secretName")), str_tuple(t.get("hosts")) or unique(hosts))
                        for t in tls_entries if dig_str(t, "secretName")),
    )


def _ingress_backend(backend: Any, ns: str | None) -> str:
    svc = dig_dict(backend, "service")
    name = dig_str(svc, "name")
    if not name:
        return ""
    port = dig_str(svc, "port", "number") or dig_str(svc, "port", "name")
    return f"{object_key(ns, name)}:{port}" if port else object_key(ns, name)


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split(",") if p.strip())


def split_backend(backend: str) -> tuple[str, str | None] | None:
    """"ns/svc:port" -> ("ns/svc", "port"); None for TraefikService backends."""
    if backend.endswith("(TraefikService)"):
        return None
    service, sep, port = backend.rpartition(":")
    return (service, port) if sep else (backend, None)


_MAX_DEPTH = 8  # TraefikServices naming TraefikServices: deeper (or a loop) is not followed


def expand_backends(backends: Iterable[str], traefik_services: Mapping[str, tuple[str, ...]] | None,
                    problems: list[str], seen: frozenset[str] = frozenset(), depth: int = 0) -> Iterator[str]:
    """Backends with each TraefikService (weighted, mirroring, ...) replaced by the backends it
    leads to; one that does not exist goes to `problems`. Not listed (None), another provider's
    (@file) or a loop: nothing is said."""
    for backend in backends:
        if not backend.endswith(TRAEFIK_SERVICE):
            yield backend
            continue
        key = backend.removesuffix(TRAEFIK_SERVICE)
        if traefik_services is None or "@" in key or key in seen or depth >= _MAX_DEPTH:
            continue
        inner = traefik_services.get(key)
        if inner is None:
            problems.append(f"TraefikService {key} not found (Traefik drops the route)")
            continue
        yield from expand_backends(inner, traefik_services, problems, seen | {key}, depth + 1)


def check_backends(route: RouteRow, services: dict[str, ServiceInfo],
                   ready_endpoints: dict[str, int] | None = None,
                   traefik_services: Mapping[str, tuple[str, ...]] | None = None) -> RouteRow:
    """Flag backends Traefik would drop silently (a missing Service, or a port it lacks) and
    backends that answer nothing (no ready endpoint). `ready_endpoints` (service key -> count)
    is None when the EndpointSlices were not listed: then nothing is said about endpoints.
    TraefikService backends are checked through the Services they lead to (`traefik_services`:
    key -> its backends; None when TraefikServices were not listed)."""
    problems = list(route.problems)
    for backend in dict.fromkeys(expand_backends(route.backends, traefik_services, problems)):
        parts = split_backend(backend)
        if parts is None:
            continue
        service_key, port = parts
        svc = services.get(service_key)
        if svc is None:
            problems.append(f"backend service {service_key} not found (Traefik drops the route)")
        elif not svc.has_port(port) and not (svc.type == "ExternalName" and (port or "").isdigit()):
            # an ExternalName Service takes any port number (Traefik only warns); a name must exist
            problems.append(f"service {service_key} has no port {port} (Traefik drops the route)")
        elif ready_endpoints is not None and svc.type != "ExternalName" and not ready_endpoints.get(service_key):
            problems.append(f"no ready endpoint for {backend}")
    return route if len(problems) == len(route.problems) else replace(route, problems=tuple(problems))

