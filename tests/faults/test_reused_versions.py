"""Defect 2: the API comes back with resourceVersions reused (an etcd restore, a rebuilt
cluster at the same address): what changed must show, though every version is the same."""
from __future__ import annotations

import copy
from typing import Any

from tests.faults.support import LiveStore, volume_state
from tui.core.clock import FrozenClock
from tui.core.events import Relisted, SourceState
from tui.core.sources import Backoff
from tui.core.store import ClusterStore
from tui.emulator.demo import demo_objects

FAST = Backoff(first=0.05, factor=2.0, cap=0.3, settled=0.3)


def _first_attached_volume(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return next(o for o in objects if o.get("kind") == "Volume" and o["apiVersion"].startswith("longhorn")
                and (o.get("status") or {}).get("state") == "attached")


def test_rebuilt_api_with_same_versions_shows_the_faulted_volume(swappable_api: Any) -> None:
    objects = demo_objects()
    api = swappable_api(objects, controllers=False)
    name = _first_attached_volume(objects)["metadata"]["name"]
    live = LiveStore(api.url, ("lh_volumes", "lh_replicas", "lh_engines", "lh_attachments"), FAST)
    try:
        live.until(lambda s: volume_state(s, name) == ("attached", "healthy"), 10, "the volume listed healthy")
        old_rv = api.emulator.get("lh_volumes", "longhorn-system", name)["metadata"]["resourceVersion"]
        api.down()
        live.until(lambda s: s.health()["lh_volumes"].state is SourceState.STALE, 10, "stale while down")
        rebuilt = demo_objects()
        vol = _first_attached_volume(rebuilt)
        vol["status"].update(state="detached", robustness="faulted")
        api.back(rebuilt, controllers=False)
        new_rv = api.emulator.get("lh_volumes", "longhorn-system", name)["metadata"]["resourceVersion"]
        assert new_rv == old_rv  # the point of the test: the version says nothing changed
        live.until(lambda s: s.health()["lh_volumes"].state is SourceState.OK, 10, "ok again")
        live.until(lambda s: volume_state(s, name) == ("detached", "faulted"), 2,
                   f"{name} shown faulted after the API came back with reused versions")
    finally:
        live.stop()


def _versioned_nodes() -> list[dict[str, Any]]:
    objects = [o for o in demo_objects() if o.get("kind") == "Node" and o.get("apiVersion") == "v1"]
    for i, obj in enumerate(objects):
        obj["metadata"]["resourceVersion"] = str(100 + i)
    return objects


def test_relist_with_same_versions_and_other_content_replaces_rows() -> None:
    objects = _versioned_nodes()
    store = ClusterStore(FrozenClock())
    store.handle(Relisted("nodes", copy.deepcopy(objects)))
    ready = next(o for o in objects if store.row("nodes", o["metadata"]["name"]).ready)
    changed = copy.deepcopy(objects)
    target = next(o for o in changed if o["metadata"]["name"] == ready["metadata"]["name"])
    for cond in target["status"]["conditions"]:
        if cond["type"] == "Ready":
            cond["status"] = "False"
    version = store.version
    store.handle(Relisted("nodes", changed))
    assert store.version > version
    assert store.row("nodes", ready["metadata"]["name"]).ready is False


def test_relist_with_identical_content_changes_nothing() -> None:
    objects = _versioned_nodes()
    store = ClusterStore(FrozenClock())
    store.handle(Relisted("nodes", copy.deepcopy(objects)))
    rows = store.rows("nodes")
    version = store.version
    store.handle(Relisted("nodes", copy.deepcopy(objects)))
    assert store.version == version  # a reconnect with nothing new redraws nothing
    assert store.rows("nodes") is rows
