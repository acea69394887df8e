"""The emulator's Longhorn controllers, through the official client: a Snapshot CR is taken, a
Backup CR uploads with progress to Completed (or Error when it cannot), a rebuilding replica
gains progress until it is RW and its volume healthy (time-scaled)."""
from __future__ import annotations

from typing import Any

import kubernetes.client
import kubernetes.config
import pytest

from tests.emulator.test_emulator_pods import wait_for
from tui.emulator.demo import demo_objects

NS = "longhorn-system"
WIKI = "pvc-b8d14f6a-2e7c-4093-a5d1-9f3c6e0b7a28"
GROUP, VERSION = "longhorn.io", "v1beta2"


@pytest.fixture
def longhorn(emulator_factory, kubeconfig):
    def make(scale: float = 20.0):
        emu = emulator_factory(demo_objects(), time_scale=scale)
        client = kubernetes.config.new_client_from_config(str(kubeconfig(emu)))
        return emu, kubernetes.client.CustomObjectsApi(client)
    return make


def create(api: Any, plural: str, body: dict[str, Any]) -> dict[str, Any]:
    return api.create_namespaced_custom_object(GROUP, VERSION, NS, plural, body)


def read(api: Any, plural: str, name: str) -> dict[str, Any]:
    return api.get_namespaced_custom_object(GROUP, VERSION, NS, plural, name)


def snapshot(name: str, volume: str = WIKI) -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Snapshot", "metadata": {"name": name},
            "spec": {"volume": volume, "createSnapshot": True}}


def backup(name: str, snap: str) -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Backup",
            "metadata": {"name": name, "labels": {"backup-volume": WIKI}}, "spec": {"snapshotName": snap}}


def test_a_snapshot_is_taken_then_backed_up_with_progress(longhorn):
    _, api = longhorn(scale=4.0)
    create(api, "snapshots", snapshot("snap-now"))
    assert read(api, "snapshots", "snap-now").get("status", {}).get("readyToUse") is not True
    taken = wait_for(lambda: (s := read(api, "snapshots", "snap-now").get("status", {})).get("readyToUse") and s,
                     what="snapshot ready")
    assert taken["creationTime"] and taken["size"] > 0
    create(api, "backups", backup("backup-now", "snap-now"))
    progress = []
    def completed() -> bool:
        status = read(api, "backups", "backup-now").get("status", {})
        if status.get("state") == "InProgress":
            progress.append(status["progress"])
        return status.get("state") == "Completed"
    wait_for(completed, what="backup completed")
    assert progress and all(0 < p < 100 for p in progress)  # seen uploading, short of done
    done = read(api, "backups", "backup-now")["status"]
    assert (done["progress"], done["volumeName"], done["snapshotName"]) == (100, WIKI, "snap-now")
    assert done["backupCreatedAt"]
    volume = read(api, "volumes", WIKI)["status"]
    assert (volume["lastBackup"], volume["lastBackupAt"]) == ("backup-now", done["backupCreatedAt"])


def test_a_backup_of_a_missing_snapshot_or_to_an_unavailable_target_ends_in_error(longhorn):
    emu, api = longhorn()
    create(api, "backups", backup("backup-orphan", "no-such-snapshot"))
    failed = wait_for(lambda: (s := read(api, "backups", "backup-orphan").get("status", {})).get("state") == "Error"
                      and s, what="backup error")
    assert "no-such-snapshot" in failed["error"]
    target = read(api, "backuptargets", "default")
    target["status"] = {**target.get("status", {}), "available": False}
    emu.upsert(target)
    create(api, "snapshots", snapshot("snap-2"))
    wait_for(lambda: read(api, "snapshots", "snap-2").get("status", {}).get("readyToUse"), what="snapshot ready")
    create(api, "backups", backup("backup-down", "snap-2"))
    failed = wait_for(lambda: (s := read(api, "backups", "backup-down").get("status", {})).get("state") == "Error"
                      and s, what="backup error")
    assert failed["error"] == "backup target default is unavailable"


def test_the_demo_rebuild_gains_progress_until_the_replica_is_rw_and_the_volume_healthy(longhorn):
    _, api = longhorn(scale=300.0)
    engine = f"{WIKI}-e-0"
    address = "tcp://10.42.2.9:10045"
    seen = wait_for(lambda: (r := read(api, "engines", engine)["status"]["rebuildStatus"].get(address))
                    and r["progress"] > 63 and r, what="rebuild progress past the demo's 63 %")
    assert seen["isRebuilding"] and seen["state"] == "in_progress"
    wait_for(lambda: read(api, "engines", engine)["status"]["rebuildStatus"] == {}, timeout=20, what="rebuild done")
    status = read(api, "engines", engine)["status"]
    assert status["replicaModeMap"][f"{WIKI}-r-95e51575"] == "RW"
    assert read(api, "replicas", f"{WIKI}-r-95e51575")["spec"]["healthyAt"]
    assert read(api, "volumes", WIKI)["status"]["robustness"] == "healthy"
