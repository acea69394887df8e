"""Pods and events as sources. Events are watched from events.k8s.io/v1, and from core v1 on
a cluster that lacks that group: the operator sees the same events either way, and no "not
installed" banner. A forbidden pods list is said in the Pods pane, not everywhere."""
from __future__ import annotations

import copy

import pytest

from tests.core.test_parse_events import EVENTS
from tests.core.test_sources import running  # noqa: F401 - the fixture, shared
from tui.core.clock import FrozenClock
from tui.core.events import Changed, HealthChanged, Relisted, SourceState
from tui.core.packed import unpack
from tui.core.store import ClusterStore

CORE_V1 = [e for e in EVENTS if e["apiVersion"] == "v1"]
EVENTS_V1 = [e for e in EVENTS if e["apiVersion"] == "events.k8s.io/v1"]


@pytest.fixture
def watch_events(running):  # noqa: F811 - the shared fixture
    def start(objects: list[dict], group_missing: bool = False):
        # a cluster without the events.k8s.io group answers 404 on it
        faults = {"events.events.k8s.io": 404} if group_missing else None
        return running(copy.deepcopy(objects), ("events",), controllers=False, faults=faults)

    return start


def test_events_come_from_the_events_group_when_it_is_served(watch_events):
    _, events = watch_events(EVENTS)
    listed = events.wait(lambda e: isinstance(e, Relisted) and e.key == "events")
    # (an API server may also show core v1 events through the group: they are the same objects)
    assert {e["metadata"]["name"] for e in EVENTS_V1} <= {o["metadata"]["name"] for o in map(unpack, listed.objects)}
    events.health("events", SourceState.OK)


def test_without_the_group_core_v1_events_are_listed_and_watched(watch_events):
    emu, events = watch_events(CORE_V1, group_missing=True)
    listed = events.wait(lambda e: isinstance(e, Relisted) and e.key == "events")
    assert sorted(o["metadata"]["name"] for o in map(unpack, listed.objects)) == sorted(
        e["metadata"]["name"] for e in CORE_V1)
    events.health("events", SourceState.OK)

    fresh = copy.deepcopy(CORE_V1[0])
    fresh["metadata"] = {"name": "minecraft-0.again", "namespace": "games"}
    fresh["message"] = "0/7 nodes are available: 7 Insufficient memory."
    emu.upsert(fresh)
    added = events.wait(lambda e: isinstance(e, Changed) and unpack(e.obj)["metadata"]["name"] == "minecraft-0.again")
    assert added.key == "events" and added.type == "ADDED"
    assert not any(isinstance(e, HealthChanged) and e.health.state is SourceState.NOT_INSTALLED
                   for e in events.seen)

    store = ClusterStore(FrozenClock())
    for event in events.seen:
        store.handle(event)
    reasons = {(r.object, r.reason) for r in store.rows("events")}
    assert ("Pod/minecraft-0", "FailedScheduling") in reasons
    assert len([r for r in store.rows("events") if r.object == "Pod/minecraft-0"]) == 2


def test_neither_collection_served_is_not_installed(watch_events):
    emu, events = watch_events([])
    emu.fault("events", 404)  # both the group's and core v1's collection
    emu.drop_watches()
    health = events.health("events", SourceState.NOT_INSTALLED)
    assert "not installed" in (health.health.detail or "")


def test_forbidden_pods_are_named_in_the_pods_pane_only(running):  # noqa: F811 - the shared fixture
    from tests.core.test_parse_pods import PODS
    from tests.core.test_sources import node

    _, collector = running([node("hel-wk-01"), copy.deepcopy(PODS["wiki-db-0"])], ("pods", "nodes"),
                           controllers=False, faults={"pods": 403})
    collector.health("pods", SourceState.FORBIDDEN)
    collector.health("nodes", SourceState.OK)
    store = ClusterStore(FrozenClock())
    for event in list(collector.seen):
        store.handle(event)
    assert [h.state for h in store.layer_health("pods")] == [SourceState.FORBIDDEN]
    assert "cannot list pods (403)" in (store.layer_health("pods")[0].detail or "")
    assert all(h.state is not SourceState.FORBIDDEN for h in store.layer_health("nodes"))
