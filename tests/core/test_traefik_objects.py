"""Traefik's other CRDs as real clusters serialise them (traefik.io/v1alpha1 types): TCP and UDP
routes, TraefikService backends, and the Middlewares / TLSOptions / ServersTransports routes name."""
from __future__ import annotations

from typing import Any

from tests.support.core_samples import endpoint_slice, ingressroute, service, store_with
from tui.core.parsers.traefik_objects import (
    parse_ingressroute_tcp,
    parse_ingressroute_udp,
    parse_traefik_service,
)

IO = "traefik.io/v1alpha1"
LEGACY = "traefik.containo.us/v1alpha1"


def _meta(name: str, ns: str) -> dict[str, Any]:
    return {"name": name, "namespace": ns, "resourceVersion": "1", "uid": f"u-{ns}-{name}"}


def tcp_route(name: str, ns: str, match: str, svc: str, port: Any, tls: dict | None = None,
              api: str = IO) -> dict[str, Any]:
    spec: dict[str, Any] = {"entryPoints": ["postgres"],
                            "routes": [{"match": match, "services": [{"name": svc, "port": port}]}]}
    if tls is not None:
        spec["tls"] = tls
    return {"apiVersion": api, "kind": "IngressRouteTCP", "metadata": _meta(name, ns), "spec": spec}


def named(kind: str, name: str, ns: str, api: str = IO, spec: dict | None = None) -> dict[str, Any]:
    return {"apiVersion": api, "kind": kind, "metadata": _meta(name, ns), "spec": spec or {}}


def _backends(ns: str, *names: str, port: int = 80) -> dict[str, list]:
    return {"services": [service(n, ns, {"app": n}, port=port) for n in names],
            "endpointslices": [endpoint_slice(n, ns, ["n1"]) for n in names]}


def test_tcp_route_with_passthrough_reads_hostsni_and_serves_no_secret():
    obj = tcp_route("pg", "db", "HostSNI(`pg.lab`) || HostSNI(`pg2.lab`)", "postgres", 5432,
                    tls={"passthrough": True, "secretName": "ignored"})
    row = parse_ingressroute_tcp(obj)
    assert (row.key, row.source, row.hosts) == ("IngressRouteTCP/db/pg", "IngressRouteTCP", ("pg.lab", "pg2.lab"))
    assert row.tls and row.tls_passthrough and row.tls_certs == ()  # the backend terminates TLS
    assert row.notes == ("TLS passthrough",)
    assert row.backends == ("db/postgres:5432",) and row.entrypoints == ("postgres",)


def test_tcp_catch_all_and_udp_have_no_hosts_and_legacy_keys_differ():
    row = parse_ingressroute_tcp(tcp_route("any", "db", "HostSNI(`*`)", "postgres", 5432, api=LEGACY))
    assert row.hosts == () and row.key == "IngressRouteTCP.traefik.containo.us/db/any" and row.legacy
    udp = {"apiVersion": IO, "kind": "IngressRouteUDP", "metadata": _meta("dns", "kube-system"),
           "spec": {"entryPoints": ["dns-udp"], "routes": [{"services": [{"name": "coredns", "port": 53}]}]}}
    row = parse_ingressroute_udp(udp)
    assert (row.key, row.hosts, row.backends, row.problems) == (
        "IngressRouteUDP/kube-system/dns", (), ("kube-system/coredns:53",), ())


def test_tcp_routes_are_checked_like_http_ones_in_the_store():
    store = store_with({
        "ingressroutetcps": [tcp_route("pg", "db", "HostSNI(`pg.lab`)", "postgres", 5433,
                                       tls={"secretName": "pg-tls"})],
        **_backends("db", "postgres", port=5432),
    })
    row = store.row("routes", "IngressRouteTCP/db/pg")
    assert row.problems == ("service db/postgres has no port 5433 (Traefik drops the route)",
                            "TLS secret db/pg-tls not found (Traefik serves its default certificate)")


def test_missing_middleware_is_a_problem_in_either_spelling():
    route = ingressroute("wiki", "wiki", "wiki.lab", "wiki-web")
    route["spec"]["routes"][0]["middlewares"] = [{"name": "auth"}, {"name": "strip", "namespace": "shared"},
                                                 {"name": "compress@file"}]
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {**_meta("docs", "wiki"), "annotations": {
                   "traefik.ingress.kubernetes.io/router.middlewares": "wiki-auth@kubernetescrd,wiki-gone@kubernetescrd"}},
               "spec": {"rules": [{"host": "docs.lab", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                        "backend": {"service": {"name": "wiki-web", "port": {"number": 80}}}}]}}]}}
    store = store_with({"ingressroutes": [route], "ingresses": [ingress],
                        "middlewares": [named("Middleware", "auth", "wiki", spec={"basicAuth": {"secret": "users"}})],
                        **_backends("wiki", "wiki-web")})
    assert store.row("routes", "IngressRoute/wiki/wiki").problems == (
        "middleware shared/strip not found (Traefik drops the router)",)  # compress@file: not ours to check
    assert store.row("routes", "Ingress/wiki/docs").problems == (
        "middleware wiki-gone@kubernetescrd not found (Traefik drops the router)",)


def test_middleware_only_in_the_legacy_group_is_named_for_a_live_route():
    route = ingressroute("wiki", "wiki", "wiki.lab", "wiki-web")
    route["spec"]["routes"][0]["middlewares"] = [{"name": "auth"}]
    legacy_route = {**route, "apiVersion": LEGACY}
    store = store_with({"ingressroutes": [route], "ingressroutes_legacy": [legacy_route],
                        "middlewares_legacy": [named("Middleware", "auth", "wiki", api=LEGACY)],
                        **_backends("wiki", "wiki-web")})
    assert store.row("routes", "IngressRoute/wiki/wiki").problems == (
        "middleware wiki/auth is only in the legacy group traefik.containo.us (Traefik v3 does not read it)",)
    assert store.row("routes", "IngressRoute.traefik.containo.us/wiki/wiki").problems == ()


def test_kinds_not_listed_are_not_called_missing():
    route = ingressroute("wiki", "wiki", "wiki.lab", "wiki-web")
    route["spec"]["routes"][0]["middlewares"] = [{"name": "auth"}]
    route["spec"]["tls"] = {"options": {"name": "modern"}}
    store = store_with({"ingressroutes": [route], **_backends("wiki", "wiki-web")}, every_kind=False)
    assert store.row("routes", "IngressRoute/wiki/wiki").problems == ()


def test_missing_tls_option_and_servers_transport_are_problems():
    route = ingressroute("wiki", "wiki", "wiki.lab", "wiki-web")
    route["spec"]["tls"] = {"options": {"name": "modern", "namespace": "traefik"}}
    route["spec"]["routes"][0]["services"][0]["serversTransport"] = "insecure"
    store = store_with({"ingressroutes": [route], **_backends("wiki", "wiki-web")})
    assert store.row("routes", "IngressRoute/wiki/wiki").problems == (
        "TLS option traefik/modern not found (Traefik refuses the router)",
        "ServersTransport wiki/insecure not found (Traefik drops the router)")
    fixed = store_with({"ingressroutes": [route], **_backends("wiki", "wiki-web"),
                        "tlsoptions": [named("TLSOption", "modern", "traefik", spec={"minVersion": "VersionTLS13"})],
                        "serverstransports": [named("ServersTransport", "insecure", "wiki",
                                                    spec={"insecureSkipVerify": True})]})
    assert fixed.row("routes", "IngressRoute/wiki/wiki").problems == ()


def _ts_route(ts: str) -> dict[str, Any]:
    route = ingressroute("shop", "shop", "shop.lab", ts)
    route["spec"]["routes"][0]["services"] = [{"name": ts, "kind": "TraefikService"}]
    return route


def test_traefik_service_backends_resolve_to_their_services():
    weighted = named("TraefikService", "canary", "shop", spec={"weighted": {"services": [
        {"name": "shop-v1", "port": 80, "weight": 9}, {"name": "shop-v2", "port": 8080, "weight": 1},
        {"name": "mirror", "kind": "TraefikService"}]}})
    mirror = named("TraefikService", "mirror", "shop", spec={"mirroring": {
        "name": "shop-v1", "port": 80, "mirrors": [{"name": "shadow", "port": 80, "percent": 10}]}})
    assert parse_traefik_service(mirror).backends == ("shop/shop-v1:80", "shop/shadow:80")
    store = store_with({"ingressroutes": [_ts_route("canary")], "traefikservices": [weighted, mirror],
                        **_backends("shop", "shop-v1", "shop-v2", "shadow")})
    row = store.row("routes", "IngressRoute/shop/shop")
    assert row.backends == ("shop/canary (TraefikService)",)
    assert row.problems == ("service shop/shop-v2 has no port 8080 (Traefik drops the route)",)
    gone = store_with({"ingressroutes": [_ts_route("nope")], "traefikservices": [weighted]})
    assert gone.row("routes", "IngressRoute/shop/shop").problems == (
        "TraefikService shop/nope not found (Traefik drops the route)",)


def test_traefik_service_loop_ends():
    a = named("TraefikService", "a", "shop", spec={"weighted": {"services": [{"name": "b", "kind": "TraefikService"}]}})
    b = named("TraefikService", "b", "shop", spec={"weighted": {"services": [
        {"name": "a", "kind": "TraefikService"}, {"name": "gone", "port": 80}]}})
    store = store_with({"ingressroutes": [_ts_route("a")], "traefikservices": [a, b]})
    assert store.row("routes", "IngressRoute/shop/shop").problems == (
        "backend service shop/gone not found (Traefik drops the route)",)
