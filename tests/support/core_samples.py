"""Objects for the core-model tests: the reference fixtures, and builders for a small
hand-made cluster (plain API-shaped dicts, as the watch sources deliver them)."""
from __future__ import annotations

from typing import Any

import yaml

from tests.support.paths import REFERENCE
from tui.core.clock import FrozenClock
from tui.core.events import Relisted
from tui.core.kinds import KINDS, kind_for
from tui.core.store import ClusterStore

LH = "longhorn-system"


def fixture_docs(name: str) -> list[dict[str, Any]]:
    """The objects of one reference fixture file (a `kind: List` is flattened)."""
    out: list[dict[str, Any]] = []
    for doc in yaml.safe_load_all((REFERENCE / name).read_text()):
        if isinstance(doc, dict):
            out.extend(doc["items"] if doc.get("kind") == "List" else [doc])
    return out


def fixture_doc(name: str, kind: str, obj_name: str | None = None) -> dict[str, Any]:
    return next(d for d in fixture_docs(name)
                if d.get("kind") == kind and (obj_name is None or d["metadata"]["name"] == obj_name))


def all_fixture_objects() -> dict[str, list[dict[str, Any]]]:
    """Every watched object of every reference fixture, by KINDS key."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(REFERENCE.glob("*.yaml")):
        for obj in fixture_docs(path.name):
            kind = kind_for(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
            if kind:
                out.setdefault(kind.key, []).append(obj)
    return out


def store_with(objects: dict[str, list[dict[str, Any]]], every_kind: bool = True) -> ClusterStore:
    """A store that has seen one list per kind (empty lists for the rest when every_kind)."""
    store = ClusterStore(FrozenClock())
    for key in KINDS if every_kind else objects:
        store.handle(Relisted(key, objects.get(key, [])))
    return store


def meta(name: str, namespace: str | None = None, rv: str = "1", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "resourceVersion": rv, **extra}
    if namespace:
        out["namespace"] = namespace
    return out


def node(name: str, ready: str = "True", server: bool = False) -> dict[str, Any]:
    labels = {f"node-role.kubernetes.io/{r}": "true" for r in ("control-plane", "master", "etcd")} if server else {}
    return {"apiVersion": "v1", "kind": "Node", "metadata": meta(name, labels=labels),
            "status": {"conditions": [{"type": "Ready", "status": ready}],
                       "nodeInfo": {"kubeletVersion": "v1.31.9+k3s1"}}}


def volume(name: str, node_id: str = "", replicas: int = 3, pvc: tuple[str, str] | None = None,
           workload: str | None = None, robustness: str = "healthy") -> dict[str, Any]:
    kstatus: dict[str, Any] = {"namespace": pvc[0] if pvc else "", "pvcName": pvc[1] if pvc else ""}
    if workload:
        kstatus["workloadsStatus"] = [{"podName": f"{workload}-0", "workloadName": workload,
                                       "workloadType": "StatefulSet", "podStatus": "Running"}]
    return {"apiVersion": "longhorn.io/v1beta2", "kind": "Volume", "metadata": meta(name, LH),
            "spec": {"size": "10737418240", "numberOfReplicas": replicas},
            "status": {"state": "attached" if node_id else "detached", "currentNodeID": node_id,
                       "robustness": robustness if node_id else "unknown",
                       "kubernetesStatus": kstatus}}


def replica(volume_name: str, node_name: str, failed: bool = False) -> dict[str, Any]:
    return {"apiVersion": "longhorn.io/v1beta2", "kind": "Replica",
            "metadata": meta(f"{volume_name}-r-{node_name}", LH, labels={"longhornvolume": volume_name}),
            "spec": {"volumeName": volume_name, "nodeID": node_name,
                     "failedAt": "2026-11-26T10:00:00Z" if failed else "",
                     "healthyAt": "" if failed else "2026-11-01T10:00:00Z"},
            "status": {"currentState": "stopped" if failed else "running"}}


def engine(volume_name: str, node_name: str, modes: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "longhorn.io/v1beta2", "kind": "Engine",
            "metadata": meta(f"{volume_name}-e-0", LH, labels={"longhornvolume": volume_name}),
            "spec": {"volumeName": volume_name, "nodeID": node_name},
            "status": {"replicaModeMap": {f"{volume_name}-r-{n}": m for n, m in modes.items()}}}


def service(name: str, namespace: str, selector: dict[str, str], port: int = 80,
            lb_ip: str | None = None, pool: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": meta(name, namespace, annotations={"metallb.io/ip-allocated-from-pool": pool} if pool else {}),
        "spec": {"type": "LoadBalancer" if lb_ip else "ClusterIP", "selector": selector,
                 "ports": [{"name": "http", "port": port, "protocol": "TCP"}]},
    }
    if lb_ip:
        obj["status"] = {"loadBalancer": {"ingress": [{"ip": lb_ip}]}}
    return obj


def endpoint_slice(service_name: str, namespace: str, nodes: list[str]) -> dict[str, Any]:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": meta(f"{service_name}-abcde", namespace,
                             labels={"kubernetes.io/service-name": service_name}),
            "endpoints": [{"addresses": [f"10.42.{i}.10"], "conditions": {"ready": True}, "nodeName": n,
                           "targetRef": {"kind": "Pod", "name": f"{service_name}-{i}"}}
                          for i, n in enumerate(nodes)]}


def l2_status(service_name: str, namespace: str, node_name: str) -> dict[str, Any]:
    return {"apiVersion": "metallb.io/v1beta1", "kind": "ServiceL2Status",
            "metadata": meta(f"l2-{service_name}", "metallb-system",
                             labels={"metallb.io/node": node_name, "metallb.io/service-name": service_name,
                                     "metallb.io/service-namespace": namespace}),
            "status": {"node": node_name}}


def ip_pool(name: str, addresses: list[str], avoid_buggy: bool = False) -> dict[str, Any]:
    return {"apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
            "metadata": meta(name, "metallb-system"),
            "spec": {"addresses": addresses, "avoidBuggyIPs": avoid_buggy}}


def ingressroute(name: str, namespace: str, host: str, backend: str, port: int | str = 80,
                 backend_ns: str | None = None) -> dict[str, Any]:
    svc: dict[str, Any] = {"name": backend, "port": port}
    if backend_ns:
        svc["namespace"] = backend_ns
    return {"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": meta(name, namespace),
            "spec": {"entryPoints": ["websecure"],
                     "routes": [{"kind": "Rule", "match": f"Host(`{host}`)", "services": [svc]}],
                     "tls": {"certResolver": "letsencrypt"}}}


def statefulset(name: str, namespace: str, labels: dict[str, str], claim: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"replicas": 1, "selector": {"matchLabels": labels},
                            "template": {"metadata": {"labels": labels},
                                         "spec": {"containers": [{"name": name, "image": "mariadb:11.4"}]}}}
    if claim:
        spec["volumeClaimTemplates"] = [{"metadata": {"name": claim}}]
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta(name, namespace, generation=1),
            "spec": spec, "status": {"observedGeneration": 1, "replicas": 1, "readyReplicas": 1,
                                     "currentRevision": "a", "updateRevision": "a"}}


def deployment(name: str, namespace: str, labels: dict[str, str], claim: str | None = None) -> dict[str, Any]:
    pod_spec: dict[str, Any] = {"containers": [{"name": name, "image": f"ghcr.io/emberforge/{name}:1.4.2"}]}
    if claim:
        pod_spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name, namespace, generation=2),
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": pod_spec}},
            "status": {"observedGeneration": 2, "replicas": 1, "updatedReplicas": 1,
                       "readyReplicas": 1, "availableReplicas": 1}}


def application(name: str, resources: list[tuple[str, str, str]], sync: str = "Synced",
                health: str = "Healthy") -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": meta(name, "argocd"),
            "spec": {"project": "emberforge",
                     "source": {"repoURL": "https://git.emberforge.games/ops/deploy.git",
                                "path": f"apps/{name}", "targetRevision": "main"},
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": name},
                     "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}},
            "status": {"sync": {"status": sync, "revision": "4f2a9c1e7b3d"},
                       "health": {"status": health},
                       "resources": [{"kind": k, "namespace": ns, "name": n, "status": "Synced"}
                                     for k, ns, n in resources]}}
