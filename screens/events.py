"""Events: the cluster's events (`:events`) or one object's (`e` on any row), live from the store.

Aggregated as `kubectl events` does (one line per object, reason and message, with a count),
Warnings first, newest first; `/` filters; esc goes back to the screen it was opened from.
"""
from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text

from tui.core.parsers.events import seen_at
from tui.core.rows import EventRow
from tui.widgets import cells as c
from tui.widgets.resource_table import Column

from .pane import PaneScreen

# the kind an object of each layer has in an event's `regarding`
LAYER_EVENT_KIND = {
    "pods": "Pod", "nodes": "Node", "volumes": "Volume", "lh_nodes": "Node", "replicas": "Replica",
    "ip_pools": "IPAddressPool", "load_balancers": "Service", "apps": "Application",
}


def event_refs(layer: str, row: Any) -> tuple[str, ...]:
    """The `store.events_for` refs of a row's object ("Kind/ns/name"), plus the objects people
    think of as the same thing (a Longhorn volume's PVC)."""
    if layer == "workloads":
        return (row.key,)  # already "Kind/ns/name"
    if layer == "routes":
        return (f"{row.source}/{row.ref}",)
    if layer == "nodes":
        return (f"Node/{row.name}",)
    refs = [f"{LAYER_EVENT_KIND.get(layer, '')}/{row.key}" if layer in LAYER_EVENT_KIND else row.key]
    pvc = getattr(row, "pvc", None) if layer == "volumes" else None
    if pvc:
        refs.append(f"PersistentVolumeClaim/{pvc}")
    return tuple(refs)


# `e` on these shows their pods' events too: a workload's story is mostly its pods' (BackOff,
# Unhealthy), a volume's attach trouble is told on the pod that mounts it (FailedAttachVolume)
WITH_POD_EVENTS = ("workloads", "volumes", "apps")


def pod_refs(store: Any, layer: str, key: str) -> tuple[str, ...]:
    return tuple(f"Pod/{pod.key}" for pod in store.pods_of(layer, key))


def subject_events(store: Any, refs: tuple[str, ...]) -> list[EventRow]:
    """The aggregated events of those objects, each once."""
    seen: dict[str, EventRow] = {}
    for ref in refs:
        for event in store.events_for(ref):
            seen.setdefault(event.key, event)
    return list(seen.values())


def warnings_first(event: EventRow) -> tuple[bool, float, str]:
    when = seen_at(event)
    return (event.type != "Warning", -(when.timestamp() if when else 0.0), event.key)


def event_type(event: EventRow) -> Text:
    return Text(event.type, style=c.WARN if event.type == "Warning" else c.DIM)


class EventsScreen(PaneScreen):
    PANE = "events"
    TITLE = "Events"
    LAYER = "events"
    CSS_PATH = "events.tcss"
    IMPACT = False
    HELP = ("Events, aggregated as `kubectl events` does: one line per object, reason and message, "
            "with how often it happened and when last. Warnings first. /: filter; esc: back.")
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("last", "LAST", 4, cut="never"),
        Column("namespace", "NAMESPACE", 10, min_screen=110),
        Column("type", "TYPE", 7, min_screen=100),
        Column("reason", "REASON", 14, cut="end"),
        Column("object", "OBJECT", 18),
        Column("count", "×", 3, cut="never"),
        Column("message", "MESSAGE", 20, flex=True, cut="wrap"),
        Column("source", "FROM", 14, min_screen=140),
    )

    def __init__(self, subject: str | None = None, refs: tuple[str, ...] = (),
                 pods_of: tuple[str, str] | None = None) -> None:
        """All events, or (with refs) those of one object; `subject` names it in the title;
        `pods_of` (layer, key) adds the events of that row's pods, as they come and go."""
        super().__init__()
        self.subject = subject
        self.refs = refs
        self.pods_of = pods_of
        if subject:
            self.TITLE = f"Events of {subject}"  # type: ignore[misc]
        if len(refs) == 1 and pods_of is None:  # one object: named in the title, room for the message
            self.COLUMNS = tuple(col for col in self.COLUMNS if col.key not in ("object", "namespace"))  # type: ignore[misc]

    def source_rows(self) -> list[Any]:
        store = self.deck.store
        if not self.refs:
            return list(store.rows("events"))
        pods = pod_refs(store, *self.pods_of) if self.pods_of else ()
        return subject_events(store, self.refs + pods)

    def depends_on(self, layers: frozenset[str]) -> bool:
        return self.pods_of is not None and "pods" in layers

    def sort_key(self, row: EventRow) -> Any:
        return warnings_first(row)

    def cells(self, row: EventRow) -> tuple[Text, ...]:
        kind, _, name = row.object.partition("/")
        values = {
            "last": c.age_of(seen_at(row), self.deck.clock.now()),
            "namespace": c.plain(row.namespace),
            "type": event_type(row),
            "reason": Text(row.reason, style=c.WARN if row.type == "Warning" else ""),
            "object": Text(f"{kind.lower()}/{name}"),  # as `kubectl events` writes it
            "count": Text(str(row.count), style=c.DIM if row.count == 1 else ""),
            "message": Text(row.message),
            "source": c.plain(row.source),
        }
        return tuple(values[col.key] for col in self.COLUMNS)

    def update_title(self, table: Any, total: int) -> None:
        super().update_title(table, total)
        dropped = getattr(self.deck.store, "events_dropped", 0)
        if dropped and not self.filter_text:  # say so when the bounded store let older ones go
            table.border_subtitle = f"{dropped} older events dropped"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("detail", "impact", "row_events", "mark"):
            return False  # an aggregated line is not an object: its message is shown whole here
        return super().check_action(action, parameters)

    def action_detail(self) -> None:
        return  # enter on a line: nothing more to show than the line itself

    def action_clear(self) -> None:
        # esc clears the filter first; with nothing left to clear it goes back
        if self.filter_text:
            super().action_clear()
        else:
            self.app.pop_screen()
