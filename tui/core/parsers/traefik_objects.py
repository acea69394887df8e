"""Traefik's other CRDs: IngressRouteTCP and IngressRouteUDP as routes, TraefikService as a
backend kind (weighted, mirroring, highestRandomWeight, failover: the Services it leads to), and
the names of the objects routes refer to (Middleware, TLSOption, ServersTransport).

Shapes: traefik/traefik pkg/provider/kubernetes/crd/traefikio/v1alpha1 (both API groups serve
the same types). A TCP route's hosts are its HostSNI() arguments (`*` is any, so none).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.core.parsers.access import (
    dig,
    dig_bool,
    dig_dict,
    dig_list,
    dig_str,
    name_of,
    namespace_of,
    str_tuple,
)
from tui.core.parsers.traefik import (
    crd_backend,
    crd_routes,
    legacy_notes,
    tls_options_ref,
    unique,
)
from tui.core.rows import RouteRow, object_key, route_key


@dataclass(frozen=True, slots=True)
class TraefikServiceInfo:
    key: str  # "ns/name"
    backends: tuple[str, ...]  # as route backends: "ns/svc:port" or "ns/name (TraefikService)"


def parse_ingressroute_tcp(obj: Any, api_group: str | None = None) -> RouteRow:
    return _l4_route(obj, "IngressRouteTCP", api_group)


def parse_ingressroute_udp(obj: Any, api_group: str | None = None) -> RouteRow:
    return _l4_route(obj, "IngressRouteUDP", api_group)


def _l4_route(obj: Any, source: str, api_group: str | None) -> RouteRow:
    name, ns = name_of(obj), namespace_of(obj)
    group = (dig_str(obj, "apiVersion") or f"{api_group or ''}/").partition("/")[0] or None
    # MiddlewareTCP references are kept for the detail, not checked (MiddlewareTCPs are not read)
    rules, hosts, backends, middlewares, transports, problems = crd_routes(
        obj, ns, match_required=source == "IngressRouteTCP")
    tls = dig_dict(obj, "spec", "tls") if isinstance(dig(obj, "spec", "tls"), dict) else None
    passthrough = bool(dig_bool(tls, "passthrough")) if tls is not None else False
    secret = dig_str(tls, "secretName")
    # with passthrough the backend terminates TLS: the secret is never served by Traefik
    certs = ((object_key(ns, secret), unique(hosts)),) if secret and not passthrough else ()
    return RouteRow(
        namespace=ns,
        name=name,
        source=source,
        hosts=unique(hosts),
        entrypoints=str_tuple(dig(obj, "spec", "entryPoints")),
        backends=unique([b for b in backends if b]),
        tls=tls is not None,
        problems=tuple(problems),
        key=route_key(source, group, ns, name),
        api_group=group,
        rules=tuple(rules),
        middlewares=unique(middlewares),
        tls_secret=secret,
        cert_resolver=dig_str(tls, "certResolver"),
        notes=(*legacy_notes(group), *(("TLS passthrough",) if passthrough else ())),
        tls_certs=certs,
        tls_passthrough=passthrough,
        tls_options=tls_options_ref(tls, ns),
        servers_transports=unique(transports),
    )


DEFAULT_STORE = "default"  # Traefik uses the TLSStore of this name (in one namespace) as its default


def default_certificate(obj: Any) -> str | None:
    """Of the default TLSStore: "ns/secret" of its defaultCertificate, "" when it has none;
    None for any other store."""
    if name_of(obj) != DEFAULT_STORE:
        return None
    secret = dig_str(obj, "spec", "defaultCertificate", "secretName")
    return object_key(namespace_of(obj), secret) if secret else ""


def parse_traefik_service(obj: Any) -> TraefikServiceInfo:
    ns = namespace_of(obj)
    spec = dig_dict(obj, "spec")
    refs: list[Any] = []
    for kind in ("weighted", "highestRandomWeight"):
        refs.extend(dig_list(spec, kind, "services"))
    mirroring = dig(spec, "mirroring")
    if isinstance(mirroring, dict):
        refs.append(mirroring)
        refs.extend(dig_list(mirroring, "mirrors"))
    for part in ("service", "fallback"):
        refs.append(dig(spec, "failover", part))
    backends = [crd_backend(ref, ns) for ref in refs if isinstance(ref, dict)]
    return TraefikServiceInfo(object_key(ns, name_of(obj)), unique([b for b in backends if b]))

