"""Cron schedules as Longhorn's RecurringJobs write them (robfig/cron: five fields, `@daily`
style macros, month and weekday names): enough to say how often a job runs, so that a volume
whose newest backup is older than that reads as overdue."""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
           "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_NAMES = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
          "oct": 10, "nov": 11, "dec": 12, "sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_LOOKBACK_DAYS = 400  # a yearly job still has two runs in view


class CronError(ValueError):
    pass


def _number(text: str) -> int:
    value = _NAMES.get(text.lower())
    if value is not None:
        return value
    if not text.isdigit():
        raise CronError(f"not a number: {text!r}")
    return int(text)


def _field(text: str, low: int, high: int) -> frozenset[int]:
    out: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = _number(step_text) if step_text else 1
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            a, b = base.split("-", 1)
            start, end = _number(a), _number(b)
        else:
            start = _number(base)
            end = high if step_text else start
        if step < 1 or start < low or end > high or start > end:
            raise CronError(f"out of range: {part!r}")
        out.update(range(start, end + 1, step))
    return frozenset(out)


@lru_cache(maxsize=64)
def parse(expression: str) -> tuple[frozenset[int], ...]:
    """(minutes, hours, days of month, months, weekdays 0-6, dom restricted, dow restricted)."""
    text = _MACROS.get(expression.strip(), expression.strip())
    parts = text.split()
    if len(parts) != 5:
        raise CronError(f"{expression!r}: want five fields")
    fields = [_field(p, lo, hi) for p, (lo, hi) in zip(parts, _RANGES, strict=True)]
    fields[4] = frozenset(d % 7 for d in fields[4])  # 7 is Sunday too
    restricted = frozenset({2} if parts[2] not in ("*", "?") else set()) | \
        frozenset({4} if parts[4] not in ("*", "?") else set())
    return (*fields, restricted)


def _day_matches(day: datetime, fields: tuple[frozenset[int], ...]) -> bool:
    _, _, dom, months, dow, restricted = fields
    if day.month not in months:
        return False
    in_dom, in_dow = day.day in dom, (day.isoweekday() % 7) in dow
    if 2 in restricted and 4 in restricted:
        return in_dom or in_dow  # cron's rule: either day field may match
    return in_dom and in_dow


def fires(expression: str, at: datetime) -> bool:
    """Whether the schedule starts a run in the minute `at` (a naive or zone-local time)."""
    fields = parse(expression)
    return at.minute in fields[0] and at.hour in fields[1] and _day_matches(at, fields)


def previous_runs(expression: str, now: datetime, count: int = 2) -> list[datetime]:
    """The newest `count` run times at or before now, newest first (fewer when none in 400 days)."""
    fields = parse(expression)
    minutes, hours = sorted(fields[0], reverse=True), sorted(fields[1], reverse=True)
    out: list[datetime] = []
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(_LOOKBACK_DAYS):
        if _day_matches(day, fields):
            for hour in hours:
                for minute in minutes:
                    at = day.replace(hour=hour, minute=minute)
                    if at <= now:
                        out.append(at)
                        if len(out) == count:
                            return out
        day -= timedelta(days=1)
    return out


def interval(expression: str, now: datetime) -> timedelta | None:
    """The time between the job's two latest runs; None for a schedule that is not valid cron
    or runs less than twice in 400 days."""
    try:
        runs = previous_runs(expression, now)
    except CronError:
        return None
    return runs[0] - runs[1] if len(runs) == 2 else None
