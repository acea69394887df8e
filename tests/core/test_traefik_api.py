"""The Traefik API source: what Traefik itself says of each route (status, errors, routes it
dropped), against the real Traefik binary over the emulator, and from the reference answers."""
from __future__ import annotations

import json
import queue
import time
from collections.abc import Callable
from typing import Any, Self

import pytest

from tests.support.app_support import make_app, press, screen_text, synced, wait_until
from tests.support.paths import REFERENCE
from tests.support.traefik_support import (
    endpoint_slice,
    free_port,
    ingress_route,
    router_name,
    service,
    wait_routers,
)
from tui.cli import collect
from tui.config import Config, ConfigError, load_config
from tui.connection import connect_emulator
from tui.core.events import HealthChanged, Relisted, SourceHealth, SourceState
from tui.core.kinds import KINDS
from tui.core.rows import RouteRow
from tui.core.snapshot import snapshot_text
from tui.core.sources import Backoff, SourceSet
from tui.core.store import ClusterStore
from tui.core.traefik_api import TRAEFIK_API, TRAEFIK_ROUTERS, TraefikPoller

FAST = Backoff(first=0.05, factor=2.0, cap=0.3, settled=0.3)
WAIT = 30.0


def route(store: ClusterStore, ref: str) -> RouteRow:
    """The route named ns/name (the reference data has one object per name, none legacy)."""
    row = next((r for r in store.rows("routes") if r.ref == ref and not r.legacy), None)
    assert isinstance(row, RouteRow), f"no route {ref}; routes are {[r.key for r in store.rows('routes')]}"
    return row


def traefik_problems(row: RouteRow) -> list[str]:
    return [p for p in row.problems if p.startswith("traefik: ")]


# --- the store, from the reference answers ------------------------------------------------------

def _ingressroute(ns: str, name: str, match: str, svc: str, port: int) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": ns, "resourceVersion": "1"},
            "spec": {"entryPoints": ["websecure"],
                     "routes": [{"match": match, "services": [{"name": svc, "port": port}]}]}}


def _ingress(ns: str, name: str, host: str, svc: str, cls: str | None = "traefik") -> dict[str, Any]:
    spec: dict[str, Any] = {"rules": [{"host": host, "http": {"paths": [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": svc, "port": {"number": 3000}}}}]}}]}
    if cls:
        spec["ingressClassName"] = cls
    return {"metadata": {"name": name, "namespace": ns, "resourceVersion": "1"}, "spec": spec}


def _svc(ns: str, name: str, port: int) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": ns, "resourceVersion": "1"},
            "spec": {"ports": [{"name": "http", "port": port}]}}


@pytest.fixture
def reference_store() -> ClusterStore:
    """The kube objects behind the reference router answers, plus one route Traefik lacks and
    one Ingress of another controller."""
    store = ClusterStore()
    store.handle(Relisted("ingressroutes", [
        _ingressroute("media", "jellyfin", "Host(`jellyfin.home.example`) && PathPrefix(`/`)", "jellyfin", 8096),
        _ingressroute("apps", "wiki", "Host(`wiki.home.example`)", "wiki", 80),
        _ingressroute("apps", "status", "Host(`status.home.example`)", "status", 80),
        _ingressroute("apps", "shop", "Host(`shop.home.example`)", "shop", 80),
    ]))
    store.handle(Relisted("ingresses", [
        _ingress("monitoring", "grafana", "grafana.home.example", "grafana"),
        _ingress("monitoring", "legacy", "old.home.example", "grafana", cls="nginx"),
    ]))
    store.handle(Relisted("services", [
        _svc("media", "jellyfin", 8096), _svc("apps", "wiki", 80), _svc("apps", "status", 80),
        _svc("apps", "shop", 80), _svc("monitoring", "grafana", 3000),
    ]))
    return store


def reference_poll() -> Relisted:
    routers = json.loads((REFERENCE / "traefik-api-http-routers.json").read_text())
    overview = json.loads((REFERENCE / "traefik-api-overview.json").read_text())
    return Relisted(TRAEFIK_ROUTERS, routers, facts={"providers": overview["providers"]})


def test_without_the_traefik_api_routes_carry_no_traefik_view(reference_store):
    assert {r.traefik_status for r in reference_store.rows("routes")} == {None}
    assert not any(traefik_problems(r) for r in reference_store.rows("routes"))
    assert TRAEFIK_API not in reference_store.health()  # no URL: the source does not exist


def test_reference_routers_give_each_route_traefiks_status_and_errors(reference_store):
    before = reference_store.version
    reference_store.handle(reference_poll())
    assert "routes" in reference_store.changed_layers(before)

    assert route(reference_store, "media/jellyfin").traefik_status == "enabled"
    assert traefik_problems(route(reference_store, "media/jellyfin")) == []
    wiki = route(reference_store, "apps/wiki")
    assert wiki.traefik_status == "disabled"
    assert traefik_problems(wiki) == ['traefik: middleware "apps-auth-forward@kubernetescrd" does not exist']
    assert wiki.traefik_routers == ("apps-wiki-5d2b9e07c1f3a4b68e90@kubernetescrd",)
    status = route(reference_store, "apps/status")
    assert status.traefik_status == "warning"
    assert traefik_problems(status) == ['traefik: entryPoint "metrics-old" doesn\'t exist']
    grafana = route(reference_store, "monitoring/grafana")
    assert (grafana.traefik_status, grafana.traefik_routers) == (
        "enabled", ("monitoring-grafana-grafana-home-example@kubernetes",))
    shop = route(reference_store, "apps/shop")
    assert shop.traefik_status == "absent"
    assert traefik_problems(shop) == ["traefik: no router for Host(`shop.home.example`)"]
    assert route(reference_store, "monitoring/legacy").traefik_status is None  # nginx's, not Traefik's


def test_a_stale_traefik_api_keeps_the_last_statuses_and_a_missing_one_drops_them(reference_store):
    reference_store.handle(reference_poll())
    stale = SourceHealth(TRAEFIK_API, SourceState.STALE, detail="connection refused")
    reference_store.handle(HealthChanged(stale))
    assert route(reference_store, "apps/wiki").traefik_status == "disabled"
    assert stale in reference_store.layer_health("routes")
    reference_store.handle(HealthChanged(SourceHealth(TRAEFIK_API, SourceState.NOT_INSTALLED, detail="no API")))
    assert route(reference_store, "apps/wiki").traefik_status is None
    assert traefik_problems(route(reference_store, "apps/wiki")) == []


def test_routers_without_a_provider_list_and_junk_entries_do_not_break_the_store(reference_store):
    routers = json.loads((REFERENCE / "traefik-api-http-routers.json").read_text())
    reference_store.handle(Relisted(TRAEFIK_ROUTERS, [*routers, "junk", {"status": "enabled"}, None]))  # type: ignore[list-item]
    assert route(reference_store, "apps/wiki").traefik_status == "disabled"
    # both providers named a router, so both count as running
    assert route(reference_store, "apps/shop").traefik_status == "absent"
    assert route(reference_store, "monitoring/grafana").traefik_status == "enabled"


# --- the real Traefik ----------------------------------------------------------------------------

def emberforge_routes(backend: int) -> list[dict[str, Any]]:
    """website serves; donate names a Middleware that does not exist; wiki's Service is missing."""
    return [
        service("website", "website", backend), endpoint_slice("website", "website", backend),
        ingress_route("website", "website", "emberforge.games", "website"),
        service("donate", "donate", backend), endpoint_slice("donate", "donate", backend),
        ingress_route("donate", "donate", "donate.emberforge.games", "donate", middlewares=("tip-jar",)),
        ingress_route("wiki", "wiki", "wiki.emberforge.games", "wiki-web"),
    ]


class Pump:
    """The route kinds' real sources and a Traefik poller feeding one store on this thread."""

    def __init__(self, emu: Any, traefik_url: str) -> None:
        self.store = ClusterStore()
        self.events: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.conn = connect_emulator(emu)
        kinds = [KINDS[k] for k in ("ingressroutes", "ingresses", "services")]
        self.sources = SourceSet(self.conn.api_client, self.events.put, kinds=kinds, backoff=FAST)
        self.poller = TraefikPoller(traefik_url, self.events.put, interval=0.3, backoff=FAST)

    def __enter__(self) -> Self:
        self.sources.start()
        self.poller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.poller.stop()
        self.sources.stop()
        self.poller.join(2)
        self.conn.close()

    def until(self, predicate: Callable[[ClusterStore], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT
        while not predicate(self.store):
            if time.monotonic() > deadline:
                rows = {r.key: (r.traefik_status, r.problems) for r in self.store.rows("routes")}
                raise AssertionError(f"timed out waiting for {what}; routes {rows}; "
                                     f"health {self.store.health().get(TRAEFIK_API)}")
            try:
                self.store.handle(self.events.get(timeout=0.1))
            except queue.Empty:
                pass


def statuses(store: ClusterStore) -> dict[str, str | None]:
    return {r.ref: r.traefik_status for r in store.rows("routes")}


EXPECTED = {"website/website": "enabled", "donate/donate": "disabled", "wiki/wiki": "absent"}


@pytest.mark.parametrize("naming", ["legacy", "safe"])
def test_real_traefik_status_reaches_the_route_rows_and_survives_traefik_stopping(
        emulator_factory, traefik, backend, naming):
    emu = emulator_factory(emberforge_routes(backend), controllers=False)
    flags = ["--providers.kubernetescrd.safenaming=true"] if naming == "safe" else []
    api, _ = traefik(emu.url, *flags)
    with Pump(emu, api) as pump:
        pump.until(lambda s: statuses(s) == EXPECTED and s.health()[TRAEFIK_API].state is SourceState.OK,
                   "Traefik's view of the three routes")
        store = pump.store
        assert traefik_problems(route(store, "website/website")) == []
        middleware = "donate_tip-jar" if naming == "safe" else "donate-tip-jar"  # safe naming: "_" joins
        assert traefik_problems(route(store, "donate/donate")) == [
            f'traefik: middleware "{middleware}@kubernetescrd" does not exist']
        wiki = route(store, "wiki/wiki")
        assert "traefik: no router for Host(`wiki.emberforge.games`)" in wiki.problems
        assert "backend service wiki/wiki-web not found (Traefik drops the route)" in wiki.problems

        traefik.stop()
        pump.until(lambda s: s.health()[TRAEFIK_API].state is SourceState.STALE, "the Traefik API going stale")
        assert store.health()[TRAEFIK_API].detail == "connection refused"
        assert statuses(store) == EXPECTED  # the last word Traefik said stays, under the banner


def _k8s_ingress(ns: str, name: str, host: str, svc: str, paths: tuple[str, ...] = ("/",),
                 cls: str = "traefik") -> dict[str, Any]:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name, "namespace": ns},
            "spec": {"ingressClassName": cls, "rules": [{"host": host, "http": {"paths": [
                {"path": p, "pathType": "Prefix", "backend": {"service": {"name": svc, "port": {"number": 80}}}}
                for p in paths]}}]}}


def test_real_traefik_ingress_routers_match_per_path_and_other_classes_are_left_alone(
        emulator_factory, traefik, backend):
    emu = emulator_factory([
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "traefik"},
         "spec": {"controller": "traefik.io/ingress-controller"}},
        service("website", "website", backend), endpoint_slice("website", "website", backend),
        _k8s_ingress("website", "site.main", "emberforge.games", "website", paths=("/", "/api/v1")),
        _k8s_ingress("wiki", "wiki", "wiki.emberforge.games", "wiki-web"),  # its Service is missing
        _k8s_ingress("website", "old", "old.emberforge.games", "website", cls="nginx"),
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "fallback", "namespace": "website"},
         "spec": {"ingressClassName": "traefik",
                  "defaultBackend": {"service": {"name": "website", "port": {"number": 80}}}}},
    ], controllers=False)
    api, _ = traefik(emu.url, f"--providers.kubernetesingress.endpoint={emu.url}")
    with Pump(emu, api) as pump:
        expected = {"website/site.main": "enabled", "wiki/wiki": "absent", "website/old": None,
                    "website/fallback": "enabled"}
        pump.until(lambda s: statuses(s) == expected and s.health()[TRAEFIK_API].state is SourceState.OK,
                   "Traefik's view of the Ingresses")
        site = route(pump.store, "website/site.main")
        assert set(site.traefik_routers) == {"website-site-main-emberforge-games@kubernetes",
                                             "website-site-main-emberforge-games-api-v1@kubernetes"}
        assert "traefik: no router for wiki.emberforge.games/" in route(pump.store, "wiki/wiki").problems
        assert traefik_problems(route(pump.store, "website/old")) == []
        assert route(pump.store, "website/fallback").traefik_routers == ("default-router@kubernetes",)


def test_snapshot_collect_waits_for_traefik_and_reports_its_view(emulator_factory, traefik, backend, tmp_path):
    emu = emulator_factory(emberforge_routes(backend), controllers=False)
    api, _ = traefik(emu.url)
    wait_routers(api, lambda names: router_name("website", "website", "emberforge.games") in names,
                 tmp_path / "traefik.log")
    conn = connect_emulator(emu)
    try:
        store = collect(conn, 20.0, traefik_api_url=api + "/api")  # the pasted /api path works too
    finally:
        conn.close()
    assert store.health()[TRAEFIK_API].state is SourceState.OK
    assert {k: v for k, v in statuses(store).items() if k in EXPECTED} == EXPECTED
    # the text snapshot gains a TRAEFIK column, with each route's status in it
    text = snapshot_text(store).splitlines()
    header = next(line for line in text if line.startswith("NAMESPACE") and "HOSTS" in line)
    assert "TRAEFIK" in header.split()
    donate = next(line for line in text if "donate.emberforge.games" in line)
    assert "disabled" in donate.split()


def _health_events(url: str, until: Callable[[SourceHealth], bool]) -> list[SourceHealth]:
    events: queue.SimpleQueue[Any] = queue.SimpleQueue()
    poller = TraefikPoller(url, events.put, interval=0.2, backoff=FAST)
    poller.start()
    seen: list[SourceHealth] = []
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                event = events.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(event, HealthChanged):
                seen.append(event.health)
                if until(event.health):
                    return seen
    finally:
        poller.stop()
        poller.join(2)
    raise AssertionError(f"health never settled: {seen}")


def test_an_unreachable_traefik_api_is_an_error_and_a_server_without_it_is_not_installed(emulator_factory):
    refused = _health_events(f"http://127.0.0.1:{free_port()}", lambda h: h.state is not SourceState.CONNECTING)
    assert [h.state for h in refused] == [SourceState.CONNECTING, SourceState.ERROR]
    assert refused[-1].detail == "connection refused" and refused[-1].retry_in is not None

    emu = emulator_factory([], controllers=False)  # speaks HTTP, but has no /api/overview
    missing = _health_events(emu.url, lambda h: h.state is not SourceState.CONNECTING)
    assert missing[-1].state is SourceState.NOT_INSTALLED
    assert missing[-1].detail == f"no Traefik API at {emu.url} (is api enabled?)"


# --- config and the console ------------------------------------------------------------------------

def test_config_reads_the_traefik_api_url_from_file_and_env(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("traefik_api_url: http://traefik.kube-system:8080\ntraefik_poll_seconds: 30\n")
    config = load_config({"CLUSTERDECK_CONFIG": str(path), "HOME": str(tmp_path)})
    assert (config.traefik_api_url, config.traefik_poll_seconds) == ("http://traefik.kube-system:8080", 30.0)
    env = {"CLUSTERDECK_CONFIG": str(path), "HOME": str(tmp_path),
           "CLUSTERDECK_TRAEFIK_API_URL": "http://127.0.0.1:9000"}
    assert load_config(env).traefik_api_url == "http://127.0.0.1:9000"
    assert Config().traefik_api_url is None
    path.write_text("traefik_poll_seconds: never\n")
    with pytest.raises(ConfigError, match="traefik_poll_seconds must be a number"):
        load_config({"CLUSTERDECK_CONFIG": str(path), "HOME": str(tmp_path)})


async def test_routes_pane_shows_the_traefik_column_at_80x24_and_a_stale_banner(emulator_factory, traefik, backend):
    emu = emulator_factory(emberforge_routes(backend), controllers=False)
    api, _ = traefik(emu.url)
    app = make_app(emu, context="hel-main", config=Config(traefik_api_url=api, traefik_poll_seconds=0.3))
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "5")
        await wait_until(pilot, lambda: statuses(app.store) == EXPECTED, WAIT, "Traefik's statuses")
        app.bridge.tick()
        await pilot.pause()
        text = screen_text(app)
        assert "TRAEFIK" in text and "PROBLEMS" in text and "BACKEND" in text
        # at 80 columns a route is named by namespace/name (its host may be cut in the middle)
        lines = {route: [line for line in text.splitlines() if route in line]
                 for route in ("donate/donate", "wiki/wiki ", "website/website")}
        assert all(len(found) == 1 for found in lines.values()), text
        lines = {route: found[0] for route, found in lines.items()}
        assert "disabled" in lines["donate/donate"]
        assert "absent" in lines["wiki/wiki "]
        assert "enabled" in lines["website/website"]

        traefik.stop()
        await wait_until(pilot, lambda: app.store.health()[TRAEFIK_API].state is SourceState.STALE, WAIT,
                         "the Traefik API going stale")
        app.bridge.tick()
        await pilot.pause()
        assert "Traefik API stale" in screen_text(app)
        assert "disabled" in screen_text(app)
        # the trouble shows from anywhere: the Routes tab's mark and the overview's list
        assert "5 Routes!" in screen_text(app).splitlines()[1]
        await press(pilot, "1")
        assert "Traefik: Traefik API stale" in screen_text(app)


@pytest.mark.parametrize("context, config", [
    ("hel-main", Config()),  # no traefik_api_url
    ("emberforge-demo", Config(traefik_api_url="http://127.0.0.1:9")),  # the demo: not that Traefik's cluster
])
async def test_routes_pane_without_the_traefik_api_has_no_traefik_column(emulator_factory, backend, context, config):
    app = make_app(emulator_factory(emberforge_routes(backend), controllers=False), context=context, config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "5")
        assert "TRAEFIK" not in screen_text(app) and "BACKEND" in screen_text(app)
        assert TRAEFIK_API not in app.store.health()
        assert {r.traefik_status for r in app.store.rows("routes")} == {None}
