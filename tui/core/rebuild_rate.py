"""How fast a replica rebuild goes, from the progress the engine reported over time, and so
when it will end. The engine gives only a percentage; the rate is what the console saw."""
from __future__ import annotations

from datetime import datetime, timedelta

from tui.core.clock import parse_time


class RebuildRates:
    """First sighting of each rebuild (replica address): (when, progress). A rebuild that went
    backwards (restarted) is seen afresh."""

    def __init__(self) -> None:
        self._first: dict[str, tuple[datetime, int]] = {}

    def eta(self, address: str, progress: int | None, now: datetime) -> str | None:
        """ISO time the rebuild should end, or None until it has moved since first seen."""
        if progress is None:
            return None
        first = self._first.get(address)
        if first is None or progress < first[1]:
            self._first[address] = (now, progress)
            return None
        seconds = (now - first[0]).total_seconds()
        gained = progress - first[1]
        if gained <= 0 or seconds <= 0:
            return None
        done = now + timedelta(seconds=(100 - progress) * seconds / gained)
        return done.strftime("%Y-%m-%dT%H:%M:%SZ")

    def forget_except(self, addresses: set[str]) -> None:
        for gone in [a for a in self._first if a not in addresses]:
            del self._first[gone]


def eta_left(eta_at: str | None, now: datetime) -> timedelta | None:
    at = parse_time(eta_at)
    return None if at is None else max(at - now, timedelta(0))
