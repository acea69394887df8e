"""The Kubernetes resource kinds clusterdeck lists and watches.

One table serves the sources (which path to list+watch), the store (which bucket an
object lands in) and the emulator (which kinds to serve and advertise in discovery).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kind:
    key: str  # store bucket and source name, e.g. "lh_volumes"
    group: str  # "" for the core API group
    version: str
    plural: str
    kind: str
    namespaced: bool
    pane: str  # the pane (tui/core/layers.py PANES) whose source health this kind feeds/pods/events
    short_names: tuple[str, ...] = ()
    # served elsewhere on older clusters: listed instead when this collection answers 404
    fallback: Kind | None = None
    # ?fieldSelector= of the list and the watch: only the objects we need cross the wire
    field_selector: str | None = None

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    def collection_path(self, namespace: str | None = None) -> str:
        """REST path of the collection (all namespaces when namespace is None)."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            return f"{base}/namespaces/{namespace}/{self.plural}"
        return f"{base}/{self.plural}"

    def object_path(self, name: str, namespace: str | None = None) -> str:
        return f"{self.collection_path(namespace)}/{name}"


_ALL = (
    # Kubernetes
    Kind("nodes", "", "v1", "nodes", "Node", False, "nodes", ("no",)),
    Kind("services", "", "v1", "services", "Service", True, "network", ("svc",)),
    Kind("endpointslices", "discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", True, "workloads"),
    Kind("deployments", "apps", "v1", "deployments", "Deployment", True, "workloads", ("deploy",)),
    Kind("statefulsets", "apps", "v1", "statefulsets", "StatefulSet", True, "workloads", ("sts",)),
    Kind("replicasets", "apps", "v1", "replicasets", "ReplicaSet", True, "workloads", ("rs",)),
    Kind("pods", "", "v1", "pods", "Pod", True, "pods", ("po",)),
    # events.k8s.io/v1 since Kubernetes 1.19; a cluster without the group still serves core v1
    # (the short name "ev" belongs to core v1's events only, as the API server advertises it)
    Kind("events", "events.k8s.io", "v1", "events", "Event", True, "events", (),
         fallback=Kind("events", "", "v1", "events", "Event", True, "events", ("ev",))),
    Kind("ingresses", "networking.k8s.io", "v1", "ingresses", "Ingress", True, "routes", ("ing",)),
    # only TLS Secrets, for the certificates routes name; the store keeps tls.crt and drops the rest
    Kind("tls_secrets", "", "v1", "secrets", "Secret", True, "routes",
         field_selector="type=kubernetes.io/tls"),
    # Longhorn
    Kind("lh_volumes", "longhorn.io", "v1beta2", "volumes", "Volume", True, "volumes", ("lhv",)),
    Kind("lh_nodes", "longhorn.io", "v1beta2", "nodes", "Node", True, "volumes", ("lhn",)),
    Kind("lh_replicas", "longhorn.io", "v1beta2", "replicas", "Replica", True, "volumes", ("lhr",)),
    Kind("lh_engines", "longhorn.io", "v1beta2", "engines", "Engine", True, "volumes", ("lhe",)),
    Kind("lh_attachments", "longhorn.io", "v1beta2", "volumeattachments", "VolumeAttachment", True, "volumes", ("lhva",)),
    # data safety: snapshots, backups and where they go, the jobs that make them, the settings
    # the console's advice reads (a Longhorn without one of these CRDs says so in the banner)
    Kind("lh_snapshots", "longhorn.io", "v1beta2", "snapshots", "Snapshot", True, "volumes", ("lhsnap",)),
    Kind("lh_backups", "longhorn.io", "v1beta2", "backups", "Backup", True, "volumes", ("lhb",)),
    Kind("lh_backup_volumes", "longhorn.io", "v1beta2", "backupvolumes", "BackupVolume", True, "volumes", ("lhbv",)),
    Kind("lh_backup_targets", "longhorn.io", "v1beta2", "backuptargets", "BackupTarget", True, "volumes", ("lhbt",)),
    Kind("lh_recurring_jobs", "longhorn.io", "v1beta2", "recurringjobs", "RecurringJob", True, "volumes", ("lhrj",)),
    Kind("lh_settings", "longhorn.io", "v1beta2", "settings", "Setting", True, "volumes", ("lhs",)),
    # MetalLB
    Kind("ip_pools", "metallb.io", "v1beta1", "ipaddresspools", "IPAddressPool", True, "network"),
    Kind("l2_advertisements", "metallb.io", "v1beta1", "l2advertisements", "L2Advertisement", True, "network"),
    Kind("l2_statuses", "metallb.io", "v1beta1", "servicel2statuses", "ServiceL2Status", True, "network"),
    Kind("bgp_advertisements", "metallb.io", "v1beta1", "bgpadvertisements", "BGPAdvertisement", True, "network"),
    Kind("bgp_peers", "metallb.io", "v1beta2", "bgppeers", "BGPPeer", True, "network"),
    Kind("bgp_statuses", "metallb.io", "v1beta1", "servicebgpstatuses", "ServiceBGPStatus", True, "network"),
    # Traefik: v3 group and the legacy v2 group (clusters still on Traefik v2)
    Kind("ingressroutes", "traefik.io", "v1alpha1", "ingressroutes", "IngressRoute", True, "routes"),
    Kind("ingressroutes_legacy", "traefik.containo.us", "v1alpha1", "ingressroutes", "IngressRoute", True, "routes"),
    *(Kind(f"{key}{suffix}", group, "v1alpha1", plural, kind, True, "routes")
      for key, plural, kind in (("ingressroutetcps", "ingressroutetcps", "IngressRouteTCP"),
                                ("ingressrouteudps", "ingressrouteudps", "IngressRouteUDP"),
                                # what routes name: a missing one makes Traefik drop the router
                                ("middlewares", "middlewares", "Middleware"),
                                ("traefikservices", "traefikservices", "TraefikService"),
                                ("tlsoptions", "tlsoptions", "TLSOption"),
                                ("serverstransports", "serverstransports", "ServersTransport"),
                                # the one named "default": the certificate of routes naming none
                                ("tlsstores", "tlsstores", "TLSStore"))
      for suffix, group in (("", "traefik.io"), ("_legacy", "traefik.containo.us"))),
    # Argo CD
    Kind("applications", "argoproj.io", "v1alpha1", "applications", "Application", True, "apps", ("app",)),
    # sync windows live on the project; an ApplicationSet owns the apps it generates
    Kind("appprojects", "argoproj.io", "v1alpha1", "appprojects", "AppProject", True, "apps", ("appproj",)),
    Kind("applicationsets", "argoproj.io", "v1alpha1", "applicationsets", "ApplicationSet", True, "apps",
         ("appset",)),
)

KINDS: dict[str, Kind] = {k.key: k for k in _ALL}


def keys_present(objects: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The KINDS keys that a set of objects (a dump) holds at least one object of."""
    found: set[str] = set()
    for obj in objects:
        match = kind_for(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        if match is not None:
            found.add(match.key)
    return frozenset(found)


def kind_for(api_version: str, kind: str) -> Kind | None:
    """The table entry for an object's apiVersion and kind, or None when we do not watch it."""
    for k in _ALL:
        for candidate in (k, k.fallback):
            if candidate is not None and candidate.api_version == api_version and candidate.kind == kind:
                return candidate
    return None


def stored_form(kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
    """An object as the store keeps it: apiVersion and kind filled in (a list's items lack them)
    and metadata.managedFields let go (the API server puts them on every object, often a third
    of its size, and nothing here reads them: the detail view and diffs drop them anyway). The
    same object when there is nothing to do, so a list's pages and its end share their objects."""
    metadata = obj.get("metadata")
    if isinstance(metadata, dict) and "managedFields" in metadata:
        obj = {**obj, "metadata": {k: v for k, v in metadata.items() if k != "managedFields"}}
    if "kind" not in obj or "apiVersion" not in obj:
        obj = {"apiVersion": kind.api_version, "kind": kind.kind, **obj}
    return obj
