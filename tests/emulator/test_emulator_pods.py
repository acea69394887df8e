"""The emulator's pods: each controller keeps its pods, EndpointSlices follow readiness, a lost
node's pods go Unknown/Terminating, a deleted pod is replaced elsewhere, cordon is respected.

A small world of three nodes, read and changed through the official kubernetes client over
HTTP, with time scaled so the kubelet's and node lifecycle's delays take a fraction of a second.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import kubernetes.client
import kubernetes.config
import pytest

from tui.emulator.demo import demo_objects

SCALE = 100.0  # 300 s of NoExecute toleration -> 3 s


def node(name: str, n: int, labels: dict[str, str] | None = None, ready: str = "True") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
            "spec": {"podCIDR": f"10.42.{n}.0/24"},
            "status": {"addresses": [{"type": "InternalIP", "address": f"192.168.10.{10 + n}"}],
                       "conditions": [{"type": "Ready", "status": ready, "reason": "KubeletReady"}]}}


def template(app: str, image: str = "nginx:1.27-alpine", **spec: Any) -> dict[str, Any]:
    container = {"name": app, "image": image, "ports": [{"name": "http", "containerPort": 8080}],
                 "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}}}
    return {"metadata": {"labels": {"app": app}}, "spec": {"containers": [container], **spec}}


def world() -> list[dict[str, Any]]:
    web = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
           "metadata": {"name": "web-5d8f7c9b6d", "namespace": "shop", "uid": "rs-web",
                        "labels": {"app": "web", "pod-template-hash": "5d8f7c9b6d"}},
           "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": template("web")}}
    db = {"apiVersion": "apps/v1", "kind": "StatefulSet",
          "metadata": {"name": "db", "namespace": "shop", "uid": "sts-db"},
          "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                   "template": template("db", "postgres:16")},
          "status": {"currentRevision": "db-7c9d", "updateRevision": "db-7c9d"}}
    agent = {"apiVersion": "apps/v1", "kind": "DaemonSet",
             "metadata": {"name": "agent", "namespace": "shop", "uid": "ds-agent"},
             "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": template("agent")}}
    edge = {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "edge", "namespace": "shop", "uid": "ds-edge"},
            "spec": {"selector": {"matchLabels": {"app": "edge"}},
                     "template": template("edge", nodeSelector={"role": "edge"})}}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop", "uid": "svc-web"},
           "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
    return [ns, node("n1", 1), node("n2", 2, {"role": "edge"}), node("n3", 3), web, db, agent, edge, svc]


def wait_for(check: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


@pytest.fixture
def cluster(emulator_factory, kubeconfig):
    def make(objects: list[dict[str, Any]] | None = None, scale: float = SCALE):
        emu = emulator_factory(objects if objects is not None else world(), time_scale=scale)
        client = kubernetes.config.new_client_from_config(str(kubeconfig(emu)))
        return emu, kubernetes.client.CoreV1Api(client), client
    return make


def pods(core, **kw) -> list[Any]:
    return core.list_namespaced_pod("shop", **kw).items


def ready(pod: Any) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def active(core, selector: str) -> list[Any]:
    return [p for p in pods(core, label_selector=selector) if p.metadata.deletion_timestamp is None]


def test_each_controller_kind_gets_running_ready_pods_with_owner_and_hash_labels(cluster):
    _, core, client = cluster()
    web = wait_for(lambda: [p for p in active(core, "app=web") if ready(p)] if len(
        [p for p in active(core, "app=web") if ready(p)]) == 2 else None, what="2 ready web pods")
    for pod in web:
        assert pod.metadata.name.startswith("web-5d8f7c9b6d-") and len(pod.metadata.name) == len("web-5d8f7c9b6d-") + 5
        assert pod.metadata.labels["pod-template-hash"] == "5d8f7c9b6d"
        (owner,) = pod.metadata.owner_references
        assert (owner.kind, owner.name, owner.uid, owner.controller) == ("ReplicaSet", "web-5d8f7c9b6d", "rs-web", True)
        assert pod.status.phase == "Running" and pod.status.pod_ip.startswith("10.42.")
        assert pod.status.host_ip == f"192.168.10.{10 + int(pod.spec.node_name[1])}"
        (cs,) = pod.status.container_statuses
        assert cs.ready and cs.started and cs.restart_count == 0 and cs.state.running and cs.image_id
        assert {c.type for c in pod.status.conditions} >= {"PodScheduled", "Initialized", "ContainersReady", "Ready"}
        assert pod.status.qos_class == "BestEffort"
    assert len({p.spec.node_name for p in web}) == 2, "replicas are spread over nodes"

    db = wait_for(lambda: sorted(p.metadata.name for p in active(core, "app=db") if ready(p)) == ["db-0", "db-1"],
                  what="db-0 and db-1")
    assert db
    db0 = core.read_namespaced_pod("db-0", "shop")
    assert db0.metadata.labels["controller-revision-hash"] == "db-7c9d"
    assert db0.metadata.labels["statefulset.kubernetes.io/pod-name"] == "db-0"
    assert (db0.spec.hostname, db0.spec.subdomain) == ("db-0", "db")

    agents = wait_for(lambda: active(core, "app=agent") if len(active(core, "app=agent")) == 3 else None,
                      what="one agent per node")
    assert sorted(p.spec.node_name for p in agents) == ["n1", "n2", "n3"]
    edge = wait_for(lambda: active(core, "app=edge"), what="the edge daemon")
    assert [p.spec.node_name for p in edge] == ["n2"], "nodeSelector honoured"
    apps = kubernetes.client.AppsV1Api(client)
    ds = wait_for(lambda: (d := apps.read_namespaced_daemon_set("agent", "shop")).status
                  and d.status.number_ready == 3 and d, what="agent DaemonSet status")
    assert (ds.status.desired_number_scheduled, ds.status.current_number_scheduled) == (3, 3)

    events = core.list_namespaced_event("shop", field_selector="involvedObject.name=db-0").items
    reasons = {e.reason for e in events}
    assert {"Scheduled", "Pulling", "Pulled", "Created", "Started"} <= reasons
    scheduled = next(e for e in events if e.reason == "Scheduled")
    assert scheduled.message == f"Successfully assigned shop/db-0 to {db0.spec.node_name}"


def test_endpointslice_follows_pod_readiness(cluster):
    emu, core, client = cluster()
    discovery = kubernetes.client.DiscoveryV1Api(client)

    def endpoints():
        items = discovery.list_namespaced_endpoint_slice("shop", label_selector="kubernetes.io/service-name=web").items
        return items[0].endpoints or [] if items else []

    eps = wait_for(lambda: endpoints() if len(endpoints()) == 2 and all(e.conditions.ready for e in endpoints())
                   else None, what="two ready endpoints")
    by_pod = {p.metadata.name: p for p in active(core, "app=web")}
    for e in eps:
        pod = by_pod[e.target_ref.name]
        assert (e.target_ref.kind, e.target_ref.uid, e.node_name) == ("Pod", pod.metadata.uid, pod.spec.node_name)
        assert e.addresses == [pod.status.pod_ip]
    (slice_,) = discovery.list_namespaced_endpoint_slice("shop").items
    assert [(p.name, p.port) for p in slice_.ports] == [("http", 8080)]  # named targetPort resolved

    # a node that stops reporting turns its pods not ready: the slice says so at once
    lost = eps[0].node_name
    gone = emu.get("nodes", None, lost)
    gone["status"]["conditions"] = [{"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown"}]
    emu.upsert(gone)
    wait_for(lambda: [e for e in endpoints() if e.node_name == lost and not e.conditions.ready],
             what="the lost node's endpoint not ready")
    assert any(e.conditions.ready for e in endpoints()), "the other pod still serves"


def test_crash_looping_database_and_its_fix(cluster):
    """A MariaDB refusing an option in its mounted my.cnf crash-loops; fixing the ConfigMap heals it."""
    objects = world()
    cnf = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "maria-cnf", "namespace": "shop"},
           "data": {"my.cnf": "[mysqld]\nmax_connections = 50\ninnodb_buffer_pool_szie = 1G\n"}}
    maria = template("maria", "mariadb:11.4", volumes=[{"name": "cnf", "configMap": {"name": "maria-cnf"}}])
    maria["spec"]["containers"][0]["volumeMounts"] = [{"name": "cnf", "mountPath": "/etc/mysql/conf.d"}]
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "maria", "namespace": "shop", "uid": "m"},
           "spec": {"replicas": 1, "serviceName": "maria", "selector": {"matchLabels": {"app": "maria"}},
                    "template": maria}}
    emu, core, _ = cluster([*objects, cnf, sts], scale=200.0)

    def state():
        try:
            pod = core.read_namespaced_pod("maria-0", "shop")
        except kubernetes.client.ApiException:
            return None
        return pod if pod.status.container_statuses else None

    crashed = wait_for(lambda: (p := state()) and p.status.container_statuses[0].restart_count >= 2 and p,
                       what="maria-0 restarting")
    cs = crashed.status.container_statuses[0]
    assert cs.last_state.terminated.exit_code == 1 and cs.last_state.terminated.reason == "Error"
    assert not ready(crashed)
    backoff = core.list_namespaced_event("shop", field_selector="involvedObject.name=maria-0,reason=BackOff").items
    assert backoff and backoff[0].type == "Warning" and backoff[0].count >= 1
    assert backoff[0].message.startswith("Back-off restarting failed container maria in pod maria-0_shop(")

    cnf["data"]["my.cnf"] = "[mysqld]\nmax_connections = 50\ninnodb_buffer_pool_size = 1G\n"
    emu.upsert(cnf)
    healed = wait_for(lambda: (p := state()) and ready(p) and p, timeout=15, what="maria-0 ready after the fix")
    assert healed.status.container_statuses[0].state.running


def test_not_ready_node_taints_then_pods_unknown_terminating_and_replaced(cluster):
    emu, core, _ = cluster()
    wait_for(lambda: len([p for p in active(core, "") if ready(p)]) == 8, what="all 8 pods ready")
    victim = core.read_namespaced_pod("db-0", "shop").spec.node_name
    on_node = {p.metadata.name for p in pods(core) if p.spec.node_name == victim}
    lost = emu.get("nodes", None, victim)
    lost["status"]["conditions"] = [{"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
                                     "message": "Kubelet stopped posting node status."}]
    emu.upsert(lost)

    taints = wait_for(lambda: emu.get("nodes", None, victim)["spec"].get("taints"), what="taints")
    assert {(t["key"], t["effect"]) for t in taints} == {("node.kubernetes.io/unreachable", "NoSchedule"),
                                                         ("node.kubernetes.io/unreachable", "NoExecute")}
    wait_for(lambda: all(not ready(p) for p in pods(core) if p.metadata.name in on_node), what="pods not ready")

    # after the 300 s toleration (scaled): Terminating with reason NodeLost (kubectl: Unknown)
    def evicted():
        got = [p for p in pods(core) if p.metadata.name in on_node and p.metadata.deletion_timestamp]
        return got if len(got) == len([n for n in on_node if not n.startswith(("agent-", "edge-"))]) else None

    for pod in wait_for(evicted, timeout=10, what="NodeLost evictions"):
        assert pod.status.reason == "NodeLost"
    daemons = [p for p in pods(core) if p.metadata.name in on_node and p.metadata.name.startswith(("agent-", "edge-"))]
    assert daemons and all(p.metadata.deletion_timestamp is None for p in daemons), "DaemonSet pods tolerate it"

    # ReplicaSet pods are replaced on another node; db-0 waits (same name, still terminating)
    replaced = wait_for(lambda: (w := [p for p in active(core, "app=web") if ready(p)]) and len(w) == 2 and w,
                        what="web back to 2 ready")
    assert all(p.spec.node_name != victim for p in replaced)
    assert core.read_namespaced_pod("db-0", "shop").metadata.deletion_timestamp is not None


def test_deleted_pod_is_replaced_on_another_node_and_statefulset_keeps_the_name(cluster):
    _, core, _ = cluster()
    wait_for(lambda: len([p for p in active(core, "app=web") if ready(p)]) == 2, what="2 web")
    web = active(core, "app=web")
    first, other = web[0], web[1]
    core.delete_namespaced_pod(first.metadata.name, "shop")
    wait_for(lambda: first.metadata.name not in {p.metadata.name for p in pods(core)}, what="the pod gone")
    new = wait_for(lambda: [p for p in active(core, "app=web") if ready(p)
                            and p.metadata.name not in (first.metadata.name, other.metadata.name)] or None,
                   what="a replacement")
    kill = core.list_namespaced_event("shop", field_selector=f"involvedObject.name={first.metadata.name}").items
    assert "Killing" in {e.reason for e in kill}
    assert new[0].spec.node_name != other.spec.node_name, "spread away from the other replica"

    wait_for(lambda: ready(core.read_namespaced_pod("db-1", "shop")), what="db-1")
    old = core.read_namespaced_pod("db-1", "shop")
    core.delete_namespaced_pod("db-1", "shop")

    def recreated():
        try:
            pod = core.read_namespaced_pod("db-1", "shop")
        except kubernetes.client.ApiException:
            return None
        return pod if pod.metadata.uid != old.metadata.uid and ready(pod) else None

    assert wait_for(recreated, what="db-1 recreated").metadata.name == "db-1"


def test_cordoned_nodes_get_no_new_pods_and_none_left_is_failed_scheduling(cluster):
    emu, core, _ = cluster()
    wait_for(lambda: len([p for p in active(core, "app=web") if ready(p)]) == 2, what="2 web")
    for name in ("n1", "n2"):
        n = emu.get("nodes", None, name)
        n["spec"]["unschedulable"] = True
        emu.upsert(n)
    for pod in active(core, "app=web"):
        core.delete_namespaced_pod(pod.metadata.name, "shop")
    fresh = wait_for(lambda: (w := [p for p in active(core, "app=web") if ready(p)]) and len(w) == 2 and w,
                     what="2 new web pods")
    assert {p.spec.node_name for p in fresh} == {"n3"}, "cordoned nodes skipped"

    n3 = emu.get("nodes", None, "n3")
    n3["spec"]["unschedulable"] = True
    emu.upsert(n3)
    core.delete_namespaced_pod(fresh[0].metadata.name, "shop")
    pending = wait_for(lambda: [p for p in active(core, "app=web") if p.status.phase == "Pending"
                                and p.status.conditions and p.status.conditions[0].reason == "Unschedulable"],
                       what="an unschedulable pod")
    message = pending[0].status.conditions[0].message
    assert message.startswith("0/3 nodes are available: 3 node(s) were unschedulable.")
    events = core.list_namespaced_event("shop", field_selector=f"involvedObject.name={pending[0].metadata.name}").items
    assert [e.type for e in events if e.reason == "FailedScheduling"] == ["Warning"]

    n1 = emu.get("nodes", None, "n1")
    n1["spec"].pop("unschedulable")
    emu.upsert(n1)  # uncordon: the pending pod is scheduled there
    wait_for(lambda: (p := core.read_namespaced_pod(pending[0].metadata.name, "shop")).spec.node_name == "n1" and ready(p),
             what="scheduled after uncordon")


def test_demo_starts_as_seeded_nothing_moves_until_someone_acts(emulator_factory):
    """Snapshots rely on it: the controllers find the demo's pods, slices and budgets agreeing."""
    emu = emulator_factory(demo_objects(), time_scale=1.0)
    before = {k: emu.list(k) for k in ("pods", "endpointslices", "poddisruptionbudgets.policy", "replicasets",
                                       "statefulsets", "deployments", "lh_volumes", "lh_attachments", "nodes")}
    time.sleep(1.5)
    after = {k: emu.list(k) for k in before}
    assert after == before
    assert len(before["pods"]) == 21


def test_demo_rollback_of_the_wiki_replaces_the_option_and_the_database_and_wiki_web_recover(emulator_factory):
    """The incident's remedy: rolling the wiki app back to history id 2 fixes my.cnf; the next
    restart of wiki-db-0 succeeds, and wiki-web's readiness (which needs it) follows."""
    from tui.emulator.demo.pods import WIKI_GOOD_REVISIONS

    emu = emulator_factory(demo_objects(), time_scale=20.0)
    app = emu.get("applications", "argocd", "wiki")
    app["spec"].pop("syncPolicy", None)  # auto-sync off first, as Argo CD requires for a rollback
    app["operation"] = {"sync": {"revision": WIKI_GOOD_REVISIONS[1]}, "initiatedBy": {"username": "admin"},
                        "info": [{"name": "Rollback", "value": "to history id 2"}]}
    emu.upsert(app)

    def db_ready():
        pod = emu.get("pods", "wiki", "wiki-db-0")
        return pod and any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"]["conditions"])

    wait_for(db_ready, timeout=15, what="wiki-db-0 ready after the rollback")
    assert "innodb_buffer_pool_size = 1G" in emu.get("configmaps", "wiki", "wiki-db-config")["data"]["my.cnf"]

    def web_ready():
        slices = [s for s in emu.list("endpointslices")
                  if s["metadata"]["labels"].get("kubernetes.io/service-name") == "wiki-web"]
        return slices and slices[0]["endpoints"] and all(e["conditions"]["ready"] for e in slices[0]["endpoints"])

    wait_for(web_ready, timeout=15, what="wiki-web endpoints ready")
    wait_for(lambda: emu.get("deployments", "wiki", "wiki-web")["status"]["readyReplicas"] == 2, what="wiki-web 2/2")
    assert emu.get("statefulsets", "wiki", "wiki-db")["status"]["readyReplicas"] == 1
    available = [c for c in emu.get("deployments", "wiki", "wiki-web")["status"]["conditions"] if c["type"] == "Available"]
    assert [c["status"] for c in available] == ["True"]


def test_a_pod_whose_longhorn_volume_cannot_attach_waits_with_failed_attach_volume(cluster):
    objects = world()
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "shop"},
           "spec": {"volumeName": "pvc-1"}, "status": {"phase": "Bound"}}
    pv = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pvc-1"},
          "spec": {"csi": {"driver": "driver.longhorn.io", "volumeHandle": "pvc-1"}}}
    vol = {"apiVersion": "longhorn.io/v1beta2", "kind": "Volume", "metadata": {"name": "pvc-1", "namespace": "longhorn-system"},
           "spec": {}, "status": {"state": "detached", "robustness": "faulted"}}
    store = template("store", volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}])
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "store", "namespace": "shop", "uid": "s"},
           "spec": {"replicas": 1, "serviceName": "store", "selector": {"matchLabels": {"app": "store"}},
                    "template": store}}
    _, core, _ = cluster([*objects, pvc, pv, vol, sts])

    def failed():
        return [e for e in core.list_namespaced_event("shop", field_selector="involvedObject.name=store-0").items
                if e.reason == "FailedAttachVolume"]

    (event,) = wait_for(failed, what="FailedAttachVolume")
    assert event.type == "Warning" and 'volume "pvc-1"' in event.message
    pod = core.read_namespaced_pod("store-0", "shop")
    assert pod.status.phase == "Pending" and pod.spec.node_name
    assert pod.status.container_statuses[0].state.waiting.reason == "ContainerCreating"


def test_statefulset_update_replaces_pods_highest_ordinal_first(cluster):
    emu, core, _ = cluster()
    wait_for(lambda: all(ready(core.read_namespaced_pod(n, "shop")) for n in ("db-0", "db-1")), what="db ready")
    uids = {n: core.read_namespaced_pod(n, "shop").metadata.uid for n in ("db-0", "db-1")}
    sts = emu.get("statefulsets", "shop", "db")
    sts["status"]["updateRevision"] = "db-8f00"
    emu.upsert(sts)

    def revision(name: str) -> str | None:
        try:
            pod = core.read_namespaced_pod(name, "shop")
        except kubernetes.client.ApiException:
            return None
        return pod.metadata.labels.get("controller-revision-hash") if ready(pod) else None

    wait_for(lambda: revision("db-1") == "db-8f00", what="db-1 updated")
    wait_for(lambda: revision("db-0") == "db-8f00", what="db-0 updated")
    assert all(core.read_namespaced_pod(n, "shop").metadata.uid != uids[n] for n in uids)


def test_longhorn_eviction_request_rebuilds_replicas_elsewhere_before_removing_them(emulator_factory):
    emu = emulator_factory(demo_objects(), time_scale=20.0)

    def replicas_on(node: str) -> list[dict[str, Any]]:
        return [r for r in emu.list("lh_replicas") if r["spec"]["nodeID"] == node]

    before = {r["spec"]["volumeName"] for r in replicas_on("hel-wk-04")}
    assert before, "hel-wk-04 holds replicas in the demo"
    counts = {v: sum(1 for r in emu.list("lh_replicas") if r["spec"]["volumeName"] == v) for v in before}
    node = emu.get("lh_nodes", "longhorn-system", "hel-wk-04")
    node["spec"].update(allowScheduling=False, evictionRequested=True)
    emu.upsert(node)
    wait_for(lambda: not replicas_on("hel-wk-04"), timeout=15, what="hel-wk-04's replicas moved")
    for volume, count in counts.items():
        now = [r for r in emu.list("lh_replicas") if r["spec"]["volumeName"] == volume]
        assert len(now) == count, f"{volume} keeps {count} replicas"
        assert len({r["spec"]["nodeID"] for r in now}) == count, "one replica per node"
        assert all(r["spec"]["healthyAt"] for r in now if r["spec"]["nodeID"] != "hel-wk-03")
