"""What needs attention, worst first: the Overview's list, decided here as data.

Each layer's rows are judged by the rules an operator would apply at a glance (a node not
Ready, a faulted volume, an IP nobody announces, a broken pod, a recent Warning event), and
each problem becomes one Finding whose text fits an 80-column line.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from tui.core.backup_overdue import backup_problem
from tui.core.clock import age
from tui.core.findings import Finding, Severity
from tui.core.parsers.access import shared
from tui.core.parsers.events import api_time, seen_at
from tui.core.parsers.metallb import pending_reason, speakers_by_node
from tui.core.rows import (
    AppRow,
    EventRow,
    LoadBalancerRow,
    NodeRow,
    PodRow,
    RouteRow,
    VolumeRow,
    WorkloadRow,
)

if TYPE_CHECKING:
    from tui.core.store import ClusterStore

# listing order among findings of one severity: the layers a cause usually lives in come first
LAYER_RANK = {"nodes": 0, "volumes": 1, "pods": 2, "load_balancers": 3, "routes": 4, "apps": 5,
              "workloads": 6, "events": 7}
# Warning events that say why something is down (others are noise at this level)
WARNING_REASONS = frozenset({"FailedAttachVolume", "FailedScheduling", "BackOff", "Unhealthy",
                             "FailedMount", "Evicted"})
EVENT_WINDOW = timedelta(minutes=15)
# a pod on its way up (scheduling, pulling, starting) is not a problem until it is slow
STARTING_GRACE = timedelta(seconds=90)
_STARTING = frozenset({"Pending", "ContainerCreating", "PodInitializing", "NotReady", "Running"})
# statuses that mean "waiting or leaving", not "failing": a warning, not a problem
_WAITING = _STARTING | {"Terminating", "SchedulingGated", "Evicted", "Completed"}


def attention(store: ClusterStore) -> list[Finding]:
    """Everything that is not fine, worst first (severity; data at risk after what is broken now; then layer and subject).

    One Finding per object (a volume may have a second: its backups are overdue): nodes, Longhorn volumes, LoadBalancer Services, routes, Argo CD
    apps, workloads (as the Overview always judged them), broken pods ("pod wiki/wiki-db-0",
    "CrashLoopBackOff ×14, last 2m ago"), and Warning events of the last 15 minutes
    (FailedAttachVolume, FailedScheduling, BackOff, Unhealthy, FailedMount, Evicted) about an
    object no other finding names. `subject` + `text` fit 80 columns; `detail` holds the long
    message; `links` is ("layer|row key",) of the row to open with enter / i.
    """
    now = store.clock.now()
    pods = cast("list[PodRow]", store.rows("pods"))
    out = [
        *_nodes(cast("list[NodeRow]", store.rows("nodes")), pods),
        *_volumes(cast("list[VolumeRow]", store.rows("volumes"))),
        # with no ServiceL2Status at all (older MetalLB, forbidden) nobody knows who announces
        *_load_balancers(cast("list[LoadBalancerRow]", store.rows("load_balancers")),
                         announcers_known=bool(store.parsed("l2_statuses") or store.parsed("bgp_statuses")),
                         speakers=speakers_by_node(pods),
                         events=cast("list[EventRow]", store.rows("events"))),
        *_routes(cast("list[RouteRow]", store.rows("routes"))),
        *_apps(cast("list[AppRow]", store.rows("apps"))),
        *_workloads(cast("list[WorkloadRow]", store.rows("workloads"))),
        *_pods(store, pods, now, _lost_nodes(cast("list[NodeRow]", store.rows("nodes")))),
    ]
    named = {link.split("|", 1)[1] for f in out for link in f.links}
    out += _events(cast("list[EventRow]", store.rows("events")), now, named)
    # after the events: an overdue backup does not explain why a volume will not attach
    at_risk = list(_backups(cast("list[VolumeRow]", store.rows("volumes")), now))
    # data at risk is listed after what is broken now, so an incident's pod stays a key away
    ranked = [(f, False) for f in out] + [(f, True) for f in at_risk]
    ranked.sort(key=lambda p: (p[0].severity, p[1], LAYER_RANK.get(_layer(p[0]), 9), p[0].subject))
    return [f for f, _ in ranked]


def _layer(finding: Finding) -> str:
    return finding.links[0].split("|", 1)[0] if finding.links else ""


def _finding(severity: Severity, layer: str, key: str, subject: str, text: str,
             detail: str = "") -> Finding:
    return Finding(severity, subject, text, (f"{layer}|{key}",), detail or text)


def _lost_nodes(rows: Iterable[NodeRow]) -> set[str]:
    return {n.name for n in rows if n.ready is not True}


def _stranded(pod: PodRow, lost: set[str]) -> bool:
    """A pod that is down only because its node is: the node's line speaks for it."""
    return pod.node in lost and pod.status in ("Unknown", "Terminating", "NodeLost")


def _nodes(rows: Iterable[NodeRow], pods: list[PodRow]) -> Iterable[Finding]:
    lost = _lost_nodes(rows)
    for n in rows:
        if n.ready is not True:
            stranded = [p.key for p in pods if p.node == n.name and _stranded(p, lost)]
            text = "NotReady" if n.ready is False else "Unknown"
            detail = n.ready_message or ""
            if stranded:
                text += f", {len(stranded)} pod{'s' if len(stranded) > 1 else ''} down with it"
                detail = "; ".join(filter(None, [detail, "pods: " + ", ".join(stranded)]))
            found = _finding(Severity.PROBLEM, "nodes", n.key, f"node {n.name}", text, detail)
            yield replace(found, links=(*found.links, *(f"pods|{key}" for key in stranded)))
        elif n.pressure:
            yield _finding(Severity.WARNING, "nodes", n.key, f"node {n.name}", ",".join(n.pressure))
        elif n.unschedulable:
            yield _finding(Severity.WARNING, "nodes", n.key, f"node {n.name}", "cordoned")


def _volumes(rows: Iterable[VolumeRow]) -> Iterable[Finding]:
    for v in rows:
        if v.robustness in ("faulted", "degraded"):
            where = f" on {v.node}" if v.node else " detached"
            repl = f" {v.replicas_healthy}/{v.replicas_wanted} replicas" if v.replicas_healthy is not None else ""
            severity = Severity.PROBLEM if v.robustness == "faulted" else Severity.WARNING
            # the PVC people know ("wiki/wiki-data"); the Longhorn name when none is bound
            yield _finding(severity, "volumes", v.key, f"volume {v.pvc or v.name}",
                           f"{v.robustness}{repl}{where}")


def _backups(rows: Iterable[VolumeRow], now: datetime) -> Iterable[Finding]:
    """A second finding on a volume when its data has no recent copy off the cluster."""
    for v in rows:
        problem = backup_problem(v, now)
        if problem:
            detail = "; ".join(filter(None, [problem, v.backup_error, *v.recurring_jobs]))
            # one copy of the texts that thousands of volumes share ("no backup (no backup job)")
            yield _finding(Severity.PROBLEM, "volumes", v.key, f"volume {v.pvc or v.name}", shared(problem),
                           shared(detail))


def _load_balancers(rows: Iterable[LoadBalancerRow], announcers_known: bool, speakers: dict[str, bool],
                    events: list[EventRow]) -> Iterable[Finding]:
    for lb in rows:
        if lb.pending:
            why = pending_reason(lb, events)  # MetalLB's own word, when it wrote an event
            yield _finding(Severity.WARNING, "load_balancers", lb.key, f"service {lb.key}",
                           "LoadBalancer IP pending" + (f": {why}" if why else ""))
        elif lb.ips and not lb.announcing_node and announcers_known:
            yield _finding(Severity.PROBLEM, "load_balancers", lb.key, f"service {lb.key}",
                           "IP not announced by any node")
        elif lb.announcing_node and speakers.get(lb.announcing_node) is False:
            yield _finding(Severity.PROBLEM, "load_balancers", lb.key, f"service {lb.key}",
                           f"announced by {lb.announcing_node}, whose MetalLB speaker is not Ready")


def _routes(rows: Iterable[RouteRow]) -> Iterable[Finding]:
    for r in rows:
        if r.problems:
            # named as the Routes pane names it: two routes may share a host
            yield _finding(Severity.WARNING, "routes", r.key, f"route {r.label}", r.problems[0],
                           "; ".join(r.problems))
        elif r.cert_state == "warning":
            soon = next((n for n in r.notes if n.startswith("certificate ")), "certificate expires soon")
            yield _finding(Severity.WARNING, "routes", r.key, f"route {r.label}", soon)


def _apps(rows: Iterable[AppRow]) -> Iterable[Finding]:
    for a in rows:
        if a.health in ("Degraded", "Missing"):
            yield _finding(Severity.PROBLEM, "apps", a.key, f"app {a.name}",
                           f"{a.health} {a.message or ''}".strip())
        elif a.sync not in ("Synced", None) or a.health not in ("Healthy", None):
            yield _finding(Severity.WARNING, "apps", a.key, f"app {a.name}", f"{a.sync} {a.health}")


def _workloads(rows: Iterable[WorkloadRow]) -> Iterable[Finding]:
    for w in rows:
        if w.rollout and not w.rollout.startswith("done"):
            severity = Severity.PROBLEM if w.rollout.startswith("failed") else Severity.WARNING
            yield _finding(severity, "workloads", w.key, f"{w.kind.lower()} {w.namespace}/{w.name}",
                           w.rollout)


def _pods(store: ClusterStore, rows: Iterable[PodRow], now: datetime, lost: set[str]) -> Iterable[Finding]:
    for pod in rows:
        if not pod.broken or _stranded(pod, lost):
            continue
        created = api_time(pod.created)
        if pod.status in _STARTING and created is not None and now - created < STARTING_GRACE \
                and pod.restarts == 0:
            continue
        # a failed Job pod is history (the Job retried or gave up and says so), not an outage
        finished_job = pod.owner_kind == "Job" and pod.phase == "Failed"
        severity = Severity.WARNING if pod.status in _WAITING or finished_job else Severity.PROBLEM
        detail = pod.message or ""
        if not detail:
            # the kubelet's latest word on it (a failing readiness probe, a mount that hangs)
            warnings = [e for e in store.events_for(f"Pod/{pod.key}") if e.type == "Warning"]
            detail = warnings[0].message if warnings else ""
        yield _finding(severity, "pods", pod.key, f"pod {pod.key}", pod_problem(pod, now), detail)


def pod_problem(pod: PodRow, now: datetime) -> str:
    """The short form: "CrashLoopBackOff ×14, last 2m ago", "Running, 0/1 ready",
    "Pending: Unschedulable"."""
    text = pod.status
    running = pod.status in ("Running", "NotReady")
    if running:
        text = f"{pod.status}, {pod.ready} ready"
    elif pod.status == "Pending" and pod.reason:
        text = f"Pending: {pod.reason}"
    if pod.restarts:
        plural = "s" if pod.restarts > 1 else ""
        text += f", {pod.restarts} restart{plural}" if running else f" ×{pod.restarts}"
        last = api_time(pod.last_restart_at)
        if last is not None:
            text += f", last {age(last, now)} ago"
    return text


def _events(rows: Iterable[EventRow], now: datetime, named: set[str]) -> list[Finding]:
    """One finding per object: its newest recent Warning of the reasons that explain outages."""
    newest: dict[str, EventRow] = {}
    for event in rows:
        seen = seen_at(event)
        if event.type != "Warning" or event.reason not in WARNING_REASONS or seen is None \
                or now - seen > EVENT_WINDOW:
            continue
        kind = event.object.split("/", 1)[0]
        if event.object_key in named or f"{kind}/{event.object_key}" in named:
            continue  # that object has its finding already
        ref = f"{event.namespace or ''}/{event.object}"
        held = newest.get(ref)
        if held is None or (seen_at(held) or seen) < seen:
            newest[ref] = event
    out = []
    for event in newest.values():
        kind, _, name = event.object.partition("/")
        where = f"{event.namespace}/{name}" if event.namespace else name
        layer, key = _event_link(event)
        text = f"{event.reason} ×{event.count}: {event.message}" if event.count > 1 \
            else f"{event.reason}: {event.message}"
        out.append(_finding(Severity.WARNING, layer, key, f"{kind.lower()} {where}", text, event.message))
    return out


def _event_link(event: EventRow) -> tuple[str, str]:
    """The row an event's object has, so enter opens that object; else the event's own row."""
    kind = event.object.split("/", 1)[0]
    key = event.object_key or ""
    if kind == "Pod":
        return "pods", key
    if kind == "Node":
        return "nodes", key
    if kind in ("Deployment", "StatefulSet"):
        return "workloads", f"{kind}/{key}"
    return "events", event.key
