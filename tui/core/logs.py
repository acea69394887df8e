"""Container log streams: one thread per container reading pods/{name}/log?follow=true, into a
bounded ring buffer the log screen redraws from.

A log stream is not a store kind: nothing here reads the live store. The screen hands over
a frozen view (LogTarget: namespace, pod, containers) taken on the event loop, and hands over
a new one when pods join. A dropped stream reconnects from the last timestamp seen
(sinceTime has second precision, so the lines of that second already kept are skipped);
a deleted pod is said so and its stream stops.
"""
from __future__ import annotations

import contextlib
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from tui.core import kube_http

LOG_LINES_MAX = 20_000  # default ring size (config `log_lines_max`)
DEFAULT_TAIL = 500
SINCE_PRESETS = (60, 300, 900, 3600)  # keys 1-4 in the log screen: 1m 5m 15m 1h
READ_TIMEOUT = 120.0  # an idle follow is fine; a silent dead connection is re-opened after this
LABEL_WIDTH = 16
_RS_HASH = re.compile(r"^(.+)-[b-df-hj-np-tv-z2-9]{6,10}-([b-df-hj-np-tv-z2-9]{5})$")  # Deployment pods
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$")


@dataclass(frozen=True)
class LogTarget:
    """One pod to read, as the loop saw it."""

    namespace: str
    pod: str
    containers: tuple[str, ...]


@dataclass(frozen=True)
class LogOptions:
    tail_lines: int | None = DEFAULT_TAIL
    since_seconds: int | None = None
    previous: bool = False
    container: str | None = None  # None: every container of each pod


class LogLine(NamedTuple):
    """A tuple of an int and strings, so the garbage collector untracks it: 20,000 kept lines
    would otherwise be walked by every full collection (100 ms pauses under a busy log)."""

    seq: int  # position in the session, from 1; never reused
    source: str  # "pod" or "pod/container" (a multi-container pod); LogSession.label() shortens it
    stamp: str  # the API's RFC3339 timestamp ("" if the line had none)
    text: str  # as the container wrote it (may hold ANSI escapes; the screen makes it literal)


def stamp_key(stamp: str) -> tuple[str, int] | None:
    """Sortable (second, nanoseconds) of an RFC3339Nano stamp; None if it is not one."""
    m = _STAMP.match(stamp)
    if not m:
        return None
    return m.group(1), int((m.group(2) or "0").ljust(9, "0"))


def parse_since(text: str) -> int | None:
    """`90`, `90s`, `5m`, `2h`, `1h30m` -> seconds; None if not a duration."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text) or None
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text)
    if not text or not parts:
        return None
    h, m, s = (int(p or 0) for p in parts.groups())
    return (h * 3600 + m * 60 + s) or None


def short_labels(pods: Iterable[str], merged: bool = True) -> dict[str, str]:
    """A short per-pod prefix as stern shows: the ReplicaSet hash and what every name shares
    dropped (`api-7c9d8f6b5-4kq2n` -> `4kq2n`); "" for one pod unless it is a merged view."""
    names = sorted(set(pods))
    if not names or (len(names) == 1 and not merged):
        return {n: "" for n in names}
    compact = {n: _RS_HASH.sub(r"\1-\2", n) for n in names}
    values = sorted(set(compact.values()))
    common = values[0] if len(values) > 1 else values[0].rsplit("-", 1)[0] + "-"
    for v in values[1:]:
        while not v.startswith(common):
            common = common[:-1]
    cut = common.rfind("-") + 1
    return {n: (compact[n][cut:] or compact[n])[:LABEL_WIDTH] for n in names}


def chunk_lines(response: Any) -> Iterator[list[str]]:
    """The complete lines of each chunk as it arrives (a partial line waits for the next)."""
    pending = b""
    for chunk in response.stream(amt=None, decode_content=False):
        data = pending + chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            pending = data
            continue
        pending = data[cut + 1:]
        yield data[:cut].decode("utf-8", errors="replace").split("\n")
    if pending:
        yield [pending.decode("utf-8", errors="replace")]


class LogBuffer:
    """The newest `limit` lines of a session; threads append, the loop reads. Counts drops."""

    def __init__(self, limit: int = LOG_LINES_MAX) -> None:
        self.limit = max(1, limit)
        self._lines: deque[LogLine] = deque(maxlen=self.limit)
        self._lock = threading.Lock()
        self.total = 0  # lines ever appended

    def append_many(self, source: str, lines: list[tuple[str, str]]) -> None:
        with self._lock:
            for stamp, text in lines:
                self.total += 1
                self._lines.append(LogLine(self.total, source, stamp, text))

    @property
    def dropped(self) -> int:
        return self.total - len(self._lines)

    def since(self, seq: int) -> list[LogLine]:
        """Lines newer than `seq` still kept (all kept lines for seq 0)."""
        with self._lock:
            if not self._lines or self._lines[-1].seq <= seq:
                return []
            first = self._lines[0].seq
            start = max(0, seq - first + 1)
            return [self._lines[i] for i in range(start, len(self._lines))]

    def lines(self) -> list[LogLine]:
        return self.since(0)

    def __len__(self) -> int:
        return len(self._lines)


@dataclass
class StreamState:
    """What one container's stream is doing, for the screen's status line."""

    source: str
    state: str = "connecting"  # connecting / following / ended / reconnecting / deleted / error
    detail: str = ""
    reconnects: int = 0


class ContainerStream:
    """One container's log, followed in a thread; reconnects without duplicating a line."""

    def __init__(self, api: ApiClient, target: LogTarget, container: str, options: LogOptions,
                 buffer: LogBuffer, source: str, on_change: Callable[[], None] = lambda: None) -> None:
        self.api, self.target, self.container, self.options = api, target, container, options
        self.buffer, self.source, self.on_change = buffer, source, on_change
        self.status = StreamState(source)
        self._stop = threading.Event()
        self._response: Any = None
        self._last: tuple[str, int] | None = None  # newest stamp kept
        self._at_last = 0  # how many lines kept carry exactly that stamp
        self._resuming = False  # a reconnect: skip what was already kept
        self._skip = 0
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"logs-{target.namespace}/{target.pod}/{container}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        response = self._response
        if response is not None:
            with contextlib.suppress(Exception):  # already closed is fine
                response.shutdown()  # unblocks the thread's read at once

    def join(self, timeout: float = 5.0) -> None:
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _set(self, state: str, detail: str = "") -> None:
        self.status.state, self.status.detail = state, detail
        self.on_change()

    def _path(self) -> str:
        return f"/api/v1/namespaces/{self.target.namespace}/pods/{self.target.pod}/log"

    def _query(self) -> list[tuple[str, str]]:
        q = [("container", self.container), ("timestamps", "true")]
        if self.options.previous:
            return [*q, ("previous", "true"), *self._window()]
        q.append(("follow", "true"))
        if self._last is not None:  # a reconnect: from the second of the last line kept
            return [*q, ("sinceTime", self._last[0] + "Z")]
        return [*q, *self._window()]

    def _window(self) -> list[tuple[str, str]]:
        q = []
        if self.options.tail_lines is not None:
            q.append(("tailLines", str(self.options.tail_lines)))
        if self.options.since_seconds:
            q.append(("sinceSeconds", str(self.options.since_seconds)))
        return q

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                got = self._read_once()
                attempt = 0 if got else attempt + 1
            except ApiException as exc:
                if exc.status == 404 and self._pod_gone():
                    return self._set("deleted", "pod deleted; stream stopped")
                if exc.status == 400 and self.options.previous:
                    return self._set("ended", kube_http.api_error_message(exc).split(": ", 1)[-1])
                self._set("error", kube_http.api_error_message(exc))
                attempt += 1
            except Exception as exc:  # noqa: BLE001 - connection trouble: reconnect
                if self._stop.is_set():
                    return None
                self._set("reconnecting", type(exc).__name__)
                attempt += 1
            if self._stop.is_set():
                return None
            if self.options.previous:
                return self._set("ended", "previous run, complete")
            if self._pod_gone():
                return self._set("deleted", "pod deleted; stream stopped")
            self.status.reconnects += 1
            if self.status.state == "following":  # ended by the server: dropped, or the container stopped
                self._set("reconnecting" if attempt == 0 else "waiting",
                          "stream ended" if attempt == 0 else "container not running; retrying")
            self._stop.wait(min(10.0, 0.2 * (2 ** min(attempt, 6))))
        return None

    def _read_once(self) -> bool:
        """One request; True if it delivered any new line."""
        self._resuming, self._skip = self._last is not None, self._at_last
        response = kube_http.request(self.api, "GET", self._path(), self._query(),
                                     timeout=(5.0, READ_TIMEOUT))
        self._response = response
        self._set("following" if not self.options.previous else "reading")
        fresh = False
        try:
            for lines in chunk_lines(response):
                if self._stop.is_set():
                    break
                batch = [kept for line in lines if (kept := self._accept(line)) is not None]
                if batch:  # one lock and one wake-up per chunk the server sent, not per line
                    self.buffer.append_many(self.source, batch)
                    fresh = True
                    self.on_change()
        finally:
            self._response = None
            response.release_conn()
        return fresh

    def _accept(self, line: str) -> tuple[str, str] | None:
        """(stamp, text), or None for a line a reconnect has already delivered."""
        stamp, _, text = line.partition(" ")
        key = stamp_key(stamp)
        if key is None:
            return "", line
        if self._resuming and self._last is not None:
            if key < self._last:
                return None
            if key == self._last and self._skip > 0:
                self._skip -= 1
                return None
            self._resuming = False
        if key == self._last:
            self._at_last += 1
        else:
            self._last, self._at_last = key, 1
        return stamp, text

    def _pod_gone(self) -> bool:
        try:
            kube_http.request_json(self.api, "GET", f"/api/v1/namespaces/{self.target.namespace}/pods/{self.target.pod}",
                                   timeout=(5.0, 10.0))
        except ApiException as exc:
            return bool(exc.status == 404)
        except Exception:  # noqa: BLE001 - unreachable: not known to be gone
            return False
        return False


@dataclass
class LogSession:
    """Every stream of one log screen over one ring buffer."""

    api: ApiClient
    options: LogOptions = field(default_factory=LogOptions)
    limit: int = LOG_LINES_MAX
    on_change: Callable[[], None] = lambda: None
    merged: bool = False  # a workload's or an app's pods: every line carries its pod's prefix

    def __post_init__(self) -> None:
        self.buffer = LogBuffer(self.limit)
        self.streams: dict[tuple[str, str, str], ContainerStream] = {}
        self._labels: dict[str, str] = {}
        self._targets: dict[tuple[str, str], LogTarget] = {}

    def set_targets(self, targets: Iterable[LogTarget]) -> None:
        """The pods to follow (a frozen view from the loop): new ones join, none restart."""
        for t in targets:
            self._targets.setdefault((t.namespace, t.pod), t)
        self._labels = short_labels([t.pod for t in self._targets.values()], self.merged)
        for t in self._targets.values():
            for c in t.containers:
                key = (t.namespace, t.pod, c)
                if self.options.container not in (None, c) or key in self.streams:
                    continue
                source = f"{t.pod}/{c}" if len(t.containers) > 1 and self.options.container is None else t.pod
                stream = ContainerStream(self.api, t, c, self.options, self.buffer, source, self.on_change)
                self.streams[key] = stream
                stream.start()

    def label(self, source: str) -> str:
        """The prefix shown for a line's source: short pod name, then /container if several."""
        pod, _, container = source.partition("/")
        short = self._labels.get(pod, "")
        return f"{short}/{container}" if short and container else (short or container)

    def restart(self, options: LogOptions) -> None:
        """Same pods, new options (since, previous, container): a fresh buffer."""
        self.stop()
        self.options = options
        self.buffer = LogBuffer(self.limit)
        self.streams = {}
        self.set_targets(list(self._targets.values()))

    def stop(self) -> None:
        streams = list(self.streams.values())
        for s in streams:
            s.stop()
        for s in streams:
            s.join(2.0)

    @property
    def targets(self) -> list[LogTarget]:
        return list(self._targets.values())

    def states(self) -> list[StreamState]:
        return [s.status for s in self.streams.values()]
