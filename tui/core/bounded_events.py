"""The store keeps only the newest N Event objects: a busy cluster writes thousands an hour,
and an incident console must not grow without bound. It says how many it let go. (Events are
held packed with the time they last happened, TimedPacked: ordering them decodes nothing.)"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tui.core.packed import Held, TimedPacked
from tui.core.parsers.events import object_last_seen


def last_seen(held: Held) -> datetime:
    """When an Event object, as the store holds it, last happened."""
    return held.seen if isinstance(held, TimedPacked) else object_last_seen(held)


class EventsBound:
    """Trims an events bucket (key -> object, oldest first) to `limit` objects."""

    def __init__(self, limit: int = 5000) -> None:
        self.limit = max(1, limit)
        # events the API holds that the store does not: those cut from the last list, plus
        # those evicted by newer ones since (a relist counts afresh, so nothing twice)
        self.dropped = 0

    def relisted(self, bucket: dict[str, Held], listed: int | None = None) -> dict[str, Held]:
        """A fresh list, ordered oldest first and cut to the newest `limit`. `listed`: how many
        the list held, when its source kept only the newest already."""
        ordered = sorted(bucket.items(), key=lambda item: last_seen(item[1]))
        cut = max(0, len(ordered) - self.limit)
        self.dropped = max(cut, (listed or 0) - self.limit)
        return dict(ordered[cut:])

    def paged(self, bucket: dict[str, Held]) -> dict[str, Held]:
        """A list still paging in: the bucket cut to the newest `limit` (it counts at its end)."""
        if len(bucket) <= self.limit:
            return bucket
        return dict(sorted(bucket.items(), key=lambda item: last_seen(item[1]))[-self.limit:])

    def added(self, bucket: dict[str, Held], key: str) -> None:
        """One event arrived or repeated: it is now the newest; the oldest go past the limit."""
        bucket[key] = bucket.pop(key)
        while len(bucket) > self.limit:
            del bucket[next(iter(bucket))]
            self.dropped += 1


def keep_newest(limit: int) -> Callable[[list[Held]], list[Held]]:
    """For a source listing events, after each page: of what it listed so far, the newest
    `limit` once it holds twice that (50,000 events are not held at once when the store keeps
    5,000; the store makes the last cut)."""
    def keep(objects: list[Held]) -> list[Held]:
        return sorted(objects, key=last_seen)[-limit:] if len(objects) > 2 * limit else objects
    return keep
