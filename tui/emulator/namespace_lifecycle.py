"""The namespace controller and admission: a Terminating namespace is emptied, then goes.

DELETE of a Namespace (deletion.py) leaves it `phase: Terminating` with `spec.finalizers:
[kubernetes]`. This controller deletes everything in it (each object its own DELETE, so
finalizers hold and dependents cascade), deletes what controllers still create there, and
once nothing is left lifts the "kubernetes" finalizer, which removes the namespace. New
content is refused as the NamespaceLifecycle admission plugin does (403).
"""
from __future__ import annotations

from typing import Any

from tui.emulator import finalizers
from tui.emulator.deletion import DeleteOptions, Deletions
from tui.emulator.garbage_collector import GarbageCollector
from tui.emulator.resources import Resource
from tui.emulator.store import ApiError, ObjectStore, WatchEvent, as_map


def refuse_create_in_terminating(store: ObjectStore, res: Resource, namespace: str | None) -> None:
    namespaces = store.table.for_path("", "v1", "namespaces")
    if not namespace or not res.namespaced or namespaces is None:
        return
    ns = store.bucket(namespaces).get(("", namespace))
    if ns is not None and finalizers.deleting(ns):
        raise ApiError(403, "Forbidden", f'{res.plural} "" is forbidden: unable to create new content in '
                       f"namespace {namespace} because it is being terminated",
                       {"group": res.group, "kind": res.plural})


class NamespaceController:
    def __init__(self, store: ObjectStore, deletions: Deletions, gc: GarbageCollector) -> None:
        self.store, self.deletions, self.gc = store, deletions, gc
        self.namespaces = store.table.for_path("", "v1", "namespaces")

    def start(self) -> None:
        self.gc.handlers.append(self.on_event)

    def _terminating(self, name: str) -> dict[str, Any] | None:
        ns = self.store.bucket(self.namespaces).get(("", name)) if self.namespaces else None
        return ns if ns is not None and finalizers.deleting(ns) else None

    def on_event(self, ev: WatchEvent) -> None:
        meta = ev.obj.get("metadata") or {}
        if ev.resource is self.namespaces:
            if ev.type != "DELETED" and finalizers.deleting(ev.obj):
                self._purge(str(meta.get("name")))
            return
        if not ev.resource.namespaced or self._terminating(str(meta.get("namespace") or "")) is None:
            return
        if ev.type == "ADDED":  # a controller's late write (an Event, a slice): it goes too
            self._delete(ev.resource, str(meta.get("namespace")), str(meta.get("name")))
        self._finish(str(meta.get("namespace")))

    def _delete(self, res: Resource, namespace: str, name: str) -> None:
        current = self.store.bucket(res).get((namespace, name))
        if current is not None and not finalizers.deleting(current):
            self.deletions.delete(res, namespace, name, DeleteOptions())

    def _purge(self, namespace: str) -> None:
        for res in self.store.table.all():
            if res.namespaced:
                for ns, name in [k for k in self.store.bucket(res) if k[0] == namespace]:
                    self._delete(res, ns, name)
        self._finish(namespace)

    def _finish(self, namespace: str) -> None:
        ns = self._terminating(namespace)
        if ns is None or self.gc.index.in_namespace.get(namespace) or self.namespaces is None:
            return
        spec = as_map(ns.get("spec"))
        held = [f for f in spec.get("finalizers") or [] if f != finalizers.NAMESPACE_FINALIZER]
        if held == (spec.get("finalizers") or []):
            return
        self.store.write(self.namespaces, {**ns, "spec": {**spec, "finalizers": held}})
