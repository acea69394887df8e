"""Protobuf bodies and what the emulator does not do (issue 16): kubectl 1.37's imperative
`create configmap|secret|namespace` and `auth can-i` send protobuf and do not fall back to JSON
on a 415, so those kinds are read; any other protobuf body answers 415; exec, attach and the
metrics API answer with a Status that says the emulator does not do them."""
from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

KUBECTL = str(Path(sys.executable).parent / "kubectl")
SEED: list[dict[str, Any]] = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"},
     "spec": {"containers": [{"name": "web", "image": "nginx"}]}, "status": {"phase": "Running"}},
]


@pytest.fixture
def world(emulator_factory, kubeconfig):
    emu = emulator_factory(copy.deepcopy(SEED), controllers=False)
    return emu, kubeconfig(emu)


def kubectl(kc: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, "--kubeconfig", str(kc), f"--cache-dir={kc.parent / 'kube-cache'}", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_imperative_kubectl_create_works_as_kubectl_prints_it(world):
    emu, kc = world
    runs = [("create", "configmap", "settings", "-n", "shop", "--from-literal=mode=calm", "--from-literal=size=2"),
            ("create", "secret", "generic", "token", "-n", "shop", "--from-literal=key=s3cret"),
            ("create", "namespace", "extra")]
    printed = [kubectl(kc, *args) for args in runs]
    assert [(p.returncode, p.stdout, p.stderr) for p in printed] == [
        (0, "configmap/settings created\n", ""), (0, "secret/token created\n", ""), (0, "namespace/extra created\n", "")]
    assert emu.get("configmaps", "shop", "settings")["data"] == {"mode": "calm", "size": "2"}
    secret = emu.get("secrets", "shop", "token")
    assert secret["data"] == {"key": "czNjcmV0"} and secret["type"] == "Opaque"
    assert emu.get("namespaces", None, "extra") is not None
    again = kubectl(kc, *runs[0])
    assert again.returncode == 1 and 'configmaps "settings" already exists' in again.stderr


def test_a_protobuf_body_of_another_kind_answers_415(world):
    emu, _ = world

    def field(number: int, payload: bytes) -> bytes:
        return bytes([number << 3 | 2, len(payload)]) + payload

    body = b"k8s\x00" + field(1, field(1, b"apps/v1") + field(2, b"Deployment")) + field(2, b"")
    resp = httpx.post(f"{emu.url}/apis/apps/v1/namespaces/shop/deployments", content=body,
                      headers={"Content-Type": "application/vnd.kubernetes.protobuf"})
    assert resp.status_code == 415
    assert resp.json()["reason"] == "UnsupportedMediaType"
    assert "does not read Deployment (apps/v1) as protobuf" in resp.json()["message"]
    assert emu.list("deployments") == []


@pytest.mark.parametrize(("args", "verb"), [(("exec", "web", "-n", "shop", "--", "ls"), "exec into"),
                                            (("attach", "web", "-n", "shop"), "attach to")])
def test_exec_and_attach_say_the_emulator_does_not_do_them(world, args, verb):
    _, kc = world
    done = kubectl(kc, *args)
    assert done.returncode == 1
    assert (f'the clusterdeck emulator cannot {verb} pod "web" in namespace "shop": it runs no containers'
            in done.stderr)


def test_metrics_api_is_reported_absent(world):
    emu, kc = world
    top = kubectl(kc, "top", "pods", "-n", "shop")
    assert top.returncode == 1 and "Metrics API not available" in top.stderr  # as on a cluster without metrics-server
    resp = httpx.get(f"{emu.url}/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods")
    assert resp.status_code == 404 and "does not serve the metrics API" in resp.json()["message"]
