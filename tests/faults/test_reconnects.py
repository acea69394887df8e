"""Watch streams cut again and again: the app keeps up and leaks no threads, fds or memory
(1,000 reconnects)."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from tests.faults.support import LiveStore
from tui.core.events import SourceState
from tui.emulator.demo import demo_objects

KEYS = ("nodes", "lh_volumes", "applications")


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_1000_cut_watches_leak_nothing_and_lose_no_change(swappable_api: Any) -> None:
    api = swappable_api(demo_objects(), controllers=False)
    emu = api.emulator
    live = LiveStore(api.url, KEYS)
    try:
        live.until(lambda s: all(s.health()[k].state is SourceState.OK for k in KEYS), 10, "first lists")
        live.until(lambda s: len(emu.store.watchers) == len(KEYS), 10, "every kind watching")
        threads, fds, rss = threading.active_count(), len(os.listdir("/proc/self/fd")), _rss_kb()
        started = time.monotonic()
        for i in range(1000):
            emu.drop_watches()
            live.until(lambda s: len(emu.store.watchers) == len(KEYS), 10, f"re-watch {i}")
            if i == 500:  # a change made mid-way still arrives
                node = emu.get("nodes", None, "hel-wk-01")
                node["metadata"].setdefault("labels", {})["soak"] = "yes"
                emu.upsert(node)
        took = time.monotonic() - started
        live.until(lambda s: (s.get("nodes", "hel-wk-01") or {}).get("metadata", {}).get("labels", {}).get("soak")
                   == "yes", 5, "the mid-way change")
        assert all(h.state is SourceState.OK for k, h in live.store.health().items() if k in KEYS)
        print(f"1000 reconnects in {took:.1f}s; threads {threads} -> {threading.active_count()}, "
              f"fds {fds} -> {len(os.listdir('/proc/self/fd'))}, RSS {rss // 1024} -> {_rss_kb() // 1024} MB")
        assert threading.active_count() <= threads + 2
        assert len(os.listdir("/proc/self/fd")) <= fds + 10
        assert _rss_kb() < rss * 1.2 + 10_000
    finally:
        live.stop()
