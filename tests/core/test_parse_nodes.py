"""Node rows from the k3s reference nodes and from half-filled objects."""
from __future__ import annotations

import copy

from tests.support.core_samples import fixture_doc
from tui.core.parsers import parse_node


def test_k3s_server_is_ready_with_its_roles():
    row = parse_node(fixture_doc("k3s-nodes.yaml", "Node", "node-a"))
    assert row.ready is True
    assert row.roles == ("control-plane", "etcd", "master")  # k3s label values are "true"
    assert row.kubelet_version == "v1.31.9+k3s1"
    assert row.internal_ip == "192.168.1.21"
    assert row.unschedulable is False
    assert row.pressure == ()
    assert row.key == "node-a"


def test_lost_agent_is_unknown_cordoned_and_tainted():
    row = parse_node(fixture_doc("k3s-nodes.yaml", "Node", "node-c"))
    assert row.ready is None  # Ready=Unknown is neither ready nor not-ready
    assert row.roles == ()
    assert row.unschedulable is True
    assert "node.kubernetes.io/unreachable:NoExecute" in row.taints
    assert row.ready_reason == "NodeStatusUnknown"


def test_pressure_lists_conditions_that_are_true():
    obj = copy.deepcopy(fixture_doc("k3s-nodes.yaml", "Node", "node-a"))
    for cond in obj["status"]["conditions"]:
        if cond["type"] in ("DiskPressure", "Ready"):
            cond["status"] = "True" if cond["type"] == "DiskPressure" else "False"
    row = parse_node(obj)
    assert row.pressure == ("DiskPressure",)
    assert row.ready is False


def test_kubeadm_empty_role_values_count_too():
    obj = {"metadata": {"name": "n", "labels": {"node-role.kubernetes.io/control-plane": ""}}}
    assert parse_node(obj).roles == ("control-plane",)


def test_half_filled_node_gives_unknowns():
    row = parse_node({"metadata": {"name": "bare"}, "status": {"conditions": "broken", "addresses": [None, 3]},
                      "spec": {"unschedulable": "yes", "taints": [{"effect": "NoSchedule"}]}})
    assert (row.name, row.ready, row.internal_ip, row.kubelet_version) == ("bare", None, None, None)
    assert row.unschedulable is False and row.taints == ()


def test_k3s_etcd_voter_condition_is_not_pressure():
    # k3s and RKE2 set EtcdIsVoter=True on every healthy etcd member (reason MemberNotLearner)
    obj = copy.deepcopy(fixture_doc("k3s-nodes.yaml", "Node", "node-a"))
    obj["status"]["conditions"].append({"type": "EtcdIsVoter", "status": "True", "reason": "MemberNotLearner",
                                        "message": "Node is a voting member of the etcd cluster"})
    row = parse_node(obj)
    assert row.pressure == () and row.ready is True
    assert row.other_conditions == ("EtcdIsVoter=True",)
