"""Soak: the console at 100 object changes/s with the Volumes pane open (issue 13).

    .venv/bin/python bench/soak.py [--minutes 30] [--rate 100]

Headless (Textual's test driver), over the demo emulator, changes streamed into every Longhorn
volume's status. Every 10 s: RSS, threads, open fds, live FooterKey widgets; a j/k key every
second, timed from the key reaching the app to the cursor having moved. Prints memory growth
after the first minute's warm-up and key latency p50/p99/max. Goals: growth under 10 %, p99
under 100 ms. The test suite runs a time-scaled version (tests/faults/test_footer_soak.py).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faults.support import churn, key_latency, live_footer_keys
from tests.support.app_support import make_app, press, synced
from tui.emulator import Emulator, store as emulator_store
from tui.emulator.demo import demo_objects

# The emulator shares this process, so its watch-replay log (50,000 whole objects by default,
# about 8 minutes of this churn) would be counted as the console's growth. A short window
# keeps RSS about the console; reconnect replay is not what this bench measures.
emulator_store.LOG_LIMIT = 2_000


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def soak(minutes: float, rate: float) -> int:
    emu = Emulator(demo_objects(), controllers=False)
    emu.start()
    app = make_app(emu)
    stop = threading.Event()
    samples: list[tuple[float, float, int, int, int]] = []
    latencies: list[float] = []
    warmup = min(60.0, minutes * 60 / 5)
    async with app.run_test(size=(120, 30)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        thread = churn(emu, stop, rate)
        started = time.monotonic()
        next_sample = started
        i = 0
        while time.monotonic() - started < minutes * 60:
            latency = await key_latency(app, "j" if i % 8 < 4 else "k")
            if time.monotonic() - started > warmup:
                latencies.append(latency)
            i += 1
            await asyncio.sleep(max(0.0, 0.8 - latency))
            if time.monotonic() >= next_sample:
                samples.append((time.monotonic() - started, rss_mb(), threading.active_count(), open_fds(),
                                live_footer_keys()))
                print("t=%5.0fs rss=%6.1f MB threads=%d fds=%d footer_keys=%d" % samples[-1], flush=True)
                next_sample += 10
        stop.set()
        thread.join(2)
    emu.stop()
    after_warmup = [s for s in samples if s[0] >= warmup] or samples
    first, last = after_warmup[0], after_warmup[-1]
    growth = (last[1] - first[1]) / first[1] * 100
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"\nsoak {minutes:g} min at {rate:g} changes/s, Volumes pane open")
    print(f"RSS after warm-up {first[1]:.1f} MB -> {last[1]:.1f} MB at the end: {growth:+.1f} % (goal < 10 %)")
    print(f"threads {first[2]} -> {last[2]}, fds {first[3]} -> {last[3]}, FooterKey widgets {first[4]} -> {last[4]}")
    print(f"keys: {len(latencies)} timed, p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms (goal p99 < 100 ms)")
    return 0 if growth < 10 and p99 < 0.1 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=100.0)
    args = parser.parse_args()
    return asyncio.run(soak(args.minutes, args.rate))


if __name__ == "__main__":
    sys.exit(main())
