"""The emulator's Argo CD managed-resources: real-shaped ResourceDiff items (JSON strings, an
absent side "null", Secrets masked) from the demo's rendered manifests vs the live objects, so the
OutOfSync donate app explains itself; and the kube-API fallback the console uses without a server."""
from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.actions_support import context
from tui.core.actions.argocd_diff_fetch import API_SOURCE, KUBE_SOURCE, app_diff
from tui.core.argocd_diff import changed_fields, report_lines
from tui.emulator.demo import demo_objects

TOKEN = "diff-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def emu(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False, argocd_token=TOKEN)


def _managed(emu: Any, app: str, **params: str) -> httpx.Response:
    return httpx.get(f"{emu.url}/api/v1/applications/{app}/managed-resources", headers=AUTH, params=params)


def test_donate_deployment_is_modified_by_its_hand_scaled_replicas(emu):
    answer = _managed(emu, "donate", appNamespace="argocd")
    assert answer.status_code == 200
    items = {(i.get("group", ""), i["kind"], i["name"]): i for i in answer.json()["items"]}
    dep = items[("apps", "Deployment", "donate")]
    assert dep["modified"] is True and dep["namespace"] == "donate"
    assert json.loads(dep["liveState"])["spec"]["replicas"] == 3
    assert json.loads(dep["targetState"])["spec"]["replicas"] == 2  # git (manifests/apps/donate)
    assert json.loads(dep["predictedLiveState"])["spec"]["replicas"] == 2
    assert "status" in json.loads(dep["liveState"])  # the raw live object, as upstream sends it
    unchanged = items[("", "Service", "donate")]
    assert "modified" not in unchanged and "group" not in unchanged  # omitempty, as upstream


def test_managed_resources_filters_and_refuses_like_the_server(emu):
    only = _managed(emu, "donate", kind="Service").json()["items"]
    assert [i["kind"] for i in only] == ["Service"]
    assert httpx.get(f"{emu.url}/api/v1/applications/donate/managed-resources").status_code == 401
    missing = _managed(emu, "nope")
    assert missing.status_code == 404 and missing.json()["code"] == 5


def test_console_diff_through_the_api_explains_donate(emu, tmp_path: Path):
    ctx = context(emu, tmp_path, argocd_url=emu.url, argocd_token=TOKEN)
    report = app_diff(ctx, "argocd", "donate")
    assert report.source == API_SOURCE and report.error is None
    [changed] = report.changed
    assert changed.ref == "Deployment/donate/donate"
    assert changed_fields(changed) == ["spec.replicas: 3 -> 2"]
    assert "-  replicas: 3" in report_lines(report) and "+  replicas: 2" in report_lines(report)


def test_console_diff_with_a_refused_token_says_so(emu, tmp_path: Path):
    ctx = context(emu, tmp_path, argocd_url=emu.url, argocd_token="wrong")
    report = app_diff(ctx, "argocd", "donate")
    assert report.error and "refused the token (401)" in report.error


def test_kube_fallback_diffs_against_what_argo_cd_last_applied(emulator_factory, tmp_path: Path):
    objects = demo_objects()
    dep = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "donate")
    applied = copy.deepcopy(dep)
    applied.pop("status")
    applied["spec"]["replicas"] = 2  # what Argo CD's client-side apply wrote
    dep["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(applied)
    emu = emulator_factory(objects, controllers=False)
    report = app_diff(context(emu, tmp_path), "argocd", "donate")
    assert report.source == KUBE_SOURCE and "not git" in report.caveats[0]
    assert [changed_fields(r) for r in report.changed] == [["spec.replicas: 3 -> 2"]]


def test_kube_fallback_without_last_applied_says_the_desired_state_is_unknown(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), controllers=False)
    report = app_diff(context(emu, tmp_path), "argocd", "donate")
    assert report.changed == ()
    [problem] = [r for r in report.resources if r.problem]
    assert problem.ref == "Deployment/donate/donate" and "desired state unknown" in problem.problem


def test_a_sync_puts_back_what_drifted_and_the_diff_is_gone(emulator_factory):
    emu = emulator_factory(demo_objects(), time_scale=30, argocd_token=TOKEN)
    answer = httpx.post(f"{emu.url}/api/v1/applications/donate/sync", headers=AUTH, json={"prune": False})
    assert answer.status_code == 200

    def synced() -> bool:
        app = emu.get("applications", "argocd", "donate")
        return app.get("operation") is None and (app["status"].get("operationState") or {}).get("phase") == "Succeeded"

    deadline = time.monotonic() + 10
    while not synced():
        assert time.monotonic() < deadline, "the sync did not finish"
        time.sleep(0.05)
    assert emu.get("deployments", "donate", "donate")["spec"]["replicas"] == 2
    items = _managed(emu, "donate").json()["items"]
    assert not any(i.get("modified") for i in items)
    assert {r["status"] for r in emu.get("applications", "argocd", "donate")["status"]["resources"]} == {"Synced"}
