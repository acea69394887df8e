"""Delete a pod (ctrl+d): its controller makes a new one; followed until the replacement is Ready.

The DELETE carries the pod's uid as a precondition, so a StatefulSet pod that was already
replaced under the same name is never deleted by mistake. A pod without a controller is gone
for good: the plan is destructive and needs the pod's name typed.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..parsers.pods import parse_pod
from . import kube_ops
from .base import (
    Action,
    ActionContext,
    ActionError,
    Danger,
    Done,
    Note,
    Plan,
    Progress,
    ProgressEvent,
    gone,
)

# a replacement in one of these states will not become Ready by waiting: say so, stop following
STUCK = ("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
         "InvalidImageName", "OOMKilled", "Error")
STEPS = 3.0  # deleted, old pod gone, replacement Ready


def split_pod_key(key: str) -> tuple[str, str]:
    namespace, sep, name = key.partition("/")
    if not sep or not namespace or not name or "/" in name:
        raise ActionError(f"{key!r} is not a pod (namespace/name)")
    return namespace, name


def controller_uid(obj: Mapping[str, Any]) -> str | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller") and ref.get("uid"):
            return str(ref["uid"])
    return None


def controller_phrase(owner_kind: str | None, owner: str | None) -> str:
    """"Its StatefulSet wiki/wiki-db", "Its ReplicaSet (of Deployment wiki/wiki-web)"."""
    kind, _, rest = (owner or "").partition("/")
    if owner_kind and kind == owner_kind:
        return f"Its {owner_kind} {rest}"
    if owner_kind and owner:
        return f"Its {owner_kind} (of {kind} {rest})"
    return f"Its {owner_kind or 'controller'}"


def is_ready(obj: Mapping[str, Any]) -> bool:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


class PodDelete(Action):
    id = "pod.delete"
    title = "Delete pod"
    danger = "disruptive"

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.namespace, self.name = split_pod_key(target)

    def preconditions(self, store: Any) -> list[str]:
        row = store.row("pods", self.target) if store is not None else None
        if store is not None and row is None:
            return [gone(f"pod {self.target}")]
        if getattr(row, "deleting", False):
            return [f"pod {self.target} is already terminating"]
        return []

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        pod = kube_ops.get(ctx, "pods", self.namespace, self.name)
        row = parse_pod(pod)
        stored = ctx.store.row("pods", self.target) if ctx.store is not None else None
        owner = getattr(stored, "owner", None) or row.owner
        uid = (pod.get("metadata") or {}).get("uid")
        body: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if uid:
            body["preconditions"] = {"uid": uid}
        path = kube_ops.object_path("pods", self.namespace, self.name)
        lines = [f"Delete pod {self.target} ({row.status}, {row.ready} ready, on {row.node or 'no node'})."]
        warnings: list[str] = []
        if row.mirror:
            warnings.append("a static pod: the kubelet recreates it from its manifest on the node")
        danger: Danger = self.danger
        confirm: str | None = None
        if row.controlled:
            lines.append(f"{controller_phrase(row.owner_kind, owner)} creates a replacement; "
                         "followed until it is Ready.")
        else:
            warnings.append("no controller owns this pod: nothing will recreate it. Type its name to confirm.")
            danger, confirm = "destructive", self.name
        if row.restarts and row.status in STUCK:
            warnings.append(f"it is {row.status} with {row.restarts} restarts: a new pod starts from the "
                            "same spec and config, so it will likely fail the same way")
        affected = [f"pod {self.target}"]
        affected += [f"{owner.split('/', 1)[0]} {owner.split('/', 1)[-1]}"] if owner else []
        affected += [f"PVC {claim} (re-mounted by the replacement)" for claim in row.pvcs]
        app = getattr(stored, "app", None) or row.app
        if app:
            affected.append(f"Argo CD app {app}")
        return Plan(
            action_id=self.id, target=f"Pod/{self.target}", title=f"Delete pod {self.target}", danger=danger,
            lines=tuple(lines),
            requests=({"method": "DELETE", "path": path, "content_type": "application/json", "body": body},),
            affected=tuple(affected), warnings=tuple(warnings), confirm_name=confirm,
            data={"uid": uid, "controller_uid": controller_uid(pod), "controlled": row.controlled},
        )

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        before = self._owned_uids(ctx, plan.data.get("controller_uid"))
        kube_ops.request(ctx, plan.requests[0])
        yield Note(f"pod {self.target} deleted")
        yield Progress(1, STEPS, "deleted; waiting for it to go")
        old_uid = plan.data.get("uid")
        state: dict[str, Any] = {"gone": False}

        def step(listing: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
            pods = [p for p in listing.get("items") or [] if isinstance(p, dict)]
            events: list[ProgressEvent] = []
            if not state["gone"] and not any(_uid(p) == old_uid for p in pods):
                state["gone"] = True
                events.append(Note(f"old pod {self.target} is gone"))
            if not plan.data.get("controlled"):
                return ("succeeded" if state["gone"] else None), events
            new = [p for p in pods if _uid(p) not in before and _uid(p) != old_uid
                   and controller_uid(p) == plan.data.get("controller_uid")]
            if not new:
                events.append(Progress(1 + state["gone"], STEPS, "waiting for the controller's replacement"))
                return None, events
            pod = new[0]
            row = parse_pod(pod)
            state["replacement"] = f"{row.namespace}/{row.name}"
            if is_ready(pod):
                events.append(Progress(STEPS, STEPS, f"replacement {state['replacement']} is Ready"))
                return "succeeded", events
            if row.status in STUCK:
                events.append(Note(f"replacement {state['replacement']} is {row.status}", "error"))
                return "failed", events
            events.append(Progress(2, STEPS, f"replacement {state['replacement']}: {row.status} ({row.ready} ready)"))
            return None, events

        final = yield from kube_ops.follow(
            ctx, lambda: kube_ops.get_path(ctx, f"/api/v1/namespaces/{self.namespace}/pods") or {},
            step, lambda: self.cancelled, f"pod {self.target}")
        replacement = state.get("replacement")
        if final == "succeeded":
            yield Done("succeeded", f"replacement {replacement} is Ready" if replacement
                       else f"pod {self.target} deleted (no controller recreates it)")
        elif final == "cancelled":
            yield Done("cancelled", f"stopped following; pod {self.target} was deleted")
        elif final == "timeout":
            yield Done("failed", f"pod {self.target} deleted, but no Ready replacement after {int(ctx.timeout)}s")
        else:
            yield Done("failed", f"pod {self.target} deleted; its replacement {replacement} is not starting")

    def _owned_uids(self, ctx: ActionContext, owner_uid: Any) -> set[str | None]:
        """The controller's pods before the delete: the replacement is the one not among them."""
        if not owner_uid:
            return set()
        listing = kube_ops.get_path(ctx, f"/api/v1/namespaces/{self.namespace}/pods") or {}
        return {_uid(p) for p in listing.get("items") or [] if isinstance(p, dict) and controller_uid(p) == owner_uid}


def _uid(obj: Mapping[str, Any]) -> str | None:
    uid = (obj.get("metadata") or {}).get("uid")
    return str(uid) if uid else None
