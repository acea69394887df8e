"""Pilot tests: the Volumes pane's data-safety columns over the demo cluster, driven as a user
would, with the emulator changing Longhorn's objects underneath (issue 15)."""
from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from tests.support.app_support import make_app, press, screen_text, synced, wait_until
from tui.core.attention import attention
from tui.emulator.demo import demo_objects

WIKI = "pvc-b8d14f6a-2e7c-4093-a5d1-9f3c6e0b7a28"


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False)


def line_of(app: Any, text: str) -> str:
    return next(line for line in screen_text(app).splitlines() if text in line)


async def test_each_volume_shows_its_last_backup_and_the_one_without_is_flagged(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        assert "BACKUP" in screen_text(app)
        for pvc in ("api/api-uploads", "bot/data-bot-db-0", "kube-system/traefik"):
            assert line_of(app, pvc).strip("│ ").endswith(" 4d")  # backup-weekly, Sunday 03:31
        assert "none!" in line_of(app, "import-wiki-legacy")
        assert "rebuilding 63%" in line_of(app, "wiki/wiki-db-data")
        await press(pilot, "1")
        assert "no backup (job every 7d)" in line_of(app, "import-wiki-legacy")
        # the Longhorn node that cannot take replicas, with Longhorn's reason, under the storage bars
        assert "hel-wk-03 not schedulable (KubernetesNodeNotReady)" in screen_text(app)


async def test_a_running_backup_shows_its_progress_and_an_unavailable_target_flags_every_volume(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        done = demo.get("lh_backups", "longhorn-system", "backup-53fe9f331135fff1")
        running = copy.deepcopy(done)
        running["metadata"] = {"name": "backup-now", "namespace": "longhorn-system",
                               "labels": done["metadata"]["labels"]}
        running["status"].update(state="InProgress", progress=43, backupCreatedAt="",
                                 snapshotCreatedAt="2026-11-26T14:04:00Z")
        demo.upsert(running)
        await wait_until(pilot, lambda: "up 43%" in screen_text(app), what="upload progress shown")
        assert "up 43%" in line_of(app, "wiki/wiki-db-data")
        target = demo.get("lh_backup_targets", "longhorn-system", "default")
        target["status"].update(available=False, conditions=[
            {"type": "Unavailable", "status": "True", "reason": "Unavailable", "message": "dial tcp: i/o timeout"}])
        demo.upsert(target)
        await wait_until(pilot, lambda: screen_text(app).count("target!") == 5, what="every idle volume flagged")
        await press(pilot, "1")
        # every volume, the uploading one too, is a problem on the Overview (its list scrolls at 80x24)
        found = [f for f in attention(app.store) if f.text.startswith("backup target unavailable")]
        assert len(found) == 6 and "backup target unavailable" in screen_text(app)


async def test_older_longhorn_without_backup_crds_says_so_and_keeps_the_volumes(demo: Any) -> None:
    demo.fault("lh_backups", 404)
    demo.fault("lh_snapshots", 404)
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        text = screen_text(app)
        assert "backups.longhorn.io not installed" in text
        assert "wiki/wiki-db-data" in text
        # the volume's own status.lastBackupAt still dates the last backup
        assert app.store.row("volumes", f"longhorn-system/{WIKI}").last_backup == "backup-53fe9f331135fff1"
        assert app.store.row("volumes", f"longhorn-system/{WIKI}").snapshot_count is None


async def test_back_up_now_from_the_keys_shows_progress_and_the_row_follows(emulator_factory: Any) -> None:
    emu = emulator_factory(demo_objects(), time_scale=1)
    app = make_app(emu)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        assert app.screen.select_key("longhorn-system/import-wiki-legacy")
        await press(pilot, "R")
        await wait_until(pilot, lambda: any("R: restoring a backup is not something clusterdeck does" in str(n.message)
                                            for n in app._notifications), 10, "restore refused, said")
        await press(pilot, "B")
        await wait_until(pilot, lambda: "Back up import-wiki-legacy" in screen_text(app), 20, "the backup plan")
        assert "s3://emberforge-longhorn-backups@eu-central-003/" in screen_text(app)
        await pilot.press("ctrl+y")
        # Longhorn's status.progress on the bar, short of 100 while it uploads
        await wait_until(pilot, lambda: re.search(r" ([1-9]\d?)% backup", screen_text(app)), 30, "upload progress")
        await wait_until(pilot, lambda: "SUCCEEDED: backup backup-clusterdeck-" in screen_text(app), 30,
                         "the backup completed")
        await press(pilot, "escape")
        await wait_until(pilot, lambda: "none!" not in screen_text(app), 20, "the flag gone from the row")
        assert app.store.row("volumes", "longhorn-system/import-wiki-legacy").last_backup.startswith("backup-")


async def test_wide_terminals_show_snapshots_and_the_jobs_that_apply(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(170, 30)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        wiki = line_of(app, "wiki/wiki-db-data")
        assert "8 5.4Gi" in wiki  # snapshot-daily's seven and backup-weekly's one
        assert "backup-weekly,snapshot-daily" in wiki
        # no snapshot at all: 0, not unknown; the default group applies to it too
        assert re.search(r"none!\s+-\s+0\s+backup-weekly,snapshot-daily", line_of(app, "import-wiki-legacy"))
