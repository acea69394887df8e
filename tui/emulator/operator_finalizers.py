"""Finalizers the cluster's own controllers lift, so deletions finish as on a real cluster:

- `kubernetes.io/pvc-protection` (kube-controller-manager): once no pod uses the claim;
- `kubernetes.io/pv-protection`: once no existing claim is bound to the volume;
- with the simulated controllers only (a still world keeps them held): `longhorn.io` (the
  Longhorn manager) and the CSI provisioner's `external-provisioner.volume.kubernetes.io/finalizer`.

Any other finalizer (a test's, a kopf handler's) waits for whoever set it.
"""
from __future__ import annotations

from typing import Any

from tui.emulator import finalizers
from tui.emulator.resources import Resource
from tui.emulator.store import ObjectStore, WatchEvent, as_map

PVC_PROTECTION, PV_PROTECTION = "kubernetes.io/pvc-protection", "kubernetes.io/pv-protection"
OPERATED = {"longhorn.io": "longhorn.io", "external-provisioner.volume.kubernetes.io/finalizer": ""}


def _claims(pod: dict[str, Any]) -> set[str]:
    volumes = as_map(pod.get("spec")).get("volumes") or []
    return {str(as_map(v.get("persistentVolumeClaim")).get("claimName")) for v in volumes
            if isinstance(v, dict) and v.get("persistentVolumeClaim")}


class OperatorFinalizers:
    def __init__(self, store: ObjectStore, operators: bool) -> None:
        self.store, self.operators = store, operators
        self.pods = store.table.for_path("", "v1", "pods")
        self.pvcs = store.table.for_path("", "v1", "persistentvolumeclaims")
        self.pvs = store.table.for_path("", "v1", "persistentvolumes")

    def on_event(self, ev: WatchEvent) -> None:
        meta = ev.obj.get("metadata") or {}
        if ev.type == "DELETED":
            if ev.resource is self.pods and self.pvcs is not None:  # a claim it held may be free now
                for claim in _claims(ev.obj):
                    self._check(self.pvcs, str(meta.get("namespace")), claim)
            elif ev.resource is self.pvcs and self.pvs is not None:
                volume = str(as_map(ev.obj.get("spec")).get("volumeName") or "")
                if volume:
                    self._check(self.pvs, None, volume)
            return
        if finalizers.deleting(ev.obj):
            self._check(ev.resource, meta.get("namespace"), str(meta.get("name")))

    def _check(self, res: Resource, namespace: str | None, name: str) -> None:
        current = self.store.get(res, namespace, name)
        if current is None or not finalizers.deleting(current):
            return
        for held in finalizers.finalizers(current):
            if self._done(res, current, held):
                self.store.write(res, finalizers.without(current, held))
                return  # that write's event brings the next finalizer here

    def _done(self, res: Resource, obj: dict[str, Any], held: str) -> bool:
        meta = obj["metadata"]
        if held == PVC_PROTECTION and res is self.pvcs and self.pods is not None:
            return not any(meta["name"] in _claims(p) for p in self.store.list(self.pods, meta.get("namespace")))
        if held == PV_PROTECTION and res is self.pvs and self.pvcs is not None:
            ref = as_map(as_map(obj.get("spec")).get("claimRef"))
            return not ref.get("name") or self.store.get(self.pvcs, ref.get("namespace"), str(ref["name"])) is None
        group = OPERATED.get(held)
        return self.operators and group is not None and group in ("", res.group)
