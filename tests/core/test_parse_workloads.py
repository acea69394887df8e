"""Deployment and StatefulSet rows, with the rollout state kubectl would report (REFERENCE 5.2)."""
from __future__ import annotations

import copy

import pytest

from tests.support.core_samples import application, deployment, fixture_doc, statefulset, store_with
from tui.core.parsers import parse_workload


def test_deployment_past_its_progress_deadline_failed():
    row = parse_workload(fixture_doc("workloads-rollout.yaml", "Deployment"))
    assert row.key == "Deployment/media/jellyfin"
    assert row.rollout == "failed: exceeded its progress deadline"
    assert (row.replicas, row.ready, row.updated) == (2, 2, 1)
    assert row.revision == "7"
    assert row.restarted_at == "2025-06-12T10:05:41+02:00"
    assert row.images == ("jellyfin/jellyfin:10.11.0-rc1",)


def test_statefulset_rolled_out():
    row = parse_workload(fixture_doc("workloads-rollout.yaml", "StatefulSet"))
    assert (row.kind, row.rollout) == ("StatefulSet", "done")


@pytest.mark.parametrize("status, rollout", [
    ({"observedGeneration": 1}, "progressing: waiting for spec update to be observed"),
    ({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1},
     "progressing: 1 of 2 new replicas updated"),
    ({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 2, "availableReplicas": 2},
     "progressing: 1 old replicas pending termination"),
    ({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1},
     "progressing: 1 of 2 updated replicas available"),
    ({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}, "done"),
])
def test_deployment_rollout_steps(status, rollout):
    obj = deployment("api", "api", {"app": "api"})
    obj["spec"]["replicas"] = 2
    obj["status"] = status
    assert parse_workload(obj).rollout == rollout


def test_statefulset_waiting_for_update_revision():
    obj = statefulset("bot-db", "bot", {"app": "bot-db"}, claim="data")
    obj["status"]["updateRevision"] = "b"
    row = parse_workload(obj)
    assert row.rollout == "progressing: waiting for pods to reach the update revision"
    assert row.pvcs == ("bot/data-bot-db-0",)


def test_list_items_without_kind_use_the_watched_kind():
    obj = copy.deepcopy(statefulset("wiki-db", "wiki", {"app": "wiki-db"}))
    del obj["kind"]
    assert parse_workload(obj, kind="StatefulSet").key == "StatefulSet/wiki/wiki-db"


def test_owner_app_from_tracking_annotation_and_app_resources():
    tracked = deployment("donate", "donate", {"app": "donate"})
    tracked["metadata"]["annotations"] = {"argocd.argoproj.io/tracking-id": "donate:apps/Deployment:donate/donate"}
    assert parse_workload(tracked).owner_app == "donate"
    store = store_with({
        "deployments": [tracked, deployment("api", "api", {"app": "api"})],
        "applications": [application("donate", []), application("api", [("Deployment", "api", "api")])],
    })
    assert store.row("workloads", "Deployment/donate/donate").owner_app == "argocd/donate"
    assert store.row("workloads", "Deployment/api/api").owner_app == "argocd/api"


def test_no_status_means_unknown_rollout():
    row = parse_workload({"kind": "Deployment", "metadata": {"name": "x", "namespace": "y"}, "spec": None})
    assert (row.rollout, row.replicas, row.ready) == (None, None, None)


@pytest.mark.parametrize("replicas", ["", "+", "-", " ", "3.5", "many"])
def test_unreadable_replica_counts_are_unknown(replicas):
    """Hand-edited YAML puts strings where counts belong; the row says unknown, never crashes."""
    row = parse_workload({"apiVersion": "apps/v1", "kind": "Deployment",
                          "metadata": {"name": "api", "namespace": "api"},
                          "spec": {"replicas": replicas}, "status": {"readyReplicas": replicas}})
    assert (row.replicas, row.ready) == (None, None)


def test_omitted_zero_counts_are_zero_not_unknown():
    # readyReplicas, updatedReplicas, availableReplicas are `omitempty`: a Deployment scaled to
    # nothing ready is serialised with those fields absent
    row = parse_workload({"apiVersion": "apps/v1", "kind": "Deployment",
                          "metadata": {"name": "api", "namespace": "api"}, "spec": {"replicas": 2},
                          "status": {"observedGeneration": 3, "replicas": 2, "unavailableReplicas": 2}})
    assert (row.ready, row.updated, row.available) == (0, 0, 0)


def test_statefulset_as_served_with_nothing_ready():
    # StatefulSetStatus: readyReplicas/currentReplicas/updatedReplicas are omitempty, replicas
    # and availableReplicas are not: what the API sends for a crash-looping single-replica set
    row = parse_workload({"apiVersion": "apps/v1", "kind": "StatefulSet",
                          "metadata": {"name": "wiki-db", "namespace": "wiki", "generation": 1},
                          "spec": {"replicas": 1, "serviceName": "wiki-db"},
                          "status": {"observedGeneration": 1, "replicas": 1, "availableReplicas": 0,
                                     "currentRevision": "wiki-db-6d4c9", "updateRevision": "wiki-db-6d4c9",
                                     "collisionCount": 0}})
    assert (row.replicas, row.ready, row.updated, row.available) == (1, 0, 0, 0)
    assert row.rollout == "progressing: 0 of 1 pods ready"


def test_deployment_scaled_to_zero_as_served():
    # every DeploymentStatus count is omitempty: scaled to zero, only observedGeneration is left
    row = parse_workload({"apiVersion": "apps/v1", "kind": "Deployment",
                          "metadata": {"name": "bot", "namespace": "bot", "generation": 5},
                          "spec": {"replicas": 0}, "status": {"observedGeneration": 5}})
    assert (row.replicas, row.ready, row.updated, row.available) == (0, 0, 0, 0)
    assert row.rollout == "done"
