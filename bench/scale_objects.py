"""The objects of scale S x factor for bench/scale.py, shaped like their upstream types.

Counts at S (factor 1): 2,000 Nodes, 20,000 Longhorn Volumes, 5,000 LoadBalancer Services,
5,000 IngressRoutes, 2,000 Argo CD Applications, 20,000 Pods, 50,000 Events. Fields are those
the console reads plus the bulk a real object carries on the wire (uids, timestamps, the
service account volume), so list and parse costs are a real cluster's.

Pods: one in four is a StatefulSet pod in namespace `bench` mounting the volume whose
pvcName is `data-{i}` (that volume's kubernetesStatus names the pod back, as Longhorn does);
the rest are Deployment pods (owned by a ReplicaSet named with the pod-template-hash) spread
over 50 namespaces. All are Running on a node, Ready, some with restarts; one in 250 is in
CrashLoopBackOff. The owning workloads are not served (the emulator's garbage collector keeps
dependents of owners that never existed).

Events: the API server stores one Event and serves it as core v1 and as events.k8s.io/v1, so
the dump holds each one in both shapes (same namespace and name), as the emulator's own
recorder writes them. Most come from the kubelet's core v1 recorder (firstTimestamp, count;
the events.k8s.io view says deprecated*), the scheduler's from the events.k8s.io recorder
(eventTime, and a series when repeated; the core v1 view has no first/lastTimestamp).
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# kubectl's names of the listed kinds (what `kubectl get` is asked for), in dump order
KINDS = ("nodes", "volumes.longhorn.io", "services", "ingressroutes.traefik.io",
         "applications.argoproj.io", "pods", "events.events.k8s.io")
AT_S = {"nodes": 2000, "volumes.longhorn.io": 20000, "services": 5000, "ingressroutes.traefik.io": 5000,
        "applications.argoproj.io": 2000, "pods": 20000, "events.events.k8s.io": 50000}
GiB = 1073741824
_ALNUM = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet of generated name suffixes upstream


def counts(factor: float) -> dict[str, int]:
    return {kind: max(1, int(at_s * factor)) for kind, at_s in AT_S.items()}


def uid(kind: int, i: int) -> str:
    """A deterministic uuid-shaped uid (kind tells the kinds apart)."""
    return f"{kind:08x}-0000-4000-8000-{i:012x}"


def stamp(t: datetime, micro: bool = False) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


def suffix(i: int, length: int) -> str:
    out = ""
    for _ in range(length):
        i, r = divmod(i * 7919 + 13, len(_ALNUM))
        out += _ALNUM[r]
    return out


def scale_objects(factor: float, now: datetime | None = None) -> Iterator[dict[str, Any]]:
    """The objects one at a time (only the pods are held: volumes and events refer to them)."""
    n = counts(factor)
    now = now or datetime.now(UTC)
    nodes = [f"node-{i:05d}" for i in range(n["nodes"])]
    pods = [pod_shape(i, nodes, n["volumes.longhorn.io"], now) for i in range(n["pods"])]
    users = {p["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]: p for p in pods
             if "persistentVolumeClaim" in p["spec"]["volumes"][0]}
    yield from (node(name) for name in nodes)
    yield from (volume(i, nodes, users.get(f"data-{i}")) for i in range(n["volumes.longhorn.io"]))
    yield from (service(i) for i in range(n["services"]))
    yield from (ingress_route(i) for i in range(n["ingressroutes.traefik.io"]))
    yield from (application(i) for i in range(n["applications.argoproj.io"]))
    yield from pods
    for j in range(n["events.events.k8s.io"]):
        yield from event_pair(j, pods, len(nodes), now)


def write_dump(path: Path, factor: float) -> None:
    """A `kind: List` as `kubectl get -o json` writes it, written as the objects are made."""
    with path.open("w") as out:
        out.write('{"apiVersion": "v1", "kind": "List", "items": [')
        for i, obj in enumerate(scale_objects(factor)):
            out.write(("," if i else "") + json.dumps(obj))
        out.write("]}")


def node(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "status": {"conditions": [{"type": "Ready", "status": "True"}],
                       "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}]}}


def volume(i: int, nodes: list[str], user: dict[str, Any] | None) -> dict[str, Any]:
    # Longhorn lists the pods using the volume (and their workload) in kubernetesStatus
    workloads = [] if user is None else [{
        "podName": user["metadata"]["name"], "podStatus": user["status"]["phase"],
        "workloadName": user["metadata"]["ownerReferences"][0]["name"], "workloadType": "StatefulSet"}]
    return {
        "apiVersion": "longhorn.io/v1beta2", "kind": "Volume",
        "metadata": {"name": f"pvc-{i:08x}-bench", "namespace": "longhorn-system"},
        "spec": {"size": str((i % 50 + 1) * GiB), "numberOfReplicas": 3,
                 "frontend": "blockdev", "accessMode": "rwo"},
        "status": {"state": "attached" if i % 3 else "detached",
                   "robustness": "healthy" if i % 97 else "degraded",
                   "currentNodeID": nodes[i % len(nodes)] if i % 3 else "",
                   "kubernetesStatus": {"namespace": "bench", "pvcName": f"data-{i}",
                                        "pvName": f"pvc-{i:08x}-bench", "workloadsStatus": workloads}},
    }


def service(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": f"lb-{i:05d}", "namespace": f"ns-{i % 50}"},
        "spec": {"type": "LoadBalancer", "selector": {"app": f"lb-{i:05d}"},
                 "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]},
        "status": {"loadBalancer": {"ingress": [{"ip": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"}]}},
    }


def ingress_route(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute",
        "metadata": {"name": f"route-{i:05d}", "namespace": f"ns-{i % 50}"},
        "spec": {"entryPoints": ["websecure"],
                 "routes": [{"kind": "Rule", "match": f"Host(`r{i}.example.org`)",
                             "services": [{"name": f"lb-{i:05d}", "port": 80}]}]},
    }


def application(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": f"app-{i:05d}", "namespace": "argocd"},
        "spec": {"project": "default",
                 "source": {"repoURL": "https://git.example.org/apps.git", "path": f"apps/{i}",
                            "targetRevision": "main"},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": f"ns-{i % 50}"}},
        "status": {"sync": {"status": "Synced", "revision": "0" * 40},
                   "health": {"status": "Healthy"}},
    }


def pod_shape(i: int, nodes: list[str], volumes: int, now: datetime) -> dict[str, Any]:
    """Pod i: a StatefulSet pod with a claim (one in four, while volumes last) or a Deployment's."""
    claim = i // 4 if i % 4 == 0 and i // 4 < volumes else None
    if claim is not None:
        ns, owner_kind, owner = "bench", "StatefulSet", f"db-{claim // 3:05d}"
        name, labels = f"{owner}-{claim % 3}", {"app": owner, "statefulset.kubernetes.io/pod-name": f"{owner}-{claim % 3}"}
        owner_uid = uid(6, claim // 3)
    else:
        deploy = i // 10
        template_hash = suffix(deploy, 10)
        ns, owner_kind, owner = f"ns-{deploy % 50}", "ReplicaSet", f"web-{deploy:05d}-{template_hash}"
        name, labels = f"{owner}-{suffix(i, 5)}", {"app": f"web-{deploy:05d}", "pod-template-hash": template_hash}
        owner_uid = uid(7, deploy)
    started = now - timedelta(days=3, seconds=i)
    crash = i % 250 == 7
    restarts = 40 + i % 20 if crash else (i % 4 if i % 5 == 0 else 0)
    volumes_spec: list[dict[str, Any]] = [{"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}]}}]
    mounts = [{"name": "kube-api-access", "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
    if claim is not None:
        volumes_spec.insert(0, {"name": "data", "persistentVolumeClaim": {"claimName": f"data-{claim}"}})
        mounts.insert(0, {"name": "data", "mountPath": "/var/lib/data"})
    image = f"registry.example.org/{owner_kind.lower()}/app:1.{i % 7}"
    ready = "False" if crash else "True"
    if crash:
        state: dict[str, Any] = {"waiting": {"reason": "CrashLoopBackOff", "message":
                                             f"back-off 5m0s restarting failed container=app pod={name}_{ns}({uid(5, i)})"}}
    else:
        state = {"running": {"startedAt": stamp(started + timedelta(seconds=20))}}
    last: dict[str, Any] = {}
    if restarts:
        last = {"terminated": {"exitCode": 1, "reason": "Error", "containerID": f"containerd://{i:064x}",
                               "startedAt": stamp(now - timedelta(minutes=9)),
                               "finishedAt": stamp(now - timedelta(minutes=8, seconds=i % 60))}}
    conditions = [{"type": t, "status": ready if t in ("Ready", "ContainersReady") else "True",
                   "lastProbeTime": None, "lastTransitionTime": stamp(started + timedelta(seconds=s))}
                  for t, s in (("PodReadyToStartContainers", 5), ("Initialized", 1), ("Ready", 21),
                               ("ContainersReady", 21), ("PodScheduled", 0))]
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "uid": uid(5, i), "labels": labels,
                     "creationTimestamp": stamp(started),
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner_kind, "name": owner,
                                          "uid": owner_uid,
                                          "controller": True, "blockOwnerDeletion": True}]},
        "spec": {"containers": [{"name": "app", "image": image, "imagePullPolicy": "IfNotPresent",
                                 "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                                 "volumeMounts": mounts, "terminationMessagePath": "/dev/termination-log",
                                 "terminationMessagePolicy": "File"}],
                 "nodeName": nodes[i % len(nodes)], "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
                 "schedulerName": "default-scheduler", "serviceAccountName": "default",
                 "terminationGracePeriodSeconds": 30, "volumes": volumes_spec},
        "status": {"phase": "Running", "conditions": conditions, "qosClass": "Burstable",
                   "hostIP": f"10.0.{i % len(nodes) // 256}.{i % len(nodes) % 256}",
                   "podIP": f"10.42.{i // 256 % 256}.{i % 256}",
                   "podIPs": [{"ip": f"10.42.{i // 256 % 256}.{i % 256}"}], "startTime": stamp(started),
                   "containerStatuses": [{"name": "app", "image": image, "imageID": f"{image}@sha256:{i:064x}",
                                          "containerID": f"containerd://{i + 1:064x}", "ready": not crash,
                                          "started": not crash, "restartCount": restarts,
                                          "state": state, "lastState": last}]},
    }


def event_pair(j: int, pods: list[dict[str, Any]], nodes: int, now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Event j, about pod j % len(pods), as (core v1, events.k8s.io/v1). Round 0 of the pods:
    Scheduled (scheduler, events.k8s.io recorder); round 1: Pulled, or BackOff for a crashing
    pod (kubelet, core v1 recorder); round 2: FailedScheduling repeated in a series, readiness
    probe warnings, Started; later rounds: Created."""
    p, round_ = j % len(pods), j // len(pods)
    pod = pods[p]
    meta, spec = pod["metadata"], pod["spec"]
    node_name, crash = spec["nodeName"], "waiting" in pod["status"]["containerStatuses"][0]["state"]
    at = now - timedelta(days=3, seconds=p) + timedelta(seconds=2 * round_ + 1)
    ref = {"kind": "Pod", "namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"],
           "apiVersion": "v1", "resourceVersion": str(1000 + p)}
    container_ref = {**ref, "fieldPath": "spec.containers{app}"}
    image = spec["containers"][0]["image"]
    modern_series: int | None = None
    if round_ == 0:
        modern, type_, reason, note, regarding = True, "Normal", "Scheduled", (
            f"Successfully assigned {meta['namespace']}/{meta['name']} to {node_name}"), ref
    elif round_ == 1 and crash:
        modern, type_, reason, note, regarding = False, "Warning", "BackOff", (
            "Back-off restarting failed container app in pod "
            f"{meta['name']}_{meta['namespace']}({meta['uid']})"), container_ref
    elif round_ == 1:
        modern, type_, reason, note, regarding = False, "Normal", "Pulled", (
            f'Container image "{image}" already present on machine'), container_ref
    elif round_ == 2 and p % 3 == 0:
        modern, type_, reason, note, regarding = True, "Warning", "FailedScheduling", (
            f"0/{nodes} nodes are available: 1 Insufficient memory. preemption: 0/{nodes} "
            "nodes are available: 1 No preemption victims found for incoming pod."), ref
        modern_series = 2 + p % 5
        at = now - timedelta(days=3, seconds=p + 60)
    elif round_ == 2 and p % 11 == 0:
        modern, type_, reason, note, regarding = False, "Warning", "Unhealthy", (
            "Readiness probe failed: HTTP probe failed with statuscode: 503"), container_ref
    elif round_ == 2:
        modern, type_, reason, note, regarding = False, "Normal", "Started", "Started container app", container_ref
    else:
        modern, type_, reason, note, regarding = False, "Normal", "Created", "Created container: app", container_ref
    name = f"{meta['name']}.{int(at.timestamp() * 1e9) + j:x}"
    metadata = {"name": name, "namespace": meta["namespace"], "uid": uid(8, j), "creationTimestamp": stamp(at)}
    if modern:
        return _recorded_modern(metadata, regarding, type_, reason, note, at, modern_series)
    count = 1
    if reason == "BackOff":
        count = max(1, pod["status"]["containerStatuses"][0]["restartCount"])
    elif reason == "Unhealthy":
        count = 1 + p % 9
    return _recorded_core(metadata, regarding, type_, reason, note, at, count, node_name)


def _recorded_core(metadata: dict[str, Any], regarding: dict[str, Any], type_: str, reason: str, note: str,
                   first: datetime, count: int, host: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An event the kubelet wrote through core v1 (first/last timestamps and a count)."""
    last = first + timedelta(seconds=30 * (count - 1))
    source = {"component": "kubelet", "host": host}
    core = {"apiVersion": "v1", "kind": "Event", "metadata": dict(metadata), "involvedObject": regarding,
            "reason": reason, "message": note, "source": source, "firstTimestamp": stamp(first),
            "lastTimestamp": stamp(last), "count": count, "type": type_, "eventTime": None,
            "reportingComponent": "kubelet", "reportingInstance": host}
    modern = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": dict(metadata), "eventTime": None,
              "reportingController": "kubelet", "reportingInstance": host, "regarding": regarding,
              "reason": reason, "note": note, "type": type_, "deprecatedSource": source,
              "deprecatedFirstTimestamp": stamp(first), "deprecatedLastTimestamp": stamp(last),
              "deprecatedCount": count}
    return core, modern


def _recorded_modern(metadata: dict[str, Any], regarding: dict[str, Any], type_: str, reason: str, note: str,
                     at: datetime, series: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """An event the scheduler wrote through events.k8s.io/v1 (eventTime, a series when repeated)."""
    instance = "default-scheduler-node-00000"
    action = "Binding" if reason == "Scheduled" else "Scheduling"
    extra: dict[str, Any] = {}
    if series:
        extra["series"] = {"count": series, "lastObservedTime": stamp(at + timedelta(seconds=10 * series), True)}
    modern = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": dict(metadata),
              "eventTime": stamp(at, True), "reportingController": "default-scheduler",
              "reportingInstance": instance, "action": action, "reason": reason, "regarding": regarding,
              "note": note, "type": type_, **extra}
    core = {"apiVersion": "v1", "kind": "Event", "metadata": dict(metadata), "involvedObject": regarding,
            "reason": reason, "message": note, "source": {}, "firstTimestamp": None, "lastTimestamp": None,
            "eventTime": stamp(at, True), "reportingComponent": "default-scheduler",
            "reportingInstance": instance, "action": action, "type": type_, **extra}
    return core, modern


if __name__ == "__main__":  # bench/scale.py runs this apart: its peak RSS is the console's alone
    write_dump(Path(sys.argv[1]), float(sys.argv[2]))
