"""Strategic merge patch: lists merge by their upstream patch merge key (kubectl set image,
client-side kubectl apply, the DynamicClient), and the `$patch`/`$setElementOrder`/
`$retainKeys`/`$deleteFromPrimitiveList` directives do what the API server does."""
from __future__ import annotations

import pytest

from tests.emulator.schema_fixtures import dynamic_client, web_deployment, write_yaml
from tests.emulator.test_emulator_kubectl import kubectl

SMP = "application/strategic-merge-patch+json"


@pytest.fixture
def shop(emulator_factory, kubeconfig):
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
    emu = emulator_factory([ns, web_deployment()], controllers=False)
    return emu, kubeconfig(emu)


def _web(emu) -> dict:
    return {c["name"]: c for c in emu.get("deployments", "shop", "web")["spec"]["template"]["spec"]["containers"]}


def test_kubectl_set_image_keeps_ports_env_probes_and_resources(shop):
    emu, kc = shop
    kubectl(kc, "set", "image", "deployment/web", "-n", "shop", "web=nginx:1.28")
    web = _web(emu)
    assert web["web"]["image"] == "nginx:1.28"
    assert web["web"]["ports"] == [{"containerPort": 8080, "name": "http"}]
    assert web["web"]["env"] == [{"name": "MODE", "value": "prod"}, {"name": "LEVEL", "value": "info"}]
    assert web["web"]["readinessProbe"] == {"httpGet": {"path": "/ready", "port": "http"}}
    assert web["web"]["resources"] == {"limits": {"cpu": "500m", "memory": "256Mi"}}
    assert web["sidecar"]["image"] == "busybox:1.36"  # the other container is untouched
    assert list(web) == ["web", "sidecar"]


def test_client_side_kubectl_apply_of_an_image_bump_keeps_the_rest(emulator_factory, kubeconfig, tmp_path):
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
    emu = emulator_factory([ns], controllers=False)
    kc = kubeconfig(emu)
    kubectl(kc, "apply", "-f", str(write_yaml(tmp_path / "web.yaml", web_deployment())))
    # Someone else adds an env var to the live object; apply must merge, not replace the list.
    kubectl(kc, "set", "env", "deployment/web", "-n", "shop", "-c", "web", "EXTRA=1")
    done = kubectl(kc, "apply", "-f", str(write_yaml(tmp_path / "web.yaml", web_deployment("nginx:1.28"))))
    assert "deployment.apps/web configured" in done.stdout
    web = _web(emu)
    assert web["web"]["image"] == "nginx:1.28"
    assert web["web"]["ports"] == [{"containerPort": 8080, "name": "http"}]
    assert [e["name"] for e in web["web"]["env"]] == ["MODE", "LEVEL", "EXTRA"]
    assert web["web"]["readinessProbe"]["httpGet"]["path"] == "/ready"


def test_dynamic_client_strategic_patch_merges_by_key_and_honours_directives(shop):
    emu, kc = shop
    deployments = dynamic_client(kc).resources.get(api_version="apps/v1", kind="Deployment")
    patch = {"metadata": {"finalizers": ["shop/keep"]},
             "spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"},
                      "template": {"spec": {
                          "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "web"}],
                          "containers": [{"name": "web", "env": [{"name": "LEVEL", "$patch": "delete"},
                                                                 {"name": "NEW", "value": "x"}],
                                          "ports": [{"containerPort": 9090, "name": "metrics"}]},
                                         {"name": "sidecar", "$deleteFromPrimitiveList/args": ["infinity"]}]}}}}
    live = emu.get("deployments", "shop", "web")
    live["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    emu.upsert(live)
    deployments.patch(body=patch, name="web", namespace="shop", content_type=SMP)
    obj = emu.get("deployments", "shop", "web")
    containers = obj["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["sidecar", "web"]
    web = containers[1]
    assert [e["name"] for e in web["env"]] == ["MODE", "NEW"]
    assert [p["containerPort"] for p in web["ports"]] == [8080, 9090]
    assert web["image"] == "nginx:1.27" and "readinessProbe" in web
    assert containers[0]["args"] == ["sleep"]
    assert obj["spec"]["strategy"] == {"type": "Recreate"}  # $retainKeys dropped rollingUpdate
    assert obj["metadata"]["finalizers"] == ["shop/keep"]
    # `$patch: replace` on a list: the list is exactly what was sent
    deployments.patch(body={"spec": {"template": {"spec": {"containers": [
        {"$patch": "replace"}, {"name": "only", "image": "busybox"}]}}}}, name="web", namespace="shop",
        content_type=SMP)
    assert [c["name"] for c in emu.get("deployments", "shop", "web")["spec"]["template"]["spec"]["containers"]] == ["only"]
