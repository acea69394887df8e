"""Rollout restart and undo of Deployments / StatefulSets, followed with `rollout status` semantics.

Restart: strategic merge patch of spec.template's kubectl.kubernetes.io/restartedAt (REFERENCE 5.1).
Undo: a Deployment takes a ReplicaSet's template (JSON patch, 5.3); a StatefulSet applies a
ControllerRevision's data. Before either on an object an Argo CD app heals, the plan warns
that Argo CD will put it back and names the sync to run instead.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from ..kube_http import JSON_PATCH, STRATEGIC_MERGE_PATCH
from ..parsers.workloads import rollout_state
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
    gone,
)

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
REVISION = "deployment.kubernetes.io/revision"
# annotations a Deployment keeps through an undo (kubectl's annotationsToSkip)
_KEEP_ON_UNDO = ("kubectl.kubernetes.io/last-applied-configuration", REVISION,
                 "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas",
                 "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to")
_KIND_KEYS = {"Deployment": "deployments", "StatefulSet": "statefulsets"}


def split_workload_key(key: str) -> tuple[str, str, str]:
    """"Deployment/ns/name" -> (kind, ns, name)."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] not in _KIND_KEYS:
        raise ActionError(f"{key!r} is not a Deployment or StatefulSet")
    return parts[0], parts[1], parts[2]


def healing_app(store: StoreView, workload_key: str) -> Any:
    """The AppRow of the Argo CD app with self-heal that owns this workload, or None."""
    if store is None:
        return None
    row = store.row("workloads", workload_key)
    owner = getattr(row, "owner_app", None)
    if not owner:
        return None
    for app in store.rows("apps"):  # owner is an app key ("argocd/bot") or a bare app name
        if owner in (app.key, app.name) and app.self_heal:
            return app
    return None


class _WorkloadAction(Action):
    danger = "disruptive"

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.kind, self.namespace, self.name = split_workload_key(target)
        self.kind_key = _KIND_KEYS[self.kind]

    def preconditions(self, store: StoreView) -> list[str]:
        obj = store.get(self.kind_key, f"{self.namespace}/{self.name}") if store is not None else None
        if store is not None and obj is None:
            return [gone(f"{self.kind} {self.namespace}/{self.name}")]
        if obj and (obj.get("spec") or {}).get("paused"):
            return [f"{self.kind} {self.namespace}/{self.name} is paused: resume it first"]
        return []

    def _warnings(self, store: StoreView) -> tuple[tuple[str, ...], dict[str, Any]]:
        app = healing_app(store, self.target)
        if app is None:
            return (), {}
        return ((f"Argo CD app {app.name} owns this {self.kind} with self-heal on: it will revert a manual "
                 f"change to what git says. Sync {app.name} instead (Apps pane, s) to change it for good."),), \
            {"alternative": ("app.sync", app.key)}

    def _affected(self, store: StoreView) -> tuple[str, ...]:
        row = store.row("workloads", self.target) if store is not None else None
        out = [f"{self.kind} {self.namespace}/{self.name}: {getattr(row, 'replicas', '?')} pod(s) replaced"]
        out += [f"PVC {p}" for p in getattr(row, "pvcs", ())]
        owner = getattr(row, "owner_app", None)
        if owner:
            out.append(f"Argo CD app {owner}")
        return tuple(out)

    def _follow(self, ctx: ActionContext, since_generation: int | None) -> Iterator[ProgressEvent]:
        """Watch the rollout until kubectl would say done or failed."""
        def step(obj: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
            spec_replicas = (obj.get("spec") or {}).get("replicas", 1)
            state = rollout_state(obj, self.kind, spec_replicas) or "progressing: no status yet"
            status = obj.get("status") or {}
            observed = status.get("observedGeneration") or 0
            if since_generation is not None and observed < since_generation:
                state = "progressing: waiting for spec update to be observed"
            if self.kind == "Deployment":
                done = min(status.get("updatedReplicas") or 0, status.get("availableReplicas") or 0)
            else:
                done = status.get("readyReplicas") or 0
            events: list[ProgressEvent] = [Progress(min(done, spec_replicas or 0), spec_replicas or 0, state)]
            if state == "done":
                return "succeeded", events
            if state.startswith("failed"):
                return "failed", events + [Note(state, "error")]
            return None, events

        final = yield from kube_ops.follow(ctx, lambda: kube_ops.get(ctx, self.kind_key, self.namespace, self.name),
                                           step, lambda: self.cancelled, f"{self.kind} {self.name}")
        what = f"{self.kind} {self.namespace}/{self.name}"
        if final == "succeeded":
            yield Done("succeeded", f"{what} successfully rolled out")
        elif final == "cancelled":
            yield Done("cancelled", f"stopped following {what}; the rollout goes on in the cluster")
        elif final == "timeout":
            yield Done("failed", f"{what}: rollout not finished after {int(ctx.timeout)}s")
        elif final == "unreachable":
            yield Done("unknown", f"{what}: outcome unknown: the API stopped answering while the rollout "
                                  f"was followed; check `kubectl rollout status -n {self.namespace} "
                                  f"{self.kind.lower()}/{self.name}` once it is back")
        else:
            yield Done("failed", f"{what}: rollout failed")


class WorkloadRestart(_WorkloadAction):
    id = "workload.restart"
    title = "Rollout restart"

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        stamp = ctx.clock.now().astimezone().isoformat(timespec="seconds")
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        path = kube_ops.object_path(self.kind_key, self.namespace, self.name)
        warnings, data = self._warnings(ctx.store)
        return Plan(
            action_id=self.id, target=self.target, title=f"Restart {self.kind} {self.namespace}/{self.name}",
            danger=self.danger,
            lines=(f"Set {RESTARTED_AT}={stamp} on the pod template;",
                   f"the {self.kind} controller replaces its pods one by one."),
            requests=({"method": "PATCH", "path": path, "content_type": STRATEGIC_MERGE_PATCH, "body": body},),
            affected=self._affected(ctx.store), warnings=warnings, data=data,
        )

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        updated = kube_ops.request(ctx, plan.requests[0])
        yield Note(f"restart requested ({RESTARTED_AT} set)")
        generation = (updated or {}).get("metadata", {}).get("generation") if isinstance(updated, dict) else None
        yield from self._follow(ctx, generation)


class WorkloadUndo(_WorkloadAction):
    id = "workload.undo"
    title = "Rollout undo"

    def revisions(self, ctx: ActionContext) -> list[tuple[int, dict[str, Any]]]:
        """(revision, template source) newest first: ReplicaSets for a Deployment, ControllerRevisions else."""
        owner = kube_ops.get(ctx, self.kind_key, self.namespace, self.name)
        uid = owner.get("metadata", {}).get("uid")
        resource = "replicasets" if self.kind == "Deployment" else "controllerrevisions"
        listing = kube_ops.get_path(ctx, f"/apis/apps/v1/namespaces/{self.namespace}/{resource}") or {}
        out = []
        for item in listing.get("items") or []:
            meta = item.get("metadata") or {}
            refs = meta.get("ownerReferences") or []
            if not any(r.get("kind") == self.kind and (r.get("uid") == uid or not uid or not r.get("uid"))
                       and r.get("name") == self.name for r in refs):
                continue
            if self.kind == "Deployment":
                rev = (meta.get("annotations") or {}).get(REVISION)
            else:
                rev = item.get("revision")
            try:
                out.append((int(str(rev)), item))
            except (TypeError, ValueError):
                continue
        out.sort(key=lambda pair: pair[0], reverse=True)
        return out

    def options(self, store: StoreView, ctx: ActionContext | None = None) -> tuple[Choice, ...]:
        # the revisions come from the API: the store keeps no ControllerRevisions
        revisions: tuple[str, ...] = ()
        if ctx is not None:
            try:
                revisions = tuple(str(r) for r, _ in self.revisions(ctx)[1:])
            except ActionError:
                revisions = ()
        return (Choice("revision", "Roll back to revision", revisions or ("0",)),)

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        chosen = self._choices(ctx.store, choices)
        history = self.revisions(ctx)
        if len(history) < 2 and str(chosen.get("revision", "0")) == "0":
            raise ActionError(f"{self.kind} {self.namespace}/{self.name} has no previous revision to go back to")
        wanted = int(str(chosen.get("revision") or "0"))
        pick = history[1] if wanted == 0 else next((h for h in history if h[0] == wanted), None)
        if pick is None:
            raise ActionError(f"revision {wanted} not found (have {', '.join(str(r) for r, _ in history)})")
        revision, source = pick
        current = kube_ops.get(ctx, self.kind_key, self.namespace, self.name)
        path = kube_ops.object_path(self.kind_key, self.namespace, self.name)
        if self.kind == "Deployment":
            request, unchanged = self._deployment_patch(path, current, source)
        else:
            request, unchanged = self._statefulset_patch(path, current, source)
        warnings, data = self._warnings(ctx.store)
        lines = [(f"Roll {self.kind} {self.namespace}/{self.name} back to revision {revision}"
                  f" (now at {history[0][0]}).")]
        images = [c.get("image") for c in _template_of(source, self.kind).get("spec", {}).get("containers", [])]
        if images:
            lines.append("Images after undo: " + ", ".join(str(i) for i in images))
        if unchanged:
            lines.append("The pod template already equals that revision: nothing to do.")
        return Plan(
            action_id=self.id, target=self.target, title=f"Undo {self.kind} {self.namespace}/{self.name}",
            danger=self.danger, lines=tuple(lines), requests=() if unchanged else (request,),
            affected=self._affected(ctx.store), warnings=warnings,
            choices={"revision": revision}, data={**data, "history": [r for r, _ in history]},
        )

    def _deployment_patch(self, path: str, current: dict[str, Any], rs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        template = copy.deepcopy((rs.get("spec") or {}).get("template") or {})
        labels = (template.get("metadata") or {}).get("labels") or {}
        labels.pop("pod-template-hash", None)
        kept = {k: v for k, v in ((current.get("metadata") or {}).get("annotations") or {}).items() if k in _KEEP_ON_UNDO}
        for k, v in ((rs.get("metadata") or {}).get("annotations") or {}).items():
            if k not in _KEEP_ON_UNDO:
                kept[k] = v
        unchanged = template == ((current.get("spec") or {}).get("template") or {})
        body = [{"op": "replace", "path": "/spec/template", "value": template},
                {"op": "replace", "path": "/metadata/annotations", "value": kept}]
        return {"method": "PATCH", "path": path, "content_type": JSON_PATCH, "body": body}, unchanged

    def _statefulset_patch(self, path: str, current: dict[str, Any],
                           revision: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The revision's template, sent as a JSON patch replacing spec.template: the same
        result as kubectl's strategic merge of `data` ({"$patch": "replace"} on the template),
        without depending on the server honouring that directive."""
        template = ((revision.get("data") or {}).get("spec") or {}).get("template")
        if not isinstance(template, dict):
            raise ActionError("that ControllerRevision carries no pod template to apply")
        template = {k: copy.deepcopy(v) for k, v in template.items() if not k.startswith("$")}
        unchanged = template == ((current.get("spec") or {}).get("template") or {})
        body = [{"op": "replace", "path": "/spec/template", "value": template}]
        return {"method": "PATCH", "path": path, "content_type": JSON_PATCH, "body": body}, unchanged

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        if not plan.requests:
            yield Done("succeeded", "already at that revision; nothing changed")
            return
        updated = kube_ops.request(ctx, plan.requests[0])
        yield Note(f"rolled back to revision {plan.choices.get('revision')}")
        generation = (updated or {}).get("metadata", {}).get("generation") if isinstance(updated, dict) else None
        yield from self._follow(ctx, generation)


def _template_of(source: dict[str, Any], kind: str) -> dict[str, Any]:
    if kind == "Deployment":
        return (source.get("spec") or {}).get("template") or {}
    return ((source.get("data") or {}).get("spec") or {}).get("template") or {}
