"""Is a volume's data safe off the cluster? Decided once, here, for the Volumes pane's flag and
the Overview's finding alike.

A volume is overdue when its newest completed backup is older than the interval of the
recurring backup job that applies to it (the most frequent one, when several do), or older
than 24 h when no backup job applies. GRACE covers the backup the job is writing right now.
A backup target that is unavailable makes every volume a problem: no backup can be written.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from tui.core import cron
from tui.core.clock import age, parse_time
from tui.core.rows import VolumeRow

NO_JOB_INTERVAL = timedelta(hours=24)
GRACE = timedelta(hours=1)


def backup_interval(row: VolumeRow, now: datetime) -> tuple[timedelta, bool]:
    """(how often this volume should be backed up, whether a recurring job says so)."""
    intervals = [i for c in row.backup_crons if (i := cron.interval(c, now)) is not None]
    return (min(intervals), True) if intervals else (NO_JOB_INTERVAL, False)


def span(delta: timedelta) -> str:
    """"1d", "6h", "30m": the interval as the age column writes ages."""
    return age(datetime.min, datetime.min + delta)


def backup_problem(row: VolumeRow, now: datetime) -> str | None:
    """The short reason this volume's backups are not fine (fits a Finding line), or None."""
    if row.backup_target_available is False:
        why = f": {row.backup_target_message}" if row.backup_target_message else ""
        return f"backup target unavailable{why}"
    every, from_job = backup_interval(row, now)
    rule = f"job every {span(every)}" if from_job else "no backup job" if row.recurring_jobs_known \
        else "jobs unknown, 24 h rule"
    last = parse_time(row.last_backup_at)
    failed = f", last try {row.backup_state}" if row.backup_state in ("Error", "Unknown") else ""
    if last is None:
        return f"no backup ({rule}){failed}"
    if now - last > every + GRACE:
        return f"last backup {age(last, now)} ago ({rule}){failed}"
    return None
