"""Small simulated controllers, so actions taken against the emulator have visible effects.

- Argo CD application controller: `operation` → operationState Running → Succeeded (or a
  Terminating one → Failed), history appended, `operation` removed (REFERENCE 4.2, 4.3).
- Longhorn VolumeAttachment controller: tickets attach the volume to the ticket's node
  (attaching → attached), no tickets detach it (REFERENCE 1.4).
- Argo CD refresh: the `argocd.argoproj.io/refresh` annotation is removed, reconciledAt set.
- Deployment and StatefulSet rollouts: rollouts.py (mixed in here).
- Pods, the kubelet, node lifecycle, EndpointSlices, PDB status: pods.py (started here).
- Longhorn replica eviction (evictionRequested on a node or disk): longhorn_eviction.py.
- Longhorn snapshots taken, backups uploaded, replicas rebuilt with progress: longhorn_data.py.

Every step is an ordinary store write, so watchers see each intermediate state. One task
per object; a change to the object wakes its task early. Delays are divided by time_scale.
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from tui.emulator.gitops import desired_of, objects_at
from tui.emulator.longhorn_data import LonghornData
from tui.emulator.longhorn_eviction import ReplicaEvictions
from tui.emulator.patching import merge_patch
from tui.emulator.pods import PodController
from tui.emulator.resources import Resource
from tui.emulator.rollouts import WorkloadRollouts
from tui.emulator.store import ObjectStore, WatchEvent, as_map

APP_RUN_SECONDS = 3.0
TERMINATE_SECONDS = 0.5
ATTACH_SECONDS = 1.5
REFRESH_SECONDS = 0.5
REFRESH = "argocd.argoproj.io/refresh"

# Longhorn attacher priorities (REFERENCE 1.4); unknown types rank lowest.
TICKET_PRIORITY = {"volume-restore-controller": 2000, "volume-expansion-controller": 2000,
                   "longhorn-api": 1000, "csi-attacher": 900, "salvage-controller": 900,
                   "share-manager-controller": 900}

Key = tuple[str, str, str]  # (resource key, namespace, name)
log = logging.getLogger(__name__)


class Controllers(WorkloadRollouts):
    def __init__(self, store: ObjectStore, time_scale: float, now: Callable[[], datetime]) -> None:
        self.store = store
        self.scale = max(time_scale, 1e-6)
        self.now = now
        self._tasks: dict[Key, asyncio.Task] = {}
        self._wake: dict[Key, asyncio.Event] = {}
        self._seen_templates: dict[tuple[str, str, str], str] = {}
        table = store.table
        self.apps, self.volumes = table.by_key("applications"), table.by_key("lh_volumes")
        self.attachments, self.deployments = table.by_key("lh_attachments"), table.by_key("deployments")
        self.replicasets, self.statefulsets = table.by_key("replicasets"), table.by_key("statefulsets")
        self.pods = PodController(store, self.scale, self._stamp)
        self.replica_evictions = ReplicaEvictions(store, self.scale, self._stamp)
        self.longhorn_data = LonghornData(store, self.scale, self._stamp)
        self._handlers: dict[Resource | None, Callable[[str, str], Coroutine[Any, Any, None]]] = {
            self.apps: self._run_app, self.attachments: self._run_attachment,
            self.deployments: self._run_deployment, self.statefulsets: self._run_statefulset,
        }

    def start(self) -> None:
        self.remember_templates()
        self.pods.start()
        self.replica_evictions.start()
        self.longhorn_data.start()
        self.store.listeners.append(self._on_event)
        # An operation already pending in the seed starts right away; the rest waits for writes.
        apps = self.apps
        for app in self.store.list(apps) if apps else []:
            phase = (as_map(app.get("status")).get("operationState") or {}).get("phase")
            if apps and (app.get("operation") or phase == "Terminating"):
                self._schedule(apps, app["metadata"].get("namespace", ""), app["metadata"]["name"])

    def stop(self) -> None:
        self.pods.stop()
        self.replica_evictions.stop()
        self.longhorn_data.stop()
        if self._on_event in self.store.listeners:
            self.store.listeners.remove(self._on_event)
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()

    def _on_event(self, ev: WatchEvent) -> None:
        if ev.type == "DELETED":
            return
        meta = ev.obj["metadata"]
        if ev.resource is self.volumes:  # a volume change may satisfy its attachment's tickets
            if self.attachments is not None:
                self._schedule(self.attachments, meta.get("namespace", ""), meta["name"])
            return
        if ev.resource in self._handlers:
            self._schedule(ev.resource, meta.get("namespace", ""), meta["name"])

    def _schedule(self, res: Resource, namespace: str, name: str) -> None:
        key = (res.key, namespace, name)
        if key in self._tasks:
            self._wake[key].set()
            return
        self._wake[key] = asyncio.Event()
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(self._handlers[res](namespace, name))
        self._tasks[key] = task
        task.add_done_callback(functools.partial(self._forget, key))

    def _forget(self, key: Key, task: asyncio.Task) -> None:
        if self._tasks.get(key) is task:  # a restarted rollout may already own the key
            del self._tasks[key]
            self._wake.pop(key, None)
        if not task.cancelled() and task.exception() is not None:  # a malformed object: say so, keep serving
            log.error("emulator controller for %s/%s/%s failed", *key, exc_info=task.exception())

    async def _pause(self, res: Resource, namespace: str, name: str, seconds: float) -> None:
        """Sleep a scaled delay; returns early when the object changes (someone else wrote it)."""
        wake = self._wake.get((res.key, namespace, name))
        if wake is None:
            await asyncio.sleep(seconds / self.scale)
            return
        wake.clear()
        try:
            await asyncio.wait_for(wake.wait(), seconds / self.scale)
        except TimeoutError:
            pass

    def _stamp(self) -> str:
        return self.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    # ---- Argo CD ------------------------------------------------------------------------
    async def _run_app(self, namespace: str, name: str) -> None:
        res = self.apps
        assert res is not None
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        while True:
            app = self.store.get(res, namespace, name)
            if app is None:
                return
            status = app.setdefault("status", {})
            op, state = app.get("operation"), status.get("operationState") or {}
            phase = state.get("phase")
            if phase == "Terminating":
                await self._pause(res, namespace, name, TERMINATE_SECONDS)
                self._finish_app(namespace, name, "Failed", "Operation terminated")
                return
            if op and phase != "Running":
                status["operationState"] = {"operation": op, "phase": "Running", "startedAt": self._stamp(),
                                            "message": "one or more tasks are running"}
                status.setdefault("health", {})["status"] = "Progressing"
                self.store.write(res, app)
                deadline = loop.time() + APP_RUN_SECONDS / self.scale
                continue
            if op and phase == "Running":
                if deadline is None:
                    deadline = loop.time() + APP_RUN_SECONDS / self.scale
                left = deadline - loop.time()
                if left > 0:
                    await self._pause(res, namespace, name, left * self.scale)
                    continue
                self._finish_app(namespace, name, "Succeeded", "successfully synced (all tasks run)")
                deadline = None
                continue
            if REFRESH in (app["metadata"].get("annotations") or {}):
                await self._pause(res, namespace, name, REFRESH_SECONDS)
                self._finish_refresh(namespace, name)
                continue
            return

    def _finish_refresh(self, namespace: str, name: str) -> None:
        """The controller re-compared the app: drop the request annotation, stamp reconciledAt."""
        assert self.apps is not None
        app = self.store.get(self.apps, namespace, name)
        if app is None or REFRESH not in (app["metadata"].get("annotations") or {}):
            return
        del app["metadata"]["annotations"][REFRESH]
        app.setdefault("status", {})["reconciledAt"] = self._stamp()
        self.store.write(self.apps, app)

    def _apply_desired(self, app: str, status: dict[str, Any]) -> None:
        """A sync applies git's objects (gitops.register_desired) over the live ones: what drifted
        by hand (donate's replicas) is put back, and every resource is Synced again."""
        for entry in status.get("resources") or []:
            group, version = entry.get("group") or "", entry.get("version") or "v1"
            api_version = f"{group}/{version}" if group else version
            ns = entry.get("namespace") or ""
            desired = desired_of(app, api_version, entry.get("kind", ""), ns, entry.get("name", ""))
            if desired is not None:
                res = self.store.table.for_object_or_new(desired)
                live = self.store.get(res, ns or None, entry.get("name", ""))
                self.store.write(res, merge_patch(live, desired) if live is not None else desired)
            entry["status"] = "Synced"

    def _finish_app(self, namespace: str, name: str, phase: str, message: str) -> None:
        assert self.apps is not None
        app = self.store.get(self.apps, namespace, name)
        if app is None:
            return
        status = app.setdefault("status", {})
        state = status.setdefault("operationState", {})
        op = app.pop("operation", None) or state.get("operation") or {}
        state.update(phase=phase, message=message, finishedAt=self._stamp())
        sync = op.get("sync") or {}
        if phase == "Succeeded" and not sync.get("dryRun"):
            source = sync.get("source") or as_map(app.get("spec")).get("source")
            revision = sync.get("revision") or ""
            if len(revision) != 40:  # a branch or tag: the controller resolves it to a commit SHA
                revision = hashlib.sha1(f"{name}:{revision}:{self._stamp()}".encode()).hexdigest()
            rollback = any(i.get("name") == "Rollback" for i in op.get("info") or [])
            status["sync"] = {**(status.get("sync") or {}), "revision": revision,
                              "status": "OutOfSync" if rollback else "Synced"}
            status["health"] = {"status": "Healthy", "lastTransitionTime": self._stamp()}
            state["syncResult"] = {"revision": revision, **({"source": source} if source else {})}
            history = status.setdefault("history", [])
            entry = {"id": max([int(h.get("id", 0)) for h in history] or [-1]) + 1, "revision": revision,
                     "deployStartedAt": state.get("startedAt", self._stamp()), "deployedAt": self._stamp(),
                     "initiatedBy": op.get("initiatedBy") or {}}
            sources = sync.get("sources") or as_map(app.get("spec")).get("sources")
            if sources:  # multi-source: `revisions`/`sources`, no `revision`/`source` (omitempty)
                revisions = sync.get("revisions") or status.get("sync", {}).get("revisions") or []
                entry.pop("revision", None)
                entry.update(revisions=list(revisions), sources=sources)
                status["sync"]["revisions"] = list(revisions)
            elif source:
                entry["source"] = source
            history.append(entry)
            status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != "SyncError"]
            for obj in objects_at(name, revision):  # what that revision holds (gitops.py)
                self.store.write(self.store.table.for_object_or_new(obj), obj)
            if not rollback:
                self._apply_desired(name, status)
        elif phase == "Failed":
            status.setdefault("health", {}).setdefault("status", "Unknown")
            if status["health"]["status"] == "Progressing":
                status["health"]["status"] = "Degraded"
        self.store.write(self.apps, app)

    # ---- Longhorn VolumeAttachment --------------------------------------------------------
    @staticmethod
    def _wanted_node(tickets: dict[str, Any], current: str) -> str:
        nodes = {t.get("nodeID") for t in tickets.values() if isinstance(t, dict)}
        if current and current in nodes:
            return current  # an attached volume is not moved while a ticket wants it here
        ranked = sorted((-TICKET_PRIORITY.get(t.get("type", ""), 800), tid, t.get("nodeID") or "")
                        for tid, t in tickets.items() if isinstance(t, dict))
        return ranked[0][2] if ranked else ""

    async def _run_attachment(self, namespace: str, name: str) -> None:
        va_res, vol_res = self.attachments, self.volumes
        assert va_res is not None and vol_res is not None
        while True:
            va = self.store.get(va_res, namespace, name)
            if va is None:
                return
            vol_name = as_map(va.get("spec")).get("volume") or name
            vol = self.store.get(vol_res, namespace, vol_name)
            if vol is None:
                return
            tickets = as_map(va.get("spec")).get("attachmentTickets") or {}
            vstatus = vol.setdefault("status", {})
            state, current = vstatus.get("state"), vstatus.get("currentNodeID") or ""
            wanted = self._wanted_node(tickets, current if state == "attached" else "")
            if state == "attached" and current and current != wanted:
                self._set_volume(vol, "detaching", current, wanted)
                await self._pause(va_res, namespace, name, ATTACH_SECONDS)
                self._set_volume(self.store.get(vol_res, namespace, vol_name), "detached", "", wanted)
                continue
            if wanted and (state != "attached" or current != wanted):
                self._set_volume(vol, "attaching", "", wanted)
                await self._pause(va_res, namespace, name, ATTACH_SECONDS)
                self._set_volume(self.store.get(vol_res, namespace, vol_name), "attached", wanted, wanted)
                continue
            if not wanted and state in ("attaching", "detaching"):
                self._set_volume(vol, "detached", "", "")
            self._set_ticket_statuses(va, current if state == "attached" else "")
            return

    def _set_volume(self, vol: dict[str, Any] | None, state: str, current: str, desired: str) -> None:
        if vol is None or self.volumes is None:
            return
        vol.setdefault("spec", {})["nodeID"] = desired
        status = vol.setdefault("status", {})
        status.update(state=state, currentNodeID=current)
        if state == "attached" and status.get("robustness") in (None, "", "unknown"):
            status["robustness"] = "healthy"
        if state == "detached":
            status["robustness"] = "unknown"
        self.store.write(self.volumes, vol)

    def _set_ticket_statuses(self, va: dict[str, Any], attached_to: str) -> None:
        assert self.attachments is not None
        tickets = as_map(va.get("spec")).get("attachmentTickets") or {}
        old = as_map(va.get("status")).get("attachmentTicketStatuses") or {}
        statuses = {}
        for tid, t in tickets.items():
            if not isinstance(t, dict):
                continue
            ok = bool(attached_to) and t.get("nodeID") == attached_to
            before = old.get(tid) or {}
            changed = before.get("satisfied") != ok
            message = "" if ok else (f"the volume is currently attached to different node {attached_to}"
                                     if attached_to else "waiting for the volume to attach")
            since = self._stamp() if changed else ((before.get("conditions") or [{}])[0].get("lastTransitionTime") or self._stamp())
            statuses[tid] = {"id": tid, "satisfied": ok, "generation": t.get("generation", 0),
                             "conditions": [{"type": "Satisfied", "status": "True" if ok else "False",
                                             "reason": "", "message": message, "lastProbeTime": "",
                                             "lastTransitionTime": since}]}
        va["status"] = {**as_map(va.get("status")), "attachmentTicketStatuses": statuses}
        self.store.write(self.attachments, va, subresource="status", must_exist=True)
