"""Argo CD sync windows (AppProject spec.syncWindows): which apply to an app and whether a
manual sync is allowed now, by the rules of argo-cd's SyncWindows.Matches and CanSync:
an active matching deny window refuses (unless every active deny window has manualSync), an
allow window that matches but is not active refuses likewise, and no window means allowed.

Schedules are five-field cron (minute hour day-of-month month day-of-week) in the window's
timeZone (UTC by default); a window is active when it started less than `duration` ago.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tui.core import cron
from tui.core.parsers.access import dig_list, dig_str

MAX_LOOKBACK = timedelta(days=31)  # longer windows are checked over their last month only


@dataclass(frozen=True)
class SyncWindow:
    kind: str  # allow | deny
    schedule: str
    duration: str
    applications: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    manual_sync: bool = False
    and_operator: bool = False
    time_zone: str = ""
    description: str = ""

    @property
    def label(self) -> str:
        what = f" ({self.description})" if self.description else ""
        return f"{self.kind} window '{self.schedule}' for {self.duration}{what}"


def parse_windows(project: Any) -> list[SyncWindow]:
    out = []
    for w in dig_list(project, "spec", "syncWindows"):
        if not isinstance(w, dict):
            continue

        def strings(name: str, w: dict[str, Any] = w) -> tuple[str, ...]:
            return tuple(v for v in w.get(name) or [] if isinstance(v, str))

        out.append(SyncWindow(kind=dig_str(w, "kind") or "", schedule=dig_str(w, "schedule") or "",
                              duration=dig_str(w, "duration") or "", applications=strings("applications"),
                              namespaces=strings("namespaces"), clusters=strings("clusters"),
                              manual_sync=w.get("manualSync") is True, and_operator=w.get("andOperator") is True,
                              time_zone=dig_str(w, "timeZone") or "", description=dig_str(w, "description") or ""))
    return out


def matches(window: SyncWindow, app: str, namespace: str | None, server: str | None, cluster_name: str | None) -> bool:
    """SyncWindows.Matches for one window: applications, then clusters, then namespaces; OR unless
    andOperator, where every list that is set must match."""
    checks = []
    if window.applications:
        checks.append(any(fnmatch.fnmatchcase(app, g) for g in window.applications))
    if window.clusters:
        checks.append(any((cluster_name and fnmatch.fnmatchcase(cluster_name, g)) or
                          (server and fnmatch.fnmatchcase(server, g)) for g in window.clusters))
    if window.namespaces:
        checks.append(any(fnmatch.fnmatchcase(namespace or "", g) for g in window.namespaces))
    if not checks:
        return False
    return all(checks) if window.and_operator else any(checks)


def can_sync_manually(windows: list[SyncWindow], now: datetime) -> tuple[bool, str]:
    """(allowed, why) for a manual sync of an app these (matching) windows apply to."""
    if not windows:
        return True, ""
    try:
        active = [w for w in windows if is_active(w, now)]
    except ValueError as exc:
        return False, f"invalid sync windows: {exc}"  # Argo CD refuses too
    denies = [w for w in active if w.kind == "deny"]
    if denies:
        if all(w.manual_sync for w in denies):
            return True, f"{denies[0].label} is active but allows manual syncs"
        return False, f"{denies[0].label} is active"
    if any(w.kind == "allow" for w in active):
        return True, ""
    allows = [w for w in windows if w.kind == "allow"]
    if allows:
        if all(w.manual_sync for w in allows):
            return True, "outside every allow window, but they allow manual syncs"
        return False, "outside every allow window (" + "; ".join(w.label for w in allows) + ")"
    return True, ""


def is_active(window: SyncWindow, now: datetime) -> bool:
    duration = parse_duration(window.duration)
    _fires(window.schedule, now)  # a bad schedule says so before the walk back
    try:
        zone = ZoneInfo(window.time_zone) if window.time_zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timeZone {window.time_zone!r}") from None
    local = now.astimezone(zone).replace(second=0, microsecond=0)
    span = min(duration, MAX_LOOKBACK)
    minute = timedelta(minutes=1)
    t = local
    while local - t < span:  # a start within (now - duration, now]
        if _fires(window.schedule, t):
            return True
        t -= minute
    return False


_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def parse_duration(text: str) -> timedelta:
    """Go's time.ParseDuration for the units a window uses ("1h", "1h30m", "90m", "45s")."""
    parts = _DURATION.findall(text or "")
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"cannot parse duration {text!r}")
    return timedelta(seconds=sum(float(n) * _UNIT[u] for n, u in parts))


def _fires(schedule: str, t: datetime) -> bool:
    try:
        return cron.fires(schedule, t)
    except cron.CronError:  # Argo CD's windows use the same five-field cron as Longhorn's jobs
        raise ValueError(f"cannot parse schedule {schedule!r}") from None


def verdict_for(project: Any, app: str, namespace: str | None, server: str | None,
                now: datetime) -> tuple[bool, str, int]:
    """(allowed, why, how many windows apply) for a manual sync of `app` under `project`."""
    windows = [w for w in parse_windows(project) if matches(w, app, namespace, server, server)]
    allowed, why = can_sync_manually(windows, now)
    return allowed, why, len(windows)
