"""From watch threads to widgets: sources → store (on the event loop) → coalesced StoreChanged.

Source threads call `deliver(event)`; it hops onto the event loop with `call_soon_threadsafe`,
so only the loop mutates the store. A change is announced soon after it lands (10 ms, to gather a
burst) and at most `refresh_hz` times a second (less often while redraws take longer than that): one StoreChanged says which layers moved, so a
burst of 500 watch events costs one redraw, and a lone change shows within 1/refresh_hz. A slow
ticker (≤ 4 Hz) moves the clock (certificate expiry) and catches anything else.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.timer import Timer

from tui.config import MAX_HZ, MIN_HZ
from tui.core.events import SourceEvent, SourceHealth
from tui.core.layers import LAYER_IDS

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger(__name__)


class StoreChanged(Message):
    """The store moved: `layers` changed since the last announcement; `health` is True when a
    source's health changed."""

    def __init__(self, version: int, layers: frozenset[str], health: bool) -> None:
        super().__init__()
        self.version = version
        self.layers = layers
        self.health = health

    def can_replace(self, message: Message) -> bool:
        # Textual asks the queued (older) message whether the next one may supersede it: if the
        # loop fell behind, keep only the newest, carrying over what this one announced
        if isinstance(message, StoreChanged):
            message.layers = message.layers | self.layers
            message.health = message.health or self.health
            return True
        return False


class StoreBridge:
    """Owns the SourceSet's hand-over into the loop and the redraw ticker."""

    def __init__(self, app: App[Any], store: Any, refresh_hz: float = 20.0) -> None:
        self.app = app
        self.store = store
        self.gap = 1.0 / max(MIN_HZ, min(MAX_HZ, refresh_hz))  # between two announcements, at least
        self.interval = max(self.gap, 0.25)  # the ticker's
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: asyncio.TimerHandle | None = None  # the announcement a change scheduled
        self._last_post = 0.0  # loop time of the last announcement
        self._redraw_s = 0.0  # what the last announcement cost the screens
        self._seen_version: int = -1
        self._seen_health: Mapping[str, SourceHealth] = {}
        self._timer: Timer | None = None
        self.errors: list[str] = []  # events the store refused, for the log and tests
        self.generation = 0  # bumped when the app switches to another cluster

    def bind_loop(self) -> None:
        self._loop = asyncio.get_running_loop()

    def deliver(self, event: SourceEvent) -> None:
        """Called from a source thread: queue the event for the loop, never block."""
        self._deliver(self.generation, event)

    def deliver_for_now(self) -> Deliver:
        """A deliver bound to the current store: after `rebind`, a late event from the old
        cluster's threads is dropped instead of landing in the new cluster's store."""
        generation = self.generation
        return lambda event: self._deliver(generation, event)

    def rebind(self, store: Any) -> None:
        """A new store (another cluster): announce everything afresh at the next tick."""
        self.generation += 1
        self.store = store
        self._seen_version, self._seen_health = -1, {}

    def _deliver(self, generation: int, event: SourceEvent) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._apply, generation, event)
        except RuntimeError:  # loop closed while the app exits
            pass

    def _apply(self, generation: int, event: SourceEvent) -> None:
        if generation != self.generation:
            return
        try:
            self.store.handle(event)
        except Exception as exc:
            log.exception("store refused %r", type(event).__name__)
            self.errors.append(f"{type(event).__name__}: {exc}")
        self._announce_soon()

    def _announce_soon(self) -> None:
        """Announce what changed shortly, unless an announcement is already on its way."""
        loop = self._loop
        if self._pending is not None or loop is None or self._timer is None:
            return
        # a redraw that took long (a screen that reads every row) spaces the next one twice as far
        # apart: keys stay answered while changes pour in
        wait = max(GATHER_S, self._last_post + max(self.gap, 2 * self._redraw_s) - loop.time())
        self._pending = loop.call_later(wait, self._announce)

    def redrawn_in(self, seconds: float) -> None:
        """How long the screens took to redraw for the last announcement."""
        self._redraw_s = seconds

    def _announce(self) -> None:
        self._pending = None
        self.tick()

    def start_ticker(self) -> None:
        self._timer = self.app.set_interval(self.interval, self.tick, name="store-ticker")

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self._loop = None

    def tick(self) -> StoreChanged | None:
        """Post StoreChanged if the store or any source health moved since the last tick."""
        self.store.advance_clock()  # time alone changes some rows (a certificate nearing expiry)
        version = self.store.version
        health = dict(self.store.health())
        health_moved = health != self._seen_health
        if version == self._seen_version and not health_moved:
            return None
        layers = frozenset(self.store.changed_layers(self._seen_version)) \
            if self._seen_version >= 0 else frozenset(LAYERS)
        self._seen_version, self._seen_health = version, health
        if self._loop is not None:
            self._last_post = self._loop.time()
        message = StoreChanged(version, layers, health_moved)
        self.app.post_message(message)
        return message


GATHER_S = 0.01  # a change waits this long for the rest of its burst

LAYERS = LAYER_IDS  # every row layer: what the first announcement says changed

Deliver = Callable[[SourceEvent], None]
