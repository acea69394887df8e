"""The Argo CD REST surface (bearer-token checked) and the simulated controllers."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.core.kinds import KINDS

TOKEN = "emberforge-ci-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
KUBECTL = str(Path(sys.executable).parent / "kubectl")
FAST = 20.0  # time_scale: a 3 s sync takes 0.15 s


def app(name: str, *, automated: bool = False, history: int = 2) -> dict[str, Any]:
    spec: dict[str, Any] = {"project": "emberforge",
                            "source": {"repoURL": "https://git.emberforge.games/ops/cluster.git",
                                       "path": f"apps/{name}", "targetRevision": "main"},
                            "destination": {"server": "https://kubernetes.default.svc", "namespace": name}}
    if automated:
        spec["syncPolicy"] = {"automated": {"prune": True, "selfHeal": True}}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd"}, "spec": spec,
            "status": {"sync": {"status": "OutOfSync", "revision": "a" * 40},
                       "health": {"status": "Degraded"},
                       "history": [{"id": i, "revision": f"{i}" * 40, "deployedAt": "2026-11-20T10:00:00Z",
                                    "source": spec["source"]} for i in range(1, history + 1)]}}


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@pytest.fixture
def still(emulator_factory):
    return emulator_factory([app("wiki"), app("api", automated=True)], controllers=False, argocd_token=TOKEN)


def test_token_is_required(still):
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        resp = httpx.get(still.url + "/api/v1/applications", headers=headers)
        assert resp.status_code == 401 and resp.json()["code"] == 16
    assert httpx.post(still.url + "/api/v1/applications/wiki/sync", json={}).status_code == 401
    by_cookie = httpx.get(still.url + "/api/v1/applications", cookies={"argocd.token": TOKEN})
    assert by_cookie.status_code == 200


def test_list_and_get_read_the_same_objects_as_the_kube_api(still):
    listed = httpx.get(still.url + "/api/v1/applications", headers=AUTH).json()
    assert sorted(i["metadata"]["name"] for i in listed["items"]) == ["api", "wiki"]
    assert listed["metadata"]["resourceVersion"] == str(still.resource_version)
    one = httpx.get(still.url + "/api/v1/applications/wiki", headers=AUTH).json()
    assert one == still.get("applications", "argocd", "wiki")
    missing = httpx.get(still.url + "/api/v1/applications/nope", headers=AUTH)
    assert missing.status_code == 404 and "not found" in missing.json()["message"]
    kube = httpx.get(still.url + KINDS["applications"].collection_path()).json()
    assert kube["kind"] == "ApplicationList"  # /api/v1/applications did not shadow kube paths


def test_sync_sets_the_operation_once(still):
    body = {"revision": "main", "prune": True, "dryRun": False,
            "strategy": {"hook": {"force": False}}, "syncOptions": {"items": ["ServerSideApply=true"]},
            "resources": [{"group": "apps", "kind": "Deployment", "name": "wiki-php", "namespace": "wiki"}]}
    resp = httpx.post(still.url + "/api/v1/applications/wiki/sync", json=body, headers=AUTH)
    assert resp.status_code == 200
    op = still.get("applications", "argocd", "wiki")["operation"]
    assert op["sync"]["revision"] == "main" and op["sync"]["prune"] is True
    assert op["sync"]["syncOptions"] == ["ServerSideApply=true"]  # unwrapped, as in the CR
    assert op["sync"]["syncStrategy"] == {"hook": {"force": False}}
    assert op["sync"]["resources"][0]["name"] == "wiki-php" and op["initiatedBy"]["username"]
    again = httpx.post(still.url + "/api/v1/applications/wiki/sync", json={}, headers=AUTH)
    assert again.status_code == 400 and "another operation is already in progress" in again.json()["message"]
    pinned = httpx.post(still.url + "/api/v1/applications/api/sync", json={"revision": "v2"}, headers=AUTH)
    assert pinned.status_code == 400  # auto-sync on: only the target revision may be synced


def test_rollback_and_terminate_rules(still):
    refused = httpx.post(still.url + "/api/v1/applications/api/rollback", json={"id": 1}, headers=AUTH)
    assert refused.status_code == 400 and "auto-sync" in refused.json()["message"]
    unknown = httpx.post(still.url + "/api/v1/applications/wiki/rollback", json={"id": 99}, headers=AUTH)
    assert unknown.status_code == 400
    nothing = httpx.delete(still.url + "/api/v1/applications/wiki/operation", headers=AUTH)
    assert nothing.status_code == 400 and "No operation is in progress" in nothing.json()["message"]
    ok = httpx.post(still.url + "/api/v1/applications/wiki/rollback", json={"id": 1, "prune": True}, headers=AUTH)
    assert ok.status_code == 200
    op = still.get("applications", "argocd", "wiki")["operation"]
    assert op["sync"]["revision"] == "1" * 40 and op["sync"]["prune"] is True
    stop = httpx.delete(still.url + "/api/v1/applications/wiki/operation", headers=AUTH)
    assert stop.status_code == 200
    assert still.get("applications", "argocd", "wiki")["status"]["operationState"]["phase"] == "Terminating"


def _watch_phases(emu, since: int, until: str, timeout: float = 10.0) -> list[str]:
    """Operation phases a kube watch on Applications saw, in order, until `until` appears."""
    phases: list[str] = []
    url = f"{emu.url}{KINDS['applications'].collection_path()}?watch=true&resourceVersion={since}&timeoutSeconds={int(timeout)}"
    with httpx.stream("GET", url, timeout=timeout + 5) as resp:
        for line in resp.iter_lines():
            if not line:
                continue
            phase = ((json.loads(line)["object"].get("status") or {}).get("operationState") or {}).get("phase")
            if phase and (not phases or phases[-1] != phase):
                phases.append(phase)
            if phase == until:
                break
    return phases


def test_sync_operation_runs_to_success(emulator_factory):
    emu = emulator_factory([app("wiki")], time_scale=FAST, argocd_token=TOKEN)
    since = emu.resource_version
    assert httpx.post(emu.url + "/api/v1/applications/wiki/sync", json={"prune": True}, headers=AUTH).status_code == 200
    assert _watch_phases(emu, since, "Succeeded") == ["Running", "Succeeded"]
    done = emu.get("applications", "argocd", "wiki")
    assert "operation" not in done
    status = done["status"]
    assert status["sync"]["status"] == "Synced" and status["health"]["status"] == "Healthy"
    assert [h["id"] for h in status["history"]] == [1, 2, 3]
    assert status["history"][-1]["revision"] == status["sync"]["revision"] and len(status["sync"]["revision"]) == 40
    assert status["operationState"]["finishedAt"]


def test_terminate_ends_the_operation_failed(emulator_factory):
    emu = emulator_factory([app("wiki")], time_scale=1.0, argocd_token=TOKEN)  # slow enough to catch Running
    since = emu.resource_version
    httpx.post(emu.url + "/api/v1/applications/wiki/sync", json={}, headers=AUTH)
    wait_for(lambda: (emu.get("applications", "argocd", "wiki")["status"].get("operationState") or {}).get("phase") == "Running")
    assert httpx.delete(emu.url + "/api/v1/applications/wiki/operation", headers=AUTH).status_code == 200
    assert _watch_phases(emu, since, "Failed") == ["Running", "Terminating", "Failed"]
    final = emu.get("applications", "argocd", "wiki")
    assert final["status"]["operationState"]["message"] == "Operation terminated"
    assert "operation" not in final and len(final["status"]["history"]) == 2


def test_rollback_runs_and_leaves_app_out_of_sync(emulator_factory):
    emu = emulator_factory([app("wiki")], time_scale=FAST, argocd_token=TOKEN)
    httpx.post(emu.url + "/api/v1/applications/wiki/rollback", json={"id": 1}, headers=AUTH)
    done = wait_for(lambda: (a := emu.get("applications", "argocd", "wiki")) and "operation" not in a and a)
    assert done["status"]["sync"] == {**done["status"]["sync"], "status": "OutOfSync", "revision": "1" * 40}
    assert done["status"]["history"][-1]["revision"] == "1" * 40


def _volume(name: str) -> dict[str, Any]:
    return {"apiVersion": "longhorn.io/v1beta2", "kind": "Volume",
            "metadata": {"name": name, "namespace": "longhorn-system", "labels": {"longhornvolume": name}},
            "spec": {"size": "10737418240", "numberOfReplicas": 3, "nodeID": ""},
            "status": {"state": "detached", "robustness": "unknown", "currentNodeID": ""}}


def _attachment(name: str) -> dict[str, Any]:
    return {"apiVersion": "longhorn.io/v1beta2", "kind": "VolumeAttachment",
            "metadata": {"name": name, "namespace": "longhorn-system", "labels": {"longhornvolume": name}},
            "spec": {"volume": name, "attachmentTickets": {}}}


def _volume_states(emu, since: int, name: str, until: str) -> list[str]:
    states: list[str] = []
    url = f"{emu.url}{KINDS['lh_volumes'].collection_path()}?watch=true&resourceVersion={since}&timeoutSeconds=10"
    with httpx.stream("GET", url, timeout=15) as resp:
        for line in resp.iter_lines():
            obj = json.loads(line)["object"] if line else {}
            if obj.get("metadata", {}).get("name") != name:
                continue
            state = obj["status"]["state"]
            if not states or states[-1] != state:
                states.append(state)
            if state == until:
                break
    return states


def test_attachment_ticket_attaches_and_detaches_the_volume(emulator_factory):
    emu = emulator_factory([_volume("import-2026"), _attachment("import-2026")], time_scale=FAST)
    path = emu.url + KINDS["lh_attachments"].object_path("import-2026", "longhorn-system")
    merge = {"Content-Type": "application/merge-patch+json"}
    ticket = {"spec": {"attachmentTickets": {"k8s-tui": {
        "id": "k8s-tui", "type": "longhorn-api", "nodeID": "hel-wk-02",
        "parameters": {"disableFrontend": "false", "lastAttachedBy": "k8s-tui"}, "generation": 0}}}}
    since = emu.resource_version
    assert httpx.patch(path, content=json.dumps(ticket), headers=merge).status_code == 200
    assert _volume_states(emu, since, "import-2026", "attached") == ["attaching", "attached"]
    vol = emu.get("lh_volumes", "longhorn-system", "import-2026")
    assert vol["status"]["currentNodeID"] == "hel-wk-02" and vol["spec"]["nodeID"] == "hel-wk-02"
    statuses = wait_for(lambda: (emu.get("lh_attachments", "longhorn-system", "import-2026").get("status") or {})
                        .get("attachmentTicketStatuses"))
    assert statuses["k8s-tui"]["satisfied"] is True

    since = emu.resource_version
    detach = {"spec": {"attachmentTickets": {"k8s-tui": None}}}
    assert httpx.patch(path, content=json.dumps(detach), headers=merge).status_code == 200
    assert _volume_states(emu, since, "import-2026", "detached") == ["detaching", "detached"]
    assert emu.get("lh_volumes", "longhorn-system", "import-2026")["status"]["currentNodeID"] == ""


def _nodes() -> list[dict[str, Any]]:
    """Ready nodes for the rollouts' pods (a rollout step waits for its pods to be Ready)."""
    return [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"n{i}"}, "spec": {"podCIDR": f"10.42.{i}.0/24"},
             "status": {"addresses": [{"type": "InternalIP", "address": f"192.168.10.{i}"}],
                        "conditions": [{"type": "Ready", "status": "True"}]}} for i in (1, 2)]


def _deployment() -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": "api"}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "api", "namespace": "api", "annotations": {"deployment.kubernetes.io/revision": "4"}},
            "spec": {"replicas": 3, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "api", "image": "registry.emberforge.games/api:1.8.2"}]}}},
            "status": {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3,
                       "availableReplicas": 3}}


def kubectl(kc: Path, *args: str) -> str:
    argv = [KUBECTL, "--kubeconfig", str(kc), f"--cache-dir={kc.parent / 'kube-cache'}", *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_restart_rolls_a_new_replicaset_and_undo_goes_back(emulator_factory, kubeconfig):
    emu = emulator_factory([_deployment(), *_nodes()], time_scale=FAST)
    kc = kubeconfig(emu)
    gen = emu.get("deployments", "api", "api")["metadata"]["generation"]
    kubectl(kc, "rollout", "restart", "deploy/api", "-n", "api")
    assert "successfully rolled out" in kubectl(kc, "rollout", "status", "deploy/api", "-n", "api", "--timeout=20s")
    dep = emu.get("deployments", "api", "api")
    assert dep["metadata"]["generation"] == gen + 1 == dep["status"]["observedGeneration"]
    assert dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "5"
    assert dep["status"]["updatedReplicas"] == dep["status"]["availableReplicas"] == 3
    (rs5,) = emu.list("replicasets")
    assert rs5["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "5"
    assert rs5["status"]["readyReplicas"] == 3

    kubectl(kc, "set", "image", "deploy/api", "-n", "api", "api=registry.emberforge.games/api:1.9.0")
    kubectl(kc, "rollout", "status", "deploy/api", "-n", "api", "--timeout=20s")
    by_rev = {s["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: s for s in emu.list("replicasets")}
    assert sorted(by_rev) == ["5", "6"] and by_rev["5"]["spec"]["replicas"] == 0

    kubectl(kc, "rollout", "undo", "deploy/api", "-n", "api")
    kubectl(kc, "rollout", "status", "deploy/api", "-n", "api", "--timeout=20s")
    image = emu.get("deployments", "api", "api")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "registry.emberforge.games/api:1.8.2"
    sets = {s["metadata"]["name"]: s for s in emu.list("replicasets")}
    assert len(sets) == 2  # undo reused the revision-5 ReplicaSet instead of making a third
    reused = sets[rs5["metadata"]["name"]]
    assert reused["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "7"
    assert reused["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "5"
    assert reused["spec"]["replicas"] == 3


def test_controllers_off_keep_the_world_still(emulator_factory):
    emu = emulator_factory([app("wiki")], controllers=False, argocd_token=TOKEN)
    httpx.post(emu.url + "/api/v1/applications/wiki/sync", json={}, headers=AUTH)
    before = copy.deepcopy(emu.get("applications", "argocd", "wiki"))
    time.sleep(0.3)  # a FAST controller would have finished by now; none runs
    assert emu.get("applications", "argocd", "wiki") == before and "operation" in before


def test_refresh_annotation_is_consumed_by_the_controller(emulator_factory):
    emu = emulator_factory([app("wiki")], time_scale=FAST, argocd_token=TOKEN)
    got = httpx.get(emu.url + "/api/v1/applications/wiki?refresh=hard", headers=AUTH).json()
    assert got["metadata"]["annotations"]["argocd.argoproj.io/refresh"] == "hard"
    done = wait_for(lambda: (a := emu.get("applications", "argocd", "wiki"))
                    and "argocd.argoproj.io/refresh" not in (a["metadata"].get("annotations") or {}) and a)
    assert done["status"]["reconciledAt"]


def _statefulset() -> dict[str, Any]:
    labels = {"app": "bot-db"}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "bot-db", "namespace": "bot"},
            "spec": {"replicas": 2, "serviceName": "bot-db", "selector": {"matchLabels": labels},
                     "updateStrategy": {"type": "RollingUpdate"},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "postgres", "image": "postgres:16.9"}]}}},
            "status": {"observedGeneration": 1, "replicas": 2, "readyReplicas": 2, "currentReplicas": 2,
                       "updatedReplicas": 2, "currentRevision": "bot-db-5d8f6c7b9a",
                       "updateRevision": "bot-db-5d8f6c7b9a"}}


def test_statefulset_restart_rolls_to_a_new_revision(emulator_factory, kubeconfig):
    emu = emulator_factory([_statefulset(), *_nodes()], time_scale=FAST)
    kc = kubeconfig(emu)
    kubectl(kc, "rollout", "restart", "statefulset/bot-db", "-n", "bot")
    assert "rolling update complete" in kubectl(kc, "rollout", "status", "statefulset/bot-db", "-n", "bot",
                                                "--timeout=20s")
    status = emu.get("statefulsets", "bot", "bot-db")["status"]
    assert status["currentRevision"] == status["updateRevision"] != "bot-db-5d8f6c7b9a"
    assert status["readyReplicas"] == status["updatedReplicas"] == 2
