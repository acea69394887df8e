"""Helpers of the fault suite (and bench/soak.py): real sources into a real store, applied on the
test's thread (the one-thread rule); object churn through the emulator; key latency as a user
sees it; live FooterKey widgets."""
from __future__ import annotations

import asyncio
import copy
import gc
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.widgets._footer import FooterKey

from tui.core import kube_http
from tui.core.clock import SystemClock
from tui.core.events import SourceEvent
from tui.core.kinds import KINDS
from tui.core.sources import Backoff, SourceSet
from tui.core.store import ClusterStore


class LiveStore:
    """A SourceSet over `url` feeding a ClusterStore; `until(pred)` applies events while waiting."""

    def __init__(self, url: str, keys: tuple[str, ...] | None = None, backoff: Backoff | None = None) -> None:
        self.store = ClusterStore(SystemClock())
        self._queue: queue.SimpleQueue[SourceEvent] = queue.SimpleQueue()
        kinds = [KINDS[k] for k in keys] if keys else None
        extra = {"backoff": backoff} if backoff is not None else {}
        self.sources = SourceSet(kube_http.client_for(url), self._queue.put, kinds=kinds, **extra)
        self.sources.start()

    def pump(self) -> None:
        while True:
            try:
                self.store.handle(self._queue.get_nowait())
            except queue.Empty:
                return

    def until(self, predicate: Callable[[ClusterStore], bool], timeout: float, what: str) -> float:
        """Seconds it took until `predicate(store)` held; fails after `timeout`."""
        start = time.monotonic()
        while True:
            self.pump()
            if predicate(self.store):
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise AssertionError(f"not within {timeout}s: {what}; health: "
                                     f"{ {k: h.state.value for k, h in self.store.health().items()} }")
            time.sleep(0.02)

    def stop(self) -> None:
        self.sources.stop()


def volume_state(store: ClusterStore, name: str) -> tuple[Any, Any]:
    row = next((r for r in store.rows("volumes") if r.name == name), None)
    return (row.state, row.robustness) if row is not None else (None, None)


RATE = 100  # object changes per second, as in the issue


def churn(emu: Any, stop: threading.Event, rate: float = RATE) -> threading.Thread:
    """Changes to every Longhorn volume's status at `rate` per second until `stop`."""
    volumes = emu.list("lh_volumes")

    def run() -> None:
        i = 0
        while not stop.is_set():
            vol = copy.deepcopy(volumes[i % len(volumes)])
            vol.setdefault("status", {})["actualSize"] = str(1_000_000 + i)
            vol["metadata"].pop("resourceVersion", None)
            emu.upsert(vol)
            i += 1
            stop.wait(1.0 / rate)

    thread = threading.Thread(target=run, daemon=True, name="churn")
    thread.start()
    return thread


async def key_latency(app: Any, key: str) -> float:
    """Seconds from a key reaching the app to the table's cursor having moved (the user's view)."""
    table = app.screen.table
    before = table.cursor_row
    started = time.perf_counter()
    app.post_message(events.Key(key, key))
    while table.cursor_row == before and time.perf_counter() - started < 5:
        await asyncio.sleep(0.002)
    took = time.perf_counter() - started
    await asyncio.sleep(0.2)  # keys at a human pace
    return took


def live_footer_keys() -> int:
    """FooterKey widgets alive in this process (attached or leaked)."""
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, FooterKey))


