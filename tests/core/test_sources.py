"""The list+watch sources against the emulator, over HTTP with the official client.

What an operator notices: data arrives, changes stream in, a forbidden or missing add-on
is named in its own pane while the others keep working, an outage turns into "stale since"
and heals by itself.
"""
from __future__ import annotations

import queue
import time
from collections.abc import Callable

import pytest

from tui.core import kube_http
from tui.core.events import Changed, HealthChanged, Relisted, SourceEvent, SourceState
from tui.core.kinds import KINDS
from tui.core.packed import unpack
from tui.core.sources import Backoff, SourceSet

FAST = Backoff(first=0.05, factor=2.0, cap=0.3, settled=0.3)


def node(name: str, ready: str = "True") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "status": {"conditions": [{"type": "Ready", "status": ready}]},
    }


def volume(name: str) -> dict:
    return {
        "apiVersion": "longhorn.io/v1beta2",
        "kind": "Volume",
        "metadata": {"name": name, "namespace": "longhorn-system"},
        "spec": {"size": "1073741824", "numberOfReplicas": 3},
        "status": {"state": "detached", "robustness": "unknown"},
    }


class Collector:
    """Events as the app's loop would receive them, with bounded waits."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[SourceEvent] = queue.SimpleQueue()
        self.seen: list[SourceEvent] = []
        self.latest: dict[str, HealthChanged] = {}  # each source's current health

    def deliver(self, event: SourceEvent) -> None:
        self.queue.put(event)

    def wait(self, match: Callable[[SourceEvent], bool], timeout: float = 10.0) -> SourceEvent:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.queue.get(timeout=0.05)
            except queue.Empty:
                continue
            self.seen.append(event)
            if isinstance(event, HealthChanged):
                self.latest[event.health.key] = event
            if match(event):
                return event
        raise AssertionError(f"no matching event within {timeout}s; saw {self.seen[-8:]}")

    def health(self, key: str, state: SourceState, timeout: float = 10.0) -> HealthChanged:
        """Wait until the source's current health is `state` (it may already be)."""
        current = self.latest.get(key)
        if current is not None and current.health.state == state:
            return current
        event = self.wait(
            lambda e: isinstance(e, HealthChanged) and e.health.key == key and e.health.state == state,
            timeout,
        )
        assert isinstance(event, HealthChanged)
        return event


@pytest.fixture
def running(emulator_factory):
    """Start sources for some kinds over an emulator; stop them at teardown."""
    started: list[SourceSet] = []

    def start(objects: list[dict], keys: tuple[str, ...], *, controllers: bool = True,
              faults: dict[str, int] | None = None):
        emu = emulator_factory(objects, controllers=controllers)
        for resource, status in (faults or {}).items():  # set before the first list
            emu.fault(resource, status)
        collector = Collector()
        client = kube_http.client_for(emu.url)
        sources = SourceSet(client, collector.deliver, kinds=[KINDS[k] for k in keys], backoff=FAST)
        sources.start()
        started.append(sources)
        return emu, collector

    yield start
    for sources in started:
        sources.stop()


def test_list_then_watch_streams_changes(running):
    emu, events = running([node("hel-cp-01"), node("hel-wk-01")], ("nodes",))
    listed = events.wait(lambda e: isinstance(e, Relisted))
    assert sorted(o["metadata"]["name"] for o in map(unpack, listed.objects)) == ["hel-cp-01", "hel-wk-01"]
    events.health("nodes", SourceState.OK)

    emu.upsert(node("hel-wk-02"))
    added = events.wait(lambda e: isinstance(e, Changed) and unpack(e.obj)["metadata"]["name"] == "hel-wk-02")
    assert added.type == "ADDED"

    emu.upsert(node("hel-wk-01", ready="False"))
    changed = events.wait(lambda e: isinstance(e, Changed) and unpack(e.obj)["metadata"]["name"] == "hel-wk-01")
    assert changed.type == "MODIFIED"
    assert unpack(changed.obj)["status"]["conditions"][0]["status"] == "False"

    emu.delete("nodes", None, "hel-wk-02")
    gone = events.wait(lambda e: isinstance(e, Changed) and e.type == "DELETED")
    assert unpack(gone.obj)["metadata"]["name"] == "hel-wk-02"


def test_dropped_stream_rewatches_without_losing_events(running):
    emu, events = running([node("hel-cp-01")], ("nodes",))
    events.wait(lambda e: isinstance(e, Relisted))
    events.health("nodes", SourceState.OK)
    emu.drop_watches()
    emu.upsert(node("hel-wk-03"))
    added = events.wait(lambda e: isinstance(e, Changed) and unpack(e.obj)["metadata"]["name"] == "hel-wk-03")
    assert added.type == "ADDED"
    # a dropped stream is not an outage: the source never went stale
    assert not any(
        isinstance(e, HealthChanged) and e.health.state != SourceState.OK for e in events.seen
    )


def test_too_old_version_relists(running):
    emu, events = running([node("hel-cp-01")], ("nodes",))
    events.wait(lambda e: isinstance(e, Relisted))
    emu.upsert(node("hel-cp-02"))
    events.wait(lambda e: isinstance(e, Changed))
    # While the source's re-watch is held up in flight, the world moves on and the server
    # forgets its history: the re-watch from our last version must answer 410 Gone.
    emu.latency(0.5)
    emu.drop_watches()
    emu.upsert(node("hel-cp-03"))
    emu.compact()
    relisted = events.wait(lambda e: isinstance(e, Relisted))
    emu.latency(0)
    names = sorted(o["metadata"]["name"] for o in map(unpack, relisted.objects))
    assert names == ["hel-cp-01", "hel-cp-02", "hel-cp-03"]
    # 410 is a forgotten version, not an outage
    assert not any(isinstance(e, HealthChanged) and e.health.state != SourceState.OK for e in events.seen)


def test_forbidden_and_missing_addon_leave_other_sources_alone(running, emulator_factory):
    emu, events = running([node("hel-cp-01"), volume("pvc-1")], ("nodes", "lh_volumes", "applications"))
    events.health("nodes", SourceState.OK)
    events.health("lh_volumes", SourceState.OK)
    emu.fault("lh_volumes", 403)
    emu.fault("applications", 404)
    emu.drop_watches()
    forbidden = events.health("lh_volumes", SourceState.FORBIDDEN)
    assert forbidden.health.detail == "cannot list volumes.longhorn.io (403)"
    missing = events.health("applications", SourceState.NOT_INSTALLED)
    assert missing.health.detail == "applications.argoproj.io not installed"
    # nodes keep streaming while Longhorn is forbidden
    emu.upsert(node("hel-wk-01"))
    events.wait(lambda e: isinstance(e, Changed) and e.key == "nodes")

    emu.fault("lh_volumes", None)
    relisted = events.wait(lambda e: isinstance(e, Relisted) and e.key == "lh_volumes")
    events.health("lh_volumes", SourceState.OK)
    # a Longhorn volume arrives packed (tui/core/packed.py), and unpacks to the object served
    assert [unpack(o)["metadata"]["name"] for o in map(unpack, relisted.objects)] == ["pvc-1"]


def test_outage_goes_stale_then_heals(running):
    emu, events = running([node("hel-cp-01")], ("nodes",))
    events.health("nodes", SourceState.OK)
    emu.stop()
    stale = events.health("nodes", SourceState.STALE)
    assert stale.health.detail in ("connection refused", "connection lost")
    assert stale.health.since is not None
    emu.restart()
    emu.upsert(node("hel-wk-04"))
    relisted = events.wait(lambda e: isinstance(e, Relisted), timeout=15)
    events.health("nodes", SourceState.OK)
    assert "hel-wk-04" in [o["metadata"]["name"] for o in map(unpack, relisted.objects)]


def test_never_reached_is_an_error_not_stale(running):
    emu, events = running([node("hel-cp-01")], ("nodes",))
    events.health("nodes", SourceState.OK)
    emu.stop()
    client = kube_http.client_for(emu.url)
    fresh = Collector()
    sources = SourceSet(client, fresh.deliver, kinds=[KINDS["nodes"]], backoff=FAST)
    sources.start()
    try:
        error = fresh.health("nodes", SourceState.ERROR)
        assert error.health.detail == "connection refused"
    finally:
        sources.stop()
