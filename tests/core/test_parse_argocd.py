"""Argo CD Application rows: single and multi-source, sync policy, operation, resources."""
from __future__ import annotations

import json

from tests.support.core_samples import REFERENCE, application, fixture_doc
from tui.core.parsers import parse_application


def test_failed_autosync_app():
    row = parse_application(fixture_doc("argocd-application.yaml", "Application"))
    assert (row.namespace, row.name, row.project) == ("argocd", "jellyfin", "default")
    assert (row.sync, row.health) == ("OutOfSync", "Degraded")
    assert row.revision == "9d1e4c27b0a35f68e2c1d7b4a90f3e6c5b8d2a17"
    assert row.operation == "Failed"
    assert row.message.startswith("one or more objects failed to apply")
    assert (row.auto_sync, row.self_heal, row.prune) == (True, True, True)
    assert row.history_ids == (41, 42)
    assert row.out_of_sync == ("Service/media/jellyfin",)
    assert "Deployment/media/jellyfin" in row.resources
    assert row.conditions[0].startswith("SyncError: ")
    assert row.operation_pending is False


def test_api_list_items_without_kind():
    items = json.loads((REFERENCE / "argocd-api-applications.json").read_text())["items"]
    rows = {r.name: r for r in map(parse_application, items)}
    assert (rows["longhorn"].sync, rows["longhorn"].health, rows["longhorn"].operation) == ("Synced", "Healthy", "Succeeded")
    assert rows["longhorn"].paths == ("longhorn",)  # a Helm chart source
    assert rows["longhorn"].prune is False and rows["longhorn"].self_heal is True


def test_multi_source_revisions():
    obj = application("wiki", [])
    del obj["spec"]["source"]
    obj["spec"]["sources"] = [
        {"repoURL": "https://git.emberforge.games/ops/deploy.git", "path": "apps/wiki", "targetRevision": "main"},
        {"repoURL": "https://charts.bitnami.com/bitnami", "chart": "mariadb", "targetRevision": "20.2.1"},
    ]
    obj["status"]["sync"] = {"status": "Synced", "revisions": ["8c1f0e2d", "20.2.1"]}
    row = parse_application(obj)
    assert row.revision == "8c1f0e2d"
    assert row.revisions == ("8c1f0e2d", "20.2.1")
    assert row.target_revisions == ("main", "20.2.1")
    assert row.paths == ("apps/wiki", "mariadb")


def test_autosync_disabled_by_enabled_false_and_absent():
    obj = application("bot", [])
    obj["spec"]["syncPolicy"]["automated"]["enabled"] = False
    assert parse_application(obj).auto_sync is False
    obj["spec"]["syncPolicy"] = {}
    assert parse_application(obj).auto_sync is False
    obj["spec"]["syncPolicy"] = {"automated": {}}
    assert parse_application(obj).auto_sync is True


def test_pending_operation_and_error_condition_message():
    obj = application("api", [], sync="Unknown", health="Unknown")
    obj["operation"] = {"sync": {"revision": "main"}, "initiatedBy": {"username": "clusterdeck"}}
    obj["status"]["conditions"] = [{"type": "OrphanedResourceWarning", "message": "1 orphan"},
                                   {"type": "ComparisonError", "message": "repo unreachable"}]
    row = parse_application(obj)
    assert row.operation_pending is True and row.operation is None
    assert row.message == "ComparisonError: repo unreachable"


def test_broken_app_gives_unknowns():
    row = parse_application({"metadata": {"name": "x", "namespace": "argocd"}, "spec": "??",
                             "status": {"sync": [], "history": [{"id": "seven"}, None]}})
    assert (row.sync, row.health, row.revision, row.auto_sync, row.history_ids) == (None, None, None, False, ())


def test_out_of_sync_app_says_what_drifted_not_the_old_success():
    """An operator scanning the Apps pane must see why an app is OutOfSync; the message of
    the last (successful) sync says nothing about the drift since."""
    row = parse_application({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "donate", "namespace": "argocd"},
        "status": {
            "sync": {"status": "OutOfSync", "revision": "f5913127d5a4"},
            "health": {"status": "Healthy"},
            "operationState": {"phase": "Succeeded", "message": "successfully synced (all tasks run)"},
            "resources": [
                {"kind": "Deployment", "namespace": "donate", "name": "donate", "status": "OutOfSync"},
                {"kind": "ConfigMap", "namespace": "donate", "name": "donate-config", "status": "OutOfSync"},
                {"kind": "Service", "namespace": "donate", "name": "donate", "status": "Synced"},
            ],
        },
    })
    assert row.message == "out of sync: Deployment/donate/donate (+1 more)"


def test_multi_source_sources_and_history_carry_each_revision():
    """A multi-source app as v1alpha1 serialises it: `sources`, status.sync.revisions, and history
    entries with `revisions`/`sources` (no `revision`/`source`: omitempty)."""
    obj = application("wiki", [])
    del obj["spec"]["source"]
    obj["spec"]["sources"] = [
        {"repoURL": "https://git.emberforge.games/ops/deploy.git", "path": "apps/wiki", "targetRevision": "main"},
        {"repoURL": "https://charts.bitnami.com/bitnami", "chart": "mariadb", "targetRevision": "20.2.1"},
    ]
    obj["status"]["sync"] = {"status": "Synced", "revisions": ["8c1f0e2d9a", "20.2.1"]}
    obj["status"]["history"] = [
        {"id": 0, "deployedAt": "2026-11-20T10:00:00Z", "revisions": ["77aa01b2c3", "20.1.0"],
         "sources": obj["spec"]["sources"], "initiatedBy": {"username": "admin"}},
        {"id": 1, "deployedAt": "2026-11-25T10:00:00Z", "deployStartedAt": "2026-11-25T09:59:50Z",
         "revisions": ["8c1f0e2d9a", "20.2.1"], "sources": obj["spec"]["sources"],
         "initiatedBy": {"automated": True}},
    ]
    row = parse_application(obj)
    assert row.sources == ("https://git.emberforge.games/ops/deploy.git apps/wiki @ main -> 8c1f0e2",
                           "https://charts.bitnami.com/bitnami mariadb @ 20.2.1 -> 20.2.1")
    assert row.history_ids == (0, 1)  # id 0 is a real first entry, not "missing"
    first, last = row.history
    assert first.revisions == ("77aa01b2c3", "20.1.0") and first.initiated_by == "admin"
    assert last.initiated_by == "automated" and last.deployed_at == "2026-11-25T10:00:00Z"
    assert last.sources[1] == "https://charts.bitnami.com/bitnami mariadb @ 20.2.1"
    assert row.to_json()["history"][1]["revisions"] == ["8c1f0e2d9a", "20.2.1"]  # snapshot --format json


def test_single_source_history_entry_and_rollback_label():
    from datetime import datetime, timezone

    from tui.core.actions.argocd import history_label

    row = parse_application(fixture_doc("argocd-application.yaml", "Application"))
    entry = row.history[-1]
    assert entry.id == 42 and len(entry.revisions) == 1 and entry.sources
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    label = history_label(entry, now)
    assert label.startswith(f"42  {entry.revisions[0][:7]}  deployed ") and " ago  " in label
    assert label.endswith(entry.sources[0])
