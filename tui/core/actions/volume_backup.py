"""Data safety from the Volumes pane: take a snapshot now (`S`), back up now (`B`), delete a
snapshot (ctrl+d, its name typed); restore (`R`) is out of scope and says so.

Each writes Longhorn's own CRs, as its UI and CSI snapshotter do (longhorn-manager v1beta2
snapshot.go / backup.go): a Snapshot CR {spec.volume, createSnapshot: true}, then a Backup CR
{spec.snapshotName} in the volume's namespace. Success is what Longhorn reports: the Snapshot's
status.readyToUse, the Backup's status.state Completed; a timeout is `unknown` with the command
that shows where it stands.
"""
from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from typing import Any

from ..parsers.access import dig, dig_int, dig_str
from ..ports import StoreView
from ..rows import VolumeRow
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

SNAPSHOT_PREFIX = "clusterdeck"
RESTORE_OUT_OF_SCOPE = ("restoring a backup is not something clusterdeck does: use the Longhorn UI "
                        "(Backup > Restore) or a PVC with dataSource, then point the workload at it")


def _path(plural: str, namespace: str | None, name: str | None = None) -> str:
    base = f"/apis/longhorn.io/v1beta2/namespaces/{namespace}/{plural}"
    return f"{base}/{name}" if name else base


def _kubectl(plural: str, namespace: str | None, name: str) -> str:
    return f"kubectl -n {namespace} get {plural}.longhorn.io {name} -o yaml"


class _VolumeAction(Action):
    """An action on one Longhorn volume row (target = "ns/name")."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        namespace, sep, name = target.partition("/")
        if not sep or not namespace or not name:
            raise ActionError(f"{target!r} is not a Longhorn volume (namespace/name)")
        self.namespace, self.name = namespace, name

    def _row(self, store: StoreView | None) -> VolumeRow | None:
        row = store.row("volumes", self.target) if store is not None else None
        return row if isinstance(row, VolumeRow) else None

    def preconditions(self, store: StoreView) -> list[str]:
        if store is not None and self._row(store) is None:
            return [gone(f"volume {self.target}")]
        return []

    def label(self, store: StoreView | None) -> str:
        row = self._row(store)
        return f"{row.pvc} ({self.name})" if row is not None and row.pvc else self.name

    def _snapshot_name(self, ctx: ActionContext) -> str:
        return f"{SNAPSHOT_PREFIX}-{ctx.clock.now():%Y%m%d-%H%M%S}"

    def _take_snapshot(self, ctx: ActionContext, name: str,
                       request: dict[str, Any]) -> Generator[ProgressEvent, None, str]:
        """POST the Snapshot CR (the plan's request) and follow it to readyToUse; returns follow()'s
        final state."""
        kube_ops.request(ctx, request)
        yield Note(f"Snapshot {name} requested")

        def step(obj: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
            error = dig_str(obj, "status", "error")
            if error:
                return "failed", [Note(f"snapshot {name}: {error}", "error")]
            if dig(obj, "status", "readyToUse") is True:
                return "succeeded", [Progress(1, 1, f"snapshot {name} ready")]
            return None, [Progress(0, 1, f"waiting for Longhorn to take snapshot {name}")]

        return (yield from kube_ops.follow(
            ctx, lambda: kube_ops.get_path(ctx, _path("snapshots", self.namespace, name)) or {},
            step, lambda: self.cancelled, f"snapshot {name}"))


def _snapshot_request(namespace: str, volume: str, name: str) -> dict[str, Any]:
    return {"method": "POST", "path": _path("snapshots", namespace), "content_type": "application/json",
            "body": {"apiVersion": "longhorn.io/v1beta2", "kind": "Snapshot",
                     "metadata": {"name": name, "namespace": namespace, "labels": {"longhornvolume": volume}},
                     "spec": {"volume": volume, "createSnapshot": True}}}


def _not_done(final: str, what: str, command: str, timeout: float) -> Done:
    if final == "cancelled":
        return Done("cancelled", f"stopped following {what}; Longhorn goes on with it ({command})")
    if final == "failed":
        return Done("failed", f"{what} failed: see {command}")
    return Done("unknown", f"{what} not confirmed after {int(timeout)} s: check {command}")


class VolumeSnapshot(_VolumeAction):
    id = "volume.snapshot"
    title = "Snapshot now"
    danger = "safe"

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        row = self._row(ctx.store)
        name = self._snapshot_name(ctx)
        lines = [(f"Take a Longhorn snapshot {name} of volume {self.label(ctx.store)} (on its replicas, "
                  "in the cluster: not a backup).")]
        warnings = []
        if row is not None and row.state == "detached":
            warnings.append("the volume is detached: Longhorn attaches it for the snapshot "
                            "(snapshot-controller ticket) and detaches it after")
        return Plan(action_id=self.id, target=self.target, title=f"Snapshot {self.label(ctx.store)}",
                    danger=self.danger, lines=tuple(lines),
                    requests=(_snapshot_request(self.namespace, self.name, name),),
                    affected=(f"Longhorn volume {self.name}",), warnings=tuple(warnings), data={"name": name})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        name = str(plan.data["name"])
        final = yield from self._take_snapshot(ctx, name, plan.requests[0])
        if final == "succeeded":
            yield Done("succeeded", f"snapshot {name} of {self.name} is ready")
        else:
            yield _not_done(final, f"snapshot {name}", _kubectl("snapshots", self.namespace, name), ctx.timeout)


class VolumeBackup(_VolumeAction):
    id = "volume.backup"
    title = "Back up now"
    danger = "safe"

    def preconditions(self, store: StoreView) -> list[str]:
        problems = super().preconditions(store)
        row = self._row(store)
        if problems or row is None:
            return problems
        if row.backup_target_available is False:
            why = f" ({row.backup_target_message})" if row.backup_target_message else ""
            return [f"the backup target is unavailable{why}: a backup cannot be written"]
        if row.backup_state in ("New", "Pending", "InProgress"):
            return [f"a backup of {self.name} is already running ({row.backup_progress or 0}%)"]
        return []

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        row = self._row(ctx.store)
        snap = self._snapshot_name(ctx)
        target = row.backup_target if row is not None and row.backup_target else "the configured backup target"
        backup = {"method": "POST", "path": _path("backups", self.namespace), "content_type": "application/json",
                  "body": {"apiVersion": "longhorn.io/v1beta2", "kind": "Backup",
                           "metadata": {"name": f"backup-{snap}", "namespace": self.namespace,
                                        "labels": {"backup-volume": self.name}},
                           "spec": {"snapshotName": snap, "labels": {}}}}
        lines = (f"Take snapshot {snap} of {self.label(ctx.store)}, then back it up to {target}.",
                 "Progress is Longhorn's (the Backup's status.progress); done when it says Completed.")
        return Plan(action_id=self.id, target=self.target, title=f"Back up {self.label(ctx.store)}",
                    danger=self.danger, lines=lines,
                    requests=(_snapshot_request(self.namespace, self.name, snap), backup),
                    affected=(f"Longhorn volume {self.name}", f"backup target {target}"),
                    data={"snapshot": snap, "backup": f"backup-{snap}"})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        snap, name = str(plan.data["snapshot"]), str(plan.data["backup"])
        final = yield from self._take_snapshot(ctx, snap, plan.requests[0])
        if final != "succeeded":
            yield _not_done(final, f"snapshot {snap} (before the backup)",
                            _kubectl("snapshots", self.namespace, snap), ctx.timeout)
            return
        kube_ops.request(ctx, plan.requests[1])
        yield Note(f"Backup {name} requested")

        def step(obj: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
            state = dig_str(obj, "status", "state") or "New"
            progress = dig_int(obj, "status", "progress") or 0
            if state == "Completed":
                return "succeeded", [Progress(100, 100, f"backup {name} completed")]
            if state in ("Error", "Unknown"):
                error = dig_str(obj, "status", "error") or f"state {state}"
                return "failed", [Note(f"backup {name}: {error}", "error")]
            return None, [Progress(progress, 100, f"backup {name}: {state} {progress}%")]

        final = yield from kube_ops.follow(
            ctx, lambda: kube_ops.get_path(ctx, _path("backups", self.namespace, name)) or {},
            step, lambda: self.cancelled, f"backup {name}")
        if final == "succeeded":
            yield Done("succeeded", f"backup {name} of {self.name} completed")
        else:
            yield _not_done(final, f"backup {name}", _kubectl("backups", self.namespace, name), ctx.timeout)


class SnapshotDelete(_VolumeAction):
    id = "snapshot.delete"
    title = "Delete snapshot"
    danger = "destructive"

    def preconditions(self, store: StoreView) -> list[str]:
        problems = super().preconditions(store)
        row = self._row(store)
        if not problems and row is not None and not row.snapshot_names:
            return [f"volume {self.name} has no snapshot to delete"]
        return problems

    def options(self, store: StoreView, ctx: ActionContext | None = None) -> tuple[Choice, ...]:
        row = self._row(store)
        return (Choice("snapshot", "Snapshot to delete", (row.snapshot_names if row else ()) or ("",)),)

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        name = str(self._choices(ctx.store, choices).get("snapshot") or "")
        row = self._row(ctx.store)
        if not name or row is None or name not in row.snapshot_names:
            raise ActionError(f"choose one of {self.name}'s snapshots to delete")
        lines = (f"Delete snapshot {name} of volume {self.label(ctx.store)}.",
                 "Its data merges into the next snapshot; backups already taken from it stay on the target.")
        return Plan(action_id=self.id, target=self.target, title=f"Delete snapshot {name}",
                    danger=self.danger, lines=lines, confirm_name=name,
                    requests=({"method": "DELETE", "path": _path("snapshots", self.namespace, name),
                               "content_type": "application/json", "body": None},),
                    affected=(f"snapshot {name}",), warnings=("a deleted snapshot cannot be restored from",),
                    data={"name": name})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        name = str(plan.data["name"])
        kube_ops.request(ctx, plan.requests[0])
        yield Note(f"snapshot {name} deletion requested")
        listing = _path("snapshots", self.namespace)

        def step(obj: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
            names = {dig_str(i, "metadata", "name") for i in obj.get("items") or [] if isinstance(i, dict)}
            if name not in names:
                return "succeeded", [Progress(1, 1, f"snapshot {name} is gone")]
            return None, [Progress(0, 1, f"waiting for Longhorn to remove snapshot {name}")]

        final = yield from kube_ops.follow(ctx, lambda: kube_ops.get_path(ctx, listing) or {}, step,
                                           lambda: self.cancelled, f"snapshot {name}")
        if final == "succeeded":
            yield Done("succeeded", f"snapshot {name} deleted")
        else:
            yield _not_done(final, f"deleting snapshot {name}", _kubectl("snapshots", self.namespace, name),
                            ctx.timeout)


class VolumeRestore(_VolumeAction):
    """Asked for, it says why not: restore stays out of scope (issue 15)."""

    id = "volume.restore"
    title = "Restore"
    danger = "destructive"

    def preconditions(self, store: StoreView) -> list[str]:
        return [RESTORE_OUT_OF_SCOPE]

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        raise ActionError(RESTORE_OUT_OF_SCOPE)
