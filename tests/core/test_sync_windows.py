"""Sync windows as Argo CD applies them (SyncWindows.Matches / CanSync): deny refuses while
active, an allow window refuses outside its hours, manualSync lets a manual sync through."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tui.core.sync_windows import (
    SyncWindow,
    can_sync_manually,
    is_active,
    matches,
    parse_duration,
    parse_windows,
)

NOW = datetime(2026, 11, 26, 14, 5, tzinfo=UTC)  # a Thursday


def project(*windows: dict) -> dict:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
            "metadata": {"name": "emberforge", "namespace": "argocd"}, "spec": {"syncWindows": list(windows)}}


def test_an_active_deny_window_refuses_and_says_which():
    [w] = parse_windows(project({"kind": "deny", "schedule": "0 14 * * *", "duration": "1h",
                                 "applications": ["*"], "description": "stream hours"}))
    assert w.manual_sync is False and w.namespaces == ()  # omitempty fields absent
    allowed, why = can_sync_manually([w], NOW)
    assert not allowed and why == "deny window '0 14 * * *' for 1h (stream hours) is active"
    assert can_sync_manually([w], NOW.replace(hour=15, minute=1)) == (True, "")


def test_manual_sync_through_a_deny_window_that_allows_it():
    w = SyncWindow("deny", "0 14 * * *", "1h", applications=("*",), manual_sync=True)
    assert can_sync_manually([w], NOW)[0] is True


def test_outside_every_allow_window_is_refused():
    night = SyncWindow("allow", "0 22 * * *", "6h", namespaces=("donate",))
    allowed, why = can_sync_manually([night], NOW)
    assert not allowed and why.startswith("outside every allow window (allow window '0 22 * * *' for 6h")
    assert can_sync_manually([night], NOW.replace(day=27, hour=3))[0] is True  # inside, across midnight


def test_day_of_week_and_time_zone():
    weekend = SyncWindow("deny", "0 0 * * 6,0", "48h", applications=("*",))
    assert not is_active(weekend, NOW)
    assert is_active(weekend, datetime(2026, 11, 29, 12, 0, tzinfo=UTC))  # Sunday
    berlin = SyncWindow("deny", "0 15 * * *", "10m", applications=("*",), time_zone="Europe/Berlin")
    assert is_active(berlin, NOW)  # 15:05 in Berlin


def test_matching_by_app_namespace_cluster_and_the_and_operator():
    both = SyncWindow("deny", "* * * * *", "1m", applications=("don*",), namespaces=("prod",), and_operator=True)
    assert matches(both, "donate", "prod", "https://kubernetes.default.svc", None)
    assert not matches(both, "donate", "donate", None, None)
    either = SyncWindow("deny", "* * * * *", "1m", applications=("wiki",), clusters=("in-cluster",))
    assert matches(either, "donate", "donate", None, "in-cluster")
    assert not matches(SyncWindow("deny", "* * * * *", "1m"), "donate", "donate", None, None)  # nothing set


def test_bad_schedule_or_duration_refuses_as_argo_cd_does():
    allowed, why = can_sync_manually([SyncWindow("deny", "every day", "1h", applications=("*",))], NOW)
    assert not allowed and "cannot parse schedule 'every day'" in why
    with pytest.raises(ValueError):
        parse_duration("1 hour")
    assert parse_duration("1h30m").total_seconds() == 5400
