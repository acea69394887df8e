"""Actions from the keyboard: preconditions -> plan (preview) -> confirm -> execute -> audit.

Public surface:
  ActionRunner(state_dir, context=, read_only=)  .run(action, ctx, plan, typed) / .refusal(action, plan)
  ActionContext, Plan, Note, Progress, RunUpdate, Done, ActionError
  action_for(action_id, target) -> Action      (keys: ACTION_CLASSES)
  PlaybookAction(entry_id, hosts, check=, catalog=), load_catalog(path)
  run_playbook(entry, limit, extravars, check, state_dir, inventory) -> PlaybookRun
  load_run(run_dir) -> RunTree, list_runs(state_dir) -> list[RunTree]
"""
from __future__ import annotations

from .ansible_model import HostResult, PlayNode, RunTree, TaskNode, list_runs, load_run
from .ansible_run import PlaybookRun, run_playbook
from .argocd import AppAutoSyncOff, AppRefresh, AppRollback, AppSync, AppTerminate
from .audit import AuditLog, Who
from .base import (
    Action,
    ActionContext,
    ActionError,
    Choice,
    Done,
    Note,
    Option,
    Plan,
    Progress,
    ProgressEvent,
    RunUpdate,
    Text,
    Toggle,
)
from .catalog import Catalog, CatalogEntry, load_catalog
from .longhorn_node import LonghornNodeMaintenance
from .nodes import NodeCordon, NodeDrain
from .playbook import PlaybookAction, catalog_for
from .pods import PodDelete
from .runner import ActionRunner
from .volume_backup import SnapshotDelete, VolumeBackup, VolumeRestore, VolumeSnapshot
from .volume_import import TICKET_ID, VolumeMount, VolumeUnmount
from .workloads import WorkloadRestart, WorkloadUndo

ACTION_CLASSES: dict[str, type[Action]] = {
    cls.id: cls for cls in (VolumeMount, VolumeUnmount, AppSync, AppRefresh, AppRollback, AppTerminate, AppAutoSyncOff,
                            WorkloadRestart, WorkloadUndo, NodeCordon, NodeDrain, PodDelete,
                            VolumeSnapshot, VolumeBackup, SnapshotDelete, VolumeRestore)
}


def action_for(action_id: str, target: str) -> Action:
    """A fresh action of that id on one target key (row.key); playbooks use PlaybookAction."""
    try:
        cls = ACTION_CLASSES[action_id]
    except KeyError:
        raise ActionError(f"unknown action {action_id!r}") from None
    return cls(target)


__all__ = [
    "ACTION_CLASSES",
    "AppAutoSyncOff",
    "TICKET_ID",
    "SnapshotDelete",
    "VolumeBackup",
    "VolumeRestore",
    "VolumeSnapshot",
    "Action",
    "ActionContext",
    "ActionError",
    "ActionRunner",
    "AppRefresh",
    "AppRollback",
    "AppSync",
    "AppTerminate",
    "AuditLog",
    "Catalog",
    "CatalogEntry",
    "Choice",
    "Done",
    "HostResult",
    "LonghornNodeMaintenance",
    "NodeCordon",
    "NodeDrain",
    "Note",
    "Option",
    "Plan",
    "PlayNode",
    "PlaybookAction",
    "PlaybookRun",
    "PodDelete",
    "Progress",
    "ProgressEvent",
    "RunTree",
    "RunUpdate",
    "TaskNode",
    "Text",
    "Toggle",
    "VolumeMount",
    "VolumeUnmount",
    "Who",
    "WorkloadRestart",
    "WorkloadUndo",
    "action_for",
    "catalog_for",
    "list_runs",
    "load_catalog",
    "load_run",
    "run_playbook",
]
