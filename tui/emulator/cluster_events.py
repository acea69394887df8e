"""Events as the controllers and kubelet record them, served as events.k8s.io/v1 and core v1.

The real API server stores one object and serves it in both groups; the emulator writes the
two shapes side by side (same namespace and name). Repeats of the same (object, reason,
message) are one event whose count/series grows, as client-go's aggregating recorder does.
Only the newest MAX_EVENTS are kept (the real server drops events after a TTL).
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from tui.emulator.store import ObjectStore, as_map

MAX_EVENTS = 2000


def regarding(obj: dict[str, Any], field_path: str = "") -> dict[str, Any]:
    meta = as_map(obj.get("metadata"))
    ref = {"kind": obj.get("kind", ""), "namespace": meta.get("namespace", ""), "name": meta.get("name", ""),
           "uid": meta.get("uid", ""), "apiVersion": obj.get("apiVersion", "v1"),
           "resourceVersion": meta.get("resourceVersion", "")}
    if field_path:
        ref["fieldPath"] = field_path
    return {k: v for k, v in ref.items() if v or k in ("kind", "name")}


def event_pair(ref: dict[str, Any], type_: str, reason: str, note: str, *, component: str, host: str,
               first: str, last: str, count: int, action: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    """(core v1 Event, events.k8s.io/v1 Event) for one aggregated occurrence."""
    namespace = ref.get("namespace") or "default"
    key = f"{ref.get('uid') or ref.get('name')}/{reason}/{note}"
    name = f"{ref.get('name')}.{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    meta = {"name": name, "namespace": namespace, "creationTimestamp": first}
    source = {"component": component, **({"host": host} if host else {})}
    instance = f"{component}-{host}" if host else component
    core = {"apiVersion": "v1", "kind": "Event", "metadata": dict(meta), "involvedObject": dict(ref),
            "reason": reason, "message": note, "source": source, "firstTimestamp": first,
            "lastTimestamp": last, "count": count, "type": type_, "eventTime": None,
            "reportingComponent": component, "reportingInstance": instance}
    modern: dict[str, Any] = {
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": dict(meta),
        "eventTime": first.replace("Z", ".000000Z"), "reportingController": component,
        "reportingInstance": instance, "action": action or reason, "reason": reason, "regarding": dict(ref),
        "note": note, "type": type_, "deprecatedSource": source, "deprecatedFirstTimestamp": first,
        "deprecatedLastTimestamp": last, "deprecatedCount": count}
    if count > 1:
        modern["series"] = {"count": count, "lastObservedTime": last.replace("Z", ".000000Z")}
    return core, modern


class EventRecorder:
    """Writes aggregated events into the store (both API groups)."""

    def __init__(self, store: ObjectStore, stamp: Callable[[], str]) -> None:
        self.store, self.stamp = store, stamp
        self.core = store.table.for_path("", "v1", "events")
        self.modern = store.table.for_path("events.k8s.io", "v1", "events")
        self._order: OrderedDict[tuple[str, str], None] = OrderedDict()

    def record(self, obj: dict[str, Any], type_: str, reason: str, note: str, *, component: str,
               host: str = "", field_path: str = "", action: str = "") -> None:
        if self.core is None or self.modern is None:
            return
        ref = regarding(obj, field_path)
        now = self.stamp()
        core, modern = event_pair(ref, type_, reason, note, component=component, host=host,
                                  first=now, last=now, count=1, action=action)
        ns, name = core["metadata"]["namespace"], core["metadata"]["name"]
        old = self.store.get(self.core, ns, name)
        if old is not None:  # a repeat: one event, counted
            count = int(old.get("count") or 1) + 1
            core, modern = event_pair(ref, type_, reason, note, component=component, host=host,
                                      first=str(old.get("firstTimestamp") or now), last=now, count=count,
                                      action=action)
        self.store.write(self.core, core)
        self.store.write(self.modern, modern)
        self._order.pop((ns, name), None)
        self._order[(ns, name)] = None
        while len(self._order) > MAX_EVENTS:
            (old_ns, old_name), _ = self._order.popitem(last=False)
            for res in (self.core, self.modern):
                if self.store.get(res, old_ns, old_name) is not None:
                    self.store.delete(res, old_ns, old_name)
