"""Events read from both API shapes, folded as `kubectl events` folds them, and kept bounded."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tui.core.clock import FrozenClock
from tui.core.events import Changed, Relisted
from tui.core.parsers.events import aggregate, parse_event
from tui.core.store import ClusterStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pods" / "events.yaml"
EVENTS = [d for d in yaml.safe_load_all(FIXTURES.read_text(encoding="utf-8")) if isinstance(d, dict)]


def event(name: str) -> dict[str, Any]:
    return copy.deepcopy(next(e for e in EVENTS if e["metadata"]["name"] == name))


def test_events_k8s_io_shape_with_deprecated_count():
    row = parse_event(event("wiki-db-0.187b3c5d9e0f1a2b"))
    assert (row.namespace, row.object, row.type, row.reason) == ("wiki", "Pod/wiki-db-0", "Warning", "BackOff")
    assert row.message.startswith("Back-off restarting failed container mariadb")
    assert (row.count, row.first_seen, row.last_seen) == (61, "2026-11-26T13:20:02Z", "2026-11-26T14:02:10Z")
    assert (row.source, row.object_key) == ("kubelet", "wiki/wiki-db-0")


def test_series_gives_count_and_last_observed_time():
    row = parse_event(event("wiki-web-7c9d5b8f6d-x2k9p.187b3c60aa01"))
    assert (row.count, row.last_seen) == (240, "2026-11-26T14:04:50.502113Z")
    assert row.message == "Readiness probe failed: HTTP probe failed with statuscode: 503"


def test_core_v1_shape_involved_object_and_series():
    row = parse_event(event("minecraft-0.187b2a11"))
    assert (row.object, row.reason, row.count) == ("Pod/minecraft-0", "FailedScheduling", 5)
    assert row.last_seen == "2026-11-26T14:03:31.993123Z" and row.source == "default-scheduler"


def test_a_node_event_belongs_to_the_node_not_to_the_default_namespace():
    row = parse_event(event("hel-wk-03.187b1f00"))
    assert (row.namespace, row.object_key, row.type) == (None, "hel-wk-03", "Normal")


def test_repeats_of_one_object_reason_and_message_fold_into_one_row():
    first = event("pvc-3f6c2a1e.187b3d00")
    again = copy.deepcopy(first)
    again["metadata"]["name"] = "pvc-3f6c2a1e.187b3e99"
    again["firstTimestamp"], again["lastTimestamp"], again["count"] = \
        "2026-11-26T14:04:30Z", "2026-11-26T14:04:58Z", 3
    other = event("wiki-db-0.old-scheduled")
    rows = aggregate([parse_event(first), parse_event(again), parse_event(other)])
    assert len(rows) == 2
    folded = next(r for r in rows if r.reason == "FailedAttachVolume")
    assert (folded.count, folded.first_seen, folded.last_seen) == \
        (7, "2026-11-26T14:01:00Z", "2026-11-26T14:04:58Z")


def test_an_event_without_fields_is_a_row_not_an_error():
    row = parse_event({"metadata": {"name": "e"}})
    assert (row.object, row.type, row.count, row.object_key) == ("?/?", "Normal", 1, None)


def _numbered(i: int) -> dict[str, Any]:
    obj = event("wiki-db-0.old-scheduled")
    obj["metadata"]["name"] = f"e{i:05d}"
    obj["metadata"]["resourceVersion"] = str(i)
    obj["message"] = f"event number {i}"
    obj["lastTimestamp"] = f"2026-11-26T{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
    return obj


def test_store_keeps_the_newest_n_events_and_says_how_many_it_dropped():
    store = ClusterStore(FrozenClock(), events_max=100)
    store.handle(Relisted("events", [_numbered(i) for i in range(250)]))
    rows = store.rows("events")
    assert len(rows) == 100 and store.events_dropped == 150
    assert {r.message for r in rows} == {f"event number {i}" for i in range(150, 250)}
    store.handle(Changed("events", "ADDED", _numbered(300)))
    assert store.events_dropped == 151
    messages = {r.message for r in store.rows("events")}
    assert "event number 300" in messages and "event number 150" not in messages
    # a relist counts afresh instead of adding up the same old events twice
    store.handle(Relisted("events", [_numbered(i) for i in range(120)]))
    assert store.events_dropped == 20


def test_events_for_an_object_newest_first_by_plain_or_kind_qualified_key():
    store = ClusterStore(FrozenClock())
    store.handle(Relisted("events", EVENTS))
    mine = store.events_for("wiki/wiki-db-0")
    assert [e.reason for e in mine] == ["BackOff", "Scheduled"]
    assert [e.reason for e in store.events_for("Pod/wiki/wiki-db-0")] == ["BackOff", "Scheduled"]
    assert [e.reason for e in store.events_for("hel-wk-03")] == ["NodeHasDiskPressure"]
    assert store.events_for("wiki/nothing-here") == []
