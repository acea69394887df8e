"""/openapi/v2 and /openapi/v3 from the served kinds' schemas: default-validating kubectl
apply/create work, kubectl explain reads the fields, and a protobuf-only request gets 406."""
from __future__ import annotations

import httpx
import pytest

from tests.emulator.schema_fixtures import web_deployment, write_yaml
from tests.emulator.test_emulator_kubectl import kubectl

NS = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}


@pytest.fixture
def shop(emulator_factory, kubeconfig):
    emu = emulator_factory([NS], controllers=False)
    return emu, kubeconfig(emu)


def test_kubectl_apply_and_create_validate_against_the_served_schema(shop, tmp_path):
    emu, kc = shop
    done = kubectl(kc, "apply", "-f", str(write_yaml(tmp_path / "web.yaml", web_deployment())))
    assert "deployment.apps/web created" in done.stdout
    other = web_deployment()
    other["metadata"]["name"] = "api"
    kubectl(kc, "create", "-f", str(write_yaml(tmp_path / "api.yaml", other)))
    assert emu.get("deployments", "shop", "api")["spec"]["replicas"] == 2
    # validation is on: an unknown field is refused by kubectl's strict field validation
    bad = web_deployment()
    bad["metadata"]["name"] = "typo"
    bad["spec"]["replica"] = 3
    refused = kubectl(kc, "apply", "-f", str(write_yaml(tmp_path / "typo.yaml", bad)), check=False)
    assert refused.returncode != 0
    assert 'unknown field "spec.replica"' in refused.stderr
    assert emu.get("deployments", "shop", "typo") is None


def test_kubectl_explain_reads_fields_and_descriptions(shop):
    _, kc = shop
    out = kubectl(kc, "explain", "deployment.spec.replicas").stdout
    assert "FIELD: replicas <integer>" in out and "Number of desired pods" in out
    ports = kubectl(kc, "explain", "deployment.spec.template.spec.containers.ports").stdout
    assert "containerPort\t<integer> -required-" in ports
    crd = kubectl(kc, "explain", "ingressroutes.traefik.io").stdout
    assert "KIND:       IngressRoute" in crd and "metadata\t<ObjectMeta>" in crd


def test_openapi_documents_carry_kinds_and_patch_merge_keys(shop):
    emu, _ = shop
    index = httpx.get(emu.url + "/openapi/v3").json()["paths"]
    assert index["apis/apps/v1"]["serverRelativeURL"].startswith("/openapi/v3/apis/apps/v1?hash=")
    assert "api/v1" in index and "apis/longhorn.io/v1beta2" in index
    apps = httpx.get(emu.url + index["apis/apps/v1"]["serverRelativeURL"]).json()
    schemas = apps["components"]["schemas"]
    assert schemas["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "kind": "Deployment", "version": "v1"}]
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    patch = apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert "fieldValidation" in [p["name"] for p in patch["parameters"]]
    v2 = httpx.get(emu.url + "/openapi/v2", headers={"Accept": "application/json"}).json()
    assert v2["definitions"]["io.k8s.api.core.v1.Container"]["properties"]["ports"][
        "x-kubernetes-patch-merge-key"] == "containerPort"
    proto = httpx.get(emu.url + "/openapi/v2",
                      headers={"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"})
    assert proto.status_code == 406  # client-go falls back instead of misreading JSON as protobuf
