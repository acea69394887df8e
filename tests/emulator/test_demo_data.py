"""The demo cluster: the repository's manifests plus a consistent, fixed live state.

What a user of `clusterdeck --demo` sees must hang together the way a real cluster does:
every volume's replicas exist on real nodes, every route reaches pods on some node, the one
NotReady node explains the one degraded volume, and ArgoCD's view matches what it deployed.
"""
from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import kubernetes.client
import kubernetes.config
import pytest

from tui.core.events import Relisted
from tui.core.kinds import KINDS, kind_for
from tui.emulator.demo import MANIFESTS, STATE_DIR, STATE_FILES, demo_objects, object_id
from tui.emulator.demo.render import render

STORY_NODES = {"hel-cp-01", "hel-cp-02", "hel-cp-03", "hel-wk-01", "hel-wk-02", "hel-wk-03", "hel-wk-04"}
GiB = 1024**3


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return demo_objects()


def all_of(objects, api_version: str, kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["apiVersion"] == api_version and o["kind"] == kind]


def one(objects, api_version: str, kind: str, namespace: str | None, name: str) -> dict[str, Any]:
    found = [o for o in all_of(objects, api_version, kind)
             if o["metadata"]["name"] == name and o["metadata"].get("namespace") == namespace]
    assert len(found) == 1, f"{kind} {namespace}/{name}: {len(found)} found"
    return found[0]


def condition(obj: dict[str, Any], type_: str) -> dict[str, Any]:
    (found,) = [c for c in obj["status"]["conditions"] if c["type"] == type_]
    return found


def quantity_bytes(q: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", q).groups()
    return int(number) * {"Mi": 1024**2, "Gi": GiB}[unit]


# ------------------------------------------------------------------ identity and determinism


def test_deterministic_and_each_call_is_a_fresh_copy():
    first, second = demo_objects(), demo_objects()
    assert first == second
    first[0]["metadata"]["name"] = "changed"
    assert demo_objects() == second


def test_objects_are_unique_and_timestamps_fixed_in_november_2026(objects):
    ids = Counter(object_id(o) for o in objects)
    assert [i for i, n in ids.items() if n > 1] == []
    for obj in objects:
        created = obj["metadata"]["creationTimestamp"]
        # Events are the last hour's and snapshot-daily's Snapshots the last week's, up to the demo
        # clock (2026-11-26 14:05); the rest is older.
        last_day = "6" if obj["kind"] in ("Event", "Snapshot") else "4"
        assert re.fullmatch(rf"2026-11-(0[2-9]|1\d|2[0-{last_day}])T\d\d:\d\d:\d\dZ", created), (object_id(obj), created)
        assert created <= "2026-11-26T14:05:00Z"


def test_every_namespaced_object_lives_in_an_existing_namespace(objects):
    namespaces = {o["metadata"]["name"] for o in all_of(objects, "v1", "Namespace")}
    assert {"kube-system", "longhorn-system", "metallb-system", "argocd"} <= namespaces
    for obj in objects:
        ns = obj["metadata"].get("namespace")
        assert ns is None or ns in namespaces, object_id(obj)


def test_state_files_are_all_read():
    on_disk = {p.name for p in Path(STATE_DIR).glob("*.yaml")} - {"logs.yaml"}  # container logs, not objects
    assert on_disk == set(STATE_FILES)


def test_every_rendered_manifest_is_in_the_demo(objects):
    ids = {object_id(o) for o in objects}
    for folder in ("metallb", "traefik", "longhorn", "argocd", "apps"):
        for obj in render(MANIFESTS / folder):
            assert object_id(obj) in ids


def test_status_files_only_enrich_what_the_manifests_declare(objects):
    """A state file adds status and metadata; the spec stays the manifests' (donate's hand scale aside)."""
    by_id = {object_id(o): o for o in objects}
    for obj in render(MANIFESTS / "apps"):
        live = by_id[object_id(obj)]
        spec = copy.deepcopy(obj.get("spec"))
        if obj["kind"] == "Deployment" and obj["metadata"]["name"] == "donate":
            spec["replicas"] = 3
        if obj["kind"] == "Service":
            live_spec = {k: v for k, v in live["spec"].items() if k in spec}
            assert live_spec == spec
            continue
        if obj["kind"] == "PersistentVolumeClaim":
            spec["volumeName"] = live["spec"]["volumeName"]
        assert live.get("spec") == spec, object_id(obj)
        assert live["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"].startswith(
            obj["metadata"]["namespace"] + ":" if obj["kind"] != "Namespace" else obj["metadata"]["name"] + ":")


# ------------------------------------------------------------------ nodes


def test_seven_k3s_nodes_and_only_hel_wk_03_is_not_ready(objects):
    nodes = {n["metadata"]["name"]: n for n in all_of(objects, "v1", "Node")}
    assert set(nodes) == STORY_NODES
    not_ready = {name for name, n in nodes.items() if condition(n, "Ready")["status"] != "True"}
    assert not_ready == {"hel-wk-03"}
    ready = condition(nodes["hel-wk-03"], "Ready")
    assert (ready["status"], ready["reason"]) == ("Unknown", "NodeStatusUnknown")
    assert "stopped posting" in ready["message"]
    for name, node in nodes.items():
        server = name.startswith("hel-cp-")
        roles = {k.rpartition("/")[2] for k in node["metadata"]["labels"] if k.startswith("node-role.kubernetes.io/")}
        assert roles == ({"control-plane", "etcd", "master"} if server else set())
        assert node["status"]["nodeInfo"]["kubeletVersion"] == "v1.31.9+k3s1"
        assert node["status"]["nodeInfo"]["osImage"].startswith("Debian GNU/Linux 12")
        ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
        number = int(name[-1])
        assert ip == (f"192.168.10.1{number}" if server else f"192.168.10.2{number}")
        args = json.loads(node["metadata"]["annotations"]["k3s.io/node-args"])
        assert args[0] == ("server" if server else "agent")
        if server:  # MetalLB replaces k3s's ServiceLB
            assert args[args.index("servicelb") - 1] == "--disable"


# ------------------------------------------------------------------ Longhorn


def replicas_of(objects, volume: str) -> list[dict[str, Any]]:
    return [r for r in all_of(objects, "longhorn.io/v1beta2", "Replica") if r["spec"]["volumeName"] == volume]


def test_every_volume_has_its_replicas_engine_and_attachment(objects):
    lh_nodes = {n["metadata"]["name"]: n for n in all_of(objects, "longhorn.io/v1beta2", "Node")}
    assert set(lh_nodes) == STORY_NODES
    disk_uuids = {d["diskUUID"]: name for name, n in lh_nodes.items() for d in n["status"]["diskStatus"].values()}
    volumes = all_of(objects, "longhorn.io/v1beta2", "Volume")
    assert len(volumes) == 6
    for vol in volumes:
        name = vol["metadata"]["name"]
        reps = replicas_of(objects, name)
        assert len(reps) >= vol["spec"]["numberOfReplicas"] == 3, name
        assert len({r["spec"]["nodeID"] for r in reps}) == len(reps), f"{name}: two replicas on one node"
        for r in reps:
            assert r["metadata"]["labels"]["longhornvolume"] == name
            assert disk_uuids[r["spec"]["diskID"]] == r["spec"]["nodeID"]
            scheduled = lh_nodes[r["spec"]["nodeID"]]["status"]["diskStatus"]
            assert any(r["metadata"]["name"] in d["scheduledReplica"] for d in scheduled.values())
        engine = one(objects, "longhorn.io/v1beta2", "Engine", "longhorn-system", f"{name}-e-0")
        modes = engine["status"]["replicaModeMap"]
        assert set(modes) <= {r["metadata"]["name"] for r in reps}
        attachment = one(objects, "longhorn.io/v1beta2", "VolumeAttachment", "longhorn-system", name)
        tickets = attachment["spec"]["attachmentTickets"]
        if vol["status"]["state"] == "attached":
            node = vol["status"]["currentNodeID"]
            assert engine["spec"]["nodeID"] == node and engine["status"]["endpoint"] == f"/dev/longhorn/{name}"
            assert [t["nodeID"] for t in tickets.values()] == [node]
            healthy = sum(1 for m in modes.values() if m == "RW")
            assert vol["status"]["robustness"] == ("healthy" if healthy >= 3 else "degraded")
            assert "hel-wk-03" != node
        else:
            assert tickets == {} and modes == {}
            assert vol["status"]["robustness"] == "unknown"


def test_only_the_wiki_database_volume_is_degraded_by_hel_wk_03(objects):
    volumes = {v["metadata"]["name"]: v for v in all_of(objects, "longhorn.io/v1beta2", "Volume")}
    degraded = [v for v in volumes.values() if v["status"]["robustness"] == "degraded"]
    assert [v["status"]["kubernetesStatus"]["pvcName"] for v in degraded] == ["wiki-db-data"]
    (vol,) = degraded
    reps = {r["spec"]["nodeID"]: r for r in replicas_of(objects, vol["metadata"]["name"])}
    assert reps["hel-wk-03"]["spec"]["failedAt"]
    modes = one(objects, "longhorn.io/v1beta2", "Engine", "longhorn-system", vol["metadata"]["name"] + "-e-0")["status"]["replicaModeMap"]
    assert sorted(modes.values()) == ["RW", "RW", "WO"]  # a replacement is rebuilding
    # no other volume had a replica on the node that went down
    on_down_node = {r["spec"]["volumeName"] for r in all_of(objects, "longhorn.io/v1beta2", "Replica")
                    if r["spec"]["nodeID"] == "hel-wk-03"}
    assert on_down_node == {vol["metadata"]["name"]}
    lhn = one(objects, "longhorn.io/v1beta2", "Node", "longhorn-system", "hel-wk-03")
    assert condition(lhn, "Ready")["status"] == "False"


def test_claims_bind_to_longhorn_volumes_of_their_size(objects):
    volumes = {v["metadata"]["name"]: v for v in all_of(objects, "longhorn.io/v1beta2", "Volume")}
    pvs = {p["metadata"]["name"]: p for p in all_of(objects, "v1", "PersistentVolume")}
    claims = all_of(objects, "v1", "PersistentVolumeClaim")
    expected = {("bot", "data-bot-db-0"): 10 * GiB, ("api", "api-uploads"): 5 * GiB,
                ("resources", "resources-assets"): 50 * GiB, ("wiki", "wiki-db-data"): 20 * GiB,
                ("kube-system", "traefik"): 128 * 1024**2}
    assert {(c["metadata"]["namespace"], c["metadata"]["name"]) for c in claims} == set(expected)
    for claim in claims:
        ns, name = claim["metadata"]["namespace"], claim["metadata"]["name"]
        assert claim["status"]["phase"] == "Bound"
        pv = pvs[claim["spec"]["volumeName"]]
        assert (pv["spec"]["claimRef"]["namespace"], pv["spec"]["claimRef"]["name"]) == (ns, name)
        assert pv["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
        assert pv["status"]["phase"] == "Bound" and pv["spec"]["csi"]["driver"] == "driver.longhorn.io"
        vol = volumes[pv["spec"]["csi"]["volumeHandle"]]
        assert vol["metadata"]["name"] == pv["metadata"]["name"]
        status = vol["status"]["kubernetesStatus"]
        assert (status["namespace"], status["pvcName"], status["pvName"]) == (ns, name, pv["metadata"]["name"])
        assert int(vol["spec"]["size"]) == quantity_bytes(claim["status"]["capacity"]["storage"]) == expected[(ns, name)]
    imported = volumes["import-wiki-legacy"]
    assert imported["status"]["state"] == "detached" and imported["status"]["kubernetesStatus"]["pvcName"] == ""
    assert int(imported["spec"]["size"]) == 20 * GiB


def test_volume_workloads_run_where_the_volume_is_attached(objects):
    slices = all_of(objects, "discovery.k8s.io/v1", "EndpointSlice")
    pod_node = {(e["targetRef"]["namespace"], e["targetRef"]["name"]): e["nodeName"] for s in slices for e in s["endpoints"]}
    for vol in all_of(objects, "longhorn.io/v1beta2", "Volume"):
        status = vol["status"]["kubernetesStatus"]
        for w in status["workloadsStatus"] or []:
            assert pod_node[(status["namespace"], w["podName"])] == vol["status"]["currentNodeID"], w["podName"]


# ------------------------------------------------------------------ network


def test_every_route_backend_has_a_service_and_endpoints_on_a_node(objects):
    routes = all_of(objects, "traefik.io/v1alpha1", "IngressRoute")
    assert len(routes) == 7
    ready_nodes = {n["metadata"]["name"] for n in all_of(objects, "v1", "Node") if condition(n, "Ready")["status"] == "True"}
    for route in routes:
        ns = route["metadata"]["namespace"]
        for rule in route["spec"]["routes"]:
            for backend in rule["services"]:
                svc = one(objects, "v1", "Service", ns, backend["name"])
                assert backend["port"] in {p["port"] for p in svc["spec"]["ports"]}
                slices = [s for s in all_of(objects, "discovery.k8s.io/v1", "EndpointSlice")
                          if s["metadata"]["namespace"] == ns
                          and s["metadata"]["labels"]["kubernetes.io/service-name"] == backend["name"]]
                assert len(slices) == 1
                endpoints = [e for e in slices[0]["endpoints"] if not e["conditions"]["terminating"]]
                # the incident: wiki-web runs but is not ready (its probe needs the crash-looping database)
                assert endpoints and all(e["conditions"]["ready"] is (backend["name"] != "wiki-web") for e in endpoints)
                assert {e["nodeName"] for e in endpoints} <= ready_nodes


def test_every_service_has_an_endpointslice_with_its_target_ports(objects):
    for svc in all_of(objects, "v1", "Service"):
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        (eps,) = [s for s in all_of(objects, "discovery.k8s.io/v1", "EndpointSlice")
                  if s["metadata"]["namespace"] == ns and s["metadata"]["labels"]["kubernetes.io/service-name"] == name]
        assert [p["name"] for p in eps["ports"]] == [p["name"] for p in svc["spec"]["ports"]]
        assert all(e["nodeName"] in STORY_NODES for e in eps["endpoints"])
        # what ran on the lost node is still listed, terminating and not ready, as the real controller does
        lost = [e for e in eps["endpoints"] if e["nodeName"] == "hel-wk-03"]
        assert all(e["conditions"] == {"ready": False, "serving": False, "terminating": True} for e in lost)


def test_traefik_holds_the_lb_address_announced_where_it_runs(objects):
    svc = one(objects, "v1", "Service", "kube-system", "traefik")
    assert svc["spec"]["type"] == "LoadBalancer"
    assert [i["ip"] for i in svc["status"]["loadBalancer"]["ingress"]] == ["192.168.10.240"]
    assert svc["metadata"]["annotations"]["metallb.io/ip-allocated-from-pool"] == "lan-pool"
    (l2,) = all_of(objects, "metallb.io/v1beta1", "ServiceL2Status")
    assert (l2["status"]["node"], l2["status"]["serviceNamespace"], l2["status"]["serviceName"]) == (
        "hel-cp-02", "kube-system", "traefik")
    assert l2["metadata"]["labels"]["metallb.io/node"] == "hel-cp-02"
    # externalTrafficPolicy Local: MetalLB only announces from a node running a Traefik pod
    (eps,) = [s for s in all_of(objects, "discovery.k8s.io/v1", "EndpointSlice")
              if s["metadata"]["labels"]["kubernetes.io/service-name"] == "traefik"]
    assert {e["nodeName"] for e in eps["endpoints"]} == {"hel-cp-02"}
    pool = one(objects, "metallb.io/v1beta1", "IPAddressPool", "metallb-system", "lan-pool")
    assert (pool["status"]["assignedIPv4"], pool["status"]["availableIPv4"]) == (1, 10)


# ------------------------------------------------------------------ workloads and ArgoCD


def test_deployments_have_replicasets_with_their_revisions(objects):
    sets = all_of(objects, "apps/v1", "ReplicaSet")
    for dep in all_of(objects, "apps/v1", "Deployment"):
        ns, name = dep["metadata"]["namespace"], dep["metadata"]["name"]
        owned = [rs for rs in sets if rs["metadata"]["namespace"] == ns
                 and rs["metadata"]["ownerReferences"][0]["uid"] == dep["metadata"]["uid"]]
        revision = dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
        (current,) = [rs for rs in owned if rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == revision]
        template = copy.deepcopy(current["spec"]["template"])
        template["metadata"]["labels"].pop("pod-template-hash")
        assert template == dep["spec"]["template"], f"{ns}/{name}: current ReplicaSet differs from the Deployment"
        # the incident: wiki-web's pods run but none is ready (its probe needs the crash-looping database)
        want_ready = 0 if (ns, name) == ("wiki", "wiki-web") else dep["spec"]["replicas"]
        assert current["status"]["readyReplicas"] == want_ready == dep["status"]["readyReplicas"]
        assert dep["status"]["observedGeneration"] == dep["metadata"]["generation"]
        for old in owned:
            if old is not current:
                assert old["spec"]["replicas"] == 0
                assert int(old["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) < int(revision)


def test_exactly_one_app_out_of_sync_and_one_degraded(objects):
    apps = {a["metadata"]["name"]: a for a in all_of(objects, "argoproj.io/v1alpha1", "Application")}
    assert len(apps) == 7
    out_of_sync = [n for n, a in apps.items() if a["status"]["sync"]["status"] == "OutOfSync"]
    degraded = [n for n, a in apps.items() if a["status"]["health"]["status"] == "Degraded"]
    assert out_of_sync == ["donate"] and degraded == ["wiki"]
    assert all(a["status"]["sync"]["status"] == "Synced" for n, a in apps.items() if n != "donate")
    assert all(a["status"]["health"]["status"] == "Healthy" for n, a in apps.items() if n != "wiki")
    drifted = [r for r in apps["donate"]["status"]["resources"] if r["status"] != "Synced"]
    assert [(r["kind"], r["name"]) for r in drifted] == [("Deployment", "donate")]
    assert "wiki-db" in apps["wiki"]["status"]["health"]["message"]
    wiki_db = one(objects, "apps/v1", "StatefulSet", "wiki", "wiki-db")
    assert wiki_db["status"]["readyReplicas"] == 0


def test_argocd_status_lists_what_each_app_deploys_with_history(objects):
    for app in all_of(objects, "argoproj.io/v1alpha1", "Application"):
        deployed = render(MANIFESTS.parent / app["spec"]["source"]["path"])
        listed = {(r["kind"], r["namespace"], r["name"]) for r in app["status"]["resources"]}
        assert listed == {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in deployed}
        history = app["status"]["history"]
        assert [h["id"] for h in history] == list(range(1, len(history) + 1))
        for revision in [h["revision"] for h in history] + [app["status"]["sync"]["revision"]]:
            assert re.fullmatch(r"[0-9a-f]{40}", revision)
        assert app["status"]["operationState"]["phase"] == "Succeeded"
        assert app["status"]["operationState"]["syncResult"]["revision"] == history[-1]["revision"]


# ------------------------------------------------------------------ through the core and the emulator


def loaded_store(objects):
    from tui.core.store import ClusterStore

    store = ClusterStore()
    for kind in KINDS.values():
        store.handle(Relisted(kind.key, [o for o in objects if kind_for(o["apiVersion"], o["kind"]) is kind]))
    return store


def test_store_shows_only_the_wiki_route_broken_and_the_wiki_volume_degraded(objects):
    store = loaded_store(objects)
    routes = store.rows("routes")
    assert sorted(r.name for r in routes) == ["api", "cdn", "discord", "donate", "invite", "website", "wiki"]
    expected = {r.name: () for r in routes} | {"wiki": ("no ready endpoint for wiki/wiki-web:80",)}
    assert {r.name: r.problems for r in routes} == expected
    assert all(r.tls and r.entrypoints == ("websecure",) for r in routes)
    volumes = {v.pvc: v for v in store.rows("volumes")}
    assert volumes["wiki/wiki-db-data"].robustness == "degraded"
    assert [v.pvc for v in store.rows("volumes") if v.robustness == "degraded"] == ["wiki/wiki-db-data"]
    assert volumes[None].name == "import-wiki-legacy" and volumes[None].state == "detached"
    nodes = {n.name: n.ready for n in store.rows("nodes")}
    assert nodes.pop("hel-wk-03") is not True and set(nodes.values()) == {True}


def test_the_emulator_serves_the_demo_to_the_kubernetes_client(objects, emulator_factory, tmp_path: Path):
    from tui.emulator import write_kubeconfig

    emu = emulator_factory(objects, controllers=False)
    config = tmp_path / "kubeconfig"
    write_kubeconfig(config, emu.url)
    client = kubernetes.config.new_client_from_config(config_file=str(config))
    try:
        nodes = kubernetes.client.CoreV1Api(client).list_node(_request_timeout=10)
        assert {n.metadata.name for n in nodes.items} == STORY_NODES
        volumes = kubernetes.client.CustomObjectsApi(client).list_namespaced_custom_object(
            "longhorn.io", "v1beta2", "longhorn-system", "volumes", _request_timeout=10)
        assert {v["status"]["robustness"] for v in volumes["items"]} == {"healthy", "degraded", "unknown"}
        routes = kubernetes.client.CustomObjectsApi(client).list_cluster_custom_object(
            "traefik.io", "v1alpha1", "ingressroutes", _request_timeout=10)
        assert len(routes["items"]) == 7
    finally:
        client.close()


# ------------------------------------------------------------------ pods and the incident


def pods_of(objects, namespace: str | None = None) -> list[dict[str, Any]]:
    return [p for p in all_of(objects, "v1", "Pod") if namespace is None or p["metadata"]["namespace"] == namespace]


def is_ready(pod: dict[str, Any]) -> bool:
    return condition(pod, "Ready")["status"] == "True"


def test_every_workload_has_its_pods_on_real_nodes(objects):
    pods = pods_of(objects)
    live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
    for rs in all_of(objects, "apps/v1", "ReplicaSet"):
        mine = [p for p in live if p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]]
        assert len(mine) == rs["spec"]["replicas"], rs["metadata"]["name"]
        for pod in mine:
            assert pod["metadata"]["name"].startswith(rs["metadata"]["name"] + "-")
            assert pod["metadata"]["labels"]["pod-template-hash"] == rs["metadata"]["labels"]["pod-template-hash"]
            assert pod["metadata"]["ownerReferences"][0]["controller"] is True
    for sts in all_of(objects, "apps/v1", "StatefulSet"):
        names = sorted(p["metadata"]["name"] for p in live if p["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet"
                       and p["metadata"]["ownerReferences"][0]["name"] == sts["metadata"]["name"])
        assert names == [f"{sts['metadata']['name']}-{i}" for i in range(sts["spec"]["replicas"])]
    ready_nodes = {n["metadata"]["name"] for n in all_of(objects, "v1", "Node") if condition(n, "Ready")["status"] == "True"}
    assert {p["spec"]["nodeName"] for p in live} <= ready_nodes
    ips = [p["status"]["podIP"] for p in pods]
    assert len(ips) == len(set(ips)), "every pod has its own IP"


def test_pods_on_the_lost_node_are_terminating_with_reason_node_lost(objects):
    lost = [p for p in pods_of(objects) if p["spec"]["nodeName"] == "hel-wk-03"]
    assert sorted(p["metadata"]["namespace"] for p in lost) == ["donate", "website", "wiki"]
    for pod in lost:
        assert pod["metadata"]["deletionTimestamp"] == "2026-11-24T08:52:58Z"  # 300 s after the NoExecute taint
        assert pod["status"]["reason"] == "NodeLost" and not is_ready(pod)


def test_the_incident_wiki_db_config_has_the_option_mariadb_refuses(objects):
    from tui.emulator.container_rules import crashing_option

    cnf = one(objects, "v1", "ConfigMap", "wiki", "wiki-db-config")["data"]["my.cnf"]
    assert "innodb_buffer_pool_szie = 1G" in cnf.splitlines()
    db = one(objects, "v1", "Pod", "wiki", "wiki-db-0")
    container = db["spec"]["containers"][0]
    assert container["name"] == "mariadb"
    configmaps = {"wiki-db-config": one(objects, "v1", "ConfigMap", "wiki", "wiki-db-config")}
    assert crashing_option(db, container, configmaps) == "innodb_buffer_pool_szie=1G"
    wiki = one(objects, "argoproj.io/v1alpha1", "Application", "argocd", "wiki")
    pushed = [r for r in wiki["status"]["operationState"]["syncResult"]["resources"] if r["name"] == "wiki-db-config"]
    assert [r["message"] for r in pushed] == ["configmap/wiki-db-config configured"], "the last sync pushed it"


def test_the_incident_wiki_db_0_crash_loops(objects):
    db = one(objects, "v1", "Pod", "wiki", "wiki-db-0")
    (cs,) = db["status"]["containerStatuses"]
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["restartCount"] == 14 and cs["ready"] is False
    assert cs["lastState"]["terminated"] == {**cs["lastState"]["terminated"], "exitCode": 1, "reason": "Error",
                                             "finishedAt": "2026-11-26T14:01:07Z"}
    assert db["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet" and not is_ready(db)
    events = [e for e in all_of(objects, "events.k8s.io/v1", "Event") if e["regarding"]["name"] == "wiki-db-0"]
    backoff = [e for e in events if e["reason"] == "BackOff"]
    assert backoff and backoff[0]["type"] == "Warning" and backoff[0]["series"]["count"] > 14
    core = [e for e in all_of(objects, "v1", "Event") if e["involvedObject"]["name"] == "wiki-db-0"]
    assert {e["reason"] for e in core} == {e["reason"] for e in events}, "served in both groups"


def test_the_incident_wiki_web_runs_but_is_not_ready_so_the_route_has_no_ready_endpoint(objects):
    web = [p for p in pods_of(objects, "wiki") if p["metadata"]["labels"]["app.kubernetes.io/name"] == "wiki-web"]
    assert len(web) == 2
    for pod in web:
        assert pod["status"]["phase"] == "Running" and not is_ready(pod)
        assert [c["ready"] for c in pod["status"]["containerStatuses"]] == [False]
    (eps,) = [s for s in all_of(objects, "discovery.k8s.io/v1", "EndpointSlice")
              if s["metadata"]["labels"]["kubernetes.io/service-name"] == "wiki-web"]
    assert [e["conditions"]["ready"] for e in eps["endpoints"]] == [False, False]
    unhealthy = [e for e in all_of(objects, "v1", "Event") if e["reason"] == "Unhealthy"]
    assert sorted(e["involvedObject"]["name"] for e in unhealthy) == sorted(p["metadata"]["name"] for p in web)


def test_the_bot_database_has_a_budget_that_blocks_its_eviction(objects):
    pdb = one(objects, "policy/v1", "PodDisruptionBudget", "bot", "bot-db")
    assert pdb["status"] | {"conditions": None} == {"observedGeneration": 1, "currentHealthy": 1, "desiredHealthy": 1,
                                                    "disruptionsAllowed": 0, "expectedPods": 1, "conditions": None}
    assert one(objects, "v1", "Pod", "bot", "bot-db-0")["spec"]["nodeName"] == "hel-wk-04"


def test_kubectl_style_status_of_the_demo_pods(objects):
    from datetime import datetime

    from tui.emulator.printing import pod_summary, to_table
    from tui.emulator.resources import ServedResources

    statuses = {p["metadata"]["name"]: pod_summary(p)[0] for p in pods_of(objects)}
    assert statuses["wiki-db-0"] == "CrashLoopBackOff"
    assert {statuses[p["metadata"]["name"]] for p in pods_of(objects) if p["spec"]["nodeName"] == "hel-wk-03"} == {"Unknown"}
    assert {s for n, s in statuses.items() if n.startswith("wiki-web-")} == {"Running"}
    res = ServedResources().for_path("", "v1", "pods")
    table = to_table(res, [one(objects, "v1", "Pod", "wiki", "wiki-db-0")], datetime.fromisoformat("2026-11-26T14:05:00Z"))
    assert [c["name"] for c in table["columnDefinitions"]][:5] == ["Name", "Ready", "Status", "Restarts", "Age"]
    assert table["rows"][0]["cells"][:5] == ["wiki-db-0", "0/1", "CrashLoopBackOff", "14 (3m53s ago)", "2d5h"]
