"""Route identity: kind and API group are part of it. An IngressRoute in traefik.io, its twin in
the legacy traefik.containo.us group and an Ingress of the same namespace/name are three routes;
the legacy one says what it is and never hides (or borrows the status of) the live one."""
from __future__ import annotations

import copy

from tests.support.core_samples import endpoint_slice, ingressroute, service, store_with
from tui.core.attention import attention
from tui.core.events import Changed, Relisted
from tui.core.parsers.traefik import LEGACY_NOTE
from tui.core.traefik_match import TRAEFIK_ROUTERS, crd_router_names


def _legacy(obj: dict) -> dict:
    twin = copy.deepcopy(obj)
    twin["apiVersion"] = "traefik.containo.us/v1alpha1"
    twin["spec"]["routes"][0]["match"] = "Host(`old.wiki.lab`)"
    return twin


def _ingress(name: str, ns: str, host: str, svc: str) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": ns, "resourceVersion": "1"},
            "spec": {"rules": [{"host": host, "http": {"paths": [
                {"path": "/", "pathType": "Prefix",
                 "backend": {"service": {"name": svc, "port": {"number": 80}}}}]}}]}}


def _store():
    live = ingressroute("wiki", "wiki", "wiki.lab", "wiki-web")
    return store_with({
        "ingressroutes": [live],
        "ingressroutes_legacy": [_legacy(live)],
        "ingresses": [_ingress("wiki", "wiki", "ing.wiki.lab", "wiki-web")],
        "services": [service("wiki-web", "wiki", {"app": "wiki-web"})],
        "endpointslices": [endpoint_slice("wiki-web", "wiki", ["n1"])],
    })


def test_same_name_in_two_groups_and_an_ingress_are_three_routes():
    store = _store()
    rows = {r.key: r for r in store.rows("routes")}
    assert set(rows) == {"IngressRoute/wiki/wiki", "IngressRoute.traefik.containo.us/wiki/wiki",
                         "Ingress/wiki/wiki"}
    live, legacy = rows["IngressRoute/wiki/wiki"], rows["IngressRoute.traefik.containo.us/wiki/wiki"]
    assert (live.hosts, live.notes, live.legacy) == (("wiki.lab",), (), False)
    assert (legacy.hosts, legacy.notes, legacy.legacy) == (("old.wiki.lab",), (LEGACY_NOTE,), True)
    assert "traefik.containo.us" in LEGACY_NOTE and "v3" in LEGACY_NOTE
    assert rows["Ingress/wiki/wiki"].hosts == ("ing.wiki.lab",)
    assert {r.ref for r in rows.values()} == {"wiki/wiki"}  # one name, three objects
    assert live.label == "wiki/wiki" and legacy.label == "wiki/wiki (legacy traefik.containo.us)"


def test_deleting_the_legacy_twin_leaves_the_live_route():
    store = _store()
    legacy = store.objects("ingressroutes_legacy")[0]
    store.handle(Changed("ingressroutes_legacy", "DELETED", legacy))
    assert [r.key for r in store.rows("routes")] == ["Ingress/wiki/wiki", "IngressRoute/wiki/wiki"]
    store.handle(Relisted("ingresses", []))
    assert store.row("routes", "IngressRoute/wiki/wiki").hosts == ("wiki.lab",)


def test_legacy_twin_is_not_credited_with_the_live_routes_router():
    store = _store()
    name, _ = crd_router_names("wiki", "wiki", 0, "Host(`wiki.lab`)")
    router = {"name": name, "provider": "kubernetescrd", "status": "enabled", "rule": "Host(`wiki.lab`)",
              "entryPoints": ["websecure"], "service": "wiki-wiki-web-80"}
    store.handle(Relisted(TRAEFIK_ROUTERS, [router], facts={"providers": ["KubernetesCRD"]}))
    assert store.row("routes", "IngressRoute/wiki/wiki").traefik_status == "enabled"
    # Traefik names both twins' routers alike; the legacy one's router is the live one's, not its own
    assert store.row("routes", "IngressRoute.traefik.containo.us/wiki/wiki").traefik_status is None


def test_attention_names_the_legacy_route_as_such():
    live = ingressroute("wiki", "wiki", "wiki.lab", "wiki-web")
    broken = _legacy(live)
    broken["spec"]["routes"][0]["services"][0]["name"] = "gone"
    store = store_with({"ingressroutes": [live], "ingressroutes_legacy": [broken],
                        "services": [service("wiki-web", "wiki", {"app": "wiki-web"})],
                        "endpointslices": [endpoint_slice("wiki-web", "wiki", ["n1"])]})
    subjects = [f.subject for f in attention(store) if f.links[0].startswith("routes|")]
    assert subjects == ["route wiki/wiki (legacy traefik.containo.us)"]
