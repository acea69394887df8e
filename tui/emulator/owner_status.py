"""Workload status counted from pods: ReplicaSet, StatefulSet and Deployment ready/available.

What the real controllers report after each pod change, so a crash-looping or healed pod
shows in `kubectl get deploy,sts` and in the app's Workloads pane. Only the counts (and the
Deployment's Available condition) are written, and only when they differ from what is
there: a seed that already agrees stays untouched, and the rollout controller's own fields
(updatedReplicas, revisions, Progressing) are left to it.
"""
from __future__ import annotations

import math
from typing import Any

from tui.emulator import podspec
from tui.emulator.store import ObjectStore, as_map


def _differs(status: dict[str, Any], counts: dict[str, int]) -> bool:
    return any(int(status.get(k) or 0) != v for k, v in counts.items())


class OwnerStatus:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        t = store.table
        self.replicasets, self.statefulsets = t.for_path("apps", "v1", "replicasets"), t.for_path("apps", "v1", "statefulsets")
        self.deployments = t.for_path("apps", "v1", "deployments")

    def sync(self, owner: dict[str, Any], pods: list[dict[str, Any]], stamp: str) -> None:
        live = [p for p in pods if not as_map(p.get("metadata")).get("deletionTimestamp")]
        ready = sum(1 for p in live if podspec.is_ready(p))
        kind, status = owner.get("kind"), as_map(owner.get("status"))
        if kind == "ReplicaSet" and self.replicasets is not None:
            counts = {"replicas": len(live), "fullyLabeledReplicas": len(live), "readyReplicas": ready,
                      "availableReplicas": ready}
            if _differs(status, counts):
                self.store.write(self.replicasets, {**owner, "status": {**status, **counts}})
            self._deployment_of(owner, stamp)
        elif kind == "StatefulSet" and self.statefulsets is not None:
            counts = {"readyReplicas": ready, "availableReplicas": ready}
            if _differs(status, counts):
                self.store.write(self.statefulsets, {**owner, "status": {**status, **counts}})

    def _deployment_of(self, rs: dict[str, Any], stamp: str) -> None:
        if self.deployments is None or self.replicasets is None:
            return
        ref = podspec.controller_of(rs)
        if ref is None or ref.get("kind") != "Deployment":
            return
        ns = rs["metadata"].get("namespace")
        dep = self.store.get(self.deployments, ns, str(ref.get("name")))
        if dep is None:
            return
        sets = [s for s in self.store.list(self.replicasets, ns)
                if (podspec.controller_of(s) or {}).get("name") == dep["metadata"]["name"]]
        ready = sum(int(as_map(s.get("status")).get("readyReplicas") or 0) for s in sets)
        try:
            want = int(as_map(dep.get("spec")).get("replicas", 1))
        except (TypeError, ValueError):
            return
        status = as_map(dep.get("status"))
        counts = {"readyReplicas": ready, "availableReplicas": ready, "unavailableReplicas": max(0, want - ready)}
        if not _differs(status, counts):
            return
        new_status = {**status, **counts}
        if not counts["unavailableReplicas"]:
            new_status.pop("unavailableReplicas")
        ok = ready >= want - math.floor(want * 0.25)  # the default maxUnavailable: 25%
        conditions = [c for c in status.get("conditions") or [] if isinstance(c, dict)]
        for c in conditions:
            if c.get("type") == "Available" and (c.get("status") == "True") != ok:
                c.update(status="True" if ok else "False", lastUpdateTime=stamp, lastTransitionTime=stamp,
                         reason="MinimumReplicasAvailable" if ok else "MinimumReplicasUnavailable",
                         message="Deployment has minimum availability." if ok
                         else "Deployment does not have minimum availability.")
        new_status["conditions"] = conditions
        self.store.write(self.deployments, {**dep, "status": new_status})
