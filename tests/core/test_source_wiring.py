"""One builder decides the sources of every connection: the App and `snapshot` agree that
Traefik's API is polled for a live cluster only, never for the demo or an offline dump."""
from __future__ import annotations

import queue

from tests.support.paths import REFERENCE
from tui.connection import connect_demo, connect_dump, connect_emulator
from tui.core.clock import SystemClock
from tui.core.kinds import KINDS
from tui.core.ports import Origin
from tui.core.source_wiring import build_sources, traefik_api_for
from tui.core.traefik_api import TraefikPoller

TRAEFIK = "http://127.0.0.1:9"  # never listened on: only whether a poller is built matters


def _pollers(conn):
    sources = build_sources(conn.api_client, queue.SimpleQueue().put, SystemClock(), origin=conn.origin,
                            traefik_api_url=TRAEFIK)
    assert len(sources.members) >= len(KINDS)  # every watched kind has its source
    return [s for s in sources.members if isinstance(s, TraefikPoller)]


def test_only_a_live_cluster_has_its_traefik_api_polled():
    assert traefik_api_for(Origin.KUBECONFIG, TRAEFIK) == TRAEFIK
    assert traefik_api_for(Origin.DEMO, TRAEFIK) is None
    assert traefik_api_for(Origin.DUMP, TRAEFIK) is None
    assert traefik_api_for(Origin.KUBECONFIG, None) is None


def test_connections_carry_their_origin_and_the_builder_follows_it(emulator_factory):
    demo = connect_demo(read_only=True)
    dump = connect_dump(str(REFERENCE / "ingress-traefik.yaml"))
    named = connect_emulator(emulator_factory([], controllers=False), context="hel-main")
    try:
        assert (demo.origin, demo.origin.label) == (Origin.DEMO, "demo")
        assert (dump.origin, dump.origin.label) == (Origin.DUMP, "offline dump")
        assert (named.origin, named.origin.label) == (Origin.KUBECONFIG, "")
        assert _pollers(demo) == [] and _pollers(dump) == []
        assert len(_pollers(named)) == 1
    finally:
        demo.close()
        dump.close()
        named.close()
