"""`d` on the Routes pane: the diagnose screen for the route under the cursor, driven by keys.

On the demo nothing is looked up or requested (those hops say so); the store-backed hops give
their verdicts. The live hops (DNS, Traefik's API, the HTTP request) are exercised through the
same screen against the real Traefik in test_diagnose_screen_live below."""
from __future__ import annotations

from typing import Any

import pytest

from screens.diagnose import DiagnoseScreen
from screens.routes import RoutesScreen
from tests.support.app_support import (
    make_app,
    press,
    screen_text,
    settle,
    synced,
    table_keys,
    wait_until,
)
from tui.emulator.demo import demo_objects


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False)


async def test_d_on_a_route_shows_every_hop_and_escape_goes_back(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "5")
        assert table_keys(app)[0] == "IngressRoute/wiki/wiki"  # the broken one first
        await press(pilot, "d")
        assert isinstance(app.screen, DiagnoseScreen)
        await wait_until(pilot, lambda: app.screen.done, what="every hop checked")
        await settle(pilot)
        text = screen_text(app)
        assert "Diagnose wiki/wiki  IngressRoute  wiki.emberforge.games" in text
        assert "1. DNS      skipped the demo cluster is simulated: names are not looked up" in text
        assert "2. LB IP    ok      Traefik's LB IP 192.168.10.240 (kube-system/traefik); DNS not checked" in text
        assert "5. backend  failed  no ready endpoint for wiki/wiki-web:80" in text
        assert "6. HTTP     skipped an earlier hop failed" in text
        assert "1 hop(s) failed: backend" in text
        await press(pilot, "escape")
        assert isinstance(app.screen, RoutesScreen)
        assert app.screen.table.cursor_row == 0


async def test_d_is_only_on_the_routes_pane(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "2", "d")  # Nodes: d is not bound there
        assert not isinstance(app.screen, DiagnoseScreen)
        await press(pilot, "5", "slash", *"no-such-route", "enter", "d")
        assert isinstance(app.screen, RoutesScreen)  # no row: the key says why instead
        assert any("d: no row selected" in n.message for n in app._notifications)


async def test_d_on_a_live_route_checks_every_hop_through_traefik(emulator_factory: Any, traefik: Any,
                                                                  backend: int, tmp_path: Any) -> None:
    """A cluster the app treats as live (context hel-main) with the real Traefik and a loopback
    backend; the route's host is `localhost`, so the system resolver answers from /etc/hosts
    and nothing leaves the machine. Every hop is checked for real, in the screen's worker."""
    from tests.core.test_diagnose_live import LB_IP, network
    from tests.support.traefik_support import (
        endpoint_slice,
        free_port,
        ingress_route,
        router_name,
        service,
        wait_routers,
    )
    from tui.config import Config

    web, websecure = free_port(), free_port()
    objects = [service("website", "website", backend), endpoint_slice("website", "website", backend),
               ingress_route("website", "website", "localhost", "website")]
    emu = emulator_factory(network(web, websecure) + objects, controllers=False)
    api, _ = traefik(emu.url, f"--entrypoints.web.address={LB_IP}:{web}")
    wait_routers(api, lambda names: router_name("website", "website", "localhost") in names,
                 tmp_path / "traefik.log")
    app = make_app(emu, context="hel-main", config=Config(traefik_api_url=api, traefik_poll_seconds=0.5))
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await wait_until(pilot, lambda: app.store.row("routes", "IngressRoute/website/website").traefik_status == "enabled",
                         what="Traefik's view of the route")
        await press(pilot, "5")
        await pilot.press("d")
        assert isinstance(app.screen, DiagnoseScreen)
        await wait_until(pilot, lambda: app.screen.done, timeout=20, what="every hop checked")
        await settle(pilot)
        statuses = [(h.hop, h.status) for h in app.screen.hops]
        assert statuses == [(h, "ok") for h in ("dns", "lb_ip", "announce", "traefik", "backend", "http")], \
            app.screen.hops
        text = screen_text(app)
        assert "1. DNS      ok      localhost → " in text
        assert f"6. HTTP     ok      http://{LB_IP}:{web} Host: localhost: HTTP 200 in " in text
        assert "every hop checked is ok" in text
