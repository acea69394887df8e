"""core/v1 Node -> NodeRow (readiness, k3s roles, pressure, taints)."""
from __future__ import annotations

from typing import Any

from tui.core.parsers.access import (
    condition_status,
    conditions_by_type,
    dig,
    dig_bool,
    dig_list,
    dig_str,
    labels_of,
    name_of,
)
from tui.core.rows import NodeRow

ROLE_PREFIX = "node-role.kubernetes.io/"
# the kubelet's own conditions that mean trouble when True; distributions add others of either
# polarity (k3s/RKE2 set EtcdIsVoter=True on healthy etcd members), so those are only shown
PRESSURE_CONDITIONS = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")


def parse_node(obj: Any) -> NodeRow:
    name = name_of(obj)
    conditions = conditions_by_type(obj, "status", "conditions")
    ready_cond = conditions.get("Ready")
    # k3s labels roles with value "true", kubeadm with "": the value is ignored
    roles = sorted(
        {key[len(ROLE_PREFIX):] for key in labels_of(obj) if key.startswith(ROLE_PREFIX)} - {""}
    )
    pressure = tuple(
        ctype for ctype, cond in conditions.items()
        if ctype in PRESSURE_CONDITIONS and condition_status(cond) is True
    )
    other = tuple(
        f"{ctype}={dig_str(cond, 'status') or '?'}" for ctype, cond in conditions.items()
        if ctype != "Ready" and ctype not in PRESSURE_CONDITIONS
    )
    return NodeRow(
        name=name,
        ready=condition_status(ready_cond),
        roles=tuple(roles),
        kubelet_version=dig_str(obj, "status", "nodeInfo", "kubeletVersion"),
        internal_ip=_internal_ip(obj),
        unschedulable=dig_bool(obj, "spec", "unschedulable") is True,
        pressure=pressure,
        key=name,
        taints=tuple(_taint(t) for t in dig_list(obj, "spec", "taints") if dig_str(t, "key")),
        os_image=dig_str(obj, "status", "nodeInfo", "osImage"),
        kernel_version=dig_str(obj, "status", "nodeInfo", "kernelVersion"),
        cpu=dig_str(obj, "status", "capacity", "cpu"),
        memory=dig_str(obj, "status", "capacity", "memory"),
        created=dig_str(obj, "metadata", "creationTimestamp"),
        ready_reason=dig_str(ready_cond, "reason"),
        ready_message=dig_str(ready_cond, "message"),
        other_conditions=other,
    )


def _internal_ip(obj: Any) -> str | None:
    for address in dig_list(obj, "status", "addresses"):
        if dig(address, "type") == "InternalIP" and dig_str(address, "address"):
            return dig_str(address, "address")
    return None


def _taint(taint: Any) -> str:
    key = dig_str(taint, "key") or ""
    value = dig_str(taint, "value")
    effect = dig_str(taint, "effect") or "?"
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"
