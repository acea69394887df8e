"""Run by tests/install/test_wheel.py with the INSTALLED clusterdeck's interpreter, from a temp
directory: opens the app headless on the demo, presses `b` on the Nodes pane and reads the
catalog the picker offers, then runs the data import in check mode through the app's own
action wiring. Prints one JSON object: what a user would have seen."""
from __future__ import annotations

import asyncio
import json
import sys

from textual.widgets import OptionList

import tui
from screens.catalog import CatalogScreen
from tui.app import ClusterDeckApp
from tui.config import load_config
from tui.connection import connect_demo
from tui.core.actions import TICKET_ID, Done, VolumeMount


async def until(predicate, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise SystemExit(f"timed out waiting for {predicate}")
        await asyncio.sleep(0.05)


async def main() -> dict:
    app = ClusterDeckApp(connect_demo(), load_config())
    out: dict = {"tui_file": tui.__file__}
    async with app.run_test(size=(120, 40)) as pilot:
        await until(app.store.synced)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("b")
        await until(lambda: isinstance(app.screen, CatalogScreen))
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        out["catalog"] = [options.get_option_at_index(i).id for i in range(options.option_count)]
        out["catalog_problems"] = list(app.screen.catalog.problems)
        await pilot.press("escape")

        launcher = app.actions
        out["check_only"] = launcher.check_only
        ctx = launcher.context(launcher.frozen_view())
        mount = VolumeMount("longhorn-system/import-wiki-legacy")
        plan = await asyncio.to_thread(mount.plan, ctx, {"node": "hel-wk-02"})
        events = await asyncio.to_thread(lambda: list(launcher.runner.run(mount, ctx, plan)))
        done = events[-1]
        assert isinstance(done, Done)
        out["import"] = {"outcome": done.outcome, "message": done.message}
        va = app.connection.emulator.get("lh_attachments", "longhorn-system", "import-wiki-legacy")
        out["ticket_node"] = ((va["spec"].get("attachmentTickets") or {}).get(TICKET_ID) or {}).get("nodeID")
    return out


if __name__ == "__main__":
    json.dump(asyncio.run(main()), sys.stdout)
