"""The whole data-import flow for real, as root: attach (emulator) -> volume-mount.yml formats a
blank device only with the typed name and mounts it -> the copy command -> volume-unmount.yml
-> detach. The "node" is this machine (local connection); /dev/longhorn/<volume> is a block
device node made here for a loop device, as Longhorn makes it on the attach node."""
from __future__ import annotations

import copy
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.actions_support import context, run_all, runner_for, store_from
from tests.support.loop_devices import loop_device, sh
from tui.core.actions import TICKET_ID, VolumeMount, VolumeUnmount
from tui.emulator.demo import demo_objects

VOLUME = "import-deck-test"  # not the demo's name: the mount playbook's own test may run alongside
DEVICE = Path("/dev/longhorn") / VOLUME
MOUNT = Path("/mnt/import") / VOLUME


@pytest.fixture
def longhorn_device(tmp_path: Path) -> Iterator[Path]:
    # the loop device stands in for Longhorn's: a device node at /dev/longhorn/<volume>
    with loop_device(tmp_path, "the import flow test") as loop:
        try:
            rdev = os.stat(loop).st_rdev
            DEVICE.parent.mkdir(exist_ok=True)
            if DEVICE.exists():
                DEVICE.unlink()
            os.mknod(DEVICE, 0o600 | 0o060000, os.makedev(os.major(rdev), os.minor(rdev)))
            yield DEVICE
        finally:
            sh("umount", str(MOUNT), check=False)
            if MOUNT.is_dir():
                MOUNT.rmdir()
            if DEVICE.exists():
                DEVICE.unlink()


def _seed() -> list[dict]:
    """The demo plus a fresh detached volume named VOLUME (and its empty VolumeAttachment)."""
    objects = demo_objects()
    extra = []
    for obj in objects:
        if obj["kind"] in ("Volume", "VolumeAttachment") and obj["metadata"]["name"] == "import-wiki-legacy":
            twin = copy.deepcopy(obj)
            twin["metadata"]["name"] = VOLUME
            twin["metadata"].pop("uid", None)
            twin["metadata"].setdefault("labels", {})["longhornvolume"] = VOLUME
            if obj["kind"] == "VolumeAttachment":
                twin["spec"]["volume"] = VOLUME
            extra.append(twin)
    return objects + extra


def test_import_flow_formats_only_with_the_name_mounts_then_unmounts_and_detaches(
        emulator_factory, longhorn_device, tmp_path):
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"hel-wk-02": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
    emu = emulator_factory(_seed(), time_scale=50)
    ctx = context(emu, tmp_path / "state", inventory=inventory)
    key = f"longhorn-system/{VOLUME}"

    # without the format toggle a blank device is refused, and the import takes its attach back
    mount = VolumeMount(key)
    done = run_all(runner_for(ctx), mount, ctx, mount.plan(ctx, {"node": "hel-wk-02"}))[-1]
    assert done.outcome == "failed" and "is blank" in done.message and "Undone" in done.message
    assert sh("blkid", "--probe", str(longhorn_device), check=False).returncode == 2  # still blank
    assert TICKET_ID not in (emu.get("lh_attachments", "longhorn-system", VOLUME)["spec"].get("attachmentTickets") or {})

    # with it (and the typed name) it is formatted and mounted, and the copy command is shown
    ctx.store = store_from(emu)
    mount = VolumeMount(key)
    plan = mount.plan(ctx, {"node": "hel-wk-02", "format": True})
    assert plan.danger == "destructive" and plan.confirm_name == VOLUME
    done = run_all(runner_for(ctx), mount, ctx, plan, typed=VOLUME)[-1]
    assert done.outcome == "succeeded", done
    assert f":{MOUNT}/" in done.message and "rsync" in done.message
    assert sh("findmnt", "--noheadings", "--output", "TARGET", str(MOUNT)).stdout.strip() == str(MOUNT)
    assert "ext4" in sh("blkid", "--probe", str(longhorn_device)).stdout
    (MOUNT / "dump.sql").write_text("-- legacy wiki dump\n")
    va = emu.get("lh_attachments", "longhorn-system", VOLUME)
    assert va["spec"]["attachmentTickets"][TICKET_ID]["nodeID"] == "hel-wk-02"

    # unmount (sync first) and detach with the same ticket
    ctx.store = store_from(emu)
    unmount = VolumeUnmount(key)
    done = run_all(runner_for(ctx), unmount, ctx, unmount.plan(ctx))[-1]
    assert done.outcome == "succeeded", done
    assert sh("findmnt", "--noheadings", str(MOUNT), check=False).stdout.strip() == ""
    assert emu.get("lh_volumes", "longhorn-system", VOLUME)["status"]["state"] == "detached"
    assert TICKET_ID not in (emu.get("lh_attachments", "longhorn-system", VOLUME)["spec"].get("attachmentTickets") or {})
    # the data is on the device: mounting it again shows the file
    sh("mkdir", "-p", str(tmp_path / "check"))
    sh("mount", str(longhorn_device), str(tmp_path / "check"))
    try:
        assert (tmp_path / "check" / "dump.sql").read_text() == "-- legacy wiki dump\n"
    finally:
        sh("umount", str(tmp_path / "check"))
