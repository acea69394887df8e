"""ImpactIndex: the cross-layer links (node -> volumes and replicas -> LB IPs it announces ->
routes whose backends run there -> workloads -> Argo CD apps) and the "what breaks if" view.

Built from a store's rows and parsed objects (``ClusterStore.impact()`` rebuilds it when any
object changed). Everything is keyed by row keys; look rows up with ``store.row(layer, key)``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from tui.core.events import SourceState
from tui.core.findings import Finding, Severity
from tui.core.parsers.longhorn import replica_is_healthy
from tui.core.parsers.services import ServiceInfo
from tui.core.parsers.traefik import split_backend
from tui.core.rows import (
    AppRow,
    LoadBalancerRow,
    NodeRow,
    PodRow,
    ReplicaRow,
    RouteRow,
    Row,
    VolumeRow,
    WorkloadRow,
)

if TYPE_CHECKING:
    from tui.core.store import ClusterStore

ROUTE_KINDS = ("IngressRoute", "IngressRouteTCP", "IngressRouteUDP", "Ingress")

# per layer the index may patch: the attribute holding its rows, and the fields of a row that
# building the index links by (everything else the views read from the held row when asked)
_LINKS: dict[str, tuple[str, Callable[[Any], Hashable]]] = {
    "nodes": ("nodes", lambda node: node if isinstance(node, str) else node.name),  # a set of names
    "volumes": ("volumes", lambda v: (v.key, v.namespace, v.name, v.node, v.pvc, v.workloads)),
    "pods": ("pods", lambda p: (p.key, p.node, p.owner, p.app, p.pvcs)),
}


@dataclass(frozen=True)
class Impact:
    """What is linked to one subject; each field holds row keys (see the layer in the comment)."""

    subject: str  # "node hel-wk-01", "volume longhorn-system/pvc-...", ...
    found: bool = True
    nodes: tuple[str, ...] = ()  # "nodes"
    volumes: tuple[str, ...] = ()  # "volumes"
    replicas: tuple[str, ...] = ()  # "replicas"
    load_balancers: tuple[str, ...] = ()  # "load_balancers"
    ips: tuple[str, ...] = ()  # LB IPs involved
    pools: tuple[str, ...] = ()  # "ip_pools"
    services: tuple[str, ...] = ()  # "ns/name" of Services (any type)
    routes: tuple[str, ...] = ()  # "routes"
    workloads: tuple[str, ...] = ()  # "workloads" ("Kind/ns/name")
    apps: tuple[str, ...] = ()  # "apps"
    pods: tuple[str, ...] = ()  # "pods": the pods that go down with it
    findings: tuple[Finding, ...] = ()  # what is at risk; core decides each one's severity


@dataclass(frozen=True)
class NodeImpact(Impact):
    volumes_attached: tuple[str, ...] = ()  # volumes attached on this node (subset of volumes)
    last_replica_volumes: tuple[str, ...] = ()  # volumes whose every healthy replica is here


def _not_found(subject: str) -> Impact:
    return Impact(subject=subject, found=False, findings=(_warning(subject, f"{subject} not found"),))


def _problem(subject: str, text: str, *links: str) -> Finding:
    """An outage or data at risk: shown first, in red."""
    return Finding(Severity.PROBLEM, subject, text, links)


def _warning(subject: str, text: str, *links: str) -> Finding:
    """A reduction (fewer replicas, a failover, a route through it): shown after the problems."""
    return Finding(Severity.WARNING, subject, text, links)


def _keys(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v}))


class VolumeUsers:
    """The workloads ("Kind/ns/name") using a volume, one volume at a time: the index links every
    volume this way, and the Volumes pane asks it for the rows it draws without building the
    whole index (20,000 volumes, pods and more) on the key that opens it."""

    def __init__(self, workloads: Iterable[WorkloadRow], replicasets: Mapping[str, tuple[str, str] | None]) -> None:
        self.workloads: set[str] = set()
        self.claims: dict[str, str] = {}  # PVC "ns/claim" -> the workload mounting it
        for workload in workloads:
            self.workloads.add(workload.key)
            for claim in workload.pvcs:
                self.claims[claim] = workload.key
        # ReplicaSet "ns/name" -> its Deployment's key
        self.replicaset_owner = {rs: dep for rs, dep in (v for v in replicasets.values() if v)}

    def __call__(self, volume: VolumeRow) -> set[str]:
        users: set[str | None] = {self.claims.get(volume.pvc or "")}
        for name in volume.workloads:  # "ns/<pod's first owner>": a StatefulSet or ReplicaSet
            for candidate in (self.replicaset_owner.get(name), f"StatefulSet/{name}", f"Deployment/{name}"):
                if candidate in self.workloads:
                    users.add(candidate)
        return {user for user in users if user}


class ImpactIndex:
    def __init__(self) -> None:
        self.nodes: set[str] = set()
        self.volumes: dict[str, VolumeRow] = {}
        self.volume_by_name: dict[tuple[str | None, str], str] = {}
        self.replicas_of: dict[str, list[ReplicaRow]] = defaultdict(list)  # volume key -> replica rows
        self.attached_on: dict[str, list[str]] = defaultdict(list)  # node -> volume keys
        self.replicas_on: dict[str, list[ReplicaRow]] = defaultdict(list)  # node -> replica rows
        self.lbs: dict[str, LoadBalancerRow] = {}
        self.announced_by: dict[str, list[str]] = defaultdict(list)  # node -> LB keys
        self.services: dict[str, ServiceInfo] = {}
        self.service_nodes: dict[str, set[str]] = defaultdict(set)  # service -> endpoint nodes
        self.service_workloads: dict[str, set[str]] = defaultdict(set)
        self.workload_services: dict[str, set[str]] = defaultdict(set)
        self.workloads: dict[str, WorkloadRow] = {}
        self.volume_workloads: dict[str, set[str]] = defaultdict(set)
        self.workload_volumes: dict[str, set[str]] = defaultdict(set)
        self.routes: dict[str, RouteRow] = {}
        self.route_services: dict[str, set[str]] = defaultdict(set)
        self.service_routes: dict[str, set[str]] = defaultdict(set)
        self.apps: dict[str, AppRow] = {}
        self.owner_apps: dict[str, set[str]] = defaultdict(set)  # "Kind/ns/name" -> app keys
        self.app_refs: dict[str, set[str]] = defaultdict(set)  # app -> "Kind/ns/name"
        self.ingress_lbs: tuple[str, ...] = ()  # Traefik's LoadBalancer Services
        self.endpoints_known = False
        self.pods: dict[str, PodRow] = {}
        self.pods_on: dict[str, set[str]] = defaultdict(set)  # node -> pod keys
        self.workload_pods: dict[str, set[str]] = defaultdict(set)  # "Kind/ns/name" -> pod keys
        self.claim_pods: dict[str, set[str]] = defaultdict(set)  # PVC "ns/claim" -> pod keys
        self.app_pods: dict[str, set[str]] = defaultdict(set)  # app key -> pod keys

    # -- building --------------------------------------------------------------------------

    @classmethod
    def build(cls, store: ClusterStore) -> ImpactIndex:
        index = cls()
        index._add_storage(store)
        index._add_network(store)
        index._add_workloads(store)
        index._add_routes_and_apps(store)
        index._add_pods(store)
        return index

    def patched(self, changed: Mapping[str, Mapping[str, Row | None]]) -> bool:
        """Take the new rows of a few changed objects ({layer: {key: row or None when gone}}) in
        place of the old ones, when no link they make changed: a volume's size or a pod's
        phase moves nothing the index links, and the views read those fields from the rows it
        holds. False (and nothing taken) when a link, a key or an unpatchable layer changed:
        build afresh."""
        for layer, rows in changed.items():
            if layer not in _LINKS:
                return False
            holder, links = _LINKS[layer]
            held = getattr(self, holder)
            for key, row in rows.items():
                old = held.get(key) if isinstance(held, dict) else (key if key in held else None)
                if old is None or row is None or links(old) != links(row):
                    return False
        for layer, rows in changed.items():
            held = getattr(self, _LINKS[layer][0])
            if isinstance(held, dict):
                held.update(rows)
        return True

    def _add_pods(self, store: ClusterStore) -> None:
        self.pods = {p.key: p for p in cast("list[PodRow]", store.rows("pods"))}
        for pod in self.pods.values():
            if pod.node:
                self.pods_on[pod.node].add(pod.key)
            if pod.owner:
                self.workload_pods[pod.owner].add(pod.key)
            if pod.app:
                self.app_pods[pod.app].add(pod.key)
            for claim in pod.pvcs:
                self.claim_pods[claim].add(pod.key)

    def _add_storage(self, store: ClusterStore) -> None:
        self.nodes = {row.name for row in cast("list[NodeRow]", store.rows("nodes"))}
        self.volumes = {v.key: v for v in cast("list[VolumeRow]", store.rows("volumes"))}
        self.volume_by_name = {(v.namespace, v.name): v.key for v in self.volumes.values()}
        for replica in cast("list[ReplicaRow]", store.rows("replicas")):
            volume_key = self.volume_by_name.get((replica.namespace, replica.volume or ""))
            if volume_key:
                self.replicas_of[volume_key].append(replica)
            if replica.node:
                self.replicas_on[replica.node].append(replica)
        for volume in self.volumes.values():
            if volume.node:
                self.attached_on[volume.node].append(volume.key)

    def _add_network(self, store: ClusterStore) -> None:
        self.lbs = {lb.key: lb for lb in cast("list[LoadBalancerRow]", store.rows("load_balancers"))}
        for lb in self.lbs.values():
            if lb.announcing_node:
                self.announced_by[lb.announcing_node].append(lb.key)
        self.services = dict(store.parsed("services"))
        # "no ready endpoints" is only a finding when the EndpointSlices were actually listed
        self.endpoints_known = store.health()["endpointslices"].state is SourceState.OK
        for info in store.parsed("endpointslices").values():
            if info.service:
                self.service_nodes[info.service].update(info.nodes)
        self.ingress_lbs = _keys(
            key for key, svc in self.services.items()
            if key in self.lbs and (key.endswith("/traefik")
                                    or dict(svc.labels).get("app.kubernetes.io/name") == "traefik")
        )

    def _add_workloads(self, store: ClusterStore) -> None:
        self.workloads = {w.key: w for w in cast("list[WorkloadRow]", store.rows("workloads"))}
        by_ns: dict[str | None, list[WorkloadRow]] = defaultdict(list)
        for workload in self.workloads.values():
            by_ns[workload.namespace].append(workload)
        for key, svc in self.services.items():
            selector = {f"{k}={v}" for k, v in svc.selector}
            if not selector:
                continue
            namespace = key.split("/", 1)[0] if "/" in key else None
            for workload in by_ns.get(namespace, []):
                if selector <= set(workload.template_labels):
                    self._link(self.service_workloads, self.workload_services, key, workload.key)
        users_of = VolumeUsers(self.workloads.values(), store.parsed("replicasets"))
        for volume in self.volumes.values():
            for user in users_of(volume):
                self._link(self.volume_workloads, self.workload_volumes, volume.key, user)

    def _add_routes_and_apps(self, store: ClusterStore) -> None:
        self.routes = {r.key: r for r in cast("list[RouteRow]", store.rows("routes"))}
        for route in self.routes.values():
            for backend in route.backends:
                parts = split_backend(backend)
                if parts:
                    self._link(self.route_services, self.service_routes, route.key, parts[0])
        self.apps = {a.key: a for a in cast("list[AppRow]", store.rows("apps"))}
        app_by_name = {a.name: a.key for a in self.apps.values()}
        for app in self.apps.values():
            for ref in app.resources:
                self._link(self.app_refs, self.owner_apps, app.key, ref)
        for workload in self.workloads.values():
            owner = workload.owner_app
            app_key = owner if owner in self.apps else app_by_name.get(owner or "")
            if app_key:
                self._link(self.app_refs, self.owner_apps, app_key, workload.key)

    @staticmethod
    def _link(forward: dict[str, set[str]], backward: dict[str, set[str]], a: str, b: str) -> None:
        forward[a].add(b)
        backward[b].add(a)

    # -- small lookups ---------------------------------------------------------------------

    def healthy_replica_nodes(self, volume_key: str) -> list[str]:
        replicas = self.replicas_of.get(volume_key, [])
        engine_known = any(r.mode for r in replicas)
        return [r.node for r in replicas if r.node and replica_is_healthy(r, engine_known)]

    def apps_of(self, refs: Iterable[str]) -> set[str]:
        return {app for ref in refs for app in self.owner_apps.get(ref, ())}

    @staticmethod
    def _follow(links: dict[str, set[str]], keys: Iterable[str]) -> set[str]:
        """One hop along a link table: everything the given keys point to."""
        return {linked for key in keys for linked in links.get(key, ())}

    def routes_behind(self, service: str) -> set[str]:
        """Routes whose traffic passes this Service: all of them for Traefik's own LB."""
        return set(self.routes) if service in self.ingress_lbs else set(self.service_routes.get(service, ()))

    def volume_nodes(self, volume_keys: Iterable[str]) -> set[str]:
        """Where these volumes are attached, so where the pods using them run."""
        return {node for v in volume_keys if v in self.volumes and (node := self.volumes[v].node)}

    def route_label(self, key: str) -> str:
        """ns/name as the Routes pane names a route (its key also holds the kind)."""
        route = self.routes.get(key)
        return route.label if route is not None else key

    def _route_refs(self, route_keys: Iterable[str]) -> list[str]:
        return [f"{self.routes[k].source}/{self.routes[k].ref}" for k in route_keys if k in self.routes]

    def _service_refs(self, service_keys: Iterable[str]) -> list[str]:
        return [f"Service/{k}" for k in service_keys]

    def _related_apps(self, workloads: Iterable[str], services: Iterable[str],
                      routes: Iterable[str]) -> tuple[str, ...]:
        refs = [*workloads, *self._service_refs(services), *self._route_refs(routes)]
        return _keys(self.apps_of(refs))

    def pods_of(self, layer: str, key: str) -> tuple[str, ...]:
        """Pod keys linked to a row of a layer (enter/i on it lists them)."""
        if layer == "pods":
            return (key,) if key in self.pods else ()
        if layer == "nodes":
            return _keys(self.pods_on.get(key, ()))
        if layer == "workloads":
            return _keys(self.workload_pods.get(key, ()))
        if layer == "apps":
            workloads = {r for r in self.app_refs.get(key, ()) if r in self.workloads}
            return _keys(self.app_pods.get(key, set()) | self._follow(self.workload_pods, workloads))
        if layer == "volumes":
            return self._volume_pods(key)
        if layer == "load_balancers":
            return self._workloads_pods(self.service_workloads.get(key, set()))
        if layer == "routes":
            services = self.route_services.get(key, set())
            return self._workloads_pods(self._follow(self.service_workloads, services))
        return ()

    def _running_on(self, node: str) -> tuple[str, ...]:
        """The node's pods that go down with it (a finished Job pod has nothing left to lose)."""
        return tuple(k for k in self.pods_of("nodes", node)
                     if self.pods[k].phase not in ("Succeeded", "Failed"))

    def _orphan_pods_on(self, node: str) -> list[Finding]:
        """Pods nothing recreates: no controller, and not a static pod (those return with the node)."""
        return [_warning(f"pod {key}", f"pod {key} has no controller: it goes with the node "
                         "and nothing starts it elsewhere", f"pods|{key}")
                for key in self._running_on(node)
                if not self.pods[key].controlled and not self.pods[key].mirror]

    def _volume_pods(self, key: str) -> tuple[str, ...]:
        volume = self.volumes.get(key)
        if volume is None:
            return ()
        mounting = set(self.claim_pods.get(volume.pvc or "", ()))
        mounting |= {p for p in volume.pods if p in self.pods}  # Longhorn's own kubernetesStatus
        return _keys(mounting)

    def _workloads_pods(self, workloads: Iterable[str]) -> tuple[str, ...]:
        return _keys(self._follow(self.workload_pods, workloads))

    # -- the views -------------------------------------------------------------------------

    def for_node(self, name: str) -> NodeImpact:
        attached = sorted(self.attached_on.get(name, []))
        replicas = self.replicas_on.get(name, [])
        findings: list[Finding] = []
        last: list[str] = []
        replica_volumes = _keys(self.volume_by_name.get((r.namespace, r.volume or "")) for r in replicas)
        for volume_key in replica_volumes:
            healthy = self.healthy_replica_nodes(volume_key)
            volume = self.volumes[volume_key]
            if healthy and set(healthy) == {name}:
                last.append(volume_key)
                findings.append(_problem(f"volume {volume.name}", f"volume {volume.name} would lose its last "
                                         "healthy replica", f"volumes|{volume_key}"))
            elif name in healthy and volume.replicas_wanted:
                left = len(healthy) - healthy.count(name)
                findings.append(_warning(f"volume {volume.name}", f"volume {volume.name} would drop to {left} of "
                                         f"{volume.replicas_wanted} healthy replicas", f"volumes|{volume_key}"))
        workloads: set[str] = set()
        for volume_key in attached:
            users = self.volume_workloads.get(volume_key, set())
            workloads |= users
            who = ", ".join(sorted(users)) or "no known workload"
            name_here = self.volumes[volume_key].name
            findings.append(_problem(f"volume {name_here}", f"volume {name_here} is attached here "
                                     f"({who}): its pods stop until it reattaches elsewhere",
                                     f"volumes|{volume_key}"))
        lbs = sorted(self.announced_by.get(name, []))
        for lb_key in lbs:
            lb = self.lbs[lb_key]
            through = f"; all {len(self.routes)} routes enter through it" if lb_key in self.ingress_lbs else ""
            findings.append(_warning(f"LB IP {', '.join(lb.ips) or '?'}",
                                     f"LB IP {', '.join(lb.ips) or '?'} ({lb_key}) is announced from here: "
                                     f"MetalLB must fail it over to another node{through}",
                                     f"load_balancers|{lb_key}"))
        services = {s for s, nodes in self.service_nodes.items() if name in nodes}
        for lb_key in self.ingress_lbs:
            if self.service_nodes.get(lb_key) == {name} and self.routes:
                findings.append(_problem(f"load balancer {lb_key}", f"every endpoint of {lb_key} runs on this "
                                         f"node: all {len(self.routes)} routes stop with it",
                                         f"load_balancers|{lb_key}"))
        for svc in services:
            workloads |= self.service_workloads.get(svc, set())
        routes = _keys(r for s in services for r in self.service_routes.get(s, ()))
        for route_key in routes:
            only_here = [s for s in self.route_services[route_key]
                         if self.service_nodes.get(s) == {name}]
            if only_here:
                label = self.route_label(route_key)
                findings.append(_problem(f"route {label}", f"route {label}: every endpoint of "
                                         f"{', '.join(sorted(only_here))} runs on this node",
                                         f"routes|{route_key}"))
        findings += self._orphan_pods_on(name)
        return NodeImpact(
            subject=f"node {name}",
            found=name in self.nodes,
            nodes=(name,),
            volumes=_keys([*attached, *replica_volumes]),
            replicas=_keys(r.key for r in replicas),
            load_balancers=tuple(lbs),
            ips=_keys(ip for k in lbs for ip in self.lbs[k].ips),
            services=_keys(services),
            routes=routes,
            workloads=_keys(workloads),
            apps=self._related_apps(workloads, services, routes),
            pods=self._running_on(name),
            findings=tuple(findings),
            volumes_attached=tuple(attached),
            last_replica_volumes=tuple(last),
        )

    def for_volume(self, key: str) -> Impact:
        volume = self.volumes.get(key)
        if volume is None:
            return _not_found(f"volume {key}")
        workloads = self.volume_workloads.get(key, set())
        services = self._follow(self.workload_services, workloads)
        routes = _keys(self._follow(self.service_routes, services))
        healthy = self.healthy_replica_nodes(key)
        findings: list[Finding] = []
        subject = f"volume {key}"
        if volume.replicas_wanted and len(healthy) < volume.replicas_wanted and volume.node:
            findings.append(_problem(subject, f"only {len(healthy)} of {volume.replicas_wanted} replicas are healthy"))
        if len(set(healthy)) == 1:
            findings.append(_problem(subject, f"every healthy replica is on node {healthy[0]}", f"nodes|{healthy[0]}"))
        return Impact(
            subject=f"volume {key}",
            nodes=_keys([volume.node, *volume.replica_nodes]),
            volumes=(key,),
            replicas=_keys(r.key for r in self.replicas_of.get(key, [])),
            services=_keys(services),
            routes=routes,
            workloads=_keys(workloads),
            apps=self._related_apps(workloads, services, routes),
            pods=self._volume_pods(key),
            findings=tuple(findings),
        )

    def for_lb(self, key: str) -> Impact:
        lb = self.lbs.get(key)
        if lb is None:
            return _not_found(f"load balancer {key}")
        routes = _keys(self.routes_behind(key))
        workloads = self.service_workloads.get(key, set())
        findings: list[Finding] = []
        if lb.pending:
            findings.append(_warning(f"load balancer {key}", "no IP assigned yet"))
        if lb.ips and not lb.announcing_node:
            findings.append(_problem(f"load balancer {key}", "no node announces this IP (no ServiceL2Status)"))
        return Impact(
            subject=f"load balancer {key}",
            nodes=_keys([lb.announcing_node, *self.service_nodes.get(key, ())]),
            load_balancers=(key,),
            ips=lb.ips,
            pools=_keys([lb.pool]),
            services=(key,),
            routes=routes,
            workloads=_keys(workloads),
            apps=self._related_apps(workloads, [key], routes),
            pods=self._workloads_pods(workloads),
            findings=tuple(findings),
        )

    def for_route(self, key: str) -> Impact:
        route = self.routes.get(key)
        if route is None:
            return _not_found(f"route {key}")
        services = self.route_services.get(key, set())
        workloads = self._follow(self.service_workloads, services)
        volumes = self._follow(self.workload_volumes, workloads)
        nodes = self._follow(self.service_nodes, services)
        # the route's own problems already name a backend without ready endpoints (check_backends)
        label = self.route_label(key)
        findings = [_warning(f"route {label}", problem) for problem in route.problems]
        return Impact(
            subject=f"route {label}",
            nodes=_keys(nodes),
            volumes=_keys(volumes),
            load_balancers=self.ingress_lbs,
            ips=_keys(ip for lb in self.ingress_lbs for ip in self.lbs[lb].ips),
            services=_keys(services),
            routes=(key,),
            workloads=_keys(workloads),
            apps=self._related_apps(workloads, services, [key]),
            pods=self._workloads_pods(workloads),
            findings=tuple(findings),
        )

    def for_app(self, key: str) -> Impact:
        app = self.apps.get(key)
        if app is None:
            return _not_found(f"app {key}")
        refs = self.app_refs.get(key, set())
        workloads = {r for r in refs if r in self.workloads}
        services = {r.split("/", 1)[1] for r in refs if r.startswith("Service/")}
        services |= self._follow(self.workload_services, workloads)
        routes = {r for r in refs if r.split("/", 1)[0] in ROUTE_KINDS}  # "Kind/ns/name" is a route key
        routes |= self._follow(self.service_routes, services)
        volumes = self._follow(self.workload_volumes, workloads)
        nodes = self._follow(self.service_nodes, services) | self.volume_nodes(volumes)
        findings = [_warning(ref, f"{ref} is out of sync") for ref in app.out_of_sync]
        return Impact(
            subject=f"app {key}",
            nodes=_keys(nodes),
            volumes=_keys(volumes),
            load_balancers=_keys(s for s in services if s in self.lbs),
            services=_keys(services),
            routes=_keys(r for r in routes if r in self.routes),
            workloads=_keys(workloads),
            apps=(key,),
            pods=self.pods_of("apps", key),
            findings=tuple(findings),
        )

    def for_workload(self, key: str) -> Impact:
        """A Deployment/StatefulSet ("Kind/ns/name"): where its pods run, the volumes it mounts,
        the Services, LB IPs and routes that lead to it, and the app that owns it."""
        workload = self.workloads.get(key)
        if workload is None:
            return _not_found(f"workload {key}")
        services = self.workload_services.get(key, set())
        volumes = self.workload_volumes.get(key, set())
        routes = {r for s in services for r in self.routes_behind(s)}
        lbs = {s for s in services if s in self.lbs} | (set(self.ingress_lbs) if routes else set())
        findings: list[Finding] = []
        subject = f"workload {key}"
        if workload.replicas and (workload.ready or 0) < workload.replicas:
            findings.append(_problem(subject, f"only {workload.ready or 0} of {workload.replicas} pods are ready"))
        if self.endpoints_known:
            findings += [_problem(f"service {s}", f"service {s} has no ready endpoints") for s in sorted(services)
                         if not self.service_nodes.get(s)]
        for volume_key in sorted(volumes):
            volume = self.volumes[volume_key]
            if volume.robustness in ("degraded", "faulted"):
                healthy = len(self.healthy_replica_nodes(volume_key))
                findings.append(_warning(f"volume {volume.pvc or volume.name}",
                                         f"volume {volume.pvc or volume.name} is {volume.robustness}: "
                                         f"{healthy} of {volume.replicas_wanted or '?'} replicas healthy",
                                         f"volumes|{volume_key}"))
        if routes and set(self.ingress_lbs) & services:
            findings.append(_warning(subject, f"all {len(routes)} routes enter through this workload"))
        else:
            findings += [_warning(f"route {self.route_label(r)}",
                                  f"route {self.route_label(r)} enters through this workload", f"routes|{r}")
                         for r in sorted(routes)]
        return Impact(
            subject=f"workload {key}",
            nodes=_keys(self._follow(self.service_nodes, services) | self.volume_nodes(volumes)),
            volumes=_keys(volumes),
            load_balancers=_keys(lbs),
            ips=_keys(ip for lb in lbs for ip in self.lbs[lb].ips),
            pools=_keys(self.lbs[lb].pool for lb in lbs),
            services=_keys(services),
            routes=_keys(routes),
            workloads=(key,),
            pods=self.pods_of("workloads", key),
            # the apps whose routes pass through it (Traefik) go down with it too
            apps=self._related_apps({key} | self._follow(self.service_workloads,
                                                         self._follow(self.route_services, routes)),
                                    services, routes),
            findings=tuple(findings),
        )
