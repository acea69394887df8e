"""`diagnose` against the emulator, the real Traefik binary and a real backend on loopback,
breaking each hop in turn: the verdict must name what broke.

The world: Traefik's LoadBalancer Service holds 127.0.0.1 (pool `loop`, advertised by L2,
announced by node n1 whose speaker is Ready); its `web` and `websecure` Service ports are the
ports the real Traefik listens on. Every name resolves through the test's own resolver (the
seam diagnose offers), so no query leaves the machine and every request goes to 127.0.0.1.
"""
from __future__ import annotations

import base64
import datetime as dt
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.traefik_support import (
    endpoint_slice,
    free_port,
    ingress_route,
    router_name,
    service,
    wait_routers,
)
from tui.cli import collect
from tui.connection import connect_kubeconfig
from tui.core.diagnose import NetworkFacts, RouteDiagnosis, diagnose, httpx_probe
from tui.core.ports import Origin
from tui.core.traefik_api import fetch_entrypoints

LB_IP = "127.0.0.1"
NOW = dt.datetime.now(dt.UTC)


def resolver_for(answers: dict[str, list[str]]) -> Callable[[str], list[str]]:
    def resolve(host: str) -> list[str]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers[host]
    return resolve


def self_signed(host: str, not_after: dt.datetime) -> tuple[bytes, bytes]:
    """A throwaway certificate and key for `host` (PEM), valid until `not_after`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_after - dt.timedelta(days=90)).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def tls_secret(ns: str, name: str, cert: bytes, key: bytes) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": name, "namespace": ns},
            "data": {"tls.crt": base64.b64encode(cert).decode(), "tls.key": base64.b64encode(key).decode()}}


def network(web: int, websecure: int, advertised: bool = True) -> list[dict[str, Any]]:
    """Node, MetalLB (pool, L2 advertisement, status, speaker) and Traefik's LB Service."""
    objects: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"},
         "status": {"conditions": [{"type": "Ready", "status": "True"}]}},
        {"apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
         "metadata": {"name": "loop", "namespace": "metallb-system"}, "spec": {"addresses": ["127.0.0.1/32"]}},
        {"apiVersion": "metallb.io/v1beta1", "kind": "ServiceL2Status",
         "metadata": {"name": "l2-x7k2p", "namespace": "metallb-system",
                      "labels": {"metallb.io/node": "n1", "metallb.io/service-name": "traefik",
                                 "metallb.io/service-namespace": "kube-system"}},
         "spec": {}, "status": {"node": "n1", "serviceName": "traefik", "serviceNamespace": "kube-system"}},
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "speaker-l8vpc", "namespace": "metallb-system",
                      "labels": {"app.kubernetes.io/component": "speaker", "app.kubernetes.io/name": "metallb"}},
         "spec": {"nodeName": "n1", "containers": [{"name": "speaker", "image": "quay.io/metallb/speaker:v0.15.2"}]},
         "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "traefik", "namespace": "kube-system",
                      "labels": {"app.kubernetes.io/name": "traefik"},
                      "annotations": {"metallb.io/ip-allocated-from-pool": "loop"}},
         "spec": {"type": "LoadBalancer", "clusterIP": "10.43.212.7",
                  "ports": [{"name": "web", "port": web, "targetPort": "web", "protocol": "TCP"},
                            {"name": "websecure", "port": websecure, "targetPort": "websecure", "protocol": "TCP"}]},
         "status": {"loadBalancer": {"ingress": [{"ip": LB_IP, "ipMode": "VIP"}]}}},
    ]
    if advertised:
        objects.append({"apiVersion": "metallb.io/v1beta1", "kind": "L2Advertisement",
                        "metadata": {"name": "loop", "namespace": "metallb-system"},
                        "spec": {"ipAddressPools": ["loop"]}})
    return objects


def not_ready(slice_: dict[str, Any]) -> dict[str, Any]:
    for endpoint in slice_["endpoints"]:
        endpoint["conditions"] = {"ready": False, "serving": False, "terminating": False}
    return slice_


def secure_route(ns: str, name: str, host: str, svc: str, secret: str) -> dict[str, Any]:
    route = ingress_route(ns, name, host, svc)
    route["spec"]["entryPoints"] = ["websecure"]
    route["spec"]["tls"] = {"secretName": secret}
    return route


def routes(backend: int) -> list[dict[str, Any]]:
    """One route per verdict: website works; donate names a missing Middleware (Traefik disables
    the router); queue has no ready endpoint; shop's pods do not answer; vault's certificate
    expired; sso's covers other names; mirror's DNS points elsewhere; ghost does not resolve."""
    dead = free_port()  # nothing listens here: the backend is down
    cert, key = self_signed("vault.emberforge.games", NOW - dt.timedelta(days=2))
    wrong_cert, wrong_key = self_signed("other.example", NOW + dt.timedelta(days=60))
    objects = [
        service("website", "website", backend), endpoint_slice("website", "website", backend),
        ingress_route("website", "website", "emberforge.games", "website"),
        service("donate", "donate", backend), endpoint_slice("donate", "donate", backend),
        ingress_route("donate", "donate", "donate.emberforge.games", "donate", middlewares=("tip-jar",)),
        service("queue", "queue", backend), not_ready(endpoint_slice("queue", "queue", backend)),
        ingress_route("queue", "queue", "queue.emberforge.games", "queue"),
        service("shop", "shop", dead), endpoint_slice("shop", "shop", dead),
        ingress_route("shop", "shop", "shop.emberforge.games", "shop"),
        service("vault", "vault", backend), endpoint_slice("vault", "vault", backend),
        tls_secret("vault", "vault-tls", cert, key),
        secure_route("vault", "vault", "vault.emberforge.games", "vault", "vault-tls"),
        service("sso", "sso", backend), endpoint_slice("sso", "sso", backend),
        tls_secret("sso", "sso-tls", wrong_cert, wrong_key),
        secure_route("sso", "sso", "sso.emberforge.games", "sso", "sso-tls"),
        service("mirror", "mirror", backend), endpoint_slice("mirror", "mirror", backend),
        ingress_route("mirror", "mirror", "mirror.emberforge.games", "mirror"),
        service("ghost", "ghost", backend), endpoint_slice("ghost", "ghost", backend),
        ingress_route("ghost", "ghost", "ghost.emberforge.games", "ghost"),
    ]
    return objects


ANSWERS = {f"{n}.emberforge.games": [LB_IP] for n in ("donate", "queue", "shop", "vault", "sso")} | {
    "emberforge.games": [LB_IP], "mirror.emberforge.games": ["192.0.2.80"]}


def start_world(emulator_factory: Any, traefik: Any, tmp_path: Path, objects: list[dict[str, Any]],
                web_host: str = LB_IP) -> tuple[Any, str, int, int]:
    web, websecure = free_port(), free_port()
    emu = emulator_factory(network(web, websecure) + objects, controllers=False)
    api, _ = traefik(emu.url, f"--entrypoints.web.address={web_host}:{web}",
                     f"--entrypoints.websecure.address={LB_IP}:{websecure}")
    return emu, api, web, websecure


def run(config: Path, api: str, route: str | None = None) -> dict[str, RouteDiagnosis]:
    """What `clusterdeck diagnose` does, with the test's resolver in the seam."""
    conn = connect_kubeconfig(str(config), "hel-main")
    assert conn.origin is Origin.KUBECONFIG
    try:
        store = collect(conn, 20.0, traefik_api_url=api)
    finally:
        conn.close()
    entrypoints = fetch_entrypoints(api)
    assert entrypoints, "Traefik's API listed no entrypoints"
    facts = NetworkFacts.from_store(store, entrypoints)
    results = diagnose(facts, resolver_for(ANSWERS), httpx_probe, Origin.KUBECONFIG, route)
    return {r.route: r for r in results}


def hop(result: RouteDiagnosis, name: str) -> tuple[str, str]:
    found = next(h for h in result.hops if h.hop == name)
    return found.status, found.reason


def test_each_broken_hop_is_named_by_its_verdict(emulator_factory: Any, kubeconfig: Any, traefik: Any,
                                                 backend: int, tmp_path: Path) -> None:
    emu, api, web, websecure = start_world(emulator_factory, traefik, tmp_path, routes(backend))
    wanted = {router_name("website", "website", "emberforge.games"),
              router_name("donate", "donate", "donate.emberforge.games")}
    wait_routers(api, lambda names: wanted <= names, tmp_path / "traefik.log")
    results = run(kubeconfig(emu, context="hel-main"), api)

    website = results["website/website"]
    assert not website.failed, website.hops
    assert [h.status for h in website.hops] == ["ok"] * 6
    assert hop(website, "dns")[1] == f"emberforge.games → {LB_IP}"
    assert hop(website, "announce")[1] == f"{LB_IP} in pool loop, announced by n1 (Ready, speaker Ready)"
    assert hop(website, "traefik")[1].endswith("enabled on web")
    assert hop(website, "http")[1].startswith(f"http://{LB_IP}:{web} Host: emberforge.games: HTTP 200 in ")

    # router error: Traefik lists the router disabled, with its own error
    status, reason = hop(results["donate/donate"], "traefik")
    assert status == "failed" and reason.startswith("router disabled") and "tip-jar" in reason
    assert hop(results["donate/donate"], "http") == ("skipped", "an earlier hop failed")
    # no endpoints
    assert hop(results["queue/queue"], "backend") == ("failed", "no ready endpoint for queue/queue:80")
    # backend down: the Service has ready endpoints, but nothing answers there: Traefik says 502
    assert hop(results["shop/shop"], "backend")[0] == "ok"
    status, reason = hop(results["shop/shop"], "http")
    assert status == "failed" and ": HTTP 502 in " in reason
    # expired certificate: the request went through; the certificate it presented is named
    status, reason = hop(results["vault/vault"], "http")
    assert status == "failed", reason
    assert reason.startswith(f"https://{LB_IP}:{websecure} Host: vault.emberforge.games: HTTP 200")
    assert "certificate CN=vault.emberforge.games, EXPIRED " in reason
    # a certificate for other names: whatever Traefik answered with, it does not cover the host
    status, reason = hop(results["sso/sso"], "http")
    assert status == "failed" and ", does not cover sso.emberforge.games (names: " in reason, reason
    # wrong DNS answer
    assert hop(results["mirror/mirror"], "lb_ip") == (
        "failed", f"DNS points at 192.0.2.80, Traefik's LB IP is {LB_IP}")
    assert [h.status for h in results["mirror/mirror"].hops[2:]] == ["skipped"] * 4
    # a name that does not resolve
    status, reason = hop(results["ghost/ghost"], "dns")
    assert status == "failed" and reason.startswith("ghost.emberforge.games does not resolve")


def test_pool_not_advertised_and_an_entrypoint_on_the_wrong_address(
        emulator_factory: Any, kubeconfig: Any, traefik: Any, backend: int, tmp_path: Path) -> None:
    objects = [service("website", "website", backend), endpoint_slice("website", "website", backend),
               ingress_route("website", "website", "emberforge.games", "website")]
    # the story's failure: Traefik listens on another address than the one MetalLB gave it
    emu, api, web, _ = start_world(emulator_factory, traefik, tmp_path, objects, web_host="127.0.0.2")
    wait_routers(api, lambda names: router_name("website", "website", "emberforge.games") in names,
                 tmp_path / "traefik.log")
    config = kubeconfig(emu, context="hel-main")
    website = run(config, api, "website/website")["website/website"]
    assert hop(website, "traefik") == (
        "failed", f"entrypoint web listens on 127.0.0.2:{web}, not on the LB IP {LB_IP} or every address")
    assert hop(website, "http") == ("skipped", "an earlier hop failed")

    # nobody advertises the pool: nobody answers ARP for the IP
    emu.delete("l2_advertisements", "metallb-system", "loop")
    website = run(config, api, "website/website")["website/website"]
    assert hop(website, "announce") == (
        "failed", ("pool loop is not advertised (no L2Advertisement or BGPAdvertisement selects it): "
                   f"nobody answers ARP for {LB_IP}"))
    assert [h.status for h in website.hops[3:]] == ["skipped"] * 3
    assert website.failed
