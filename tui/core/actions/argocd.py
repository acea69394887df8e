"""Argo CD actions on an Application: sync, refresh, rollback, terminate.

REST API (REFERENCE 4.2) when an Argo CD URL and token are configured, else the core way
(4.3): write the Application's ``operation`` / annotation / operationState through the kube
API. Either way the operation is followed on the Application until it completes.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from ..argocd_diff import report_lines
from ..clock import age, parse_time
from ..findings import Finding
from ..kube_http import MERGE_PATCH
from ..parsers.argocd import source_text
from ..ports import StoreView
from ..rows import AppHistory
from ..sync_windows import verdict_for
from . import kube_ops
from .affected import impact_lines
from .argocd_api import ArgoCDApi
from .argocd_diff_fetch import app_diff
from .base import (
    Action,
    ActionContext,
    ActionError,
    Choice,
    Danger,
    Done,
    Note,
    Plan,
    Progress,
    ProgressEvent,
    Toggle,
    gone,
)

REFRESH = "argocd.argoproj.io/refresh"
FINAL_PHASES = ("Succeeded", "Failed", "Error")


def _use_rest(ctx: ActionContext) -> bool:
    return bool(ctx.argocd_url and ctx.argocd_token)


class _AppAction(Action):
    danger: Danger = "disruptive"

    def __init__(self, target: str) -> None:
        super().__init__(target)
        if "/" not in target:
            raise ActionError(f"{target!r} is not an Application key (namespace/name)")
        self.namespace, self.name = target.split("/", 1)

    def _row(self, store: StoreView) -> Any:
        return store.row("apps", self.target) if store is not None else None

    def preconditions(self, store: StoreView) -> list[str]:
        if store is not None and self._row(store) is None:
            return [gone(f"Application {self.target}")]
        return []

    def _affected(self, store: StoreView) -> tuple[str | Finding, ...]:
        row = self._row(store)
        out: list[str | Finding] = [f"Application {self.target}"]
        if row is not None:
            out += list(row.resources[:20])
            if len(row.resources) > 20:
                out.append(f"... and {len(row.resources) - 20} more resources")
        return tuple(out) + tuple(line for line in impact_lines(store, lambda i: i.for_app, self.target)
                                  if not (isinstance(line, str) and line.startswith("workload ")))

    def _rest(self, ctx: ActionContext) -> ArgoCDApi:
        assert ctx.argocd_url and ctx.argocd_token
        return ArgoCDApi(ctx.argocd_url, ctx.argocd_token, ca_file=ctx.argocd_ca_file,
                         insecure=ctx.argocd_insecure)

    def _app_path(self) -> str:
        return kube_ops.object_path("applications", self.namespace, self.name)

    def _fetch(self, ctx: ActionContext) -> dict[str, Any]:
        if ctx.api_client is not None:
            return kube_ops.get(ctx, "applications", self.namespace, self.name)
        api = self._rest(ctx)
        try:
            return api.call("GET", f"/api/v1/applications/{self.name}", params={"appNamespace": self.namespace}) or {}
        finally:
            api.close()

    def _send(self, ctx: ActionContext, req: dict[str, Any]) -> Any:
        if req.get("api") == "argocd":
            api = self._rest(ctx)
            try:
                return api.call(req["method"], req["path"], req.get("body"), req.get("params"))
            finally:
                api.close()
        return kube_ops.request(ctx, req)

    def _follow_operation(self, ctx: ActionContext, before: str | None, what: str) -> Iterator[ProgressEvent]:
        """Follow status.operationState until OUR operation completes.

        Ours means: the pending ``operation`` we wrote, or an operationState that started after
        ``before`` and was initiated by us (kube path: our user). An old finished state is never
        ours: if the one we saw disappears (an API restored from older data), the end is unknown.
        """
        seen_phase: list[str] = []
        seen_ours: list[bool] = []  # our operation was visible at least once

        def step(app: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
            mine = _ours(app, before, ctx.user if not _use_rest(ctx) else None)
            if mine:
                seen_ours.append(True)
            elif seen_ours:
                return "lost", [Note("the Application no longer shows our operation", "warning")]
            if not mine:
                return None, [Progress(0, 1, "waiting for the application controller")]
            state = (app.get("status") or {}).get("operationState") or {}
            phase = state.get("phase") if mine == "state" else None
            events: list[ProgressEvent] = []
            if not phase:
                return None, [Progress(0, 1, "waiting for the application controller")]
            if phase not in seen_phase:
                seen_phase.append(phase)
                events.append(Note(f"operation {phase}" + (f": {state['message']}" if state.get("message") else "")))
            resources = ((state.get("syncResult") or {}).get("resources")) or []
            synced = sum(1 for r in resources if r.get("status") in ("Synced", "Pruned", "PruneSkipped"))
            events.append(Progress(synced, max(len(resources), synced, 1), phase))
            if phase in FINAL_PHASES and app.get("operation") is None:
                return ("succeeded" if phase == "Succeeded" else "failed"), events
            return None, events

        final = yield from kube_ops.follow(ctx, lambda: self._fetch(ctx), step, lambda: self.cancelled, what)
        app = self._safe_fetch(ctx)
        sync = ((app.get("status") or {}).get("sync") or {}).get("status") if app else None
        health = ((app.get("status") or {}).get("health") or {}).get("status") if app else None
        message = ((app.get("status") or {}).get("operationState") or {}).get("message") if app else None
        tail = f" (sync {sync}, health {health})" if sync or health else ""
        check = (f"check {self.name}'s sync status and history in Argo CD (argocd app get {self.name}) "
                 "before acting again")
        if final == "succeeded":
            yield Done("succeeded", f"{what} succeeded{tail}")
        elif final == "cancelled":
            yield Done("cancelled", f"stopped following {what}; the operation goes on in Argo CD")
        elif final == "lost":
            yield Done("unknown", f"{what}: outcome unknown: the Application no longer shows the operation we "
                                  f"sent (the API may have been restored from older data); {check}")
        elif final == "unreachable":
            yield Done("unknown", f"{what}: outcome unknown: the API stopped answering while we followed the "
                                  f"operation; {check}")
        elif final == "timeout" and not seen_ours:
            yield Done("unknown", f"{what}: outcome unknown: our operation was never seen on the Application "
                                  f"in {int(ctx.timeout)}s (API unreachable?); {check}")
        elif final == "timeout":
            yield Done("failed", f"{what}: not finished after {int(ctx.timeout)}s{tail}")
        else:
            yield Done("failed", f"{what} failed: {message or 'see the Application'}{tail}")

    def _safe_fetch(self, ctx: ActionContext) -> dict[str, Any] | None:
        try:
            return self._fetch(ctx)
        except ActionError:
            return None

    def _started(self, ctx: ActionContext) -> str | None:
        app = self._safe_fetch(ctx) or {}
        return ((app.get("status") or {}).get("operationState") or {}).get("startedAt")

    def _refuse_if_running(self, ctx: ActionContext) -> None:
        app = self._safe_fetch(ctx)
        if app and app.get("operation") is not None:
            raise ActionError(f"another operation is already in progress on {self.name}: wait or terminate it (x)")


class AppSync(_AppAction):
    id = "app.sync"
    title = "Sync"

    def options(self, store: StoreView, ctx: ActionContext | None = None) -> tuple[Toggle, ...]:
        return (Toggle("prune", "Prune resources no longer in git", False), Toggle("dry_run", "Dry run", False))

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        chosen = self._choices(ctx.store, choices)
        prune, dry_run = bool(chosen.get("prune")), bool(chosen.get("dry_run"))
        row = self._row(ctx.store)
        out_of_sync = tuple(getattr(row, "out_of_sync", ()) or ())
        lines = [f"Sync {self.name} to {', '.join(getattr(row, 'target_revisions', ()) or ('its target revision',))}"
                 + (" (dry run: nothing is applied)" if dry_run else "")]
        lines += [f"OutOfSync: {r}" for r in out_of_sync] or ["No resource is OutOfSync (the sync re-applies as is)."]
        diff = tuple(report_lines(app_diff(ctx, self.namespace, self.name)))
        window = self._window_refusal(ctx, row)
        if prune:
            lines.append("Prune: resources no longer in git are DELETED.")
        if _use_rest(ctx):
            body = {"prune": prune, "dryRun": dry_run, "strategy": {"hook": {"force": False}},
                    "appNamespace": self.namespace}
            req = {"api": "argocd", "method": "POST", "path": f"/api/v1/applications/{self.name}/sync", "body": body}
        else:
            operation: dict[str, Any] = {"initiatedBy": {"username": ctx.user}, "info": [{"name": "Reason", "value": "sync from clusterdeck"}],
                         "sync": {"prune": prune, "dryRun": dry_run, "syncStrategy": {"hook": {}}}}
            revision = (getattr(row, "target_revisions", ()) or (None,))[0]
            if revision:
                operation["sync"]["revision"] = revision
            req = {"method": "PATCH", "path": self._app_path(), "content_type": MERGE_PATCH,
                   "body": {"operation": operation, "status": {"operationState": None}}}
        danger: Danger = "destructive" if prune and not dry_run else "disruptive"
        return Plan(action_id=self.id, target=self.target, title=f"Sync {self.target}", danger=danger,
                    lines=tuple(lines), diff=diff, requests=(req,), affected=self._affected(ctx.store),
                    warnings=(window,) if window else (),
                    confirm_name=self.name if danger == "destructive" else None,
                    choices={"prune": prune, "dry_run": dry_run})

    def _window_refusal(self, ctx: ActionContext, row: Any) -> str | None:
        """What the project's sync windows say about a manual sync now: a refusal, said before the
        sync is sent (Argo CD answers it with "Cannot sync: Blocked by sync window")."""
        project_name = getattr(row, "project", None)
        if not project_name:
            return None
        project = ctx.store.get("appprojects", f"{self.namespace}/{project_name}") if ctx.store is not None else None
        if project is None:
            return None
        allowed, why, _ = verdict_for(project, self.name, getattr(row, "dest_namespace", None),
                                      getattr(row, "dest_server", None), ctx.clock.now())
        if allowed:
            return f"sync window: {why}" if why else None
        return f"Argo CD will refuse this sync: {why} (project {project_name})"

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        self._refuse_if_running(ctx)
        before = self._started(ctx)
        self._send(ctx, plan.requests[0])
        yield Note("sync requested" + (" through the Argo CD API" if plan.requests[0].get("api") else
                                       " (operation written to the Application)"))
        yield from self._follow_operation(ctx, before, f"sync of {self.name}")


def history_label(entry: AppHistory, now: datetime | None) -> str:
    """One rollback choice: "2  1c3bd31  deployed 14d ago  repo path @ main" (id first: the plan
    reads it back)."""
    revisions = ", ".join(r[:7] for r in entry.revisions) or "?"
    when = parse_time(entry.deployed_at)
    deployed = f"deployed {age(when, now)} ago" if when is not None and now is not None else \
        f"deployed {entry.deployed_at or '?'}"
    return "  ".join(p for p in (str(entry.id), revisions, deployed, " + ".join(entry.sources)) if p)


def auto_sync_on(app: dict[str, Any]) -> bool:
    """spec.syncPolicy.automated present, unless v3.1's `enabled: false` turns it off."""
    automated = ((app.get("spec") or {}).get("syncPolicy") or {}).get("automated")
    return isinstance(automated, dict) and automated.get("enabled") is not False


class AppAutoSyncOff(_AppAction):
    """Turn automated sync off: the step Argo CD requires before a rollback (its UI does the same)."""

    id = "app.autosync_off"
    title = "Disable auto-sync"

    def preconditions(self, store: StoreView) -> list[str]:
        problems = super().preconditions(store)
        row = self._row(store)
        if row is not None and not row.auto_sync:
            problems.append(f"{self.name} has no automated sync to turn off")
        return problems

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        patch = {"spec": {"syncPolicy": {"automated": None}}}
        if _use_rest(ctx):
            req = {"api": "argocd", "method": "PATCH", "path": f"/api/v1/applications/{self.name}",
                   "body": {"name": self.name, "appNamespace": self.namespace, "patchType": "merge",
                            "patch": json.dumps(patch, separators=(",", ":"))}}
        else:
            req = {"method": "PATCH", "path": self._app_path(), "content_type": MERGE_PATCH, "body": patch}
        lines = ((f"Argo CD refuses a rollback of {self.name} while automated sync is on: it would sync "
                  "straight back to git."),
                 (f"Step 1 of 2: turn auto-sync off (spec.syncPolicy.automated removed). {self.name} then "
                  "stays on manual sync until auto-sync is turned on again (in git, or Argo CD)."),
                 "Step 2: the rollback, with its own history choice and confirmation.")
        return Plan(action_id=self.id, target=self.target, title=f"Disable auto-sync on {self.target}",
                    danger=self.danger, lines=lines, requests=(req,), affected=(f"Application {self.target}",))

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        self._send(ctx, plan.requests[0])
        yield Note("patch sent: spec.syncPolicy.automated removed")

        def step(app: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
            if not auto_sync_on(app):
                return "succeeded", [Note("the Application shows no automated sync")]
            return None, [Progress(0, 1, "waiting for the Application to show auto-sync off")]

        final = yield from kube_ops.follow(ctx, lambda: self._fetch(ctx), step, lambda: self.cancelled,
                                           f"auto-sync off on {self.name}")
        if final == "succeeded":
            yield Done("succeeded", f"auto-sync is off on {self.name}: a rollback may be sent")
        elif final == "cancelled":
            yield Done("cancelled", f"stopped watching {self.name}; the patch was sent")
        else:
            yield Done("unknown", f"auto-sync off on {self.name}: not confirmed ({final}); check "
                                  f"spec.syncPolicy on the Application (argocd app get {self.name})")


class AppRollback(_AppAction):
    id = "app.rollback"
    title = "Rollback"
    danger = "destructive"

    def preconditions(self, store: StoreView) -> list[str]:
        # automated sync is not a problem here: the launcher offers AppAutoSyncOff first
        problems = super().preconditions(store)
        row = self._row(store)
        if row is not None and len(row.history_ids) < 2:
            problems.append(f"{self.name} has no earlier deployment in its history")
        return problems

    def prerequisite(self, store: StoreView) -> Action | None:
        """The step Argo CD requires first: auto-sync off (None when it is already off)."""
        row = self._row(store)
        return AppAutoSyncOff(self.target) if row is not None and row.auto_sync else None

    def options(self, store: StoreView, ctx: ActionContext | None = None) -> tuple[Choice, ...]:
        row = self._row(store)
        now = ctx.clock.now() if ctx is not None else None
        history = sorted(getattr(row, "history", ()) or (), key=lambda h: h.id, reverse=True)[1:]
        labels = tuple(history_label(h, now) for h in history)
        return (Choice("id", "Roll back to", labels or ("",)),)

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        chosen = self._choices(ctx.store, choices)
        try:
            history_id = int(str(chosen.get("id")).split()[0])
        except (ValueError, IndexError):
            raise ActionError("choose a history id to roll back to") from None
        app = self._fetch(ctx)
        if auto_sync_on(app):
            raise ActionError(f"{self.name} has automated sync on: Argo CD refuses a rollback; "
                              "disable auto-sync first (R offers it)")
        entry = next((h for h in (app.get("status") or {}).get("history") or [] if h.get("id") == history_id), None)
        if entry is None:
            raise ActionError(f"history id {history_id} is not in {self.name}'s history")
        revision = entry.get("revision") or ", ".join(entry.get("revisions") or [])
        sources = [src for src in entry.get("sources") or [entry.get("source")] if isinstance(src, dict) and src]
        when = parse_time(entry.get("deployedAt"))
        ago = f" ({age(when, ctx.clock.now())} ago)" if when is not None else ""
        lines = ((f"Roll {self.name} back to history {history_id}: revision {revision}"
                  f" deployed {entry.get('deployedAt', '?')}{ago}."),
                 *(f"Source: {source_text(src)}" for src in sources),
                 "Resources are applied as they were then; the app shows OutOfSync until git matches.")
        if _use_rest(ctx):
            req = {"api": "argocd", "method": "POST", "path": f"/api/v1/applications/{self.name}/rollback",
                   "body": {"id": history_id, "prune": False, "dryRun": False, "appNamespace": self.namespace}}
        else:
            sync: dict[str, Any] = {"revision": entry.get("revision"), "prune": False, "syncStrategy": {"hook": {}}}
            if entry.get("source"):
                sync["source"] = entry["source"]
            if entry.get("revisions"):
                sync["revisions"] = entry["revisions"]
                sync["sources"] = entry.get("sources")
            req = {"method": "PATCH", "path": self._app_path(), "content_type": MERGE_PATCH,
                   "body": {"operation": {"initiatedBy": {"username": ctx.user}, "sync": sync,
                                          "info": [{"name": "Rollback", "value": f"to history id {history_id}"}]},
                            "status": {"operationState": None}}}
        return Plan(action_id=self.id, target=self.target, title=f"Rollback {self.target} to {history_id}",
                    danger=self.danger, lines=lines, requests=(req,), affected=self._affected(ctx.store),
                    confirm_name=self.name, choices={"id": history_id})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        self._refuse_if_running(ctx)
        before = self._started(ctx)
        self._send(ctx, plan.requests[0])
        yield Note(f"rollback to history {plan.choices.get('id')} requested")
        yield from self._follow_operation(ctx, before, f"rollback of {self.name}")


class AppTerminate(_AppAction):
    id = "app.terminate"
    title = "Terminate operation"

    def preconditions(self, store: StoreView) -> list[str]:
        problems = super().preconditions(store)
        row = self._row(store)
        if row is not None and row.operation not in ("Running", "Terminating"):
            problems.append(f"no operation is running on {self.name}")
        return problems

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        if _use_rest(ctx):
            req = {"api": "argocd", "method": "DELETE", "path": f"/api/v1/applications/{self.name}/operation",
                   "params": {"appNamespace": self.namespace}}
        else:
            req = {"method": "PATCH", "path": self._app_path(), "content_type": MERGE_PATCH,
                   "body": {"status": {"operationState": {"phase": "Terminating"}}}}
        return Plan(action_id=self.id, target=self.target, title=f"Terminate the operation on {self.target}",
                    danger=self.danger, lines=(f"Stop the running operation on {self.name};",
                                               "resources already applied stay as they are."),
                    requests=(req,), affected=self._affected(ctx.store))

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        self._send(ctx, plan.requests[0])
        yield Note("termination requested")

        def step(app: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
            phase = ((app.get("status") or {}).get("operationState") or {}).get("phase")
            if phase in FINAL_PHASES and app.get("operation") is None:
                return "succeeded", [Note(f"operation ended: {phase}")]
            return None, [Progress(0, 1, f"operation {phase or 'gone'}")]

        final = yield from kube_ops.follow(ctx, lambda: self._fetch(ctx), step, lambda: self.cancelled,
                                           f"terminate on {self.name}")
        if final == "succeeded":
            yield Done("succeeded", f"the operation on {self.name} was terminated")
        else:
            yield Done("failed" if final != "cancelled" else "cancelled", f"termination on {self.name}: {final}")


class AppRefresh(_AppAction):
    id = "app.refresh"
    title = "Refresh"
    danger = "safe"

    def options(self, store: StoreView, ctx: ActionContext | None = None) -> tuple[Choice, ...]:
        return (Choice("mode", "Refresh", ("normal", "hard")),)

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        mode = str(self._choices(ctx.store, choices).get("mode") or "normal")
        if mode not in ("normal", "hard"):
            raise ActionError("refresh is normal or hard")
        if _use_rest(ctx):
            req = {"api": "argocd", "method": "GET", "path": f"/api/v1/applications/{self.name}",
                   "params": {"refresh": mode, "appNamespace": self.namespace}}
        else:
            req = {"method": "PATCH", "path": self._app_path(), "content_type": MERGE_PATCH,
                   "body": {"metadata": {"annotations": {REFRESH: mode}}}}
        what = "re-compare with git" if mode == "normal" else "re-render manifests (cache dropped) and re-compare"
        return Plan(action_id=self.id, target=self.target, title=f"Refresh ({mode}) {self.target}", danger="safe",
                    lines=(f"Ask Argo CD to {what} for {self.name}.",), requests=(req,),
                    affected=(f"Application {self.target}",), choices={"mode": mode})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        self._send(ctx, plan.requests[0])
        yield Note(f"{plan.choices.get('mode')} refresh requested")

        def step(app: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
            if REFRESH not in ((app.get("metadata") or {}).get("annotations") or {}):
                sync = ((app.get("status") or {}).get("sync") or {}).get("status")
                return "succeeded", [Note(f"compared: {sync or 'unknown'}")]
            return None, [Progress(0, 1, "waiting for the application controller")]

        final = yield from kube_ops.follow(ctx, lambda: self._fetch(ctx), step, lambda: self.cancelled,
                                           f"refresh of {self.name}")
        yield Done(final if final in ("succeeded", "cancelled") else "failed",  # type: ignore[arg-type]
                   f"refresh of {self.name}: {'done' if final == 'succeeded' else final}")


def _ours(app: dict[str, Any], before: str | None, user: str | None) -> str | None:
    """"pending" (our operation written, not started), "state" (operationState is ours), or None.

    ``user``: who we initiated as (kube path); None when the Argo CD API names the initiator.
    """
    def by_us(operation: Any) -> bool:
        if not isinstance(operation, dict):
            return False
        initiated = operation.get("initiatedBy") or {}
        if not isinstance(initiated, dict) or initiated.get("automated"):
            return False  # an automated sync is Argo CD's, never ours
        return user is None or initiated.get("username") == user

    state = (app.get("status") or {}).get("operationState") or {}
    started = state.get("startedAt") if isinstance(state, dict) else None
    if isinstance(state, dict) and state.get("phase") and started != before and \
            (by_us(state.get("operation")) or (user is None and not state.get("operation"))):
        return "state"
    if app.get("operation") is not None and by_us(app.get("operation")):
        return "pending"
    return None
