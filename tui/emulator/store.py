"""The emulator's objects, one global resourceVersion counter and the event log watches replay.

Only the emulator's event-loop thread touches an ObjectStore (the Emulator marshals calls
from other threads), so there is no locking here.
"""
from __future__ import annotations

import asyncio
import builtins
import json
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tui.emulator import finalizers
from tui.emulator.omitempty import drop_zero_counts
from tui.emulator.resources import Resource, ServedResources

LOG_LIMIT = 50_000  # events kept for watch replay; older resourceVersions answer 410
_UID_NAMESPACE = uuid.UUID("6f1c2a52-3d5e-4a8e-9b0c-2d7f4c1e9a10")


def clone(value: Any) -> Any:
    """Deep copy of JSON-shaped data; several times faster than copy.deepcopy on 20k objects."""
    if type(value) is dict:
        return {k: clone(v) for k, v in value.items()}
    if type(value) is list:
        return [clone(v) for v in value]
    return value


def as_map(value: Any) -> dict[str, Any]:
    """`value` if it is a mapping, else {}: seeds may hold half-filled or wrong-typed objects."""
    return value if isinstance(value, dict) else {}


class ApiError(Exception):
    """An error the API answers with a Status object."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}
        self.list_meta: dict[str, Any] = {}  # e.g. the `continue` an expired page's 410 carries

    def status(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": dict(self.list_meta),
                               "status": "Failure", "message": self.message,
                               "reason": self.reason, "code": self.code}
        if self.details:
            out["details"] = self.details
        return out


def not_found(res: Resource, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{res.qualified} "{name}" not found',
                    {"name": name, "group": res.group, "kind": res.plural})


def expired(requested: int, oldest: int) -> ApiError:
    return ApiError(410, "Expired", f"too old resource version: {requested} ({oldest})")


@dataclass(frozen=True)
class WatchEvent:
    rv: int
    resource: Resource
    type: str  # ADDED / MODIFIED / DELETED
    obj: dict[str, Any]
    old: dict[str, Any] | None = None


@dataclass(eq=False)
class Watcher:
    """One open watch stream: events it should see are queued for its HTTP handler."""

    resource: Resource
    namespace: str | None
    matches: Callable[[dict[str, Any]], bool]
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)

    def offer(self, ev: WatchEvent) -> None:
        meta = ev.obj.get("metadata") or {}
        if ev.resource != self.resource:
            return
        if self.namespace and meta.get("namespace") != self.namespace:
            return
        now = self.matches(ev.obj) and ev.type != "DELETED"
        before = ev.old is not None and self.matches(ev.old)
        if now:
            self.queue.put_nowait(("ADDED" if ev.type == "MODIFIED" and not before else ev.type, ev.obj))
        elif before:  # deleted, or moved out of the selector: the real API says DELETED
            self.queue.put_nowait(("DELETED", ev.obj))

    def close(self) -> None:
        self.queue.put_nowait(None)


def _spec_part(obj: dict[str, Any], res: Resource) -> dict[str, Any]:
    """What a generation bump looks at: everything but metadata (and status, when a subresource)."""
    skip = {"metadata", "status"} if res.status_subresource else {"metadata"}
    return {k: v for k, v in obj.items() if k not in skip}


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def strip(o: dict[str, Any]) -> dict[str, Any]:
        meta = {k: v for k, v in (o.get("metadata") or {}).items() if k != "resourceVersion"}
        return {**o, "metadata": meta}

    return strip(a) == strip(b)


class ObjectStore:
    def __init__(self, table: ServedResources, now: Callable[[], datetime]) -> None:
        self.table = table
        self.now = now
        self.rv = 0
        self.floor = 0  # watches/lists from a resourceVersion below this get 410
        self._objects: dict[Resource, dict[tuple[str, str], dict[str, Any]]] = {}
        self._encoded: dict[int, bytes] = {}  # id(stored object) -> its JSON, for fast lists
        self._log: deque[WatchEvent] = deque()
        self.watchers: set[Watcher] = set()
        self.listeners: list[Callable[[WatchEvent], None]] = []

    # ---- reads -------------------------------------------------------------------------
    def get(self, res: Resource, namespace: str | None, name: str) -> dict[str, Any] | None:
        obj = self._objects.get(res, {}).get(((namespace or "") if res.namespaced else "", name))
        return clone(obj) if obj is not None else None

    def list(self, res: Resource, namespace: str | None = None,
             matches: Callable[[dict[str, Any]], bool] | None = None) -> list[dict[str, Any]]:
        out = []
        for (ns, _), obj in sorted(self._objects.get(res, {}).items()):
            if namespace and res.namespaced and ns != namespace:
                continue
            if matches is None or matches(obj):
                out.append(obj)
        return out  # not copied: callers serialise or copy

    def bucket(self, res: Resource) -> dict[tuple[str, str], dict[str, Any]]:
        """The live objects of `res` by (namespace, name): read-only for callers."""
        return self._objects.get(res, {})

    def encoded(self, obj: dict[str, Any]) -> bytes:
        """JSON of a stored object (as returned by list()), cached until the object is replaced."""
        data = self._encoded.get(id(obj))
        if data is None:
            data = self._encoded[id(obj)] = json.dumps(obj, separators=(",", ":")).encode()
        return data

    def events_since(self, res: Resource, rv: int) -> builtins.list[WatchEvent]:  # `list` is a method here
        if rv < self.floor:
            raise expired(rv, self.floor)
        return [ev for ev in self._log if ev.rv > rv and ev.resource == res]

    # ---- writes ------------------------------------------------------------------------
    def _stamp(self, res: Resource, new: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
        meta = dict(new.get("metadata") or {})
        new["apiVersion"], new["kind"] = res.api_version, res.kind
        if not res.namespaced:
            meta.pop("namespace", None)
        old_meta = (old or {}).get("metadata") or {}
        seed_id = f"{res.api_version}/{res.kind}/{meta.get('namespace', '')}/{meta['name']}"
        meta["uid"] = old_meta.get("uid") or meta.get("uid") or str(uuid.uuid5(_UID_NAMESPACE, seed_id))
        meta["creationTimestamp"] = (old_meta.get("creationTimestamp") or meta.get("creationTimestamp")
                                     or self.now().strftime("%Y-%m-%dT%H:%M:%SZ"))
        for mark in ("deletionTimestamp", "deletionGracePeriodSeconds"):  # only DELETE sets them
            if mark in old_meta:
                meta.setdefault(mark, old_meta[mark])
        generation = int(old_meta.get("generation") or meta.get("generation") or 1)
        if old is not None and _spec_part(new, res) != _spec_part(old, res):
            generation += 1
        meta["generation"] = generation
        new["metadata"] = meta
        drop_zero_counts(res.api_version, res.kind, new)  # served as the API serialises it
        return new

    def write(self, res: Resource, obj: dict[str, Any], **how: Any) -> dict[str, Any]:
        """Create or replace one object; emits ADDED/MODIFIED unless nothing changed.

        Keywords: create_only (409 if it exists), must_exist (404 if not; 409 on a stale
        resourceVersion), subresource="status" (only status changes), keep_status (a main
        resource write cannot change status). Returns a copy of the stored object."""
        return clone(self._put(res, obj, **how))

    def _put(self, res: Resource, obj: dict[str, Any], *, create_only: bool = False,
             must_exist: bool = False, subresource: str | None = None,
             keep_status: bool = False, dry_run: bool = False) -> dict[str, Any]:
        meta = obj.get("metadata") or {}
        name = meta.get("name")
        if not name or not isinstance(name, str):
            raise ApiError(422, "Invalid", f"{res.kind} is invalid: metadata.name: Required value")
        ns = str(meta.get("namespace") or "") if res.namespaced else ""
        if res.namespaced and not ns:
            raise ApiError(422, "Invalid", f"{res.kind} {name!r} is invalid: metadata.namespace: Required value")
        bucket = self._objects.setdefault(res, {})
        old = bucket.get((ns, name))
        if old is not None and create_only:
            raise ApiError(409, "AlreadyExists", f'{res.qualified} "{name}" already exists',
                           {"name": name, "group": res.group, "kind": res.plural})
        if old is None and must_exist:
            raise not_found(res, name)
        sent_rv = meta.get("resourceVersion")
        if old is not None and must_exist and sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
            raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {res.qualified} "{name}": '
                           "the object has been modified; please apply your changes to the latest "
                           "version and try again", {"name": name, "group": res.group, "kind": res.plural})
        new = clone(obj)
        if old is not None and subresource == "status":
            new = {**clone(old), "status": new.get("status")}
            if new["status"] is None:
                new.pop("status")
        elif old is not None and keep_status and res.status_subresource:
            new.pop("status", None)
            if "status" in old:
                new["status"] = clone(old["status"])
        new = self._stamp(res, new, old)
        if old is not None and _same_content(new, old):
            return old
        if dry_run:  # every check above was made; what would be stored is answered, nothing is kept
            new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"] if old else ""
            return new
        self.rv += 1
        new["metadata"]["resourceVersion"] = str(self.rv)
        bucket[(ns, name)] = new
        if old is not None:
            self._encoded.pop(id(old), None)
        self._emit(WatchEvent(self.rv, res, "MODIFIED" if old else "ADDED", new, old))
        if old is not None and finalizers.ready_to_remove(new) and bucket.get((ns, name)) is new:
            self.delete(res, ns, name)  # the last finalizer was written away: the object goes
        return new

    def delete(self, res: Resource, namespace: str | None, name: str, dry_run: bool = False,
               finalize: bool = True) -> dict[str, Any]:
        """Remove one object; with finalizers (and `finalize`) only mark it (see finalizers.py)."""
        key = ((namespace or "") if res.namespaced else "", name)
        if dry_run:
            found = self._objects.get(res, {}).get(key)
            if found is None:
                raise not_found(res, name)
            return clone(found)
        old = self._objects.get(res, {}).get(key)
        if old is None:
            raise not_found(res, name)
        if finalize and finalizers.pending(old):  # held: marked for deletion, removed when the last finalizer goes
            return self.write(res, finalizers.marked(old, self.now().strftime("%Y-%m-%dT%H:%M:%SZ")))
        del self._objects[res][key]
        self._encoded.pop(id(old), None)
        self.rv += 1
        gone = clone(old)
        gone["metadata"]["resourceVersion"] = str(self.rv)
        self._emit(WatchEvent(self.rv, res, "DELETED", gone, old))
        return gone

    def _emit(self, ev: WatchEvent) -> None:
        self._log.append(ev)
        while len(self._log) > LOG_LIMIT:
            self.floor = self._log.popleft().rv
        for w in list(self.watchers):
            w.offer(ev)
        for listener in list(self.listeners):
            listener(ev)

    def seed(self, objects: builtins.list[dict[str, Any]]) -> None:
        """Load objects without logging events: a watch from before the seed answers 410."""
        for obj in objects:
            res = self.table.for_object_or_new(obj)
            self._put(res, obj)
        self._log.clear()
        self.floor = self.rv

    def compact(self) -> None:
        """Forget the event log: every older resourceVersion now answers 410 Gone."""
        self._log.clear()
        self.floor = self.rv
