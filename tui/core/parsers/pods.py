"""Pod -> PodRow with STATUS, READY and RESTARTS computed by the rules `kubectl get pods` prints
(kubernetes pkg/printers printPod), plus the links the index needs (owner, node, claims)."""
from __future__ import annotations

from typing import Any

from tui.core.parsers.access import (
    as_list,
    as_str,
    condition_status,
    conditions_by_type,
    dig,
    dig_dict,
    dig_int,
    dig_list,
    dig_str,
    shared,
    str_map,
)
from tui.core.parsers.argocd import instance_of
from tui.core.parsers.events import api_time
from tui.core.parsers.workloads import workload_key
from tui.core.rows import PodRow, object_key

NODE_LOST = "NodeLost"  # status.reason the node lifecycle controller sets on an unreachable node
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
# statuses of a pod that is doing what it should (or is on its way out by request)
FINE_STATUSES = frozenset({"Running", "Completed", "Succeeded", "Terminating"})


def parse_pod(obj: Any) -> PodRow:
    meta, spec, status = dig_dict(obj, "metadata"), dig_dict(obj, "spec"), dig_dict(obj, "status")
    name, ns = as_str(meta.get("name")) or "", as_str(meta.get("namespace"))
    labels, annotations = str_map(meta.get("labels")), str_map(meta.get("annotations"))
    conditions = conditions_by_type(status, "conditions")
    refs = [r for r in as_list(meta.get("ownerReferences")) if isinstance(r, dict)]
    computed = _Status(meta, spec, status, conditions)
    owner, owner_kind, controlled = pod_owner(refs, ns, labels)
    scheduled = conditions.get("PodScheduled")
    reason, message = computed.reason, computed.message
    if reason is None and condition_status(scheduled) is False:
        # Pending: the scheduler's verdict ("0/7 nodes are available: ...") is the why
        reason, message = dig_str(scheduled, "reason"), dig_str(scheduled, "message")
    if reason is None and as_str(status.get("reason")):
        reason, message = as_str(status.get("reason")), as_str(status.get("message"))
    volumes = [v for v in as_list(spec.get("volumes")) if isinstance(v, dict)]
    claims = (dig_str(v, "persistentVolumeClaim", "claimName") for v in volumes)
    return PodRow(
        namespace=shared(ns),
        name=name,
        ready=shared(f"{computed.ready}/{computed.total}"),
        status=shared(computed.status),
        restarts=computed.restarts,
        node=shared(as_str(spec.get("nodeName"))),
        key=object_key(ns, name),
        last_restart_at=computed.last_restart,
        ip=as_str(status.get("podIP")),
        phase=shared(as_str(status.get("phase"))),
        owner=shared(owner),
        owner_kind=shared(owner_kind),
        controlled=controlled,
        app=instance_of(labels, annotations),
        containers=tuple(map(shared, _names(as_list(spec.get("containers"))))),
        init_containers=tuple(map(shared, _names(as_list(spec.get("initContainers"))))),
        pvcs=tuple(object_key(ns, c) for c in claims if c),
        reason=shared(reason),
        message=message,
        broken=is_broken(computed.status, computed.ready, computed.total),
        created=as_str(meta.get("creationTimestamp")),
        deleting=meta.get("deletionTimestamp") is not None,
        mirror=MIRROR_ANNOTATION in annotations,
        daemonset=owner_kind == "DaemonSet",
        empty_dir=any("emptyDir" in v for v in volumes),
        controller_ref=shared(controller_ref(refs, ns)),
        labels=tuple(shared(f"{k}={v}") for k, v in sorted(labels.items())),
        pod_ready=condition_status(conditions.get("Ready")) is True,
    )


def is_broken(status: str, ready: int, total: int) -> bool:
    """Not doing its job: any status but Running/Completed, or Running with a container unready."""
    if status not in FINE_STATUSES:
        return True
    return status == "Running" and ready < total


def pod_owner(refs: list[dict[str, Any]], ns: str | None,
              labels: dict[str, str]) -> tuple[str | None, str | None, bool]:
    """(workload key, direct controller kind, has a controller) from the ownerReferences. A
    ReplicaSet is named after its Deployment plus the pod-template-hash, so the Deployment is
    read off the name here; the store corrects it from the ReplicaSet's own ownerReference."""
    controller = next((r for r in refs if r.get("controller") is True), None)
    ref = controller or (refs[0] if refs else None)
    kind, name = dig_str(ref, "kind"), dig_str(ref, "name")
    if kind is None or name is None:
        return None, None, False
    if kind == "ReplicaSet":
        owner: str | None = workload_key("ReplicaSet", ns, name)
        suffix = labels.get("pod-template-hash")
        if suffix and name.endswith(f"-{suffix}"):
            owner = workload_key("Deployment", ns, name[: -len(suffix) - 1])
    elif kind == "Node":
        owner = None  # a static pod: the kubelet on that node runs it from a file
    else:
        owner = workload_key(kind, ns, name)
    return owner, kind, controller is not None


def controller_ref(refs: list[dict[str, Any]], ns: str | None) -> str | None:
    """The direct controller as "Kind/ns/name" (a ReplicaSet stays a ReplicaSet here)."""
    for ref in refs:
        kind, name = as_str(ref.get("kind")), as_str(ref.get("name"))
        if ref.get("controller") is True and kind and name:
            return f"Node/{name}" if kind == "Node" else workload_key(kind, ns, name)
    return None


def _names(containers: list[Any]) -> tuple[str, ...]:
    return tuple(n for c in containers if (n := dig_str(c, "name")))


class _Status:
    """STATUS, READY x/y, RESTARTS and the last restart, walked as printPod walks them."""

    def __init__(self, meta: dict[str, Any], spec: dict[str, Any], status: dict[str, Any],
                 conditions: dict[str, dict[str, Any]]) -> None:
        phase = as_str(status.get("phase")) or "Unknown"
        self.status: str = as_str(status.get("reason")) or phase
        self.reason: str | None = None
        self.message: str | None = None
        self.ready = 0
        self.restarts = 0
        self.last_restart: str | None = None
        if dig_str(conditions.get("PodScheduled"), "reason") == "SchedulingGated":
            self.status = "SchedulingGated"
        init_specs = {dig_str(c, "name"): c for c in as_list(spec.get("initContainers"))}
        sidecars = {n for n, c in init_specs.items() if dig_str(c, "restartPolicy") == "Always"}
        self.total = len(as_list(spec.get("containers"))) + len(sidecars)
        initializing = self._init_containers(status, len(init_specs), sidecars)
        if not initializing or condition_status(conditions.get("Initialized")) is True:
            self._containers(status, sidecars, condition_status(conditions.get("Ready")) is True)
        deleting = meta.get("deletionTimestamp") is not None
        if deleting and status.get("reason") == NODE_LOST:
            self.status = "Unknown"
        elif deleting and phase not in ("Succeeded", "Failed"):
            self.status = "Terminating"

    def _init_containers(self, status: Any, count: int, sidecars: set[str | None]) -> bool:
        """Walk init containers in order until one is not done; True when the pod is still
        initializing (its STATUS is then an Init:... one)."""
        self._sidecar_restarts = 0
        self._sidecar_last: str | None = None
        for i, cs in enumerate(s for s in dig_list(status, "initContainerStatuses") if isinstance(s, dict)):
            restarts = max(0, dig_int(cs, "restartCount") or 0)
            self.restarts += restarts
            finished = dig_str(cs, "lastState", "terminated", "finishedAt")
            self.last_restart = _newest(self.last_restart, finished)
            sidecar = dig_str(cs, "name") in sidecars
            if sidecar:
                self._sidecar_restarts += restarts
                self._sidecar_last = _newest(self._sidecar_last, finished)
            terminated = dig_dict(cs, "state", "terminated")
            waiting_reason = dig_str(cs, "state", "waiting", "reason")
            if terminated and dig_int(terminated, "exitCode") == 0:
                continue
            if sidecar and dig(cs, "started") is True:
                self.ready += 1 if dig(cs, "ready") is True else 0
                continue
            if terminated:
                self.status = "Init:" + _terminated_reason(terminated)
                self._why(terminated)
            elif waiting_reason and waiting_reason != "PodInitializing":
                self.status = "Init:" + waiting_reason
                self._why(dig_dict(cs, "state", "waiting"))
            else:
                self.status = f"Init:{i}/{count}"
            return True
        return False

    def _containers(self, status: Any, sidecars: set[str | None], pod_ready: bool) -> None:
        # printPod restarts the count here: only sidecars' restarts carry over from init
        self.restarts = self._sidecar_restarts
        self.last_restart = self._sidecar_last
        running = False
        statuses = [s for s in dig_list(status, "containerStatuses") if isinstance(s, dict)]
        for cs in reversed(statuses):  # backwards, so the first container's reason wins
            self.restarts += max(0, dig_int(cs, "restartCount") or 0)
            self.last_restart = _newest(self.last_restart, dig_str(cs, "lastState", "terminated", "finishedAt"))
            waiting = dig_dict(cs, "state", "waiting")
            terminated = dig_dict(cs, "state", "terminated")
            if dig_str(waiting, "reason"):
                self.status = dig_str(waiting, "reason") or ""
                self._why(waiting)
            elif terminated:
                self.status = _terminated_reason(terminated)
                self._why(terminated)
            elif dig(cs, "ready") is True and dig(cs, "state", "running") is not None:
                running = True
                self.ready += 1
        if self.status == "Completed" and running:
            self.status = "Running" if pod_ready else "NotReady"
            self.reason = self.message = None

    def _why(self, state: dict[str, Any]) -> None:
        self.reason = dig_str(state, "reason") or self.status
        self.message = dig_str(state, "message")


def _terminated_reason(terminated: dict[str, Any]) -> str:
    reason = dig_str(terminated, "reason")
    if reason:
        return reason
    signal = dig_int(terminated, "signal")
    if signal:
        return f"Signal:{signal}"
    return f"ExitCode:{dig_int(terminated, 'exitCode') or 0}"


def _newest(current: str | None, candidate: str | None) -> str | None:
    new = api_time(candidate)
    if new is None:
        return current
    old = api_time(current)
    return candidate if old is None or new > old else current
