"""Server-side printing: the `meta.k8s.io` Table kubectl asks for, with each kind's real columns.

CRD columns mirror the projects' additionalPrinterColumns (JSONPath, type, priority); built-in
kinds mirror the kube-apiserver's printers. A CRD without columns prints NAME + AGE, as the
real API's default. Ages are relative to the emulator's clock.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui.emulator.resources import Resource

Getter = Callable[[dict[str, Any], datetime], Any]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string / integer / boolean / date, as in a TableColumnDefinition
    value: Getter
    priority: int = 0  # 1+: only with `-o wide`
    format: str = ""
    path: str = ""  # the JSONPath of an additionalPrinterColumn (crds.py lists them)


# ---- JSONPath-like field access ----------------------------------------------------------
_STEP = re.compile(r"\.([A-Za-z0-9_-]+)|\[\?\(@\.([A-Za-z0-9_.-]+)==['\"]([^'\"]*)['\"]\)\]")


def field(obj: Any, path: str) -> Any:
    """Value at `.a.b[?(@.type=='Ready')].c`, or None when any step is missing or mistyped."""
    value = obj
    for key, filter_key, filter_value in _STEP.findall(path):
        if key:
            value = value.get(key) if isinstance(value, dict) else None
        else:
            items = value if isinstance(value, list) else []
            value = next((i for i in items if isinstance(i, dict)
                          and str(field(i, "." + filter_key)) == filter_value), None)
        if value is None:
            return None
    return value


def human_age(created: Any, now: datetime) -> str:
    """kubectl's HumanDuration of now - created ("<unknown>" without a timestamp)."""
    if not isinstance(created, str) or not created:
        return "<unknown>"
    try:
        then = datetime.fromisoformat(created)
        seconds = int((now - then).total_seconds())
    except (ValueError, TypeError):
        return "<invalid>"
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if hours < 24 * 365 * 2:
        return f"{days}d"
    if hours < 24 * 365 * 8:
        return f"{days // 365}y{days % 365}d" if days % 365 else f"{days // 365}y"
    return f"{days // 365}y"


# ---- column builders ---------------------------------------------------------------------
def crd(name: str, path: str, type_: str = "string", priority: int = 0) -> Column:
    """An additionalPrinterColumn, converted as the apiextensions table convertor does."""
    def value(obj: dict[str, Any], now: datetime) -> Any:
        found = field(obj, path)
        if found is None:
            return None
        if type_ == "date":
            return human_age(found, now)
        if type_ == "string":
            return found if isinstance(found, str) else json.dumps(found, separators=(",", ":"))
        if type_ == "boolean":
            return found if isinstance(found, bool) else None
        if type_ == "integer":
            return found if isinstance(found, int) and not isinstance(found, bool) else None
        return found
    return Column(name, type_, value, priority, path=path)


def builtin(name: str, value: Getter, priority: int = 0, type_: str = "string") -> Column:
    return Column(name, type_, value, priority)


AGE = builtin("Age", lambda o, now: human_age(field(o, ".metadata.creationTimestamp"), now))
CRD_AGE = crd("Age", ".metadata.creationTimestamp", "date")


def _text(value: Any, empty: str = "<none>") -> str:
    return empty if value in (None, "", []) else str(value)


def _int(obj: dict[str, Any], path: str) -> int:
    value = field(obj, path)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _list(obj: dict[str, Any], path: str) -> list[Any]:
    value = field(obj, path)
    return value if isinstance(value, list) else []


def _maps(obj: dict[str, Any], path: str) -> list[dict[str, Any]]:
    return [i for i in _list(obj, path) if isinstance(i, dict)]


# ---- built-in printers -------------------------------------------------------------------
def node_status(obj: dict[str, Any], _now: datetime) -> str:
    # The real printer: Ready=True -> Ready; False or Unknown -> NotReady; absent -> Unknown.
    ready = field(obj, ".status.conditions[?(@.type=='Ready')].status")
    status = "Unknown" if ready is None else ("Ready" if ready == "True" else "NotReady")
    if field(obj, ".spec.unschedulable") is True:
        status += ",SchedulingDisabled"
    return status


def node_roles(obj: dict[str, Any], _now: datetime) -> str:
    labels = field(obj, ".metadata.labels") or {}
    roles = {k.removeprefix("node-role.kubernetes.io/") for k in labels
             if k.startswith("node-role.kubernetes.io/") and k != "node-role.kubernetes.io/"}
    if isinstance(labels.get("kubernetes.io/role"), str) and labels["kubernetes.io/role"]:
        roles.add(labels["kubernetes.io/role"])
    return ",".join(sorted(r for r in roles if r)) or "<none>"


def _node_address(kind: str) -> Getter:
    return lambda o, _n: _text(next((a.get("address") for a in _maps(o, ".status.addresses")
                                     if a.get("type") == kind), None))


def _node_info(key: str) -> Getter:
    return lambda o, _n: _text(field(o, f".status.nodeInfo.{key}"), "<unknown>")


def _lb_addresses(obj: dict[str, Any]) -> list[str]:
    return [str(i.get("ip") or i.get("hostname")) for i in _maps(obj, ".status.loadBalancer.ingress")
            if i.get("ip") or i.get("hostname")]


def service_external_ip(obj: dict[str, Any], _now: datetime) -> str:
    kind = field(obj, ".spec.type") or "ClusterIP"
    external = [str(ip) for ip in _list(obj, ".spec.externalIPs")]
    if kind == "ExternalName":
        return _text(field(obj, ".spec.externalName"))
    if kind == "LoadBalancer":
        addresses = _lb_addresses(obj) + external
        return ",".join(addresses) if addresses else "<pending>"
    return ",".join(external) or "<none>"


def service_ports(obj: dict[str, Any], _now: datetime) -> str:
    out = []
    for p in _maps(obj, ".spec.ports"):
        node_port = f":{p['nodePort']}" if p.get("nodePort") else ""
        out.append(f"{p.get('port')}{node_port}/{p.get('protocol') or 'TCP'}")
    return ",".join(out) or "<none>"


def _ready_of_desired(obj: dict[str, Any], _now: datetime) -> str:
    desired = field(obj, ".spec.replicas")
    return f"{_int(obj, '.status.readyReplicas')}/{desired if isinstance(desired, int) else 1}"


def _containers(key: str) -> Getter:
    return lambda o, _n: _text(",".join(str(c.get(key, "")) for c in
                                        _maps(o, ".spec.template.spec.containers")))


def _selector(obj: dict[str, Any], _now: datetime) -> str:
    labels = field(obj, ".spec.selector.matchLabels") or field(obj, ".spec.selector")
    if not isinstance(labels, dict):
        return "<none>"
    return ",".join(f"{k}={v}" for k, v in labels.items() if isinstance(v, str)) or "<none>"


def _first_three(values: list[str]) -> str:
    if len(values) > 3:
        return ",".join(values[:3]) + f" + {len(values) - 3} more..."
    return ",".join(values)


def slice_ports(obj: dict[str, Any], _now: datetime) -> str:
    ports = _maps(obj, ".ports")
    return ",".join(str(p.get("port", "<unset>")) for p in ports) or "<unset>"


def slice_endpoints(obj: dict[str, Any], _now: datetime) -> str:
    addresses = [str(a) for e in _maps(obj, ".endpoints") for a in (e.get("addresses") or [])]
    return _first_three(addresses) or "<unset>"


def ingress_hosts(obj: dict[str, Any], _now: datetime) -> str:
    hosts = [str(r.get("host")) for r in _maps(obj, ".spec.rules") if r.get("host")]
    return _first_three(hosts) or "*"


def ingress_ports(obj: dict[str, Any], _now: datetime) -> str:
    return "80, 443" if _list(obj, ".spec.tls") else "80"


def _wide_containers() -> list[Column]:
    return [builtin("Containers", _containers("name"), 1), builtin("Images", _containers("image"), 1)]


def _count(path: str) -> Getter:
    return lambda o, _n: _int(o, path)


def _restart_time(status: dict[str, Any]) -> str:
    terminated = (status.get("lastState") or {}).get("terminated") or {}
    return str(terminated.get("finishedAt") or "")


def pod_summary(obj: dict[str, Any]) -> tuple[str, int, int, str]:
    """(STATUS, ready containers, restarts, last restart time) as kubectl's pod printer computes them."""
    found = obj.get("status")
    status: dict[str, Any] = found if isinstance(found, dict) else {}
    reason = str(status.get("reason") or status.get("phase") or "")
    restarts, last, ready_count = 0, "", 0
    inits = _maps(obj, ".status.initContainerStatuses")
    init_specs = _list(obj, ".spec.initContainers")
    initializing = False
    for i, c in enumerate(inits):
        restarts += c.get("restartCount") or 0
        last = max(last, _restart_time(c))
        state = c.get("state") or {}
        term, wait = state.get("terminated") or {}, state.get("waiting") or {}
        if term and term.get("exitCode") == 0:
            continue
        if term:
            reason = "Init:" + (term.get("reason") or (f"Signal:{term['signal']}" if term.get("signal")
                                                       else f"ExitCode:{term.get('exitCode')}"))
        elif wait.get("reason") and wait["reason"] != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break
    initialized = field(obj, ".status.conditions[?(@.type=='Initialized')].status") == "True"
    if not initializing or initialized:
        restarts, running = 0, False
        for c in reversed(_maps(obj, ".status.containerStatuses")):
            restarts += c.get("restartCount") or 0
            last = max(last, _restart_time(c))
            state = c.get("state") or {}
            term, wait = state.get("terminated") or {}, state.get("waiting") or {}
            if wait.get("reason"):
                reason = wait["reason"]
            elif term.get("reason"):
                reason = term["reason"]
            elif term:
                reason = f"Signal:{term['signal']}" if term.get("signal") else f"ExitCode:{term.get('exitCode')}"
            elif c.get("ready") and "running" in state:
                running = True
                ready_count += 1
        if reason == "Completed" and running:
            ready = field(obj, ".status.conditions[?(@.type=='Ready')].status") == "True"
            reason = "Running" if ready else "NotReady"
    if field(obj, ".metadata.deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif field(obj, ".metadata.deletionTimestamp") and reason not in ("Completed", "Succeeded", "Failed"):
        reason = "Terminating"
    return reason, ready_count, restarts, last


def _pod_ready(obj: dict[str, Any], _now: datetime) -> str:
    return f"{pod_summary(obj)[1]}/{len(_list(obj, '.spec.containers'))}"


def _pod_restarts(obj: dict[str, Any], now: datetime) -> str:
    _, _, restarts, last = pod_summary(obj)
    return f"{restarts} ({human_age(last, now)} ago)" if last else str(restarts)


def _event_last_seen(obj: dict[str, Any], now: datetime) -> str:
    last = (field(obj, ".series.lastObservedTime") or field(obj, ".lastTimestamp")
            or field(obj, ".deprecatedLastTimestamp") or field(obj, ".eventTime"))
    return human_age(str(last).replace(".000000Z", "Z") if last else None, now)


def _event_object(obj: dict[str, Any], _now: datetime) -> str:
    ref = field(obj, ".involvedObject") or field(obj, ".regarding") or {}
    return f"{str(ref.get('kind', '')).lower()}/{ref.get('name', '')}" if isinstance(ref, dict) else ""


def _event_source(obj: dict[str, Any], _now: datetime) -> str:
    src = field(obj, ".source") or field(obj, ".deprecatedSource") or {}
    if not isinstance(src, dict):
        return ""
    return ", ".join(str(v) for v in (src.get("component"), src.get("host")) if v)


def _event_columns(message: str, first: str, count: str) -> list[Column]:
    return [
        builtin("Last Seen", _event_last_seen), builtin("Type", lambda o, _n: _text(field(o, ".type"), "")),
        builtin("Reason", lambda o, _n: _text(field(o, ".reason"), "")), builtin("Object", _event_object),
        builtin("Subobject", lambda o, _n: _text(field(o, ".involvedObject.fieldPath")
                                                  or field(o, ".regarding.fieldPath"), ""), 1),
        builtin("Source", _event_source, 1),
        builtin("Message", lambda o, _n: _text(field(o, message), "")),
        builtin("First Seen", lambda o, now: human_age(field(o, first), now), 1),
        builtin("Count", lambda o, _n: _int(o, count) or 1, 1, "integer"),
        builtin("Name", lambda o, _n: _text(field(o, ".metadata.name"), ""), 1),
    ]


def _pdb_value(path: str) -> Getter:
    return lambda o, _n: "N/A" if field(o, path) is None else str(field(o, path))


_NODE = [
    builtin("Status", node_status), builtin("Roles", node_roles), AGE,
    builtin("Version", lambda o, _n: _text(field(o, ".status.nodeInfo.kubeletVersion"), "")),
    builtin("Internal-IP", _node_address("InternalIP"), 1),
    builtin("External-IP", _node_address("ExternalIP"), 1),
    builtin("OS-Image", _node_info("osImage"), 1),
    builtin("Kernel-Version", _node_info("kernelVersion"), 1),
    builtin("Container-Runtime", _node_info("containerRuntimeVersion"), 1),
]

_LONGHORN_INSTANCE = [
    crd("Data Engine", ".spec.dataEngine"), crd("State", ".status.currentState"),
    crd("Node", ".spec.nodeID"),
]

# Keyed by (group, plural); what is absent prints NAME + AGE.
COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "nodes"): _NODE,
    ("apiextensions.k8s.io", "customresourcedefinitions"): [  # `kubectl get crd`: NAME, CREATED AT
        Column("Created At", "date", lambda o, _n: field(o, ".metadata.creationTimestamp"), 0, "date-time")],
    ("", "services"): [
        builtin("Type", lambda o, _n: _text(field(o, ".spec.type"), "ClusterIP")),
        builtin("Cluster-IP", lambda o, _n: _text(field(o, ".spec.clusterIP"))),
        builtin("External-IP", service_external_ip), builtin("Port(s)", service_ports), AGE,
        builtin("Selector", lambda o, _n: _text(",".join(
            f"{k}={v}" for k, v in (field(o, ".spec.selector") or {}).items())), 1),
    ],
    ("", "namespaces"): [builtin("Status", lambda o, _n: _text(field(o, ".status.phase"), "Active")), AGE],
    ("", "pods"): [
        builtin("Ready", _pod_ready), builtin("Status", lambda o, _n: pod_summary(o)[0]),
        builtin("Restarts", _pod_restarts), AGE,
        builtin("IP", lambda o, _n: _text(field(o, ".status.podIP")), 1),
        builtin("Node", lambda o, _n: _text(field(o, ".spec.nodeName")), 1),
        builtin("Nominated Node", lambda o, _n: _text(field(o, ".status.nominatedNodeName")), 1),
        builtin("Readiness Gates", lambda o, _n: _text(",".join(
            str(g.get("conditionType")) for g in _maps(o, ".spec.readinessGates"))), 1),
    ],
    ("", "events"): _event_columns(".message", ".firstTimestamp", ".count"),
    ("events.k8s.io", "events"): _event_columns(".note", ".deprecatedFirstTimestamp", ".series.count"),
    ("policy", "poddisruptionbudgets"): [
        builtin("Min Available", _pdb_value(".spec.minAvailable")),
        builtin("Max Unavailable", _pdb_value(".spec.maxUnavailable")),
        builtin("Allowed Disruptions", _count(".status.disruptionsAllowed"), type_="integer"), AGE,
    ],
    ("apps", "daemonsets"): [
        builtin("Desired", _count(".status.desiredNumberScheduled"), type_="integer"),
        builtin("Current", _count(".status.currentNumberScheduled"), type_="integer"),
        builtin("Ready", _count(".status.numberReady"), type_="integer"),
        builtin("Up-to-date", _count(".status.updatedNumberScheduled"), type_="integer"),
        builtin("Available", _count(".status.numberAvailable"), type_="integer"),
        builtin("Node Selector", lambda o, _n: _text(",".join(
            f"{k}={v}" for k, v in (field(o, ".spec.template.spec.nodeSelector") or {}).items())), type_="string"),
        AGE, *_wide_containers(), builtin("Selector", _selector, 1),
    ],
    ("apps", "deployments"): [
        builtin("Ready", _ready_of_desired),
        builtin("Up-to-date", _count(".status.updatedReplicas"), type_="integer"),
        builtin("Available", _count(".status.availableReplicas"), type_="integer"), AGE,
        *_wide_containers(), builtin("Selector", _selector, 1),
    ],
    ("apps", "statefulsets"): [builtin("Ready", _ready_of_desired), AGE, *_wide_containers()],
    ("apps", "replicasets"): [
        builtin("Desired", lambda o, _n: field(o, ".spec.replicas") if isinstance(
            field(o, ".spec.replicas"), int) else 1, type_="integer"),
        builtin("Current", _count(".status.replicas"), type_="integer"),
        builtin("Ready", _count(".status.readyReplicas"), type_="integer"), AGE,
        *_wide_containers(), builtin("Selector", _selector, 1),
    ],
    ("discovery.k8s.io", "endpointslices"): [
        builtin("AddressType", lambda o, _n: _text(field(o, ".addressType"))),
        builtin("Ports", slice_ports), builtin("Endpoints", slice_endpoints), AGE,
    ],
    ("networking.k8s.io", "ingresses"): [
        builtin("Class", lambda o, _n: _text(field(o, ".spec.ingressClassName"))),
        builtin("Hosts", ingress_hosts),
        builtin("Address", lambda o, _n: ",".join(_lb_addresses(o))),
        builtin("Ports", ingress_ports), AGE,
    ],
    # Longhorn v1beta2 CRDs
    ("longhorn.io", "volumes"): [
        crd("Data Engine", ".spec.dataEngine"), crd("State", ".status.state"),
        crd("Robustness", ".status.robustness"),
        # As the real CRD: it filters on Schedulable, a type volumes never carry (column stays empty).
        crd("Scheduled", ".status.conditions[?(@.type=='Schedulable')].status"),
        crd("Size", ".spec.size"), crd("Node", ".status.currentNodeID"), CRD_AGE,
    ],
    ("longhorn.io", "nodes"): [
        crd("Ready", ".status.conditions[?(@.type=='Ready')].status"),
        crd("AllowScheduling", ".spec.allowScheduling", "boolean"),
        crd("Schedulable", ".status.conditions[?(@.type=='Schedulable')].status"), CRD_AGE,
    ],
    ("longhorn.io", "replicas"): [
        *_LONGHORN_INSTANCE, crd("Disk", ".spec.diskID"),
        crd("InstanceManager", ".status.instanceManagerName"), crd("Image", ".status.currentImage"),
        CRD_AGE,
    ],
    ("longhorn.io", "engines"): [
        *_LONGHORN_INSTANCE, crd("InstanceManager", ".status.instanceManagerName"),
        crd("Image", ".status.currentImage"), CRD_AGE,
    ],
    # MetalLB v1beta1 CRDs (no Age column in their printer columns)
    ("metallb.io", "ipaddresspools"): [
        crd("Auto Assign", ".spec.autoAssign", "boolean"),
        crd("Avoid Buggy IPs", ".spec.avoidBuggyIPs", "boolean"),
        crd("Addresses", ".spec.addresses"),
    ],
    ("metallb.io", "l2advertisements"): [
        crd("IPAddressPools", ".spec.ipAddressPools"),
        crd("IPAddressPool Selectors", ".spec.ipAddressPoolSelectors"),
        crd("Interfaces", ".spec.interfaces"),
        crd("Node Selectors", ".spec.nodeSelectors", priority=10),
    ],
    ("metallb.io", "servicel2statuses"): [
        crd("Allocated Node", ".status.node"), crd("Service Name", ".status.serviceName"),
        crd("Service Namespace", ".status.serviceNamespace"),
    ],
    # Argo CD
    ("argoproj.io", "applications"): [
        crd("Sync Status", ".status.sync.status"), crd("Health Status", ".status.health.status"),
        crd("Revision", ".status.sync.revision", priority=10), crd("Project", ".spec.project", priority=10),
    ],
}


def columns_for(res: Resource) -> list[Column]:
    found = COLUMNS.get((res.group, res.plural))
    if found is not None:
        return found
    return [CRD_AGE] if res.is_crd else [AGE]


# ---- the Table itself --------------------------------------------------------------------
def table_version(accept: str) -> str | None:
    """`v1`/`v1beta1` when the Accept header's first usable entry asks for a meta.k8s.io Table."""
    for entry in accept.split(","):
        media, *params = [p.strip() for p in entry.split(";")]
        if media not in ("application/json", "*/*", "application/*"):
            continue
        opts = dict(p.split("=", 1) for p in params if "=" in p)
        if opts.get("as") == "Table" and opts.get("g") == "meta.k8s.io" and opts.get("v") in ("v1", "v1beta1"):
            return opts["v"]
        if "as" not in opts:
            return None  # plain JSON preferred over any later Table entry
    return None


# Kinds whose printer has no leading Name column (an event is read by what it is about).
NAMELESS = frozenset({("", "events"), ("events.k8s.io", "events")})


def _row(obj: dict[str, Any], columns: list[Column], now: datetime, include: str,
         version: str, named: bool = True) -> dict[str, Any]:
    found = obj.get("metadata")
    meta: dict[str, Any] = found if isinstance(found, dict) else {}
    cells: list[Any] = [meta.get("name", "")] if named else []
    for column in columns:
        try:
            cells.append(column.value(obj, now))
        except (AttributeError, TypeError, ValueError):  # a malformed object prints, not crashes
            cells.append(None)
    row: dict[str, Any] = {"cells": cells}
    if include == "Object":
        row["object"] = obj
    elif include != "None":
        row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": f"meta.k8s.io/{version}",
                         "metadata": meta}
    return row


def to_table(res: Resource, objects: list[dict[str, Any]], now: datetime, *, version: str = "v1",
             include: str = "Metadata", resource_version: str | None = None) -> dict[str, Any]:
    """A meta.k8s.io Table of `objects` (every watch event carries its columns: kubectl
    prints the header once, when the columns change)."""
    columns = columns_for(res)
    table: dict[str, Any] = {"kind": "Table", "apiVersion": f"meta.k8s.io/{version}",
                             "metadata": {"resourceVersion": resource_version} if resource_version else {}}
    name = {"name": "Name", "type": "string", "format": "name", "priority": 0,
            "description": "Name must be unique within a namespace."}
    named = (res.group, res.plural) not in NAMELESS
    table["columnDefinitions"] = ([name] if named else []) + [
        {"name": c.name, "type": c.type, "format": c.format, "priority": c.priority, "description": ""}
        for c in columns]
    table["rows"] = [_row(o, columns, now, include, version, named) for o in objects]
    return table
