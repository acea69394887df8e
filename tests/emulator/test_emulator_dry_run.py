"""Server-side dry runs change nothing (issue 16): every write with `dryRun=All` answers the
would-be object and leaves the stored object (content and resourceVersion) as it was, through
real kubectl and through the official Python client."""
from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client as k8s

from tui.core.kube_http import client_for

KUBECTL = str(Path(sys.executable).parent / "kubectl")

SEED: list[dict[str, Any]] = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"},
     "data": {"mode": "calm"}},
    {"apiVersion": "apps/v1", "kind": "Deployment",
     "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
     "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
              "template": {"metadata": {"labels": {"app": "web"}},
                           "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                    "ports": [{"containerPort": 80}]}]}}}},
]


@pytest.fixture
def world(emulator_factory, kubeconfig):
    emu = emulator_factory(copy.deepcopy(SEED), controllers=False)
    return emu, kubeconfig(emu)


def kubectl(kc: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, "--kubeconfig", str(kc), f"--cache-dir={kc.parent / 'kube-cache'}", *args],
                          input=stdin, capture_output=True, text=True, timeout=30, check=False)


def stored(emu: Any, key: str, namespace: str, name: str) -> tuple[str, Any]:
    obj = emu.get(key, namespace, name)
    assert obj is not None, f"{key} {namespace}/{name} is gone"
    return obj["metadata"]["resourceVersion"], {k: v for k, v in obj.items() if k != "metadata"}


@pytest.mark.parametrize("args", [
    ("patch", "deployment", "web", "-n", "shop", "--type=merge", "-p", '{"spec":{"replicas":4}}'),
    ("label", "deployment", "web", "-n", "shop", "tier=front"),
    ("delete", "deployment", "web", "-n", "shop"),
    ("set", "image", "deployment/web", "-n", "shop", "web=nginx:1.28"),
])
def test_kubectl_server_dry_run_leaves_the_deployment(world, args):
    emu, kc = world
    before = stored(emu, "deployments", "shop", "web")
    done = kubectl(kc, *args, "--dry-run=server")
    assert done.returncode == 0, done.stderr
    if args[0] != "patch":  # kubectl 1.37 prints no dry-run suffix after `patch`
        assert "(server dry run)" in done.stdout
    assert stored(emu, "deployments", "shop", "web") == before


def test_kubectl_create_dry_run_stores_nothing(world):
    emu, kc = world
    manifest = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, namespace: shop}\n"
                "data: {a: b}\n")
    done = kubectl(kc, "create", "--dry-run=server", "--validate=false", "-f", "-", stdin=manifest)
    assert done.returncode == 0, done.stderr
    assert emu.get("configmaps", "shop", "extra") is None


def test_python_client_dry_runs_answer_the_would_be_object(world):
    emu, _ = world
    api = k8s.CoreV1Api(client_for(emu.url))
    before = stored(emu, "configmaps", "shop", "settings")
    patched = api.patch_namespaced_config_map("settings", "shop", {"data": {"mode": "loud"}}, dry_run="All")
    assert patched.data == {"mode": "loud"}  # what the change would make ...
    assert stored(emu, "configmaps", "shop", "settings") == before  # ... without making it
    body = api.read_namespaced_config_map("settings", "shop")
    body.data = {"mode": "replaced"}
    assert api.replace_namespaced_config_map("settings", "shop", body, dry_run="All").data == {"mode": "replaced"}
    created = api.create_namespaced_config_map("shop", {"metadata": {"name": "new"}, "data": {"x": "y"}},
                                               dry_run="All")
    assert created.metadata.name == "new" and emu.get("configmaps", "shop", "new") is None
    api.delete_namespaced_config_map("settings", "shop", body=k8s.V1DeleteOptions(dry_run=["All"]))
    assert stored(emu, "configmaps", "shop", "settings") == before


def test_a_dry_run_still_says_what_a_real_write_would_refuse(world):
    emu, _ = world
    api = k8s.CoreV1Api(client_for(emu.url))
    with pytest.raises(k8s.ApiException) as missing:
        api.patch_namespaced_config_map("nope", "shop", {"data": {}}, dry_run="All")
    assert missing.value.status == 404
    with pytest.raises(k8s.ApiException) as exists:
        api.create_namespaced_config_map("shop", {"metadata": {"name": "settings"}}, dry_run="All")
    assert exists.value.status == 409
    with pytest.raises(k8s.ApiException) as bad:
        api.patch_namespaced_config_map("settings", "shop", {"data": {}}, dry_run="Sometimes")
    assert bad.value.status == 400


def test_kubectl_diff_shows_the_change_and_stores_none(world):
    emu, kc = world
    before = stored(emu, "deployments", "shop", "web")
    manifest = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop, labels: {app: web}}\n"
                "spec:\n  replicas: 4\n  selector: {matchLabels: {app: web}}\n  template:\n"
                "    metadata: {labels: {app: web}}\n"
                "    spec: {containers: [{name: web, image: 'nginx:1.27', ports: [{containerPort: 80}]}]}\n")
    done = kubectl(kc, "diff", "-f", "-", stdin=manifest)
    assert done.returncode == 1, done.stderr  # 1: there are differences
    assert "-  replicas: 1" in done.stdout and "+  replicas: 4" in done.stdout
    assert stored(emu, "deployments", "shop", "web") == before
