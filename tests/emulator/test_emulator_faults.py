"""Fault injection, seen through the official `kubernetes` python client over HTTP."""
from __future__ import annotations

import json
import threading

import httpx
import pytest
import urllib3
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

LH = ("longhorn.io", "v1beta2")


@pytest.fixture
def world(emulator_factory, kubeconfig, reference_objects):
    emu = emulator_factory(reference_objects, controllers=False)
    api = config.new_client_from_config(config_file=str(kubeconfig(emu)))
    yield emu, api
    api.close()


def nodes(api: client.ApiClient, **kwargs) -> list[dict]:
    """Raw JSON, as clusterdeck reads it (the generated models reject half-filled fixture nodes)."""
    resp = client.CoreV1Api(api).list_node(_preload_content=False, **kwargs)
    return json.loads(resp.data)["items"]


def list_volumes(api: client.ApiClient, **kwargs):
    return client.CustomObjectsApi(api).list_cluster_custom_object(*LH, "volumes", **kwargs)


@pytest.mark.parametrize("status", [403, 404, 500])
def test_fault_fails_list_get_and_watch_of_that_resource_only(world, status):
    emu, api = world
    emu.fault("lh_volumes", status)
    with pytest.raises(ApiException) as listed:
        list_volumes(api)
    assert listed.value.status == status
    assert json.loads(listed.value.body)["kind"] == "Status"
    with pytest.raises(ApiException) as got:
        client.CustomObjectsApi(api).get_namespaced_custom_object(*LH, "longhorn-system", "volumes", "media-import")
    assert got.value.status == status
    with pytest.raises(ApiException) as watched:
        next(iter(watch.Watch().stream(client.CustomObjectsApi(api).list_cluster_custom_object, *LH, "volumes",
                                       timeout_seconds=2)))
    assert watched.value.status == status
    # Other resources, even in the same group, are untouched.
    assert client.CustomObjectsApi(api).list_cluster_custom_object(*LH, "replicas")["items"]
    assert nodes(api)
    emu.fault("lh_volumes", None)
    assert len(list_volumes(api)["items"]) == 2


def test_fault_names_a_key_a_qualified_plural_or_every_group_with_a_plural(world):
    emu, api = world
    custom = client.CustomObjectsApi(api)
    emu.fault("nodes", 403)  # the KINDS key: core Nodes only
    with pytest.raises(ApiException):
        nodes(api)
    assert custom.list_cluster_custom_object(*LH, "nodes")["items"]
    emu.fault("nodes", None)
    emu.fault("nodes.longhorn.io", 403)
    assert nodes(api)
    with pytest.raises(ApiException):
        custom.list_cluster_custom_object(*LH, "nodes")
    emu.fault("middlewaretcps", 500)  # not a key: every group serving that plural
    for group in ("traefik.io", "traefik.containo.us"):
        with pytest.raises(ApiException) as failed:
            custom.list_cluster_custom_object(group, "v1alpha1", "middlewaretcps")
        assert failed.value.status == 500
    emu.fault("middlewares_legacy", 500)  # a key: that group only
    with pytest.raises(ApiException):
        custom.list_cluster_custom_object("traefik.containo.us", "v1alpha1", "middlewares")
    assert custom.list_cluster_custom_object("traefik.io", "v1alpha1", "middlewares")["items"]  # the live group answers
    with pytest.raises(KeyError):
        emu.fault("no-such-thing", 500)


def test_not_installed_crd_disappears_from_discovery(world):
    emu, _ = world
    emu.fault("ip_pools", 404)
    resources = {r["name"] for r in httpx.get(emu.url + "/apis/metallb.io/v1beta1").json()["resources"]}
    assert "ipaddresspools" not in resources and "l2advertisements" in resources
    emu.fault("ip_pools", None)
    resources = {r["name"] for r in httpx.get(emu.url + "/apis/metallb.io/v1beta1").json()["resources"]}
    assert "ipaddresspools" in resources


def test_watch_from_compacted_version_is_410(world):
    emu, api = world
    old = list_volumes(api)["metadata"]["resourceVersion"]
    emu.upsert({**emu.get("lh_volumes", "longhorn-system", "media-import"), "spec": {"numberOfReplicas": 1}})
    emu.compact()
    with pytest.raises(ApiException) as gone:
        for _ in watch.Watch().stream(client.CustomObjectsApi(api).list_cluster_custom_object, *LH, "volumes",
                                      resource_version=old, timeout_seconds=2):
            pass
    assert gone.value.status == 410
    with pytest.raises(ApiException) as listed:
        list_volumes(api, resource_version=old)
    assert listed.value.status == 410


def test_latency_makes_a_short_client_timeout_fire(world):
    emu, api = world
    emu.latency(2.0)
    with pytest.raises(urllib3.exceptions.MaxRetryError) as slow:
        nodes(api, _request_timeout=0.2)
    assert isinstance(slow.value.reason, urllib3.exceptions.ReadTimeoutError)
    emu.latency(0)
    assert nodes(api, _request_timeout=5)


def test_drop_watches_ends_open_streams_and_rewatch_catches_up(world):
    emu, api = world
    rv = list_volumes(api)["metadata"]["resourceVersion"]
    resp = client.CustomObjectsApi(api).list_cluster_custom_object(
        *LH, "volumes", watch=True, resource_version=rv, _preload_content=False)
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.extend(line for line in resp.stream() if line.strip()))
    reader.start()
    vol = emu.get("lh_volumes", "longhorn-system", "media-import")
    vol["metadata"].setdefault("labels", {})["seen"] = "before-drop"
    emu.upsert(vol)
    emu.drop_watches()
    reader.join(10)
    assert not reader.is_alive(), "the watch stream stayed open after drop_watches()"
    events = [json.loads(x) for x in b"".join(lines).splitlines() if x.strip()]
    assert [e["object"]["metadata"]["labels"]["seen"] for e in events] == ["before-drop"]
    vol["metadata"]["labels"]["seen"] = "after-drop"
    emu.upsert(vol)
    replay = [e["object"]["metadata"]["labels"]["seen"] for e in watch.Watch().stream(
        client.CustomObjectsApi(api).list_cluster_custom_object, *LH, "volumes",
        resource_version=events[-1]["object"]["metadata"]["resourceVersion"], timeout_seconds=1)]
    assert replay == ["after-drop"]


def test_stop_and_restart_on_the_same_port_keep_the_objects(world):
    emu, api = world
    url = emu.url
    node = emu.get("nodes", None, "node-a")
    node["spec"]["unschedulable"] = True
    emu.upsert(node)
    rv = emu.resource_version
    emu.stop()
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        nodes(api, _request_timeout=2)
    assert emu.restart() == url
    again = json.loads(client.CoreV1Api(api).read_node("node-a", _preload_content=False).data)
    assert again["spec"]["unschedulable"] is True
    assert again["metadata"]["resourceVersion"] == str(rv)
