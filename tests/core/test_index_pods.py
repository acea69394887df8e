"""Pods in the cross-layer index: what enter/i on a node, a workload, an app, a volume, an LB or
a route lists, and the pods a node takes down with it."""
from __future__ import annotations

import copy

import pytest

from tests.core.test_parse_pods import PODS
from tests.support.core_samples import (
    application,
    deployment,
    ingressroute,
    node,
    service,
    statefulset,
    store_with,
    volume,
)
from tui.core.events import Changed
from tui.core.rows import PodRow


def legacy_frontend_pod() -> dict:
    """A pod whose ReplicaSet is not named "<deployment>-<hash>": only the RS says who owns it."""
    obj = copy.deepcopy(PODS["api-6d5c4b3a2-recov"])
    obj["metadata"].update(name="frontend-legacy-1", namespace="wiki", labels={"app": "frontend"})
    obj["metadata"]["ownerReferences"][0]["name"] = "frontend-rs-legacy"
    return obj


def replicaset(name: str, namespace: str, deployment_name: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": namespace, "resourceVersion": "1",
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                              "name": deployment_name, "controller": True}]}}


@pytest.fixture
def store():
    wiki_web_labels = {"app.kubernetes.io/name": "wiki-web"}
    return store_with({
        "nodes": [node(n) for n in ("hel-wk-01", "hel-wk-02", "hel-wk-03", "hel-wk-04")],
        "pods": [*PODS.values(), legacy_frontend_pod()],
        "statefulsets": [statefulset("wiki-db", "wiki", {"app.kubernetes.io/name": "wiki-db"}, claim="data")],
        "deployments": [deployment("wiki-web", "wiki", wiki_web_labels),
                        deployment("frontend", "wiki", {"app": "frontend"})],
        "replicasets": [replicaset("frontend-rs-legacy", "wiki", "frontend")],
        "lh_volumes": [volume("pvc-wikidb", node_id="hel-wk-02", pvc=("wiki", "data-wiki-db-0"))],
        "services": [service("wiki-web", "wiki", wiki_web_labels)],
        "ingressroutes": [ingressroute("wiki", "wiki", "wiki.emberforge.games", "wiki-web")],
        "applications": [application("wiki", [("StatefulSet", "wiki", "wiki-db"),
                                              ("Deployment", "wiki", "wiki-web")], health="Degraded")],
    })


def names(pods: list[PodRow]) -> list[str]:
    return [p.name for p in pods]


def test_a_node_lists_the_pods_on_it_and_its_impact_names_them(store):
    assert names(store.pods_of("nodes", "hel-wk-02")) == [
        "nextcloud-7b6a5c4d3-init2", "backup-29360100-ok001", "backup-29360160-fail1",
        "immich-5c4b3a29-side1", "wiki-db-0"]  # sorted by "ns/name"
    # its impact: the pods that go down with it, not the Job pods that already finished there
    assert store.impact().for_node("hel-wk-02").pods == (
        "cloud/nextcloud-7b6a5c4d3-init2", "photos/immich-5c4b3a29-side1", "wiki/wiki-db-0")


def test_a_workload_lists_its_pods_through_the_replicaset(store):
    assert names(store.pods_of("workloads", "StatefulSet/wiki/wiki-db")) == ["wiki-db-0"]
    assert names(store.pods_of("workloads", "Deployment/wiki/wiki-web")) == [
        "wiki-web-7c9d5b8f6d-old01", "wiki-web-7c9d5b8f6d-x2k9p"]
    legacy = store.row("pods", "wiki/frontend-legacy-1")
    assert legacy.owner == "Deployment/wiki/frontend"
    assert names(store.pods_of("workloads", "Deployment/wiki/frontend")) == ["frontend-legacy-1"]


def test_an_app_lists_the_pods_of_its_workloads_and_each_pod_knows_its_app(store):
    assert names(store.pods_of("apps", "argocd/wiki")) == [
        "wiki-db-0", "wiki-web-7c9d5b8f6d-old01", "wiki-web-7c9d5b8f6d-x2k9p"]
    assert store.row("pods", "wiki/wiki-db-0").app == "argocd/wiki"
    assert store.impact().for_app("argocd/wiki").pods == (
        "wiki/wiki-db-0", "wiki/wiki-web-7c9d5b8f6d-old01", "wiki/wiki-web-7c9d5b8f6d-x2k9p")


def test_a_volume_lists_the_pods_mounting_its_claim(store):
    assert names(store.pods_of("volumes", "longhorn-system/pvc-wikidb")) == ["wiki-db-0"]
    assert store.impact().for_volume("longhorn-system/pvc-wikidb").pods == ("wiki/wiki-db-0",)


def test_a_route_and_a_service_lead_to_the_pods_behind_them(store):
    route = next(r.key for r in store.rows("routes"))
    assert names(store.pods_of("routes", route)) == ["wiki-web-7c9d5b8f6d-old01", "wiki-web-7c9d5b8f6d-x2k9p"]
    assert store.impact().for_workload("Deployment/wiki/wiki-web").pods == (
        "wiki/wiki-web-7c9d5b8f6d-old01", "wiki/wiki-web-7c9d5b8f6d-x2k9p")


def test_unknown_rows_have_no_pods(store):
    assert store.pods_of("nodes", "nowhere") == []
    assert store.pods_of("workloads", "Deployment/x/y") == []
    assert store.pods_of("ip_pools", "lan-pool") == []


def test_a_deleted_pod_leaves_the_node_it_ran_on(store):
    store.handle(Changed("pods", "DELETED", PODS["wiki-db-0"]))
    assert "wiki-db-0" not in names(store.pods_of("nodes", "hel-wk-02"))
    assert store.impact().for_node("hel-wk-02").pods.count("wiki/wiki-db-0") == 0


def test_a_nodes_impact_warns_of_pods_nothing_will_recreate(store):
    findings = store.impact().for_node("hel-wk-04").findings
    orphans = [f for f in findings if f.links and f.links[0].startswith("pods|")]
    # grafana has no ownerReferences; gitea-0 and the api pods have controllers
    assert [f.links for f in orphans] == [("pods|monitoring/grafana-6b7c8d9e0f-abcde",)]
    assert "no controller" in orphans[0].text
    # a static (mirror) pod comes back with its node: no warning for it
    assert not any("kube-vip" in f.text for f in store.impact().for_node("hel-cp-01").findings)
