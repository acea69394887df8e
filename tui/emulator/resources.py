"""Which resources the emulator serves: the core KINDS table plus what kubectl/Traefik ask for.

KINDS (tui/core/kinds.py) lists what clusterdeck watches; Traefik's CRD provider and kubectl
also list Secrets, Middlewares, TLSOptions, ... so those live here as emulator-only entries.
Seeds of a kind found in neither table are served too, under a guessed plural.
"""
from __future__ import annotations

from dataclasses import dataclass

from tui.core.kinds import KINDS

# Groups compiled into the API server; everything else is a CRD (no strategic merge patch).
BUILTIN_GROUPS = frozenset({"", "apps", "batch", "policy", "networking.k8s.io", "discovery.k8s.io", "events.k8s.io",
                            "storage.k8s.io", "rbac.authorization.k8s.io", "autoscaling",
                            "apiextensions.k8s.io", "authorization.k8s.io"})

# What `kubectl get all` means: the resources discovery puts in the "all" category.
CATEGORY_ALL = frozenset({("", "pods"), ("", "services"), ("", "replicationcontrollers"), ("apps", "deployments"),
                          ("apps", "replicasets"), ("apps", "statefulsets"), ("apps", "daemonsets"),
                          ("batch", "jobs"), ("batch", "cronjobs"), ("autoscaling", "horizontalpodautoscalers")})

# Verbs advertised in discovery; kubectl checks them before `get -w`, `patch`, `delete`.
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


@dataclass(frozen=True)
class Resource:
    key: str  # KINDS key, or "<plural>.<group>" for emulator-only entries
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    status_subresource: bool = True  # Argo CD Application has none: status is a plain field
    verbs: tuple[str, ...] = ()  # discovery's verbs when not the usual VERBS (create-only reviews)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self) -> str:
        return self.api_version

    @property
    def is_crd(self) -> bool:
        return self.group not in BUILTIN_GROUPS

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def qualified(self) -> str:
        """`volumes.longhorn.io` style name used in error messages, as the real API does."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


def _extra(group: str, version: str, plural: str, kind: str, namespaced: bool = True,
           short: tuple[str, ...] = ()) -> Resource:
    key = f"{plural}.{group}" if group else plural
    return Resource(key, group, version, plural, kind, namespaced, short)


_TRAEFIK_CRDS = (
    ("ingressroutetcps", "IngressRouteTCP"), ("ingressrouteudps", "IngressRouteUDP"),
    ("middlewares", "Middleware"), ("middlewaretcps", "MiddlewareTCP"),
    ("tlsoptions", "TLSOption"), ("tlsstores", "TLSStore"),
    ("traefikservices", "TraefikService"), ("serverstransports", "ServersTransport"),
    ("serverstransporttcps", "ServersTransportTCP"),
)

EXTRA_RESOURCES: tuple[Resource, ...] = (
    _extra("", "v1", "namespaces", "Namespace", False, ("ns",)),
    _extra("", "v1", "pods", "Pod", True, ("po",)),
    _extra("", "v1", "secrets", "Secret"),
    _extra("", "v1", "configmaps", "ConfigMap", True, ("cm",)),
    _extra("", "v1", "endpoints", "Endpoints", True, ("ep",)),
    _extra("", "v1", "events", "Event", True, ("ev",)),
    _extra("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ("pvc",)),
    _extra("", "v1", "persistentvolumes", "PersistentVolume", False, ("pv",)),
    _extra("apps", "v1", "daemonsets", "DaemonSet", True, ("ds",)),
    _extra("apps", "v1", "controllerrevisions", "ControllerRevision"),
    _extra("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, ("pdb",)),
    _extra("events.k8s.io", "v1", "events", "Event", True, ("ev",)),
    _extra("storage.k8s.io", "v1", "storageclasses", "StorageClass", False, ("sc",)),
    _extra("networking.k8s.io", "v1", "ingressclasses", "IngressClass", False),
    _extra("longhorn.io", "v1beta2", "instancemanagers", "InstanceManager", True, ("lhim",)),
    _extra("argoproj.io", "v1alpha1", "appprojects", "AppProject", True, ("appproj",)),
    *(_extra("traefik.io", "v1alpha1", p, k) for p, k in _TRAEFIK_CRDS),
    *(_extra("traefik.containo.us", "v1alpha1", p, k) for p, k in _TRAEFIK_CRDS[:-1]),
)


def _from_kinds() -> tuple[Resource, ...]:
    out = []
    for k in KINDS.values():
        out.append(Resource(k.key, k.group, k.version, k.plural, k.kind, k.namespaced,
                            k.short_names, status_subresource=k.key not in ("applications", "appprojects")))
    return tuple(out)


def _guess_plural(kind: str) -> str:
    low = kind.lower()
    if low.endswith("y") and low[-2:-1] not in "aeiou":
        return low[:-1] + "ies"
    if low.endswith(("s", "x", "ch", "sh")):
        return low + "es"
    return low + "s"


class ServedResources:
    """Lookup by (apiVersion, kind), by (group, version, plural) and by key or plural."""

    def __init__(self) -> None:
        self._all: list[Resource] = []
        self._by_gvk: dict[tuple[str, str], Resource] = {}
        self._by_gvr: dict[tuple[str, str, str], Resource] = {}
        for r in (*_from_kinds(), *EXTRA_RESOURCES):
            self.add(r)

    def add(self, r: Resource) -> None:
        if (r.api_version, r.kind) in self._by_gvk:
            return
        self._all.append(r)
        self._by_gvk[(r.api_version, r.kind)] = r
        self._by_gvr[(r.group, r.version, r.plural)] = r

    def all(self) -> list[Resource]:
        return list(self._all)

    def for_object(self, obj: dict) -> Resource | None:
        return self._by_gvk.get((str(obj.get("apiVersion", "")), str(obj.get("kind", ""))))

    def for_object_or_new(self, obj: dict) -> Resource:
        """The resource of a seed object; unknown kinds get a generic entry (plural guessed)."""
        found = self.for_object(obj)
        if found:
            return found
        api_version, kind = str(obj["apiVersion"]), str(obj["kind"])
        group, _, version = api_version.rpartition("/")
        namespaced = bool((obj.get("metadata") or {}).get("namespace"))
        plural = _guess_plural(kind)
        r = Resource(f"{plural}.{group}" if group else plural, group, version, plural, kind, namespaced)
        self.add(r)
        return r

    def for_path(self, group: str, version: str, plural: str) -> Resource | None:
        return self._by_gvr.get((group, version, plural))

    def by_key(self, key: str) -> Resource | None:
        for r in self._all:
            if r.key == key:
                return r
        return None

    def matching(self, key_or_plural: str) -> list[Resource]:
        """Resources a fault name means: a key, a `plural.group`, or every resource with that plural."""
        exact = [r for r in self._all if r.key == key_or_plural or r.qualified == key_or_plural]
        return exact or [r for r in self._all if r.plural == key_or_plural]

    def group_versions(self) -> dict[str, list[str]]:
        """group -> versions served, in first-seen order (core group is "")."""
        out: dict[str, list[str]] = {}
        for r in self._all:
            versions = out.setdefault(r.group, [])
            if r.version not in versions:
                versions.append(r.version)
        return out

    def in_group_version(self, group: str, version: str) -> list[Resource]:
        return [r for r in self._all if r.group == group and r.version == version]
