"""The Eviction subresource (POST pods/{name}/eviction) and PodDisruptionBudget status.

As the API server's eviction REST: the pod's PDB (policy/v1, by selector) must allow a
disruption, else 429 TooManyRequests with the real Status body (cause DisruptionBudget);
more than one PDB is a 500; an allowed eviction takes one disruption from the budget (recorded
in status.disruptedPods until the disruption controller recounts) and deletes the pod
gracefully. A pod that is not Ready may go while the budget is met (IfHealthyBudget).
PDB status as the disruption controller keeps it: currentHealthy, desiredHealthy,
disruptionsAllowed, expectedPods, the DisruptionAllowed condition.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tui.emulator import podspec
from tui.emulator.selectors import label_selector
from tui.emulator.store import ApiError, ObjectStore, as_map, not_found

SUCCESS = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def _selects(pdb: dict[str, Any], pod: dict[str, Any]) -> bool:
    selector = as_map(as_map(pdb.get("spec")).get("selector"))
    labels = as_map(selector.get("matchLabels"))
    terms = [f"{k}={v}" for k, v in labels.items()]
    for expr in selector.get("matchExpressions") or []:
        if not isinstance(expr, dict):
            continue
        op, key, values = expr.get("operator"), expr.get("key"), ",".join(map(str, expr.get("values") or []))
        terms.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                      "Exists": str(key), "DoesNotExist": f"!{key}"}.get(str(op), str(key)))
    if not terms:
        return True  # policy/v1: an empty selector selects every pod of the namespace
    return label_selector(",".join(terms))(pod)


def _scaled(value: Any, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        try:
            share = float(value[:-1]) * total / 100
        except ValueError:
            return 0
        return math.ceil(share) if round_up else math.floor(share)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def pdb_status(pdb: dict[str, Any], pods: list[dict[str, Any]], expected: int | None = None,
               at: str = "") -> dict[str, Any]:
    """The disruption controller's view of one budget over the namespace's pods."""
    chosen = [p for p in pods if _selects(pdb, p)]
    healthy = sum(1 for p in chosen if podspec.is_ready(p) and not p["metadata"].get("deletionTimestamp"))
    expected = len([p for p in chosen if not p["metadata"].get("deletionTimestamp")]) if expected is None else expected
    spec = as_map(pdb.get("spec"))
    if "minAvailable" in spec:
        desired = _scaled(spec["minAvailable"], expected, round_up=True)
    elif "maxUnavailable" in spec:
        desired = max(0, expected - _scaled(spec["maxUnavailable"], expected, round_up=True))
    else:
        desired = expected
    old = as_map(pdb.get("status"))
    disrupted = as_map(old.get("disruptedPods"))
    allowed = max(0, healthy - desired - len(disrupted))
    was = next((c for c in old.get("conditions") or [] if isinstance(c, dict) and c.get("type") == "DisruptionAllowed"), {})
    ok = "True" if allowed > 0 else "False"
    condition = {"type": "DisruptionAllowed", "status": ok, "reason": "SufficientPods" if allowed else "InsufficientPods",
                 "message": "", "observedGeneration": as_map(pdb.get("metadata")).get("generation", 1),
                 "lastTransitionTime": was.get("lastTransitionTime") if was.get("status") == ok else (at or was.get("lastTransitionTime", ""))}
    out = {"observedGeneration": as_map(pdb.get("metadata")).get("generation", 1), "currentHealthy": healthy,
           "desiredHealthy": desired, "disruptionsAllowed": allowed, "expectedPods": expected, "conditions": [condition]}
    if disrupted:
        out["disruptedPods"] = disrupted
    return out


def _expected_pods(store: ObjectStore, pods: list[dict[str, Any]]) -> int:
    """Sum of the scale of the controllers of the selected pods (as the disruption controller)."""
    total, seen = 0, set()
    for pod in pods:
        ref = podspec.controller_of(pod)
        if ref is None:
            total += 1
            continue
        key = (ref.get("kind"), ref.get("name"))
        if key in seen:
            continue
        seen.add(key)
        plural = {"ReplicaSet": "replicasets", "StatefulSet": "statefulsets"}.get(str(ref.get("kind")))
        res = store.table.for_path("apps", "v1", plural) if plural else None
        owner = store.get(res, pod["metadata"].get("namespace"), str(ref.get("name"))) if res else None
        try:
            total += int(as_map(as_map(owner).get("spec")).get("replicas", 1)) if owner else 1
        except (TypeError, ValueError):
            total += 1
    return total


class Disruptions:
    def __init__(self, store: ObjectStore, stamp: Callable[[], str]) -> None:
        self.store, self.stamp = store, stamp
        self.pods = store.table.for_path("", "v1", "pods")
        self.pdbs = store.table.for_path("policy", "v1", "poddisruptionbudgets")

    def refresh(self, namespace: str) -> None:
        """Recount every budget of the namespace (the disruption controller's sync)."""
        if self.pdbs is None or self.pods is None:
            return
        pods = self.store.list(self.pods, namespace)
        for pdb in self.store.list(self.pdbs, namespace):
            chosen = [p for p in pods if _selects(pdb, p)]
            pdb = {**pdb, "status": {k: v for k, v in as_map(pdb.get("status")).items() if k != "disruptedPods"}}
            status = pdb_status(pdb, pods, _expected_pods(self.store, chosen), self.stamp())
            if status != pdb.get("status"):
                self.store.write(self.pdbs, {**pdb, "status": status})

    def evict(self, namespace: str, name: str, body: Any, delete: Callable[[dict[str, Any], int | None], Any]) -> dict[str, Any]:
        """Answer an Eviction: SUCCESS (201) or raise the API's ApiError."""
        assert self.pods is not None
        pod = self.store.get(self.pods, namespace, name)
        if pod is None:
            raise not_found(self.pods, name)
        if isinstance(body, dict) and as_map(body.get("metadata")).get("name") not in (None, name):
            raise ApiError(400, "BadRequest", "name in URL does not match name in Eviction object")
        options = as_map(as_map(body).get("deleteOptions"))
        grace = options.get("gracePeriodSeconds")
        grace = int(grace) if isinstance(grace, int) else None
        phase = as_map(pod.get("status")).get("phase")
        if phase in ("Succeeded", "Failed") or pod["metadata"].get("deletionTimestamp"):
            delete(pod, grace)
            return SUCCESS
        budgets = [b for b in (self.store.list(self.pdbs, namespace) if self.pdbs else []) if _selects(b, pod)]
        if len(budgets) > 1:
            raise ApiError(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the "
                           "eviction subresource does not support.")
        if budgets:
            pdb = budgets[0]
            status = as_map(pdb.get("status"))
            healthy_ok = int(status.get("currentHealthy") or 0) >= int(status.get("desiredHealthy") or 0)
            unhealthy_goes = not podspec.is_ready(pod) and (
                healthy_ok or as_map(pdb.get("spec")).get("unhealthyPodEvictionPolicy") == "AlwaysAllow")
            if not unhealthy_goes:
                if int(status.get("disruptionsAllowed") or 0) <= 0:
                    pdb_name = pdb["metadata"]["name"]
                    raise ApiError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                                   {"causes": [{"reason": "DisruptionBudget", "message": (
                                       f"The disruption budget {pdb_name} needs {status.get('desiredHealthy', 0)} "
                                       f"healthy pods and has {status.get('currentHealthy', 0)} currently")}]})
                status = {**status, "disruptionsAllowed": int(status["disruptionsAllowed"]) - 1,
                          "disruptedPods": {**as_map(status.get("disruptedPods")), name: self.stamp()}}
                assert self.pdbs is not None
                self.store.write(self.pdbs, {**pdb, "status": status})
        self._mark_disruption(pod)
        delete(pod, grace)
        return SUCCESS

    def _mark_disruption(self, pod: dict[str, Any]) -> None:
        """The DisruptionTarget condition the API server adds to an evicted pod (Kubernetes 1.31+)."""
        assert self.pods is not None
        status = pod.setdefault("status", {})
        conditions = [c for c in status.get("conditions") or [] if isinstance(c, dict) and c.get("type") != "DisruptionTarget"]
        conditions.append({"type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI",
                           "message": "Eviction API: evicting", "lastProbeTime": None,
                           "lastTransitionTime": self.stamp()})
        status["conditions"] = conditions
        self.store.write(self.pods, pod)
