"""Node maintenance from the keys, on the demo at 80x24: `2`, hel-wk-04, `D` shows the drain plan
(bot's database pod, its PDB, its volume, what moves), ctrl+y drains with live progress,
ctrl+c stops it with the node left cordoned (and says so), and `c` uncordons."""
from __future__ import annotations

from typing import Any

from tests.support.app_support import make_app, press, screen_text, synced, wait_until
from tui.emulator.demo import demo_objects


def _unschedulable(emu: Any, name: str) -> bool:
    return bool((emu.get("nodes", None, name).get("spec") or {}).get("unschedulable"))


async def test_drain_plan_progress_cancel_and_uncordon(emulator_factory):
    emu = emulator_factory(demo_objects(), time_scale=20)
    app = make_app(emu)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "2")
        assert app.screen.select_key("hel-wk-04")
        await press(pilot, "D")
        await wait_until(pilot, lambda: "Drain hel-wk-04" in screen_text(app), 20, "the drain plan")
        plan = screen_text(app)
        assert "evict bot/bot-db-0 (StatefulSet bot-db; app bot)  PDB bot/bot-db" in plan
        assert "PDB bot/bot-db: 0 disruptions allowed now" in plan
        assert not _unschedulable(emu, "hel-wk-04")  # a plan changes nothing

        await pilot.press("ctrl+y")  # not press(): that waits for the drain's worker to end
        await wait_until(pilot, lambda: "evicted donate/" in screen_text(app), 20, "live eviction progress")
        await wait_until(pilot, lambda: "bot/bot-db-0 refused (429), retrying" in screen_text(app),
                         20, "the PDB refusal, retried")
        assert _unschedulable(emu, "hel-wk-04")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: "hel-wk-04 stays cordoned" in screen_text(app), 20, "cancel's result")
        assert _unschedulable(emu, "hel-wk-04")

        await press(pilot, "escape")
        await wait_until(pilot, lambda: app.screen.select_key("hel-wk-04"), 10, "the Nodes pane again")
        await wait_until(pilot, lambda: getattr(app.screen.cursor_row(), "unschedulable", False), 20,
                         "the row showing cordoned")
        await press(pilot, "c")
        await wait_until(pilot, lambda: "Uncordon hel-wk-04" in screen_text(app), 20, "the uncordon plan")
        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: not _unschedulable(emu, "hel-wk-04"), 20, "the node uncordoned")
        await wait_until(pilot, lambda: "hel-wk-04 uncordoned" in screen_text(app), 20, "the evidence shown")
