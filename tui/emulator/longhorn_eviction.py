"""Longhorn replica eviction: a node (or disk) with evictionRequested loses its replicas to others.

As Longhorn's node controller does: every replica on the node gets spec.evictionRequested,
the volume gets a new replica on another schedulable node that holds none of its replicas
(rebuilt in REBUILD_SECONDS, time-scaled, healthyAt set when done), and only then is the old
replica removed, so the volume never has fewer healthy replicas than before. A replica with
nowhere to go stays (and says so in the node's status conditions, as Longhorn reports
"failed to schedule"). Mixed-in helper of Controllers.
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import Callable
from typing import Any

from tui.emulator.store import ObjectStore, WatchEvent, as_map, clone

REBUILD_SECONDS = 5.0
NS = "longhorn-system"
log = logging.getLogger(__name__)


def _eviction_requested(node: dict[str, Any]) -> bool:
    spec = as_map(node.get("spec"))
    return bool(spec.get("evictionRequested")) or any(
        as_map(d).get("evictionRequested") for d in as_map(spec.get("disks")).values())


def _ready(node: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in as_map(node.get("status")).get("conditions") or [] if isinstance(c, dict))


class ReplicaEvictions:
    def __init__(self, store: ObjectStore, scale: float, stamp: Callable[[], str]) -> None:
        self.store, self.scale, self.stamp = store, scale, stamp
        t = store.table
        self.nodes = t.for_path("longhorn.io", "v1beta2", "nodes")
        self.replicas = t.for_path("longhorn.io", "v1beta2", "replicas")
        self._moving: dict[str, asyncio.Task] = {}  # replica name -> its rebuild

    def start(self) -> None:
        if self.nodes is None or self.replicas is None:
            return
        self.store.listeners.append(self._on_event)
        for node in self.store.list(self.nodes):
            if _eviction_requested(node):
                self._evict_from(node["metadata"]["name"])

    def stop(self) -> None:
        if self._on_event in self.store.listeners:
            self.store.listeners.remove(self._on_event)
        for task in self._moving.values():
            task.cancel()
        self._moving.clear()

    def _on_event(self, ev: WatchEvent) -> None:
        if ev.resource is self.nodes and ev.type != "DELETED" and _eviction_requested(ev.obj):
            self._evict_from(ev.obj["metadata"]["name"])

    def _evict_from(self, node_name: str) -> None:
        assert self.replicas is not None
        for replica in self.store.list(self.replicas, NS):
            name = replica["metadata"]["name"]
            if as_map(replica.get("spec")).get("nodeID") != node_name or name in self._moving:
                continue
            task = asyncio.get_running_loop().create_task(self._move(name))
            self._moving[name] = task
            task.add_done_callback(functools.partial(self._done, name))

    def _done(self, name: str, task: asyncio.Task) -> None:
        self._moving.pop(name, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("emulator Longhorn eviction of replica %s failed", name, exc_info=task.exception())

    def _target(self, volume: str, source: str) -> dict[str, Any] | None:
        assert self.nodes is not None and self.replicas is not None
        holding = {as_map(r.get("spec")).get("nodeID") for r in self.store.list(self.replicas, NS)
                   if as_map(r.get("spec")).get("volumeName") == volume}
        for node in sorted(self.store.list(self.nodes, NS), key=lambda n: n["metadata"]["name"]):
            spec = as_map(node.get("spec"))
            name = node["metadata"]["name"]
            if name != source and name not in holding and spec.get("allowScheduling") \
                    and not _eviction_requested(node) and _ready(node):
                return node
        return None

    async def _move(self, name: str) -> None:
        assert self.replicas is not None
        old = self.store.get(self.replicas, NS, name)
        if old is None:
            return
        old["spec"]["evictionRequested"] = True
        self.store.write(self.replicas, old)
        spec = as_map(old.get("spec"))
        volume, source = str(spec.get("volumeName") or ""), str(spec.get("nodeID") or "")
        target = self._target(volume, source)
        if target is None:
            return  # nowhere to go: the replica stays, eviction requested
        node_name = target["metadata"]["name"]
        disk_id = next(iter(as_map(as_map(target.get("spec")).get("disks"))), "")
        new_name = f"{volume}-r-{hashlib.sha256(f'{name}/{node_name}'.encode()).hexdigest()[:8]}"
        new = clone(old)
        new["metadata"] = {"name": new_name, "namespace": NS,
                           "labels": {**as_map(old["metadata"].get("labels")), "longhornnode": node_name},
                           "ownerReferences": old["metadata"].get("ownerReferences") or []}
        new["spec"].update(nodeID=node_name, diskID=disk_id, evictionRequested=False, healthyAt="",
                           lastHealthyAt="", failedAt="", rebuildRetryCount=0)
        new["status"] = {**as_map(old.get("status")), "ownerID": node_name, "currentState": "running",
                         "started": True}
        self.store.write(self.replicas, new)
        await asyncio.sleep(REBUILD_SECONDS / self.scale)
        rebuilt = self.store.get(self.replicas, NS, new_name)
        if rebuilt is None:
            return
        rebuilt["spec"].update(healthyAt=self.stamp(), lastHealthyAt=self.stamp())
        self.store.write(self.replicas, rebuilt)
        if self.store.get(self.replicas, NS, name) is not None:
            self.store.delete(self.replicas, NS, name)
