"""The scale subresource, SelfSubjectAccessReviews and CRDs as objects (issue 16), through real
kubectl and the official Python client."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client as k8s

from tui.core.kinds import KINDS
from tui.core.kube_http import client_for

KUBECTL = str(Path(sys.executable).parent / "kubectl")
TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}
SEED: list[dict[str, Any]] = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
     "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": TEMPLATE},
     "status": {"replicas": 1}},
    {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop"},
     "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
              "template": {**TEMPLATE, "metadata": {"labels": {"app": "db"}}}}},
    {"apiVersion": "longhorn.io/v1beta2", "kind": "Volume", "metadata": {"name": "data", "namespace": "longhorn-system"},
     "spec": {"numberOfReplicas": 2}},
]


@pytest.fixture
def world(emulator_factory, kubeconfig):
    emu = emulator_factory(copy.deepcopy(SEED), controllers=False)
    return emu, kubeconfig(emu), client_for(emu.url)


def kubectl(kc: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, "--kubeconfig", str(kc), f"--cache-dir={kc.parent / 'kube-cache'}", *args],
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(("kind", "key", "name"), [("deployment", "deployments", "web"),
                                                   ("statefulset", "statefulsets", "db")])
def test_kubectl_scale_sets_replicas(world, kind, key, name):
    emu, kc, _ = world
    done = kubectl(kc, "scale", kind, name, "-n", "shop", "--replicas=4")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{kind}.apps/{name} scaled"
    assert emu.get(key, "shop", name)["spec"]["replicas"] == 4


def test_kubectl_scale_with_a_stale_precondition_is_refused(world):
    emu, kc, _ = world
    done = kubectl(kc, "scale", "deployment", "web", "-n", "shop", "--replicas=3", "--current-replicas=2")
    assert done.returncode != 0 and "Expected replicas to be 2, was 1" in done.stderr
    assert emu.get("deployments", "shop", "web")["spec"]["replicas"] == 1


def test_python_client_reads_and_replaces_the_scale(world):
    emu, _, client = world
    apps = k8s.AppsV1Api(client)
    scale = apps.read_namespaced_deployment_scale("web", "shop")
    assert (scale.kind, scale.spec.replicas, scale.status.replicas, scale.status.selector) == ("Scale", 1, 1, "app=web")
    scale.spec.replicas = 0
    assert apps.replace_namespaced_deployment_scale("web", "shop", scale).spec.replicas == 0
    assert emu.get("deployments", "shop", "web")["spec"]["replicas"] == 0
    stale = apps.read_namespaced_deployment_scale("web", "shop")
    stale.metadata.resource_version = "1"
    stale.spec.replicas = 9
    with pytest.raises(k8s.ApiException) as conflict:
        apps.replace_namespaced_deployment_scale("web", "shop", stale)
    assert conflict.value.status == 409
    with pytest.raises(k8s.ApiException) as invalid:
        apps.patch_namespaced_deployment_scale("web", "shop", {"spec": {"replicas": -1}})
    assert invalid.value.status == 422


def test_auth_can_i_agrees_with_a_forbidden_fault(world):
    emu, kc, _ = world
    yes = kubectl(kc, "auth", "can-i", "list", "pods", "-n", "shop")
    assert (yes.returncode, yes.stdout.strip()) == (0, "yes")
    emu.fault("pods", 403)
    no = kubectl(kc, "auth", "can-i", "list", "pods", "-n", "shop")
    assert no.returncode == 1
    assert no.stdout.strip() == 'no - the emulator answers 403 to list of "pods" (a forbidden fault is configured)'
    assert "forbidden" in kubectl(kc, "get", "pods", "-n", "shop").stderr.lower()  # what the review foretold
    # a fault on reads does not forbid writes, nor other resources
    assert kubectl(kc, "auth", "can-i", "delete", "pods", "-n", "shop").stdout.strip() == "yes"
    assert kubectl(kc, "auth", "can-i", "list", "deployments.apps").stdout.strip() == "yes"


def test_python_client_access_review(world):
    emu, _, client = world
    auth = k8s.AuthorizationV1Api(client)
    emu.fault("lh_volumes", 403)
    review = auth.create_self_subject_access_review({"spec": {"resourceAttributes": {
        "verb": "watch", "group": "longhorn.io", "resource": "volumes", "namespace": "longhorn-system"}}})
    assert review.status.allowed is False and "403" in review.status.reason
    review = auth.create_self_subject_access_review({"spec": {"nonResourceAttributes": {"verb": "get", "path": "/healthz"}}})
    assert review.status.allowed is True


def test_kubectl_get_crd_lists_every_custom_resource_served(world):
    _, kc, client = world
    done = kubectl(kc, "get", "crd")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["NAME", "CREATED", "AT"]
    names = {line.split()[0] for line in lines[1:]}
    custom = {f"{k.plural}.{k.group}" for k in KINDS.values() if k.group and "." in k.group
              and not k.group.endswith("k8s.io")}
    assert custom <= names and "volumes.longhorn.io" in names
    assert not any(n.endswith(".apps") or "." not in n for n in names)  # built-ins have no CRD
    crd = json.loads(kubectl(kc, "get", "crd", "volumes.longhorn.io", "-o", "json").stdout)
    assert crd["spec"]["names"]["kind"] == "Volume" and crd["spec"]["scope"] == "Namespaced"
    assert {c["type"]: c["status"] for c in crd["status"]["conditions"]}["Established"] == "True"
    columns = {c["name"]: c["jsonPath"] for c in crd["spec"]["versions"][0]["additionalPrinterColumns"]}
    assert columns["State"] == ".status.state"
    listed = k8s.ApiextensionsV1Api(client).read_custom_resource_definition("volumes.longhorn.io")
    assert listed.spec.versions[0].name == "v1beta2" and listed.spec.versions[0].subresources.status == {}


def test_issue_16_kubectl_forms_against_clusterdeck_emulate_demo(tmp_path):
    """The done-when, as a user runs it: each form against `clusterdeck emulate --demo`."""
    from tests.support.emulate_process import emulate_demo

    with emulate_demo(tmp_path) as kc:
        deps = json.loads(kubectl(kc, "get", "deployments", "-A", "-o", "json").stdout)["items"]
        dep = next(d for d in deps if (d["spec"].get("replicas") or 0) > 0)
        ns, name = dep["metadata"]["namespace"], dep["metadata"]["name"]
        want = dep["spec"]["replicas"] + 1
        done = kubectl(kc, "scale", "deployment", name, "-n", ns, f"--replicas={want}")
        assert done.returncode == 0 and done.stdout.strip() == f"deployment.apps/{name} scaled", done.stderr
        done = kubectl(kc, "rollout", "status", "deployment", name, "-n", ns, "--timeout=40s")
        assert done.returncode == 0, done.stderr
        ready = json.loads(kubectl(kc, "get", "deployment", name, "-n", ns, "-o", "json").stdout)
        assert ready["spec"]["replicas"] == want
        assert kubectl(kc, "auth", "can-i", "patch", "deployments", "-n", ns).stdout.strip() == "yes"
        crds = kubectl(kc, "get", "crd", "-o", "name").stdout.split()
        assert "customresourcedefinition.apiextensions.k8s.io/volumes.longhorn.io" in crds
        assert "customresourcedefinition.apiextensions.k8s.io/applications.argoproj.io" in crds
        made = kubectl(kc, "create", "configmap", "hello", "-n", ns, "--from-literal=a=b")
        assert made.stdout == "configmap/hello created\n", made.stderr
        paged = kubectl(kc, "get", "pods", "-A", "--chunk-size=3", "-o", "name").stdout.split()
        assert len(paged) == len(set(paged)) == len(kubectl(kc, "get", "pods", "-A", "-o", "name").stdout.split())
        pods = json.loads(kubectl(kc, "get", "pods", "-A", "-o", "json").stdout)["items"]
        running = next(p["metadata"] for p in pods if p["status"].get("phase") == "Running")
        refused = kubectl(kc, "exec", running["name"], "-n", running["namespace"], "--", "true")
        assert refused.returncode == 1 and "the clusterdeck emulator cannot exec into pod" in refused.stderr


def test_kubectl_get_all_lists_the_all_category(world):
    _, kc, _ = world
    done = kubectl(kc, "get", "all", "-n", "shop", "-o", "name")
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == ["deployment.apps/web", "statefulset.apps/db"]
