"""Event -> EventRow, from either shape the API serves (events.k8s.io/v1 or core v1), and the
aggregation `kubectl events` does: one row per (object, reason, message) with a count."""
from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from tui.core.clock import parse_time
from tui.core.parsers.access import dig, dig_dict, dig_int, dig_str
from tui.core.rows import EventRow, object_key

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_event(obj: Any) -> EventRow:
    """One Event object. events.k8s.io/v1 names the object `regarding` and the text `note`;
    core v1 says `involvedObject` and `message`; both may carry a `series` of repeats."""
    regarding = dig_dict(obj, "regarding") or dig_dict(obj, "involvedObject")
    kind = dig_str(regarding, "kind") or "?"
    name = dig_str(regarding, "name") or "?"
    # the object's namespace: a Node's events live in "default" but the Node has none
    namespace = dig_str(regarding, "namespace")
    reason = dig_str(obj, "reason") or ""
    message = _one_line(dig_str(obj, "note") or dig_str(obj, "message") or "")
    first = (dig_str(obj, "deprecatedFirstTimestamp") or dig_str(obj, "firstTimestamp")
             or dig_str(obj, "eventTime"))
    last = _newest([dig_str(obj, "series", "lastObservedTime"), dig_str(obj, "eventTime"),
                    dig_str(obj, "deprecatedLastTimestamp"), dig_str(obj, "lastTimestamp"), first])
    count = max(dig_int(obj, "series", "count") or 0, dig_int(obj, "deprecatedCount") or 0,
                dig_int(obj, "count") or 0, 1)
    source = (dig_str(obj, "reportingController") or dig_str(obj, "reportingComponent")
              or dig_str(obj, "deprecatedSource", "component") or dig_str(obj, "source", "component"))
    ref = f"{kind}/{name}"
    return EventRow(
        namespace=namespace,
        object=ref,
        type=dig_str(obj, "type") or "Normal",
        reason=reason,
        message=message,
        count=count,
        last_seen=last,
        key=event_key(namespace, ref, reason, message),
        first_seen=first,
        source=source,
        object_key=object_key(namespace, name) if dig(regarding, "name") else None,
    )


def event_key(namespace: str | None, ref: str, reason: str, message: str) -> str:
    """Stable across runs (the message is long, so it is kept as a checksum)."""
    digest = zlib.crc32(message.encode("utf-8", "replace")) & 0xFFFFFFFF
    return f"{namespace or ''}/{ref}/{reason}/{digest:08x}"


def aggregate(events: Iterable[EventRow]) -> list[EventRow]:
    """Repeats of one (object, reason, message) folded into one row: counts summed, first and
    last seen widened, the newest event's type and source kept."""
    groups: dict[str, EventRow] = {}
    for event in events:
        seen = groups.get(event.key)
        if seen is None:
            groups[event.key] = event
            continue
        newer = event if _later(event.last_seen, seen.last_seen) else seen
        groups[event.key] = EventRow(
            namespace=event.namespace,
            object=event.object,
            type=newer.type,
            reason=event.reason,
            message=event.message,
            count=seen.count + event.count,
            last_seen=newer.last_seen,
            key=event.key,
            first_seen=_oldest([seen.first_seen, event.first_seen]),
            source=newer.source,
            object_key=event.object_key or seen.object_key,
        )
    return list(groups.values())


def events_by_object(rows: Iterable[EventRow]) -> dict[str, list[EventRow]]:
    """Rows by the object they are about, newest first, under both "ns/name" and "Kind/ns/name"."""
    out: dict[str, list[EventRow]] = {}
    for row in rows:
        if row.object_key is None:
            continue
        kind = row.object.split("/", 1)[0]
        for ref in (row.object_key, f"{kind}/{row.object_key}"):
            out.setdefault(ref, []).append(row)
    for listed in out.values():
        listed.sort(key=lambda r: seen_at(r) or _EPOCH, reverse=True)
    return out


def object_last_seen(obj: Any) -> datetime:
    """When an Event object last happened, in either API shape (the epoch when it says nothing)."""
    for path in (("series", "lastObservedTime"), ("eventTime",), ("deprecatedLastTimestamp",),
                 ("lastTimestamp",), ("metadata", "creationTimestamp")):
        seen = api_time(dig_str(obj, *path))
        if seen is not None:
            return seen
    return _EPOCH


def seen_at(event: EventRow) -> datetime | None:
    return api_time(event.last_seen)


@lru_cache(maxsize=4096)  # the same few timestamps are compared again at every rebuild
def api_time(value: str | None) -> datetime | None:
    """An API timestamp as an aware datetime (one without a zone is read as UTC)."""
    parsed = parse_time(value)
    return parsed.replace(tzinfo=UTC) if parsed is not None and parsed.tzinfo is None else parsed


def _later(a: str | None, b: str | None) -> bool:
    ta, tb = api_time(a), api_time(b)
    return ta is not None and (tb is None or ta > tb)


def _newest(values: list[str | None]) -> str | None:
    best: str | None = None
    for value in values:
        if _later(value, best):
            best = value
    return best


def _oldest(values: list[str | None]) -> str | None:
    best: str | None = None
    for value in values:
        if value is not None and (best is None or _later(best, value)):
            best = value
    return best


def _one_line(text: str) -> str:
    return " ".join(text.split())
