"""The Eviction API against PodDisruptionBudgets, and real `kubectl drain` against the demo."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes.client
import kubernetes.config
import pytest

from tests.emulator.test_emulator_pods import active, ready, wait_for, world
from tests.support.emulate_process import emulate_demo
from tui.emulator.demo import demo_objects

KUBECTL = str(Path(sys.executable).parent / "kubectl")


def pdb(min_available: int) -> dict[str, Any]:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"minAvailable": min_available, "selector": {"matchLabels": {"app": "web"}}}}


def evict(core, name: str) -> None:
    body = kubernetes.client.V1Eviction(metadata=kubernetes.client.V1ObjectMeta(name=name, namespace="shop"))
    core.create_namespaced_pod_eviction(name, "shop", body)


@pytest.fixture
def shop(emulator_factory, kubeconfig):
    def make(*extra: dict[str, Any], scale: float = 100.0):
        emu = emulator_factory([*world(), *extra], time_scale=scale)
        client = kubernetes.config.new_client_from_config(str(kubeconfig(emu)))
        core, policy = kubernetes.client.CoreV1Api(client), kubernetes.client.PolicyV1Api(client)
        wait_for(lambda: len([p for p in active(core, "app=web") if ready(p)]) == 2, what="2 ready web pods")
        return emu, core, policy
    return make


def test_eviction_without_a_budget_is_201_and_the_pod_is_replaced(shop):
    _, core, _ = shop(scale=2.0)  # slow enough to see the pod terminating
    victim = active(core, "app=web")[0].metadata.name
    evict(core, victim)  # raises on anything but 2xx
    marked = core.read_namespaced_pod(victim, "shop")  # still terminating (the kubelet's grace)
    assert marked.metadata.deletion_timestamp is not None
    assert [(c.reason, c.message) for c in marked.status.conditions if c.type == "DisruptionTarget"] == [
        ("EvictionByEvictionAPI", "Eviction API: evicting")]
    wait_for(lambda: victim not in {p.metadata.name for p in core.list_namespaced_pod("shop").items}, what="gone")
    wait_for(lambda: len([p for p in active(core, "app=web") if ready(p)]) == 2, what="replacement ready")


def test_blocking_budget_answers_429_with_the_real_status_then_201_once_it_allows(shop):
    emu, core, policy = shop(pdb(2))
    status = wait_for(lambda: (s := policy.read_namespaced_pod_disruption_budget("web", "shop").status)
                      and s.current_healthy == 2 and s, what="PDB status")
    assert (status.desired_healthy, status.disruptions_allowed, status.expected_pods) == (2, 0, 2)
    assert [(c.type, c.status, c.reason) for c in status.conditions] == [("DisruptionAllowed", "False", "InsufficientPods")]

    victim = active(core, "app=web")[0].metadata.name
    with pytest.raises(kubernetes.client.ApiException) as err:
        evict(core, victim)
    assert err.value.status == 429
    body = json.loads(err.value.body)
    assert body["reason"] == "TooManyRequests" and body["kind"] == "Status" and body["code"] == 429
    assert body["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    assert body["details"]["causes"] == [{"reason": "DisruptionBudget",
                                          "message": "The disruption budget web needs 2 healthy pods and has 2 currently"}]
    assert core.read_namespaced_pod(victim, "shop").metadata.deletion_timestamp is None

    rs = emu.get("replicasets", "shop", "web-5d8f7c9b6d")
    rs["spec"]["replicas"] = 3
    emu.upsert(rs)
    wait_for(lambda: policy.read_namespaced_pod_disruption_budget("web", "shop").status.disruptions_allowed == 1,
             what="a disruption allowed")
    evict(core, victim)
    after = policy.read_namespaced_pod_disruption_budget("web", "shop").status
    assert after.disruptions_allowed == 0, "the eviction took the allowed disruption"


def test_eviction_of_a_missing_pod_is_404(shop):
    _, core, _ = shop()
    with pytest.raises(kubernetes.client.ApiException) as err:
        evict(core, "nope")
    assert err.value.status == 404


def kubectl(kc: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([KUBECTL, "--kubeconfig", str(kc), f"--cache-dir={kc.parent / 'kube-cache'}", *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_kubectl_drain_evicts_through_the_eviction_api_and_a_pdb_blocks(emulator_factory, kubeconfig):
    emu = emulator_factory(demo_objects(), time_scale=20.0)
    kc = kubeconfig(emu)
    before = {p["metadata"]["name"] for p in emu.list("pods") if p["spec"].get("nodeName") == "hel-wk-01"}
    done = kubectl(kc, "drain", "hel-wk-01", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s")
    assert done.returncode == 0, done.stderr
    assert "node/hel-wk-01 cordoned" in done.stdout and "node/hel-wk-01 drained" in done.stdout
    for name in before:
        assert f"evicting pod {name.split('/')[-1]}" in done.stderr + done.stdout or name in done.stdout
    assert emu.get("nodes", None, "hel-wk-01")["spec"]["unschedulable"] is True
    assert not [p for p in emu.list("pods") if p["spec"].get("nodeName") == "hel-wk-01"]
    wait_for(lambda: all(p["status"].get("phase") == "Running" for p in emu.list("pods")
                         if p["metadata"]["namespace"] == "bot"), what="bot's replacement running")

    # hel-wk-04 holds bot-db-0, whose budget allows no disruption: the drain retries, then times out
    blocked = kubectl(kc, "drain", "hel-wk-04", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=3s")
    assert blocked.returncode != 0
    assert "Cannot evict pod as it would violate the pod's disruption budget" in blocked.stderr
    assert emu.get("pods", "bot", "bot-db-0")["metadata"].get("deletionTimestamp") is None


def test_kubectl_drain_against_clusterdeck_emulate_demo(tmp_path):
    """The command a user runs: `clusterdeck emulate --demo`, then kubectl drain (real time)."""
    with emulate_demo(tmp_path) as kc:
        done = kubectl(kc, "drain", "hel-wk-02", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s")
        assert done.returncode == 0, done.stderr
        assert "evicting pod wiki/wiki-db-0" in done.stderr + done.stdout
        assert "node/hel-wk-02 drained" in done.stdout
        pods = kubectl(kc, "get", "pods", "-A", "--field-selector", "spec.nodeName=hel-wk-02", "-o", "name")
        assert pods.returncode == 0 and pods.stdout.strip() == ""
        nodes = kubectl(kc, "get", "node", "hel-wk-02")
        assert "Ready,SchedulingDisabled" in nodes.stdout
