"""Traefik rules, IngressRoutes of both API groups, Ingresses, and backend checks."""
from __future__ import annotations

import copy

import pytest

from tests.support.core_samples import (
    endpoint_slice,
    fixture_doc,
    ingressroute,
    service,
    store_with,
)
from tui.core.parsers import parse_ingress, parse_ingressroute, rule_hosts


@pytest.mark.parametrize("rule, hosts", [
    ("Host(`emberforge.games`)", ["emberforge.games"]),
    ("Host(`emberforge.games`) || Host(`www.emberforge.games`)", ["emberforge.games", "www.emberforge.games"]),
    ("Host(`invite.emberforge.games`, `discord.emberforge.games`)",  # v2: several args
     ["invite.emberforge.games", "discord.emberforge.games"]),
    ("(Host(`api.emberforge.games`) && PathPrefix(`/v1`)) || Host(\"cdn.emberforge.games\")",
     ["api.emberforge.games", "cdn.emberforge.games"]),
    ("HostRegexp(`^.+\\.emberforge\\.games$`)", ["~^.+\\.emberforge\\.games$"]),
    ("PathPrefix(`/api`)", []),
    ("Host(`wiki.emberforge.games`) && !Host(`old.emberforge.games`)", ["wiki.emberforge.games"]),
    ("Host(`a.example`", []),  # unterminated: no crash, no host
    ("Host(`a.example`) && Path(`Host(x)`)", ["a.example"]),
])
def test_rule_hosts(rule, hosts):
    assert rule_hosts(rule) == hosts


def test_fixture_ingressroute():
    row = parse_ingressroute(fixture_doc("traefik-ingressroute.yaml", "IngressRoute"))
    assert row.hosts == ("jellyfin.home.example",)
    assert row.entrypoints == ("websecure",)
    assert row.backends == ("media/jellyfin:8096",)
    assert row.tls is True and row.tls_secret == "jellyfin-tls"
    assert row.middlewares == ("media/lan-only",)
    assert row.api_group == "traefik.io"


def test_legacy_group_route_without_apiversion_in_list_item():
    obj = copy.deepcopy(fixture_doc("traefik-ingressroute.yaml", "IngressRoute"))
    del obj["apiVersion"], obj["kind"]
    assert parse_ingressroute(obj, api_group="traefik.containo.us").api_group == "traefik.containo.us"


def test_backend_namespace_defaults_to_the_routes():
    row = parse_ingressroute(ingressroute("wiki", "wiki", "wiki.emberforge.games", "wiki-web", 80))
    assert row.backends == ("wiki/wiki-web:80",)
    assert row.tls is True and row.problems == ()


def test_fixture_ingress():
    row = parse_ingress(fixture_doc("ingress-traefik.yaml", "Ingress"))
    assert (row.source, row.hosts, row.backends) == ("Ingress", ("grafana.home.example",), ("monitoring/grafana:3000",))
    assert row.tls is True and row.entrypoints == ("websecure",)


def test_store_flags_missing_service_and_missing_port():
    store = store_with({
        "ingressroutes": [ingressroute("website", "website", "emberforge.games", "website", 80),
                          ingressroute("api", "api", "api.emberforge.games", "api", 8080),
                          ingressroute("donate", "donate", "donate.emberforge.games", "donate", "http")],
        "services": [service("website", "website", {"app": "website"}, port=80),
                     service("api", "api", {"app": "api"}, port=3000),
                     service("donate", "donate", {"app": "donate"}, port=80)],
        "endpointslices": [endpoint_slice(name, name, ["n1"]) for name in ("website", "api", "donate")],
    })
    assert store.row("routes", "IngressRoute/website/website").problems == ()
    assert store.row("routes", "IngressRoute/api/api").problems == ("service api/api has no port 8080 (Traefik drops the route)",)
    assert store.row("routes", "IngressRoute/donate/donate").problems == ()  # port given by name
    store2 = store_with({"ingressroutes": [ingressroute("wiki", "wiki", "wiki.emberforge.games", "wiki-web")]})
    assert store2.row("routes", "IngressRoute/wiki/wiki").problems == (
        "backend service wiki/wiki-web not found (Traefik drops the route)",)


def test_backend_without_a_ready_endpoint_is_a_problem():
    slice_ = endpoint_slice("wiki-web", "wiki", ["n1", "n2"])
    for endpoint in slice_["endpoints"]:
        endpoint["conditions"]["ready"] = False  # readiness probe failing: Running, not Ready
    store = store_with({
        "ingressroutes": [ingressroute("wiki", "wiki", "wiki.emberforge.games", "wiki-web")],
        "services": [service("wiki-web", "wiki", {"app": "wiki-web"})],
        "endpointslices": [slice_],
    })
    assert store.row("routes", "IngressRoute/wiki/wiki").problems == ("no ready endpoint for wiki/wiki-web:80",)
    del slice_["endpoints"][0]["conditions"]["ready"]  # absent means ready (EndpointConditions)
    slice_["metadata"]["resourceVersion"] = "2"
    store2 = store_with({
        "ingressroutes": [ingressroute("wiki", "wiki", "wiki.emberforge.games", "wiki-web")],
        "services": [service("wiki-web", "wiki", {"app": "wiki-web"})],
        "endpointslices": [slice_],
    })
    assert store2.row("routes", "IngressRoute/wiki/wiki").problems == ()


def test_endpoints_not_listed_yet_are_not_called_missing():
    store = store_with({
        "ingressroutes": [ingressroute("wiki", "wiki", "wiki.emberforge.games", "wiki-web")],
        "services": [service("wiki-web", "wiki", {"app": "wiki-web"})],
    }, every_kind=False)  # the EndpointSlice source has not answered
    assert store.row("routes", "IngressRoute/wiki/wiki").problems == ()


def test_unbalanced_rule_is_a_problem():
    obj = ingressroute("api", "api", "api.emberforge.games", "api")
    obj["spec"]["routes"][0]["match"] = "Host(`api.emberforge.games`"
    assert parse_ingressroute(obj).problems == (
        "route 1 rule does not parse (unbalanced parentheses or quotes)",)


def test_route_without_services_or_match():
    row = parse_ingressroute({"metadata": {"name": "r", "namespace": "x"},
                              "spec": {"routes": [{"match": ""}, {"match": 5, "services": "no"}]}})
    assert "route 1 has an empty match (Traefik skips it)" in row.problems
    assert "route 2 has no services" in row.problems
    assert row.tls is False and row.hosts == ()


def _ingress(name: str, ns: str, host: str, service_port: dict) -> dict:
    """networking.k8s.io/v1 Ingress as the API serialises it (port is number XOR name)."""
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": ns, "resourceVersion": "1"},
            "spec": {"ingressClassName": "traefik",
                     "rules": [{"host": host, "http": {"paths": [
                         {"path": "/", "pathType": "Prefix",
                          "backend": {"service": {"name": name, "port": service_port}}}]}}]}}


def test_ingress_backend_port_checked_by_number_and_by_name():
    store = store_with({
        "ingresses": [_ingress("grafana", "monitoring", "grafana.lab", {"name": "web"}),
                      _ingress("loki", "monitoring", "loki.lab", {"number": 3100}),
                      _ingress("tempo", "monitoring", "tempo.lab", {"name": "http"})],
        "services": [service(n, "monitoring", {"app": n}) for n in ("grafana", "loki", "tempo")],
        "endpointslices": [endpoint_slice(n, "monitoring", ["n1"]) for n in ("grafana", "loki", "tempo")],
    })
    problems = {row.name: row.problems for row in store.rows("routes")}
    assert problems["grafana"] == ("service monitoring/grafana has no port web (Traefik drops the route)",)
    assert problems["loki"] == ("service monitoring/loki has no port 3100 (Traefik drops the route)",)
    assert problems["tempo"] == ()  # the Service's port is named "http"


def test_ingressroute_backend_without_port_and_externalname_ports():
    no_port = ingressroute("docs", "docs", "docs.lab", "docs")
    del no_port["spec"]["routes"][0]["services"][0]["port"]  # omitted: Traefik refuses the route
    external = service("upstream", "docs", {})
    external["spec"] = {"type": "ExternalName", "externalName": "backend.example.net"}  # no ports
    store = store_with({
        "ingressroutes": [no_port,
                          ingressroute("ext", "docs", "ext.lab", "upstream", 8443),
                          ingressroute("ext-named", "docs", "extn.lab", "upstream", "https")],
        "services": [service("docs", "docs", {"app": "docs"}), external],
        "endpointslices": [endpoint_slice("docs", "docs", ["n1"])],
    })
    problems = {row.name: row.problems for row in store.rows("routes")}
    assert problems["docs"] == ("route 1 backend docs names no port (Traefik drops the route)",)
    assert problems["ext"] == ()  # ExternalName: any port number passes
    assert problems["ext-named"] == ("service docs/upstream has no port https (Traefik drops the route)",)
