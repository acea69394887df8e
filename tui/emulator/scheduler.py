"""The simulated kube-scheduler: which node a pod goes to, and the message when none fits.

Filters as the real default plugins do for what the demo uses: node Ready, not cordoned
(spec.unschedulable), nodeSelector, NoSchedule/NoExecute taints the pod does not tolerate.
Scores by spreading: fewest pods of the same owner, then fewest pods, then name (deterministic).
Pod IPs come from the node's podCIDR, lowest free host from .20 (as the demo's were).
"""
from __future__ import annotations

import ipaddress
from collections import Counter
from typing import Any

from tui.emulator.store import as_map


def node_ready(node: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in as_map(node.get("status")).get("conditions") or [] if isinstance(c, dict))


def _tolerates(tolerations: list[Any], taint: dict[str, Any]) -> bool:
    for t in tolerations:
        if not isinstance(t, dict):
            continue
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t.get("key") == taint.get("key"):
                return True
        elif t.get("key") == taint.get("key") and (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def untolerated_taint(pod: dict[str, Any], node: dict[str, Any]) -> dict[str, Any] | None:
    tolerations = as_map(pod.get("spec")).get("tolerations") or []
    for taint in as_map(node.get("spec")).get("taints") or []:
        if isinstance(taint, dict) and taint.get("effect") in ("NoSchedule", "NoExecute") \
                and not _tolerates(tolerations, taint):
            return taint
    return None


def _why_not(pod: dict[str, Any], node: dict[str, Any]) -> str | None:
    """None when the pod fits the node, else the reason (the scheduler's wording)."""
    spec = as_map(pod.get("spec"))
    selector = as_map(spec.get("nodeSelector"))
    labels = as_map(as_map(node.get("metadata")).get("labels"))
    if any(labels.get(k) != v for k, v in selector.items()):
        return "node(s) didn't match Pod's node affinity/selector"
    daemon = any(isinstance(r, dict) and r.get("kind") == "DaemonSet"
                 for r in as_map(pod.get("metadata")).get("ownerReferences") or [])
    if as_map(node.get("spec")).get("unschedulable") and not daemon:
        return "node(s) were unschedulable"
    taint = untolerated_taint(pod, node)
    if taint is not None:
        value = f"{taint.get('key')}: {taint.get('value') or ''}"
        return f"node(s) had untolerated taint {{{value}}}"
    if not node_ready(node) and not daemon:
        return "node(s) were not ready"
    return None


def pick_node(pod: dict[str, Any], nodes: list[dict[str, Any]],
              pods: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str]:
    """(node, "") or (None, the FailedScheduling message)."""
    reasons: Counter[str] = Counter()
    fitting = []
    for node in nodes:
        why = _why_not(pod, node)
        if why is None:
            fitting.append(node)
        else:
            reasons[why] += 1
    if not fitting:
        parts = ", ".join(f"{n} {why}" for why, n in sorted(reasons.items()))
        total = len(nodes)
        return None, (f"0/{total} nodes are available: {parts}. preemption: 0/{total} nodes are available: "
                      f"{total} Preemption is not helpful for scheduling.")
    owner = _owner_uid(pod)
    same = Counter(as_map(p.get("spec")).get("nodeName") for p in pods if owner and _owner_uid(p) == owner)
    load = Counter(as_map(p.get("spec")).get("nodeName") for p in pods)
    fitting.sort(key=lambda n: (same[n["metadata"]["name"]], load[n["metadata"]["name"]], n["metadata"]["name"]))
    return fitting[0], ""


def _owner_uid(pod: dict[str, Any]) -> str:
    for ref in as_map(pod.get("metadata")).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller"):
            return str(ref.get("uid") or ref.get("name") or "")
    return ""


def allocate_ip(node: dict[str, Any], pods: list[dict[str, Any]]) -> str:
    cidr = as_map(node.get("spec")).get("podCIDR") or ""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return ""
    used = {as_map(p.get("status")).get("podIP") for p in pods}
    for host in range(20, network.num_addresses - 1):
        ip = str(network.network_address + host)
        if ip not in used:
            return ip
    return ""
