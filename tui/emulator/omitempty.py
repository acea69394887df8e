"""Status counts the API server leaves out when they are zero (`omitempty` in apps/v1's types).

A Deployment with nothing ready is served without `readyReplicas`; a client that reads an absent
count as "unknown" is wrong about every scaled-down or broken workload. The emulator stores (and
so serves) objects the way the API serialises them, whatever a seed or a controller wrote.
Fields that are NOT omitempty stay: ReplicaSet/StatefulSet `replicas`, StatefulSet
`availableReplicas`, and DaemonSet's currentNumberScheduled/numberMisscheduled/
desiredNumberScheduled/numberReady.
"""
from __future__ import annotations

from typing import Any

OMITTED_WHEN_ZERO: dict[tuple[str, str], frozenset[str]] = {
    ("apps/v1", "Deployment"): frozenset({
        "observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
        "unavailableReplicas", "terminatingReplicas"}),
    ("apps/v1", "StatefulSet"): frozenset({
        "observedGeneration", "readyReplicas", "currentReplicas", "updatedReplicas"}),
    ("apps/v1", "ReplicaSet"): frozenset({
        "observedGeneration", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "terminatingReplicas"}),
    ("apps/v1", "DaemonSet"): frozenset({
        "observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable"}),
}


def drop_zero_counts(api_version: str, kind: str, obj: dict[str, Any]) -> None:
    """Remove the zero-valued omitempty counts from `obj["status"]`, in place."""
    fields = OMITTED_WHEN_ZERO.get((api_version, kind))
    status = obj.get("status")
    if not fields or not isinstance(status, dict):
        return
    for name in fields & status.keys():
        value = status[name]
        if value == 0 and not isinstance(value, bool):
            del status[name]
