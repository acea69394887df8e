"""Row models: what every pane, the snapshot command and the impact view read.

Frozen dataclasses built by the tolerant parsers in ``tui.core.parsers``. A field the
object did not carry (or carried with the wrong type) is ``None`` / empty, never an
exception. The first fields of each row are the JSON contract of ``clusterdeck snapshot``
(issue 2); fields after the ``# extra`` line may grow freely.

Every row has ``key``: the identity the tables use to reconcile rows in place
("ns/name", or "name" for cluster-scoped objects; "Kind/ns/name" for routes, see route_key).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


def object_key(namespace: str | None, name: str | None) -> str:
    return f"{namespace}/{name}" if namespace else (name or "")


LEGACY_TRAEFIK_GROUP = "traefik.containo.us"  # Traefik v2's API group; v3 reads only traefik.io


def route_key(source: str, api_group: str | None, namespace: str | None, name: str) -> str:
    """A route's identity: kind and (for the legacy Traefik group) group, then ns/name, so an
    Ingress, an IngressRoute and a legacy IngressRoute of one name are three rows."""
    kind = f"{source}.{api_group}" if api_group == LEGACY_TRAEFIK_GROUP else source
    return f"{kind}/{object_key(namespace, name)}"


@dataclass(frozen=True, slots=True)
class Row:
    """Base: identity plus the contract-to-dict helper."""

    def to_json(self) -> dict[str, Any]:
        """The row as the snapshot JSON contract writes it (lists, not tuples)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.startswith("_"):
                continue
            out[f.name] = _plain(value)
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Row):
        return value.to_json()
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value


@dataclass(frozen=True, slots=True)
class NodeRow(Row):
    name: str
    ready: bool | None  # Ready condition: True/False, Unknown or missing -> None
    roles: tuple[str, ...]  # from node-role.kubernetes.io/<role>; () for agents
    kubelet_version: str | None
    internal_ip: str | None
    unschedulable: bool  # cordoned
    pressure: tuple[str, ...]  # condition types that are True: MemoryPressure, DiskPressure, ...
    # extra
    key: str = ""
    taints: tuple[str, ...] = ()  # "key=value:Effect"
    os_image: str | None = None
    kernel_version: str | None = None
    cpu: str | None = None  # capacity, as written
    memory: str | None = None
    created: str | None = None  # metadata.creationTimestamp
    ready_reason: str | None = None
    ready_message: str | None = None
    other_conditions: tuple[str, ...] = ()  # "EtcdIsVoter=True": neither Ready nor a known pressure; neutral


@dataclass(frozen=True, slots=True)
class VolumeRow(Row):
    name: str
    namespace: str | None
    state: str | None  # creating/attached/detached/attaching/detaching/deleting
    robustness: str | None  # healthy/degraded/faulted/unknown
    node: str | None  # attached node (status.currentNodeID) or None
    size_bytes: int | None
    replicas_wanted: int | None
    pvc: str | None  # "ns/name" of the bound PVC, or None
    # extra
    key: str = ""
    frontend: str | None = None
    access_mode: str | None = None
    actual_size_bytes: int | None = None
    workloads: tuple[str, ...] = ()  # "ns/workloadName" from kubernetesStatus.workloadsStatus
    pods: tuple[str, ...] = ()  # "ns/podName"
    replicas_healthy: int | None = None  # replicas in RW mode (from the engine or replicas)
    replica_nodes: tuple[str, ...] = ()  # nodes that store a replica of this volume
    attachment_tickets: tuple[str, ...] = ()  # "id(type)->node" from the VolumeAttachment
    conditions: tuple[str, ...] = ()  # condition types with a problem
    created: str | None = None
    # data safety (issue 15): the volume's own status first, Backup/Snapshot CRs when served
    recurring_selection: tuple[str, ...] = ()  # "job:<name>" / "group:<name>" its labels enable
    recurring_jobs: tuple[str, ...] = ()  # "<name>: <task> <cron>" of the RecurringJobs that apply
    backup_crons: tuple[str, ...] = ()  # the cron of each backup job that applies
    recurring_jobs_known: bool = True  # False: RecurringJobs not served / not in the dump (unknown, not none)
    last_backup: str | None = None  # newest Completed backup
    last_backup_at: str | None = None
    backup_state: str | None = None  # state of the newest backup of any state (InProgress, Error...)
    backup_progress: int | None = None  # its status.progress while it runs
    backup_error: str | None = None
    snapshot_count: int | None = None  # None: Snapshots not served (unknown, not none)
    snapshot_size_bytes: int | None = None
    snapshot_names: tuple[str, ...] = ()  # newest first (the delete-snapshot choice)
    backup_target_name: str | None = None  # spec.backupTargetName (Longhorn 1.8+)
    backup_target: str | None = None  # the target URL backups go to
    backup_target_available: bool | None = None
    backup_target_message: str | None = None
    rebuild_progress: int | None = None  # lowest progress of the replicas being rebuilt, percent
    rebuild_eta_at: str | None = None  # when that rebuild ends at the rate seen so far
    rebuilds: tuple[str, ...] = ()  # "<replica> on <node>: 63%, ETA 14:09:00Z" per replica being rebuilt


@dataclass(frozen=True, slots=True)
class DiskRow(Row):
    """One disk of a Longhorn node: spec.disks[name] joined with status.diskStatus[name]."""

    name: str
    path: str | None
    allow_scheduling: bool | None  # spec: the operator's switch
    schedulable: bool | None  # status condition Schedulable (False on DiskPressure, DiskNotReady)
    storage_maximum: int | None
    storage_available: int | None
    storage_reserved: int | None  # spec.disks[d].storageReserved (not in status)
    storage_scheduled: int | None
    problems: tuple[str, ...] = ()  # "Ready=False: DiskNotReady" for each condition not True


@dataclass(frozen=True, slots=True)
class LonghornNodeRow(Row):
    name: str
    namespace: str | None
    ready: bool | None
    schedulable: bool | None
    storage_maximum: int | None  # bytes, summed over disks
    storage_available: int | None
    storage_scheduled: int | None
    disks_with_pressure: tuple[str, ...] = ()
    key: str = ""
    storage_reserved: int | None = None  # summed spec.disks[].storageReserved
    allow_scheduling: bool | None = None  # spec.allowScheduling
    schedulable_reason: str | None = None  # the Schedulable condition's reason when not True
    disks: tuple[DiskRow, ...] = ()


@dataclass(frozen=True, slots=True)
class ReplicaRow(Row):
    name: str
    namespace: str | None
    volume: str | None
    node: str | None
    mode: str | None  # RW / WO / ERR, from the engine's replicaModeMap when known
    running: bool | None
    failed: bool  # spec.failedAt set
    key: str = ""
    healthy_at: str | None = None  # spec.healthyAt: set once the replica finished rebuilding
    disk_id: str | None = None
    address: str | None = None  # engine spec.replicaAddressMap, where rebuildStatus names it
    rebuild_progress: int | None = None  # engine status.rebuildStatus while it is rebuilt
    rebuild_state: str | None = None
    rebuild_error: str | None = None
    rebuild_eta_at: str | None = None


@dataclass(frozen=True, slots=True)
class IpPoolRow(Row):
    name: str
    addresses: tuple[str, ...]  # as written in spec.addresses
    total: int | None  # None when the pool is too large to count (IPv6 /64 and bigger)
    used: int
    auto_assign: bool
    # extra
    key: str = ""
    namespace: str | None = None
    avoid_buggy_ips: bool = False
    advertised: bool = False  # an L2Advertisement or BGPAdvertisement selects this pool (or all pools)
    services: tuple[str, ...] = ()  # "ns/name" of LB services holding an IP from this pool
    advertised_by: tuple[str, ...] = ()  # "L2", "BGP"
    # MetalLB >= 0.15 writes status.assigned/availableIPv4/6; None when the pool has no status
    reported_used: int | None = None
    reported_available: int | None = None
    allocation: tuple[str, ...] = ()  # spec.serviceAllocation, in words: "namespaces: a, b", "priority 10"


@dataclass(frozen=True, slots=True)
class LoadBalancerRow(Row):
    namespace: str | None
    name: str
    ips: tuple[str, ...]
    pool: str | None
    announcing_node: str | None
    # extra
    key: str = ""
    ports: tuple[str, ...] = ()  # "80/TCP"
    selector: tuple[str, ...] = ()  # "k=v"
    pending: bool = False  # type LoadBalancer without an IP yet
    requested_pool: str | None = None  # metallb.io/address-pool annotation
    external_traffic_policy: str | None = None
    # "name:port": Traefik's chart names its Service ports after its entrypoints
    named_ports: tuple[str, ...] = ()
    # metallb.io/loadBalancerIPs (comma-separated), else the deprecated spec.loadBalancerIP
    requested_ips: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RouteRow(Row):
    namespace: str | None
    name: str
    source: str  # "IngressRoute", "IngressRouteTCP", "IngressRouteUDP" or "Ingress"
    hosts: tuple[str, ...]  # exact hosts; HostRegexp patterns shown as "~<pattern>"
    entrypoints: tuple[str, ...]
    backends: tuple[str, ...]  # "ns/svc:port"
    tls: bool
    problems: tuple[str, ...]
    # extra
    key: str = ""
    api_group: str | None = None  # traefik.io, traefik.containo.us, networking.k8s.io
    rules: tuple[str, ...] = ()  # the raw match rules
    middlewares: tuple[str, ...] = ()
    tls_secret: str | None = None
    cert_resolver: str | None = None
    # Traefik's own view (its API): enabled / disabled / warning / absent (no router for a route
    # it should serve); None when the Traefik API is not configured or not heard from yet
    traefik_status: str | None = None
    traefik_routers: tuple[str, ...] = ()  # "<name>@<provider>" of the routers serving this route
    notes: tuple[str, ...] = ()  # facts that are not problems (a legacy API group, a cert expiring soon)
    # TLS Secrets to check: ("ns/secret", hosts its certificate must cover); then what they hold
    tls_certs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    cert_state: str | None = None  # ok / warning (< 14 days left) / expired; None: no certificate read
    cert_expires: str | None = None  # the soonest notAfter (ISO 8601, UTC)
    cert_names: tuple[str, ...] = ()  # the SANs (DNS, then IP) of the route's certificates
    tls_passthrough: bool = False  # IngressRouteTCP: the backend terminates TLS
    tls_options: str | None = None  # the TLSOption named ("ns/name", or "name@provider")
    servers_transports: tuple[str, ...] = ()  # ServersTransports the backends name (same forms)

    @property
    def ref(self) -> str:
        """"ns/name" of the object (its key in its kind's store bucket)."""
        return object_key(self.namespace, self.name)

    @property
    def legacy(self) -> bool:
        return self.api_group == LEGACY_TRAEFIK_GROUP

    @property
    def bucket(self) -> str:
        """The KINDS key of the object: "ingresses", "ingressroutetcps_legacy", ..."""
        if self.source == "Ingress":
            return "ingresses"
        return f"{self.source.lower()}s{'_legacy' if self.legacy else ''}"

    @property
    def label(self) -> str:
        """How people name the route: ns/name, and the legacy group when it is in that one."""
        return f"{self.ref} (legacy {self.api_group})" if self.legacy else self.ref


@dataclass(frozen=True, slots=True)
class AppRow(Row):
    namespace: str | None
    name: str
    project: str | None
    sync: str | None  # Synced / OutOfSync / Unknown
    health: str | None  # Healthy / Progressing / Degraded / Suspended / Missing / Unknown
    revision: str | None  # first (or only) revision
    operation: str | None  # last operation phase, or None
    auto_sync: bool
    message: str | None  # operation message, or health message, or first error condition
    # extra
    key: str = ""
    revisions: tuple[str, ...] = ()
    repo_urls: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    target_revisions: tuple[str, ...] = ()
    dest_namespace: str | None = None
    dest_server: str | None = None
    self_heal: bool = False
    prune: bool = False
    resources: tuple[str, ...] = ()  # "Kind/ns/name" of managed resources
    out_of_sync: tuple[str, ...] = ()  # "Kind/ns/name" of resources not Synced
    history_ids: tuple[int, ...] = ()
    conditions: tuple[str, ...] = ()  # "Type: message"
    operation_started: str | None = None
    operation_finished: str | None = None
    operation_pending: bool = False  # .operation is set: a sync/rollback was requested, not yet run
    sources: tuple[str, ...] = ()  # "repoURL path @ targetRevision -> synced revision", one per source
    history: tuple[AppHistory, ...] = ()  # oldest first, as status.history holds it
    tree: tuple[AppResource, ...] = ()  # status.resources with their sync and health
    app_set: str | None = None  # the ApplicationSet that generated it (its controller ownerReference)


@dataclass(frozen=True, slots=True)
class AppResource(Row):
    """One status.resources entry: what the app manages, with its sync and health."""

    group: str
    kind: str
    namespace: str | None
    name: str
    sync: str | None  # Synced / OutOfSync / Unknown
    health: str | None  # absent for kinds without a health check (and in v3 unless persisted)
    health_message: str | None = None


@dataclass(frozen=True, slots=True)
class AppHistory(Row):
    """One status.history entry: what was deployed, when, from which source(s)."""

    id: int
    revisions: tuple[str, ...]  # `revision`, or multi-source `revisions` (one per source)
    deployed_at: str | None
    sources: tuple[str, ...]  # "repoURL path-or-chart @ targetRevision" per source
    initiated_by: str | None = None  # a user name, or "automated"


@dataclass(frozen=True, slots=True)
class WorkloadRow(Row):
    namespace: str | None
    name: str
    kind: str  # Deployment / StatefulSet
    replicas: int | None  # spec.replicas
    ready: int | None
    updated: int | None
    available: int | None
    # extra
    key: str = ""  # "Kind/ns/name"
    images: tuple[str, ...] = ()
    selector: tuple[str, ...] = ()
    revision: str | None = None  # deployment.kubernetes.io/revision
    restarted_at: str | None = None  # kubectl.kubernetes.io/restartedAt
    rollout: str | None = None  # "done" / "progressing: <why>" / "failed: <why>" (REFERENCE 5.2)
    owner_app: str | None = None  # argocd.argoproj.io/instance label or tracking-id
    template_labels: tuple[str, ...] = ()  # "k=v" of spec.template.metadata.labels (Service selectors)
    pvcs: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class PodRow(Row):
    """A Pod as `kubectl get pods` shows it, plus the links the index and the panes need."""

    namespace: str | None
    name: str
    ready: str  # "1/2": ready containers / containers
    status: str  # computed as kubectl computes STATUS (CrashLoopBackOff, Init:1/2, Terminating, ...)
    restarts: int  # summed over containers
    node: str | None
    # extra
    key: str = ""  # "ns/name"
    last_restart_at: str | None = None  # newest lastState.terminated.finishedAt of a restarted container
    ip: str | None = None
    phase: str | None = None
    owner: str | None = None  # workload key "Kind/ns/name" (ReplicaSet resolved to its Deployment)
    owner_kind: str | None = None  # the direct controller's kind (ReplicaSet, StatefulSet, DaemonSet, Node, Job)
    controlled: bool = False  # has a controller ownerReference (deleting it makes a new one)
    app: str | None = None  # Argo CD app "ns/name" when known
    containers: tuple[str, ...] = ()
    init_containers: tuple[str, ...] = ()
    pvcs: tuple[str, ...] = ()  # "ns/claim" of persistentVolumeClaim volumes
    reason: str | None = None  # the waiting/terminated reason behind status, when there is one
    message: str | None = None  # its message (the scheduler's, the kubelet's)
    broken: bool = False  # sorts first; status is not Running/Completed with all ready
    created: str | None = None
    deleting: bool = False  # deletionTimestamp set
    mirror: bool = False  # static pod (kubernetes.io/config.mirror annotation)
    daemonset: bool = False
    empty_dir: bool = False  # has emptyDir volumes (drain needs --delete-emptydir-data)
    controller_ref: str | None = None  # the direct controller "Kind/ns/name" (the ReplicaSet itself)
    labels: tuple[str, ...] = ()  # "k=v", for Service selectors
    pod_ready: bool = False  # its Ready condition is True (what a Service's endpoints follow)


@dataclass(frozen=True, slots=True)
class EventRow(Row):
    """Events aggregated as `kubectl events` does: one row per (object, reason, message)."""

    namespace: str | None
    object: str  # "Kind/name" of the regarding / involvedObject
    type: str  # Normal / Warning
    reason: str
    message: str
    count: int
    last_seen: str | None  # newest of eventTime / series.lastObservedTime / lastTimestamp
    # extra
    key: str = ""  # "ns/Kind/name/reason/message-hash"
    first_seen: str | None = None
    source: str | None = None  # reportingController / source.component
    object_key: str | None = None  # store key of the object ("ns/name"), for "e" on a row
