"""Snapshot now, back up now, delete a snapshot and restore (refused) against the emulator's
Longhorn controllers, over HTTP: success only on Longhorn's own word (readyToUse, Completed),
`unknown` when it never comes, an audit record either way, read-only refusal."""
from __future__ import annotations

import json

from tests.support.actions_support import context, run_all, runner_for, store_from
from tui.core.actions import (
    ActionError,
    Done,
    Progress,
    SnapshotDelete,
    VolumeBackup,
    VolumeRestore,
    VolumeSnapshot,
    action_for,
)
from tui.emulator.demo import demo_objects

WIKI = "longhorn-system/pvc-b8d14f6a-2e7c-4093-a5d1-9f3c6e0b7a28"
WIKI_NAME = WIKI.split("/")[1]


def audit(tmp_path) -> list[tuple[str, str]]:
    return [(r["phase"], r["outcome"]) for r in
            (json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines())]


def test_snapshot_now_succeeds_when_longhorn_says_ready(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=10)
    ctx = context(emu, tmp_path)
    action = VolumeSnapshot(WIKI)
    plan = action.plan(ctx)
    name = plan.data["name"]
    assert name == "clusterdeck-20261126-140500"  # the frozen clock
    assert plan.requests[0]["body"]["spec"] == {"volume": WIKI_NAME, "createSnapshot": True}
    events = run_all(runner_for(ctx), action, ctx, plan)
    assert (events[-1].outcome, events[-1].message) == ("succeeded", f"snapshot {name} of {WIKI_NAME} is ready")
    assert emu.get("lh_snapshots", "longhorn-system", name)["status"]["readyToUse"] is True
    assert audit(tmp_path) == [("start", "started"), ("end", "succeeded")]


def test_snapshot_never_taken_is_unknown_and_says_what_to_check(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), controllers=False)  # no Longhorn to take it
    ctx = context(emu, tmp_path, timeout=0.5)
    action = VolumeSnapshot(WIKI)
    done = run_all(runner_for(ctx), action, ctx, action.plan(ctx))[-1]
    assert done.outcome == "unknown"
    assert "kubectl -n longhorn-system get snapshots.longhorn.io clusterdeck-20261126-140500" in done.message


def test_back_up_now_follows_longhorns_progress_to_completed(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=4)
    ctx = context(emu, tmp_path)
    action = VolumeBackup(WIKI)
    assert action.preconditions(ctx.store) == []
    plan = action.plan(ctx)
    assert plan.requests[1]["body"]["spec"]["snapshotName"] == plan.data["snapshot"]
    assert "s3://emberforge-longhorn-backups@eu-central-003/" in plan.lines[0]
    events = run_all(runner_for(ctx), action, ctx, plan)
    assert events[-1].outcome == "succeeded", events[-1]
    uploading = [e.done for e in events if isinstance(e, Progress) and "InProgress" in e.text]
    assert uploading and all(0 < p < 100 for p in uploading)
    backup = emu.get("lh_backups", "longhorn-system", plan.data["backup"])
    assert backup["status"]["state"] == "Completed"
    # the console's row follows: the new backup is the volume's last one
    row = store_from(emu).row("volumes", WIKI)
    assert row.last_backup == plan.data["backup"]


def test_back_up_to_an_unavailable_target_is_refused_first_and_a_failed_backup_fails(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=10)
    target = emu.get("lh_backup_targets", "longhorn-system", "default")
    target["status"].update(available=False, conditions=[{"type": "Unavailable", "status": "True",
                                                          "reason": "Unavailable", "message": "no route to host"}])
    emu.upsert(target)
    ctx = context(emu, tmp_path)
    action = VolumeBackup(WIKI)
    assert action.preconditions(ctx.store) == [
        "the backup target is unavailable (no route to host): a backup cannot be written"]
    # planned while the console still thought it fine: Longhorn's Error is the outcome
    stale = context(emu, tmp_path, store=store_from(emulator_factory(demo_objects(), controllers=False)))
    plan = VolumeBackup(WIKI).plan(stale)
    done = run_all(runner_for(ctx), VolumeBackup(WIKI), ctx, plan)[-1]
    assert done.outcome == "failed" and f"kubectl -n longhorn-system get backups.longhorn.io {plan.data['backup']}" \
        in done.message


def test_delete_snapshot_needs_its_name_typed(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=10)
    ctx = context(emu, tmp_path)
    action = SnapshotDelete(WIKI)
    (choice,) = action.options(ctx.store)
    newest = choice.options[0]
    assert len(choice.options) == 8 and newest.startswith("snapshot-daily-")
    plan = action.plan(ctx, {"snapshot": newest})
    assert (plan.danger, plan.confirm_name) == ("destructive", newest)
    refused = run_all(runner_for(ctx), action, ctx, plan, typed="")[-1]
    assert refused.outcome == "refused"
    assert emu.get("lh_snapshots", "longhorn-system", newest) is not None
    done = run_all(runner_for(ctx), SnapshotDelete(WIKI), ctx, plan, typed=newest)[-1]
    assert done.outcome == "succeeded"
    assert emu.get("lh_snapshots", "longhorn-system", newest) is None


def test_read_only_refuses_and_restore_says_it_is_out_of_scope(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), controllers=False)
    ctx = context(emu, tmp_path, read_only=True)
    action = VolumeSnapshot(WIKI)
    done = run_all(runner_for(ctx, read_only=True), action, ctx, action.plan(ctx))[-1]
    assert isinstance(done, Done) and done.outcome == "refused" and "read-only" in done.message
    assert not [s for s in emu.list("lh_snapshots") if s["metadata"]["name"].startswith("clusterdeck-")]
    restore = action_for("volume.restore", WIKI)
    assert isinstance(restore, VolumeRestore)
    assert "not something clusterdeck does" in restore.preconditions(ctx.store)[0]
    try:
        restore.plan(ctx)
    except ActionError as exc:
        assert "Longhorn UI" in str(exc)
    else:
        raise AssertionError("restore planned")
