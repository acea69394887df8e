"""core/v1 Service and discovery/v1 EndpointSlice: what routes and the impact index need
(ports to check route backends against, selectors, and which nodes serve a Service)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.core.parsers.access import (
    dig,
    dig_int,
    dig_list,
    dig_str,
    labels_of,
    name_of,
    namespace_of,
    str_map,
)
from tui.core.rows import object_key

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    key: str  # "ns/name"
    type: str | None
    ports: tuple[tuple[str | None, int | None], ...]  # (port name, port number)
    selector: tuple[tuple[str, str], ...]
    labels: tuple[tuple[str, str], ...]

    def has_port(self, port: str | int | None) -> bool:
        """Traefik accepts the port number or the port name; no port given = the only port."""
        if port is None or port == "":
            return len(self.ports) >= 1
        return any(port == number or port == name or str(port) == str(number)
                   for name, number in self.ports)


@dataclass(frozen=True, slots=True)
class SliceInfo:
    service: str | None  # "ns/name" from the kubernetes.io/service-name label
    nodes: tuple[str, ...]  # nodeName of endpoints that are not known to be unready
    pods: tuple[str, ...]  # "ns/pod" from targetRef
    ready: int = 0  # endpoints not known to be unready (a missing `ready` means ready, as upstream says)


def parse_service(obj: Any) -> ServiceInfo:
    ports = tuple(
        (dig_str(p, "name"), dig_int(p, "port")) for p in dig_list(obj, "spec", "ports")
        if isinstance(p, dict)
    )
    return ServiceInfo(
        key=object_key(namespace_of(obj), name_of(obj)),
        type=dig_str(obj, "spec", "type"),
        ports=ports,
        selector=tuple(sorted(str_map(dig(obj, "spec", "selector")).items())),
        labels=tuple(sorted(labels_of(obj).items())),
    )


def parse_endpoint_slice(obj: Any) -> SliceInfo:
    ns = namespace_of(obj)
    service = labels_of(obj).get(SERVICE_NAME_LABEL)
    nodes: set[str] = set()
    pods = []
    ready = 0
    for endpoint in dig_list(obj, "endpoints"):
        if dig(endpoint, "conditions", "ready") is False:
            continue
        ready += 1
        node = dig_str(endpoint, "nodeName")
        if node:
            nodes.add(node)
        if dig(endpoint, "targetRef", "kind") == "Pod" and dig_str(endpoint, "targetRef", "name"):
            pods.append(object_key(ns, dig_str(endpoint, "targetRef", "name")))
    return SliceInfo(
        service=object_key(ns, service) if service else None,
        nodes=tuple(sorted(nodes)),
        pods=tuple(pods),
        ready=ready,
    )
