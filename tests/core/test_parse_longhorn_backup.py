"""Longhorn snapshots, backups, backup targets, recurring jobs and rebuilds: the shapes Longhorn
1.5 and 1.10 serve, alone and joined onto volume rows, and the overdue-backup judgement."""
from __future__ import annotations

import copy
from datetime import timedelta

from tests.support.core_samples import fixture_doc, fixture_docs, meta, replica, store_with, volume
from tui.core import cron
from tui.core.attention import attention
from tui.core.backup_overdue import backup_problem
from tui.core.clock import parse_time
from tui.core.events import HealthChanged, SourceHealth, SourceState
from tui.core.findings import Severity
from tui.core.parsers.longhorn import parse_engine
from tui.core.parsers.longhorn_backup import (
    jobs_for,
    parse_backup,
    parse_backup_target,
    parse_recurring_job,
    parse_setting,
    parse_snapshot,
    recurring_selection,
    target_for,
)

FIXTURE = "longhorn-backups.yaml"
WIKI = "pvc-b8d14f6a-2e7c-4093-a5d1-9f3c6e0b7a28"
NOW = parse_time("2026-11-26T14:05:00Z")


def doc(kind: str, name: str) -> dict:
    return fixture_doc(FIXTURE, kind, name)


def test_backups_in_each_state_as_longhorn_writes_them():
    done = parse_backup(doc("Backup", "backup-53fe9f331135fff1"))
    assert (done.volume, done.state, done.progress, done.finished_at, done.target) == (
        WIKI, "Completed", 100, "2026-11-22T03:31:12Z", "default")
    running = parse_backup(doc("Backup", "backup-c1d2e3f4a5b60718"))
    assert (running.state, running.progress, running.finished_at) == ("InProgress", 43, "2026-11-26T14:01:00Z")
    failed = parse_backup(doc("Backup", "backup-0a1b2c3d4e5f6071"))  # Longhorn 1.5: no target name
    assert (failed.volume, failed.state, failed.target) == ("pvc-0c6e3b1a-52d8-4f7e-9a41-7b2d5e8f1c03", "Error", None)
    assert "cannot connect to s3" in (failed.error or "")
    fresh = parse_backup(doc("Backup", "backup-new0000000000001"))
    # status.state "" is New; the volume is known only from the backup-volume label yet
    assert (fresh.state, fresh.volume) == ("New", "pvc-7e2f5c08-93a1-4d5b-b6e4-1c8d2f0a9b57")


def test_snapshots_ready_pending_and_removed():
    ready = parse_snapshot(doc("Snapshot", "snapshot-daily-41d31238"))
    assert (ready.volume, ready.ready, ready.size_bytes, ready.created) == (
        WIKI, True, 301989888, "2026-11-26T02:00:06Z")
    pending = parse_snapshot(doc("Snapshot", "clusterdeck-20261126-140300"))
    assert (pending.ready, pending.created) == (False, None)
    assert parse_snapshot(doc("Snapshot", "snapshot-daily-0c0ffee1")).removed


def test_backup_target_of_longhorn_1_10_and_1_5():
    new = parse_backup_target(doc("BackupTarget", "default"))
    assert (new.url, new.available) == ("s3://emberforge-longhorn-backups@eu-central-003/", True)
    # Longhorn 1.5: the URL lives in the backup-target Setting; the BackupTarget mirrors it and an
    # unreachable store is available=false with an Unavailable condition
    old = copy.deepcopy(doc("BackupTarget", "default"))
    old["status"] = {"ownerID": "hel-cp-01", "available": False, "lastSyncedAt": "2026-11-26T14:00:00Z",
                     "conditions": [{"type": "Unavailable", "status": "True", "reason": "Unavailable",
                                     "message": "failed to list backup volumes: dial tcp: i/o timeout",
                                     "lastProbeTime": "", "lastTransitionTime": "2026-11-26T13:00:00Z"}]}
    down = parse_backup_target(old)
    assert (down.available, down.message) == (False, "failed to list backup volumes: dial tcp: i/o timeout")
    # a target never checked yet is unknown, not unavailable
    unchecked = dict(old, status={})
    assert parse_backup_target(unchecked).available is None
    # only the Setting (no BackupTarget served): the URL is known, whether it works is not
    name, url = parse_setting({"metadata": {"name": "backup-target"}, "value": "nfs://10.0.0.5:/backups"})
    chosen = target_for(None, {}, url)
    assert (name, chosen.url, chosen.available) == ("backup-target", "nfs://10.0.0.5:/backups", None)
    # a BackupTarget with an empty URL cannot take backups
    empty = parse_backup_target(dict(doc("BackupTarget", "default"), spec={"backupTargetURL": ""}))
    assert target_for(None, {"default": empty}, None).available is False


def test_recurring_jobs_apply_by_label_or_default_group():
    jobs = [parse_recurring_job(doc("RecurringJob", "backup-weekly")),
            parse_recurring_job(doc("RecurringJob", "db-hourly"))]
    assert jobs[1].groups == () and jobs[1].backs_up  # groups omitempty; backup-force-create backs up
    none = recurring_selection({"longhornvolume": "v"})
    assert [j.name for j in jobs_for(none, jobs)] == ["backup-weekly"]  # no labels: the default group
    picked = recurring_selection({"recurring-job.longhorn.io/db-hourly": "enabled",
                                  "recurring-job-group.longhorn.io/default": "disabled"})
    assert picked == ("job:db-hourly",)
    assert [j.name for j in jobs_for(picked, jobs)] == ["db-hourly"]


def test_cron_interval_as_robfig_cron_reads_it():
    assert cron.interval("30 3 * * 0", NOW) == timedelta(days=7)
    assert cron.interval("0 */6 * * *", NOW) == timedelta(hours=6)
    assert cron.interval("@daily", NOW) == timedelta(days=1)
    assert cron.interval("0 2 * * MON-FRI", NOW) == timedelta(days=1)  # Thursday: Wed -> Thu
    assert cron.previous_runs("30 3 * * 0", NOW, 1)[0] == parse_time("2026-11-22T03:30:00Z")
    assert cron.interval("not cron", NOW) is None


def test_rebuild_status_is_keyed_back_to_the_replica():
    engine = parse_engine(fixture_doc("longhorn-replicas-engine.yaml", "Engine"))
    (rebuild,) = engine.rebuilds
    assert rebuild.replica == "pvc-3f6c2a1e-8b4d-4c11-9a57-2d0e6b7f9c41-r-8d41c2a7"
    assert (rebuild.progress, rebuild.state, rebuild.rebuilding) == (42, "in_progress", True)


def test_volume_rows_carry_backups_snapshots_jobs_and_target():
    store = store_with({key: [o for o in fixture_docs(FIXTURE) if o["kind"] == kind]
                        for key, kind in (("lh_backups", "Backup"), ("lh_snapshots", "Snapshot"),
                                          ("lh_backup_volumes", "BackupVolume"),
                                          ("lh_backup_targets", "BackupTarget"),
                                          ("lh_recurring_jobs", "RecurringJob"))}
                       | {"lh_volumes": [volume(WIKI, node_id="hel-wk-02"), volume("bare")]})
    row = store.row("volumes", f"longhorn-system/{WIKI}")
    assert (row.last_backup, row.last_backup_at) == ("backup-53fe9f331135fff1", "2026-11-22T03:31:12Z")
    assert (row.backup_state, row.backup_progress) == ("InProgress", 43)  # the newest one runs now
    # the pending one counts (size 0 until taken); the removed one waits for the purge, not counted
    assert (row.snapshot_count, row.snapshot_size_bytes) == (2, 301989888)
    assert row.recurring_jobs == ("backup-weekly: backup 30 3 * * 0",)
    assert (row.backup_target, row.backup_target_available) == (
        "s3://emberforge-longhorn-backups@eu-central-003/", True)
    assert backup_problem(row, NOW) is None  # weekly job, last backup 4 days ago
    bare = store.row("volumes", "longhorn-system/bare")
    assert backup_problem(bare, NOW) == "no backup (job every 7d)"


def test_overdue_backup_and_unavailable_target_are_overview_problems():
    vol = volume("pvc-1", node_id="hel-wk-01", pvc=("wiki", "wiki-data"))
    vol["status"].update(lastBackup="backup-1", lastBackupAt="2026-11-24T10:00:00Z")
    store = store_with({"lh_volumes": [vol]})  # no backup job: 24 h is the rule
    (found,) = [f for f in attention(store) if f.subject == "volume wiki/wiki-data"]
    assert (found.severity, found.text) == (Severity.PROBLEM, "last backup 2d ago (no backup job)")
    target = copy.deepcopy(doc("BackupTarget", "default"))
    target["status"].update(available=False, conditions=[{"type": "Unavailable", "status": "True",
                                                          "reason": "Unavailable", "message": "no route"}])
    vol["status"]["lastBackupAt"] = "2026-11-26T13:00:00Z"
    store = store_with({"lh_volumes": [vol, volume("pvc-2")], "lh_backup_targets": [target]})
    texts = {f.subject: f.text for f in attention(store) if f.subject.startswith("volume")}
    assert texts == {"volume wiki/wiki-data": "backup target unavailable: no route",
                     "volume pvc-2": "backup target unavailable: no route"}


def test_snapshots_not_served_are_unknown_not_none():
    store = store_with({"lh_volumes": [volume("v", node_id="n")], "lh_replicas": [replica("v", "n")]},
                       every_kind=False)
    store.handle(HealthChanged(SourceHealth("lh_snapshots", SourceState.NOT_INSTALLED, NOW)))
    assert store.row("volumes", "longhorn-system/v").snapshot_count is None
    served = store_with({"lh_volumes": [volume("v", node_id="n")]})
    assert served.row("volumes", "longhorn-system/v").snapshot_count == 0


def test_rebuild_eta_from_the_rate_seen():
    vol, eng = volume("v", node_id="a"), {
        "apiVersion": "longhorn.io/v1beta2", "kind": "Engine", "metadata": meta("v-e-0", "longhorn-system"),
        "spec": {"volumeName": "v", "nodeID": "a", "replicaAddressMap": {"v-r-b": "10.0.0.2:10000"}},
        "status": {"replicaModeMap": {"v-r-b": "WO"}, "rebuildStatus": {
            "tcp://10.0.0.2:10000": {"isRebuilding": True, "progress": 20, "state": "in_progress", "error": ""}}}}
    store = store_with({"lh_volumes": [vol], "lh_replicas": [replica("v", "b")], "lh_engines": [eng]})
    row = store.row("volumes", "longhorn-system/v")
    assert (row.rebuild_progress, row.rebuild_eta_at) == (20, None)  # no rate from one sighting
    assert row.rebuilds == ("v-r-b on b: 20%, ETA once its rate is seen",)
    store.clock.advance(60)
    moved = copy.deepcopy(eng)
    moved["metadata"]["resourceVersion"] = "2"
    moved["status"]["rebuildStatus"]["tcp://10.0.0.2:10000"]["progress"] = 40
    from tui.core.events import Changed
    store.handle(Changed("lh_engines", "MODIFIED", moved))
    row = store.row("volumes", "longhorn-system/v")
    # 20 points a minute, 60 to go: three minutes from now
    assert (row.rebuild_progress, row.rebuild_eta_at) == (40, "2026-11-26T14:09:00Z")
    assert row.rebuilds == ("v-r-b on b: 40%, ETA 14:09:00Z",)
    assert store.row("replicas", "longhorn-system/v-r-b").rebuild_progress == 40


def test_a_failed_rebuild_says_so_and_is_not_shown_as_rebuilding():
    vol = volume("v", node_id="a")
    eng = {"apiVersion": "longhorn.io/v1beta2", "kind": "Engine", "metadata": meta("v-e-0", "longhorn-system"),
           "spec": {"volumeName": "v", "nodeID": "a", "replicaAddressMap": {"v-r-b": "10.0.0.2:10000"}},
           "status": {"replicaModeMap": {"v-r-b": "ERR"}, "rebuildStatus": {"tcp://10.0.0.2:10000": {
               "isRebuilding": False, "progress": 71, "state": "error", "error": "replica disk full"}}}}
    store = store_with({"lh_volumes": [vol], "lh_replicas": [replica("v", "b")], "lh_engines": [eng]})
    row = store.row("volumes", "longhorn-system/v")
    assert row.rebuild_progress is None
    assert row.rebuilds == ("v-r-b on b: rebuild failed at 71%: replica disk full",)


def test_recurring_jobs_not_served_are_unknown_not_no_job():
    vol = volume("pvc-1", node_id="hel-wk-01")
    vol["status"].update(lastBackup="backup-1", lastBackupAt="2026-11-24T10:00:00Z")
    store = store_with({"lh_volumes": [vol]}, every_kind=False)
    store.handle(HealthChanged(SourceHealth("lh_recurring_jobs", SourceState.FORBIDDEN, NOW)))
    row = store.row("volumes", "longhorn-system/pvc-1")
    assert (row.recurring_jobs_known, row.recurring_jobs) == (False, ())
    assert backup_problem(row, NOW) == "last backup 2d ago (jobs unknown, 24 h rule)"
