"""Node maintenance: cordon / uncordon and drain (REFERENCE 5.4), as kubectl does them.

Cordon is one strategic merge patch, done only when the API shows the node's new state.
Drain shows its plan first (tui/core/drain_plan.py), then cordons, evicts each pod through the
Eviction API (429 from a PodDisruptionBudget is retried until the operator's timeout), and
follows each pod until it is gone and its replacement runs Ready on another node. Cancelling
leaves the node cordoned and says so.
"""
from __future__ import annotations

import time
from collections.abc import Generator, Iterator, Mapping
from typing import Any

from kubernetes.client.exceptions import ApiException

from ..drain_plan import DrainPlan, PodStep, build_drain_plan, plan_lines
from ..errors import describe_error
from ..findings import Severity
from ..kube_http import STRATEGIC_MERGE_PATCH, api_error_message, request_json
from ..parsers.access import dig, dig_str, str_map
from ..parsers.pods import parse_pod
from ..ports import StoreView
from . import kube_ops
from .base import (
    Action,
    ActionContext,
    ActionError,
    Choice,
    Done,
    Note,
    Plan,
    Progress,
    ProgressEvent,
    Toggle,
    gone,
)

LONGHORN_NS = "longhorn-system"
EVICT_RETRY_SECONDS = 5.0  # kubectl's EvictErrorRetryDelay


def _node_path(name: str) -> str:
    return kube_ops.object_path("nodes", None, name)


def _pod_path(key: str) -> str:
    namespace, name = key.split("/", 1)
    return f"/api/v1/namespaces/{namespace}/pods/{name}"


def node_exists(store: StoreView, name: str) -> list[str]:
    return [gone(f"node {name}")] if store is not None and store.row("nodes", name) is None else []


class NodeCordon(Action):
    """Toggle: cordon a schedulable node, uncordon a cordoned one."""

    id = "node.cordon"
    title = "Cordon / uncordon"
    danger = "safe"

    def preconditions(self, store: StoreView) -> list[str]:
        return node_exists(store, self.target)

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        row = ctx.store.row("nodes", self.target)
        cordon = not bool(getattr(row, "unschedulable", False))
        body = {"spec": {"unschedulable": True if cordon else None}}
        verb = "Cordon" if cordon else "Uncordon"
        lines = ((f"Mark {self.target} unschedulable: running pods stay, no new pod is scheduled there.",)
                 if cordon else (f"Mark {self.target} schedulable again.",))
        return Plan(action_id=self.id, target=f"node:{self.target}", title=f"{verb} {self.target}",
                    danger=self.danger, lines=lines,
                    requests=({"method": "PATCH", "path": _node_path(self.target),
                               "content_type": STRATEGIC_MERGE_PATCH, "body": body},),
                    affected=(f"node {self.target}",), data={"cordon": cordon})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        cordon = bool(plan.data["cordon"])
        kube_ops.request(ctx, plan.requests[0])
        yield Note("patch sent")
        yield from _confirm_cordon(ctx, self.target, cordon, lambda: self.cancelled)


def _confirm_cordon(ctx: ActionContext, node: str, cordon: bool, cancelled: Any) -> Iterator[ProgressEvent]:
    """Done only once the API shows spec.unschedulable as asked."""
    def step(obj: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
        now = bool(dig(obj, "spec", "unschedulable"))
        return ("succeeded" if now == cordon else None), []

    final = yield from kube_ops.follow(ctx, lambda: kube_ops.get(ctx, "nodes", None, node), step,
                                       cancelled, f"node {node}")
    word = "cordoned" if cordon else "uncordoned"
    if final == "succeeded":
        yield Done("succeeded", f"{node} {word}: the API shows spec.unschedulable={str(cordon).lower()}")
    else:
        yield Done("failed" if final in ("timeout", "unreachable") else "cancelled",
                   f"the patch was sent but the API did not show {node} {word}: check `kubectl get node {node}`")


class NodeDrain(Action):
    id = "node.drain"
    title = "Drain"
    danger = "disruptive"

    def preconditions(self, store: StoreView) -> list[str]:
        return node_exists(store, self.target)

    def options(self, store: StoreView, ctx: ActionContext | None = None) -> tuple[Toggle | Choice, ...]:
        return (
            Toggle("delete_emptydir", "Delete emptyDir data (--delete-emptydir-data)", True),
            Toggle("force", "Also delete pods without a controller (--force)", False),
            Choice("timeout", "Give up on a PDB after", ("120s", "300s", "600s", "60s")),
            Toggle("disable_eviction", "Bypass PDBs: delete, do not evict (--disable-eviction)", False),
        )

    def lock_keys(self) -> tuple[str, ...]:
        return (f"node:{self.target}",)

    # -- plan -------------------------------------------------------------------------------
    def drain_plan(self, ctx: ActionContext, choices: Mapping[str, Any]) -> DrainPlan:
        store = ctx.store
        pods = list(store.rows("pods"))
        raw_pods = {p.key: store.get("pods", p.key) or {} for p in pods if p.node == self.target}
        nodes = list(store.rows("nodes"))
        node_labels = {n.name: str_map(dig(store.get("nodes", n.name), "metadata", "labels")) for n in nodes}
        pools = {dig_str(o, "metadata", "name") or "": o for o in store.objects("ip_pools")}
        return build_drain_plan(
            self.target, pods=pods, raw_pods=raw_pods, nodes=nodes, node_labels=node_labels,
            index=store.impact(), advertisements=store.objects("l2_advertisements"), pools=pools,
            pdbs=_list_pdbs(ctx), drain_policy=_drain_policy(ctx),
            delete_emptydir=bool(choices.get("delete_emptydir", True)), force=bool(choices.get("force", False)),
        )

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        chosen = self._choices(ctx.store, choices)
        drain = self.drain_plan(ctx, chosen)
        delete = bool(chosen.get("disable_eviction", False))
        lines = plan_lines(drain, delete)
        warnings = tuple(f"{f.subject}: {f.text}" for f in drain.findings if f.severity <= Severity.WARNING)
        requests = tuple({"method": "DELETE", "path": _pod_path(s.pod)} if delete else _eviction_request(s.pod)
                         for s in drain.evict)
        return Plan(
            action_id=self.id, target=f"node:{self.target}", title=f"Drain {self.target}", danger=self.danger,
            lines=tuple(lines), requests=requests,
            affected=(f"node {self.target}", *(f"pod {p}" for p in drain.pods_to_evict)),
            warnings=warnings, choices=chosen,
            data={"pods": [s.pod for s in drain.evict], "findings": drain.findings,
                  "left_alone": [s.pod for s in (*drain.skipped, *drain.flagged)]},
        )

    # -- execute ----------------------------------------------------------------------------
    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        pods: list[str] = list(plan.data["pods"])
        timeout = _seconds(plan.choices.get("timeout"), 120.0)
        delete = bool(plan.choices.get("disable_eviction", False))
        node = kube_ops.get(ctx, "nodes", None, self.target)
        if not dig(node, "spec", "unschedulable"):
            kube_ops.patch(ctx, _node_path(self.target), {"spec": {"unschedulable": True}}, STRATEGIC_MERGE_PATCH)
            yield Note(f"{self.target} cordoned")
        else:
            yield Note(f"{self.target} was already cordoned")
        total = len(pods)
        yield Progress(0, total, f"0 of {total} pods evicted")
        identities = {key: _identity(_get_pod(ctx, key)) for key in pods}
        stopped = yield from self._evict_all(ctx, pods, timeout, delete)
        if stopped is not None:
            yield stopped
            return
        yield from self._follow_replacements(ctx, pods, identities)

    def _evict_all(self, ctx: ActionContext, pods: list[str], timeout: float,
                   delete: bool) -> Generator[ProgressEvent, None, Done | None]:
        """Every pod evicted (or deleted), as kubectl does: all at once, the ones a PDB refuses
        (429) tried again every few seconds until the timeout. A Done when it had to stop."""
        deadline = time.monotonic() + timeout
        pending = list(pods)
        blocked_said: set[str] = set()
        total = len(pods)
        while True:
            for key in list(pending):
                if self.cancelled:
                    return Done("cancelled", f"{self.target} stays cordoned; not evicted: {', '.join(pending)}")
                outcome = self._evict_one(ctx, key, delete)
                if outcome == "blocked":
                    if key not in blocked_said:
                        blocked_said.add(key)
                        yield Note(f"{key} refused (429), retrying every {int(EVICT_RETRY_SECONDS)} s up to "
                                   f"{int(timeout)} s: {self._last_refusal.removeprefix('429: ')}", "warning")
                    continue
                if outcome != "evicted":
                    done = total - len(pending)
                    return Done("failed", f"{outcome}. {self.target} stays cordoned; {done} of {total} pods "
                                          f"evicted, left on it: {', '.join(pending)}")
                pending.remove(key)
                yield Note(f"{'deleted' if delete else 'evicted'} {key}")
                yield Progress(total - len(pending), total, f"{total - len(pending)} of {total} pods evicted")
            if not pending:
                return None
            if time.monotonic() + EVICT_RETRY_SECONDS > deadline:
                return Done("failed", f"still blocked after {int(timeout)} s: {', '.join(pending)} "
                                      f"({self._last_refusal}). {self.target} stays cordoned; "
                                      f"{total - len(pending)} of {total} pods evicted. Choose a longer wait, or "
                                      "bypass the PodDisruptionBudget (delete instead of evict)")
            self._wait(EVICT_RETRY_SECONDS, ctx)
            if self.cancelled:
                return Done("cancelled", f"{self.target} stays cordoned; not evicted: {', '.join(pending)}")

    _last_refusal = ""

    def _evict_one(self, ctx: ActionContext, key: str, delete: bool) -> str:
        """"evicted" (or already gone), "blocked" (429) or why it failed."""
        request = _eviction_request(key)
        try:
            if delete:
                request_json(_client(ctx), "DELETE", _pod_path(key))
            else:
                request_json(_client(ctx), "POST", request["path"], body=request["body"])
            return "evicted"
        except ApiException as exc:
            if exc.status == 404:
                return "evicted"
            if exc.status == 429:
                self._last_refusal = api_error_message(exc)
                return "blocked"
            return f"{'deletion' if delete else 'eviction'} of {key} refused: {api_error_message(exc)}"
        except Exception as exc:  # noqa: BLE001 - connection lost: stop and say so
            return f"{'deletion' if delete else 'eviction'} of {key}: {describe_error(exc)}"

    def _wait(self, seconds: float, ctx: ActionContext) -> None:
        end = time.monotonic() + seconds * (ctx.poll_interval / 0.25)  # tests shorten poll_interval
        while time.monotonic() < end and not self.cancelled:
            time.sleep(min(ctx.poll_interval, 0.2))

    def _follow_replacements(self, ctx: ActionContext, pods: list[str],
                             identities: dict[str, tuple[str | None, str | None]]) -> Iterator[ProgressEvent]:
        """Each evicted pod gone from this node, and a pod of its controller Ready elsewhere."""
        pending = {key: "evicted" for key in pods}
        deadline = time.monotonic() + ctx.timeout
        while pending:
            if self.cancelled:
                yield Done("cancelled", f"{self.target} stays cordoned; every pod was evicted; stopped "
                                        f"following {', '.join(pending)}")
                return
            for key in list(pending):
                state = _replacement_state(ctx, key, identities[key], self.target)
                if state != pending[key]:
                    pending[key] = state
                    yield Note(f"{key}: {state}")
                if state.startswith("Ready on") or state == "gone (no controller recreates it)":
                    del pending[key]
            if pending and time.monotonic() > deadline:
                yield Done("failed", f"{self.target} is drained (cordoned, every pod evicted) but after "
                                     f"{int(ctx.timeout)} s these have no Ready replacement: "
                                     + "; ".join(f"{k} ({v})" for k, v in pending.items()))
                return
            if pending:
                time.sleep(ctx.poll_interval)
        yield Done("succeeded", f"{self.target} drained: cordoned, {len(pods)} pod(s) evicted, each running "
                                "Ready elsewhere" if pods else f"{self.target} drained: cordoned, no pod to evict")


def _client(ctx: ActionContext) -> Any:
    if ctx.api_client is None:
        raise ActionError("not connected to a cluster")
    return ctx.api_client


def drain_warnings(ctx: ActionContext, hosts: list[str]) -> list[str]:
    """The drain plan of each node as warning lines, for playbooks that take nodes out of service."""
    out: list[str] = []
    for host in hosts:
        if ctx.store is None or ctx.store.row("nodes", host) is None:
            continue
        try:
            plan = NodeDrain(host).drain_plan(ctx, {})
        except ActionError as exc:
            out.append(f"{host}: drain plan incomplete: {exc}")
            continue
        out.append(f"{host}: {len(plan.evict)} pod(s) evicted, {len(plan.skipped)} skipped")
        out += [f"{host}: {f.subject}: {f.text}" for f in plan.findings if f.severity <= Severity.WARNING]
    return out


def other_nodes_not_ready(store: Any, hosts: list[str]) -> list[str]:
    if store is None:
        return []
    return sorted(n.name for n in store.rows("nodes") if n.ready is not True and n.name not in hosts)


def _eviction_request(key: str) -> dict[str, Any]:
    namespace, name = key.split("/", 1)
    return {"method": "POST", "path": f"{_pod_path(key)}/eviction", "content_type": "application/json",
            "body": {"apiVersion": "policy/v1", "kind": "Eviction",
                     "metadata": {"name": name, "namespace": namespace}}}


def _get_pod(ctx: ActionContext, key: str) -> dict[str, Any] | None:
    try:
        obj = request_json(_client(ctx), "GET", _pod_path(key))
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise ActionError(f"GET pod {key}: {api_error_message(exc)}") from None
    return obj if isinstance(obj, dict) else None


def _identity(pod: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """(uid, controller uid) of a pod: how its successor is recognised after the eviction."""
    refs = dig(pod, "metadata", "ownerReferences") or []
    owner = next((r.get("uid") for r in refs if isinstance(r, dict) and r.get("controller")), None)
    return dig_str(pod, "metadata", "uid"), owner if isinstance(owner, str) else None


def _replacement_state(ctx: ActionContext, key: str, old: tuple[str | None, str | None], node: str) -> str:
    """Where the evicted pod's successor is: "terminating", "replacement X scheduled on Y",
    "Ready on Y", "waiting for a replacement" or "gone (no controller recreates it)"."""
    old_uid, owner_uid = old
    try:
        current = _get_pod(ctx, key)
    except ActionError as exc:
        return f"unknown ({exc})"
    if current is not None and dig_str(current, "metadata", "uid") == old_uid:
        return "terminating"
    if current is not None:  # a StatefulSet pod comes back under the same name
        return _pod_state(current, node)
    if owner_uid is None:
        return "gone (no controller recreates it)"
    namespace = key.split("/", 1)[0]
    try:
        listing = request_json(_client(ctx), "GET", f"/api/v1/namespaces/{namespace}/pods")
    except Exception as exc:  # noqa: BLE001 - say it, keep following
        return f"unknown ({describe_error(exc)})"
    items = listing.get("items", []) if isinstance(listing, dict) else []
    mine = [p for p in items if isinstance(p, dict) and _identity(p)[1] == owner_uid
            and dig_str(p, "spec", "nodeName") != node and not dig(p, "metadata", "deletionTimestamp")]
    if not mine:
        return "waiting for a replacement"
    mine.sort(key=lambda p: dig_str(p, "metadata", "creationTimestamp") or "")
    return _pod_state(mine[-1], node)


def _pod_state(pod: Mapping[str, Any], node: str) -> str:
    row = parse_pod(pod)
    if not row.node:
        return f"replacement {row.name} waiting to be scheduled ({row.status})"
    if row.node != node and row.status == "Running" and not row.broken:
        return f"Ready on {row.node}"
    return f"replacement {row.name} on {row.node}: {row.status} {row.ready}"


def _list_pdbs(ctx: ActionContext) -> list[dict[str, Any]]:
    try:
        listing = request_json(_client(ctx), "GET", "/apis/policy/v1/poddisruptionbudgets")
    except ApiException as exc:
        if exc.status == 404:
            return []
        raise ActionError(f"cannot read PodDisruptionBudgets: {api_error_message(exc)}") from None
    except Exception as exc:  # noqa: BLE001
        raise ActionError(f"cannot read PodDisruptionBudgets: {describe_error(exc)}") from None
    items = listing.get("items") if isinstance(listing, dict) else None
    return [i for i in items or [] if isinstance(i, dict)]


def _drain_policy(ctx: ActionContext) -> str | None:
    """Longhorn's node-drain-policy setting, or None when it cannot be read (not installed, 403)."""
    path = f"/apis/longhorn.io/v1beta2/namespaces/{LONGHORN_NS}/settings/node-drain-policy"
    try:
        obj = request_json(_client(ctx), "GET", path)
    except Exception:  # noqa: BLE001 - the plan then names Longhorn's default and says so
        return None
    value = obj.get("value") if isinstance(obj, dict) else None
    return value if isinstance(value, str) and value else None


def _seconds(value: Any, default: float) -> float:
    try:
        return float(str(value).rstrip("s"))
    except (TypeError, ValueError):
        return default


__all__ = ["NodeCordon", "NodeDrain", "PodStep"]
