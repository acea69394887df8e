"""Defect 6: secrets never shown. The detail YAML masks Secret data embedded in
last-applied-configuration, env values named *PASSWORD* / *TOKEN* / *SECRET*, and Helm values;
the repr of Config and ActionContext (what a crash screen prints) holds no token."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.app_support import make_app, press, screen_text, synced
from tui.config import Config
from tui.core.actions import ActionContext
from tui.core.clock import FrozenClock
from tui.core.parsers.workloads import workload_key
from tui.core.secrets import LAST_APPLIED, mask_object
from tui.emulator.demo import demo_objects

DB_PASSWORD = "hunter2-db-root"
SECRET_B64 = "c3VwZXItc2VjcmV0LWJhc2U2NA=="
API_TOKEN = "tok-3f9a7c1e5b"
HELM_PASSWORD = "helm-admin-pass-77"


def _leaky(obj: dict[str, Any]) -> None:
    """wiki-db as `kubectl apply` leaves it when a Secret was applied in the same file."""
    applied = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "wiki-db"},
               "data": {"root-password": SECRET_B64}, "stringData": {"token": API_TOKEN}}
    obj["metadata"].setdefault("annotations", {})[LAST_APPLIED] = json.dumps(applied)
    container = obj["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [{"name": "MARIADB_ROOT_PASSWORD", "value": DB_PASSWORD},
                        {"name": "API_TOKEN", "value": API_TOKEN},
                        {"name": "TZ", "value": "Europe/Helsinki"}]


def test_mask_object_hides_every_kind_of_secret_value() -> None:
    secret = {"kind": "Secret", "metadata": {"name": "s"}, "data": {"password": SECRET_B64},
              "stringData": {"token": API_TOKEN}}
    helm = {"kind": "HelmChartConfig", "metadata": {"name": "traefik"},
            "spec": {"valuesContent": f"dashboard:\n  password: {HELM_PASSWORD}\nports: {{web: 80}}\n"}}
    app = {"kind": "Application", "metadata": {"name": "wiki"}, "spec": {"source": {"helm": {
        "values": f"adminPassword: {HELM_PASSWORD}\n",
        "parameters": [{"name": "auth.rootPassword", "value": HELM_PASSWORD}, {"name": "replicas", "value": "2"}],
        "valuesObject": {"auth": {"password": HELM_PASSWORD}}}}}}
    for obj in (secret, helm, app):
        shown = json.dumps(mask_object(obj))
        assert SECRET_B64 not in shown and API_TOKEN not in shown and HELM_PASSWORD not in shown, shown
    assert mask_object(secret)["data"] == {"password": "********"}  # the key stays visible
    assert '"replicas", "value": "2"' in json.dumps(mask_object(app))
    assert "ports" in mask_object(helm)["spec"]["valuesContent"]
    assert mask_object(["not", "an", "object"]) == ["not", "an", "object"]


async def test_detail_yaml_of_a_workload_shows_no_secret(emulator_factory: Any) -> None:
    objects = demo_objects()
    for obj in objects:
        if obj.get("kind") == "StatefulSet" and obj["metadata"]["name"] == "wiki-db":
            _leaky(obj)
    app = make_app(emulator_factory(objects, controllers=False))
    async with app.run_test(size=(220, 400)) as pilot:
        await synced(pilot)
        await press(pilot, "7")
        assert app.screen.select_key(workload_key("StatefulSet", "wiki", "wiki-db"))
        await press(pilot, "enter", "y")
        shown = screen_text(app)
        assert "MARIADB_ROOT_PASSWORD" in shown and "Europe/Helsinki" in shown, shown
        for secret in (DB_PASSWORD, SECRET_B64, API_TOKEN):
            assert secret not in shown


def test_repr_of_config_and_action_context_holds_no_token(tmp_path: Path) -> None:
    config = Config(argocd_token=API_TOKEN, argocd_server="https://argocd.example")
    ctx = ActionContext(api_client=None, store=None, clock=FrozenClock(), state_dir=tmp_path,
                        argocd_url="https://argocd.example", argocd_token=API_TOKEN)
    assert API_TOKEN not in repr(config) and API_TOKEN not in repr(ctx)
    assert config.argocd_token == API_TOKEN  # still there for the code that needs it
