"""The big kinds are held packed (tui/core/packed.py): what the store gives back is exactly what
came, a relist of unchanged objects parses nothing again, and what cannot pack is kept whole."""
from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.core_samples import store_with, volume
from tests.support.log_pods import crashlooping_db, pod
from tui.core.events import Changed, Relisted
from tui.core.frozen_view import freeze
from tui.core.kinds import KINDS, stored_form
from tui.core.packed import PACKED_KINDS, Packed, held_form, unpack

# what a JSON object from the API may hold: any text (markup, control characters, emoji),
# integers past 64 bits (JSON allows them; orjson does not write them), floats, nesting
_SCALARS = st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | \
    st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                       max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(extra=st.dictionaries(st.text(max_size=8), _VALUES, max_size=5), name=st.text(min_size=1, max_size=12),
       kind_key=st.sampled_from(sorted(PACKED_KINDS)))
def test_an_object_unpacks_to_exactly_what_came(extra, name, kind_key):
    obj = {**extra, "metadata": {"name": name, "namespace": "ns", "labels": {"[b]x[/b]": "\x1b[31m"}}}
    held = held_form(KINDS[kind_key], obj)
    assert unpack(held) == stored_form(KINDS[kind_key], obj)
    # the same object packs equal (a relist's test for "unchanged"); another does not
    assert held_form(KINDS[kind_key], obj) == held
    assert held_form(KINDS[kind_key], {**obj, "changed-field": 1}) != held  # keys of extra are <= 8 long


def test_an_integer_past_64_bits_keeps_the_object_whole():
    obj = {"metadata": {"name": "big", "namespace": "ns"}, "spec": {"n": 2**70}}
    held = held_form(KINDS["pods"], obj)
    assert not isinstance(held, Packed) and unpack(held)["spec"]["n"] == 2**70
    store = store_with({"pods": [obj]})
    assert store.get("pods", "ns/big")["spec"]["n"] == 2**70 and store.row("pods", "ns/big") is not None


def test_the_store_gives_a_pod_back_whole_and_holds_it_small():
    """The detail view and the drain plan read what the parser does not (images, startTime):
    all of it comes back. Held, a pod is a fraction of its JSON."""
    first, second = crashlooping_db(), pod("api-7d9f", labels={"app": "api"})
    store = store_with({"pods": [first, second]})
    for obj in (first, second):
        key = f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"
        assert store.get("pods", key) == stored_form(KINDS["pods"], obj)
        held = store.held("pods")[key]
        assert isinstance(held, Packed)
    held = store.held("pods")["wiki/api-7d9f"]
    assert isinstance(held, Packed) and len(held.data) < len(orjson.dumps(second)) / 2
    # a copy from get() is the caller's: changing it changes nothing held
    store.get("pods", "wiki/api-7d9f")["spec"]["nodeName"] = "elsewhere"
    assert store.get("pods", "wiki/api-7d9f")["spec"]["nodeName"] == "ember-a1"
    # an action's frozen view reads them the same way
    view = freeze(store)
    assert view.get("pods", "wiki/wiki-db-0") == stored_form(KINDS["pods"], first)
    assert [o["metadata"]["name"] for o in view.objects("pods")] == ["wiki-db-0", "api-7d9f"]


def test_a_relist_of_unchanged_objects_parses_nothing_again():
    volumes = [volume(f"pvc-{i}", node_id="hel-wk-01") for i in range(3)]
    store = store_with({"lh_volumes": volumes})
    before = {row.key: row for row in store.rows("volumes")}
    changed = volume("pvc-1", node_id="hel-wk-02")
    store.handle(Relisted("lh_volumes", [volume("pvc-0", node_id="hel-wk-01"), changed,
                                         volume("pvc-2", node_id="hel-wk-01")]))
    after = {row.key: row for row in store.rows("volumes")}
    assert after["longhorn-system/pvc-0"] is before["longhorn-system/pvc-0"]
    assert after["longhorn-system/pvc-2"] is before["longhorn-system/pvc-2"]
    assert after["longhorn-system/pvc-1"].node == "hel-wk-02"
    # a watch event re-parses the one object it carries
    store.handle(Changed("lh_volumes", "MODIFIED", volume("pvc-2", node_id="hel-wk-03")))
    assert store.row("volumes", "longhorn-system/pvc-2").node == "hel-wk-03"


def test_events_are_held_packed_and_the_newest_kept_by_their_time():
    """A busy cluster's events: the store keeps the newest (by when they last happened, in
    either API shape) and holds them packed; each comes back whole."""
    from tui.core.clock import FrozenClock
    from tui.core.store import ClusterStore

    def event(name: str, when: str, core_v1: bool) -> dict:
        base = {"metadata": {"name": name, "namespace": "wiki"}, "reason": "BackOff", "type": "Warning"}
        if core_v1:
            return {"apiVersion": "v1", "kind": "Event", **base, "lastTimestamp": when,
                    "involvedObject": {"kind": "Pod", "name": "wiki-db-0", "namespace": "wiki"}, "message": name}
        return {"apiVersion": "events.k8s.io/v1", "kind": "Event", **base, "eventTime": when,
                "regarding": {"kind": "Pod", "name": "wiki-db-0", "namespace": "wiki"}, "note": name}

    events = [event(f"e{i}", f"2026-12-04T10:0{i}:00Z", core_v1=i % 2 == 0) for i in (3, 1, 4, 0, 2)]
    store = ClusterStore(FrozenClock(), events_max=3)
    store.handle(Relisted("events", events))
    held = store.held("events")
    assert list(held) == ["wiki/e2", "wiki/e3", "wiki/e4"]  # oldest first, the two oldest let go
    assert all(isinstance(h, Packed) for h in held.values()) and store.events_dropped == 2
    assert store.get("events", "wiki/e3") == events[0]
    # one that happens now is the newest; the oldest kept goes
    store.handle(Changed("events", "ADDED", event("e5", "2026-12-04T10:05:00Z", core_v1=False)))
    assert list(store.held("events")) == ["wiki/e3", "wiki/e4", "wiki/e5"]
    assert {r.message for r in store.rows("events")} == {"e3", "e4", "e5"}
