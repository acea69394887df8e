"""`limit`/`continue` paging of lists, every page read from the first page's resourceVersion.

A continue token has the real API server's shape: base64 of {"v": "meta.k8s.io/v1", "rv": N,
"start": "<key of the last object sent>\\x00"}. A later page reads the store *as of* rv: the
current objects with every logged event newer than rv undone (each event keeps the object it
replaced), so objects written between pages neither repeat nor go missing. A token therefore
lives as long as the store's history reaches back to its rv: once the store forgets that far
(LOG_LIMIT events later, or Emulator.compact() in tests) it answers 410 Expired, as a real
server does after etcd compacts.
"""
from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.emulator.resources import Resource
from tui.emulator.store import ApiError, ObjectStore

Key = tuple[str, str]  # (namespace or "", name): the store's and etcd's order
SNAPSHOTS_KEPT = 8  # per process; a miss is rebuilt from the event log, so this is only speed


@dataclass(frozen=True)
class Snapshot:
    keys: list[Key]
    objects: list[dict[str, Any]]


@dataclass
class Page:
    items: list[dict[str, Any]]
    encoded: list[bytes]
    resource_version: int
    meta: dict[str, Any]  # continue / remainingItemCount, as ListMeta spells them


def encode_token(rv: int, start: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(token: str) -> tuple[int, str]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if raw.get("v") != "meta.k8s.io/v1":
            raise ValueError(f"unexpected version {raw.get('v')!r}")
        rv, start = int(raw["rv"]), str(raw["start"])
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as exc:
        raise ApiError(400, "BadRequest", f"continue key is not valid: {exc}") from None
    if rv <= 0:
        raise ApiError(400, "BadRequest", "continue key is not valid: incorrect encoded start "
                       "resourceVersion (version meta.k8s.io/v1)")
    return rv, start


def _start_key(start: str, namespace: str | None) -> Key:
    start = start.rstrip("\x00")
    if namespace:
        return namespace, start
    ns, _, name = start.rpartition("/")
    return ns, name


def _start_text(key: Key, namespace: str | None) -> str:
    return f"{key[1]}\x00" if namespace or not key[0] else f"{key[0]}/{key[1]}\x00"


class Pager:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._snapshots: OrderedDict[tuple[Resource, int], Snapshot] = OrderedDict()

    def snapshot(self, res: Resource, rv: int) -> Snapshot:
        """Every object of `res` as it was at rv, in key order (410 once history is gone)."""
        cache_key = (res, rv)
        found = self._snapshots.get(cache_key)
        if found is not None and rv >= self.store.floor:
            self._snapshots.move_to_end(cache_key)
            return found
        if rv > self.store.rv:
            raise ApiError(410, "Expired", f"continue key is from the future: {rv} > {self.store.rv}")
        objects: dict[Key, dict[str, Any]] = dict(self.store.bucket(res))
        for ev in reversed(self.store.events_since(res, rv)):  # raises 410 below the floor
            meta = ev.obj.get("metadata") or {}
            key = (str(meta.get("namespace") or "") if res.namespaced else "", str(meta.get("name")))
            if ev.type == "ADDED":
                objects.pop(key, None)
            elif ev.old is not None:
                objects[key] = ev.old
        keys = sorted(objects)
        snap = Snapshot(keys, [objects[k] for k in keys])
        self._snapshots[cache_key] = snap
        while len(self._snapshots) > SNAPSHOTS_KEPT:
            self._snapshots.popitem(last=False)
        return snap

    def page(self, res: Resource, namespace: str | None, matches: Callable[[dict], bool],
             params: Any, selecting: bool) -> Page:
        """One page of a list with `limit` and/or `continue` (params: the request's query)."""
        token, rv_param = params.get("continue"), params.get("resourceVersion")
        try:
            limit = int(params.get("limit") or 0)
        except ValueError:
            raise ApiError(400, "BadRequest", f"invalid limit: {params.get('limit')!r}") from None
        if token:
            if rv_param:
                raise ApiError(400, "BadRequest", "specifying resource version is not allowed when using continue")
            rv, start = decode_token(token)
            after: Key | None = _start_key(start, namespace if res.namespaced else None)
            try:
                snap = self.snapshot(res, rv)
            except ApiError as err:
                if err.code != 410:
                    raise
                raise self._expired(token, namespace if res.namespaced else None, after) from None
        else:
            exact = params.get("resourceVersionMatch") == "Exact" and rv_param
            rv = int(rv_param) if exact else self.store.rv
            if rv < self.store.floor:
                raise ApiError(410, "Expired", f"too old resource version: {rv} ({self.store.floor})")
            snap, after = self.snapshot(res, rv), None
        lo, hi = 0, len(snap.keys)
        if namespace and res.namespaced:
            lo = bisect.bisect_left(snap.keys, (namespace, ""))
            hi = bisect.bisect_left(snap.keys, (namespace + "\x00", ""))
        if after is not None:
            lo = max(lo, bisect.bisect_right(snap.keys, after))
        items: list[dict[str, Any]] = []
        i = lo
        while i < hi and (limit <= 0 or len(items) < limit):
            if matches(snap.objects[i]):
                items.append(snap.objects[i])
            i += 1
        meta: dict[str, Any] = {}
        if i < hi:
            meta["continue"] = encode_token(rv, _start_text(snap.keys[i - 1], namespace if res.namespaced else None))
            if not selecting:  # the real API counts only when it need not filter
                meta["remainingItemCount"] = hi - i
        return Page(items, [self._encoded(res, o) for o in items], rv, meta)

    def _encoded(self, res: Resource, obj: dict[str, Any]) -> bytes:
        """Cached JSON for a live object; an old version (only in a snapshot) is encoded afresh,
        since the store's cache is keyed by id() and must not outlive the object."""
        meta = obj.get("metadata") or {}
        key = (str(meta.get("namespace") or "") if res.namespaced else "", str(meta.get("name")))
        if self.store.bucket(res).get(key) is obj:
            return self.store.encoded(obj)
        return json.dumps(obj, separators=(",", ":")).encode()

    def _expired(self, token: str, namespace: str | None, after: Key | None) -> ApiError:
        """410 with the real message, and (as the real API) a token that goes on inconsistently."""
        err = ApiError(410, "Expired",
                       "The provided continue parameter is too old to display a consistent list result. "
                       "You can start a new list without the continue parameter, or use the continue "
                       "token in this response to retrieve the remainder of the results. Continuing with "
                       "the provided token results in an inconsistent list - objects that were created, "
                       "modified, or deleted between the time the first chunk was returned and now may "
                       "show up in the list.")
        if after is not None:
            err.list_meta = {"continue": encode_token(self.store.rv, _start_text(after, namespace))}
        return err
