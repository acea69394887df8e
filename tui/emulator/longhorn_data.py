"""Longhorn's snapshot, backup and rebuild controllers, small: what the console's data-safety
views and actions need to see happen.

- A Snapshot CR not yet ready is taken after SNAPSHOT_SECONDS: creationTime, size, readyToUse.
- A Backup CR goes Pending -> InProgress (progress in BACKUP_STEPS steps over BACKUP_SECONDS)
  -> Completed, and its volume's status.lastBackup/lastBackupAt and BackupVolume follow; it ends
  in Error when its snapshot does not exist or the BackupTarget is unavailable, as Longhorn's
  backup controller does.
- An engine's rebuildStatus entry that isRebuilding gains REBUILD_STEP percent every
  REBUILD_TICK seconds; at 100 the replica turns RW, healthyAt is set, the entry is removed and
  a volume with every replica RW is healthy again.

Every delay is divided by time_scale; every step is an ordinary store write. Mixed-in helper of
Controllers, like longhorn_eviction.
"""
from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from tui.emulator.store import ObjectStore, WatchEvent, as_map

SNAPSHOT_SECONDS = 1.0
BACKUP_SECONDS = 4.0
BACKUP_STEPS = 4
REBUILD_TICK = 3.0
REBUILD_STEP = 1
FINAL_BACKUP = frozenset({"Completed", "Error", "Unknown", "Deleting"})
log = logging.getLogger(__name__)


class LonghornData:
    def __init__(self, store: ObjectStore, scale: float, stamp: Callable[[], str]) -> None:
        self.store, self.scale, self.stamp = store, scale, stamp
        t = store.table
        self.snapshots = t.for_path("longhorn.io", "v1beta2", "snapshots")
        self.backups = t.for_path("longhorn.io", "v1beta2", "backups")
        self.backup_volumes = t.for_path("longhorn.io", "v1beta2", "backupvolumes")
        self.targets = t.for_path("longhorn.io", "v1beta2", "backuptargets")
        self.volumes = t.for_path("longhorn.io", "v1beta2", "volumes")
        self.engines = t.for_path("longhorn.io", "v1beta2", "engines")
        self.replicas = t.for_path("longhorn.io", "v1beta2", "replicas")
        self._tasks: dict[tuple[str, str, str], asyncio.Task[None]] = {}

    def start(self) -> None:
        self.store.listeners.append(self._on_event)
        for res in (self.snapshots, self.backups, self.engines):
            for obj in self.store.list(res) if res is not None else []:
                self._consider(res, obj)

    def stop(self) -> None:
        if self._on_event in self.store.listeners:
            self.store.listeners.remove(self._on_event)
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()

    def _on_event(self, ev: WatchEvent) -> None:
        if ev.type != "DELETED" and ev.resource in (self.snapshots, self.backups, self.engines):
            self._consider(ev.resource, ev.obj)

    def _consider(self, res: Any, obj: dict[str, Any]) -> None:
        status = as_map(obj.get("status"))
        work: Callable[[str, str], Coroutine[Any, Any, None]] | None = None
        if res is self.snapshots and status.get("readyToUse") is not True and not status.get("error"):
            work = self._take_snapshot
        elif res is self.backups and status.get("state") not in FINAL_BACKUP:
            work = self._run_backup
        elif res is self.engines and any(as_map(r).get("isRebuilding")
                                         for r in as_map(status.get("rebuildStatus")).values()):
            work = self._rebuild
        if work is None:
            return
        meta = obj["metadata"]
        key = (res.key, meta.get("namespace", ""), meta["name"])
        if key in self._tasks:
            return
        task = asyncio.get_running_loop().create_task(work(key[1], key[2]))
        self._tasks[key] = task
        task.add_done_callback(functools.partial(self._done, key))

    def _done(self, key: tuple[str, str, str], task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled() and task.exception() is not None:
            log.error("emulator Longhorn controller for %s/%s/%s failed", *key, exc_info=task.exception())

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.scale)

    # ---- snapshots ----------------------------------------------------------------------
    async def _take_snapshot(self, namespace: str, name: str) -> None:
        assert self.snapshots is not None
        await self._sleep(SNAPSHOT_SECONDS)
        snap = self.store.get(self.snapshots, namespace, name)
        if snap is None:
            return
        volume_name = str(as_map(snap.get("spec")).get("volume") or "")
        volume = self.store.get(self.volumes, namespace, volume_name) if self.volumes else None
        status = as_map(snap.get("status"))
        if volume is None:
            status.update(error=f"volume {volume_name} not found", readyToUse=False)
        else:
            actual = int(as_map(volume.get("status")).get("actualSize") or 0)
            status.update(creationTime=self.stamp(), readyToUse=True, userCreated=True, markRemoved=False,
                          size=max(actual // 50, 2 * 1024 * 1024), restoreSize=int(as_map(volume.get("spec")).get("size") or 0),
                          ownerID=str(as_map(volume.get("status")).get("currentNodeID") or ""))
        snap["status"] = status
        snap.setdefault("metadata", {}).setdefault("labels", {})["longhornvolume"] = volume_name
        self.store.write(self.snapshots, snap)

    # ---- backups ------------------------------------------------------------------------
    def _target_problem(self, namespace: str, backup: dict[str, Any]) -> str | None:
        if self.targets is None:
            return None
        name = as_map(backup.get("status")).get("backupTargetName") or "default"
        target = self.store.get(self.targets, namespace, str(name))
        if target is None:
            return f"backup target {name} not found"
        if as_map(target.get("status")).get("available") is False:
            return f"backup target {name} is unavailable"
        return None

    async def _run_backup(self, namespace: str, name: str) -> None:
        assert self.backups is not None and self.snapshots is not None
        backup = self.store.get(self.backups, namespace, name)
        if backup is None:
            return
        snap_name = str(as_map(backup.get("spec")).get("snapshotName") or "")
        snap = self.store.get(self.snapshots, namespace, snap_name)
        volume_name = str(as_map(snap.get("spec")).get("volume") or "") if snap else ""
        labels = backup["metadata"].setdefault("labels", {})
        if volume_name:
            labels.setdefault("backup-volume", volume_name)
        problem = None if snap and as_map(snap.get("status")).get("readyToUse") else \
            f"snapshot {snap_name} is not ready or does not exist"
        problem = problem or self._target_problem(namespace, backup)
        status = as_map(backup.get("status"))
        status.update(state="Pending", progress=0, snapshotName=snap_name, volumeName=volume_name,
                      backupTargetName=status.get("backupTargetName") or "default",
                      snapshotCreatedAt=as_map(snap.get("status")).get("creationTime", "") if snap else "")
        if problem:
            status.update(state="Error", error=problem)
            backup["status"] = status
            self.store.write(self.backups, backup)
            return
        backup["status"] = status
        self.store.write(self.backups, backup)
        for step in range(1, BACKUP_STEPS + 1):
            await self._sleep(BACKUP_SECONDS / BACKUP_STEPS)
            current = self.store.get(self.backups, namespace, name)
            if current is None:
                return
            status = as_map(current.get("status"))
            status.update(state="InProgress", progress=step * 100 // (BACKUP_STEPS + 1))
            if step == BACKUP_STEPS:
                status.update(state="Completed", progress=100, backupCreatedAt=self.stamp(),
                              url=f"s3://emulator/?backup={name}&volume={volume_name}")
            current["status"] = status
            self.store.write(self.backups, current)
        self._record_backup(namespace, volume_name, name)

    def _record_backup(self, namespace: str, volume_name: str, backup: str) -> None:
        """The volume's status.lastBackup and its BackupVolume, as Longhorn's controllers keep them."""
        at = self.stamp()
        volume = self.store.get(self.volumes, namespace, volume_name) if self.volumes else None
        if volume is not None and self.volumes is not None:
            volume.setdefault("status", {}).update(lastBackup=backup, lastBackupAt=at)
            self.store.write(self.volumes, volume)
        if self.backup_volumes is None:
            return
        for bv in self.store.list(self.backup_volumes, namespace):
            if as_map(bv.get("spec")).get("volumeName") == volume_name:
                fresh = self.store.get(self.backup_volumes, namespace, bv["metadata"]["name"])
                if fresh is not None:
                    fresh.setdefault("status", {}).update(lastBackupName=backup, lastBackupAt=at)
                    self.store.write(self.backup_volumes, fresh)

    # ---- rebuilds -----------------------------------------------------------------------
    async def _rebuild(self, namespace: str, name: str) -> None:
        assert self.engines is not None
        while True:
            await self._sleep(REBUILD_TICK)
            engine = self.store.get(self.engines, namespace, name)
            if engine is None:
                return
            status = as_map(engine.get("status"))
            rebuilds = as_map(status.get("rebuildStatus"))
            running = {a: as_map(r) for a, r in rebuilds.items() if as_map(r).get("isRebuilding")}
            if not running:
                return
            finished = []
            for address, entry in running.items():
                entry["progress"] = min(100, int(entry.get("progress") or 0) + REBUILD_STEP)
                if entry["progress"] >= 100:
                    finished.append(address)
                rebuilds[address] = entry
            for address in finished:
                del rebuilds[address]
            status["rebuildStatus"] = rebuilds
            engine["status"] = status
            if finished:
                self._finish_rebuilds(engine, finished)
            self.store.write(self.engines, engine)

    def _finish_rebuilds(self, engine: dict[str, Any], addresses: list[str]) -> None:
        """The rebuilt replicas turn RW (healthyAt set); the volume is healthy once all are RW."""
        spec, status = as_map(engine.get("spec")), as_map(engine.get("status"))
        by_address = {str(v).split("://")[-1]: k for k, v in {
            **as_map(spec.get("replicaAddressMap")), **as_map(status.get("currentReplicaAddressMap"))}.items()}
        modes = as_map(status.get("replicaModeMap"))
        namespace = engine["metadata"].get("namespace", "")
        for address in addresses:
            replica_name = by_address.get(address.split("://")[-1])
            if replica_name is None:
                continue
            modes[replica_name] = "RW"
            replica = self.store.get(self.replicas, namespace, replica_name) if self.replicas else None
            if replica is not None and self.replicas is not None:
                replica.setdefault("spec", {}).update(healthyAt=self.stamp(), lastHealthyAt=self.stamp())
                self.store.write(self.replicas, replica)
        status["replicaModeMap"] = modes
        volume_name = str(spec.get("volumeName") or "")
        volume = self.store.get(self.volumes, namespace, volume_name) if self.volumes else None
        wanted = int(as_map(volume.get("spec")).get("numberOfReplicas") or 0) if volume else 0
        healthy = sum(1 for m in modes.values() if m == "RW")
        if volume is not None and self.volumes is not None and healthy >= wanted:
            volume.setdefault("status", {})["robustness"] = "healthy"
            self.store.write(self.volumes, volume)
