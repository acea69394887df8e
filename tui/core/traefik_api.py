"""The Traefik API source: polls Traefik's HTTP routers on its own thread, feeding the store.

Each poll reads `/api/overview` (which providers Traefik runs) and every page of
`/api/http/routers`, and hands the store one ``Relisted(TRAEFIK_ROUTERS, routers,
facts={"providers": [...]})``. Health is data under the key ``TRAEFIK_API``, reported only when
it changes, like the kube sources: unreachable after a good poll is stale (the last routers
stay), unreachable from the start is an error, 401/403 forbidden, 404 "API not enabled".
Without a configured URL nobody builds a poller, so the source does not exist at all.
"""
from __future__ import annotations

import random
import threading
from typing import Any

from .clock import Clock, SystemClock
from .events import HealthChanged, Relisted, SourceEvent, SourceHealth, SourceState
from .http_client import HttpClient, HttpFailure
from .sources import Backoff, Deliver
from .traefik_match import TRAEFIK_API, TRAEFIK_ROUTERS

DEFAULT_INTERVAL = 10.0
PER_PAGE = 500  # Traefik's default page is 100 routers; ask for more, follow full pages
MAX_PAGES = 40


class TraefikTrouble(Exception):
    """A poll failed; `state` says how (stale/error, forbidden, not installed)."""

    def __init__(self, state: SourceState, detail: str) -> None:
        super().__init__(detail)
        self.state = state
        self.detail = detail


def api_base(url: str) -> str:
    """The server root: users paste either it or its /api path (or /dashboard/)."""
    base = url.strip().rstrip("/")
    for suffix in ("/dashboard", "/api"):
        base = base.removesuffix(suffix)
    return base


class TraefikPoller:
    """Polls forever on a daemon thread until `stop()`."""

    NAME = "Traefik API"

    def __init__(self, url: str, deliver: Deliver, clock: Clock | None = None,
                 interval: float = DEFAULT_INTERVAL, backoff: Backoff | None = None,
                 timeout: float = 5.0) -> None:
        self.url = api_base(url)
        self.interval = max(0.1, interval)
        self._deliver = deliver
        self._clock = clock or SystemClock()
        self._backoff = backoff or Backoff()
        # one immediate retry on a refused connection; the poll loop has its own backoff after that
        self._http = HttpClient(self.url, timeout=timeout, name=self.NAME, retries=1)
        self._rng = random.Random()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="poll-traefik", daemon=True)
        self._health: SourceHealth | None = None

    def start(self) -> None:
        # said at once, from the caller's thread: the store now knows the source exists
        self._report(SourceState.CONNECTING, None)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._http.close()

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            wait = self.interval
            try:
                self.poll()
                attempt = 0
            except TraefikTrouble as trouble:
                attempt += 1
                wait = self._on_trouble(trouble, attempt)
            except Exception as exc:  # noqa: BLE001 - never let the thread die on a surprise
                attempt += 1
                wait = self._on_trouble(TraefikTrouble(SourceState.ERROR, f"{type(exc).__name__}: {exc}"[:100]),
                                        attempt)
            self._stop.wait(wait)

    def poll(self) -> SourceEvent:
        """One poll: delivers the routers (and OK health) or raises TraefikTrouble."""
        overview = self._get("/api/overview")
        providers = overview.get("providers") if isinstance(overview, dict) else None
        routers: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            batch = self._get("/api/http/routers", {"per_page": str(PER_PAGE), "page": str(page)},
                              past_end_ok=page > 1)
            if batch is None:  # Traefik answers 400 for a page past the end
                break
            if not isinstance(batch, list):
                raise TraefikTrouble(SourceState.ERROR, "bad response: routers are not a JSON list")
            routers.extend(r for r in batch if isinstance(r, dict))
            if len(batch) < PER_PAGE:
                break
        facts = {"providers": [p for p in providers if isinstance(p, str)]} if isinstance(providers, list) else {}
        event = Relisted(TRAEFIK_ROUTERS, routers, facts=facts)
        self._deliver(event)
        self._report(SourceState.OK, None)
        return event

    def _get(self, path: str, params: dict[str, str] | None = None, past_end_ok: bool = False) -> Any:
        try:
            answer = self._http.send("GET", path, params=params)
        except HttpFailure as exc:
            raise TraefikTrouble(SourceState.STALE, str(exc).removeprefix(f"{self.NAME}: ")) from None
        if answer.status in (401, 403):
            raise TraefikTrouble(SourceState.FORBIDDEN, f"{self.url} refused us (HTTP {answer.status})")
        if answer.status == 404:
            raise TraefikTrouble(SourceState.NOT_INSTALLED,
                                 f"no Traefik API at {self.url} (is api enabled?)")
        if answer.status == 400 and past_end_ok:
            return None
        if answer.status != 200:
            raise TraefikTrouble(SourceState.STALE, f"HTTP {answer.status} from {path}")
        if answer.data is None:
            raise TraefikTrouble(SourceState.STALE, f"bad response: {path} did not answer JSON")
        return answer.data

    def _on_trouble(self, trouble: TraefikTrouble, attempt: int) -> float:
        if trouble.state in (SourceState.FORBIDDEN, SourceState.NOT_INSTALLED):
            # unlike a kube CRD this heals on its own (Traefik answers 404 while it starts)
            self._report(trouble.state, trouble.detail)
            return self.interval
        # stale when we had routers, error when we never had; retry sooner than `interval`
        # at first, never later than it
        was = self._health.state if self._health else SourceState.CONNECTING
        state = SourceState.STALE if was in (SourceState.OK, SourceState.STALE) else SourceState.ERROR
        wait = min(self.interval, self._backoff.delay(attempt, self._rng))
        self._report(state, trouble.detail, retry_in=wait)
        return wait

    def _report(self, state: SourceState, detail: str | None, retry_in: float | None = None) -> None:
        current = self._health
        if current and current.state == state and current.detail == detail:
            return  # same trouble again: keep `since`, send nothing
        self._health = SourceHealth(TRAEFIK_API, state, self._clock.now(), detail, retry_in)
        self._deliver(HealthChanged(self._health))


def fetch_entrypoints(url: str, timeout: float = 5.0) -> dict[str, str] | None:
    """Traefik's entrypoints (`/api/entrypoints`): name -> the address it listens on; None when
    the API does not answer (diagnose then cannot say where Traefik listens)."""
    client = HttpClient(api_base(url), timeout=timeout, name=TraefikPoller.NAME, retries=1)
    try:
        answer = client.send("GET", "/api/entrypoints")
    except HttpFailure:
        return None
    finally:
        client.close()
    if answer.status != 200 or not isinstance(answer.data, list):
        return None
    return {str(e["name"]): str(e.get("address") or "") for e in answer.data
            if isinstance(e, dict) and isinstance(e.get("name"), str)}
