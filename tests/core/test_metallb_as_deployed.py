"""MetalLB as deployed: BGP next to L2, the pool's own status (>= 0.15), serviceAllocation,
requested IPs, why an IP is pending (MetalLB's event), the speakers' readiness per node.
Shapes follow metallb.io/v1beta1 and v1beta2 as MetalLB serialises them (omitempty fields absent)."""
from __future__ import annotations

from typing import Any

from tests.support.core_samples import ip_pool, l2_status, node, service, store_with
from tui.core import kube_http
from tui.core.attention import attention
from tui.core.parsers.metallb import parse_ip_pool, parse_service_lb

MLB = "metallb-system"


def bgp_advertisement(name: str, pools: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"aggregationLength": 32, "localPref": 100}
    if pools is not None:
        spec["ipAddressPools"] = pools
    return {"apiVersion": "metallb.io/v1beta1", "kind": "BGPAdvertisement",
            "metadata": {"name": name, "namespace": MLB}, "spec": spec}


def l2_advertisement(name: str, pools: list[str]) -> dict[str, Any]:
    return {"apiVersion": "metallb.io/v1beta1", "kind": "L2Advertisement",
            "metadata": {"name": name, "namespace": MLB}, "spec": {"ipAddressPools": pools}}


def bgp_status(svc: str, ns: str, node_name: str) -> dict[str, Any]:
    # MetalLB >= 0.14: one per (service, node), random name, labels to find it, peers in status
    return {"apiVersion": "metallb.io/v1beta1", "kind": "ServiceBGPStatus",
            "metadata": {"name": "bgp-4xq2m", "namespace": MLB,
                         "labels": {"metallb.io/node": node_name, "metallb.io/service-name": svc,
                                    "metallb.io/service-namespace": ns}},
            "spec": {}, "status": {"node": node_name, "serviceName": svc, "serviceNamespace": ns,
                                   "peers": ["tor-switch"]}}


def bgp_peer() -> dict[str, Any]:
    return {"apiVersion": "metallb.io/v1beta2", "kind": "BGPPeer", "metadata": {"name": "tor-switch", "namespace": MLB},
            "spec": {"myASN": 64512, "peerASN": 64512, "peerAddress": "192.168.10.1"}}


def speaker(node_name: str, ready: bool) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"speaker-{node_name}", "namespace": MLB,
                         "labels": {"app.kubernetes.io/component": "speaker", "app.kubernetes.io/name": "metallb"}},
            "spec": {"nodeName": node_name, "containers": [{"name": "speaker", "image": "quay.io/metallb/speaker:v0.15.2"}]},
            "status": {"phase": "Running", "conditions": [
                {"type": "Ready", "status": "True" if ready else "False"},
                {"type": "ContainersReady", "status": "True" if ready else "False"}]}}


def lb(name: str, ns: str, ip: str | None, pool: str = "lan") -> dict[str, Any]:
    return service(name, ns, {"app": name}, lb_ip=ip, pool=pool if ip else None) | (
        {} if ip else {"spec": {"type": "LoadBalancer", "selector": {"app": name},
                                "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}})


def test_a_bgp_advertisement_advertises_the_pool_and_a_bgp_status_names_the_node():
    store = store_with({
        "ip_pools": [ip_pool("lan", ["192.168.10.240/29"]), ip_pool("lab", ["10.9.0.0/30"])],
        "bgp_advertisements": [bgp_advertisement("edge", ["lan"])],
        "bgp_peers": [bgp_peer()],
        "bgp_statuses": [bgp_status("web", "shop", "n2")],
        "services": [lb("web", "shop", "192.168.10.241")],
        "nodes": [node("n2")],
    })
    pools = {p.name: p for p in store.rows("ip_pools")}
    assert (pools["lan"].advertised, pools["lan"].advertised_by) == (True, ("BGP",))
    assert (pools["lab"].advertised, pools["lab"].advertised_by) == (False, ())
    assert store.row("load_balancers", "shop/web").announcing_node == "n2"
    # an IP announced over BGP is not "announced by no node"
    assert not [f for f in attention(store) if f.subject == "service shop/web"]


def test_l2_and_bgp_together_and_an_empty_advertisement_selects_every_pool():
    store = store_with({
        "ip_pools": [ip_pool("lan", ["192.168.10.240/29"]), ip_pool("lab", ["10.9.0.0/30"])],
        "l2_advertisements": [l2_advertisement("l2", ["lan"])],
        "bgp_advertisements": [bgp_advertisement("all")],  # no pools, no selectors: every pool
    })
    pools = {p.name: p for p in store.rows("ip_pools")}
    assert pools["lan"].advertised_by == ("L2", "BGP")
    assert pools["lab"].advertised_by == ("BGP",)


def test_the_pools_own_status_is_read_and_shown_next_to_ours_when_they_disagree():
    from screens.network import pool_usage

    pool = ip_pool("lan", ["192.168.10.240-192.168.10.250"])
    pool["status"] = {"assignedIPv4": 3, "assignedIPv6": 0, "availableIPv4": 8, "availableIPv6": 0}
    row = parse_ip_pool(pool)
    assert (row.reported_used, row.reported_available) == (3, 8)
    store = store_with({"ip_pools": [pool], "services": [lb("web", "shop", "192.168.10.241")]})
    (linked,) = store.rows("ip_pools")
    assert linked.used == 1  # the Services we can see hold one
    used, total, cell = pool_usage(linked)
    assert (used, total, cell.plain) == (3, 11, "3/11 (Services hold 1)")
    agreeing = parse_ip_pool(ip_pool("lab", ["10.9.0.0/30"]))  # no status: an older MetalLB
    assert agreeing.reported_used is None
    assert pool_usage(agreeing)[2].plain == "0/4"


def test_service_allocation_in_words():
    pool = ip_pool("shop-only", ["10.9.0.0/30"])
    pool["spec"]["serviceAllocation"] = {
        "priority": 10, "namespaces": ["shop", "donate"],
        "namespaceSelectors": [{"matchLabels": {"team": "web"}}],
        "serviceSelectors": [{"matchExpressions": [{"key": "tier", "operator": "In", "values": ["edge"]}]}]}
    assert parse_ip_pool(pool).allocation == (
        "namespaces: shop, donate", "namespaces with team=web", "services with tier In (edge)", "priority 10")
    assert parse_ip_pool(ip_pool("open", ["10.9.1.0/30"])).allocation == ()


def test_requested_ips_from_the_annotation_else_the_deprecated_field():
    svc = lb("web", "shop", None)
    svc["metadata"]["annotations"] = {"metallb.io/loadBalancerIPs": "192.168.10.245, fd00::5"}
    svc["spec"]["loadBalancerIP"] = "192.168.10.99"  # the annotation wins
    assert parse_service_lb(svc).requested_ips == ("192.168.10.245", "fd00::5")
    legacy = lb("api", "shop", None)
    legacy["spec"]["loadBalancerIP"] = "192.168.10.246"
    row = parse_service_lb(legacy)
    assert (row.requested_ips, row.pending) == (("192.168.10.246",), True)


def allocation_failed(svc: str, ns: str) -> dict[str, Any]:
    # what MetalLB's controller records (events.k8s.io/v1 as served)
    return {"apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": f"{svc}.187a2b", "namespace": ns},
            "regarding": {"apiVersion": "v1", "kind": "Service", "namespace": ns, "name": svc},
            "reason": "AllocationFailed", "type": "Warning", "action": "",
            "note": "Failed to allocate IP for \"shop/web\": no available IPs",
            "reportingController": "metallb-controller", "reportingInstance": "",
            "eventTime": None, "deprecatedCount": 4,
            "deprecatedFirstTimestamp": "2026-11-26T13:50:00Z", "deprecatedLastTimestamp": "2026-11-26T14:04:00Z"}


def test_a_pending_ip_says_why_when_metallb_wrote_an_event():
    store = store_with({"services": [lb("web", "shop", None), lb("api", "shop", None)],
                        "events": [allocation_failed("web", "shop")]})
    found = {f.subject: f.text for f in attention(store)}
    assert found["service shop/web"] == ("LoadBalancer IP pending: AllocationFailed: "
                                         "Failed to allocate IP for \"shop/web\": no available IPs")
    assert found["service shop/api"] == "LoadBalancer IP pending"  # no event: nothing invented


def test_an_announcing_node_whose_speaker_is_not_ready_is_a_problem():
    objects = {"ip_pools": [ip_pool("lan", ["192.168.10.240/29"])],
               "l2_advertisements": [l2_advertisement("l2", ["lan"])],
               "l2_statuses": [l2_status("web", "shop", "n1")],
               "services": [lb("web", "shop", "192.168.10.241")],
               "nodes": [node("n1"), node("n2")],
               "pods": [speaker("n1", False), speaker("n2", True)]}
    found = {f.subject: f for f in attention(store_with(objects))}
    assert found["service shop/web"].text == "announced by n1, whose MetalLB speaker is not Ready"
    assert found["service shop/web"].severity.name == "PROBLEM"
    objects["pods"] = [speaker("n1", True), speaker("n2", False)]  # a non-announcing node's speaker
    assert "service shop/web" not in {f.subject for f in attention(store_with(objects))}


def test_the_emulator_serves_the_bgp_kinds(emulator_factory: Any):
    emu = emulator_factory([bgp_advertisement("edge", ["lan"]), bgp_peer(), bgp_status("web", "shop", "n2")],
                           controllers=False)
    client = kube_http.client_for(emu.url)
    try:
        for path, name in (("/apis/metallb.io/v1beta1/bgpadvertisements", "edge"),
                           ("/apis/metallb.io/v1beta2/bgppeers", "tor-switch"),
                           ("/apis/metallb.io/v1beta1/namespaces/metallb-system/servicebgpstatuses", "bgp-4xq2m")):
            items = kube_http.request_json(client, "GET", path)["items"]
            assert [i["metadata"]["name"] for i in items] == [name], path
    finally:
        client.close()
