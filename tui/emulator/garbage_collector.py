"""The garbage collector: dependents follow their owners by `metadata.ownerReferences` (uid).

- Background (the default): once the owner is gone, a dependent with no other living owner is
  deleted (Background too, so a Deployment's ReplicaSets go and then their Pods); one that has
  another owner only loses the reference.
- Foreground: the owner carries `foregroundDeletion`; its dependents are deleted (Foreground),
  and the finalizer is lifted once none is left, which removes the owner.
- Orphan: the owner carries `orphan`; every dependent loses its reference, then the finalizer
  is lifted.

A store listener, like the real collector's informers. Work triggered while it works (its own
writes emit events) is queued and done in order, so events reach watchers in a real order.
References to an owner that never existed are left alone (the real collector would delete
such dependents; a hand-written seed should not lose objects for a typo).
"""
from __future__ import annotations

import logging
from collections import Counter, deque
from typing import Any

from tui.emulator import finalizers
from tui.emulator.deletion import BACKGROUND, FOREGROUND, DeleteOptions, Deletions
from tui.emulator.resources import Resource
from tui.emulator.store import ApiError, ObjectStore, WatchEvent

log = logging.getLogger(__name__)
Ref = tuple[Resource, str, str]  # (resource, namespace, name)


def _ident(res: Resource, obj: dict[str, Any]) -> tuple[str, Ref]:
    meta = obj.get("metadata") or {}
    return str(meta.get("uid") or ""), (res, str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def owner_uids(obj: dict[str, Any]) -> set[str]:
    refs = (obj.get("metadata") or {}).get("ownerReferences")
    return {str(r["uid"]) for r in refs or [] if isinstance(r, dict) and r.get("uid")} if isinstance(refs, list) else set()


class OwnerIndex:
    """uid -> object, owner uid -> dependents, namespace -> how many objects live in it."""

    def __init__(self) -> None:
        self.by_uid: dict[str, Ref] = {}
        self.dependents: dict[str, set[Ref]] = {}
        self.in_namespace: Counter[str] = Counter()

    def add(self, res: Resource, obj: dict[str, Any]) -> None:
        uid, ref = _ident(res, obj)
        if uid:
            self.by_uid[uid] = ref
        for owner in owner_uids(obj):
            self.dependents.setdefault(owner, set()).add(ref)
        if res.namespaced:
            self.in_namespace[ref[1]] += 1

    def remove(self, res: Resource, obj: dict[str, Any]) -> None:
        uid, ref = _ident(res, obj)
        if self.by_uid.get(uid) == ref:
            del self.by_uid[uid]
        for owner in owner_uids(obj):
            deps = self.dependents.get(owner)
            if deps is not None:
                deps.discard(ref)
                if not deps:
                    del self.dependents[owner]
        if res.namespaced:
            self.in_namespace[ref[1]] -= 1
            if self.in_namespace[ref[1]] <= 0:
                del self.in_namespace[ref[1]]

    def update(self, ev: WatchEvent) -> None:
        if ev.old is not None:
            self.remove(ev.resource, ev.old)
        if ev.type != "DELETED":
            self.add(ev.resource, ev.obj)


class GarbageCollector:
    def __init__(self, store: ObjectStore, deletions: Deletions) -> None:
        self.store, self.deletions = store, deletions
        self.index = OwnerIndex()
        self._queue: deque[WatchEvent] = deque()
        self._busy = False
        self.handlers: list = []  # more work per event, in order (the namespace controller)

    def start(self) -> None:
        for res in self.store.table.all():
            for obj in self.store.bucket(res).values():
                self.index.add(res, obj)
        self.deletions.has_dependents = lambda uid: bool(self.index.dependents.get(uid))
        self.store.listeners.append(self._on_event)

    def stop(self) -> None:
        if self._on_event in self.store.listeners:
            self.store.listeners.remove(self._on_event)

    def _on_event(self, ev: WatchEvent) -> None:
        self.index.update(ev)
        self._queue.append(ev)
        if self._busy:
            return
        self._busy = True
        try:
            while self._queue:
                item = self._queue.popleft()
                for handle in (self._collect, *self.handlers):
                    try:
                        handle(item)
                    except ApiError as err:  # raced by a client (gone, changed): the next event retries
                        log.debug("garbage collector: %s", err.message)
                    except Exception:
                        log.exception("emulator garbage collector failed on %s", item.type)
        finally:
            self._busy = False

    def _collect(self, ev: WatchEvent) -> None:
        uid, _ = _ident(ev.resource, ev.obj)
        if ev.type == "DELETED":
            for dep in list(self.index.dependents.get(uid, ())):
                self._owner_gone(dep, uid)
            for owner in owner_uids(ev.obj):  # maybe the last dependent a foreground owner waited for
                self._lift_foreground(owner)
            return
        if not finalizers.deleting(ev.obj):
            return
        held = finalizers.finalizers(ev.obj)
        if finalizers.ORPHAN in held:
            for dep in list(self.index.dependents.get(uid, ())):
                self._drop_ref(dep, uid)
            self._lift(ev.resource, ev.obj, finalizers.ORPHAN)
        if finalizers.FOREGROUND in held:
            for res, ns, name in list(self.index.dependents.get(uid, ())):
                current = self.store.get(res, ns or None, name)
                if current is not None and not finalizers.deleting(current):
                    self.deletions.delete(res, ns or None, name, DeleteOptions(policy=FOREGROUND))
            self._lift_foreground(uid)

    def _owner_gone(self, dep: Ref, gone_uid: str) -> None:
        res, ns, name = dep
        current = self.store.get(res, ns or None, name)
        if current is None:
            return
        living = [u for u in owner_uids(current) if u != gone_uid and u in self.index.by_uid]
        if living:
            self._drop_ref(dep, gone_uid)
        elif not finalizers.deleting(current):
            self.deletions.delete(res, ns or None, name, DeleteOptions(policy=BACKGROUND))

    def _drop_ref(self, dep: Ref, owner_uid: str) -> None:
        res, ns, name = dep
        current = self.store.get(res, ns or None, name)
        if current is None:
            return
        meta = current["metadata"]
        meta["ownerReferences"] = [r for r in meta.get("ownerReferences") or []
                                   if not (isinstance(r, dict) and str(r.get("uid")) == owner_uid)]
        if not meta["ownerReferences"]:
            del meta["ownerReferences"]
        self.store.write(res, current)

    def _lift_foreground(self, owner_uid: str) -> None:
        where = self.index.by_uid.get(owner_uid)
        if where is None or self.index.dependents.get(owner_uid):
            return
        res, ns, name = where
        owner = self.store.get(res, ns or None, name)
        if owner is not None and finalizers.FOREGROUND in finalizers.finalizers(owner):
            self._lift(res, owner, finalizers.FOREGROUND)

    def _lift(self, res: Resource, obj: dict[str, Any], finalizer: str) -> None:
        meta = obj.get("metadata") or {}
        current = self.store.get(res, meta.get("namespace"), str(meta.get("name")))
        if current is not None:
            self.store.write(res, finalizers.without(current, finalizer))
