"""The Routes pane over the emulator: routes are told apart by kind and API group."""
from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from screens.detail import DetailScreen
from tests.support.app_support import FROZEN_AT, make_app, press, screen_text, synced, table_keys
from tests.support.make_certs import make_cert, tls_secret
from tui.core.clock import FrozenClock
from tui.emulator.demo import demo_objects


def _with_twins() -> list[dict[str, Any]]:
    """The demo plus twins in the legacy group (left over from a Traefik v2 install) of wiki/wiki
    (whose backend has no ready endpoint) and website/website (fine)."""
    objects = demo_objects()
    return [*objects, *(_twin(o) for o in objects
                        if o["kind"] == "IngressRoute" and o["metadata"]["name"] in ("wiki", "website"))]


def _twin(live: dict[str, Any]) -> dict[str, Any]:
    twin = copy.deepcopy(live)
    twin["apiVersion"] = "traefik.containo.us/v1alpha1"
    twin["metadata"].pop("uid", None)
    twin["metadata"].pop("resourceVersion", None)
    return twin


async def test_two_same_named_routes_of_different_groups_are_two_rows(emulator_factory: Any) -> None:
    app = make_app(emulator_factory(_with_twins(), controllers=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "5")
        keys = table_keys(app)
        for name in ("wiki/wiki", "website/website"):
            live, legacy = f"IngressRoute/{name}", f"IngressRoute.traefik.containo.us/{name}"
            # both listed: the live route first, its legacy twin right after it
            assert keys.index(legacy) == keys.index(live) + 1, keys
        lines = screen_text(app).splitlines()
        wiki = [line for line in lines if " wiki/wiki" in line]
        assert len(wiki) == 2 and "(legacy)" not in wiki[0] and "wiki/wiki (legacy)" in wiki[1], wiki
        assert "no ready" in wiki[1]  # the twin's own problem is still told
        # a long name is cut in the middle: the mark survives; a twin with no problem says why it
        # still needs a look (Traefik v3 does not read its group)
        website = [line for line in lines if " website/" in line]
        assert len(website) == 2 and "(legacy)" not in website[0] and "(legacy)" in website[1], website
        assert "legacy group" in website[1]  # (the cell wraps: the rest on the next line)


def _tls(objects: list[dict[str, Any]], route: str, days_left: float, now: Any) -> list[dict[str, Any]]:
    """The demo route `route` served from a TLS Secret whose certificate has `days_left`."""
    for obj in objects:
        if obj["kind"] == "IngressRoute" and obj["metadata"]["name"] == route:
            obj["spec"]["tls"] = {"secretName": f"{route}-tls"}
            ns, host = obj["metadata"]["namespace"], obj["spec"]["routes"][0]["match"].split("`")[1]
    pem, key = make_cert(dns=(host,), not_before=now - timedelta(days=80), not_after=now + timedelta(days=days_left))
    return [*objects, tls_secret(ns, f"{route}-tls", pem, key)]


async def test_certificate_expiry_shows_in_tls_and_an_expired_one_is_a_problem(emulator_factory: Any) -> None:
    now = FrozenClock(FROZEN_AT).now()
    objects = _tls(_tls(demo_objects(), "api", 6.5, now), "donate", -2, now)
    app = make_app(emulator_factory(objects, controllers=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "5")
        lines = screen_text(app).splitlines()
        api = next(line for line in lines if " api/api " in line)
        donate = next(line for line in lines if " donate/donate " in line)
        assert " 6d " in api and "certificate" in api  # a warning: days left, and the note
        assert " exp " in donate and "certificate" in donate
        assert app.store.row("routes", "IngressRoute/donate/donate").problems[0].startswith(
            "certificate in donate/donate-tls expired")
        assert app.store.row("routes", "IngressRoute/api/api").problems == ()
        await press(pilot, "1")
        overview = screen_text(app)
        # both need attention; only the expired one counts as a problem (wiki/wiki is the demo's other)
        assert "certificate in api/api-tls expires in 6 days" in overview
        assert "certificate in donate/donate-tls expired" in overview
        assert "7 routes, 2 with problems" in overview


async def test_tcp_and_udp_routes_of_both_groups_are_listed_and_open_their_own_object(emulator_factory: Any) -> None:
    """The emulator serves IngressRouteTCP/UDP in both groups; the app lists them as routes, and
    `enter` then `y` shows the object the row came from (not an IngressRoute of the same name)."""
    tcp = {"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRouteTCP",
           "metadata": {"name": "wiki", "namespace": "wiki"},
           "spec": {"entryPoints": ["mysql"], "routes": [{"match": "HostSNI(`db.emberforge.games`)",
                                                          "services": [{"name": "wiki-db", "port": 3306}]}],
                    "tls": {"passthrough": True}}}
    udp = {"apiVersion": "traefik.containo.us/v1alpha1", "kind": "IngressRouteUDP",
           "metadata": {"name": "dns", "namespace": "kube-system"},
           "spec": {"entryPoints": ["dns"], "routes": [{"services": [{"name": "kube-dns", "port": 53}]}]}}
    app = make_app(emulator_factory([*demo_objects(), tcp, udp], controllers=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "5")
        keys = table_keys(app)
        assert {"IngressRouteTCP/wiki/wiki", "IngressRouteUDP.traefik.containo.us/kube-system/dns",
                "IngressRoute/wiki/wiki"} <= set(keys)
        lines = screen_text(app).splitlines()
        assert any(" wiki/wiki (tcp) " in line for line in lines)
        # "kube-system/dns (legacy udp)" is cut in the middle to fit ROUTE: the end of the mark stays
        assert any("kube-sys" in line and "udp) " in line for line in lines)
        table = app.screen.query_one("#table")
        table.move_cursor(row=keys.index("IngressRouteTCP/wiki/wiki"))
        await press(pilot, "enter")
        assert isinstance(app.screen, DetailScreen)
        await press(pilot, "y")
        text = screen_text(app)
        assert "kind: IngressRouteTCP" in text and "HostSNI" in text and "passthrough: true" in text
