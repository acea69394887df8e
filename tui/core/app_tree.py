"""Where an Argo CD app's resource is listed in the console: a Deployment in Workloads, a PVC
as its Longhorn volume, an IngressRoute or Ingress in Routes, a LoadBalancer Service in Network,
a child Application in Apps. None (with the reason) when no pane lists that object."""
from __future__ import annotations

from typing import Any

from tui.core.rows import AppResource, object_key, route_key

_ROUTE_GROUPS = ("traefik.io", "traefik.containo.us", "networking.k8s.io")
_ROUTE_KINDS = ("IngressRoute", "IngressRouteTCP", "IngressRouteUDP", "Ingress")


def pane_for(store: Any, res: AppResource) -> tuple[str, str] | str:
    """(pane, row key) of the row that shows `res`, or a sentence saying why there is none."""
    ref = object_key(res.namespace, res.name)
    if res.group == "apps" and res.kind in ("Deployment", "StatefulSet"):
        return _present(store, "workloads", "workloads", f"{res.kind}/{ref}", res)
    if res.kind == "PersistentVolumeClaim" and not res.group:
        volume = next((v for v in store.rows("volumes") if getattr(v, "pvc", None) == ref), None)
        if volume is None:
            return f"no Longhorn volume is bound to PVC {ref} (not Longhorn, or not bound yet)"
        return "volumes", volume.key
    if res.kind in _ROUTE_KINDS and res.group in _ROUTE_GROUPS:
        return _present(store, "routes", "routes", route_key(res.kind, res.group, res.namespace, res.name), res)
    if res.kind == "Service" and not res.group:
        found = _present(store, "network", "load_balancers", ref, res)
        return found if isinstance(found, tuple) else f"Service {ref} is not a LoadBalancer: no pane lists it"
    if res.kind == "Application" and res.group == "argoproj.io":
        return _present(store, "apps", "apps", ref, res)
    return f"no pane lists {res.kind} objects"


def _present(store: Any, pane: str, layer: str, key: str, res: AppResource) -> tuple[str, str] | str:
    if store.row(layer, key) is None:
        return f"{res.kind} {object_key(res.namespace, res.name)} is not in the cluster (yet)"
    return pane, key
