"""Longhorn volumes, nodes, replicas, engines and attachments, alone and joined in the store."""
from __future__ import annotations

from tests.support.core_samples import all_fixture_objects, fixture_doc, fixture_docs, store_with
from tui.core.parsers import (
    parse_engine,
    parse_longhorn_node,
    parse_replica,
    parse_volume,
    parse_volume_attachment,
)

DEGRADED = "pvc-3f6c2a1e-8b4d-4c11-9a57-2d0e6b7f9c41"


def test_degraded_volume_attached_on_node_a():
    row = parse_volume(fixture_doc("longhorn-volume-attached-degraded.yaml", "Volume"))
    assert (row.state, row.robustness, row.node) == ("attached", "degraded", "node-a")
    assert row.size_bytes == 20 * 1024**3  # spec.size is a string in the API
    assert row.replicas_wanted == 3
    assert row.pvc == "databases/data-postgres-0"
    assert row.workloads == ("databases/postgres",)
    assert row.actual_size_bytes == 7340032000
    assert row.conditions == ()


def test_detached_volume_has_no_node_and_no_pvc():
    row = parse_volume(fixture_doc("longhorn-volume-detached.yaml", "Volume"))
    assert (row.state, row.robustness, row.node, row.pvc) == ("detached", "unknown", None, None)
    assert row.size_bytes == 100 * 1024**3
    assert row.workloads == ()


def test_failed_scheduling_condition_is_reported():
    obj = fixture_doc("longhorn-volume-attached-degraded.yaml", "Volume")
    obj["status"]["conditions"][0]["status"] = "False"  # Scheduled=False
    assert parse_volume(obj).conditions == ("Scheduled",)


def test_history_workloads_are_not_current_users():
    obj = fixture_doc("longhorn-volume-attached-degraded.yaml", "Volume")
    obj["status"]["kubernetesStatus"]["lastPodRefAt"] = "2026-11-20T10:00:00Z"
    assert parse_volume(obj).workloads == ()


def test_longhorn_node_sums_disks_and_flags_pressure():
    row = parse_longhorn_node(fixture_doc("longhorn-node.yaml", "Node"))
    assert (row.ready, row.schedulable) == (True, True)
    assert row.storage_maximum == 501079560192 + 1000204886016
    assert row.disks_with_pressure == ("nvme-data",)


def test_replicas_and_engine():
    docs = {d["metadata"]["name"]: d for d in fixture_docs("longhorn-replicas-engine.yaml")}
    failed = parse_replica(docs[f"{DEGRADED}-r-e07b6a95"])
    assert (failed.node, failed.failed, failed.running) == ("node-c", True, False)
    rebuilding = parse_replica(docs[f"{DEGRADED}-r-8d41c2a7"])
    assert (rebuilding.node, rebuilding.failed, rebuilding.volume) == ("node-b", False, DEGRADED)
    engine = parse_engine(docs[f"{DEGRADED}-e-0"])
    assert engine.node == "node-a"
    assert dict(engine.replica_modes)[f"{DEGRADED}-r-8d41c2a7"] == "WO"


def test_attachment_tickets():
    info = parse_volume_attachment(fixture_doc("longhorn-volumeattachment.yaml", "VolumeAttachment"))
    assert info.volume == "media-import"
    assert "k8s-tui(longhorn-api)->node-b" in info.tickets


def test_store_joins_replicas_engine_and_attachment_into_volume_rows():
    store = store_with(all_fixture_objects())
    degraded = store.row("volumes", f"longhorn-system/{DEGRADED}")
    assert degraded is not None
    assert degraded.replicas_healthy == 2  # two RW in the engine, one WO rebuilding, one failed
    assert degraded.replica_nodes == ("node-a", "node-b", "node-c", "node-d")
    replica = store.row("replicas", f"longhorn-system/{DEGRADED}-r-8d41c2a7")
    assert replica.mode == "WO"
    imported = store.row("volumes", "longhorn-system/media-import")
    assert "k8s-tui(longhorn-api)->node-b" in imported.attachment_tickets


def test_unsatisfied_ticket_is_marked_waiting():
    obj = fixture_doc("longhorn-volumeattachment.yaml", "VolumeAttachment")
    obj["status"]["attachmentTicketStatuses"]["k8s-tui"]["satisfied"] = False
    assert "k8s-tui(longhorn-api)->node-b (waiting)" in parse_volume_attachment(obj).tickets


def test_volume_with_wrong_types_gives_unknowns():
    row = parse_volume({"metadata": {"name": "v", "namespace": "longhorn-system"},
                        "spec": {"size": "twenty", "numberOfReplicas": "3"}, "status": "attached"})
    assert (row.size_bytes, row.replicas_wanted, row.state, row.node) == (None, 3, None, None)


def test_longhorn_node_disks_carry_schedulable_storage_and_conditions():
    node = next(parse_longhorn_node(d) for d in fixture_docs("longhorn-node.yaml"))
    assert (node.allow_scheduling, node.schedulable, node.storage_reserved) == (True, True, 150323855360)
    disks = {d.name: d for d in node.disks}
    nvme = disks["nvme-data"]
    assert (nvme.path, nvme.schedulable, nvme.storage_maximum, nvme.storage_available, nvme.storage_scheduled) == (
        "/mnt/nvme0/longhorn", False, 1000204886016, 40007991296, 858993459200)
    assert nvme.problems == ("Schedulable=False: DiskPressure",)
    assert disks["default-disk-fd0100000000"].problems == ()
    # the sums over disks are what the Overview's bars show
    assert node.storage_maximum == sum(d.storage_maximum for d in node.disks)
