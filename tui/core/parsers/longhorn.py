"""Longhorn Volume, Node, Replica, Engine and VolumeAttachment parsers, and the volume facts
that need several of them (healthy replica count, replica nodes, attachment tickets)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.core.parsers.access import (
    as_dict,
    as_str,
    condition_status,
    conditions_by_type,
    dig,
    dig_dict,
    dig_int,
    dig_list,
    dig_str,
    evolve,
    labels_of,
    name_of,
    namespace_of,
    shared,
)
from tui.core.parsers.longhorn_backup import recurring_selection
from tui.core.rows import DiskRow, LonghornNodeRow, ReplicaRow, VolumeRow, object_key

VOLUME_LABEL = "longhornvolume"
# volume conditions that are bad when False; every other known type is bad when True
_BAD_WHEN_FALSE = {"Scheduled"}


@dataclass(frozen=True, slots=True)
class EngineInfo:
    name: str
    namespace: str | None
    volume: str | None
    node: str | None  # where the volume is attached (engine spec.nodeID)
    endpoint: str | None
    replica_modes: tuple[tuple[str, str], ...]  # (replica name, RW/WO/ERR)
    rebuilds: tuple[Rebuild, ...] = ()  # status.rebuildStatus, keyed back to replica names


@dataclass(frozen=True, slots=True)
class Rebuild:
    replica: str  # the replica's name ("" when its address is not in replicaAddressMap)
    address: str  # as rebuildStatus keys it: "tcp://10.42.2.9:10045"
    progress: int | None
    state: str | None  # in_progress / complete / error
    error: str | None
    rebuilding: bool  # isRebuilding


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    name: str
    namespace: str | None
    volume: str | None
    tickets: tuple[str, ...]  # "id(type)->node", plus " (waiting)" when not yet satisfied


def parse_volume(obj: Any) -> VolumeRow:
    name, ns = name_of(obj), namespace_of(obj)
    kstatus = dig_dict(obj, "status", "kubernetesStatus")
    pvc_ns, pvc_name = as_str(kstatus.get("namespace")), as_str(kstatus.get("pvcName"))
    # a non-empty lastPodRefAt means workloadsStatus is history: no pod uses the volume now
    current = not as_str(kstatus.get("lastPodRefAt"))
    workloads: list[str] = []
    pods: list[str] = []
    for entry in dig_list(kstatus, "workloadsStatus") if current else []:
        workload, pod = dig_str(entry, "workloadName"), dig_str(entry, "podName")
        if workload and object_key(pvc_ns, workload) not in workloads:
            workloads.append(object_key(pvc_ns, workload))
        if pod:
            pods.append(object_key(pvc_ns, pod))
    problems = []
    for ctype, cond in conditions_by_type(obj, "status", "conditions").items():
        status = condition_status(cond)
        if (ctype in _BAD_WHEN_FALSE and status is False) or (
            ctype not in _BAD_WHEN_FALSE and status is True
        ):
            problems.append(ctype)
    return VolumeRow(
        name=name,
        namespace=shared(ns),
        state=shared(dig_str(obj, "status", "state")),
        robustness=shared(dig_str(obj, "status", "robustness")),
        node=shared(dig_str(obj, "status", "currentNodeID")),
        size_bytes=dig_int(obj, "spec", "size"),
        replicas_wanted=dig_int(obj, "spec", "numberOfReplicas"),
        pvc=f"{pvc_ns}/{pvc_name}" if pvc_ns and pvc_name else None,
        key=object_key(ns, name),
        frontend=shared(dig_str(obj, "spec", "frontend")),
        access_mode=shared(dig_str(obj, "spec", "accessMode")),
        actual_size_bytes=dig_int(obj, "status", "actualSize"),
        workloads=tuple(workloads),
        pods=tuple(pods),
        conditions=tuple(problems),
        created=dig_str(obj, "metadata", "creationTimestamp"),
        recurring_selection=recurring_selection(labels_of(obj)),
        last_backup=dig_str(obj, "status", "lastBackup"),
        last_backup_at=dig_str(obj, "status", "lastBackupAt"),
        backup_target_name=shared(dig_str(obj, "spec", "backupTargetName")),
    )


def parse_longhorn_node(obj: Any) -> LonghornNodeRow:
    name, ns = name_of(obj), namespace_of(obj)
    conditions = conditions_by_type(obj, "status", "conditions")
    disk_specs = dig_dict(obj, "spec", "disks")
    disks = tuple(_disk(str(d), as_dict(disk_specs.get(d)), as_dict(status))
                  for d, status in sorted(dig_dict(obj, "status", "diskStatus").items()))

    def total(field: str) -> int | None:
        values = [getattr(d, field) for d in disks]
        return None if not disks or None in values else sum(values)

    sched = conditions.get("Schedulable")
    return LonghornNodeRow(
        name=name,
        namespace=ns,
        ready=condition_status(conditions.get("Ready")),
        schedulable=condition_status(sched),
        storage_maximum=total("storage_maximum"),
        storage_available=total("storage_available"),
        storage_scheduled=total("storage_scheduled"),
        disks_with_pressure=tuple(d.name for d in disks if "Schedulable=False: DiskPressure" in d.problems),
        key=object_key(ns, name),
        storage_reserved=total("storage_reserved"),
        allow_scheduling=dig(obj, "spec", "allowScheduling") if isinstance(dig(obj, "spec", "allowScheduling"),
                                                                          bool) else None,
        schedulable_reason=None if condition_status(sched) is True else dig_str(sched, "reason") or None,
        disks=disks,
    )


def _disk(name: str, spec: dict[str, Any], status: dict[str, Any]) -> DiskRow:
    problems = []
    for ctype, cond in conditions_by_type(status, "conditions").items():
        if condition_status(cond) is not True:
            reason = dig_str(cond, "reason")
            problems.append(f"{ctype}={dig_str(cond, 'status') or '?'}" + (f": {reason}" if reason else ""))
    allow = spec.get("allowScheduling")
    return DiskRow(
        name=name,
        path=as_str(spec.get("path")) or dig_str(status, "diskPath"),
        allow_scheduling=allow if isinstance(allow, bool) else None,
        schedulable=condition_status(conditions_by_type(status, "conditions").get("Schedulable")),
        storage_maximum=dig_int(status, "storageMaximum"),
        storage_available=dig_int(status, "storageAvailable"),
        storage_reserved=dig_int(spec, "storageReserved"),
        storage_scheduled=dig_int(status, "storageScheduled"),
        problems=tuple(problems),
    )


def parse_replica(obj: Any) -> ReplicaRow:
    name, ns = name_of(obj), namespace_of(obj)
    spec = dig_dict(obj, "spec")  # read once: there are three replicas per volume
    state = dig_str(obj, "status", "currentState")
    return ReplicaRow(
        name=name,
        namespace=ns,
        volume=as_str(spec.get("volumeName")) or labels_of(obj).get(VOLUME_LABEL),
        node=as_str(spec.get("nodeID")),
        mode=None,  # filled from the engine's replicaModeMap by with_engine_modes
        running=None if state is None else state == "running",
        failed=bool(as_str(spec.get("failedAt"))),
        key=object_key(ns, name),
        healthy_at=as_str(spec.get("healthyAt")),
        disk_id=as_str(spec.get("diskID")),
    )


def parse_engine(obj: Any) -> EngineInfo:
    modes = tuple(
        sorted((str(k), v) for k, v in dig_dict(obj, "status", "replicaModeMap").items()
               if isinstance(v, str))
    )
    return EngineInfo(
        name=name_of(obj),
        namespace=namespace_of(obj),
        volume=dig_str(obj, "spec", "volumeName") or labels_of(obj).get(VOLUME_LABEL),
        node=dig_str(obj, "spec", "nodeID"),
        endpoint=dig_str(obj, "status", "endpoint"),
        replica_modes=modes,
        rebuilds=_rebuilds(obj),
    )


def _bare_address(address: str) -> str:
    return address.split("://", 1)[-1]


def _rebuilds(obj: Any) -> tuple[Rebuild, ...]:
    """rebuildStatus is keyed by "tcp://" + the replica's address in currentReplicaAddressMap (the
    engine controller's lookup, v1.10.0 controller/engine_controller.go); spec.replicaAddressMap
    holds the same addresses when the status map is not written yet."""
    addresses = {**dig_dict(obj, "spec", "replicaAddressMap"), **dig_dict(obj, "status", "currentReplicaAddressMap")}
    names = {_bare_address(v): str(k) for k, v in addresses.items() if isinstance(v, str)}
    out = []
    for address, status in sorted(dig_dict(obj, "status", "rebuildStatus").items()):
        out.append(Rebuild(
            replica=names.get(_bare_address(str(address)), ""),
            address=str(address),
            progress=dig_int(status, "progress"),
            state=dig_str(status, "state"),
            error=dig_str(status, "error"),
            rebuilding=dig(status, "isRebuilding") is True,
        ))
    return tuple(out)


def parse_volume_attachment(obj: Any) -> AttachmentInfo:
    statuses = dig_dict(obj, "status", "attachmentTicketStatuses")
    tickets = []
    for ticket_id, ticket in sorted(dig_dict(obj, "spec", "attachmentTickets").items()):
        ticket_id = dig_str(ticket, "id") or str(ticket_id)
        kind = dig_str(ticket, "type") or "?"
        node = dig_str(ticket, "nodeID") or "?"
        waiting = dig(as_dict(statuses.get(ticket_id)), "satisfied") is not True
        tickets.append(f"{ticket_id}({kind})->{node}" + (" (waiting)" if waiting else ""))
    return AttachmentInfo(
        name=name_of(obj),
        namespace=namespace_of(obj),
        volume=dig_str(obj, "spec", "volume") or labels_of(obj).get(VOLUME_LABEL) or name_of(obj),
        tickets=tuple(tickets),
    )


def with_engine_modes(replica: ReplicaRow, modes: dict[str, str], rebuild: Rebuild | None = None,
                      eta_at: str | None = None) -> ReplicaRow:
    """The engine's word on a replica: its mode, and while it is rebuilt, how far along."""
    mode = modes.get(replica.name)
    if rebuild is None:
        return replica if mode == replica.mode else evolve(replica, mode=mode)
    return evolve(replica, mode=mode, address=rebuild.address, rebuild_progress=rebuild.progress,
                  rebuild_state=rebuild.state, rebuild_error=rebuild.error, rebuild_eta_at=eta_at)


def rebuilds_by_replica(engines: list[EngineInfo]) -> dict[str, Rebuild]:
    """replica name -> its rebuild, for rebuilds still running or failed (a complete one is history)."""
    return {r.replica: r for e in engines for r in e.rebuilds
            if r.replica and (r.rebuilding or r.state == "error" or r.error)}


def replica_is_healthy(replica: ReplicaRow, engine_known: bool) -> bool:
    """RW in the engine when the volume runs; otherwise not failed and rebuilt once."""
    if replica.failed:
        return False
    if engine_known:
        return replica.mode == "RW"
    return bool(replica.healthy_at)


def enrich_volume(
    volume: VolumeRow,
    replicas: list[ReplicaRow],
    engine_modes: dict[str, str] | None,
    attachment: AttachmentInfo | None,
) -> VolumeRow:
    """Add the facts that live in other objects: replica placement, health, tickets, rebuilds."""
    engine_known = bool(engine_modes)
    healthy = sum(1 for r in replicas if replica_is_healthy(r, engine_known))
    nodes = tuple(sorted({r.node for r in replicas if r.node}))
    rebuilding = [r for r in replicas if r.rebuild_progress is not None and r.rebuild_state != "error"]
    slowest = min(rebuilding, key=lambda r: r.rebuild_progress or 0, default=None)
    return evolve(
        volume,
        replica_nodes=nodes,
        replicas_healthy=healthy if replicas or engine_known else None,
        attachment_tickets=attachment.tickets if attachment else (),
        rebuild_progress=slowest.rebuild_progress if slowest else None,
        rebuild_eta_at=slowest.rebuild_eta_at if slowest else None,
        rebuilds=tuple(_rebuild_line(r) for r in sorted(replicas, key=lambda r: r.name)
                       if r.rebuild_progress is not None or r.rebuild_error),
    )


def _rebuild_line(replica: ReplicaRow) -> str:
    """One replica's rebuild for the detail view: where, how far, and when it should end."""
    where = f"{replica.name} on {replica.node or '?'}"
    if replica.rebuild_state == "error" or replica.rebuild_error:
        return f"{where}: rebuild failed at {replica.rebuild_progress or 0}%: {replica.rebuild_error or 'error'}"
    eta = f"ETA {replica.rebuild_eta_at[11:19]}Z" if replica.rebuild_eta_at else "ETA once its rate is seen"
    return f"{where}: {replica.rebuild_progress}%, {eta}"


def engine_modes_by_volume(engines: list[EngineInfo]) -> dict[str, dict[str, str]]:
    """volume name -> replica name -> mode; during live migration two engines merge."""
    out: dict[str, dict[str, str]] = {}
    for engine in engines:
        if engine.volume:
            out.setdefault(engine.volume, {}).update(dict(engine.replica_modes))
    return out
