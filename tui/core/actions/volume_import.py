"""Volume attach + mount for data import, and unmount + detach (REFERENCE 1.4-1.6, issue 4 §2).

Attach writes a Longhorn attachment ticket with our fixed id ``clusterdeck``: through the
Longhorn manager API when it is configured and answers, else straight into the
VolumeAttachment's spec.attachmentTickets. Then playbooks/volume-mount.yml mounts the device
on that node. Unmount runs volume-unmount.yml, then removes the same ticket.
"""
from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..kube_http import MERGE_PATCH
from . import kube_ops
from .affected import impact_lines
from .ansible_run import PlaybookRun
from .base import (
    Action,
    ActionContext,
    ActionError,
    Danger,
    Choice,
    Done,
    Note,
    Plan,
    Progress,
    ProgressEvent,
    Toggle,
)
from .catalog import Catalog, CatalogEntry, load_catalog
from .longhorn_api import LonghornApi

TICKET_ID = "clusterdeck"


def _catalog_entry(ctx: ActionContext, playbook_file: str) -> CatalogEntry:
    if ctx.playbook_dir is None:
        raise ActionError("no playbook directory configured")
    catalog: Catalog = load_catalog(Path(ctx.playbook_dir) / "catalog.yaml")
    for entry in catalog.entries:
        if entry.playbook.name == playbook_file:
            return entry
    raise ActionError(f"{playbook_file} is not in the playbook catalog")


def _ticket(raw_va: dict[str, Any] | None) -> dict[str, Any] | None:
    return (((raw_va or {}).get("spec") or {}).get("attachmentTickets") or {}).get(TICKET_ID)


def running_users(raw_volume: dict[str, Any] | None) -> list[str]:
    """"Kind name (pod p)" of workloads whose pods use the volume now (not history)."""
    k8s = ((raw_volume or {}).get("status") or {}).get("kubernetesStatus") or {}
    if k8s.get("lastPodRefAt"):
        return []  # the list is history: no pod uses it now
    out = []
    for w in k8s.get("workloadsStatus") or []:
        if isinstance(w, dict) and w.get("podStatus") in ("Running", "Pending"):
            out.append(f"{w.get('workloadType') or 'pod'} {w.get('workloadName') or w.get('podName')}"
                       f" (pod {w.get('podName')} {w.get('podStatus')})")
    return out


def ready_nodes(store: Any) -> list[str]:
    """Kubernetes nodes that are Ready and whose Longhorn node is Ready (when we know it)."""
    if store is None:
        return []
    lh_ready = {r.name: r.ready for r in store.rows("lh_nodes")}
    return sorted(n.name for n in store.rows("nodes") if n.ready is True and lh_ready.get(n.name, True) is not False)


class _VolumeAction(Action):
    def __init__(self, target: str) -> None:
        super().__init__(target)
        if "/" not in target:
            raise ActionError(f"{target!r} is not a volume key (namespace/name)")
        self.namespace, self.name = target.split("/", 1)

    def _raw(self, store: Any, kind_key: str) -> dict[str, Any] | None:
        return store.get(kind_key, self.target) if store is not None else None

    def _va_path(self) -> str:
        return kube_ops.object_path("lh_attachments", self.namespace, self.name)

    def _longhorn(self, ctx: ActionContext) -> tuple[LonghornApi | None, str]:
        """The manager API when configured and answering, with a line saying which path we take."""
        if not ctx.longhorn_url:
            return None, "through the kube API (no Longhorn manager URL configured)"
        api = LonghornApi(ctx.longhorn_url)
        why = api.reachable()
        if why is None:
            return api, f"through the Longhorn manager API at {api.base}"
        api.close()
        return None, f"through the kube API (Longhorn manager at {ctx.longhorn_url}: {why})"

    def _affected(self, store: Any) -> tuple[str, ...]:
        row = store.row("volumes", self.target) if store is not None else None
        out = [f"Longhorn volume {self.name}"]
        if row is not None and row.pvc:
            out.append(f"PVC {row.pvc}")
        return tuple(out) + impact_lines(store, lambda i: i.for_volume, self.target)

    def _send_ticket(self, ctx: ActionContext, req: dict[str, Any]) -> None:
        if req.get("api") == "longhorn":
            api = LonghornApi(ctx.longhorn_url or "")
            try:
                api.action(self.name, req["action"], req["body"])
            finally:
                api.close()
        else:
            kube_ops.request(ctx, req)

    def _follow_volume(self, ctx: ActionContext, want_state: str,
                       node: str | None) -> Generator[ProgressEvent, None, str]:
        seen: list[str] = []

        def step(vol: dict[str, Any]) -> tuple[str | None, list[ProgressEvent]]:
            status = vol.get("status") or {}
            state, current = status.get("state") or "?", status.get("currentNodeID") or ""
            events: list[ProgressEvent] = []
            label = f"{state} on {current}" if current else state
            if not seen or seen[-1] != label:
                seen.append(label)
                events.append(Note(f"volume {self.name}: {label}"))
            steps = ("detached", "attaching", "attached") if want_state == "attached" else ("attached", "detaching", "detached")
            events.append(Progress(steps.index(state) if state in steps else 0, 2, label))
            if state == want_state and (node is None or current == node):
                return "succeeded", events
            return None, events

        final = yield from kube_ops.follow(ctx, lambda: kube_ops.get(ctx, "lh_volumes", self.namespace, self.name),
                                           step, lambda: self.cancelled, f"volume {self.name}")
        return final

    def cancel(self) -> None:
        super().cancel()
        run = getattr(self, "_run", None)
        if run is not None:
            run.cancel()

    def _playbook(self, ctx: ActionContext, entry: CatalogEntry, node: str, extravars: dict[str, Any],
                  check: bool) -> Generator[ProgressEvent, None, Done | None]:
        if ctx.inventory is None:
            raise ActionError("no inventory configured: cannot run playbooks")
        run = PlaybookRun(entry, node, extravars, check, ctx.state_dir, ctx.inventory)
        self._run = run
        done: Done | None = None
        for event in run.events():
            if isinstance(event, Done):
                done = event
            else:
                yield event
        self._last_run = run
        return done


class VolumeMount(_VolumeAction):
    id = "volume.mount"
    title = "Attach + mount for import"
    danger = "disruptive"

    def preconditions(self, store: Any) -> list[str]:
        vol = self._raw(store, "lh_volumes")
        if store is not None and vol is None:
            return [f"volume {self.target} is not in the cluster (any more)"]
        problems = []
        users = running_users(vol)
        if users:
            problems.append(f"{self.name} is in use by {', '.join(users)}: scale it to 0 first")
        ticket = _ticket(self._raw(store, "lh_attachments"))
        if ticket:
            problems.append(f"{self.name} is already attached by clusterdeck on {ticket.get('nodeID')}: unmount it (u) first")
        state = ((vol or {}).get("status") or {}).get("state")
        if not users and not ticket and state == "attached":
            node = ((vol or {}).get("status") or {}).get("currentNodeID")
            problems.append(f"{self.name} is attached to {node} by something else: detach it there first")
        if store is not None and not ready_nodes(store):
            problems.append("no Ready node to attach to")
        return problems

    def options(self, store: Any, ctx: ActionContext | None = None) -> tuple[Choice | Toggle, ...]:
        return (Choice("node", "Attach to node", tuple(ready_nodes(store)) or ("",)),
                Toggle("maintenance", "Maintenance mode (no block device, nothing mounted)", False),
                Toggle("format", "Format the device if it is blank (type the volume name)", False))

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        problems = self.preconditions(ctx.store)
        if problems:
            raise ActionError(problems[0])
        chosen = self._choices(ctx.store, choices)
        node = str(chosen.get("node") or "")
        if node not in ready_nodes(ctx.store):
            raise ActionError(f"{node or 'no node'} is not a Ready node (choose one of: {', '.join(ready_nodes(ctx.store))})")
        maintenance, fmt = bool(chosen.get("maintenance")), bool(chosen.get("format")) and not chosen.get("maintenance")
        api, path_line = self._longhorn(ctx)
        if api is not None:
            api.close()
            req = {"api": "longhorn", "method": "POST", "path": f"/v1/volumes/{self.name}?action=attach",
                   "action": "attach",
                   "body": {"hostId": node, "disableFrontend": maintenance, "attacherType": "longhorn-api",
                            "attachmentID": TICKET_ID, "attachedBy": TICKET_ID}}
        else:
            ticket = {"id": TICKET_ID, "type": "longhorn-api", "nodeID": node,
                      "parameters": {"disableFrontend": "true" if maintenance else "false", "lastAttachedBy": TICKET_ID}}
            req = {"method": "PATCH", "path": self._va_path(), "content_type": MERGE_PATCH,
                   "body": {"spec": {"attachmentTickets": {TICKET_ID: ticket}}}}
        lines = [f"1. Attach {self.name} to {node} with ticket '{TICKET_ID}' {path_line}"
                 + (" in maintenance mode (no block device)." if maintenance else ".")]
        if not maintenance:
            check = " (check mode: demo inventory)" if ctx.check_only else ""
            lines.append(f"2. Mount /dev/longhorn/{self.name} at /mnt/import/{self.name} on {node} with "
                         f"volume-mount.yml{check}.")
            lines.append("   A blank device is " + (f"FORMATTED (you typed {self.name!r})." if fmt else
                                                   "NOT formatted (the mount stops and says so)."))
            lines.append("   A device with a filesystem is never formatted.")
            lines.append("3. Show the rsync/scp command that copies the dump onto the node.")
        danger: Danger = "destructive" if fmt else "disruptive"
        return Plan(action_id=self.id, target=self.target, title=f"Import data into {self.name}", danger=danger,
                    lines=tuple(lines), requests=(req,), affected=self._affected(ctx.store),
                    confirm_name=self.name if fmt else None,
                    choices={"node": node, "maintenance": maintenance, "format": fmt})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        node = plan.choices["node"]
        self._send_ticket(ctx, plan.requests[0])
        yield Note(f"ticket '{TICKET_ID}' written: attach {self.name} to {node}")
        final = yield from self._follow_volume(ctx, "attached", node)
        if final != "succeeded":
            yield Done("cancelled" if final == "cancelled" else "failed",
                       f"{self.name} did not attach to {node} ({final}); the ticket stays: u removes it")
            return
        if plan.choices.get("maintenance"):
            yield Done("succeeded", f"{self.name} is attached to {node} in maintenance mode (no block device)")
            return
        entry = _catalog_entry(ctx, "volume-mount.yml")
        extravars = {"volume": self.name, "confirm_format": self.name if plan.choices.get("format") else ""}
        done = yield from self._playbook(ctx, entry, node, extravars, ctx.check_only)
        if done is None or done.outcome != "succeeded":
            why = done.message if done else "the playbook did not finish"
            yield Done(done.outcome if done and done.outcome == "cancelled" else "failed",
                       f"{why}. {self.name} is still attached to {node}: u unmounts and detaches it.",
                       done.artifact if done else None)
            return
        copy_lines = _debug_lines(self._last_run.tree(), "Copy command")
        yield Done("succeeded", "\n".join(copy_lines) or f"{self.name} mounted at {node}:/mnt/import/{self.name}",
                   done.artifact)


class VolumeUnmount(_VolumeAction):
    id = "volume.unmount"
    title = "Unmount + detach"
    danger = "disruptive"

    def preconditions(self, store: Any) -> list[str]:
        if store is not None and self._raw(store, "lh_volumes") is None:
            return [f"volume {self.target} is not in the cluster (any more)"]
        if store is not None and _ticket(self._raw(store, "lh_attachments")) is None:
            return [f"{self.name} has no '{TICKET_ID}' attachment: nothing to unmount or detach"]
        return []

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        problems = self.preconditions(ctx.store)
        if problems:
            raise ActionError(problems[0])
        ticket = _ticket(self._raw(ctx.store, "lh_attachments")) or \
            _ticket(kube_ops.get(ctx, "lh_attachments", self.namespace, self.name))
        if ticket is None:
            raise ActionError(f"{self.name} has no '{TICKET_ID}' attachment: nothing to unmount or detach")
        node = str(ticket.get("nodeID") or "")
        maintenance = (ticket.get("parameters") or {}).get("disableFrontend") == "true"
        api, path_line = self._longhorn(ctx)
        if api is not None:
            api.close()
            req = {"api": "longhorn", "method": "POST", "path": f"/v1/volumes/{self.name}?action=detach",
                   "action": "detach", "body": {"attachmentID": TICKET_ID, "hostId": "", "forceDetach": False}}
        else:
            req = {"method": "PATCH", "path": self._va_path(), "content_type": MERGE_PATCH,
                   "body": {"spec": {"attachmentTickets": {TICKET_ID: None}}}}
        lines = []
        if not maintenance:
            lines.append(f"1. sync and unmount /mnt/import/{self.name} on {node} with volume-unmount.yml.")
        lines.append(f"{'2' if lines else '1'}. Remove ticket '{TICKET_ID}' {path_line}; "
                     "the volume detaches unless another ticket holds it.")
        return Plan(action_id=self.id, target=self.target, title=f"Unmount and detach {self.name}",
                    danger=self.danger, lines=tuple(lines), requests=(req,), affected=self._affected(ctx.store),
                    choices={"node": node, "maintenance": maintenance})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        node = plan.choices["node"]
        artifact = None
        if not plan.choices.get("maintenance"):
            entry = _catalog_entry(ctx, "volume-unmount.yml")
            done = yield from self._playbook(ctx, entry, node, {"volume": self.name}, ctx.check_only)
            artifact = done.artifact if done else None
            if done is None or done.outcome != "succeeded":
                yield Done(done.outcome if done and done.outcome == "cancelled" else "failed",
                           f"{done.message if done else 'unmount did not finish'}; the volume stays attached",
                           artifact)
                return
        self._send_ticket(ctx, plan.requests[0])
        yield Note(f"ticket '{TICKET_ID}' removed")
        va = kube_ops.get(ctx, "lh_attachments", self.namespace, self.name)
        others = [t for t in ((va.get("spec") or {}).get("attachmentTickets") or {}) if t != TICKET_ID]
        if others:
            yield Done("succeeded", f"unmounted; {self.name} stays attached for {', '.join(others)}", artifact)
            return
        final = yield from self._follow_volume(ctx, "detached", None)
        if final == "succeeded":
            yield Done("succeeded", f"{self.name} unmounted and detached from {node}", artifact)
        else:
            yield Done("cancelled" if final == "cancelled" else "failed", f"{self.name} did not detach ({final})",
                       artifact)


def _debug_lines(tree: Any, task_prefix: str) -> list[str]:
    """The msg lines of the named debug task (the playbook prints the copy command there)."""
    for task in reversed(tree.tasks() if tree else []):
        if task.name.startswith(task_prefix):
            for host in task.hosts:
                msg = host.result.get("msg")
                if isinstance(msg, list):
                    return [str(m) for m in msg]
                if isinstance(msg, str):
                    return [msg]
    return []
