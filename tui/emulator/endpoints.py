"""The EndpointSlice controller: each selector Service's slice lists its pods and their readiness.

As the real controller: one endpoint per pod with an IP (not Succeeded/Failed), conditions
ready (pod Ready and not terminating), serving (pod Ready), terminating (deletionTimestamp
set), nodeName and targetRef; ports are the Service's, with named targetPorts resolved
against the pods' containers. A slice is rewritten only when its endpoint set or ports change
(order aside), so a seed that already agrees is left alone.
"""
from __future__ import annotations

import json
from typing import Any

from tui.emulator import podspec
from tui.emulator.selectors import label_selector
from tui.emulator.store import ObjectStore, as_map

MANAGED_BY = "endpointslice-controller.k8s.io"
SERVICE_LABEL = "kubernetes.io/service-name"


def endpoint_of(pod: dict[str, Any]) -> dict[str, Any] | None:
    status, meta = as_map(pod.get("status")), as_map(pod.get("metadata"))
    ip = status.get("podIP")
    if not ip or status.get("phase") in ("Succeeded", "Failed"):
        return None
    ready, terminating = podspec.is_ready(pod), bool(meta.get("deletionTimestamp"))
    out: dict[str, Any] = {"addresses": [ip], "conditions": {"ready": ready and not terminating,
                                                              "serving": ready, "terminating": terminating}}
    node = as_map(pod.get("spec")).get("nodeName")
    if node:
        out["nodeName"] = node
    out["targetRef"] = {"kind": "Pod", "name": meta.get("name", ""), "namespace": meta.get("namespace", ""),
                        "uid": meta.get("uid", "")}
    return out


def _target_port(port: dict[str, Any], pods: list[dict[str, Any]]) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for pod in pods:
        for c in podspec.containers(pod):
            for cp in c.get("ports") or []:
                if isinstance(cp, dict) and cp.get("name") == target and isinstance(cp.get("containerPort"), int):
                    return int(cp["containerPort"])
    return None


def slice_ports(service: dict[str, Any], pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for p in as_map(service.get("spec")).get("ports") or []:
        if not isinstance(p, dict):
            continue
        number = _target_port(p, pods)
        if number is None:
            continue
        entry: dict[str, Any] = {"name": p.get("name", ""), "port": number, "protocol": p.get("protocol") or "TCP"}
        if p.get("appProtocol"):
            entry["appProtocol"] = p["appProtocol"]
        out.append(entry)
    return out


def selected_pods(service: dict[str, Any], pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    selector = as_map(as_map(service.get("spec")).get("selector"))
    if not selector:
        return []
    text = ",".join(f"{k}={v}" for k, v in selector.items())
    match = label_selector(text)
    return [p for p in pods if match(p)]


def _canon(items: list[Any]) -> list[str]:
    return sorted(json.dumps(i, sort_keys=True) for i in items)


class EndpointSlices:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        t = store.table
        self.services, self.pods = t.for_path("", "v1", "services"), t.for_path("", "v1", "pods")
        self.slices = t.for_path("discovery.k8s.io", "v1", "endpointslices")

    def _slice_for(self, namespace: str, service: str) -> dict[str, Any] | None:
        assert self.slices is not None
        for s in self.store.list(self.slices, namespace):
            labels = as_map(as_map(s.get("metadata")).get("labels"))
            if labels.get(SERVICE_LABEL) == service and labels.get("endpointslice.kubernetes.io/managed-by",
                                                                     MANAGED_BY) == MANAGED_BY:
                return s
        return None

    def sync(self, namespace: str) -> None:
        if self.services is None or self.pods is None or self.slices is None:
            return
        pods = self.store.list(self.pods, namespace)
        for svc in self.store.list(self.services, namespace):
            if not as_map(as_map(svc.get("spec")).get("selector")):
                continue  # endpoints managed by hand
            chosen = selected_pods(svc, pods)
            endpoints = [e for e in (endpoint_of(p) for p in sorted(chosen, key=lambda p: p["metadata"]["name"])) if e]
            ports = slice_ports(svc, chosen)
            meta = svc["metadata"]
            old = self._slice_for(namespace, meta["name"])
            if old is not None:
                same = _canon(old.get("endpoints") or []) == _canon(endpoints)
                if same and (not ports or _canon(old.get("ports") or []) == _canon(ports)):
                    continue
                new = {**old, "endpoints": endpoints, "ports": ports or old.get("ports") or []}
                self.store.write(self.slices, new)
                continue
            self.store.write(self.slices, new_slice(svc, endpoints, ports))

    def has_ready_endpoint(self, namespace: str, service: str) -> bool:
        if self.slices is None:
            return False
        s = self._slice_for(namespace, service)
        return s is not None and any(as_map(e.get("conditions")).get("ready")
                                     for e in s.get("endpoints") or [] if isinstance(e, dict))


def new_slice(svc: dict[str, Any], endpoints: list[dict[str, Any]], ports: list[dict[str, Any]]) -> dict[str, Any]:
    meta = svc["metadata"]
    labels = {"endpointslice.kubernetes.io/managed-by": MANAGED_BY, SERVICE_LABEL: meta["name"]}
    if as_map(svc.get("spec")).get("clusterIP") == "None":
        labels["service.kubernetes.io/headless"] = ""
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"{meta['name']}-{podspec.suffix('slice/' + str(meta.get('uid') or meta['name']))}",
                         "namespace": meta.get("namespace", ""), "generateName": f"{meta['name']}-",
                         "labels": labels,
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": meta["name"],
                                              "uid": meta.get("uid", ""), "controller": True,
                                              "blockOwnerDeletion": True}]},
            "addressType": "IPv4", "endpoints": endpoints, "ports": ports}
