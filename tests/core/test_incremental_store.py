"""A store fed watch events one object at a time updates only the rows and links those objects
touch (issue 17): what it shows must be exactly what a store that listed the final objects
afresh shows, whatever the order of adds, changes and deletes."""
from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.test_parse_pods import PODS
from tests.support.core_samples import node, replica, statefulset, store_with, volume
from tui.core.events import Changed
from tui.core.store import ClusterStore

NODES = ("hel-wk-01", "hel-wk-02", "hel-wk-03")
VOLUMES = ("pvc-a", "pvc-b", "pvc-c", "pvc-d")
POD_NAMES = tuple(sorted(PODS))[:4]
LAYERS = ("nodes", "volumes", "pods")


def volume_obj(name: str, where: int, size: int, robustness: str) -> dict[str, Any]:
    obj = volume(name, node_id=NODES[where] if where < len(NODES) else "",
                 pvc=("wiki", f"data-{name}"), robustness=robustness)
    obj["spec"]["size"] = str(size * 1073741824)
    return obj


def pod_obj(name: str, where: int, phase: str) -> dict[str, Any]:
    obj = copy.deepcopy(PODS[name])
    obj["spec"]["nodeName"] = NODES[where % len(NODES)]
    obj["status"]["phase"] = phase
    return obj


def node_obj(name: str, ready: bool) -> dict[str, Any]:
    return node(name, "True" if ready else "False")


volume_change = st.tuples(st.just("lh_volumes"), st.sampled_from(VOLUMES), st.booleans(),
                          st.builds(lambda *a: a, st.integers(0, 3), st.integers(1, 9),
                                    st.sampled_from(["healthy", "degraded", "faulted"])))
pod_change = st.tuples(st.just("pods"), st.sampled_from(POD_NAMES), st.booleans(),
                       st.builds(lambda *a: a, st.integers(0, 2), st.sampled_from(["Running", "Pending", "Failed"])))
node_change = st.tuples(st.just("nodes"), st.sampled_from(NODES), st.booleans(), st.booleans().map(lambda b: (b,)))
changes = st.lists(st.one_of(volume_change, pod_change, node_change), min_size=1, max_size=30)

BUILD = {"lh_volumes": volume_obj, "pods": pod_obj, "nodes": node_obj}


def base_objects() -> dict[str, list[dict[str, Any]]]:
    return {
        "nodes": [node(n) for n in NODES],
        "lh_volumes": [volume_obj(v, i % 4, 10, "healthy") for i, v in enumerate(VOLUMES)],
        "lh_replicas": [replica(v, n) for v in VOLUMES for n in NODES[:2]],
        "pods": [pod_obj(p, i, "Running") for i, p in enumerate(POD_NAMES)],
        "statefulsets": [statefulset("wiki-db", "wiki", {"app.kubernetes.io/name": "wiki-db"}, claim="data")],
    }


def what_shows(store: ClusterStore) -> dict[str, Any]:
    """Every row of the one-row-per-object layers and what each node's and volume's impact view says."""
    index = store.impact()
    return {
        "rows": {layer: store.rows(layer) for layer in LAYERS},
        "node_impact": {n: index.for_node(n) for n in NODES},
        "volume_impact": {v.key: index.for_volume(v.key) for v in store.rows("volumes")},
        "pods_on": {n: store.pods_of("nodes", n) for n in NODES},
        "volume_pods": {v.key: store.pods_of("volumes", v.key) for v in store.rows("volumes")},
    }


@settings(max_examples=60, deadline=None)
@given(changes)
def test_one_object_at_a_time_shows_what_a_fresh_list_shows(steps: list[tuple[str, str, bool, tuple[Any, ...]]]) -> None:
    objects = {kind: {o["metadata"]["name"]: o for o in objs} for kind, objs in base_objects().items()}
    live = store_with({kind: list(objs.values()) for kind, objs in objects.items()})
    what_shows(live)  # built once: from here on each change updates what was built
    for kind, name, keep, args in steps:
        if keep:
            obj = BUILD[kind](name, *args)
            objects[kind][name] = obj
            live.handle(Changed(kind, "MODIFIED", obj))
        elif name in objects[kind]:
            live.handle(Changed(kind, "DELETED", objects[kind].pop(name)))
        what_shows(live)  # read between changes, as a pane redrawing at each one would
    fresh = store_with({kind: list(objs.values()) for kind, objs in objects.items()})
    assert what_shows(live) == what_shows(fresh)


def test_a_volume_that_moves_node_moves_in_the_impact_views() -> None:
    store = store_with(base_objects())
    assert "longhorn-system/pvc-a" in store.impact().for_node("hel-wk-01").volumes_attached
    store.handle(Changed("lh_volumes", "MODIFIED", volume_obj("pvc-a", 2, 10, "healthy")))
    assert "longhorn-system/pvc-a" not in store.impact().for_node("hel-wk-01").volumes_attached
    assert "longhorn-system/pvc-a" in store.impact().for_node("hel-wk-03").volumes_attached


def test_a_size_change_shows_in_the_row_and_in_the_impact_views_rows() -> None:
    store = store_with(base_objects())
    index = store.impact()
    store.handle(Changed("lh_volumes", "MODIFIED", volume_obj("pvc-b", 1, 42, "degraded")))
    row = store.row("volumes", "longhorn-system/pvc-b")
    assert row.size_bytes == 42 * 1073741824 and row.robustness == "degraded"
    assert store.impact() is index  # no link moved: the index took the new row instead of a rebuild
    assert store.impact().volumes["longhorn-system/pvc-b"] is row


def test_more_changes_than_the_log_keeps_between_reads_still_show_the_last() -> None:
    store = store_with(base_objects())
    store.rows("volumes")
    store.impact()
    for size in range(1, 9001):  # the log keeps 4,096 to 8,192 steps: the reader's is forgotten
        store.handle(Changed("lh_volumes", "MODIFIED", volume_obj("pvc-c", size % 3, size, "healthy")))
    assert store.row("volumes", "longhorn-system/pvc-c").size_bytes == 9000 * 1073741824
    assert "longhorn-system/pvc-c" in store.impact().for_node(NODES[0]).volumes_attached  # 9000 % 3 == 0
