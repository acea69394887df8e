"""TLS of routes: the Secret a route names exists, its certificate covers the route's hosts, its
expiry is told (a warning under 14 days, a problem once expired). Only TLS Secrets are listed,
and of each only tls.crt is kept: the private key never reaches the store."""
from __future__ import annotations

import base64
import json
import queue
import time
from datetime import timedelta

from tests.support.core_samples import endpoint_slice, ingressroute, service, store_with
from tests.support.make_certs import make_cert, tls_secret
from tui.core import kube_http
from tui.core.clock import FrozenClock
from tui.core.events import HealthChanged, Relisted, SourceHealth, SourceState
from tui.core.kinds import KINDS
from tui.core.sources import Backoff, SourceSet
from tui.core.store import ClusterStore

NOW = FrozenClock().now()  # the store_with clock


def _route(secret: str | None = "wiki-tls", hosts: tuple[str, ...] = ("wiki.lab",)) -> dict:
    obj = ingressroute("wiki", "wiki", hosts[0], "wiki-web")
    obj["spec"]["routes"][0]["match"] = " || ".join(f"Host(`{h}`)" for h in hosts)
    obj["spec"]["tls"] = {"secretName": secret} if secret else {"certResolver": "letsencrypt"}
    return obj


def _store(route: dict, *secrets: dict, **more: list) -> ClusterStore:
    return store_with({"ingressroutes": [route], "tls_secrets": list(secrets),
                       "services": [service("wiki-web", "wiki", {"app": "wiki-web"})],
                       "endpointslices": [endpoint_slice("wiki-web", "wiki", ["n1"])], **more})


def _cert(days_left: float, dns: tuple[str, ...] = ("wiki.lab",)) -> tuple[bytes, bytes]:
    return make_cert(dns=dns, not_before=NOW - timedelta(days=60), not_after=NOW + timedelta(days=days_left))


def _row(store: ClusterStore, key: str = "IngressRoute/wiki/wiki"):
    return store.row("routes", key)


def test_named_secret_that_does_not_exist_is_a_problem():
    row = _row(_store(_route("wiki-tls")))
    assert row.problems == ("TLS secret wiki/wiki-tls not found (Traefik serves its default certificate)",)
    assert row.cert_state is None


def test_certificate_covering_the_hosts_is_fine_and_its_facts_are_kept():
    pem, key = _cert(90, dns=("*.lab", "wiki.lab"))
    row = _row(_store(_route(hosts=("wiki.lab", "docs.lab")), tls_secret("wiki", "wiki-tls", pem, key)))
    assert row.problems == () and row.notes == ()
    assert row.cert_state == "ok"
    assert row.cert_names == ("*.lab", "wiki.lab")
    assert row.cert_expires == (NOW + timedelta(days=90)).isoformat()


def test_host_the_certificate_does_not_cover_is_named():
    pem, key = _cert(90, dns=("*.lab",))
    row = _row(_store(_route(hosts=("wiki.lab", "a.b.lab", "lab")), tls_secret("wiki", "wiki-tls", pem, key)))
    assert row.problems == ("certificate in wiki/wiki-tls does not cover a.b.lab, lab",)


def test_expiring_within_14_days_is_a_warning_and_expired_is_a_problem():
    pem, key = _cert(5.5)
    soon = _row(_store(_route(), tls_secret("wiki", "wiki-tls", pem, key)))
    assert soon.problems == () and soon.cert_state == "warning"
    assert soon.notes == ((f"certificate in wiki/wiki-tls expires in 5 days "
                           f"({(NOW + timedelta(days=5.5)).strftime('%Y-%m-%d %H:%M')} UTC)"),)
    pem, key = _cert(-1)
    gone = _row(_store(_route(), tls_secret("wiki", "wiki-tls", pem, key)))
    assert gone.cert_state == "expired"
    assert gone.problems == ((f"certificate in wiki/wiki-tls expired "
                              f"{(NOW - timedelta(days=1)).strftime('%Y-%m-%d %H:%M')} UTC"),)


def test_unreadable_certificate_is_a_problem_that_says_why():
    broken = tls_secret("wiki", "wiki-tls", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    row = _row(_store(_route(), broken))
    assert row.problems == (("TLS secret wiki/wiki-tls: not a readable X.509 certificate (ValueError) "
                             "(Traefik serves its default certificate)"),)


def test_secrets_not_listable_means_not_checked_never_missing():
    store = _store(_route())
    store.handle(HealthChanged(SourceHealth("tls_secrets", SourceState.FORBIDDEN, NOW, "cannot list secrets (403)")))
    row = _row(store)
    assert row.problems == ()
    assert row.notes == ("TLS secret wiki/wiki-tls not checked (not allowed to list Secrets)",)


def test_cert_resolver_routes_name_no_secret():
    row = _row(_store(_route(None)))
    assert (row.problems, row.notes, row.tls_certs) == ((), (), ())


def test_ingress_tls_entries_cover_their_own_hosts():
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "grafana", "namespace": "wiki", "resourceVersion": "1"},
               "spec": {"tls": [{"hosts": ["grafana.lab"], "secretName": "grafana-tls"},
                                {"hosts": ["old.grafana.example"], "secretName": "old-tls"}],
                        "rules": [{"host": h, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
                            "service": {"name": "wiki-web", "port": {"number": 80}}}}]}}
                                  for h in ("grafana.lab", "old.grafana.example")]}}
    pem, key = _cert(90, dns=("grafana.lab",))
    old, old_key = _cert(90, dns=("old.grafana.example",))
    store = _store(_route(None), tls_secret("wiki", "grafana-tls", pem, key),
                   tls_secret("wiki", "old-tls", old, old_key), ingresses=[ingress])
    row = _row(store, "Ingress/wiki/grafana")
    assert row.tls_certs == (("wiki/grafana-tls", ("grafana.lab",)), ("wiki/old-tls", ("old.grafana.example",)))
    assert row.problems == () and row.cert_state == "ok"


def test_store_keeps_the_certificate_and_never_the_key():
    pem, key = _cert(90)
    secret = tls_secret("wiki", "wiki-tls", pem, key)
    secret["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": json.dumps(secret)}
    store = _store(_route(), secret)
    kept = store.objects("tls_secrets")
    assert kept[0]["data"] == {"tls.crt": secret["data"]["tls.crt"]}
    held = json.dumps(kept)
    assert secret["data"]["tls.key"] not in held and "annotations" not in held
    assert _row(store).problems == ()


def test_sources_list_only_tls_secrets_over_http(emulator_factory):
    """Against the emulator with the official client: an Opaque Secret never crosses the wire."""
    pem, key = _cert(90)
    opaque = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "db", "namespace": "wiki"},
              "data": {"password": base64.b64encode(b"hunter2").decode()}}
    emu = emulator_factory([tls_secret("wiki", "wiki-tls", pem, key), opaque], controllers=False)
    events: queue.SimpleQueue = queue.SimpleQueue()
    sources = SourceSet(kube_http.client_for(emu.url), events.put, kinds=[KINDS["tls_secrets"]],
                        backoff=Backoff(first=0.05, factor=2.0, cap=0.3, settled=0.3))
    sources.start()
    try:
        deadline = time.monotonic() + 10
        while True:
            event = events.get(timeout=max(0.01, deadline - time.monotonic()))
            if isinstance(event, Relisted):
                break
    finally:
        sources.stop()
    assert [o["metadata"]["name"] for o in event.objects] == ["wiki-tls"]
    store = ClusterStore(FrozenClock())
    store.handle(event)
    assert "tls.key" not in json.dumps(store.objects("tls_secrets"))


def _default_store(ns: str, secret: str | None) -> dict:
    spec = {"defaultCertificate": {"secretName": secret}} if secret else {}
    return {"apiVersion": "traefik.io/v1alpha1", "kind": "TLSStore",
            "metadata": {"name": "default", "namespace": ns, "resourceVersion": "1"}, "spec": spec}


def test_route_naming_no_certificate_is_served_the_default_tls_stores():
    route = _route(None)
    route["spec"]["tls"] = {}  # TLS on, no secret, no resolver: the default store's certificate
    pem, key = _cert(3, dns=("*.other.lab",))
    store = _store(route, tls_secret("traefik", "wildcard", pem, key),
                   tlsstores=[_default_store("traefik", "wildcard")])
    row = _row(store)
    assert row.problems == ("certificate in traefik/wildcard does not cover wiki.lab",)
    assert row.cert_state == "warning"
    # "default" stores in two namespaces: Traefik uses neither, so nothing is claimed
    two = _store(route, tls_secret("traefik", "wildcard", pem, key),
                 tlsstores=[_default_store("traefik", "wildcard"), _default_store("kube-system", None)])
    assert _row(two).problems == () and _row(two).tls_certs == ()
    resolver = _store(_route(None), tlsstores=[_default_store("traefik", "wildcard")])  # certResolver: ACME's
    assert _row(resolver).tls_certs == ()


def test_certificates_age_with_the_clock_not_only_with_events():
    """A quiet cluster: no object changes, yet a certificate crosses into its last 14 days and
    then expires; the store's hourly clock rebuilds the routes (the app's ticker calls it)."""
    clock = FrozenClock()
    pem, key = make_cert(dns=("wiki.lab",), not_before=NOW - timedelta(days=60),
                         not_after=NOW + timedelta(days=14, minutes=30))
    store = ClusterStore(clock)
    objects = {"ingressroutes": [_route()], "tls_secrets": [tls_secret("wiki", "wiki-tls", pem, key)],
               "services": [service("wiki-web", "wiki", {"app": "wiki-web"})],
               "endpointslices": [endpoint_slice("wiki-web", "wiki", ["n1"])]}
    for kind in KINDS:
        store.handle(Relisted(kind, objects.get(kind, [])))
    assert _row(store).cert_state == "ok"
    before = store.version
    clock.advance(60 * 60)
    store.advance_clock()  # the hour turned: 13 days 23h30m left
    assert "routes" in store.changed_layers(before)
    assert _row(store).cert_state == "warning"
    clock.advance(15 * 24 * 3600)
    store.advance_clock()
    assert _row(store).cert_state == "expired" and _row(store).problems[0].startswith("certificate in wiki/wiki-tls expired")
    quiet = store.version
    store.advance_clock()  # same hour: nothing moves
    assert store.version == quiet
