"""Tolerant parsers: raw API objects (JSON dicts) -> row models, one module per layer.

A malformed or half-filled object gives a row with unknowns (None / empty), never an
exception. Facts needing several kinds are derived in ``tui.core.store`` with the
``link_*`` / ``enrich_*`` / ``check_*`` helpers of each module.
"""
from tui.core.parsers.argocd import parse_application
from tui.core.parsers.longhorn import (
    parse_engine,
    parse_longhorn_node,
    parse_replica,
    parse_volume,
    parse_volume_attachment,
)
from tui.core.parsers.metallb import parse_ip_pool, parse_l2_status, parse_service_lb
from tui.core.parsers.nodes import parse_node
from tui.core.parsers.services import parse_endpoint_slice, parse_service
from tui.core.parsers.traefik import parse_ingress, parse_ingressroute, rule_hosts
from tui.core.parsers.workloads import parse_workload

__all__ = [
    "parse_application",
    "parse_endpoint_slice",
    "parse_engine",
    "parse_ingress",
    "parse_ingressroute",
    "parse_ip_pool",
    "parse_l2_status",
    "parse_longhorn_node",
    "parse_node",
    "parse_replica",
    "parse_service",
    "parse_service_lb",
    "parse_volume",
    "parse_volume_attachment",
    "parse_workload",
    "rule_hosts",
]
