"""List+watch sources: one thread per kind, feeding the store through a ``deliver`` callback.

Each source lists its collection (raw JSON, not the client's model classes: 20k objects as
models cost seconds), hands the list over as ``Relisted``, then watches from the list's
resourceVersion. A dropped stream re-watches from the last version seen; 410 Gone relists;
a failure retries with capped exponential backoff and jitter, forever. Health is reported as
data (``HealthChanged``) only when it changes, so a flapping API gives one banner, not a storm.

``deliver`` is called from the source's thread: the caller marshals onto its own loop.
"""
from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import orjson
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from . import kube_http
from .clock import Clock, SystemClock
from .errors import describe_error
from .events import (
    Changed,
    HealthChanged,
    ListPage,
    Relisted,
    SourceEvent,
    SourceHealth,
    SourceState,
)
from .kinds import KINDS, Kind
from .packed import Held, held_form
from .parsers.access import dig_str

Deliver = Callable[[SourceEvent], None]


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with jitter (so 18 sources do not reconnect in lockstep)."""

    first: float = 0.5
    factor: float = 2.0
    # at most 5 s between attempts: back within 10 s of the API's return (a list is one request)
    cap: float = 5.0
    # 403 and 404 will not heal by hammering, but an RBAC fix or a CRD install should show
    # within half a minute of the human making it.
    settled: float = 20.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        base = min(self.cap, self.first * self.factor ** max(0, attempt - 1))
        return base * rng.uniform(0.5, 1.0)


class _Gone(Exception):
    """The watch's resourceVersion is too old (410): relist."""


# what a source holds of a long list until its end: all of it, or (events) the newest
Keep = Callable[[list[Held]], list[Held]]


class KindSource:
    """List+watch of one kind, forever, on its own daemon thread."""

    # The server closes a watch after this long; we re-watch from the last version seen.
    WATCH_SECONDS = 240
    # Connect fast, but let a quiet watch sit longer than the server's own timeout.
    CONNECT_TIMEOUT = 5.0
    READ_TIMEOUT = WATCH_SECONDS + 30.0
    PAGE = 500  # objects per list request

    def __init__(
        self,
        kind: Kind,
        api_client: ApiClient,
        deliver: Deliver,
        clock: Clock,
        backoff: Backoff = Backoff(),
        rng: random.Random | None = None,
        keep: Keep | None = None,
    ) -> None:
        self.kind = kind
        self._keep = keep  # what of a long list to hold until its end (the newest events)
        self._api = api_client
        self._deliver = deliver
        self._clock = clock
        self._backoff = backoff
        self._rng = rng or random.Random()
        self._stop = threading.Event()
        self._wake = threading.Event()  # `r` in the app: retry now instead of at the next attempt
        self._thread = threading.Thread(target=self._run, name=f"watch-{kind.key}", daemon=True)
        self._health: SourceHealth | None = None
        self._response: Any = None  # the open watch response, closed by stop()
        self._served: Kind = kind  # the collection that answered the last list (kind or its fallback)

    def start(self) -> None:
        self._thread.start()

    def retry_now(self) -> None:
        """Cut the current wait short (a source that is fine is not disturbed)."""
        self._wake.set()

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        response = self._response
        if response is not None:
            try:
                response.shutdown()  # unblocks a read in progress (urllib3 >= 2.3)
            except Exception:  # noqa: BLE001 - best effort: the thread is a daemon anyway
                pass

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    # -- the loop -------------------------------------------------------------------------

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                version = self._list()
                attempt = 0
                while not self._stop.is_set():
                    version = self._watch(version)
            except _Gone:
                continue  # relist at once: the server forgot our version, not an outage
            except ApiException as exc:
                attempt += 1
                wait = self._on_api_error(exc, attempt)
                self._sleep(wait)
            except Exception as exc:  # noqa: BLE001 - connection errors, bad JSON: never give up
                if self._stop.is_set():
                    return
                attempt += 1
                wait = self._backoff.delay(attempt, self._rng)
                self._trouble(describe_error(exc), wait)
                self._sleep(wait)

    def _list(self) -> str | None:
        """The whole collection, PAGE objects a request: each page but the last is handed over
        as it lands (the first paints before the rest arrives). A server that ignores `limit`
        answers everything at once; a continue token that expired (410) restarts the list."""
        objects: list[Held] = []
        listed = 0
        token: str | None = None
        while True:
            query = [("limit", str(self.PAGE))] + ([("continue", token)] if token else [])
            try:
                body = self._page(query)
            except ApiException as exc:
                if exc.status != 410 or token is None:
                    raise
                objects, token, listed = [], None, 0  # the snapshot we paged through is gone: list afresh
                continue
            items = body.get("items")
            # as the store holds them (packed for the big kinds), here on this thread: the store
            # keeps these very objects (one copy of a 20,000-object list in memory, not two, and
            # the decoded JSON let go page by page) and the final list compares by identity
            page = [held_form(self.kind, o) for o in items if isinstance(o, dict)] if isinstance(items, list) else []
            objects.extend(page)
            listed += len(page)
            if self._keep is not None:
                objects = self._keep(objects)
            meta = body.get("metadata")
            metadata: dict[str, Any] = meta if isinstance(meta, dict) else {}
            token = metadata.get("continue") or None
            if not token or self._stop.is_set():
                break
            remaining = metadata.get("remainingItemCount")
            total = listed + remaining if isinstance(remaining, int) else None
            self._deliver(ListPage(self.kind.key, page, listed, total))
        version = dig_str(body, "metadata", "resourceVersion")  # the final page's: watch from it
        self._deliver(Relisted(self.kind.key, objects, version, listed=listed if listed != len(objects) else None))
        self._report(SourceState.OK, None)
        return version

    def _page(self, query: list[tuple[str, str]]) -> dict[str, Any]:
        response = self._list_response(query)
        try:
            body = orjson.loads(response.data)
        finally:
            response.release_conn()
        if not isinstance(body, dict):
            raise ValueError(f"list of {self._resource()} is not a JSON object")
        return body

    def _list_response(self, query: list[tuple[str, str]]) -> Any:
        """The list, from the kind's collection or, when that answers 404, from its fallback
        (core v1 events on a cluster without events.k8s.io). Each relist tries the preferred
        collection first, so an upgraded cluster is picked up by the next relist."""
        if not any(name == "continue" for name, _ in query):
            self._served = self.kind
        try:
            return self._request(self._served.collection_path(), [*query, *self._selector()])
        except ApiException as exc:
            if exc.status != 404 or self._served.fallback is None:
                raise
        self._served = self._served.fallback
        return self._request(self._served.collection_path(), [*query, *self._selector()])

    def _selector(self) -> list[tuple[str, str]]:
        selector = self._served.field_selector
        return [("fieldSelector", selector)] if selector else []

    def _watch(self, version: str | None) -> str | None:
        query: list[tuple[str, str]] = [
            *self._selector(),
            ("watch", "true"),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", str(self.WATCH_SECONDS)),
        ]
        if version:
            query.append(("resourceVersion", version))
        response = self._request(self._served.collection_path(), query, stream=True)
        self._response = response
        try:
            for line in iter_resp_lines(response):  # type: ignore[no-untyped-call]
                if self._stop.is_set():
                    break
                version = self._on_line(line, version)
        finally:
            self._response = None
            response.release_conn()
        return version

    def _on_line(self, line: str, version: str | None) -> str | None:
        if not line.strip():
            return version
        event = json.loads(line)
        kind = event.get("type") if isinstance(event, dict) else None
        obj = event.get("object") if isinstance(event, dict) else None
        if not isinstance(obj, dict):
            return version
        if kind == "ERROR":
            if obj.get("code") == 410:
                raise _Gone()
            raise ApiException(status=obj.get("code") or 500, reason=str(obj.get("message")))
        new_version = dig_str(obj, "metadata", "resourceVersion") or version
        if kind in ("ADDED", "MODIFIED", "DELETED"):
            self._deliver(Changed(self.kind.key, kind, held_form(self.kind, obj)))
        return new_version

    def _request(self, path: str, query: list[tuple[str, str]], stream: bool = False) -> Any:
        read_timeout = self.READ_TIMEOUT if stream else 60.0
        return kube_http.request(
            self._api, "GET", path, query, timeout=(self.CONNECT_TIMEOUT, read_timeout)
        )

    # -- health ---------------------------------------------------------------------------

    def _on_api_error(self, exc: ApiException, attempt: int) -> float:
        if exc.status == 410:
            return 0.0
        if not exc.status:  # the client's wrapper for TLS and protocol errors
            wait = self._backoff.delay(attempt, self._rng)
            self._trouble(str(exc.reason or "connection error")[:80], wait)
            return wait
        if exc.status in (401, 403):
            wait = self._backoff.settled
            self._report(SourceState.FORBIDDEN, f"cannot list {self._resource()} ({exc.status})", retry_in=wait)
            return wait
        if exc.status == 404:
            wait = self._backoff.settled
            self._report(SourceState.NOT_INSTALLED, f"{self._resource()} not installed", retry_in=wait)
            return wait
        wait = self._backoff.delay(attempt, self._rng)
        self._trouble(f"HTTP {exc.status} {exc.reason or ''}".strip(), wait)
        return wait

    def _trouble(self, detail: str, wait: float) -> None:
        """Connection-level trouble: stale if we had data, error if we never had."""
        was = self._health.state if self._health else SourceState.CONNECTING
        state = SourceState.STALE if was in (SourceState.OK, SourceState.STALE) else SourceState.ERROR
        self._report(state, detail, retry_in=wait)

    def _report(self, state: SourceState, detail: str | None, retry_in: float | None = None) -> None:
        current = self._health
        now = self._clock.now()
        retry_at = now + timedelta(seconds=retry_in) if retry_in is not None else None
        if current and current.state == state and current.detail == detail:
            if retry_at is None:
                return  # same state again: keep `since`, send nothing
            # same trouble, next attempt: keep `since`, say when the next one is (one event per
            # attempt, at most one per `first` seconds: a countdown, not a storm)
            self._health = replace(current, retry_in=retry_in, retry_at=retry_at)
        else:
            self._health = SourceHealth(self.kind.key, state, now, detail, retry_in, retry_at)
        self._deliver(HealthChanged(self._health))

    def _resource(self) -> str:
        return f"{self.kind.plural}.{self.kind.group}" if self.kind.group else self.kind.plural


class SourceSet:
    """Every kind's source, started and stopped together. Owned by the App or the CLI."""

    def __init__(
        self,
        api_client: ApiClient,
        deliver: Deliver,
        clock: Clock | None = None,
        kinds: Iterable[Kind] | None = None,
        backoff: Backoff = Backoff(),
        keep: Mapping[str, Keep] | None = None,
    ) -> None:
        clock = clock or SystemClock()
        self.sources = [
            KindSource(kind, api_client, deliver, clock, backoff, keep=(keep or {}).get(kind.key))
            for kind in (kinds if kinds is not None else KINDS.values())
        ]

    def start(self) -> None:
        for source in self.sources:
            source.start()

    def retry_now(self) -> None:
        """Every waiting source tries again at once (the banner's `r`)."""
        for source in self.sources:
            retry = getattr(source, "retry_now", None)
            if retry is not None:
                retry()

    def stop(self, timeout: float = 2.0) -> None:
        for source in self.sources:
            source.stop()
        for source in self.sources:
            source.join(timeout / max(1, len(self.sources)))

