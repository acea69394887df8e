"""Thousands of malformed objects through every parser, the store, the index and the snapshot:
random JSON trees, and reference objects with random subtrees replaced, mistyped or deleted.
The only assertion that matters here: nothing raises."""
from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.test_parse_events import EVENTS
from tests.core.test_parse_pods import PODS
from tests.support.core_samples import all_fixture_objects, store_with
from tui.core.attention import attention
from tui.core.events import Changed, Relisted
from tui.core.parsers.traefik import rule_hosts
from tui.core.snapshot import snapshot_json, snapshot_text
from tui.core.store import EXTRA_PARSERS, PARSERS

FIXTURES = all_fixture_objects()
# pods and events come from their own fixtures (real shapes of every STATUS case, both event APIs)
FIXTURES["pods"] = list(PODS.values())
FIXTURES["events"] = [*FIXTURES.get("events", []), *EVENTS]
SAMPLES = [(key, obj) for key, objs in FIXTURES.items() for obj in objs]


def _keys(value: Any, out: set[str]) -> set[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            _keys(v, out)
    elif isinstance(value, list):
        for v in value:
            _keys(v, out)
    return out


# real field names make random trees reach deep into the parsers' paths
FIELD_NAMES = sorted(_keys(FIXTURES, set()))
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
    st.floats(allow_nan=True), st.text(max_size=20),
    st.sampled_from(["True", "False", "Unknown", "LoadBalancer", "RW", "WO", "", "10.0.0.1-10.0.0.0",
                     "fd00::/8", "192.168.10.240/28", "Host(`a`", "`", "(", "Deployment", "-1"]),
)
json_trees = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=6)),
    max_leaves=40,
)
ALL_PARSERS = [*PARSERS.values(), *(parser for _, parser in EXTRA_PARSERS.values())]
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(SETTINGS, max_examples=1000)
@given(json_trees)
def test_random_trees_never_break_a_parser(tree):
    for parser in ALL_PARSERS:
        parser(tree)
        parser({"metadata": {"name": "x", "namespace": "y"}, "spec": tree, "status": tree})


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


@st.composite
def mutated(draw: st.DrawFn, sample: tuple[str, dict] | None = None) -> tuple[str, dict]:
    """A reference object with one to three subtrees replaced by junk or deleted."""
    key, obj = sample or draw(st.sampled_from(SAMPLES))
    obj = copy.deepcopy(obj)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(obj) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = obj
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_trees)
    return key, obj


@settings(SETTINGS, max_examples=1000)
@given(mutated())
def test_mutated_reference_objects_never_break_their_parser(sample):
    key, obj = sample
    PARSERS[key](obj)
    for parser in ALL_PARSERS:
        parser(obj)


@settings(SETTINGS, max_examples=60)
@given(st.lists(mutated(), min_size=1, max_size=12), st.lists(mutated(), max_size=4))
def test_store_index_and_snapshot_survive_malformed_clusters(relisted, changed):
    objects = copy.deepcopy(FIXTURES)
    for key, obj in relisted:
        objects[key] = [*objects[key][1:], obj]  # replace one good object of that kind
    store = store_with(objects)
    for key, obj in changed:
        store.handle(Changed(key, "MODIFIED", obj))
    store.handle(Relisted("nodes", objects.get("nodes", [])))
    index = store.impact()
    for row in store.rows("nodes"):
        index.for_node(row.name)
    for layer, view in (("volumes", index.for_volume), ("load_balancers", index.for_lb),
                        ("routes", index.for_route), ("apps", index.for_app)):
        for row in store.rows(layer):
            view(row.key)
    for layer in ("nodes", "workloads", "apps", "volumes", "routes", "pods"):
        for row in store.rows(layer):
            store.pods_of(layer, row.key)
            store.events_for(row.key)
    attention(store)
    json.dumps(snapshot_json(store))
    snapshot_text(store)


@SETTINGS
@given(st.text(alphabet="Host()`\"\\,|&! abc.*{}", max_size=60))
def test_rule_parser_takes_any_text(rule):
    rule_hosts(rule)


def test_absurd_numbers_are_shown_not_fatal():
    objects = copy.deepcopy(FIXTURES)
    objects["lh_volumes"][0]["spec"]["size"] = "9" * 5000  # beyond int()'s digit limit
    objects["lh_volumes"][1]["spec"]["size"] = 10**40
    objects["lh_volumes"][1]["status"]["actualSize"] = float("inf")
    store = store_with(objects)
    assert "LONGHORN VOLUMES (2)" in snapshot_text(store)
    assert {v["size_bytes"] for v in snapshot_json(store)["volumes"]} == {None, 10**40}


container_states = st.one_of(
    st.fixed_dictionaries({"waiting": st.fixed_dictionaries({}, optional={"reason": st.sampled_from(
        ["CrashLoopBackOff", "ImagePullBackOff", "ContainerCreating", "PodInitializing", ""])})}),
    st.fixed_dictionaries({"running": st.just({"startedAt": "2026-11-26T14:00:00Z"})}),
    st.fixed_dictionaries({"terminated": st.fixed_dictionaries(
        {"exitCode": st.integers(-1, 255)},
        optional={"reason": st.sampled_from(["Error", "Completed", "OOMKilled", ""]),
                  "signal": st.integers(0, 15), "finishedAt": st.sampled_from(["2026-11-26T14:01:07Z", "x"])})}),
    json_trees,
)
container_statuses = st.lists(st.fixed_dictionaries(
    {"name": st.sampled_from(["a", "b", "side"]), "state": container_states},
    optional={"ready": st.booleans(), "started": st.booleans(), "restartCount": st.integers(-3, 99),
              "lastState": container_states}), max_size=3)


@settings(SETTINGS, max_examples=150)
@given(container_statuses, container_statuses, st.booleans(), st.sampled_from(["Running", "Pending", None]))
def test_any_container_states_give_a_sane_pod_row(statuses, init_statuses, deleting, phase):
    from tui.core.parsers.pods import parse_pod

    pod = {"metadata": {"name": "p", "namespace": "n"},
           "spec": {"containers": [{"name": "a"}, {"name": "b"}],
                    "initContainers": [{"name": "side", "restartPolicy": "Always"}, {"name": "init"}]},
           "status": {"phase": phase, "containerStatuses": statuses, "initContainerStatuses": init_statuses}}
    if deleting:
        pod["metadata"]["deletionTimestamp"] = "2026-11-26T14:04:00Z"
    row = parse_pod(pod)
    ready, total = (int(n) for n in row.ready.split("/"))
    assert total == 3 and 0 <= ready and row.restarts >= 0 and row.status
    assert not deleting or row.status == "Terminating"  # never NodeLost here: no status.reason
