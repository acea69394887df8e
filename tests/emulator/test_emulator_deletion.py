"""Deletion as a real API server does it (issue 16): finalizers hold a delete (MODIFIED, then
DELETED when the last one goes), ownerReferences cascade (Background, Foreground, Orphan), a
deleted Namespace is Terminating until it is empty, a deleted Deployment's ReplicaSets and
Pods go; through real kubectl and the official Python client."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client as k8s
from kubernetes import watch as k8s_watch

from tests.support.emulate_process import emulate_demo
from tui.core.kube_http import client_for

KUBECTL = str(Path(sys.executable).parent / "kubectl")
HOLD = "example.com/hold"


def kubectl(kc: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, "--kubeconfig", str(kc), f"--cache-dir={kc.parent / 'kube-cache'}", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def uid(name: str) -> str:
    return f"00000000-0000-4000-8000-{abs(hash(name)) % 10**12:012d}"


def owned(kind: str, api: str, name: str, owner: tuple[str, str, str] | None, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "shop", "uid": uid(name)}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": owner[0], "kind": owner[1], "name": owner[2], "uid": uid(owner[2]),
                                    "controller": True, "blockOwnerDeletion": True}]
    meta.update(extra.pop("meta", {}))
    return {"apiVersion": api, "kind": kind, "metadata": meta, **extra}


TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}
SEED: list[dict[str, Any]] = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "stays", "namespace": "other"}},
    owned("Deployment", "apps/v1", "web", None,
          spec={"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": TEMPLATE}),
    owned("ReplicaSet", "apps/v1", "web-5d8f", ("apps/v1", "Deployment", "web"),
          spec={"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": TEMPLATE}),
    owned("Pod", "v1", "web-5d8f-a", ("apps/v1", "ReplicaSet", "web-5d8f"), spec=TEMPLATE["spec"]),
    owned("Pod", "v1", "web-5d8f-b", ("apps/v1", "ReplicaSet", "web-5d8f"), spec=TEMPLATE["spec"]),
    owned("ConfigMap", "v1", "settings", None, data={"mode": "calm"}),
]


@pytest.fixture
def world(emulator_factory, kubeconfig):
    emu = emulator_factory(copy.deepcopy(SEED), controllers=False)
    return emu, kubeconfig(emu), client_for(emu.url)


def wait_for(predicate, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def collect_watch(api: k8s.CoreV1Api, rv: str, out: list[tuple[str, Any]], stop_after: int) -> threading.Thread:
    def run() -> None:
        w = k8s_watch.Watch()
        for ev in w.stream(api.list_namespaced_config_map, "shop", resource_version=rv, timeout_seconds=10):
            out.append((ev["type"], ev["object"]))
            if len(out) >= stop_after:
                w.stop()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_finalizer_holds_the_delete_until_it_is_removed(world):
    emu, _, client = world
    api = k8s.CoreV1Api(client)
    api.patch_namespaced_config_map("settings", "shop", {"metadata": {"finalizers": [HOLD]}})
    events: list[tuple[str, Any]] = []
    thread = collect_watch(api, str(emu.resource_version), events, stop_after=4)
    api.delete_namespaced_config_map("settings", "shop")
    held = api.read_namespaced_config_map("settings", "shop")  # still there ...
    assert held.metadata.deletion_timestamp is not None and held.metadata.finalizers == [HOLD]
    assert held.metadata.deletion_grace_period_seconds == 0
    api.patch_namespaced_config_map("settings", "shop", {"data": {"mode": "still editable"}})
    api.patch_namespaced_config_map("settings", "shop", {"metadata": {"finalizers": None}})
    thread.join(15)
    assert emu.get("configmaps", "shop", "settings") is None  # ... until the finalizer went
    # marked, edited, finalizer written away, gone: what a real server's watch shows
    assert [t for t, _ in events] == ["MODIFIED", "MODIFIED", "MODIFIED", "DELETED"]
    assert events[0][1].metadata.deletion_timestamp is not None
    assert events[2][1].metadata.finalizers is None
    assert events[3][1].data == {"mode": "still editable"}


def test_kubectl_delete_waits_for_the_finalizer(world):
    emu, kc, client = world
    k8s.CoreV1Api(client).patch_namespaced_config_map("settings", "shop", {"metadata": {"finalizers": [HOLD]}})
    done = kubectl(kc, "delete", "configmap", "settings", "-n", "shop", "--timeout=1s")
    assert done.returncode != 0 and "timed out waiting" in done.stderr  # kubectl waits, as on a real cluster
    assert emu.get("configmaps", "shop", "settings") is not None
    done = kubectl(kc, "patch", "configmap", "settings", "-n", "shop", "--type=json",
                   "-p", '[{"op":"remove","path":"/metadata/finalizers"}]')
    assert done.returncode == 0, done.stderr
    assert emu.get("configmaps", "shop", "settings") is None


def test_background_deletion_takes_replicasets_and_pods(world):
    emu, kc, _ = world
    done = kubectl(kc, "delete", "deployment", "web", "-n", "shop")
    assert done.returncode == 0, done.stderr
    wait_for(lambda: not emu.list("replicasets") and not emu.list("pods"), "the ReplicaSet and its pods")
    assert emu.get("configmaps", "shop", "settings") is not None  # not owned: untouched


def test_foreground_deletion_holds_the_owner_until_dependents_are_gone(world):
    emu, _, client = world
    core, apps = k8s.CoreV1Api(client), k8s.AppsV1Api(client)
    core.patch_namespaced_pod("web-5d8f-a", "shop", {"metadata": {"finalizers": [HOLD]}})
    apps.delete_namespaced_deployment("web", "shop", propagation_policy="Foreground")
    dep = apps.read_namespaced_deployment("web", "shop")
    assert dep.metadata.finalizers == ["foregroundDeletion"] and dep.metadata.deletion_timestamp
    rs = apps.read_namespaced_replica_set("web-5d8f", "shop")
    assert rs.metadata.finalizers == ["foregroundDeletion"] and rs.metadata.deletion_timestamp
    assert emu.get("pods", "shop", "web-5d8f-b") is None
    held = core.read_namespaced_pod("web-5d8f-a", "shop")
    assert held.metadata.deletion_timestamp and held.metadata.finalizers == [HOLD]
    # a strategic merge of [] is a union for finalizers (patchStrategy=merge): null removes them
    core.patch_namespaced_pod("web-5d8f-a", "shop", {"metadata": {"finalizers": None}})
    wait_for(lambda: emu.get("deployments", "shop", "web") is None, "the deployment")
    assert not emu.list("replicasets") and not emu.list("pods")


def test_orphan_deletion_keeps_dependents_without_the_reference(world):
    emu, kc, _ = world
    done = kubectl(kc, "delete", "deployment", "web", "-n", "shop", "--cascade=orphan")
    assert done.returncode == 0, done.stderr
    wait_for(lambda: emu.get("deployments", "shop", "web") is None, "the deployment")
    rs = emu.get("replicasets", "shop", "web-5d8f")
    assert rs is not None and "ownerReferences" not in rs["metadata"]
    assert len(emu.list("pods")) == 2  # the pods still belong to the ReplicaSet


def test_namespace_deletion_cascades_and_waits_for_finalizers(world):
    emu, kc, client = world
    core = k8s.CoreV1Api(client)
    core.patch_namespaced_config_map("settings", "shop", {"metadata": {"finalizers": [HOLD]}})
    done = kubectl(kc, "delete", "namespace", "shop", "--wait=false")
    assert done.returncode == 0, done.stderr
    ns = core.read_namespace("shop")
    assert ns.status.phase == "Terminating" and ns.spec.finalizers == ["kubernetes"]
    assert not emu.list("deployments") and not emu.list("replicasets") and not emu.list("pods")
    with pytest.raises(k8s.ApiException) as refused:
        core.create_namespaced_config_map("shop", {"metadata": {"name": "late"}, "data": {"a": "b"}})
    assert refused.value.status == 403 and "because it is being terminated" in refused.value.body
    assert core.read_namespace("shop").status.phase == "Terminating"  # the held ConfigMap keeps it
    core.patch_namespaced_config_map("settings", "shop", {"metadata": {"finalizers": None}})
    wait_for(lambda: emu.get("namespaces", None, "shop") is None, "the namespace")
    assert emu.get("configmaps", "other", "stays") is not None
    left = [f"{k}/{o['metadata']['name']}" for k in ("configmaps", "deployments", "replicasets", "pods")
            for o in emu.list(k) if o["metadata"].get("namespace") == "shop"]
    assert left == []
    assert "NotFound" in kubectl(kc, "get", "namespace", "shop").stderr


def test_kubectl_delete_deployment_against_emulate_demo_takes_its_pods(tmp_path):
    with emulate_demo(tmp_path) as kc:
        listed = json.loads(kubectl(kc, "get", "deployments", "-A", "-o", "json").stdout)["items"]
        dep = next(d for d in listed if (d["spec"].get("replicas") or 0) > 0)
        ns, name = dep["metadata"]["namespace"], dep["metadata"]["name"]
        uid_ = dep["metadata"]["uid"]
        rs = json.loads(kubectl(kc, "get", "replicasets", "-n", ns, "-o", "json").stdout)["items"]
        sets = {r["metadata"]["uid"] for r in rs
                if any(o.get("uid") == uid_ for o in r["metadata"].get("ownerReferences") or [])}
        assert sets, f"the demo's {ns}/{name} has no ReplicaSet"
        done = kubectl(kc, "delete", "deployment", name, "-n", ns)
        assert done.returncode == 0, done.stderr

        def leftovers() -> list[str]:
            out = []
            for kind in ("replicasets", "pods"):
                for o in json.loads(kubectl(kc, "get", kind, "-n", ns, "-o", "json").stdout)["items"]:
                    refs = {r.get("uid") for r in o["metadata"].get("ownerReferences") or []}
                    if refs & (sets | {uid_}):
                        out.append(f"{kind}/{o['metadata']['name']}")
            return out

        wait_for(lambda: not leftovers(), f"{ns}/{name}'s ReplicaSets and pods", timeout=30)


def test_longhorn_finalizer_is_lifted_by_the_simulated_manager(emulator_factory, kubeconfig):
    volume = {"apiVersion": "longhorn.io/v1beta2", "kind": "Volume",
              "metadata": {"name": "scratch", "namespace": "longhorn-system", "finalizers": ["longhorn.io"]},
              "spec": {"numberOfReplicas": 1}}
    still = emulator_factory([copy.deepcopy(volume)], controllers=False)
    kubectl(kubeconfig(still), "delete", "lhv", "scratch", "-n", "longhorn-system", "--wait=false")
    assert still.get("lh_volumes", "longhorn-system", "scratch")["metadata"]["deletionTimestamp"]  # no manager: held
    live = emulator_factory([copy.deepcopy(volume)], controllers=True)
    done = kubectl(kubeconfig(live), "delete", "lhv", "scratch", "-n", "longhorn-system")
    assert done.returncode == 0, done.stderr
    assert live.get("lh_volumes", "longhorn-system", "scratch") is None


def test_kubectl_delete_namespace_against_emulate_demo(tmp_path):
    """The demo's wiki namespace goes, PVCs (pvc-protection) and all, once the pod stranded on
    the unreachable node is force-deleted: until then it stays Terminating, as on a real cluster."""
    with emulate_demo(tmp_path) as kc:
        pods = json.loads(kubectl(kc, "get", "pods", "-n", "wiki", "-o", "json").stdout)["items"]
        assert pods and json.loads(kubectl(kc, "get", "pvc", "-n", "wiki", "-o", "json").stdout)["items"]
        done = kubectl(kc, "delete", "namespace", "wiki", "--timeout=15s")
        assert done.returncode == 1 and "timed out waiting" in done.stderr
        phase = json.loads(kubectl(kc, "get", "namespace", "wiki", "-o", "json").stdout)["status"]["phase"]
        left = json.loads(kubectl(kc, "get", "pods", "-n", "wiki", "-o", "json").stdout)["items"]
        assert phase == "Terminating" and len(left) == 1
        assert left[0]["status"]["phase"] == "Running" and left[0]["metadata"]["deletionTimestamp"]
        stranded = left[0]["metadata"]["name"]
        done = kubectl(kc, "delete", "pod", stranded, "-n", "wiki", "--force", "--grace-period=0")
        assert done.returncode == 0, done.stderr
        done = kubectl(kc, "wait", "--for=delete", "namespace/wiki", "--timeout=30s")
        assert done.returncode == 0, done.stderr
        claims = json.loads(kubectl(kc, "get", "pvc", "-A", "-o", "json").stdout)["items"]
        assert claims and not [c for c in claims if c["metadata"]["namespace"] == "wiki"]
        assert "wiki" not in kubectl(kc, "get", "namespaces", "-o", "name").stdout
