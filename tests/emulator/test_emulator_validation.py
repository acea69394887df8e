"""Schema validation on create/update/patch: wrong types answer 422 Invalid with the field path
and nothing is stored (kubectl and the kubernetes DynamicClient); CRD schemas are enforced."""
from __future__ import annotations

import json

import pytest
from kubernetes.dynamic.exceptions import UnprocessibleEntityError

from tests.emulator.schema_fixtures import dynamic_client, web_deployment, write_yaml
from tests.emulator.test_emulator_kubectl import kubectl

NS = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}


@pytest.fixture
def shop(emulator_factory, kubeconfig):
    emu = emulator_factory([NS, web_deployment()], controllers=False)
    return emu, kubeconfig(emu)


def test_kubectl_apply_of_a_string_replica_count_is_422_with_the_path(shop, tmp_path):
    emu, kc = shop
    before = emu.get("deployments", "shop", "web")
    done = kubectl(kc, "apply", "-f", str(write_yaml(tmp_path / "web.yaml", web_deployment(replicas="three"))),
                   check=False)
    assert done.returncode != 0
    assert "spec.replicas" in done.stderr and "must be of type integer" in done.stderr
    assert emu.get("deployments", "shop", "web") == before
    fresh = web_deployment(replicas="three")
    fresh["metadata"]["name"] = "fresh"
    done = kubectl(kc, "create", "-f", str(write_yaml(tmp_path / "fresh.yaml", fresh)), check=False)
    assert done.returncode != 0 and "spec.replicas" in done.stderr
    assert emu.get("deployments", "shop", "fresh") is None


def test_dynamic_client_patch_with_wrong_types_gets_causes_and_changes_nothing(shop):
    emu, kc = shop
    before = emu.get("deployments", "shop", "web")
    deployments = dynamic_client(kc).resources.get(api_version="apps/v1", kind="Deployment")
    with pytest.raises(UnprocessibleEntityError) as caught:
        deployments.patch(name="web", namespace="shop", content_type="application/merge-patch+json",
                          body={"spec": {"replicas": "three", "template": {"spec": {"containers": [
                              {"name": "web", "image": "x", "ports": [{"containerPort": "http"}]}]}}}})
    status = json.loads(caught.value.body)
    assert status["reason"] == "Invalid" and status["code"] == 422
    fields = [c["field"] for c in status["details"]["causes"]]
    assert fields == ["spec.replicas", "spec.template.spec.containers[0].ports[0].containerPort"]
    assert emu.get("deployments", "shop", "web") == before


def test_crd_schema_is_enforced_when_the_crd_object_carries_one(emulator_factory, kubeconfig, tmp_path):
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "ipaddresspools.metallb.io"},
           "spec": {"group": "metallb.io", "scope": "Namespaced",
                    "names": {"kind": "IPAddressPool", "plural": "ipaddresspools"},
                    "versions": [{"name": "v1beta1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "properties": {"spec": {
                            "type": "object", "required": ["addresses"],
                            "properties": {"addresses": {"type": "array", "items": {"type": "string"}},
                                           "autoAssign": {"type": "boolean"}}}}}}}]}}
    emu = emulator_factory([NS, crd], controllers=False)
    kc = kubeconfig(emu)
    pool = {"apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
            "metadata": {"name": "lan", "namespace": "shop"}, "spec": {"autoAssign": "yes"}}
    done = kubectl(kc, "apply", "-f", str(write_yaml(tmp_path / "pool.yaml", pool)), check=False)
    assert done.returncode != 0
    assert "spec.autoAssign" in done.stderr and "spec.addresses: Required value" in done.stderr
    assert emu.get("ip_pools", "shop", "lan") is None
    pool["spec"] = {"addresses": ["10.0.0.10-10.0.0.20"], "autoAssign": False}
    kubectl(kc, "apply", "-f", str(write_yaml(tmp_path / "pool.yaml", pool)))
    assert emu.get("ip_pools", "shop", "lan")["spec"]["addresses"] == ["10.0.0.10-10.0.0.20"]
