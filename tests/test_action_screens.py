"""The action screens in the real app over the demo emulator, driven by the keyboard as a user
would (Pilot), asserting on what the emulator holds afterwards and on the audit log; plus
snapshots (80x24, frozen clock) of the confirm dialogs, the progress screen (running, failed)
and the Runs screen."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from app_support import make_app, press, settle, synced, wait_until
from screens.confirm import ConfirmScreen
from screens.progress import ProgressScreen
from screens.runs import RunsScreen
from tui.config import Config
from tui.core.actions import TICKET_ID, load_catalog, load_run, run_playbook
from tui.core.actions.ansible_model import write_meta
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


def _audit(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (tmp_path / "state" / "audit.jsonl").read_text().splitlines()]


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
    start, end = _audit(tmp_path)
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
    assert not (tmp_path / "state" / "audit.jsonl").exists()


async def test_read_only_dims_the_action_keys(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), controllers=False)
    app = make_app(emu, config=_config(tmp_path), read_only=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await _open_on(pilot, "6", "argocd/donate")
        assert app.actions.availability("app.sync", [app.store.row("apps", "argocd/donate")]) is None
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
    assert [r["action"] for r in _audit(tmp_path) if r["phase"] == "end"] == ["volume.mount", "volume.unmount"]
