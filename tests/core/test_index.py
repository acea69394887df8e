"""The cross-layer index over a small hand-built cluster: what a node's loss would touch."""
from __future__ import annotations

import pytest

from tests.support.core_samples import (
    LH,
    application,
    deployment,
    endpoint_slice,
    engine,
    ingressroute,
    ip_pool,
    l2_status,
    node,
    replica,
    service,
    statefulset,
    store_with,
    volume,
)
from tui.core.events import Changed
from tui.core.findings import Severity
from tui.core.index import Impact


def texts(impact: Impact) -> tuple[str, ...]:
    """The findings as the impact screen words them."""
    return tuple(f.text for f in impact.findings)


def severity_of(impact: Impact, text: str) -> Severity:
    return next(f.severity for f in impact.findings if f.text == text)


WIKI_DB, BOT_DB, UPLOADS = f"{LH}/pvc-wiki-db", f"{LH}/pvc-bot-db", f"{LH}/pvc-api-uploads"


def cluster() -> dict:
    api = deployment("api", "api", {"app": "api"}, claim="api-uploads")
    api["metadata"]["labels"] = {"argocd.argoproj.io/instance": "api"}
    return {
        "nodes": [node("hel-cp-01", server=True), node("hel-wk-01"), node("hel-wk-02")],
        "lh_volumes": [
            volume("pvc-wiki-db", "hel-wk-01", pvc=("wiki", "data-wiki-db-0"), workload="wiki-db"),
            volume("pvc-bot-db", "hel-wk-02", pvc=("bot", "data-bot-db-0"), robustness="degraded"),
            volume("pvc-api-uploads", "hel-wk-01", pvc=("api", "api-uploads")),
        ],
        "lh_replicas": [
            replica("pvc-wiki-db", "hel-wk-01"), replica("pvc-wiki-db", "hel-wk-02"),
            replica("pvc-wiki-db", "hel-cp-01", failed=True),
            replica("pvc-bot-db", "hel-wk-02"), replica("pvc-bot-db", "hel-wk-01"),
            replica("pvc-api-uploads", "hel-cp-01"), replica("pvc-api-uploads", "hel-wk-01"),
            replica("pvc-api-uploads", "hel-wk-02"),
        ],
        "lh_engines": [
            engine("pvc-wiki-db", "hel-wk-01", {"hel-wk-01": "RW", "hel-wk-02": "RW"}),
            engine("pvc-bot-db", "hel-wk-02", {"hel-wk-02": "RW", "hel-wk-01": "WO"}),
            engine("pvc-api-uploads", "hel-wk-01", {"hel-cp-01": "RW", "hel-wk-01": "RW", "hel-wk-02": "RW"}),
        ],
        "ip_pools": [ip_pool("lan-pool", ["192.168.10.240-192.168.10.250"])],
        "services": [
            service("traefik", "kube-system", {"app.kubernetes.io/name": "traefik"}, port=443,
                    lb_ip="192.168.10.240", pool="lan-pool"),
            service("wiki-web", "wiki", {"app": "wiki-web"}),
            service("api", "api", {"app": "api"}),
        ],
        "l2_statuses": [l2_status("traefik", "kube-system", "hel-wk-02")],
        "endpointslices": [endpoint_slice("wiki-web", "wiki", ["hel-wk-01"]),
                           endpoint_slice("api", "api", ["hel-wk-01", "hel-wk-02"]),
                           endpoint_slice("traefik", "kube-system", ["hel-cp-01"])],
        "deployments": [deployment("wiki-web", "wiki", {"app": "wiki-web"}), api],
        "statefulsets": [statefulset("wiki-db", "wiki", {"app": "wiki-db"}, claim="data")],
        "ingressroutes": [ingressroute("wiki", "wiki", "wiki.emberforge.games", "wiki-web"),
                          ingressroute("api", "api", "api.emberforge.games", "api")],
        "applications": [
            application("wiki", [("Deployment", "wiki", "wiki-web"), ("StatefulSet", "wiki", "wiki-db"),
                                 ("Service", "wiki", "wiki-web"), ("IngressRoute", "wiki", "wiki")]),
            application("api", []),
        ],
    }


@pytest.fixture
def store():
    return store_with(cluster())


def test_worker_hosting_volumes_and_endpoints(store):
    impact = store.impact().for_node("hel-wk-01")
    assert impact.volumes_attached == (UPLOADS, WIKI_DB)
    assert set(impact.volumes) == {UPLOADS, WIKI_DB, BOT_DB}  # bot-db has a (rebuilding) replica here
    assert impact.workloads == ("Deployment/api/api", "Deployment/wiki/wiki-web", "StatefulSet/wiki/wiki-db")
    assert impact.routes == ("IngressRoute/api/api", "IngressRoute/wiki/wiki")
    assert impact.apps == ("argocd/api", "argocd/wiki")
    assert impact.load_balancers == ()
    assert "route wiki/wiki: every endpoint of wiki/wiki-web runs on this node" in texts(impact)
    assert not any("api/api:" in f for f in texts(impact))  # api also runs on hel-wk-02
    assert "volume pvc-wiki-db would drop to 1 of 3 healthy replicas" in texts(impact)
    assert impact.last_replica_volumes == ()


def test_node_holding_the_last_healthy_replica_and_announcing_the_lb(store):
    impact = store.impact().for_node("hel-wk-02")
    assert impact.last_replica_volumes == (BOT_DB,)
    assert "volume pvc-bot-db would lose its last healthy replica" in texts(impact)
    # core decides how bad each is: losing data is a problem, a MetalLB failover a warning
    assert severity_of(impact, "volume pvc-bot-db would lose its last healthy replica") is Severity.PROBLEM
    lost = next(f for f in impact.findings if f.text.startswith("volume pvc-bot-db"))
    assert lost.links == (f"volumes|{BOT_DB}",)  # enter on it jumps to the volume
    assert impact.load_balancers == ("kube-system/traefik",)
    assert impact.ips == ("192.168.10.240",)
    assert ("LB IP 192.168.10.240 (kube-system/traefik) is announced from here: MetalLB must fail it "
            "over to another node; all 2 routes enter through it") in texts(impact)
    assert severity_of(impact, "LB IP 192.168.10.240 (kube-system/traefik) is announced from here: MetalLB "
                       "must fail it over to another node; all 2 routes enter through it") is Severity.WARNING


def test_node_with_only_a_failed_replica_risks_nothing_of_it(store):
    impact = store.impact().for_node("hel-cp-01")
    assert impact.volumes_attached == () and impact.last_replica_volumes == ()
    assert not any("pvc-wiki-db" in f for f in texts(impact))
    assert "volume pvc-api-uploads would drop to 2 of 3 healthy replicas" in texts(impact)
    # the only Traefik pod runs here, so every route goes down with this node
    assert "every endpoint of kube-system/traefik runs on this node: all 2 routes stop with it" in texts(impact)


def test_volume_route_lb_and_app_views(store):
    index = store.impact()
    vol = index.for_volume(WIKI_DB)
    assert vol.workloads == ("StatefulSet/wiki/wiki-db",)
    assert vol.apps == ("argocd/wiki",)
    assert vol.nodes == ("hel-cp-01", "hel-wk-01", "hel-wk-02")
    uploads = index.for_volume(UPLOADS)
    assert uploads.workloads == ("Deployment/api/api",)  # found through the PVC claim
    assert uploads.routes == ("IngressRoute/api/api",) and uploads.apps == ("argocd/api",)

    lb = index.for_lb("kube-system/traefik")
    assert lb.routes == ("IngressRoute/api/api", "IngressRoute/wiki/wiki")  # every route enters through Traefik's IP
    assert lb.pools == ("lan-pool",) and lb.ips == ("192.168.10.240",)
    assert "hel-wk-02" in lb.nodes

    route = index.for_route("IngressRoute/wiki/wiki")
    assert (route.nodes, route.workloads, route.apps) == (("hel-wk-01",), ("Deployment/wiki/wiki-web",), ("argocd/wiki",))
    assert route.load_balancers == ("kube-system/traefik",)

    app = index.for_app("argocd/wiki")
    assert app.routes == ("IngressRoute/wiki/wiki",)
    assert app.volumes == (WIKI_DB,)
    assert app.workloads == ("Deployment/wiki/wiki-web", "StatefulSet/wiki/wiki-db")
    assert "hel-wk-01" in app.nodes


def test_unknown_keys_say_so(store):
    index = store.impact()
    assert index.for_route("nope/nope").found is False
    assert texts(index.for_volume("x/y")) == ("volume x/y not found",)
    ghost = index.for_node("ghost")
    assert (ghost.found, ghost.findings, ghost.volumes) == (False, (), ())
    assert index.for_node("hel-wk-01").found is True


def test_index_follows_changes(store):
    before = store.impact()
    assert "IngressRoute/wiki/wiki" in before.for_node("hel-wk-01").routes
    moved = endpoint_slice("wiki-web", "wiki", ["hel-wk-02"])
    moved["metadata"]["resourceVersion"] = "2"
    store.handle(Changed("endpointslices", "MODIFIED", moved))
    after = store.impact()
    assert after is not before
    assert "IngressRoute/wiki/wiki" not in after.for_node("hel-wk-01").routes
    assert "IngressRoute/wiki/wiki" in after.for_node("hel-wk-02").routes
    assert store.impact() is after  # cached until the next change


# -- a workload's impact: where its pods run, what it mounts, what leads to it ---------------------

def test_workload_behind_a_route_runs_where_its_endpoints_are(store):
    impact = store.impact().for_workload("Deployment/wiki/wiki-web")
    assert impact.found and impact.workloads == ("Deployment/wiki/wiki-web",)
    assert impact.nodes == ("hel-wk-01",) and impact.services == ("wiki/wiki-web",)
    assert impact.routes == ("IngressRoute/wiki/wiki",) and impact.apps == ("argocd/wiki",)
    # the route reaches it through Traefik's LoadBalancer IP
    assert impact.load_balancers == ("kube-system/traefik",) and impact.ips == ("192.168.10.240",)
    assert impact.pools == ("lan-pool",) and impact.volumes == ()
    assert texts(impact) == ("route wiki/wiki enters through this workload",)


def test_workload_nodes_come_from_endpoints_and_from_its_attached_volumes(store):
    index = store.impact()
    db = index.for_workload("StatefulSet/wiki/wiki-db")  # no Service: found through workloadsStatus
    assert (db.volumes, db.nodes, db.apps) == ((WIKI_DB,), ("hel-wk-01",), ("argocd/wiki",))
    assert db.routes == () and db.load_balancers == () and db.findings == ()
    api = index.for_workload("Deployment/api/api")  # the PVC claim and both endpoints
    assert (api.volumes, api.nodes) == ((UPLOADS,), ("hel-wk-01", "hel-wk-02"))
    assert (api.routes, api.apps) == (("IngressRoute/api/api",), ("argocd/api",))


def test_workload_findings_name_its_degraded_volume_and_missing_pods(store):
    degraded = volume("pvc-wiki-db", "hel-wk-01", pvc=("wiki", "data-wiki-db-0"), workload="wiki-db",
                      robustness="degraded")
    degraded["metadata"]["resourceVersion"] = "2"
    down = statefulset("wiki-db", "wiki", {"app": "wiki-db"}, claim="data")
    down["metadata"]["resourceVersion"] = "2"
    down["status"]["readyReplicas"] = 0
    for key, obj in (("lh_volumes", degraded), ("statefulsets", down),
                     ("services", service("wiki-db", "wiki", {"app": "wiki-db"}, port=3306))):
        store.handle(Changed(key, "MODIFIED", obj))
    impact = store.impact().for_workload("StatefulSet/wiki/wiki-db")
    assert impact.services == ("wiki/wiki-db",)
    assert texts(impact) == (
        "only 0 of 1 pods are ready",
        "service wiki/wiki-db has no ready endpoints",
        # the failed replica on hel-cp-01 does not count
        "volume wiki/data-wiki-db-0 is degraded: 2 of 3 replicas healthy",
    )


def test_traefiks_own_workload_carries_every_route(store):
    traefik = deployment("traefik", "kube-system", {"app.kubernetes.io/name": "traefik"})
    store.handle(Changed("deployments", "ADDED", traefik))
    impact = store.impact().for_workload("Deployment/kube-system/traefik")
    assert impact.routes == ("IngressRoute/api/api", "IngressRoute/wiki/wiki") and impact.nodes == ("hel-cp-01",)
    assert impact.apps == ("argocd/api", "argocd/wiki")
    assert texts(impact) == ("all 2 routes enter through this workload",)


def test_workload_links_agree_with_the_other_views(store):
    index = store.impact()
    for key in index.workloads:
        impact = index.for_workload(key)
        assert all(key in index.for_volume(v).workloads for v in impact.volumes), key
        assert all(key in index.for_route(r).workloads for r in impact.routes), key
        assert all(key in index.for_app(a).workloads for a in impact.apps), key
    assert texts(index.for_workload("Deployment/nope/nope")) == ("workload Deployment/nope/nope not found",)
