"""Defect 7: recovery. Connection errors retry at most 5 s apart (ok within 10 s of the API's
return), 403/404 are rechecked within 30 s, the banner says when the next attempt is and how old
the data is, and `r` retries at once."""
from __future__ import annotations

import random
import time
from typing import Any

from tests.faults.support import LiveStore
from tests.support.app_support import make_app, press, synced, wait_until
from tui.core.events import SourceState
from tui.core.sources import Backoff
from tui.emulator.demo import demo_objects


def test_default_backoff_never_waits_past_recovery_targets() -> None:
    policy, rng = Backoff(), random.Random(7)
    assert max(policy.delay(attempt, rng) for attempt in range(1, 200)) <= 5.0  # + a list < 10 s
    assert policy.settled <= 30.0


def test_outage_then_back_is_ok_within_10_seconds(swappable_api: Any) -> None:
    api = swappable_api(demo_objects(), controllers=False)
    live = LiveStore(api.url, ("nodes", "lh_volumes"))  # the default backoff, as users get it
    try:
        def ok(s: Any) -> bool:
            return all(s.health()[k].state is SourceState.OK for k in ("nodes", "lh_volumes"))

        live.until(ok, 10, "first list")
        api.down()
        live.until(lambda s: s.health()["nodes"].state is SourceState.STALE, 10, "stale")
        time.sleep(8)  # long enough for the backoff to reach its cap
        live.pump()
        stale = live.store.health()["nodes"]
        assert stale.retry_at is not None and stale.retry_at > stale.since  # the banner can count down
        api.back()
        took = live.until(ok, 10, "every source ok again")
        print(f"recovered {took:.1f}s after the API came back")
        assert took < 10
    finally:
        live.stop()


async def test_banner_counts_down_and_r_retries_now(emulator_factory: Any) -> None:
    emu = emulator_factory(demo_objects(), controllers=False)
    app = make_app(emu)
    app.source_backoff = Backoff(first=8.0, factor=1.0, cap=8.0, settled=8.0)  # slow: only `r` is quick
    async with app.run_test(size=(120, 30)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        port = emu.port
        emu.stop()
        banner = app.screen.query_one("SourceBanner")
        await wait_until(pilot, lambda: any("retrying in" in t.text for t in banner.troubles), 10,
                         "a countdown in the banner")
        text = " ".join(t.text for t in banner.troubles)
        assert "stale since 14:05, 0s ago (connection refused), retrying in" in text, text
        assert "r: retry now" in str(banner.render())
        emu.start(port)
        started = time.monotonic()
        await press(pilot, "r")
        await wait_until(pilot, lambda: all(h.state is SourceState.OK for h in app.store.layer_health("volumes")),
                         6, "volumes ok again after r")
        assert time.monotonic() - started < 6  # the 8 s wait was cut short
        await press(pilot, "3")
        assert not banner.troubles
