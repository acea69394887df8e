"""Longhorn's data-safety objects: Snapshot, Backup, BackupVolume, BackupTarget, RecurringJob
and Setting, and what they say about one volume (newest backup, snapshots, the recurring jobs
that apply to it, whether backups can be written at all).

Shapes: longhorn-manager k8s/pkg/apis/longhorn/v1beta2 at v1.5.0 and v1.10.0. Longhorn 1.5
kept the backup target URL in the `backup-target` Setting and mirrored it into the BackupTarget
named `default`; from 1.8 a cluster may have several BackupTargets and the Setting is gone, so the
BackupTargets are read first and the Setting only fills in when none is served.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tui.core.parsers.access import (
    as_int,
    as_str,
    conditions_by_type,
    dig,
    dig_dict,
    dig_int,
    dig_str,
    evolve,
    labels_of,
    name_of,
    namespace_of,
)
from tui.core.rows import VolumeRow

VOLUME_LABEL = "longhornvolume"
BACKUP_VOLUME_LABEL = "backup-volume"
JOB_LABEL_PREFIX = "recurring-job.longhorn.io/"
GROUP_LABEL_PREFIX = "recurring-job-group.longhorn.io/"
DEFAULT_GROUP = "default"
BACKUP_TASKS = frozenset({"backup", "backup-force-create"})
# the Settings the console's advice reads (REFERENCE 1, types/setting.go)
ADVICE_SETTINGS = ("node-drain-policy", "replica-soft-anti-affinity",
                   "storage-over-provisioning-percentage", "backup-target")
# Backup status.state: "" is New; Completed, Error, Unknown and Deleting are final
BACKUP_RUNNING = frozenset({"", "New", "Pending", "InProgress"})


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    name: str
    namespace: str | None
    volume: str | None
    ready: bool
    size_bytes: int | None
    created: str | None  # status.creationTime
    user_created: bool
    removed: bool  # status.markRemoved: waiting to be purged
    error: str | None


@dataclass(frozen=True, slots=True)
class BackupInfo:
    name: str
    namespace: str | None
    volume: str | None
    state: str  # "New" for the empty state of a backup not yet picked up
    progress: int | None
    snapshot: str | None
    snapshot_created: str | None
    backup_created: str | None
    error: str | None
    target: str | None  # status.backupTargetName (Longhorn 1.8+), None before

    @property
    def finished_at(self) -> str | None:
        return self.backup_created or self.snapshot_created


@dataclass(frozen=True, slots=True)
class BackupVolumeInfo:
    name: str
    volume: str | None
    last_backup: str | None
    last_backup_at: str | None


@dataclass(frozen=True, slots=True)
class BackupTargetInfo:
    name: str
    url: str | None
    available: bool | None  # None: a target not yet checked (status not written)
    message: str | None  # the Unavailable condition's message


@dataclass(frozen=True, slots=True)
class RecurringJobInfo:
    name: str
    task: str | None
    cron: str | None
    groups: tuple[str, ...]
    retain: int | None

    @property
    def backs_up(self) -> bool:
        return self.task in BACKUP_TASKS


def parse_snapshot(obj: object) -> SnapshotInfo:
    size = dig(obj, "status", "size")  # int64 in the type; a string on some clients' dumps
    return SnapshotInfo(
        name=name_of(obj), namespace=namespace_of(obj),
        volume=dig_str(obj, "spec", "volume") or labels_of(obj).get(VOLUME_LABEL),
        ready=dig(obj, "status", "readyToUse") is True,
        size_bytes=as_int(size),
        created=dig_str(obj, "status", "creationTime"),
        user_created=dig(obj, "status", "userCreated") is True,
        removed=dig(obj, "status", "markRemoved") is True,
        error=dig_str(obj, "status", "error"),
    )


def parse_backup(obj: object) -> BackupInfo:
    labels = labels_of(obj)
    return BackupInfo(
        name=name_of(obj), namespace=namespace_of(obj),
        volume=dig_str(obj, "status", "volumeName") or labels.get(BACKUP_VOLUME_LABEL) or labels.get(VOLUME_LABEL),
        state=dig_str(obj, "status", "state") or "New",
        progress=dig_int(obj, "status", "progress"),
        snapshot=dig_str(obj, "status", "snapshotName") or dig_str(obj, "spec", "snapshotName"),
        snapshot_created=dig_str(obj, "status", "snapshotCreatedAt"),
        backup_created=dig_str(obj, "status", "backupCreatedAt"),
        error=dig_str(obj, "status", "error"),
        target=dig_str(obj, "status", "backupTargetName") or dig_str(obj, "spec", "backupTargetName"),
    )


def parse_backup_volume(obj: object) -> BackupVolumeInfo:
    return BackupVolumeInfo(
        name=name_of(obj),
        volume=dig_str(obj, "spec", "volumeName") or labels_of(obj).get(BACKUP_VOLUME_LABEL) or name_of(obj),
        last_backup=dig_str(obj, "status", "lastBackupName"),
        last_backup_at=dig_str(obj, "status", "lastBackupAt"),
    )


def parse_backup_target(obj: object) -> BackupTargetInfo:
    unavailable = conditions_by_type(obj, "status", "conditions").get("Unavailable", {})
    available = dig(obj, "status", "available")
    checked = bool(dig_str(obj, "status", "lastSyncedAt")) or bool(unavailable) or available is True
    return BackupTargetInfo(
        name=name_of(obj),
        url=dig_str(obj, "spec", "backupTargetURL"),
        available=(available is True) if checked else None,
        message=as_str(unavailable.get("message")) or as_str(unavailable.get("reason")),
    )


def parse_recurring_job(obj: object) -> RecurringJobInfo:
    spec = dig_dict(obj, "spec")
    groups = spec.get("groups")
    return RecurringJobInfo(
        name=as_str(spec.get("name")) or name_of(obj),
        task=as_str(spec.get("task")),
        cron=as_str(spec.get("cron")),
        groups=tuple(g for g in groups if isinstance(g, str)) if isinstance(groups, list) else (),
        retain=as_int(spec.get("retain")),
    )


def parse_setting(obj: object) -> tuple[str, str | None]:
    """(name, value): a Setting keeps its value at the top level, not under spec."""
    value = dig(obj, "value")
    return name_of(obj), value if isinstance(value, str) else as_str(value)


def recurring_selection(labels: dict[str, str]) -> tuple[str, ...]:
    """"job:<name>" and "group:<name>" a volume's labels enable; () when it names none (then
    Longhorn applies the `default` group)."""
    out = []
    for key, value in sorted(labels.items()):
        if value != "enabled":
            continue
        if key.startswith(JOB_LABEL_PREFIX):
            out.append("job:" + key[len(JOB_LABEL_PREFIX):])
        elif key.startswith(GROUP_LABEL_PREFIX):
            out.append("group:" + key[len(GROUP_LABEL_PREFIX):])
    return tuple(out)


def jobs_for(selection: tuple[str, ...], jobs: Iterable[RecurringJobInfo]) -> list[RecurringJobInfo]:
    """The RecurringJobs that apply to a volume, by name or group, sorted by name."""
    chosen = selection or (f"group:{DEFAULT_GROUP}",)
    names = {s[4:] for s in chosen if s.startswith("job:")}
    groups = {s[6:] for s in chosen if s.startswith("group:")}
    return sorted((j for j in jobs if j.name in names or groups.intersection(j.groups)), key=lambda j: j.name)


def newest_backups(backups: Iterable[BackupInfo]) -> tuple[BackupInfo | None, BackupInfo | None]:
    """(newest completed, newest of any state) among one volume's backups. A running backup has
    no creation time yet: it counts as the newest."""
    done: BackupInfo | None = None
    latest: BackupInfo | None = None
    for b in backups:
        if b.state == "Completed" and (done is None or (b.finished_at or "") > (done.finished_at or "")):
            done = b
        order = "~" if b.state in BACKUP_RUNNING else (b.finished_at or "")  # "~" sorts after digits
        if latest is None or order > ("~" if latest.state in BACKUP_RUNNING else (latest.finished_at or "")):
            latest = b
    return done, latest


def target_for(volume_target: str | None, targets: dict[str, BackupTargetInfo],
               setting_url: str | None) -> BackupTargetInfo | None:
    """The BackupTarget a volume's backups go to: its spec.backupTargetName (1.8+), else
    `default`; with no BackupTarget served, the 1.5-era `backup-target` Setting (availability
    unknown then)."""
    chosen = targets.get(volume_target or "default")
    if chosen is None and len(targets) == 1:
        chosen = next(iter(targets.values()))
    if chosen is None and not targets and setting_url:
        return BackupTargetInfo("backup-target setting", setting_url, None, None)
    if chosen is not None and not chosen.url:
        # an empty URL is "no backup target configured": nothing can be backed up
        return BackupTargetInfo(chosen.name, None, False, chosen.message or "no backup target URL set")
    return chosen


def with_data_safety(volume: VolumeRow, snapshots: list[SnapshotInfo] | None, backups: list[BackupInfo] | None,
                     backup_volume: BackupVolumeInfo | None, jobs: list[RecurringJobInfo] | None,
                     target: BackupTargetInfo | None) -> VolumeRow:
    """A volume's snapshots and jobs (None when not served), newest backup, the target."""
    done, latest = newest_backups(backups or [])
    last_name, last_at = volume.last_backup, volume.last_backup_at
    if done is not None:
        last_name, last_at = done.name, done.finished_at
    elif backup_volume is not None and backup_volume.last_backup:
        last_name, last_at = backup_volume.last_backup, backup_volume.last_backup_at
    live = [s for s in snapshots or [] if not s.removed and s.name != "volume-head"]
    sizes = [s.size_bytes for s in live]
    return evolve(
        volume,
        recurring_jobs=tuple(f"{j.name}: {j.task or '?'} {j.cron or '?'}" for j in jobs or []),
        backup_crons=tuple(j.cron for j in jobs or [] if j.backs_up and j.cron),
        recurring_jobs_known=jobs is not None,
        last_backup=last_name or None,
        last_backup_at=last_at or None,
        backup_state=latest.state if latest else None,
        backup_progress=latest.progress if latest and latest.state in BACKUP_RUNNING else None,
        backup_error=latest.error if latest and latest.state == "Error" else None,
        snapshot_count=None if snapshots is None else len(live),
        snapshot_size_bytes=None if snapshots is None or None in sizes else sum(s or 0 for s in sizes),
        snapshot_names=tuple(s.name for s in sorted(live, key=lambda s: s.created or "~", reverse=True)),
        backup_target=target.url if target else None,
        backup_target_available=target.available if target else None,
        backup_target_message=target.message if target else None,
    )
