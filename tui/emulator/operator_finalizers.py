"""Finalizers of the operators the emulator stands in for: once one of their objects is being
deleted, the operator's cleanup is done and its finalizer lifted, as Longhorn's manager does
for `longhorn.io`. Only with the simulated controllers running: a still world keeps them held.
Any other finalizer (a test's, a kopf handler's) waits for its owner to remove it.
"""
from __future__ import annotations

from tui.emulator import finalizers
from tui.emulator.store import ObjectStore, WatchEvent

OPERATED = {"longhorn.io": "longhorn.io"}  # finalizer -> the API group whose operator owns it


class OperatorFinalizers:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def on_event(self, ev: WatchEvent) -> None:
        if ev.type == "DELETED" or not finalizers.deleting(ev.obj):
            return
        for name in finalizers.finalizers(ev.obj):
            if OPERATED.get(name) == ev.resource.group:
                meta = ev.obj.get("metadata") or {}
                current = self.store.get(ev.resource, meta.get("namespace"), str(meta.get("name")))
                if current is not None:
                    self.store.write(ev.resource, finalizers.without(current, name))
                return
