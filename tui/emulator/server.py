"""The embedded cluster: an aiohttp server on loopback in its own thread and event loop.

Built directly on aiohttp rather than by subclassing kmock's KubernetesEmulator: kmock is a
request-matching DSL (5k lines) whose emulator serves watch streams as
application/octet-stream (client-go refuses them), lists without `kind`, and has no
discovery, 410 compaction, fault injection or controllers; each would mean overriding its
internals. The Kubernetes API shape is regular enough that one path parser plus an object
store (store.py) cover kubectl, Traefik and the python client with less, clearer code.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import web

from tui.emulator.argocd_server import ArgoCdApi
from tui.emulator.controllers import Controllers
from tui.emulator.crds import CRDS, crd_objects
from tui.emulator.garbage_collector import GarbageCollector
from tui.emulator.kube_api import KubeApi
from tui.emulator.namespace_lifecycle import NamespaceController
from tui.emulator.operator_finalizers import OperatorFinalizers
from tui.emulator.resources import Resource, ServedResources
from tui.emulator.store import ObjectStore

T = TypeVar("T")
CALL_TIMEOUT = 30.0  # seconds a test-thread call may wait for the emulator loop


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Emulator:
    """Kubernetes + Argo CD API over seeded objects. See the package docstring for the API."""

    def __init__(self, objects: list[dict[str, Any]], *, controllers: bool = True,
                 time_scale: float = 1.0, argocd_token: str | None = None,
                 now: Callable[[], datetime] | None = None) -> None:
        self.table = ServedResources()
        self.now = now or _utcnow
        self.store = ObjectStore(self.table, self.now)
        self.table.add(CRDS)  # before the seed: CRD objects a test or dump brings are kept as given
        self.store.seed(objects)
        created = self.now().strftime("%Y-%m-%dT%H:%M:%SZ")  # CRDs a dump brought are kept as they are
        self.store.seed([c for c in crd_objects(self.table, created)
                         if self.store.get(CRDS, None, c["metadata"]["name"]) is None])
        self.controllers_enabled = controllers
        self.time_scale = time_scale
        self.argocd_token = argocd_token
        self.port: int | None = None
        self._faults: dict[Resource, int] = {}
        self._latency = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._controllers: Controllers | None = None
        self._kube: KubeApi | None = None
        self._gc: GarbageCollector | None = None

    # ---- lifecycle ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the emulator is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._loop is not None

    def start(self, port: int = 0) -> str:
        if self._loop is not None:
            return self.url
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="clusterdeck-emulator", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            self.port = asyncio.run_coroutine_threadsafe(self._serve(port), loop).result(CALL_TIMEOUT)
        except BaseException:
            self._halt_loop()
            raise
        return self.url

    async def _serve(self, port: int) -> int:
        app = web.Application(middlewares=[self._latency_middleware], client_max_size=64 * 1024 * 1024)
        argocd = ArgoCdApi(self.store, self.argocd_token, self.now)
        app.add_routes(argocd.routes())  # before the catch-all: kube core has no "applications"
        kube = self._kube = KubeApi(self.store, self._faults.get)
        app.router.add_route("*", "/{tail:.*}", kube.handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port, reuse_address=True)
        await site.start()
        self._runner = runner
        if self.controllers_enabled:
            self._controllers = Controllers(self.store, self.time_scale, self.now)
            self._controllers.start()
            kube.delete_pod = kube.deletions.delete_pod = self._controllers.pods.delete_gracefully
        # The API server's own part of deletion runs with or without the simulated workloads.
        self._gc = GarbageCollector(self.store, kube.deletions)
        self._gc.start()  # after the controllers: it is the last listener, so events stay in order
        NamespaceController(self.store, kube.deletions, self._gc).start()
        self._gc.handlers.append(OperatorFinalizers(self.store, operators=self.controllers_enabled).on_event)
        return int(runner.addresses[0][1])

    @web.middleware
    async def _latency_middleware(self, request: web.Request,
                                  handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                                  ) -> web.StreamResponse:
        if self._latency > 0:
            await asyncio.sleep(self._latency)
        return await handler(request)

    async def _shutdown(self) -> None:
        if self._gc is not None:
            self._gc.stop()
            self._gc = None
        if self._controllers is not None:
            self._controllers.stop()
            self._controllers = None
            await asyncio.sleep(0)  # let the cancelled controller tasks unwind before the loop stops
        if self._kube is not None:
            self._kube.closing = True  # a watch arriving on a kept-alive connection ends at once
        if self._runner is not None:
            for site in list(self._runner.sites):
                await site.stop()  # refuse new connections first
        # Let watch handlers end their streams cleanly, so a stop reads to clients as
        # "stream ended, then connection refused" every time rather than at random
        # (watch responses carry `Connection: close`, so re-watches need a new connection).
        # Repeat: a watch accepted just before the listener closed registers late.
        deadline = asyncio.get_running_loop().time() + 1.0
        while self.store.watchers and asyncio.get_running_loop().time() < deadline:
            for watcher in list(self.store.watchers):
                watcher.close()
            await asyncio.sleep(0.01)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def stop(self) -> None:
        """Close every connection and stop serving; objects are kept for restart()."""
        if self._loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(CALL_TIMEOUT)
        finally:
            self._halt_loop()

    def _halt_loop(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(CALL_TIMEOUT)
        loop.close()

    def restart(self) -> str:
        """Stop, then serve the same objects on the same port (clients see a connection drop)."""
        port = self.port or 0
        self.stop()
        return self.start(port)

    def __enter__(self) -> Emulator:  # noqa: PYI034
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- fault injection ---------------------------------------------------------------
    def _resources(self, key_or_plural: str) -> list[Resource]:
        found = self.table.matching(key_or_plural)
        if not found:
            raise KeyError(f"no resource named {key_or_plural!r} (use a KINDS key, plural or plural.group)")
        return found

    def fault(self, key_or_plural: str, status: int | None) -> None:
        """Answer list/watch/get of that resource with `status` (403/404/500...); None clears."""
        for res in self._resources(key_or_plural):
            if status is None:
                self._faults.pop(res, None)
            else:
                self._faults[res] = int(status)

    def latency(self, seconds: float) -> None:
        self._latency = max(0.0, float(seconds))

    def drop_watches(self) -> None:
        """End every open watch stream (clients must re-watch from their last resourceVersion)."""
        def close_all() -> None:
            for watcher in list(self.store.watchers):
                watcher.close()

        self._call(close_all)

    def compact(self) -> None:
        """Forget history: watches/lists from any older resourceVersion now get 410 Gone."""
        self._call(self.store.compact)

    # ---- object access from any thread --------------------------------------------------
    def _call(self, fn: Callable[[], T]) -> T:
        loop = self._loop
        if loop is None or not loop.is_running():
            return fn()
        try:
            if asyncio.get_running_loop() is loop:
                return fn()
        except RuntimeError:
            pass

        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), loop).result(CALL_TIMEOUT)

    def _resource(self, key: str) -> Resource:
        return self.table.by_key(key) or self._resources(key)[0]

    def get(self, key: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        res = self._resource(key)
        return self._call(lambda: self.store.get(res, namespace, name))

    def list(self, key: str) -> list[dict[str, Any]]:
        import copy

        res = self._resource(key)
        return self._call(lambda: copy.deepcopy(self.store.list(res)))

    def upsert(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Create or wholly replace an object (status included), as a controller would."""
        def write() -> dict[str, Any]:
            return self.store.write(self.table.for_object_or_new(obj), obj)

        return self._call(write)

    def delete(self, key: str, namespace: str | None, name: str, finalize: bool = False) -> dict[str, Any] | None:
        """Remove an object at once, as if it vanished (finalize=True: as DELETE, finalizers hold it);
        dependents and a namespace's content follow through the garbage collector."""
        res = self._resource(key)

        def remove() -> dict[str, Any] | None:
            if self.store.get(res, namespace, name) is None:
                return None
            return self.store.delete(res, namespace, name, finalize=finalize)

        return self._call(remove)

    @property
    def resource_version(self) -> int:
        return self.store.rv
