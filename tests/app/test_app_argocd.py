"""Pilot tests of the Argo CD keys over the demo: `d` shows why donate is OutOfSync (from the
emulator's Argo CD API, or from the kube API with what that cannot know), and the sync preview
carries the same diff."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.widgets import Select

from screens.app_diff import AppDiffScreen
from screens.app_tree import AppTreeScreen
from screens.confirm import ConfirmScreen, preview_text
from screens.detail import DetailScreen, facts_table
from screens.progress import ProgressScreen
from tests.support.app_support import make_app, press, screen_text, settle, synced, wait_until
from tui.emulator.demo import demo_objects

TOKEN = "pilot-argocd-token"


async def _on_app(pilot: Any, key: str) -> None:
    await synced(pilot)
    await press(pilot, "6")
    assert pilot.app.screen.select_key(key), key


async def test_d_on_donate_shows_the_hand_scaled_replicas_from_the_argo_cd_api(emulator_factory: Any) -> None:
    emu = emulator_factory(demo_objects(), controllers=False, argocd_token=TOKEN)
    app = make_app(emu, argocd_token=TOKEN)
    async with app.run_test(size=(100, 30)) as pilot:
        await _on_app(pilot, "argocd/donate")
        await press(pilot, "d")
        assert isinstance(app.screen, AppDiffScreen)
        await wait_until(pilot, lambda: app.screen.report is not None, 10, "the diff")
        text = screen_text(app)
        assert "Diff from the Argo CD API (managed-resources)" in text
        assert "Deployment/donate/donate  spec.replicas: 3 -> 2" in text
        assert "-  replicas: 3" in text and "+  replicas: 2" in text
        await press(pilot, "escape")
        assert not isinstance(app.screen, AppDiffScreen)


async def test_d_without_an_argo_cd_server_says_what_the_kube_api_cannot_know(emulator_factory: Any) -> None:
    emu = emulator_factory(demo_objects(), controllers=False)
    app = make_app(emu)
    async with app.run_test(size=(120, 30)) as pilot:
        await _on_app(pilot, "argocd/donate")
        await press(pilot, "d")
        await wait_until(pilot, lambda: app.screen.report is not None, 10, "the diff")
        text = " ".join(screen_text(app).split())
        assert "status.resources and the live objects (no Argo CD API configured)" in text
        assert "not git" in text
        assert "Deployment/donate/donate: no last-applied-configuration" in text


async def test_sync_preview_of_donate_carries_the_diff(emulator_factory: Any) -> None:
    emu = emulator_factory(demo_objects(), controllers=False, argocd_token=TOKEN)
    app = make_app(emu, argocd_token=TOKEN)
    async with app.run_test(size=(100, 40)) as pilot:
        await _on_app(pilot, "argocd/donate")
        await press(pilot, "s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the confirm dialog")
        preview = preview_text(app.screen.plan).plain
        assert "OutOfSync: Deployment/donate/donate" in preview
        assert "Deployment/donate/donate: spec.replicas: 3 -> 2" in preview
        assert "-  replicas: 3\n+  replicas: 2" in preview


async def test_rollback_on_an_auto_sync_app_walks_through_turning_auto_sync_off(emulator_factory: Any) -> None:
    """`R` on wiki (auto-sync on): step 1 turns auto-sync off (its own confirm; success only once the
    API shows it gone), f continues to the rollback picker listing the history; both steps audited."""
    emu = emulator_factory(demo_objects(), time_scale=30, argocd_token=TOKEN)
    app = make_app(emu, argocd_token=TOKEN)
    async with app.run_test(size=(110, 40)) as pilot:
        await _on_app(pilot, "argocd/wiki")
        await press(pilot, "R")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the auto-sync step")
        preview = preview_text(app.screen.plan).plain
        assert "Argo CD refuses a rollback of wiki while automated sync is on" in preview
        assert app.screen.plan.action_id == "app.autosync_off"
        await press(pilot, "ctrl+y")
        progress = await _done(pilot)
        assert progress.outcome.outcome == "succeeded", progress.outcome
        assert "automated" not in emu.get("applications", "argocd", "wiki")["spec"]["syncPolicy"]
        await press(pilot, "f")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the rollback picker")
        dialog = app.screen
        history = dialog.query_one("#opt-id", Select)
        labels = [str(label) for label, _ in history._options]
        assert labels[0].startswith("2  f9c51ab  deployed ") and "manifests/apps/wiki @ main" in labels[0]
        assert labels[1].startswith("1  7ef17b6  deployed ")
        dialog.query_one("#confirm-typed").focus()
        await press(pilot, *"wiki")
        await press(pilot, "ctrl+y")
        progress = await _done(pilot)
        assert progress.outcome.outcome == "succeeded", progress.outcome
    wiki = emu.get("applications", "argocd", "wiki")
    assert wiki["status"]["history"][-1]["revision"].startswith("f9c51ab")
    records = [json.loads(line) for line in (Path(app.config.state_dir) / "audit.jsonl").read_text().splitlines()]
    assert [(r["action"], r.get("outcome")) for r in records] == [
        ("app.autosync_off", "started"), ("app.autosync_off", "succeeded"),
        ("app.rollback", "started"), ("app.rollback", "succeeded")]


async def _done(pilot: Any) -> Any:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ProgressScreen), 10, "the progress screen")
    screen = pilot.app.screen
    await wait_until(pilot, lambda: screen.outcome is not None, 60, "the action to finish")
    await settle(pilot)
    return screen


async def test_enter_on_an_app_lists_its_resources_and_jumps_to_each_pane(emulator_factory: Any) -> None:
    emu = emulator_factory(demo_objects(), controllers=False)
    app = make_app(emu)

    async def open_tree(pilot: Any) -> Any:
        await app.jump_to("apps", "argocd/wiki")
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, AppTreeScreen)
        return app.screen.query_one("#tree")

    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        tree = await open_tree(pilot)
        text = screen_text(app)
        assert "Resources of wiki (13)" in text
        assert "project emberforge: no sync window applies" in text
        assert tree.keys[0] == "apps/StatefulSet/wiki/wiki-db"  # the Degraded one first
        assert "wiki/wiki-db" in text and "Degraded" in text
        await press(pilot, "d")  # the app's detail: its history entries read as their values
        assert isinstance(app.screen, DetailScreen)
        console = Console(width=200, record=True)
        console.print(facts_table(app.screen.row))
        facts = console.export_text()
        assert "1  7ef17b6107e6365f4822afe7725dc343d5783b87  2026-11-" in facts
        assert "{'" not in facts  # no Python dict repr
        for key, pane, row_key in (("apps/StatefulSet/wiki/wiki-db", "workloads", "StatefulSet/wiki/wiki-db"),
                                   ("traefik.io/IngressRoute/wiki/wiki", "routes", "IngressRoute/wiki/wiki")):
            assert (await open_tree(pilot)).select_key(key), key
            await press(pilot, "enter")
            await wait_until(pilot, lambda p=pane: app.current_mode == p, 5, pane)
            assert app.screen.table.cursor_key == row_key
        assert (await open_tree(pilot)).select_key("/PersistentVolumeClaim/wiki/wiki-db-data")
        await press(pilot, "enter")
        await wait_until(pilot, lambda: app.current_mode == "volumes", 5, "volumes")
        assert app.store.row("volumes", app.screen.table.cursor_key).pvc == "wiki/wiki-db-data"
        assert (await open_tree(pilot)).select_key("/ConfigMap/wiki/wiki-db-config")
        await press(pilot, "enter")  # no pane lists ConfigMaps: it says so, and stays
        assert isinstance(app.screen, AppTreeScreen)
        assert any("no pane lists ConfigMap objects" in n.message for n in app._notifications)


def _generated(name: str, app_set: str, health: str) -> dict[str, Any]:
    """An Application as the ApplicationSet controller writes it: owned by its set (controller ref)."""
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd", "ownerReferences": [
                {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "name": app_set,
                 "uid": "5b0f3c8e-2f0a-4c55-9a36-3d1b2f7f0c11", "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"project": "emberforge", "destination": {"server": "https://kubernetes.default.svc",
                                                              "namespace": name},
                     "source": {"repoURL": "https://git.emberforge.games/platform/previews.git",
                                "path": f"previews/{name}", "targetRevision": "HEAD"}},
            "status": {"sync": {"status": "Synced", "revision": "c0ffee1234"}, "health": {"status": health}}}


async def test_apps_generated_by_an_application_set_are_grouped(emulator_factory: Any) -> None:
    objects = demo_objects()
    app_set = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
               "metadata": {"name": "previews", "namespace": "argocd"},
               "spec": {"generators": [{"list": {"elements": [{"pr": "41"}, {"pr": "42"}]}}],
                        "template": {"metadata": {"name": "preview-{{pr}}"}, "spec": {}}}}
    objects += [app_set, _generated("preview-42", "previews", "Healthy"),
                _generated("preview-41", "previews", "Degraded")]
    project = next(o for o in objects if o["kind"] == "AppProject")
    project["spec"]["syncWindows"] = [{"kind": "allow", "schedule": "0 22 * * *", "duration": "6h",
                                       "applications": ["preview-*"]}]
    emu = emulator_factory(objects, controllers=False)
    app = make_app(emu)
    async with app.run_test(size=(160, 30)) as pilot:
        await _on_app(pilot, "argocd/preview-41")
        keys = app.screen.table.keys
        assert keys[-2:] == ["argocd/preview-41", "argocd/preview-42"]  # together, after the apps of no set
        assert "APPSET" in screen_text(app) and "previews" in screen_text(app)
        await press(pilot, "enter")
        text = screen_text(app)
        assert "generated by ApplicationSet previews" in text
        assert "project emberforge: outside every allow window (allow window '0 22 * * *' for 6h)" in text
        assert app.store.get("applicationsets", "argocd/previews") is not None  # a watched kind


async def test_demo_as_make_demo_starts_it_diffs_donate_through_its_argo_cd_api(tmp_path: Path) -> None:
    """The done-when on `clusterdeck --demo` itself (connect_demo: the emulator with its Argo CD API
    and a fresh token): `d` on donate shows the replicas that explain its OutOfSync."""
    from tui.app import ClusterDeckApp
    from tui.config import Config
    from tui.connection import connect_demo

    conn = connect_demo()
    try:
        assert conn.argocd_url and conn.argocd_token  # the console talks to Argo CD's API in the demo
        app = ClusterDeckApp(conn, Config(state_dir=tmp_path / "state"))
        async with app.run_test(size=(100, 30)) as pilot:
            await _on_app(pilot, "argocd/donate")
            await press(pilot, "d")
            await wait_until(pilot, lambda: app.screen.report is not None, 15, "the diff")
            text = screen_text(app)
            assert "Diff from the Argo CD API (managed-resources)" in text
            assert "-  replicas: 3" in text and "+  replicas: 2" in text
    finally:
        conn.close()
