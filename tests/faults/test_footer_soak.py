"""Defect 3: memory under churn. Object changes stream in while the Volumes pane is open; the
footer must not be rebuilt when the keys that apply did not change (each rebuild used to leave
its FooterKey widgets alive), and keys must stay quick. The 30-minute soak is `make bench`
(bench/soak.py); this is its time-scaled version."""
from __future__ import annotations

import threading
from typing import Any

from tests.faults.support import churn, key_latency, live_footer_keys
from tests.support.app_support import make_app, press, synced
from tui.emulator.demo import demo_objects


async def test_churn_on_the_volumes_pane_keeps_footer_widgets_flat(emulator_factory: Any) -> None:
    emu = emulator_factory(demo_objects(), controllers=False)
    app = make_app(emu)
    stop = threading.Event()
    async with app.run_test(size=(120, 30)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        thread = churn(emu, stop)
        try:
            await pilot.pause(2.0)  # warm-up
            warm = live_footer_keys()
            latencies = [await key_latency(app, "j" if i % 8 < 4 else "k") for i in range(24)]
            after = live_footer_keys()
        finally:
            stop.set()
            thread.join(2)
    latencies.sort()
    print(f"FooterKey widgets: {warm} after warm-up, {after} after churn; "
          f"key median {latencies[len(latencies) // 2] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
    assert after <= warm + 20, f"FooterKey widgets grew {warm} -> {after} under churn"
    assert latencies[len(latencies) // 2] < 0.4, latencies  # loose: the CPU is shared; bench has p99
