"""Volume attach + mount for data import, and unmount + detach (REFERENCE 1.4-1.6, issue 4 §2).

Attach writes a Longhorn attachment ticket with our fixed id ``clusterdeck``: through the
Longhorn manager API when it is configured and answers, else straight into the
VolumeAttachment's spec.attachmentTickets. Then playbooks/volume-mount.yml mounts the device
on that node. Unmount runs volume-unmount.yml, then removes the same ticket.

Both check everything their later steps need (catalog entries, playbook files, inventory and
the node in it, the API they will call) before their first change, in plan() and again when
they start. An import that fails after the attach undoes it: it unmounts (when the mount
playbook ran), removes its ticket, says what it had changed, and writes an undo audit record.
"""
from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from typing import Any

from ..findings import Finding
from ..kube_http import MERGE_PATCH
from ..ports import StoreView
from . import kube_ops
from .affected import impact_lines
from .ansible_run import PlaybookRun
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
from .catalog import CatalogEntry
from .copy_hint import copy_commands
from .flow_checks import audit_undo, catalog_entries, inventory_problems, refuse_unless_ready
from .longhorn_api import LonghornApi

TICKET_ID = "clusterdeck"


MOUNT_BOOK, UNMOUNT_BOOK = "volume-mount.yml", "volume-unmount.yml"


def _catalog_entry(ctx: ActionContext, playbook_file: str) -> CatalogEntry:
    found, problems = catalog_entries(ctx, (playbook_file,))
    if problems:
        raise ActionError(problems[0])
    return found[playbook_file]


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


def _ready_node_names(store: StoreView) -> Iterator[str]:
    """Kubernetes nodes that are Ready and whose Longhorn node is Ready (when we know it)."""
    lh_not_ready = {r.name for r in store.rows("lh_nodes") if r.ready is False}
    return (n.name for n in store.rows("nodes") if n.ready is True and n.name not in lh_not_ready)


def ready_nodes(store: StoreView) -> list[str]:
    """The nodes a volume can be attached to, by name."""
    return [] if store is None else sorted(_ready_node_names(store))


def any_ready_node(store: StoreView) -> bool:
    """Whether some node could take the volume, without listing and sorting them all (asked on
    every cursor move, over 2,000 nodes at scale)."""
    return next(_ready_node_names(store), None) is not None


class _VolumeAction(Action):
    def __init__(self, target: str) -> None:
        super().__init__(target)
        if "/" not in target:
            raise ActionError(f"{target!r} is not a volume key (namespace/name)")
        self.namespace, self.name = target.split("/", 1)

    def _raw(self, store: StoreView, kind_key: str) -> dict[str, Any] | None:
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

    def _detach_request(self, via_longhorn: bool) -> dict[str, Any]:
        """Remove our ticket: the unmount's last step, and the import's undo."""
        if via_longhorn:
            return {"api": "longhorn", "method": "POST", "path": f"/v1/volumes/{self.name}?action=detach",
                    "action": "detach", "body": {"attachmentID": TICKET_ID, "hostId": "", "forceDetach": False}}
        return {"method": "PATCH", "path": self._va_path(), "content_type": MERGE_PATCH,
                "body": {"spec": {"attachmentTickets": {TICKET_ID: None}}}}

    def _needs(self, ctx: ActionContext, books: tuple[str, ...], node: str, *, list_hosts: bool = True,
               via_longhorn: bool = False) -> list[str]:
        """What stops a later step: a catalog entry or playbook, the inventory, the API we call."""
        problems = catalog_entries(ctx, books)[1] if books else []
        if books:
            problems += inventory_problems(ctx, node, list_hosts=list_hosts)
        if not via_longhorn:  # the ticket is written into the VolumeAttachment through the kube API
            try:
                kube_ops.get(ctx, "lh_attachments", self.namespace, self.name)
            except ActionError as exc:
                problems.append(f"cannot read the VolumeAttachment {self.name}: {exc}")
        return problems

    def _affected(self, store: StoreView) -> tuple[str | Finding, ...]:
        row = store.row("volumes", self.target) if store is not None else None
        out: list[str | Finding] = [f"Longhorn volume {self.name}"]
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

    def preconditions(self, store: StoreView) -> list[str]:
        vol = self._raw(store, "lh_volumes")
        if store is not None and vol is None:
            return [gone(f"volume {self.target}")]
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
        if store is not None and not any_ready_node(store):
            problems.append("no Ready node to attach to")
        return problems

    def options(self, store: StoreView, ctx: ActionContext | None = None) -> tuple[Choice | Toggle, ...]:
        return (Choice("node", "Attach to node", tuple(ready_nodes(store)) or ("",)),
                Toggle("maintenance", "Maintenance mode (no block device, nothing mounted)", False),
                Toggle("format", "Format the device if it is blank (type the volume name)", False))

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        chosen = self._choices(ctx.store, choices)
        node = str(chosen.get("node") or "")
        if node not in ready_nodes(ctx.store):
            raise ActionError(f"{node or 'no node'} is not a Ready node (choose one of: {', '.join(ready_nodes(ctx.store))})")
        maintenance, fmt = bool(chosen.get("maintenance")), bool(chosen.get("format")) and not chosen.get("maintenance")
        api, path_line = self._longhorn(ctx)
        books = () if maintenance else (MOUNT_BOOK, UNMOUNT_BOOK)  # unmount: the undo if the mount fails
        refuse_unless_ready(self._needs(ctx, books, node, via_longhorn=api is not None),
                            f"Cannot import into {self.name}")
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
        lines.append("If a step fails after the attach, the import unmounts and removes its ticket again.")
        return Plan(action_id=self.id, target=self.target, title=f"Import data into {self.name}", danger=danger,
                    lines=tuple(lines), requests=(req, self._detach_request(api is not None)),
                    affected=self._affected(ctx.store), confirm_name=self.name if fmt else None,
                    choices={"node": node, "maintenance": maintenance, "format": fmt},
                    data={"books": books, "via_longhorn": api is not None})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        node = plan.choices["node"]
        books = tuple(plan.data.get("books", ()))
        # time passed since the preview: the same checks again, before the first change
        problems = self._needs(ctx, books, node, list_hosts=False, via_longhorn=bool(plan.data.get("via_longhorn")))
        if problems:
            yield Done("failed", "; ".join(problems) + ". Nothing was changed.")
            return
        try:
            self._send_ticket(ctx, plan.requests[0])
        except ActionError as exc:  # it may have landed all the same (a lost answer): undo it
            yield from self._undo(ctx, plan, f"the attach request failed: {exc}", unmount=False)
            return
        yield Note(f"ticket '{TICKET_ID}' written: attach {self.name} to {node}")
        final = yield from self._follow_volume(ctx, "attached", node)
        if final != "succeeded":
            yield from self._undo(ctx, plan, f"{self.name} did not attach to {node} ({final})", unmount=False,
                                  outcome="cancelled" if final == "cancelled" else "failed")
            return
        if plan.choices.get("maintenance"):
            yield Done("succeeded", f"{self.name} is attached to {node} in maintenance mode (no block device)")
            return
        try:
            entry = _catalog_entry(ctx, MOUNT_BOOK)
            extravars = {"volume": self.name, "confirm_format": self.name if plan.choices.get("format") else ""}
            done = yield from self._playbook(ctx, entry, node, extravars, ctx.check_only)
        except ActionError as exc:
            yield from self._undo(ctx, plan, f"{MOUNT_BOOK} could not start: {exc}", unmount=False)
            return
        if done is None or done.outcome != "succeeded":
            why = done.message if done else "the playbook did not finish"
            yield from self._undo(ctx, plan, why, unmount=True,
                                  outcome="cancelled" if done and done.outcome == "cancelled" else "failed",
                                  artifact=done.artifact if done else None)
            return
        copy_lines = _debug_lines(self._last_run.tree(), "Copy command")
        if not copy_lines:  # the playbook stopped before printing it (a check run): say what is true
            mount_point = f"/mnt/import/{self.name}"
            head = (f"Check run only: {self.name} is attached to {node} but NOT mounted; a real run "
                    f"mounts it at {node}:{mount_point}. Then copy the dump with:" if ctx.check_only else
                    f"{self.name} is mounted at {node}:{mount_point}. Copy the dump with:")
            copy_lines = [head, *copy_commands(ctx.inventory, node, mount_point)]
        yield Done("succeeded", "\n".join(copy_lines), done.artifact)

    def _ticket_gone(self, ctx: ActionContext) -> bool:
        try:
            return _ticket(kube_ops.get(ctx, "lh_attachments", self.namespace, self.name)) is None
        except ActionError:
            return False

    def _undo(self, ctx: ActionContext, plan: Plan, why: str, *, unmount: bool, outcome: str = "failed",
              artifact: str | None = None) -> Generator[ProgressEvent, None, None]:
        """Take back what this import changed: unmount (if the mount playbook ran), remove our ticket."""
        node = plan.choices["node"]
        changed = f"it had attached {self.name} to {node} (ticket '{TICKET_ID}')"
        yield Note(f"{why}: undoing the import ({changed})", "warning")
        trouble, landed = None, True
        if unmount:  # the mount may have got as far as mounting: never detach under a mounted device
            try:
                done = yield from self._playbook(ctx, _catalog_entry(ctx, UNMOUNT_BOOK), node,
                                                 {"volume": self.name}, ctx.check_only)
                if done is None or done.outcome != "succeeded":
                    trouble = f"{UNMOUNT_BOOK}: {done.message if done else 'did not finish'}"
            except ActionError as exc:
                trouble = f"{UNMOUNT_BOOK}: {exc}"
        if trouble is None:
            try:
                self._send_ticket(ctx, plan.requests[1])
                if _ticket(kube_ops.get(ctx, "lh_attachments", self.namespace, self.name)) is not None:
                    trouble = f"ticket '{TICKET_ID}' is still on the VolumeAttachment"
            except ActionError as exc:
                trouble = f"removing ticket '{TICKET_ID}': {exc}"
                if self._ticket_gone(ctx):  # the attach never landed (its request was what failed)
                    trouble, landed = None, False
        if not landed:
            message = f"{why}. Nothing is left attached: {self.name} carries no '{TICKET_ID}' ticket."
        elif trouble is None:
            message = (f"{why}. Undone: {changed}; the ticket is removed "
                       f"{'and the device unmounted ' if unmount else ''}and {self.name} detaches.")
        else:
            message = (f"{why}. {changed[0].upper()}{changed[1:]}, and the undo failed ({trouble}): "
                       f"{self.name} is still attached to {node}; u unmounts and detaches it.")
        audit_undo(ctx, plan, "succeeded" if trouble is None else "failed", message)
        yield Note("undo " + ("done" if trouble is None else f"failed: {trouble}"),
                   "info" if trouble is None else "error")
        yield Done("cancelled" if outcome == "cancelled" else "failed", message, artifact)


class VolumeUnmount(_VolumeAction):
    id = "volume.unmount"
    title = "Unmount + detach"
    danger = "disruptive"

    def preconditions(self, store: StoreView) -> list[str]:
        if store is not None and self._raw(store, "lh_volumes") is None:
            return [gone(f"volume {self.target}")]
        if store is not None and _ticket(self._raw(store, "lh_attachments")) is None:
            return [f"{self.name} has no '{TICKET_ID}' attachment: nothing to unmount or detach"]
        return []

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        self.require_preconditions(ctx)
        ticket = _ticket(self._raw(ctx.store, "lh_attachments")) or \
            _ticket(kube_ops.get(ctx, "lh_attachments", self.namespace, self.name))
        if ticket is None:
            raise ActionError(f"{self.name} has no '{TICKET_ID}' attachment: nothing to unmount or detach")
        node = str(ticket.get("nodeID") or "")
        maintenance = (ticket.get("parameters") or {}).get("disableFrontend") == "true"
        api, path_line = self._longhorn(ctx)
        if api is not None:
            api.close()
        req = self._detach_request(api is not None)
        books = () if maintenance else (UNMOUNT_BOOK,)
        refuse_unless_ready(self._needs(ctx, books, node, via_longhorn=api is not None),
                            f"Cannot unmount {self.name}")
        lines = []
        if not maintenance:
            lines.append(f"1. sync and unmount /mnt/import/{self.name} on {node} with volume-unmount.yml.")
        lines.append(f"{'2' if lines else '1'}. Remove ticket '{TICKET_ID}' {path_line}; "
                     "the volume detaches unless another ticket holds it.")
        return Plan(action_id=self.id, target=self.target, title=f"Unmount and detach {self.name}",
                    danger=self.danger, lines=tuple(lines), requests=(req,), affected=self._affected(ctx.store),
                    choices={"node": node, "maintenance": maintenance},
                    data={"books": books, "via_longhorn": api is not None})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        node = plan.choices["node"]
        artifact = None
        problems = self._needs(ctx, tuple(plan.data.get("books", ())), node, list_hosts=False,
                               via_longhorn=bool(plan.data.get("via_longhorn")))
        if problems:  # checked again before the first change: time passed since the preview
            yield Done("failed", "; ".join(problems) + ". Nothing was changed.")
            return
        if not plan.choices.get("maintenance"):
            entry = _catalog_entry(ctx, UNMOUNT_BOOK)
            done = yield from self._playbook(ctx, entry, node, {"volume": self.name}, ctx.check_only)
            artifact = done.artifact if done else None
            if done is None or done.outcome != "succeeded":
                yield Done(done.outcome if done and done.outcome == "cancelled" else "failed",
                           f"{done.message if done else 'unmount did not finish'}; the volume stays attached",
                           artifact)
                return
        try:
            self._send_ticket(ctx, plan.requests[0])
        except ActionError as exc:
            unmounted = "" if plan.choices.get("maintenance") else f"/mnt/import/{self.name} is unmounted on {node}, but "
            yield Done("failed", f"{unmounted}removing ticket '{TICKET_ID}' failed ({exc}): {self.name} is still "
                       "attached; u tries the detach again.", artifact)
            return
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
