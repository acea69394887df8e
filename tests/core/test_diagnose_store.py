"""diagnose's MetalLB hop from the store alone (no traffic: the resolver is the test's, no HTTP
probe): a Ready announcing node whose speaker is not, a NotReady node, a BGP-announced IP, a
pending Traefik IP; the text form shows cluster strings literally."""
from __future__ import annotations

from typing import Any

from tests.core.test_metallb_as_deployed import (
    bgp_advertisement,
    bgp_status,
    l2_advertisement,
    speaker,
)
from tests.support.core_samples import (
    endpoint_slice,
    ingressroute,
    ip_pool,
    l2_status,
    node,
    service,
    store_with,
)
from tui.core.diagnose import NetworkFacts, diagnose, diagnosis_text

IP = "192.168.10.240"


def world(**overrides: Any) -> dict[str, list[dict[str, Any]]]:
    traefik = service("traefik", "kube-system", {"app.kubernetes.io/name": "traefik"}, lb_ip=IP, pool="lan")
    objects = {
        "nodes": [node("n1"), node("n2")],
        "ip_pools": [ip_pool("lan", ["192.168.10.240/29"])],
        "l2_advertisements": [l2_advertisement("l2", ["lan"])],
        "l2_statuses": [l2_status("traefik", "kube-system", "n1")],
        "services": [traefik, service("web", "shop", {"app": "web"})],
        "endpointslices": [endpoint_slice("web", "shop", ["n2"])],
        "ingressroutes": [ingressroute("web", "shop", "shop.example", "web")],
        "pods": [speaker("n1", True), speaker("n2", True)],
    }
    return objects | overrides


def announce(objects: dict[str, list[dict[str, Any]]]) -> tuple[str, str]:
    facts = NetworkFacts.from_store(store_with(objects))
    (result,) = diagnose(facts, lambda host: [IP], None)
    hop = result.hops[2]
    assert hop.hop == "announce"
    return hop.status, hop.reason


def test_a_healthy_announcement():
    assert announce(world()) == ("ok", f"{IP} in pool lan, announced by n1 (Ready, speaker Ready)")


def test_the_announcing_nodes_speaker_not_ready_fails_the_hop():
    status, reason = announce(world(pods=[speaker("n1", False), speaker("n2", True)]))
    assert (status, reason) == ("failed", f"{IP} is announced by n1, whose MetalLB speaker is not Ready")


def test_an_announcing_node_that_is_not_ready_fails_the_hop():
    assert announce(world(nodes=[node("n1", "Unknown"), node("n2")])) == (
        "failed", f"{IP} is announced by n1, which is not Ready")


def test_bgp_advertised_and_announced():
    objects = world(l2_advertisements=[], l2_statuses=[],
                    bgp_advertisements=[bgp_advertisement("edge", ["lan"])],
                    bgp_statuses=[bgp_status("traefik", "kube-system", "n2")])
    assert announce(objects) == ("ok", f"{IP} in pool lan, announced by n2 (Ready, speaker Ready)")
    objects["bgp_statuses"] = []  # statuses exist for nobody: MetalLB announces it from no node
    objects["l2_statuses"] = [l2_status("other", "shop", "n1")]
    assert announce(objects) == ("failed", f"no node announces {IP}")


def test_traefik_ip_pending_stops_at_lb_ip_and_text_shows_controls_literally():
    pending = service("traefik", "kube-system", {"app.kubernetes.io/name": "traefik"})
    pending["spec"]["type"] = "LoadBalancer"
    route = ingressroute("web", "shop", "shop.example\x1b[2J", "web")
    facts = NetworkFacts.from_store(store_with(world(services=[pending], ingressroutes=[route])))
    results = diagnose(facts, lambda host: [IP], None)
    assert [(h.hop, h.status) for h in results[0].hops[1:]] == [
        ("lb_ip", "failed"), ("announce", "skipped"), ("traefik", "skipped"), ("backend", "skipped"),
        ("http", "skipped")]
    text = diagnosis_text(results)
    assert "\x1b" not in text and "shop.example␛[2J" in text
