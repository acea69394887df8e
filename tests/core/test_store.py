"""ClusterStore driven by source events: rows, health, versions and changed layers."""
from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from tests.support.core_samples import (
    application,
    endpoint_slice,
    ingressroute,
    node,
    replica,
    service,
    store_with,
    volume,
)
from tui.core.clock import FrozenClock
from tui.core.events import Changed, HealthChanged, Relisted, SourceHealth, SourceState
from tui.core.kinds import KINDS
from tui.core.store import ClusterStore

T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def test_new_store_is_connecting_everywhere():
    store = ClusterStore(FrozenClock())
    assert store.version == 0
    assert set(store.health()) == set(KINDS)
    assert all(h.state is SourceState.CONNECTING for h in store.health().values())
    assert store.synced() is False
    assert store.rows("nodes") == []


def test_relist_fills_rows_sorted_and_marks_the_source_ok():
    store = ClusterStore(FrozenClock())
    store.handle(Relisted("nodes", [node("hel-wk-02"), node("hel-cp-01", server=True), node("hel-wk-01")]))
    assert [r.name for r in store.rows("nodes")] == ["hel-cp-01", "hel-wk-01", "hel-wk-02"]
    assert store.row("nodes", "hel-cp-01").roles == ("control-plane", "etcd", "master")
    assert store.health()["nodes"].state is SourceState.OK
    assert store.get("nodes", "hel-wk-01")["kind"] == "Node"


def test_watch_events_add_modify_delete():
    store = store_with({"nodes": [node("hel-wk-01")]})
    before = store.version
    store.handle(Changed("nodes", "ADDED", node("hel-wk-03")))
    gone = node("hel-wk-01", ready="False")
    gone["metadata"]["resourceVersion"] = "2"
    store.handle(Changed("nodes", "MODIFIED", gone))
    assert store.row("nodes", "hel-wk-01").ready is False
    store.handle(Changed("nodes", "DELETED", gone))
    assert [r.name for r in store.rows("nodes")] == ["hel-wk-03"]
    assert store.version == before + 3


def test_managed_fields_are_not_kept_and_everything_else_is():
    """managedFields ride on every object of a real cluster and nothing here reads them: the
    store lets them go on arrival (memory at 20,000 objects), keeping the rest as it came."""
    obj = volume("pvc-mf", node_id="hel-wk-01")
    obj["metadata"]["managedFields"] = [{"manager": "longhorn-manager", "operation": "Update",
                                         "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {}}}]
    obj["metadata"]["annotations"] = {"note": "kept"}
    store = store_with({"lh_volumes": [obj]})
    kept = store.get("lh_volumes", "longhorn-system/pvc-mf")
    assert kept is not None and "managedFields" not in kept["metadata"]
    assert kept["metadata"]["annotations"] == {"note": "kept"} and kept["status"] == obj["status"]
    assert "managedFields" in obj["metadata"]  # what the source handed over is not changed under it
    store.handle(Changed("lh_volumes", "MODIFIED", obj))
    assert "managedFields" not in store.get("lh_volumes", "longhorn-system/pvc-mf")["metadata"]


def test_changed_layers_name_only_what_an_event_touched():
    store = store_with({})
    mark = store.version
    store.handle(Changed("nodes", "ADDED", node("hel-cp-02", server=True)))
    assert store.changed_layers(mark) == {"nodes", "impact"}
    mark = store.version
    store.handle(Changed("services", "ADDED", service("api", "api", {"app": "api"})))
    assert store.changed_layers(mark) == {"ip_pools", "load_balancers", "routes", "impact"}
    mark = store.version
    store.handle(Changed("lh_replicas", "ADDED", replica("pvc-bot-db", "hel-wk-01")))
    assert store.changed_layers(mark) == {"volumes", "replicas", "impact"}
    assert store.changed_layers(store.version) == set()


def test_relist_with_same_resource_versions_changes_nothing():
    objects = [node("hel-wk-01"), node("hel-wk-02")]
    store = store_with({"nodes": objects})
    mark = store.version
    store.handle(Relisted("nodes", copy.deepcopy(objects)))  # e.g. after a 410 Gone
    assert store.version == mark
    assert store.changed_layers(mark) == set()


def test_unchanged_objects_are_not_reparsed():
    volumes = [volume(f"pvc-{i:03d}", node_id="hel-wk-01") for i in range(50)]
    store = store_with({"lh_volumes": volumes})
    first = {r.key: r for r in store.rows("volumes")}
    changed = copy.deepcopy(volumes[7])
    changed["metadata"]["resourceVersion"] = "2"
    changed["status"]["robustness"] = "degraded"
    store.handle(Changed("lh_volumes", "MODIFIED", changed))
    second = {r.key: r for r in store.rows("volumes")}
    assert second["longhorn-system/pvc-007"].robustness == "degraded"
    same = [k for k in first if first[k] is second[k]]
    assert len(same) == 49  # every other row object is reused as is
    # a relist with fresh dicts but the same resourceVersions reuses the rows too
    store.handle(Relisted("lh_volumes", copy.deepcopy([*volumes[:7], changed, *volumes[8:]])))
    assert all(a is b for a, b in zip(store.rows("volumes"), second.values()))


def test_health_changes_and_layer_health():
    store = store_with({})
    assert store.synced() is True
    mark = store.version
    stale = SourceHealth("l2_statuses", SourceState.STALE, since=T0, detail="connection refused", retry_in=2.0)
    store.handle(HealthChanged(stale))
    assert store.health()["l2_statuses"] == stale
    assert {"ip_pools", "load_balancers"} <= store.changed_layers(mark)
    network = {h.key for h in store.layer_health("load_balancers")}
    assert network == {"services", "ip_pools", "l2_advertisements", "l2_statuses",
                       "bgp_advertisements", "bgp_peers", "bgp_statuses"}
    assert {h.key for h in store.layer_health("network")} == network
    routes = {h.key for h in store.layer_health("routes")}
    assert routes >= {"ingressroutes", "ingressroutes_legacy", "ingresses", "tls_secrets", "ingressroutetcps",
                      "ingressrouteudps_legacy", "middlewares", "traefikservices", "tlsoptions", "serverstransports"}
    assert not routes & network
    assert "lh_nodes" in {h.key for h in store.layer_health("volumes")}


def test_synced_counts_final_error_states():
    store = ClusterStore(FrozenClock())
    for key in KINDS:
        if key == "ingressroutes_legacy":
            store.handle(HealthChanged(SourceHealth(key, SourceState.NOT_INSTALLED, since=T0)))
        elif key == "applications":
            store.handle(HealthChanged(SourceHealth(key, SourceState.FORBIDDEN, since=T0)))
        else:
            assert store.synced() is False
            store.handle(Relisted(key, []))
    assert store.synced() is True


def test_rows_of_other_layers_follow_services():
    store = store_with({"ingressroutes": [ingressroute("api", "api", "api.emberforge.games", "api", 8080)]})
    assert store.row("routes", "IngressRoute/api/api").problems
    store.handle(Changed("services", "ADDED", service("api", "api", {"app": "api"}, port=8080)))
    assert store.row("routes", "IngressRoute/api/api").problems == ("no ready endpoint for api/api:8080",)
    store.handle(Changed("endpointslices", "ADDED", endpoint_slice("api", "api", ["n1"])))
    assert store.row("routes", "IngressRoute/api/api").problems == ()


def test_malformed_events_are_ignored():
    store = store_with({})
    mark = store.version
    store.handle(Changed("nodes", "ADDED", None))  # type: ignore[arg-type]
    store.handle(Changed("nodes", "ADDED", {"metadata": {"namespace": "x"}}))  # no name
    store.handle(Changed("no-such-kind", "ADDED", node("x")))
    store.handle(Changed("nodes", "DELETED", node("never-seen")))
    store.handle(Relisted("nodes", [None, 7, "x", {"metadata": None}]))  # type: ignore[list-item]
    assert store.rows("nodes") == []
    assert store.version == mark


def test_unknown_layer_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown layer 'cronjobs'"):
        ClusterStore(FrozenClock()).rows("cronjobs")


def test_uninstalled_addon_takes_its_rows_along_but_forbidden_keeps_them():
    """A 404 on a CRD means the add-on (and its objects) is gone; a 403 means we may no longer
    look, and the last-known rows stay on screen under the forbidden banner."""
    store = store_with({"lh_volumes": [volume("pvc-wiki")],
                        "applications": [application("wiki", [])]})
    assert len(store.rows("volumes")) == 1 and len(store.rows("apps")) == 1
    mark = store.version
    store.handle(HealthChanged(SourceHealth("applications", SourceState.NOT_INSTALLED, since=T0)))
    store.handle(HealthChanged(SourceHealth("lh_volumes", SourceState.FORBIDDEN, since=T0)))
    assert store.rows("apps") == []
    assert "apps" in store.changed_layers(mark)
    assert [r.name for r in store.rows("volumes")] == ["pvc-wiki"]

