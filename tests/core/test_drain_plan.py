"""The drain plan, from a store filled with real object shapes: what kubectl drain would evict,
skip or refuse, which PDB blocks, what Longhorn and MetalLB lose, which routes go dark."""
from __future__ import annotations

from typing import Any

from tests.support.core_samples import (
    deployment,
    endpoint_slice,
    ingressroute,
    ip_pool,
    l2_status,
    meta,
    node,
    replica,
    service,
    statefulset,
    store_with,
    volume,
)
from tui.core.drain_plan import build_drain_plan, plan_lines
from tui.core.findings import Severity


def pod(name: str, namespace: str, node_name: str, owner: tuple[str, str] | None = None,
        labels: dict[str, str] | None = None, phase: str = "Running", annotations: dict[str, str] | None = None,
        volumes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    refs = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1], "uid": f"uid-{owner[1]}",
             "controller": True, "blockOwnerDeletion": True}] if owner else []
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {**meta(name, namespace, labels=labels or {}, annotations=annotations or {}),
                         "ownerReferences": refs, "uid": f"uid-pod-{name}"},
            "spec": {"nodeName": node_name, "containers": [{"name": "main", "image": "busybox"}],
                     "volumes": volumes or []},
            "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True"}],
                       "containerStatuses": [{"name": "main", "ready": True, "restartCount": 0,
                                              "state": {"running": {"startedAt": "2026-11-26T10:00:00Z"}}}]}}


def pdb(name: str, namespace: str, match: dict[str, str], allowed: int) -> dict[str, Any]:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(name, namespace),
            "spec": {"selector": {"matchLabels": match}, "maxUnavailable": 0},
            "status": {"observedGeneration": 1, "disruptionsAllowed": allowed, "currentHealthy": 1,
                       "desiredHealthy": 1, "expectedPods": 1}}


def l2_adv(name: str, node_selector: dict[str, str] | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"ipAddressPools": ["lan"]}
    if node_selector is not None:
        spec["nodeSelectors"] = [{"matchLabels": node_selector}]
    return {"apiVersion": "metallb.io/v1beta1", "kind": "L2Advertisement",
            "metadata": meta(name, "metallb-system"), "spec": spec}


def labelled(obj: dict[str, Any], **labels: str) -> dict[str, Any]:
    obj["metadata"].setdefault("labels", {}).update(labels)
    return obj


def cluster(advertise_on: dict[str, str] | None) -> tuple[Any, list[dict[str, Any]]]:
    lb = service("traefik", "kube-system", {"app": "traefik"}, lb_ip="192.168.10.240")
    pods = [
        pod("web-7d9-abcde", "shop", "n1", ("ReplicaSet", "web-7d9"), {"app": "web"}),
        pod("db-0", "shop", "n1", ("StatefulSet", "db"), {"app": "db"},
            volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}}]),
        pod("speaker-x1", "metallb-system", "n1", ("DaemonSet", "speaker"), {"app": "speaker"}),
        pod("kube-vip-n1", "kube-system", "n1", annotations={"kubernetes.io/config.mirror": "abc"}),
        pod("migrate-1", "shop", "n1", ("Job", "migrate"), phase="Succeeded"),
        pod("debug", "shop", "n1"),
        pod("cache-5f-zzzzz", "shop", "n1", ("ReplicaSet", "cache-5f"), {"app": "cache"},
            volumes=[{"name": "tmp", "emptyDir": {}}]),
        pod("traefik-6c-qqqqq", "kube-system", "n1", ("ReplicaSet", "traefik-6c"), {"app": "traefik"}),
        pod("web-7d9-fghij", "shop", "n2", ("ReplicaSet", "web-7d9"), {"app": "web"}),
    ]
    objects = {
        "nodes": [labelled(node("n1"), announce="yes"), labelled(node("n2")), node("n3", ready="False")],
        "pods": pods,
        "deployments": [deployment("web", "shop", {"app": "web"})],
        "statefulsets": [statefulset("db", "shop", {"app": "db"}, claim="data")],
        "lh_volumes": [volume("pvc-db", node_id="n1", pvc=("shop", "data-db-0"), workload="db")],
        "lh_replicas": [replica("pvc-db", "n1"), replica("pvc-db", "n2", failed=True)],
        "services": [lb, service("web", "shop", {"app": "web"})],
        "endpointslices": [endpoint_slice("traefik", "kube-system", ["n1"]), endpoint_slice("web", "shop", ["n1"])],
        "ip_pools": [ip_pool("lan", ["192.168.10.240-192.168.10.250"])],
        "l2_statuses": [l2_status("traefik", "kube-system", "n1")],
        "l2_advertisements": [l2_adv("lan", advertise_on)],
        "ingressroutes": [ingressroute("web", "shop", "shop.example.org", "web")],
    }
    return store_with(objects), [pdb("db", "shop", {"app": "db"}, 0)]


def plan_for(store: Any, pdbs: list[dict[str, Any]], policy: str | None = None, **options: Any):
    pods = store.rows("pods")
    return build_drain_plan(
        "n1", pods=pods, raw_pods={p.key: store.get("pods", p.key) for p in pods},
        nodes=store.rows("nodes"),
        node_labels={n.name: (store.get("nodes", n.name)["metadata"].get("labels") or {}) for n in store.rows("nodes")},
        index=store.impact(), advertisements=store.objects("l2_advertisements"),
        pools={o["metadata"]["name"]: o for o in store.objects("ip_pools")}, pdbs=pdbs, drain_policy=policy,
        **options)


def test_plan_evicts_controlled_pods_and_skips_what_kubectl_skips():
    store, pdbs = cluster(advertise_on=None)
    plan = plan_for(store, pdbs)
    assert plan.pods_to_evict == ("kube-system/traefik-6c-qqqqq", "shop/cache-5f-zzzzz", "shop/db-0",
                                  "shop/web-7d9-abcde")
    skipped = {s.pod: s.why for s in plan.skipped}
    assert "DaemonSet" in skipped["metallb-system/speaker-x1"]
    assert "mirror" in skipped["kube-system/kube-vip-n1"]
    assert "succeeded" in skipped["shop/migrate-1"]
    flagged = {s.pod: s.option for s in plan.flagged}
    assert flagged == {"shop/debug": "force"}  # no controller: gone for good
    assert "shop/web-7d9-fghij" not in plan.pods_to_evict  # lives on n2


def test_emptydir_and_force_are_choices():
    store, pdbs = cluster(advertise_on=None)
    cautious = plan_for(store, pdbs, delete_emptydir=False)
    assert {s.pod: s.option for s in cautious.flagged}["shop/cache-5f-zzzzz"] == "delete_emptydir"
    forced = plan_for(store, pdbs, force=True)
    assert "shop/debug" in forced.pods_to_evict and not forced.flagged


def test_a_pdb_with_no_disruption_allowed_blocks_by_name():
    store, pdbs = cluster(advertise_on=None)
    plan = plan_for(store, pdbs)
    assert plan.blocking_pdbs == ("shop/db: 0 disruptions allowed now (blocks shop/db-0)",)
    step = next(s for s in plan.evict if s.pod == "shop/db-0")
    assert step.blocked_by == "shop/db"
    assert "  evict shop/db-0 (StatefulSet db)  PDB shop/db blocks" in plan_lines(plan)
    assert plan_for(store, [pdb("db", "shop", {"app": "db"}, 1)]).blocking_pdbs == ()


def test_last_healthy_replica_names_the_longhorn_policy():
    store, pdbs = cluster(advertise_on=None)
    unknown = plan_for(store, pdbs, policy=None)
    assert unknown.last_replica == ("longhorn-system/pvc-db",)
    text = " ".join(f.text for f in unknown.findings if f.subject == "volume pvc-db")
    assert "block-if-contains-last-replica (Longhorn's default; the setting was not readable)" in text
    assert "attached here" in text
    allowed = plan_for(store, pdbs, policy="always-allow")
    assert any("always-allow lets the drain go on" in f.text for f in allowed.findings)


def test_lb_ip_takeover_follows_l2advertisement_node_selectors():
    anywhere = plan_for(*cluster(advertise_on=None))
    lb = next(f for f in anywhere.findings if f.subject == "LB IP 192.168.10.240")
    assert lb.severity == Severity.WARNING and "one of n2" in lb.text  # n3 is NotReady
    pinned = plan_for(*cluster(advertise_on={"announce": "yes"}))  # only n1 carries the label
    lb = next(f for f in pinned.findings if f.subject == "LB IP 192.168.10.240")
    assert lb.severity == Severity.PROBLEM and "no other node can announce 192.168.10.240" in lb.text


def test_routes_that_lose_every_endpoint_are_problems():
    plan = plan_for(*cluster(advertise_on=None))
    route = next(f for f in plan.findings if f.subject == "route shop/web")
    assert route.severity == Severity.PROBLEM and "shop/web" in route.text
    assert plan.findings == tuple(sorted(plan.findings, key=lambda f: f.severity))  # worst first
