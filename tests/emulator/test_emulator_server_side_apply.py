"""Server-side apply: `kubectl apply --server-side` and the DynamicClient's server_side_apply
create, record managedFields per manager, conflict (409) on a field another manager set to a
different value, and win with force."""
from __future__ import annotations

import json

import pytest
from kubernetes.dynamic.exceptions import ConflictError

from tests.emulator.schema_fixtures import dynamic_client, web_deployment, write_yaml
from tests.emulator.test_emulator_kubectl import kubectl

NS = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}


@pytest.fixture
def shop(emulator_factory, kubeconfig):
    emu = emulator_factory([NS], controllers=False)
    return emu, kubeconfig(emu)


def _managers(obj: dict) -> dict[str, dict]:
    return {e["manager"]: e for e in obj["metadata"]["managedFields"]}


def test_kubectl_server_side_apply_by_two_managers_conflicts_then_force_wins(shop, tmp_path):
    emu, kc = shop
    path = write_yaml(tmp_path / "web.yaml", web_deployment())
    done = kubectl(kc, "apply", "--server-side", "--field-manager=team-a", "-f", str(path))
    assert "deployment.apps/web serverside-applied" in done.stdout
    owned = _managers(emu.get("deployments", "shop", "web"))["team-a"]
    assert owned["operation"] == "Apply" and owned["fieldsType"] == "FieldsV1"
    spec = owned["fieldsV1"]["f:spec"]
    assert "f:replicas" in spec
    web = spec["f:template"]["f:spec"]["f:containers"]['k:{"name":"web"}']
    assert "f:image" in web and 'k:{"containerPort":8080}' in web["f:ports"]
    # the same value from a second manager is shared ownership, not a conflict
    kubectl(kc, "apply", "--server-side", "--field-manager=team-b", "-f", str(path))
    before = emu.get("deployments", "shop", "web")
    path = write_yaml(tmp_path / "web.yaml", web_deployment(replicas=5))
    refused = kubectl(kc, "apply", "--server-side", "--field-manager=team-b", "-f", str(path), check=False)
    assert refused.returncode != 0
    assert 'conflict with "team-a"' in refused.stderr and ".spec.replicas" in refused.stderr
    assert emu.get("deployments", "shop", "web") == before
    kubectl(kc, "apply", "--server-side", "--field-manager=team-b", "--force-conflicts", "-f", str(path))
    after = emu.get("deployments", "shop", "web")
    assert after["spec"]["replicas"] == 5
    managers = _managers(after)
    assert "f:replicas" in managers["team-b"]["fieldsV1"]["f:spec"]
    assert "f:replicas" not in managers["team-a"]["fieldsV1"]["f:spec"]  # force took it over


def test_dynamic_client_server_side_apply_creates_conflicts_and_drops_unapplied_fields(shop):
    emu, kc = shop
    deployments = dynamic_client(kc).resources.get(api_version="apps/v1", kind="Deployment")
    created = deployments.server_side_apply(body=web_deployment(), name="web", namespace="shop",
                                            field_manager="deployer")
    assert created.spec.replicas == 2
    scaled = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
              "spec": {"replicas": 4}}
    with pytest.raises(ConflictError) as caught:
        deployments.server_side_apply(body=scaled, name="web", namespace="shop", field_manager="autoscaler")
    status = json.loads(caught.value.body)
    assert status["code"] == 409 and status["reason"] == "Conflict"
    assert status["details"]["causes"] == [{"reason": "FieldManagerConflict", "field": ".spec.replicas",
                                            "message": 'conflict with "deployer"'}]
    deployments.server_side_apply(body=scaled, name="web", namespace="shop", field_manager="autoscaler",
                                  force_conflicts=True)
    assert emu.get("deployments", "shop", "web")["spec"]["replicas"] == 4
    # The deployer stops applying the sidecar: its container goes, the web container stays.
    slim = web_deployment()
    del slim["spec"]["replicas"]
    slim["spec"]["template"]["spec"]["containers"] = slim["spec"]["template"]["spec"]["containers"][:1]
    deployments.server_side_apply(body=slim, name="web", namespace="shop", field_manager="deployer")
    live = emu.get("deployments", "shop", "web")
    assert [c["name"] for c in live["spec"]["template"]["spec"]["containers"]] == ["web"]
    assert live["spec"]["replicas"] == 4  # owned by the autoscaler now, so it stays


def test_server_side_apply_merges_a_crd_list_map_by_its_keys_per_manager(emulator_factory, kubeconfig):
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "middlewares.traefik.io"},
           "spec": {"group": "traefik.io", "scope": "Namespaced", "names": {"kind": "Middleware", "plural": "middlewares"},
                    "versions": [{"name": "v1alpha1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "properties": {"spec": {"type": "object", "properties": {"headers": {
                            "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                            "items": {"type": "object", "properties": {"name": {"type": "string"},
                                                                       "value": {"type": "string"}}}}}}}}}}]}}
    emu = emulator_factory([NS, crd], controllers=False)
    middlewares = dynamic_client(kubeconfig(emu)).resources.get(api_version="traefik.io/v1alpha1", kind="Middleware")

    def headers(*pairs: tuple[str, str]) -> dict:
        return {"apiVersion": "traefik.io/v1alpha1", "kind": "Middleware",
                "metadata": {"name": "secure", "namespace": "shop"},
                "spec": {"headers": [{"name": n, "value": v} for n, v in pairs]}}

    middlewares.server_side_apply(body=headers(("X-Frame", "DENY")), name="secure", namespace="shop",
                                  field_manager="security")
    middlewares.server_side_apply(body=headers(("X-Team", "shop")), name="secure", namespace="shop",
                                  field_manager="shop")
    live = emu.get("middlewares.traefik.io", "shop", "secure")
    assert live["spec"]["headers"] == [{"name": "X-Frame", "value": "DENY"}, {"name": "X-Team", "value": "shop"}]
    owned = _managers(live)["shop"]["fieldsV1"]["f:spec"]["f:headers"]
    assert list(owned) == ['k:{"name":"X-Team"}']
    with pytest.raises(ConflictError):
        middlewares.server_side_apply(body=headers(("X-Frame", "SAMEORIGIN")), name="secure", namespace="shop",
                                      field_manager="shop")
