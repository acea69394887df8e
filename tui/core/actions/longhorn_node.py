"""Longhorn maintenance for a node (`L` on the Nodes pane): stop scheduling replicas there and
ask Longhorn to evict the replicas it holds, which it rebuilds on other nodes; or undo both.

The plan lists every replica that would be rebuilt and where there is room for it (by each
Longhorn node's schedulable headroom, REFERENCE 1.2), so the operator sees a full cluster
before asking. Progress follows the replicas still on the node until none is left.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..kube_http import MERGE_PATCH
from ..parsers.access import dig
from ..rows import LonghornNodeRow, ReplicaRow, VolumeRow
from . import kube_ops
from .base import Action, ActionContext, Done, Note, Plan, Progress, ProgressEvent

LONGHORN_NS = "longhorn-system"


def _headroom(node: LonghornNodeRow) -> int | None:
    """Bytes Longhorn may still promise on that node (max - scheduled; over-provisioning ignored)."""
    if node.storage_maximum is None or node.storage_scheduled is None:
        return None
    return node.storage_maximum - node.storage_scheduled


def rebuild_targets(replica: ReplicaRow, volume: VolumeRow | None, here: str,
                    lh_nodes: list[LonghornNodeRow], holders: set[str]) -> list[str]:
    """Other ready, schedulable Longhorn nodes with room that do not already hold this volume."""
    size = volume.size_bytes if volume is not None else None
    out = []
    for node in lh_nodes:
        if node.name == here or node.name in holders or node.ready is not True or node.schedulable is False:
            continue
        room = _headroom(node)
        if size is not None and room is not None and room < size:
            continue
        out.append(node.name)
    return sorted(out)


class LonghornNodeMaintenance(Action):
    id = "longhorn.node"
    title = "Longhorn maintenance"
    danger = "disruptive"

    def _object(self, store: Any) -> dict[str, Any] | None:
        return store.get("lh_nodes", f"{LONGHORN_NS}/{self.target}") if store is not None else None

    def preconditions(self, store: Any) -> list[str]:
        if store is not None and self._object(store) is None:
            return [f"{self.target} is not a Longhorn node (no nodes.longhorn.io {self.target} in {LONGHORN_NS})"]
        return []

    def lock_keys(self) -> tuple[str, ...]:
        return (f"node:{self.target}",)

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        obj = self._object(ctx.store) or {}
        entering = dig(obj, "spec", "allowScheduling") is not False or not dig(obj, "spec", "evictionRequested")
        path = f"/apis/longhorn.io/v1beta2/namespaces/{LONGHORN_NS}/nodes/{self.target}"
        if not entering:
            return Plan(action_id=self.id, target=f"node:{self.target}", title=f"End Longhorn maintenance on "
                        f"{self.target}", danger="safe",
                        lines=(f"Allow Longhorn to schedule replicas on {self.target} again and withdraw the "
                               "eviction request.",),
                        requests=({"method": "PATCH", "path": path, "content_type": MERGE_PATCH,
                                   "body": {"spec": {"allowScheduling": True, "evictionRequested": False}}},),
                        affected=(f"Longhorn node {self.target}",), data={"entering": False})
        store = ctx.store
        replicas = [r for r in store.rows("replicas") if r.node == self.target and not r.failed]
        volumes = {(v.namespace, v.name): v for v in store.rows("volumes")}
        lh_nodes = list(store.rows("lh_nodes"))
        holders_of: dict[str | None, set[str]] = {}
        for r in store.rows("replicas"):
            if r.node and not r.failed:
                holders_of.setdefault(r.volume, set()).add(r.node)
        lines = [f"Stop scheduling Longhorn replicas on {self.target} and request eviction of its "
                 f"{len(replicas)} replica(s); Longhorn rebuilds each on another node:"]
        warnings = []
        for r in sorted(replicas, key=lambda r: r.volume or ""):
            volume = volumes.get((r.namespace, r.volume or ""))
            targets = rebuild_targets(r, volume, self.target, lh_nodes, holders_of.get(r.volume, set()))
            if targets:
                lines.append(f"  {r.volume}: rebuilt on one of {', '.join(targets)}")
            else:
                lines.append(f"  {r.volume}: NO node has room or is free of another replica of it")
                warnings.append(f"volume {r.volume}: no node can take its replica; the eviction waits and the "
                                "volume stays on this node")
        return Plan(action_id=self.id, target=f"node:{self.target}", title=f"Longhorn maintenance on {self.target}",
                    danger=self.danger, lines=tuple(lines),
                    requests=({"method": "PATCH", "path": path, "content_type": MERGE_PATCH,
                               "body": {"spec": {"allowScheduling": False, "evictionRequested": True}}},),
                    affected=tuple(f"replica {r.name} ({r.volume})" for r in replicas), warnings=tuple(warnings),
                    data={"entering": True, "replicas": len(replicas)})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        kube_ops.request(ctx, plan.requests[0])
        entering = bool(plan.data["entering"])
        yield Note("scheduling disabled, eviction requested" if entering else "scheduling allowed again")
        if not entering:
            final = yield from kube_ops.follow(
                ctx, lambda: kube_ops.get(ctx, "lh_nodes", LONGHORN_NS, self.target),
                lambda o: ("succeeded" if dig(o, "spec", "allowScheduling") is True else None, []),
                lambda: self.cancelled, f"Longhorn node {self.target}")
            yield Done("succeeded" if final == "succeeded" else "failed",
                       f"Longhorn may schedule on {self.target} again" if final == "succeeded" else
                       f"the API did not show allowScheduling=true on {self.target}: check the Longhorn node")
            return
        total = int(plan.data["replicas"])
        path = f"/apis/longhorn.io/v1beta2/namespaces/{LONGHORN_NS}/replicas"

        def fetch() -> dict[str, Any]:
            listing = kube_ops.get_path(ctx, path)
            return listing if isinstance(listing, dict) else {}

        def step(listing: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
            left = [i for i in listing.get("items") or [] if isinstance(i, dict)
                    and dig(i, "spec", "nodeID") == self.target and not dig(i, "spec", "failedAt")]
            moved = max(total - len(left), 0)
            return ("succeeded" if not left else None), [Progress(moved, total or 1,
                                                                  f"{len(left)} replica(s) left on {self.target}")]

        final = yield from kube_ops.follow(ctx, fetch, step, lambda: self.cancelled, "Longhorn replicas")
        if final == "succeeded":
            yield Done("succeeded", f"no replica left on {self.target}: Longhorn rebuilt them elsewhere")
        elif final == "cancelled":
            yield Done("cancelled", f"stopped following; {self.target} stays out of Longhorn scheduling and "
                                    "the eviction goes on")
        else:
            yield Done("failed", f"replicas still on {self.target} after {int(ctx.timeout)} s: see the Volumes pane "
                                 "(a replica with nowhere to go waits)")
