"""MetalLB pool size and usage (REFERENCE 2.5), LB pool attribution and announcing node."""
from __future__ import annotations

import pytest

from tests.support.core_samples import (
    all_fixture_objects,
    fixture_doc,
    ip_pool,
    l2_status,
    service,
    store_with,
)
from tui.core.parsers import parse_ip_pool, parse_l2_status, parse_service_lb


def test_fixture_pool_counts_range_and_cidr():
    row = parse_ip_pool(fixture_doc("metallb-ipaddresspool.yaml", "IPAddressPool"))
    assert row.addresses == ("192.168.10.240-192.168.10.250", "192.168.20.0/28")
    assert row.total == 11 + 16
    assert row.auto_assign is True


@pytest.mark.parametrize("addresses, avoid_buggy, total", [
    (["192.168.1.0/24"], False, 256),
    (["192.168.1.0/24"], True, 254),  # .0 and .255 skipped
    (["10.0.0.250-10.0.1.5"], True, 10),  # crosses a /24: 10.0.0.255 and 10.0.1.0 skipped
    (["10.0.0.240/28"], True, 15),  # only the .255 at the block's end
    (["192.168.10.240"], False, 1),
    (["fd00:10::/120"], False, 256),
    (["fd00:10::/64"], False, None),  # effectively unlimited
    (["fd00::1-fd00::10", "192.168.10.240/30"], False, 16 + 4),
    (["not-an-ip"], False, None),
    (["192.168.10.250-192.168.10.240"], False, None),  # reversed range is invalid
])
def test_pool_totals(addresses, avoid_buggy, total):
    assert parse_ip_pool(ip_pool("p", addresses, avoid_buggy)).total == total


def test_lb_service_row():
    row = parse_service_lb(fixture_doc("service-loadbalancer.yaml", "Service"))
    assert (row.namespace, row.name, row.ips, row.pool) == ("media", "jellyfin", ("192.168.10.241",), "lan-pool")
    assert row.ports == ("8096/TCP",) and row.pending is False


def test_cluster_ip_service_is_not_a_load_balancer():
    assert parse_service_lb(service("api", "api", {"app": "api"})) is None


def test_l2_status_found_by_labels():
    assert parse_l2_status(fixture_doc("metallb-servicel2status.yaml", "ServiceL2Status")) == ("media/jellyfin", "node-b")


def test_store_links_pool_usage_and_announcer():
    store = store_with(all_fixture_objects())
    pool = store.row("ip_pools", "metallb-system/lan-pool")
    assert (pool.total, pool.used, pool.advertised) == (27, 1, True)
    assert pool.services == ("media/jellyfin",)
    lb = store.row("load_balancers", "media/jellyfin")
    assert (lb.pool, lb.announcing_node) == ("lan-pool", "node-b")


def test_usage_counts_shared_ips_once_and_attributes_by_range():
    store = store_with({
        "ip_pools": [ip_pool("lan-pool", ["192.168.10.240-192.168.10.250"]),
                     ip_pool("dmz", ["192.168.30.0/29"])],
        "services": [
            service("traefik", "kube-system", {"app": "traefik"}, lb_ip="192.168.10.240", pool="lan-pool"),
            service("dns-tcp", "infra", {"app": "dns"}, lb_ip="192.168.10.241"),
            service("dns-udp", "infra", {"app": "dns"}, lb_ip="192.168.10.241"),  # shared IP
            service("mail", "infra", {"app": "mail"}, lb_ip="192.168.30.3"),
            service("waiting", "infra", {"app": "w"}, lb_ip=None),
        ],
        "l2_statuses": [l2_status("traefik", "kube-system", "hel-wk-02")],
    })
    lan = store.row("ip_pools", "metallb-system/lan-pool")
    assert (lan.total, lan.used) == (11, 2)
    assert store.row("ip_pools", "metallb-system/dmz").used == 1
    assert store.row("load_balancers", "infra/dns-udp").pool == "lan-pool"  # found by address range
    assert store.row("load_balancers", "kube-system/traefik").announcing_node == "hel-wk-02"
    assert store.row("load_balancers", "infra/dns-tcp").announcing_node is None
    assert store.row("load_balancers", "infra/waiting") is None  # ClusterIP, not an LB


def test_pool_without_advertisement_is_not_advertised():
    store = store_with({"ip_pools": [ip_pool("lan-pool", ["192.168.10.240/30"])]})
    assert store.row("ip_pools", "metallb-system/lan-pool").advertised is False
