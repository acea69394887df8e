"""The pod side of the cluster: owners keep their pods, the kubelet runs them, nodes get lost.

- ReplicaSet / StatefulSet / DaemonSet controllers: as many active pods as wanted (a pod
  with a deletionTimestamp no longer counts; a StatefulSet waits until its ordinal's pod is
  gone, then recreates it under the same name; a DaemonSet keeps one per eligible node).
- Scheduler (scheduler.py) binds new pods; the kubelet pulls, creates, starts, probes,
  crash-loops (container_rules.py), kills on deletion and removes the pod object.
- Node lifecycle: a node whose Ready turns Unknown/False gets the unreachable/not-ready
  taints, its pods turn Ready=False, and after their NoExecute tolerationSeconds they are
  marked for deletion (Terminating, reason NodeLost: the kubelet cannot confirm).
- EndpointSlices follow (endpoints.py). Events for each step (cluster_events.py).

Seeded pods are taken as they are: only what happens after start changes them, so the demo
stays exactly as seeded until someone acts. Delays are divided by time_scale.
"""
from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any

from tui.emulator import podspec
from tui.emulator.cluster_events import EventRecorder
from tui.emulator.container_rules import UNHEALTHY_NOTE, crashing_option, readiness_needs
from tui.emulator.endpoints import EndpointSlices
from tui.emulator.eviction import Disruptions
from tui.emulator.owner_status import OwnerStatus
from tui.emulator.revisions import template_hash
from tui.emulator.scheduler import allocate_ip, node_ready, pick_node
from tui.emulator.store import ObjectStore, WatchEvent, as_map, clone

START_SECONDS = 1.0  # scheduled -> running
READY_SECONDS = 0.5  # running -> first readiness probe
PROBE_SECONDS = 10.0  # readiness probe period
KILL_SECONDS = 0.5  # SIGTERM -> container gone, pod object removed
CRASH_SECONDS = 1.0  # a crashing container's run before it exits
BACKOFF_START, BACKOFF_MAX = 10.0, 300.0
DEFAULT_TOLERATION_SECONDS = 300
log = logging.getLogger(__name__)


class PodController:
    def __init__(self, store: ObjectStore, scale: float, stamp: Callable[[], str]) -> None:
        self.store, self.scale, self.stamp = store, scale, stamp
        t = store.table
        self.pods, self.nodes = t.for_path("", "v1", "pods"), t.for_path("", "v1", "nodes")
        self.replicasets = t.for_path("apps", "v1", "replicasets")
        self.statefulsets, self.daemonsets = t.for_path("apps", "v1", "statefulsets"), t.for_path("apps", "v1", "daemonsets")
        self.configmaps = t.for_path("", "v1", "configmaps")
        self.pvcs, self.pvs = t.for_path("", "v1", "persistentvolumeclaims"), t.for_path("", "v1", "persistentvolumes")
        self.lh_volumes = t.for_path("longhorn.io", "v1beta2", "volumes")
        self.lh_attachments = t.for_path("longhorn.io", "v1beta2", "volumeattachments")
        self.events = EventRecorder(store, stamp)
        self.slices = EndpointSlices(store)
        self.disruptions = Disruptions(store, stamp)
        self.owner_status = OwnerStatus(store)
        self._owners = {r for r in (self.replicasets, self.statefulsets, self.daemonsets) if r is not None}
        self._dirty: set[tuple[str, str, str]] = set()  # ("owner"|"node"|"endpoints"|"pending", ns, name)
        self._kick: asyncio.Event | None = None
        self._worker: asyncio.Task | None = None
        self._pod_tasks: dict[str, asyncio.Task] = {}  # pod uid -> its kubelet task
        self._node_tasks: dict[str, asyncio.Task] = {}
        self._created: dict[str, int] = {}  # owner uid -> pods created (name seeds)
        self._not_ready_nodes: set[str] = set()
        self._pod_wakes: dict[str, asyncio.Event] = {}
        self._seq = 0

    # ---- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        if self.pods is None or self.nodes is None:
            return
        self._kick = asyncio.Event()
        self._not_ready_nodes = {n["metadata"]["name"] for n in self.store.list(self.nodes) if not node_ready(n)}
        for res in self._owners:
            for obj in self.store.list(res):
                self._mark("owner", res.key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        for pod in self.store.list(self.pods):
            if not as_map(pod.get("spec")).get("nodeName") and not as_map(pod["metadata"]).get("deletionTimestamp"):
                self._spawn(pod)  # a seeded pending pod: schedule it
        self.store.listeners.append(self._on_event)
        self._worker = asyncio.get_running_loop().create_task(self._work())

    def stop(self) -> None:
        if self._on_event in self.store.listeners:
            self.store.listeners.remove(self._on_event)
        for task in [self._worker, *self._pod_tasks.values(), *self._node_tasks.values()]:
            if task is not None:
                task.cancel()
        self._pod_tasks.clear()
        self._node_tasks.clear()

    def _mark(self, what: str, key: str, namespace: str, name: str = "") -> None:
        self._dirty.add((what, f"{key}|{namespace}", name))
        if self._kick is not None:
            self._kick.set()

    def _on_event(self, ev: WatchEvent) -> None:
        meta = as_map(ev.obj.get("metadata"))
        ns, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
        if ev.resource in self._owners and ev.type != "DELETED":
            self._mark("owner", ev.resource.key, ns, name)
        elif ev.resource is self.pods:
            ref = podspec.controller_of(ev.obj)
            readiness_changed = ev.old is None or podspec.is_ready(ev.old) != podspec.is_ready(ev.obj)
            if ref is not None and (ev.type == "DELETED" or meta.get("deletionTimestamp") or readiness_changed):
                res = self._owner_res(str(ref.get("kind")))
                if res is not None:
                    self._mark("owner", res.key, ns, str(ref.get("name")))
            self._mark("endpoints", "", ns)
            self._mark("pdb", "", ns)
            if ev.type != "DELETED" and meta.get("deletionTimestamp"):
                self._wake_pod(ev.obj)
            old_ready = ev.old is not None and podspec.is_ready(ev.old)
            if ev.type == "DELETED" or old_ready != podspec.is_ready(ev.obj):
                self._mark("dependents", "", ns)
        elif ev.resource is self.nodes and ev.type != "DELETED":
            self._mark("node", "", "", name)
        elif ev.resource is not None and ev.resource.plural == "services":
            self._mark("endpoints", "", ns)
        elif ev.resource is self.configmaps and ev.type == "MODIFIED":
            self._mark("configmap", "", ns, name)
        elif ev.resource is self.disruptions.pdbs and ev.type != "DELETED":
            self._mark("pdb", "", ns)

    def _owner_res(self, kind: str) -> Any:
        return {"ReplicaSet": self.replicasets, "StatefulSet": self.statefulsets,
                "DaemonSet": self.daemonsets}.get(kind)

    async def _work(self) -> None:
        assert self._kick is not None
        while True:
            await self._kick.wait()
            self._kick.clear()
            dirty, self._dirty = self._dirty, set()
            for what, where, name in sorted(dirty):
                key, _, ns = where.partition("|")
                try:
                    if what == "owner":
                        self._reconcile_owner(key, ns, name)
                    elif what == "node":
                        self._node_changed(name)
                    elif what == "endpoints":
                        self.slices.sync(ns)
                    elif what == "configmap":
                        self._wake_mounting(ns, name)
                    elif what == "pdb":
                        self.disruptions.refresh(ns)
                    elif what == "dependents":
                        self._probe_dependents(ns)
                except Exception:  # a malformed object: say so, keep serving
                    log.exception("emulator pod controller failed on %s %s/%s", what, ns, name)

    # ---- owners ------------------------------------------------------------------------
    def _owned(self, owner: dict[str, Any]) -> list[dict[str, Any]]:
        assert self.pods is not None
        meta = owner["metadata"]
        out = []
        for pod in self.store.list(self.pods, meta.get("namespace")):
            ref = podspec.controller_of(pod)
            if ref and ref.get("kind") == owner.get("kind") and ref.get("name") == meta["name"] \
                    and (not meta.get("uid") or not ref.get("uid") or ref.get("uid") == meta.get("uid")):
                out.append(pod)
        return out

    @staticmethod
    def _active(pod: dict[str, Any]) -> bool:
        return not as_map(pod.get("metadata")).get("deletionTimestamp") \
            and as_map(pod.get("status")).get("phase") not in ("Succeeded", "Failed")

    def _reconcile_owner(self, key: str, namespace: str, name: str) -> None:
        res = next((r for r in self._owners if r.key == key), None)
        owner = self.store.get(res, namespace, name) if res is not None else None
        if owner is None or not isinstance(as_map(owner.get("spec")).get("template"), dict):
            return
        if as_map(owner.get("metadata")).get("deletionTimestamp"):
            return  # being deleted (foreground): its pods go, none replace them
        kind = owner.get("kind")
        if kind == "ReplicaSet":
            self._keep_replicas(owner)
        elif kind == "StatefulSet":
            self._keep_ordinals(owner)
        elif kind == "DaemonSet":
            self._keep_daemons(owner)
        if kind in ("ReplicaSet", "StatefulSet") and res is not None:
            fresh = self.store.get(res, namespace, name)
            if fresh is not None:
                self.owner_status.sync(fresh, self._owned(fresh), self.stamp())

    def _replicas(self, owner: dict[str, Any]) -> int:
        try:
            return max(0, int(as_map(owner.get("spec")).get("replicas", 1)))
        except (TypeError, ValueError):
            return 0

    def _keep_replicas(self, rs: dict[str, Any]) -> None:
        assert self.pods is not None
        want = self._replicas(rs)
        active = [p for p in self._owned(rs) if self._active(p)]
        meta = rs["metadata"]
        hash_label = as_map(meta.get("labels")).get("pod-template-hash") or template_hash(rs["spec"]["template"])
        for _ in range(want - len(active)):
            uid = str(meta.get("uid") or meta["name"])
            n = self._created.get(uid, len(active))
            while True:
                n += 1
                pod_name = f"{meta['name']}-{podspec.suffix(f'{uid}/{n}')}"
                if self.store.get(self.pods, meta.get("namespace"), pod_name) is None:
                    break
            self._created[uid] = n
            self._create(podspec.new_pod(rs, pod_name, created=self.stamp(), generate_name=f"{meta['name']}-",
                                         hash_labels={"pod-template-hash": hash_label}))
        if len(active) > want:  # scale down: unscheduled and not-ready pods first, then newest
            ranked = sorted(active, key=lambda p: (bool(as_map(p.get("spec")).get("nodeName")),
                                                   podspec.is_ready(p), p["metadata"].get("creationTimestamp", "")))
            for pod in ranked[:len(active) - want]:
                self.delete_gracefully(pod)

    def _keep_ordinals(self, sts: dict[str, Any]) -> None:
        assert self.pods is not None
        want = self._replicas(sts)
        meta, spec = sts["metadata"], as_map(sts.get("spec"))
        existing = {p["metadata"]["name"]: p for p in self._owned(sts)}
        status = as_map(sts.get("status"))
        revision = str(status.get("updateRevision") or status.get("currentRevision")
                       or f"{meta['name']}-{template_hash(spec.get('template'))}")
        for ordinal in range(want):
            pod_name = f"{meta['name']}-{ordinal}"
            if pod_name in existing or self.store.get(self.pods, meta.get("namespace"), pod_name) is not None:
                continue  # alive, or still terminating: the same name waits until it is gone
            volumes = [v for v in as_map(spec.get("template")).get("spec", {}).get("volumes") or [] if isinstance(v, dict)]
            for claim in spec.get("volumeClaimTemplates") or []:
                cname = as_map(as_map(claim).get("metadata")).get("name")
                if cname and not any(v.get("name") == cname for v in volumes):
                    volumes.append({"name": cname, "persistentVolumeClaim": {"claimName": f"{cname}-{pod_name}"}})
            pod = podspec.new_pod(sts, pod_name, created=self.stamp(), hash_labels={
                "controller-revision-hash": revision, "statefulset.kubernetes.io/pod-name": pod_name,
                "apps.kubernetes.io/pod-index": str(ordinal)},
                extra_spec={"hostname": pod_name, "subdomain": spec.get("serviceName") or meta["name"],
                            **({"volumes": volumes} if volumes else {})})
            self._create(pod)
        for name, pod in existing.items():
            ordinal = name.rsplit("-", 1)[-1]
            if ordinal.isdigit() and int(ordinal) >= want and self._active(pod):
                self.delete_gracefully(pod)
        self._roll_ordinals(sts, existing, want)

    def _roll_ordinals(self, sts: dict[str, Any], existing: dict[str, dict[str, Any]], want: int) -> None:
        """RollingUpdate: once every pod is Ready, replace the highest-ordinal outdated one."""
        spec, status = as_map(sts.get("spec")), as_map(sts.get("status"))
        update = status.get("updateRevision")
        if not update or as_map(spec.get("updateStrategy")).get("type") == "OnDelete":
            return
        alive = [p for p in existing.values() if self._active(p)]
        if len(alive) < want or not all(podspec.is_ready(p) for p in alive):
            return  # one at a time, and never past a broken pod (as the real controller)
        outdated = [p for p in alive if as_map(p["metadata"].get("labels")).get("controller-revision-hash") != update]
        if outdated:
            def ordinal(p: dict[str, Any]) -> int:
                tail = p["metadata"]["name"].rsplit("-", 1)[-1]
                return int(tail) if tail.isdigit() else -1
            self.delete_gracefully(max(outdated, key=ordinal))

    def _keep_daemons(self, ds: dict[str, Any]) -> None:
        assert self.nodes is not None and self.pods is not None
        meta = ds["metadata"]
        by_node: dict[str, list[dict[str, Any]]] = {}
        for pod in self._owned(ds):
            if self._active(pod):
                by_node.setdefault(str(as_map(pod.get("spec")).get("nodeName") or ""), []).append(pod)
        revision = template_hash(ds["spec"]["template"])
        for node in self.store.list(self.nodes):
            node_name = node["metadata"]["name"]
            probe = podspec.new_pod(ds, "probe", created="", hash_labels={})
            if by_node.get(node_name):
                # a running daemon stays unless its node no longer matches (NoSchedule taints,
                # unschedulable and readiness only keep new ones away, as the real controller)
                selector = as_map(as_map(probe.get("spec")).get("nodeSelector"))
                labels = as_map(node["metadata"].get("labels"))
                if any(labels.get(k) != v for k, v in selector.items()):
                    for pod in by_node[node_name]:
                        self.delete_gracefully(pod)
                continue
            fits, _ = pick_node(probe, [node], [])
            if fits is None:
                continue
            seed = f"{meta.get('uid')}/{node_name}"
            pod_name = f"{meta['name']}-{podspec.suffix(seed)}"
            if self.store.get(self.pods, meta.get("namespace"), pod_name) is not None:
                continue  # the old one is still terminating
            affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}]}}}
            self._create(podspec.new_pod(ds, pod_name, created=self.stamp(), generate_name=f"{meta['name']}-",
                                         hash_labels={"controller-revision-hash": revision,
                                                      "pod-template-generation": str(meta.get("generation", 1))},
                                         extra_spec={"affinity": affinity, "_node": node_name}))
        self._daemon_status(ds)

    def _daemon_status(self, ds: dict[str, Any]) -> None:
        """desired/current/ready/available counts, as `kubectl get ds` shows them."""
        assert self.daemonsets is not None and self.nodes is not None
        live = [p for p in self._owned(ds) if self._active(p)]
        probe = podspec.new_pod(ds, "probe", created="", hash_labels={})
        on = {as_map(p.get("spec")).get("nodeName") for p in live}
        desired = sum(1 for n in self.store.list(self.nodes)
                      if n["metadata"]["name"] in on or pick_node(probe, [n], [])[0] is not None)
        ready_count = sum(1 for p in live if podspec.is_ready(p))
        status = {"desiredNumberScheduled": desired, "currentNumberScheduled": len(on - {None, ""}),
                  "numberReady": ready_count, "numberAvailable": ready_count, "updatedNumberScheduled": len(live),
                  "numberMisscheduled": 0, "observedGeneration": ds["metadata"].get("generation", 1)}
        if ready_count < desired:
            status["numberUnavailable"] = desired - ready_count
        if as_map(ds.get("status")) != status:
            self.store.write(self.daemonsets, {**ds, "status": status}, subresource="status", must_exist=True)

    def _create(self, pod: dict[str, Any]) -> None:
        assert self.pods is not None
        pinned = pod["spec"].pop("_node", None)
        self._seq += 1  # a fresh uid even for a same-name replacement within the same second
        pod["metadata"]["uid"] = podspec.uuid_for(f"pod/{pod['metadata']['namespace']}/{pod['metadata']['name']}/{self._seq}")
        stored = self.store.write(self.pods, pod, create_only=True)
        ref = podspec.controller_of(stored) or {}
        owner = {"kind": ref.get("kind"), "apiVersion": "apps/v1",
                 "metadata": {"name": ref.get("name"), "namespace": stored["metadata"]["namespace"],
                              "uid": ref.get("uid")}}
        component = {"ReplicaSet": "replicaset-controller", "StatefulSet": "statefulset-controller",
                     "DaemonSet": "daemonset-controller"}.get(str(ref.get("kind")), "controller-manager")
        note = (f"create Pod {stored['metadata']['name']} in StatefulSet {ref.get('name')} successful"
                if ref.get("kind") == "StatefulSet" else f"Created pod: {stored['metadata']['name']}")
        self.events.record(owner, "Normal", "SuccessfulCreate", note, component=component)
        self._spawn(stored, pinned)

    def delete_gracefully(self, pod: dict[str, Any], grace: int | None = None) -> dict[str, Any] | None:
        """What DELETE does to a pod: immediate when unscheduled (or grace 0), else Terminating."""
        assert self.pods is not None
        meta = pod["metadata"]
        current = self.store.get(self.pods, meta.get("namespace"), meta["name"])
        if current is None:
            return None
        if grace is None:
            grace = int(as_map(current.get("spec")).get("terminationGracePeriodSeconds") or 30)
        if grace <= 0 or not as_map(current.get("spec")).get("nodeName"):
            return self.store.delete(self.pods, meta.get("namespace"), meta["name"])
        if not current["metadata"].get("deletionTimestamp"):
            current["metadata"]["deletionTimestamp"] = self.stamp()
            current["metadata"]["deletionGracePeriodSeconds"] = grace
            current = self.store.write(self.pods, current)
        self._spawn(current)
        return current

    # ---- the kubelet -------------------------------------------------------------------
    def _spawn(self, pod: dict[str, Any], pinned: str | None = None) -> None:
        uid = str(pod["metadata"].get("uid"))
        task = self._pod_tasks.get(uid)
        if task is not None and not task.done():
            return
        task = asyncio.get_running_loop().create_task(self._kubelet(pod["metadata"].get("namespace", ""),
                                                                    pod["metadata"]["name"], uid, pinned))
        self._pod_tasks[uid] = task
        task.add_done_callback(functools.partial(self._forget, uid))

    def _forget(self, uid: str, task: asyncio.Task) -> None:
        if self._pod_tasks.get(uid) is task:
            del self._pod_tasks[uid]
        if not task.cancelled() and task.exception() is not None:
            log.error("emulator kubelet for pod %s failed", uid, exc_info=task.exception())

    def _wake_pod(self, pod: dict[str, Any]) -> None:
        uid = str(pod["metadata"].get("uid"))
        if uid not in self._pod_tasks:
            self._spawn(pod)
        else:
            self._pod_wakes.setdefault(uid, asyncio.Event()).set()

    async def _sleep(self, uid: str, seconds: float) -> None:
        """A scaled pause that ends early when the pod is marked for deletion."""
        wake = self._pod_wakes.setdefault(uid, asyncio.Event())
        wake.clear()
        try:
            await asyncio.wait_for(wake.wait(), seconds / self.scale)
        except TimeoutError:
            pass

    def _current(self, namespace: str, name: str, uid: str) -> dict[str, Any] | None:
        assert self.pods is not None
        pod = self.store.get(self.pods, namespace, name)
        return pod if pod is not None and str(pod["metadata"].get("uid")) == uid else None

    def _node(self, name: str) -> dict[str, Any] | None:
        assert self.nodes is not None
        return self.store.get(self.nodes, None, name) if name else None

    async def _kubelet(self, namespace: str, name: str, uid: str, pinned: str | None) -> None:
        pod = self._current(namespace, name, uid)
        if pod is None:
            return
        unbound = not as_map(pod.get("spec")).get("nodeName") and not pod["metadata"].get("deletionTimestamp")
        if unbound and not self._bind(pod, pinned):
            return  # unschedulable: retried when a node changes
        pod = self._current(namespace, name, uid)
        if pod is None:
            return
        node_name = str(pod["spec"].get("nodeName"))
        started = as_map(pod.get("status")).get("phase") == "Running"
        while True:
            pod = self._current(namespace, name, uid)
            if pod is None:
                return
            node = self._node(node_name)
            if node is None or not node_ready(node):
                await self._sleep(uid, PROBE_SECONDS)  # the kubelet is gone: nothing happens here
                continue
            if pod["metadata"].get("deletionTimestamp"):
                await self._kill(pod)
                return
            if not started:
                if not await self._start(pod, node):
                    await self._sleep(uid, PROBE_SECONDS)
                    continue
                started = True
                continue
            await self._probe(pod, node)
            await self._sleep(uid, self._next_wait(pod))

    def _bind(self, pod: dict[str, Any], pinned: str | None) -> bool:
        assert self.nodes is not None and self.pods is not None
        nodes = self.store.list(self.nodes)
        if pinned:
            nodes = [n for n in nodes if n["metadata"]["name"] == pinned]
        node, why = pick_node(pod, nodes, self.store.list(self.pods))
        at = self.stamp()
        if node is None:
            podspec.unschedulable(pod, why, at)
            self.store.write(self.pods, pod)
            self.events.record(pod, "Warning", "FailedScheduling", why, component="default-scheduler")
            return False
        podspec.schedule(pod, node, at)
        self.store.write(self.pods, pod)
        ns, pname, nname = pod["metadata"]["namespace"], pod["metadata"]["name"], node["metadata"]["name"]
        self.events.record(pod, "Normal", "Scheduled", f"Successfully assigned {ns}/{pname} to {nname}",
                           component="default-scheduler")
        return True

    def retry_pending(self) -> None:
        assert self.pods is not None
        for pod in self.store.list(self.pods):
            if not as_map(pod.get("spec")).get("nodeName") and not pod["metadata"].get("deletionTimestamp"):
                self._spawn(pod)

    def _volume_problem(self, pod: dict[str, Any], node_name: str) -> str | None:
        """The FailedAttachVolume message when a Longhorn volume of the pod cannot attach here."""
        if not (self.pvcs and self.pvs and self.lh_volumes):
            return None
        for v in as_map(pod.get("spec")).get("volumes") or []:
            claim = as_map(as_map(v).get("persistentVolumeClaim")).get("claimName")
            pvc = self.store.get(self.pvcs, pod["metadata"]["namespace"], claim) if claim else None
            pv_name = as_map(as_map(pvc).get("spec")).get("volumeName") if pvc else None
            pv = self.store.get(self.pvs, None, pv_name) if pv_name else None
            handle = as_map(as_map(as_map(pv).get("spec")).get("csi")).get("volumeHandle") if pv else None
            vol = self.store.get(self.lh_volumes, "longhorn-system", handle) if handle else None
            if vol is None:
                continue
            status = as_map(vol.get("status"))
            if status.get("robustness") == "faulted":
                return (f'AttachVolume.Attach failed for volume "{pv_name}" : rpc error: code = Aborted '
                        f"desc = volume {handle} is not ready for workloads")
            current = status.get("currentNodeID")
            other = self._node(str(current)) if current and current != node_name else None
            if other is not None and not node_ready(other):
                return (f'Multi-Attach error for volume "{pv_name}" Volume is already exclusively attached '
                        f"to one node and can't be attached to another")
            self._move_attachment(str(handle), node_name)
        return None

    def _move_attachment(self, volume: str, node_name: str) -> None:
        """The CSI attacher's ticket follows the pod: the Longhorn controller moves the volume."""
        if self.lh_attachments is None:
            return
        va = self.store.get(self.lh_attachments, "longhorn-system", volume)
        if va is None:
            return
        tickets = as_map(as_map(va.get("spec")).get("attachmentTickets"))
        changed = False
        for ticket in tickets.values():
            if isinstance(ticket, dict) and ticket.get("type") == "csi-attacher" and ticket.get("nodeID") != node_name:
                ticket["nodeID"] = node_name
                changed = True
        if changed:
            self.store.write(self.lh_attachments, va)

    async def _start(self, pod: dict[str, Any], node: dict[str, Any]) -> bool:
        assert self.pods is not None
        ns, name, uid = pod["metadata"]["namespace"], pod["metadata"]["name"], str(pod["metadata"]["uid"])
        host = node["metadata"]["name"]
        problem = self._volume_problem(pod, host)
        if problem:
            self.events.record(pod, "Warning", "FailedAttachVolume", problem, component="attachdetach-controller")
            return False
        await self._sleep(uid, START_SECONDS)
        now = self._current(ns, name, uid)
        if now is None or now["metadata"].get("deletionTimestamp"):
            return True
        pod = now
        for c in podspec.containers(pod, True) + podspec.containers(pod):
            self._container_events(pod, c, host)
        ip = allocate_ip(node, [p for p in self.store.list(self.pods) if p["metadata"].get("uid") != uid])
        probed = {c.get("name", ""): not c.get("readinessProbe") for c in podspec.containers(pod)}
        podspec.run(pod, self.stamp(), ip, probed)
        self.store.write(self.pods, pod)
        return True

    def _container_events(self, pod: dict[str, Any], c: dict[str, Any], host: str, pull: bool = True) -> None:
        cname, image = c.get("name", ""), c.get("image", "")
        path = f"spec.containers{{{cname}}}"
        if pull:
            self.events.record(pod, "Normal", "Pulling", f'Pulling image "{image}"', component="kubelet",
                               host=host, field_path=path)
            self.events.record(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in 812ms '
                               "(812ms including waiting)", component="kubelet", host=host, field_path=path)
        else:
            self.events.record(pod, "Normal", "Pulled", f'Container image "{image}" already present on machine',
                               component="kubelet", host=host, field_path=path)
        self.events.record(pod, "Normal", "Created", f"Created container {cname}", component="kubelet",
                           host=host, field_path=path)
        self.events.record(pod, "Normal", "Started", f"Started container {cname}", component="kubelet",
                           host=host, field_path=path)

    def _configmaps(self, namespace: str) -> dict[str, dict[str, Any]]:
        if self.configmaps is None:
            return {}
        return {c["metadata"]["name"]: c for c in self.store.list(self.configmaps, namespace)}

    def _next_wait(self, pod: dict[str, Any]) -> float:
        for cs in as_map(pod.get("status")).get("containerStatuses") or []:
            if as_map(as_map(cs.get("state")).get("waiting")).get("reason") == "CrashLoopBackOff":
                restarts = int(cs.get("restartCount") or 0)
                return min(BACKOFF_MAX, BACKOFF_START * 2 ** max(0, restarts - 1))
        return PROBE_SECONDS

    async def _probe(self, pod: dict[str, Any], node: dict[str, Any]) -> None:
        """One round of the kubelet's work on a running pod: crashes, restarts, readiness."""
        assert self.pods is not None
        ns, host, uid = pod["metadata"]["namespace"], node["metadata"]["name"], str(pod["metadata"]["uid"])
        configmaps = self._configmaps(ns)
        at = self.stamp()
        changed = False
        for c in podspec.containers(pod):
            cname = c.get("name", "")
            cs = next((s for s in pod["status"].get("containerStatuses") or [] if s.get("name") == cname), None)
            if cs is None:
                continue
            state = as_map(cs.get("state"))
            bad = crashing_option(pod, c, configmaps)
            if "waiting" in state and as_map(state["waiting"]).get("reason") == "CrashLoopBackOff":
                cs.update(state={"running": {"startedAt": at}}, started=True)  # the back-off is over: restart
                self._container_events(pod, c, host, pull=False)
                changed = True
                state = as_map(cs.get("state"))
            if bad and "running" in state:
                started = str(as_map(state["running"]).get("startedAt") or at)
                restarts = int(cs.get("restartCount") or 0) + 1
                wait = min(BACKOFF_MAX, BACKOFF_START * 2 ** max(0, restarts - 1))
                podspec.crash(pod, cname, restarts=restarts, started=started, finished=at,
                              back_off=_duration(wait))
                meta = pod["metadata"]
                self.events.record(pod, "Warning", "BackOff", f"Back-off restarting failed container {cname} in "
                                   f"pod {meta['name']}_{ns}({meta['uid']})", component="kubelet", host=host,
                                   field_path=f"spec.containers{{{cname}}}")
                changed = True
                continue
            if "running" in state and c.get("readinessProbe"):
                ok = self._dependency_ready(pod)
                if podspec.set_ready(pod, cname, ok, at):
                    changed = True
                if not ok:
                    self.events.record(pod, "Warning", "Unhealthy", UNHEALTHY_NOTE, component="kubelet",
                                       host=host, field_path=f"spec.containers{{{cname}}}")
        if changed and self._current(ns, pod["metadata"]["name"], uid) is not None:
            self.store.write(self.pods, pod)

    def _dependency_ready(self, pod: dict[str, Any]) -> bool:
        needs = readiness_needs(pod)
        if needs is None:
            return True
        return self.slices.has_ready_endpoint(*needs)

    def _probe_dependents(self, namespace: str) -> None:
        """A pod's readiness changed: pods whose readiness needs its Service probe again now."""
        assert self.pods is not None
        for pod in self.store.list(self.pods, namespace):
            if readiness_needs(pod) is not None:
                self._wake_pod(pod)

    def _wake_mounting(self, namespace: str, configmap: str) -> None:
        """A changed ConfigMap: the kubelets of pods mounting it look again (a crash may be fixed)."""
        assert self.pods is not None
        for pod in self.store.list(self.pods, namespace):
            volumes = as_map(pod.get("spec")).get("volumes") or []
            if any(as_map(as_map(v).get("configMap")).get("name") == configmap for v in volumes):
                self._wake_pod(pod)

    async def _kill(self, pod: dict[str, Any]) -> None:
        assert self.pods is not None
        host = str(pod["spec"].get("nodeName"))
        for c in podspec.containers(pod):
            self.events.record(pod, "Normal", "Killing", f"Stopping container {c.get('name', '')}",
                               component="kubelet", host=host, field_path=f"spec.containers{{{c.get('name', '')}}}")
        await asyncio.sleep(KILL_SECONDS / self.scale)
        current = self._current(pod["metadata"]["namespace"], pod["metadata"]["name"], str(pod["metadata"]["uid"]))
        if current is not None:
            self.store.delete(self.pods, current["metadata"]["namespace"], current["metadata"]["name"])

    # ---- node lifecycle ----------------------------------------------------------------
    def _node_changed(self, name: str) -> None:
        node = self._node(name)
        if self.daemonsets is not None:
            for ds in self.store.list(self.daemonsets):
                self._mark("owner", self.daemonsets.key, ds["metadata"].get("namespace", ""), ds["metadata"]["name"])
        if node is None:
            return
        self.retry_pending()
        if node_ready(node):
            if name in self._not_ready_nodes:
                self._not_ready_nodes.discard(name)
                self._node_back(node)
            return
        if name in self._not_ready_nodes:
            return
        self._not_ready_nodes.add(name)
        self._taint(node)
        assert self.pods is not None
        at = self.stamp()
        for pod in self.store.list(self.pods, matches=lambda p: as_map(p.get("spec")).get("nodeName") == name):
            pod = clone(pod)
            podspec.node_lost(pod, at)
            self.store.write(self.pods, pod)
        self.events.record(node, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady",
                           component="node-controller")
        task = asyncio.get_running_loop().create_task(self._evict_after_grace(name))
        self._node_tasks[name] = task

    def _taint(self, node: dict[str, Any]) -> None:
        assert self.nodes is not None
        ready = next((c for c in as_map(node.get("status")).get("conditions") or []
                      if isinstance(c, dict) and c.get("type") == "Ready"), {})
        key = "node.kubernetes.io/not-ready" if ready.get("status") == "False" else "node.kubernetes.io/unreachable"
        taints = [t for t in as_map(node.get("spec")).get("taints") or [] if isinstance(t, dict)]
        have = {(t.get("key"), t.get("effect")) for t in taints}
        for effect in ("NoSchedule", "NoExecute"):
            if (key, effect) not in have:
                taints.append({"key": key, "effect": effect, "timeAdded": self.stamp()})
        node.setdefault("spec", {})["taints"] = taints
        self.store.write(self.nodes, node)

    async def _evict_after_grace(self, node_name: str) -> None:
        """Taint-based eviction: pods without a toleration for ever go after tolerationSeconds."""
        assert self.pods is not None
        waited = 0.0
        while node_name in self._not_ready_nodes:
            pods = self.store.list(self.pods, matches=lambda p: as_map(p.get("spec")).get("nodeName") == node_name)
            pending: list[tuple[float, dict[str, Any]]] = []
            for p in pods:
                seconds = self._toleration_seconds(p)
                if seconds is not None and not p["metadata"].get("deletionTimestamp"):
                    pending.append((seconds, p))
            due = [p for s, p in pending if s <= waited]
            for pod in due:
                pod = clone(pod)
                podspec.mark_node_lost_deleted(pod, self.stamp())
                self.store.write(self.pods, pod)
                self.events.record(pod, "Normal", "TaintManagerEviction",
                                   f"Marking for deletion Pod {pod['metadata']['namespace']}/{pod['metadata']['name']}",
                                   component="taint-eviction-controller")
            later = sorted(s for s, _ in pending if s > waited)
            if not later:
                return
            step = later[0] - waited
            await asyncio.sleep(step / self.scale)
            waited += step

    @staticmethod
    def _toleration_seconds(pod: dict[str, Any]) -> float | None:
        """Seconds a pod stays on an unreachable node; None = for ever (DaemonSet pods)."""
        for t in as_map(pod.get("spec")).get("tolerations") or []:
            if isinstance(t, dict) and t.get("effect") in ("NoExecute", None, "") and \
                    t.get("key") in ("node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready", None, ""):
                seconds = t.get("tolerationSeconds")
                return None if seconds is None else float(seconds)
        return 0.0

    def _node_back(self, node: dict[str, Any]) -> None:
        """The kubelet reports again: taints lifted, terminating pods confirmed gone, others probed."""
        assert self.nodes is not None and self.pods is not None
        name = node["metadata"]["name"]
        task = self._node_tasks.pop(name, None)
        if task is not None:
            task.cancel()
        taints = [t for t in as_map(node.get("spec")).get("taints") or [] if isinstance(t, dict)
                  and t.get("key") not in ("node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready")]
        node["spec"]["taints"] = taints
        if not taints:
            node["spec"].pop("taints")
        self.store.write(self.nodes, node)
        for pod in self.store.list(self.pods, matches=lambda p: as_map(p.get("spec")).get("nodeName") == name):
            if pod["metadata"].get("deletionTimestamp"):
                self.store.delete(self.pods, pod["metadata"]["namespace"], pod["metadata"]["name"])
            else:
                pod = clone(pod)
                for cs in pod.get("status", {}).get("containerStatuses") or []:
                    if "running" in as_map(cs.get("state")):
                        cs["ready"] = True
                podspec.refresh_conditions(pod, self.stamp())
                self.store.write(self.pods, pod)
                self._wake_pod(pod)


def _duration(seconds: float) -> str:
    """Go's time.Duration String for whole seconds: 10s, 2m40s, 5m0s."""
    s = int(seconds)
    return f"{s // 60}m{s % 60}s" if s >= 60 else f"{s}s"
