"""Pod objects as the API server, scheduler and kubelet together make them.

One builder for the demo (fixed timestamps) and the pod controller (the emulator's clock), so
a pod the controller creates looks like a seeded one: ownerReferences (controller: true), the
owner's hash label, the admission defaults (tolerations, schedulerName, ...), and a status with
the five conditions, containerStatuses (state, lastState, restartCount, ready, started,
imageID, containerID), podIP/hostIP and qosClass. Names are derived from a hash, never random.
"""
from __future__ import annotations

import copy
import hashlib
from typing import Any

from tui.emulator.store import as_map

# The alphabet of k8s.io/apimachinery's rand.String (no vowels, no 0/1/3: no words, no lookalikes).
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
# DefaultTolerationSeconds admission adds these to every pod that has none of its own.
DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]
# The DaemonSet controller's: its pods stay on a lost node instead of being evicted.
DAEMON_TOLERATIONS = [
    {"key": t, "operator": "Exists", "effect": e} for t, e in (
        ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule"))
]
CONDITION_TYPES = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")


def suffix(seed: str, length: int = 5) -> str:
    """A generateName-style suffix, stable for a seed."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:length])


def hex_id(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def image_id(image: str) -> str:
    """What containerd reports: the repository digest of the pulled image."""
    repo = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    if "/" not in repo:
        repo = f"docker.io/library/{repo}"
    elif "." not in repo.split("/", 1)[0]:
        repo = f"docker.io/{repo}"
    return f"{repo}@sha256:{hex_id('image:' + image)}"


def qos_class(spec: dict[str, Any]) -> str:
    containers = [c for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])
                  if isinstance(c, dict)]
    resources = [as_map(c.get("resources")) for c in containers]
    if not any(as_map(r.get("requests")) or as_map(r.get("limits")) for r in resources):
        return "BestEffort"
    for r in resources:
        limits, requests = as_map(r.get("limits")), as_map(r.get("requests"))
        for res in ("cpu", "memory"):
            if res not in limits or requests.get(res, limits[res]) != limits[res]:
                return "Burstable"
    return "Guaranteed"


def owner_ref(owner: dict[str, Any]) -> dict[str, Any]:
    meta = as_map(owner.get("metadata"))
    return {"apiVersion": owner.get("apiVersion", "apps/v1"), "kind": owner.get("kind", ""),
            "name": meta.get("name", ""), "uid": meta.get("uid", ""),
            "controller": True, "blockOwnerDeletion": True}


def controller_of(pod: dict[str, Any]) -> dict[str, Any] | None:
    for ref in as_map(pod.get("metadata")).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller"):
            return ref
    return None


def new_pod(owner: dict[str, Any], name: str, *, created: str, hash_labels: dict[str, str],
            generate_name: str | None = None, extra_spec: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Pod as admitted, before the scheduler (status Pending, no node)."""
    meta = as_map(owner.get("metadata"))
    template = copy.deepcopy(as_map(as_map(owner.get("spec")).get("template")))
    tmeta, spec = as_map(template.get("metadata")), as_map(template.get("spec"))
    labels = {**as_map(tmeta.get("labels")), **hash_labels}
    namespace = meta.get("namespace", "")
    pod_meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels,
                                "ownerReferences": [owner_ref(owner)], "creationTimestamp": created,
                                "uid": uuid_for(f"pod/{namespace}/{name}/{created}")}
    if generate_name:
        pod_meta["generateName"] = generate_name
    if tmeta.get("annotations"):
        pod_meta["annotations"] = dict(tmeta["annotations"])
    daemon = owner.get("kind") == "DaemonSet"
    spec = {"restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "serviceAccount": "default", "schedulerName": "default-scheduler",
            "securityContext": {}, "enableServiceLinks": True, "priority": 0,
            "preemptionPolicy": "PreemptLowerPriority", **spec, **(extra_spec or {})}
    tolerations = [t for t in spec.get("tolerations") or [] if isinstance(t, dict)]
    keys = {t.get("key") for t in tolerations}
    for default in (DAEMON_TOLERATIONS if daemon else DEFAULT_TOLERATIONS):
        if default["key"] not in keys:
            tolerations.append(dict(default))
    spec["tolerations"] = tolerations
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        if isinstance(c, dict):
            _container_defaults(c)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec,
            "status": {"phase": "Pending", "qosClass": qos_class(spec)}}


PROBE_DEFAULTS = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}


def _container_defaults(c: dict[str, Any]) -> None:
    """The API server's defaulting of a container (what kubectl describe then prints)."""
    c.setdefault("imagePullPolicy", "Always" if str(c.get("image", "")).endswith(":latest") else "IfNotPresent")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for key in ("readinessProbe", "livenessProbe", "startupProbe"):
        probe = c.get(key)
        if isinstance(probe, dict):
            for name, value in PROBE_DEFAULTS.items():
                probe.setdefault(name, value)
            http = probe.get("httpGet")
            if isinstance(http, dict):
                http.setdefault("scheme", "HTTP")


def uuid_for(seed: str) -> str:
    h = hex_id(seed)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def containers(pod: dict[str, Any], init: bool = False) -> list[dict[str, Any]]:
    spec = as_map(pod.get("spec"))
    return [c for c in spec.get("initContainers" if init else "containers") or [] if isinstance(c, dict)]


def _condition(type_: str, ok: bool, at: str, reason: str = "", message: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": type_, "status": "True" if ok else "False", "lastProbeTime": None,
                           "lastTransitionTime": at}
    if reason:
        out["reason"] = reason
    if message:
        out["message"] = message
    return out


def schedule(pod: dict[str, Any], node: dict[str, Any], at: str) -> None:
    """Bind to `node`: nodeName, hostIP, PodScheduled; containers wait in ContainerCreating."""
    host = next((a.get("address") for a in as_map(node.get("status")).get("addresses") or []
                 if isinstance(a, dict) and a.get("type") == "InternalIP"), "")
    pod["spec"]["nodeName"] = node["metadata"]["name"]
    status = pod.setdefault("status", {})
    status.update(phase="Pending", hostIP=host, hostIPs=[{"ip": host}], startTime=at)
    status.pop("reason", None)
    status.pop("message", None)
    status["conditions"] = [
        _condition("PodReadyToStartContainers", False, at), _condition("Initialized", not containers(pod, True), at),
        _condition("Ready", False, at, "ContainersNotReady", _not_ready(pod)),
        _condition("ContainersReady", False, at, "ContainersNotReady", _not_ready(pod)),
        _condition("PodScheduled", True, at)]
    status["containerStatuses"] = [_waiting(c, "ContainerCreating") for c in containers(pod)]
    if containers(pod, True):
        status["initContainerStatuses"] = [_waiting(c, "PodInitializing") for c in containers(pod, True)]


def unschedulable(pod: dict[str, Any], message: str, at: str) -> None:
    status = pod.setdefault("status", {})
    status.update(phase="Pending")
    status["conditions"] = [_condition("PodScheduled", False, at, "Unschedulable", message)]


def _not_ready(pod: dict[str, Any], ready: set[str] | None = None) -> str:
    names = [c.get("name", "") for c in containers(pod) if c.get("name") not in (ready or set())]
    return f"containers with unready status: [{' '.join(names)}]"


def _waiting(c: dict[str, Any], reason: str, message: str = "") -> dict[str, Any]:
    waiting = {"reason": reason, **({"message": message} if message else {})}
    return {"name": c.get("name", ""), "image": c.get("image", ""), "imageID": "", "state": {"waiting": waiting},
            "lastState": {}, "ready": False, "restartCount": 0, "started": False}


def _container_id(pod: dict[str, Any], name: str, restarts: int) -> str:
    return "containerd://" + hex_id(f"{as_map(pod.get('metadata')).get('uid')}/{name}/{restarts}")


def run(pod: dict[str, Any], at: str, ip: str, ready: dict[str, bool] | None = None) -> None:
    """Sandbox up with `ip` (the CNI's), init containers done, containers started; `ready` by name."""
    status = pod.setdefault("status", {})
    status.update(phase="Running", podIP=ip, podIPs=[{"ip": ip}])
    if containers(pod, True):
        status["initContainerStatuses"] = [{
            "name": c.get("name", ""), "image": c.get("image", ""), "imageID": image_id(str(c.get("image", ""))),
            "containerID": _container_id(pod, c.get("name", ""), 0), "ready": True, "restartCount": 0,
            "started": False, "lastState": {},
            "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": at, "finishedAt": at,
                                     "containerID": _container_id(pod, c.get("name", ""), 0)}}}
            for c in containers(pod, True)]
    statuses = []
    for c in containers(pod):
        name = c.get("name", "")
        ok = (ready or {}).get(name, True)
        statuses.append({"name": name, "image": c.get("image", ""), "imageID": image_id(str(c.get("image", ""))),
                         "containerID": _container_id(pod, name, 0), "ready": ok, "restartCount": 0,
                         "started": True, "lastState": {}, "state": {"running": {"startedAt": at}}})
    status["containerStatuses"] = statuses
    refresh_conditions(pod, at)


def crash(pod: dict[str, Any], container: str, *, restarts: int, started: str, finished: str,
          back_off: str, exit_code: int = 1) -> None:
    """The container exited and the kubelet waits to restart it: CrashLoopBackOff."""
    meta = as_map(pod.get("metadata"))
    for cs in as_map(pod.get("status")).get("containerStatuses") or []:
        if cs.get("name") != container:
            continue
        cid = _container_id(pod, container, restarts)
        cs.update(ready=False, started=False, restartCount=restarts, containerID=cid,
                  lastState={"terminated": {"exitCode": exit_code, "reason": "Error", "startedAt": started,
                                            "finishedAt": finished, "containerID": cid}},
                  state={"waiting": {"reason": "CrashLoopBackOff", "message": (
                      f"back-off {back_off} restarting failed container={container} "
                      f"pod={meta.get('name')}_{meta.get('namespace')}({meta.get('uid')})")}})
    refresh_conditions(pod, finished)


def set_ready(pod: dict[str, Any], container: str, ok: bool, at: str) -> bool:
    """Readiness probe result for one running container; True if anything changed."""
    changed = False
    for cs in as_map(pod.get("status")).get("containerStatuses") or []:
        if cs.get("name") == container and "running" in as_map(cs.get("state")) and cs.get("ready") != ok:
            cs["ready"] = ok
            changed = True
    if changed:
        refresh_conditions(pod, at)
    return changed


def is_ready(pod: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in as_map(pod.get("status")).get("conditions") or [] if isinstance(c, dict))


def refresh_conditions(pod: dict[str, Any], at: str) -> None:
    """Ready/ContainersReady from the container statuses, keeping unchanged transition times."""
    status = pod.setdefault("status", {})
    statuses = [cs for cs in status.get("containerStatuses") or [] if isinstance(cs, dict)]
    ready_names = {str(cs.get("name")) for cs in statuses if cs.get("ready")}
    all_ready = bool(statuses) and len(ready_names) == len(statuses)
    running = any("running" in as_map(cs.get("state")) for cs in statuses) or status.get("phase") == "Running"
    old = {c.get("type"): c for c in status.get("conditions") or [] if isinstance(c, dict)}

    def cond(type_: str, ok: bool, reason: str = "", message: str = "") -> dict[str, Any]:
        before = old.get(type_)
        since = before.get("lastTransitionTime", at) if before and before.get("status") == ("True" if ok else "False") else at
        return _condition(type_, ok, since, reason, message)

    not_ready = "" if all_ready else _not_ready(pod, ready_names)
    status["conditions"] = [
        cond("PodReadyToStartContainers", running), cond("Initialized", True),
        cond("Ready", all_ready, "" if all_ready else "ContainersNotReady", not_ready),
        cond("ContainersReady", all_ready, "" if all_ready else "ContainersNotReady", not_ready),
        cond("PodScheduled", True)]


def node_lost(pod: dict[str, Any], at: str) -> None:
    """What the node lifecycle controller writes when the kubelet stops reporting."""
    status = pod.setdefault("status", {})
    for c in status.get("conditions") or []:
        if isinstance(c, dict) and c.get("type") in ("Ready", "ContainersReady") and c.get("status") != "False":
            c.update(status="False", lastTransitionTime=at)
            c.pop("reason", None)
            c.pop("message", None)
    for cs in status.get("containerStatuses") or []:
        if isinstance(cs, dict):
            cs["ready"] = False


def mark_node_lost_deleted(pod: dict[str, Any], at: str) -> None:
    """Evicted from a lost node: Terminating forever (the kubelet cannot confirm), reason NodeLost."""
    meta = pod.setdefault("metadata", {})
    meta.setdefault("deletionTimestamp", at)
    meta.setdefault("deletionGracePeriodSeconds", 30)
    status = pod.setdefault("status", {})
    status["reason"] = "NodeLost"
    status["message"] = f"Node {as_map(pod.get('spec')).get('nodeName')} which was running pod {meta.get('name')} is unresponsive"
