"""The live/desired diff of an Argo CD app: managed-resources answers as the server serialises
them, noise dropped, Secrets masked with what changed still visible, and the kube fallback."""
from __future__ import annotations

import json
from pathlib import Path

from tui.core.argocd_diff import (
    DiffReport,
    ResourceDiff,
    changed_fields,
    diff_lines,
    mask_secret_pair,
    parse_managed_resources,
    predicted,
    report_lines,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "argocd" / "managed-resources.json"


def _diffs() -> dict[str, ResourceDiff]:
    return {d.ref: d for d in parse_managed_resources(json.loads(FIXTURE.read_text()))}


def test_hooks_are_left_out_and_absent_sides_are_none():
    diffs = _diffs()
    assert "Job/media/db-migrate" not in diffs
    pvc = diffs["PersistentVolumeClaim/media/jellyfin-cache"]
    assert pvc.live is None and pvc.desired is not None and pvc.modified
    assert changed_fields(pvc) == ["not in the cluster: a sync creates it"]


def test_deployment_diff_shows_the_image_and_drops_server_noise():
    dep = _diffs()["Deployment/media/jellyfin"]
    lines = diff_lines(dep)
    assert "-      - image: jellyfin/jellyfin:10.9.11" in lines
    assert "+      - image: jellyfin/jellyfin:10.10.3" in lines
    text = "\n".join(lines)
    for noise in ("managedFields", "resourceVersion", "uid:", "readyReplicas", "deployment.kubernetes.io/revision"):
        assert noise not in text
    assert changed_fields(dep) == [
        'spec.template.spec.containers[0].image: "jellyfin/jellyfin:10.9.11" -> "jellyfin/jellyfin:10.10.3"']


def test_unchanged_resource_has_no_diff():
    assert diff_lines(_diffs()["Service/media/jellyfin"]) == []


def test_secret_keys_stay_values_never_show_and_the_changed_key_differs():
    live = {"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "s"},
            "data": {"password": "aHVudGVyMg==", "user": "YWRtaW4="}}
    desired = {"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "s"},
               "data": {"password": "czNjcjN0", "user": "YWRtaW4="}}
    res = ResourceDiff("", "Secret", "media", "s", live, desired, modified=True)
    text = "\n".join(diff_lines(res))
    assert "aHVudGVyMg" not in text and "czNjcjN0" not in text and "YWRtaW4" not in text
    assert "-  password: ++++++++\n+  password: ++++++++++++" in text
    assert "\n   user: ++++++++" in text  # the key is there, unchanged: a context line
    masked_live, masked_desired = mask_secret_pair(live, desired)
    assert masked_live["data"]["user"] == masked_desired["data"]["user"]  # unchanged stays equal


def test_secret_masked_by_the_server_stays_distinct():
    secret = _diffs()["Secret/media/jellyfin-api"]
    assert changed_fields(secret) == ['data.apiKey: "++++++++" -> "++++++++++++"']


def test_malformed_state_is_reported_not_raised():
    data = {"items": [{"kind": "ConfigMap", "name": "x", "liveState": "{not json", "targetState": "[]"},
                      "garbage", {"kind": "ConfigMap"}]}
    diffs = parse_managed_resources(data)
    assert diffs[0].problem == "liveState is not valid JSON; targetState is not an object"
    assert diffs[1].ref == "ConfigMap/?"
    assert parse_managed_resources({"items": "nope"}) == [] and parse_managed_resources(None) == []


def test_predicted_merges_named_lists_so_defaults_are_not_drift():
    live = {"spec": {"containers": [{"name": "a", "image": "x:1", "terminationMessagePath": "/dev/t"}],
                     "replicas": 3}}
    applied = {"spec": {"containers": [{"name": "a", "image": "x:2"}], "replicas": 2}}
    assert predicted(live, applied) == {"spec": {"containers": [
        {"name": "a", "image": "x:2", "terminationMessagePath": "/dev/t"}], "replicas": 2}}


def test_report_says_where_the_diff_came_from_and_what_differs():
    lines = report_lines(DiffReport("the Argo CD API (managed-resources)", tuple(_diffs().values())))
    assert lines[0] == "Diff from the Argo CD API (managed-resources)."
    assert any(line.startswith("Deployment/media/jellyfin: spec.template.spec.containers[0].image") for line in lines)
    assert "No difference" not in "\n".join(lines)
    assert report_lines(DiffReport("x", error="Argo CD API: 403")) == ["Diff from x.", "No diff: Argo CD API: 403"]
