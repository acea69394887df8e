"""Pods seeded directly for the log tests (the shapes kubelet reports), with fixed times."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tui.emulator.log_profiles import RATE_ANNOTATION, TEXT_ANNOTATION

NOW = datetime(2026, 11, 26, 14, 5, 0, tzinfo=UTC)
INCIDENT_LINE = "/usr/sbin/mariadbd: unknown variable 'innodb_buffer_pool_szie=1G'"


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def pod(name: str, namespace: str = "wiki", containers: tuple[tuple[str, str], ...] = (("app", "registry.emberforge.games/api:3.8.0"),),
        *, started: datetime | None = None, labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None, statuses: list[dict[str, Any]] | None = None,
        owner: tuple[str, str] | None = None) -> dict[str, Any]:
    started = started or NOW - timedelta(hours=2)
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels or {},
                            "annotations": annotations or {}, "creationTimestamp": stamp(started)}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1],
                                    "uid": f"uid-{owner[1]}", "controller": True}]
    if statuses is None:
        statuses = [{"name": c, "image": i, "ready": True, "restartCount": 0,
                     "state": {"running": {"startedAt": stamp(started)}}} for c, i in containers]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"nodeName": "ember-a1", "containers": [{"name": c, "image": i} for c, i in containers]},
            "status": {"phase": "Running", "podIP": "10.42.1.17", "startTime": stamp(started),
                       "containerStatuses": statuses}}


def crashlooping_db() -> dict[str, Any]:
    """wiki/wiki-db-0 in CrashLoopBackOff, 14 restarts, as in the demo incident."""
    last = NOW - timedelta(seconds=95)
    return pod("wiki-db-0", containers=(("mariadb", "mariadb:11.4"),), owner=("StatefulSet", "wiki-db"),
               labels={"app.kubernetes.io/name": "wiki-db"},
               statuses=[{"name": "mariadb", "image": "mariadb:11.4", "ready": False, "restartCount": 14,
                          "state": {"waiting": {"reason": "CrashLoopBackOff",
                                                "message": "back-off 5m0s restarting failed container"}},
                          "lastState": {"terminated": {"exitCode": 7, "reason": "Error",
                                                       "startedAt": stamp(last - timedelta(seconds=2)),
                                                       "finishedAt": stamp(last)}}}])


def literal_pod(name: str, lines: list[str], *, rate: float | None = None,
                container: str = "app", namespace: str = "wiki") -> dict[str, Any]:
    """A pod whose container logs exactly `lines` (then `line N` at `rate` per second)."""
    notes = {TEXT_ANNOTATION + container: "\n".join(lines)}
    if rate:
        notes[RATE_ANNOTATION] = str(rate)
    return pod(name, namespace, ((container, "registry.emberforge.games/api:3.8.0"),), annotations=notes)


def deployment(name: str, namespace: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": stamp(NOW - timedelta(days=3))},
            "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "api", "image": "registry.emberforge.games/api:3.8.0"}]}}},
            "status": {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2}}


def log_world() -> list[dict[str, Any]]:
    """Namespaces, the crash-looping db, a two-container web pod, and an `api` Deployment's pods."""
    api_labels = {"app.kubernetes.io/name": "api"}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "wiki"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "api"}},
        crashlooping_db(),
        pod("wiki-web-5f6c7d9b4-x2k9p", containers=(("nginx", "nginx:1.27-alpine"),
                                                    ("php", "registry.emberforge.games/mediawiki-fpm:1.42.3"))),
        deployment("api", "api", api_labels),
        {"apiVersion": "apps/v1", "kind": "ReplicaSet",
         "metadata": {"name": "api-7c9d8f6b5", "namespace": "api", "labels": api_labels,
                      "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "api",
                                           "uid": "uid-api", "controller": True}]},
         "spec": {"replicas": 2, "selector": {"matchLabels": api_labels}}, "status": {"replicas": 2}},
        pod("api-7c9d8f6b5-4kq2n", "api", (("api", "registry.emberforge.games/api:3.8.0"),),
            labels=api_labels, owner=("ReplicaSet", "api-7c9d8f6b5")),
        pod("api-7c9d8f6b5-9wz7m", "api", (("api", "registry.emberforge.games/api:3.8.0"),),
            labels=api_labels, owner=("ReplicaSet", "api-7c9d8f6b5"), started=NOW - timedelta(minutes=30)),
    ]
