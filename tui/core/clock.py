"""An injectable clock, so ages ("stale since 14:03", "3m ago") are deterministic in tests."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to: snapshot tests and age arithmetic tests."""

    def __init__(self, at: datetime | str = "2026-11-26T14:05:00Z") -> None:
        parsed = parse_time(at) if isinstance(at, str) else at
        if parsed is None:
            raise ValueError(f"not an RFC 3339 time: {at!r}")
        self._now: datetime = parsed

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self._now = self._now + timedelta(seconds=seconds)


def parse_time(value: object) -> datetime | None:
    """RFC 3339 timestamp as the API writes it ("2026-11-26T14:05:00Z"), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def age(since: datetime | None, now: datetime) -> str:
    """Compact kubectl-style age: 45s, 12m, 3h, 5d."""
    if since is None:
        return "?"
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
