"""The demo cluster with pods and events for the Pods/Events UI tests.

The demo renders its own pods and events once the emulator's pod controller seeds them; until
then (or if it ever renders none) a few pods and events of the demo incident are added here, shaped
as the API serves them (core v1 Pod, events.k8s.io/v1 Event). `bare=True` adds a pod that no
controller owns (what ctrl+d must guard).
"""
from __future__ import annotations

from typing import Any

from tui.emulator.demo import demo_objects

WIKI_DB_UID = "f4bc538b-ae0b-4552-b3ad-2bb2d5da8127"  # StatefulSet wiki/wiki-db in the demo
WIKI_WEB_RS = ("wiki-web-zn5vxjgzgb", "909ecd24-ea70-404e-b704-5a408d30b371")
BOT_RS = ("bot-k4cjnwtgz4", "f7ccb21f-b31f-4618-8690-cd4e175bb1e9")


def demo_with_pods(bare: bool = False) -> list[dict[str, Any]]:
    objects = demo_objects()
    if not any(o.get("kind") == "Pod" for o in objects):
        objects += incident_pods() + incident_events()
    if bare:
        objects.append(_pod("bot", "debug-shell", None, "hel-wk-01", ready=True, ip="10.42.1.40"))
    return objects


def incident_pods() -> list[dict[str, Any]]:
    return [
        _pod("wiki", "wiki-db-0", ("StatefulSet", "wiki-db", WIKI_DB_UID), "hel-wk-02", ready=False,
             crash=("mariadb", 14, "2026-11-26T14:03:12Z"), ip="10.42.2.11", claim="wiki-db-data"),
        _pod("wiki", "wiki-web-zn5vxjgzgb-4xk2p", ("ReplicaSet", *WIKI_WEB_RS), "hel-wk-01", ready=False,
             ip="10.42.1.21"),
        _pod("bot", "bot-k4cjnwtgz4-7dm9q", ("ReplicaSet", *BOT_RS), "hel-wk-01", ready=True, ip="10.42.1.30"),
    ]


def incident_events() -> list[dict[str, Any]]:
    return [
        _event("wiki", "wiki-db-0", "BackOff", "Warning", 61,
               "Back-off restarting failed container mariadb in pod wiki-db-0_wiki"),
        _event("wiki", "wiki-db-0", "Pulled", "Normal", 15,
               'Container image "mariadb:11.4" already present on machine'),
        _event("wiki", "wiki-web-zn5vxjgzgb-4xk2p", "Unhealthy", "Warning", 40,
               "Readiness probe failed: HTTP probe failed with statuscode: 503"),
    ]


def _pod(namespace: str, name: str, owner: tuple[str, str, str] | None, node: str, *, ready: bool,
         ip: str, crash: tuple[str, int, str] | None = None, claim: str | None = None) -> dict[str, Any]:
    container = crash[0] if crash else name.split("-")[0]
    status: dict[str, Any] = {"name": container, "ready": ready, "started": crash is None,
                              "restartCount": crash[1] if crash else 0, "image": f"{container}:1",
                              "imageID": f"docker.io/library/{container}@sha256:0"}
    if crash:
        status["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                       "message": f"back-off 5m0s restarting failed container={container}"}}
        status["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error",
                                              "startedAt": "2026-11-26T14:03:10Z", "finishedAt": crash[2]}}
    else:
        status["state"] = {"running": {"startedAt": "2026-11-26T13:00:00Z"}}
    meta: dict[str, Any] = {"namespace": namespace, "name": name, "uid": f"pod-{namespace}-{name}",
                            "creationTimestamp": "2026-11-20T10:00:00Z", "labels": {"app": name.split("-")[0]}}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1], "uid": owner[2],
                                    "controller": True, "blockOwnerDeletion": True}]
    truth = "True" if ready else "False"
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": meta,
        "spec": {"nodeName": node, "containers": [{"name": container, "image": f"{container}:1"}],
                 "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}] if claim else []},
        "status": {"phase": "Running", "podIP": ip, "hostIP": "192.168.10.12", "qosClass": "BestEffort",
                   "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Initialized", "status": "True"},
                                  {"type": "ContainersReady", "status": truth}, {"type": "Ready", "status": truth}],
                   "containerStatuses": [status]},
    }


def _event(namespace: str, pod: str, reason: str, kind: str, count: int, note: str) -> dict[str, Any]:
    return {
        "apiVersion": "events.k8s.io/v1", "kind": "Event",
        "metadata": {"namespace": namespace, "name": f"{pod}.{reason.lower()}"},
        "regarding": {"apiVersion": "v1", "kind": "Pod", "namespace": namespace, "name": pod},
        "reason": reason, "note": note, "type": kind, "action": reason, "reportingController": "kubelet",
        "reportingInstance": "hel-wk-02", "eventTime": "2026-11-26T12:50:00.000000Z",
        "series": {"count": count, "lastObservedTime": "2026-11-26T14:03:12.000000Z"},
    }
