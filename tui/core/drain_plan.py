"""What draining a node would do, computed before anything is sent.

One screen's worth of facts for the operator: the pods that would be evicted (with their
workload and app), the pods kubectl skips or refuses without an option, the
PodDisruptionBudgets that block an eviction right now, the Longhorn volumes that must move
or whose last healthy replica lives here, the LoadBalancer IPs announced from here and who
can take them over, and the routes and apps that go down with the node.

Pure: it reads rows and raw objects handed to it (a frozen view taken on the event loop),
plus the PDBs and the Longhorn drain policy that the caller fetched from the API.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tui.core.findings import Finding, Severity
from tui.core.index import ImpactIndex
from tui.core.parsers.access import as_dict, dig, dig_list, dig_str, selector_matches, str_map
from tui.core.parsers.metallb import advertisement_selects, pool_spec
from tui.core.rows import LoadBalancerRow, NodeRow, PodRow

# Longhorn's default `node-drain-policy` (REFERENCE 1.7)
DEFAULT_DRAIN_POLICY = "block-if-contains-last-replica"
# policies under which Longhorn's instance-manager PDB blocks while the node holds the last healthy replica
_BLOCKS_ON_LAST_REPLICA = ("block-if-contains-last-replica", "block-for-eviction-if-contains-last-replica",
                           "block-for-eviction")


@dataclass(frozen=True)
class PodStep:
    pod: str  # "ns/name"
    workload: str | None  # "Kind/ns/name"
    app: str | None
    why: str = ""  # for skipped / flagged pods: the reason kubectl gives
    option: str | None = None  # the drain option that lets a flagged pod go: delete_emptydir / force
    blocked_by: str | None = None  # "ns/pdb" that allows no disruption now


@dataclass(frozen=True)
class DrainPlan:
    node: str
    evict: tuple[PodStep, ...]  # evicted as things stand (with the options chosen)
    skipped: tuple[PodStep, ...]  # DaemonSet, mirror and finished pods: left alone
    flagged: tuple[PodStep, ...]  # need an option (emptyDir data, no controller) and it is not chosen
    blocking_pdbs: tuple[str, ...]  # "ns/name: 0 disruptions allowed (ns/pod, ...)"
    volumes_moving: tuple[str, ...]  # Longhorn volumes attached here
    last_replica: tuple[str, ...]  # volumes whose every healthy replica is here
    drain_policy: str | None  # Longhorn node-drain-policy, when it could be read
    findings: tuple[Finding, ...]

    @property
    def pods_to_evict(self) -> tuple[str, ...]:
        return tuple(step.pod for step in self.evict)


def _pod_labels(raw: Mapping[str, Any] | None) -> dict[str, str]:
    return str_map(dig(raw, "metadata", "labels"))


def pdb_status(pdb: Mapping[str, Any]) -> tuple[str, int | None]:
    """("ns/name", disruptionsAllowed) of a policy/v1 PodDisruptionBudget (omitempty: absent is 0
    only once the controller has observed it; before that it is unknown)."""
    key = f"{dig_str(pdb, 'metadata', 'namespace') or ''}/{dig_str(pdb, 'metadata', 'name') or '?'}"
    status = as_dict(pdb.get("status"))
    allowed = status.get("disruptionsAllowed")
    if isinstance(allowed, int) and not isinstance(allowed, bool):
        return key, allowed
    return key, 0 if "observedGeneration" in status else None


def pdbs_for(pod_namespace: str | None, labels: dict[str, str],
             pdbs: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The PDBs in the pod's namespace whose selector matches it. In policy/v1 a null selector
    selects no pod and `{}` selects every pod of the namespace."""
    out = []
    for pdb in pdbs:
        if dig_str(pdb, "metadata", "namespace") != pod_namespace:
            continue
        selector = dig(pdb, "spec", "selector")
        if selector is None:
            continue  # policy/v1: a null selector selects no pods
        if selector_matches(selector, labels):
            out.append(pdb)
    return out


def classify_pods(node: str, pods: Sequence[PodRow], raw_pods: Mapping[str, Mapping[str, Any]],
                  pdbs: Sequence[Mapping[str, Any]], delete_emptydir: bool = True,
                  force: bool = False) -> tuple[list[PodStep], list[PodStep], list[PodStep], list[str]]:
    """kubectl drain's filters (REFERENCE 5.4) over the pods bound to `node`:
    (evict, skipped, flagged, blocking PDB lines)."""
    evict: list[PodStep] = []
    skipped: list[PodStep] = []
    flagged: list[PodStep] = []
    blocking: dict[str, list[str]] = {}
    for pod in sorted((p for p in pods if p.node == node), key=lambda p: p.key):
        base = PodStep(pod.key, pod.owner, pod.app)
        if pod.mirror:
            skipped.append(PodStep(pod.key, pod.owner, pod.app, "static (mirror) pod: the kubelet owns it"))
            continue
        if pod.daemonset:
            skipped.append(PodStep(pod.key, pod.owner, pod.app, "DaemonSet pod: it stays (--ignore-daemonsets)"))
            continue
        if pod.phase in ("Succeeded", "Failed"):
            skipped.append(PodStep(pod.key, pod.owner, pod.app, f"{pod.phase.lower()}: deleted, nothing runs"))
            continue
        if pod.deleting:
            skipped.append(PodStep(pod.key, pod.owner, pod.app, "already terminating"))
            continue
        if not pod.controlled and not force:
            flagged.append(PodStep(pod.key, None, pod.app, "no controller: deleted for good, nothing recreates it",
                                   option="force"))
            continue
        if pod.empty_dir and not delete_emptydir:
            flagged.append(PodStep(pod.key, pod.owner, pod.app, "emptyDir data is lost when it moves",
                                   option="delete_emptydir"))
            continue
        blocked_by = None
        for pdb in pdbs_for(pod.namespace, _pod_labels(raw_pods.get(pod.key)), pdbs):
            key, allowed = pdb_status(pdb)
            if allowed == 0:
                blocked_by = key
                blocking.setdefault(key, []).append(pod.key)
        evict.append(PodStep(base.pod, base.workload, base.app, blocked_by=blocked_by))
    lines = [f"{key}: 0 disruptions allowed now (blocks {', '.join(pods_)})" for key, pods_ in sorted(blocking.items())]
    return evict, skipped, flagged, lines


def takeover_nodes(lb: LoadBalancerRow, node: str, nodes: Sequence[NodeRow],
                   node_labels: Mapping[str, dict[str, str]], advertisements: Sequence[Mapping[str, Any]],
                   pools: Mapping[str, Mapping[str, Any]], endpoint_nodes: set[str] | None) -> list[str]:
    """The Ready nodes other than `node` that may announce the LB's IP: an L2Advertisement that
    selects its pool lists them in spec.nodeSelectors (none: every node). Cordoned nodes still
    announce. With externalTrafficPolicy Local only nodes that run an endpoint may."""
    pool_obj = pools.get(lb.pool or "")
    spec = pool_spec(pool_obj) if pool_obj is not None else None
    out = set()
    for adv in advertisements:
        if lb.pool and not advertisement_selects(adv, lb.pool, spec):
            continue
        selectors = dig_list(adv, "spec", "nodeSelectors")
        for n in nodes:
            if n.name == node or n.ready is not True:
                continue
            if selectors and not any(selector_matches(s, node_labels.get(n.name, {})) for s in selectors):
                continue
            if lb.external_traffic_policy == "Local" and endpoint_nodes is not None and n.name not in endpoint_nodes:
                continue
            out.add(n.name)
    return sorted(out)


def build_drain_plan(node: str, *, pods: Sequence[PodRow], raw_pods: Mapping[str, Mapping[str, Any]],
                     nodes: Sequence[NodeRow], node_labels: Mapping[str, dict[str, str]],
                     index: ImpactIndex, advertisements: Sequence[Mapping[str, Any]],
                     pools: Mapping[str, Mapping[str, Any]], pdbs: Sequence[Mapping[str, Any]],
                     drain_policy: str | None, delete_emptydir: bool = True, force: bool = False) -> DrainPlan:
    evict, skipped, flagged, blocking = classify_pods(node, pods, raw_pods, pdbs, delete_emptydir, force)
    impact = index.for_node(node)
    findings: list[Finding] = []
    subject = f"node {node}"
    for line in blocking:
        findings.append(Finding(Severity.PROBLEM, subject, f"PDB {line}", ()))
    for step in flagged:
        findings.append(Finding(Severity.WARNING, f"pod {step.pod}", step.why, (f"pods|{step.pod}",)))

    last = tuple(impact.last_replica_volumes)
    policy = drain_policy
    for key in last:
        vol = index.volumes.get(key)
        name = vol.name if vol else key
        if (policy or DEFAULT_DRAIN_POLICY) in _BLOCKS_ON_LAST_REPLICA:
            said = policy or f"{DEFAULT_DRAIN_POLICY} (Longhorn's default; the setting was not readable)"
            findings.append(Finding(Severity.PROBLEM, f"volume {name}",
                                    f"its last healthy replica is here: Longhorn's node-drain-policy {said} "
                                    "blocks the drain until a replica is rebuilt elsewhere", (f"volumes|{key}",)))
        else:
            findings.append(Finding(Severity.PROBLEM, f"volume {name}",
                                    f"its last healthy replica is here and node-drain-policy {policy} lets the "
                                    "drain go on: the volume faults while the node is down", (f"volumes|{key}",)))
    for key in impact.volumes_attached:
        vol = index.volumes.get(key)
        users = ", ".join(sorted(index.volume_workloads.get(key, set()))) or "no known workload"
        findings.append(Finding(Severity.WARNING, f"volume {vol.name if vol else key}",
                                f"attached here ({users}): detaches and reattaches where its pod lands",
                                (f"volumes|{key}",)))

    for lb_key in impact.load_balancers:
        lb = index.lbs.get(lb_key)
        if lb is None:
            continue
        ips = ", ".join(lb.ips) or "?"
        takers = takeover_nodes(lb, node, nodes, node_labels, advertisements, pools,
                                index.service_nodes.get(lb_key))
        if takers:
            findings.append(Finding(Severity.WARNING, f"LB IP {ips}",
                                    f"announced from here ({lb_key}): MetalLB moves it to one of "
                                    f"{', '.join(takers)}", (f"load_balancers|{lb_key}",)))
        else:
            findings.append(Finding(Severity.PROBLEM, f"LB IP {ips}",
                                    f"no other node can announce {ips} ({lb_key}): it goes dark",
                                    (f"load_balancers|{lb_key}",)))

    evicted_workloads = {s.workload for s in evict if s.workload}
    for route_key in impact.routes:
        lost = [s for s in index.route_services.get(route_key, set()) if index.service_nodes.get(s) == {node}]
        if lost:
            findings.append(Finding(Severity.PROBLEM, f"route {index.route_label(route_key)}",
                                    f"loses every endpoint ({', '.join(sorted(lost))}) until its pods run elsewhere",
                                    (f"routes|{route_key}",)))
    for app_key in impact.apps:
        app = index.apps.get(app_key)
        if app is None:
            continue
        hit = sorted(w for w in evicted_workloads if app_key in index.owner_apps.get(w, set()))
        if hit:
            findings.append(Finding(Severity.WARNING, f"app {app.name}",
                                    f"goes Degraded while {', '.join(hit)} move", (f"apps|{app_key}",)))
    return DrainPlan(
        node=node, evict=tuple(evict), skipped=tuple(skipped), flagged=tuple(flagged),
        blocking_pdbs=tuple(blocking), volumes_moving=tuple(impact.volumes_attached), last_replica=last,
        drain_policy=policy, findings=tuple(sorted(findings, key=lambda f: f.severity)),
    )


def _owner_note(step: PodStep) -> str:
    """" (StatefulSet bot-db; app bot)": the pod's namespace is already in its key."""
    parts = []
    if step.workload:
        kind, _, name = step.workload.partition("/")
        parts.append(f"{kind} {name.rpartition('/')[2]}")
    if step.app:
        parts.append(f"app {step.app.rpartition('/')[2]}")
    return f" ({'; '.join(parts)})" if parts else ""


def plan_lines(plan: DrainPlan, delete: bool = False) -> list[str]:
    """The preview as text lines, for the confirm dialog and the audit record. `delete`: the
    pods are deleted, bypassing PodDisruptionBudgets (kubectl's --disable-eviction)."""
    how = "delete (PDBs bypassed)" if delete else "evict"
    out = [f"Cordon {plan.node}, then {how} {len(plan.evict)} pod(s)"
           + (":" if delete else " through the Eviction API:")]
    for step in plan.evict:
        out.append(f"  {'delete' if delete else 'evict'} {step.pod}{_owner_note(step)}"
                   + (f"  PDB {step.blocked_by} {'allows none' if delete else 'blocks'}" if step.blocked_by else ""))
    if plan.skipped:
        out.append(f"Skipped ({len(plan.skipped)}):")
        out += [f"  {step.pod}: {step.why}" for step in plan.skipped]
    if plan.flagged:
        out.append(f"Not evicted unless you choose the option ({len(plan.flagged)}):")
        out += [f"  {step.pod}: {step.why}" for step in plan.flagged]
    if plan.drain_policy:
        out.append(f"Longhorn node-drain-policy: {plan.drain_policy}")
    return out
