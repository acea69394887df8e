"""The action screens in the real app over the demo emulator, driven by the keyboard as a user
would (Pilot), asserting on what the emulator holds afterwards and on the audit log; plus
snapshots (80x24, frozen clock) of the confirm dialogs, the progress screen (running, failed)
and the Runs screen."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from screens.confirm import ConfirmScreen
from screens.progress import ProgressScreen
from screens.runs import RunsScreen
from tests.support.app_support import make_app, press, settle, synced, wait_until
from tests.support.screen_host import ScreenHost, tree_from_json
from tui.config import Config
from tui.core.actions import TICKET_ID, load_run
from tui.emulator.demo import demo_objects


def _config(tmp_path: Path) -> Config:
    return Config(state_dir=tmp_path / "state")


async def _open_on(pilot: Any, pane_key: str, row_key: str) -> None:
    await synced(pilot)
    await press(pilot, pane_key)
    assert pilot.app.screen.select_key(row_key), row_key
    await settle(pilot)


async def _wait_done(pilot: Any, timeout: float = 60.0) -> ProgressScreen:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ProgressScreen), 10, "the progress screen")
    screen = pilot.app.screen
    await wait_until(pilot, lambda: screen.outcome is not None, timeout, "the action to finish")
    await settle(pilot)
    return screen


def _audit(app: Any) -> list[dict[str, Any]]:
    path = Path(app.config.state_dir) / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_sync_an_out_of_sync_app_from_the_keyboard(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=30)
    app = make_app(emu, config=_config(tmp_path))
    async with app.run_test(size=(100, 32)) as pilot:
        await _open_on(pilot, "6", "argocd/donate")
        await press(pilot, "s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the confirm dialog")
        assert "donate" in app.screen.plan.title
        await press(pilot, "ctrl+y")
        screen = await _wait_done(pilot)
        assert screen.outcome.outcome == "succeeded", screen.outcome
    assert emu.get("applications", "argocd", "donate")["status"]["sync"]["status"] == "Synced"
    start, end = _audit(app)
    assert (start["action"], start["target"], end["outcome"]) == ("app.sync", "argocd/donate", "succeeded")
    assert start["context"] == "emberforge-demo"


async def test_restart_a_deployment_with_its_progress(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=10)
    app = make_app(emu, config=_config(tmp_path))
    async with app.run_test(size=(100, 32)) as pilot:
        await _open_on(pilot, "7", "Deployment/donate/donate")
        await press(pilot, "t")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the confirm dialog")
        await press(pilot, "ctrl+y")
        screen = await _wait_done(pilot)
        assert screen.outcome.outcome == "succeeded", screen.outcome
        bar = screen.query_one("#progress-bar")
        assert bar.total == 3 and bar.progress == 3
    template = emu.get("deployments", "donate", "donate")["spec"]["template"]
    assert "kubectl.kubernetes.io/restartedAt" in template["metadata"]["annotations"]


async def test_destructive_confirm_needs_the_typed_name(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), controllers=False)
    app = make_app(emu, config=_config(tmp_path))
    async with app.run_test(size=(100, 32)) as pilot:
        await _open_on(pilot, "6", "argocd/donate")
        await press(pilot, "s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the confirm dialog")
        dialog = app.screen
        dialog.query_one("#opt-prune").value = True  # the prune toggle: re-plans as destructive
        await wait_until(pilot, lambda: dialog.plan.danger == "destructive", 10, "the re-plan")
        await settle(pilot)
        assert dialog.query_one("#confirm-ok").disabled
        await press(pilot, "ctrl+y")
        assert app.screen is dialog  # nothing happens without the name
        dialog.query_one("#confirm-typed").focus()
        await press(pilot, *"donate")
        assert not dialog.query_one("#confirm-ok").disabled
        await press(pilot, "escape")
    assert emu.get("applications", "argocd", "donate").get("operation") is None
    assert _audit(app) == []


async def test_read_only_refuses_and_says_so(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), controllers=False)
    app = make_app(emu, config=_config(tmp_path), read_only=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await _open_on(pilot, "6", "argocd/donate")
        await press(pilot, "s")
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("read-only" in n.message for n in app._notifications)
    assert emu.get("applications", "argocd", "donate").get("operation") is None


async def test_attach_then_detach_a_volume_from_the_keyboard(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=30)
    app = make_app(emu, config=_config(tmp_path))
    async with app.run_test(size=(100, 32)) as pilot:
        await _open_on(pilot, "3", "longhorn-system/import-wiki-legacy")
        await press(pilot, "m")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the confirm dialog")
        dialog = app.screen
        dialog.query_one("#opt-maintenance").value = True
        await wait_until(pilot, lambda: dialog.plan.choices.get("maintenance") is True, 10, "the re-plan")
        await settle(pilot)
        await press(pilot, "ctrl+y")
        screen = await _wait_done(pilot)
        assert screen.outcome.outcome == "succeeded", screen.outcome
        await press(pilot, "escape")
        va = emu.get("lh_attachments", "longhorn-system", "import-wiki-legacy")
        node = va["spec"]["attachmentTickets"][TICKET_ID]["nodeID"]
        assert emu.get("lh_volumes", "longhorn-system", "import-wiki-legacy")["status"]["currentNodeID"] == node
        await wait_until(pilot, lambda: app.actions.availability(
            "volume.unmount", [app.store.row("volumes", "longhorn-system/import-wiki-legacy")]) is True,
            10, "the store to see our ticket")
        await press(pilot, "u")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the confirm dialog")
        await press(pilot, "ctrl+y")
        screen = await _wait_done(pilot)
        assert screen.outcome.outcome == "succeeded", screen.outcome
    assert emu.get("lh_volumes", "longhorn-system", "import-wiki-legacy")["status"]["state"] == "detached"
    assert [r["action"] for r in _audit(app) if r["phase"] == "end"] == ["volume.mount", "volume.unmount"]


# -- snapshots ----------------------------------------------------------------------------------

SIZE = (80, 24)


def test_snapshot_progress_failed(snap_compare, past_runs):
    tree = load_run(past_runs / "runs" / "20261126-140100-aaaaaa")
    assert tree.status == "failed"
    from tui.core.actions import Done

    done = Done(**json.loads((past_runs.parent / "failed_done.json").read_text()))
    assert done.outcome == "failed"
    assert snap_compare(ScreenHost(lambda: ProgressScreen("Three (run)", tree=tree, outcome=done)), terminal_size=SIZE)


def test_snapshot_progress_running(snap_compare, past_runs):
    live = tree_from_json(json.loads((past_runs.parent / "live.json").read_text()))
    assert live.status == "running"
    assert snap_compare(ScreenHost(lambda: ProgressScreen("Slow (run)", tree=live, cancel=lambda: None)),
                        terminal_size=SIZE)


def test_snapshot_runs_screen(snap_compare, past_runs):
    assert snap_compare(ScreenHost(lambda: RunsScreen(past_runs)), terminal_size=SIZE)


def _confirm_dialog(emu: Any, tmp_path: Path, action: Any, choices: dict[str, Any]) -> Any:
    """The dialog as the launcher builds it: options and plan from the core over the emulator's data
    (shown on a bare app, so a change to the pane behind it does not move this snapshot)."""
    from tests.support.actions_support import context

    ctx = context(emu, tmp_path / "state")
    options = action.options(ctx.store, ctx)
    merged = {**action.default_choices(ctx.store, ctx), **choices}
    plan = action.plan(ctx, merged)
    return ScreenHost(lambda: ConfirmScreen(plan, options, merged))


def test_snapshot_confirm_sync_with_prune(snap_compare, emulator_factory, tmp_path):
    from tui.core.actions import AppSync

    emu = emulator_factory(demo_objects(), controllers=False)
    app = _confirm_dialog(emu, tmp_path, AppSync("argocd/donate"), {"prune": True})
    assert snap_compare(app, terminal_size=SIZE)


def test_snapshot_confirm_volume_mount(snap_compare, emulator_factory, tmp_path):
    from tui.core.actions import VolumeMount

    emu = emulator_factory(demo_objects(), controllers=False)
    app = _confirm_dialog(emu, tmp_path, VolumeMount("longhorn-system/import-wiki-legacy"), {})
    assert snap_compare(app, terminal_size=SIZE)


async def test_check_run_from_the_nodes_pane_then_reopened_from_runs(emulator_factory, tmp_path):
    """b on a node -> catalog -> check run (the demo inventory: this machine, --check) with its
    tree live -> H lists it -> enter reopens it in the same view."""
    emu = emulator_factory(demo_objects(), controllers=False)
    app = make_app(emu, config=_config(tmp_path))
    async with app.run_test(size=(100, 32)) as pilot:
        await _open_on(pilot, "2", "hel-wk-01")
        await press(pilot, "b")
        from screens.catalog import CatalogScreen

        await wait_until(pilot, lambda: isinstance(app.screen, CatalogScreen), 10, "the catalog")
        ids = [e.id for e in app.screen.catalog.pickable()]
        assert "volume-mount" not in ids  # run by the Volumes pane's flow, not offered here
        await press(pilot, *["down"] * ids.index("node-reboot"), "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the confirm dialog")
        dialog = app.screen
        assert dialog.plan.danger == "safe" and "Check mode" in " ".join(dialog.plan.lines)
        dialog.query_one("#opt-reboot_timeout").value = "120"
        await wait_until(pilot, lambda: "  reboot_timeout = 120" in dialog.plan.lines, 10, "the re-plan")
        await press(pilot, "ctrl+y")
        screen = await _wait_done(pilot, timeout=90)
        assert screen.outcome.outcome == "succeeded", screen.outcome
        tree = screen.run_tree
        assert tree.check and {h.host for t in tree.tasks() for h in t.hosts} == {"hel-wk-01"}
        assert screen.follow_up is None  # the demo inventory never runs for real
        await press(pilot, "escape", "H")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen), 10, "the Runs screen")
        assert [r.run_id for r in app.screen.runs] == [tree.run_id]
        await press(pilot, "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ProgressScreen), 10, "the replay")
        replay = app.screen.run_tree
        assert [t.name for t in replay.tasks()] == [t.name for t in tree.tasks()]
    end = [r for r in _audit(app) if r["phase"] == "end"]
    assert end[0]["action"] == "playbook" and end[0]["artifact"] == tree.run_dir


async def test_production_context_needs_the_name_typed_for_any_change(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=10)
    app = make_app(emu, config=_config(tmp_path), context="emberforge-prod")
    async with app.run_test(size=(100, 32)) as pilot:
        await _open_on(pilot, "7", "Deployment/donate/donate")
        await press(pilot, "t")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the confirm dialog")
        dialog = app.screen
        assert dialog.plan.danger == "disruptive" and dialog.plan.confirm_name == "donate"
        await press(pilot, "ctrl+y")
        assert app.screen is dialog  # refused until typed
        dialog.query_one("#confirm-typed").focus()
        await press(pilot, *"donate", "enter")
        screen = await _wait_done(pilot)
        assert screen.outcome.outcome == "succeeded", screen.outcome
    assert _audit(app)[0]["context"] == "emberforge-prod"
