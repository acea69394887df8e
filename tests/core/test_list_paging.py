"""Lists page in (`limit`/`continue`): against a loopback server that pages as the Kubernetes
API does (remainingItemCount, a continue token that can expire with 410) and one that ignores
`limit`, the source hands over every page as it lands, ends with one complete list, relists
when the token expired, and watches from the final page's resourceVersion; the store shows the
objects of each page at once and says how far the list got."""
from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from kubernetes.client import ApiClient, Configuration

from tui.core.clock import SystemClock
from tui.core.events import ListPage, Relisted, SourceEvent
from tui.core.kinds import KINDS
from tui.core.packed import unpack
from tui.core.sources import KindSource
from tui.core.store import ClusterStore

NODES = [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{i:04d}", "resourceVersion": str(i)}}
         for i in range(1203)]


class FakeApi:
    """What the test server did: the list requests it answered and the watches it was asked for."""

    def __init__(self, pages: bool, expire_first_token: bool = False) -> None:
        self.pages, self.expire_first_token = pages, expire_first_token
        self.lists: list[dict[str, list[str]]] = []
        self.watch_versions: list[str] = []
        self.expired = False


def handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path != "/api/v1/nodes":
                return self.reply(404, {"kind": "Status", "code": 404})
            if query.get("watch") == ["true"]:
                api.watch_versions.append(query.get("resourceVersion", [""])[0])
                time.sleep(0.5)  # a quiet watch that ends
                return self.reply(200, None)
            api.lists.append(query)
            start = int(query.get("continue", ["0"])[0])
            if start and api.expire_first_token and not api.expired:
                api.expired = True
                return self.reply(410, {"kind": "Status", "code": 410, "reason": "Expired",
                                        "message": "continue token expired"})
            limit = int(query.get("limit", ["0"])[0]) if api.pages else 0
            end = min(len(NODES), start + limit) if limit else len(NODES)
            metadata: dict[str, Any] = {"resourceVersion": "5000" if end == len(NODES) else f"49{start}"}
            if end < len(NODES):
                metadata.update({"continue": str(end), "remainingItemCount": len(NODES) - end})
            self.reply(200, {"kind": "NodeList", "apiVersion": "v1", "metadata": metadata,
                             "items": NODES[start:end]})

        def reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(api: FakeApi) -> ApiClient:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler(api))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        config = Configuration(host=f"http://127.0.0.1:{server.server_address[1]}")
        return ApiClient(config)

    yield start
    for server in servers:
        server.shutdown()


def list_once(client: ApiClient, api: FakeApi) -> list[SourceEvent]:
    """Run the nodes source until its list ended and its watch began; its events in order."""
    events: queue.SimpleQueue[SourceEvent] = queue.SimpleQueue()
    source = KindSource(KINDS["nodes"], client, events.put, SystemClock())
    source.start()
    deadline = time.monotonic() + 10
    while not api.watch_versions and time.monotonic() < deadline:
        time.sleep(0.02)
    source.stop()
    source.join(3)
    out = []
    while not events.empty():
        out.append(events.get())
    return out


def test_a_paging_server_is_listed_500_at_a_time_and_each_page_shows_as_it_lands(serve: Any) -> None:
    api = FakeApi(pages=True)
    events = list_once(serve(api), api)
    pages = [e for e in events if isinstance(e, ListPage)]
    assert [(p.loaded, p.total) for p in pages] == [(500, 1203), (1000, 1203)]
    assert [q.get("limit") for q in api.lists] == [["500"]] * 3
    relisted = [e for e in events if isinstance(e, Relisted)]
    assert len(relisted) == 1 and len(relisted[0].objects) == 1203
    assert api.watch_versions[0] == "5000"  # the final page's version

    store = ClusterStore()
    store.handle(pages[0])
    assert len(store.rows("nodes")) == 500 and store.loading() == {"nodes": (500, 1203)}
    assert not store.synced()
    store.handle(relisted[0])
    assert len(store.rows("nodes")) == 1203 and store.loading() == {}


def test_a_server_that_ignores_limit_answers_everything_in_one_list(serve: Any) -> None:
    api = FakeApi(pages=False)
    events = list_once(serve(api), api)
    assert not [e for e in events if isinstance(e, ListPage)]
    relisted = [e for e in events if isinstance(e, Relisted)]
    assert len(relisted) == 1 and len(relisted[0].objects) == 1203
    assert len(api.lists) == 1 and api.watch_versions[0] == "5000"


def test_an_expired_continue_token_relists_from_the_start(serve: Any) -> None:
    api = FakeApi(pages=True, expire_first_token=True)
    events = list_once(serve(api), api)
    assert api.expired
    starts = [q.get("continue", [""])[0] for q in api.lists]
    assert starts == ["", "500", "", "500", "1000"]  # 410 on the first continue: list afresh
    relisted = [e for e in events if isinstance(e, Relisted)]
    assert len(relisted) == 1
    assert sorted(unpack(o)["metadata"]["name"] for o in relisted[0].objects) == [n["metadata"]["name"] for n in NODES]


def until_listed(kind: Any, client: ApiClient, **options: Any) -> list[SourceEvent]:
    """Run a kind's source against a live API until its list ended; its events in order."""
    events: queue.SimpleQueue[SourceEvent] = queue.SimpleQueue()
    source = KindSource(kind, client, events.put, SystemClock(), **options)
    source.start()
    got: list[SourceEvent] = []
    deadline = time.monotonic() + 15
    while not any(isinstance(e, Relisted) for e in got) and time.monotonic() < deadline:
        try:
            got.append(events.get(timeout=0.1))
        except queue.Empty:
            pass
    source.stop()
    source.join(3)
    return got


def test_the_embedded_emulator_pages_as_the_api_server_does(emulator_factory: Any) -> None:
    """The same source against our emulator (what the demo and the scale bench serve): it pages
    too, so the console's first page paints before the rest there as well."""
    from tui.core import kube_http

    emu = emulator_factory([dict(n, metadata=dict(n["metadata"])) for n in NODES], controllers=False)
    got = until_listed(KINDS["nodes"], kube_http.client_for(emu.url))
    pages = [e for e in got if isinstance(e, ListPage)]
    assert [(p.loaded, p.total) for p in pages] == [(500, 1203), (1000, 1203)]
    relisted = [e for e in got if isinstance(e, Relisted)]
    assert len(relisted) == 1
    assert sorted(unpack(o)["metadata"]["name"] for o in relisted[0].objects) == [n["metadata"]["name"] for n in NODES]


def test_a_long_events_list_is_never_held_whole(emulator_factory: Any) -> None:
    """1,203 events with a store that keeps 100: while listing, the source holds no more than
    twice that; the store keeps the newest 100 and says how many it let go (issue 17: 50,000
    events at scale are not held at once)."""
    from tui.core import kube_http
    from tui.core.bounded_events import keep_newest

    def event(i: int) -> dict[str, Any]:
        at = f"2026-11-26T{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
        return {"apiVersion": "events.k8s.io/v1", "kind": "Event",
                "metadata": {"name": f"ev-{i:05d}", "namespace": "bench", "creationTimestamp": at},
                "eventTime": at.replace("Z", ".000000Z"), "reason": "Pulled", "note": f"event {i}",
                "type": "Normal", "action": "Pulling", "reportingController": "kubelet",
                "reportingInstance": "node-1",
                "regarding": {"kind": "Pod", "namespace": "bench", "name": f"pod-{i % 7}"}}

    emu = emulator_factory([event(i) for i in range(1203)], controllers=False)
    got = until_listed(KINDS["events"], kube_http.client_for(emu.url), keep=keep_newest(100))
    relisted = next(e for e in got if isinstance(e, Relisted))
    assert len(relisted.objects) <= 200 and relisted.listed == 1203
    store = ClusterStore(events_max=100)
    for page in (e for e in got if isinstance(e, ListPage)):
        store.handle(page)
        assert len(store.objects("events")) <= 100
    store.handle(relisted)
    kept = sorted(o["metadata"]["name"] for o in store.objects("events"))
    assert kept == [f"ev-{i:05d}" for i in range(1103, 1203)]  # the newest
    assert store.events_dropped == 1103
