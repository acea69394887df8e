"""volume-mount.yml / volume-unmount.yml for real, as root, on a loop device made here.

The loop device stands in for /dev/longhorn/<volume>: blkid, mkfs, mount and umount act on it
exactly as on a node. Skipped (with the reason) where we are not root or loop devices are missing.
"""
from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import loop_devices
from tests.support.loop_devices import sh
from tests.support.playbook_runs import PlaybookRun, run_playbook

VOLUME = "bot-db"


def fs_type(device: str) -> str:
    """What blkid finds on the device ('' when blank)."""
    return sh("blkid", "--probe", "--match-tag", "TYPE", "--output", "value", device, check=False).stdout.strip()


def mounted_source(mount_point: Path) -> str:
    return sh("findmnt", "--noheadings", "--output", "SOURCE", "--mountpoint", str(mount_point),
              check=False).stdout.strip()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def loop_device(tmp_path: Path) -> Iterator[str]:
    with loop_devices.loop_device(tmp_path, "the mount playbook test") as device:
        yield device


@pytest.fixture
def local_inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.yml"
    path.write_text(
        "all:\n  hosts:\n    hel-wk-02:\n"
        f"      ansible_connection: local\n      ansible_python_interpreter: {sys.executable}\n"
        # the login the copy command names (a local connection itself ignores it)
        "      ansible_user: ops\n"
    )
    return path


def mount(inventory: Path, tmp_path: Path, device: str, mount_point: Path, **extra: str) -> PlaybookRun:
    return run_playbook(
        "volume-mount.yml", inventory, tmp_path / "runner-mount",
        extravars={"volume": VOLUME, "device": device, "mount_point": str(mount_point), **extra},
    )


def unmount(inventory: Path, tmp_path: Path, mount_point: Path) -> PlaybookRun:
    return run_playbook(
        "volume-unmount.yml", inventory, tmp_path / "runner-unmount",
        extravars={"volume": VOLUME, "mount_point": str(mount_point)},
    )


def test_blank_device_without_confirmation_is_refused_and_left_blank(
    loop_device: str, local_inventory: Path, tmp_path: Path,
) -> None:
    mount_point = tmp_path / "import" / VOLUME
    run = mount(local_inventory, tmp_path, loop_device, mount_point, confirm_format="bot")
    assert run.status == "failed"
    assert "type the volume's name (bot-db) to confirm" in run.failure_messages()
    assert fs_type(loop_device) == ""
    assert mounted_source(mount_point) == ""


def test_blank_device_with_confirmation_is_formatted_mounted_then_unmounted(
    loop_device: str, local_inventory: Path, tmp_path: Path,
) -> None:
    mount_point = tmp_path / "import" / VOLUME
    run = mount(local_inventory, tmp_path, loop_device, mount_point, confirm_format=VOLUME)
    assert run.status == "successful", run.failure_messages() or run.output()[-3000:]
    assert fs_type(loop_device) == "ext4"
    assert mounted_source(mount_point) == loop_device
    # the operator is handed the exact copy command for this node and path
    assert f"rsync -avP ./dump.sql ops@hel-wk-02:{mount_point}/" in run.output()
    assert f"scp ./dump.sql ops@hel-wk-02:{mount_point}/" in run.output()

    # mounting again is a no-op, not a second mount on top
    again = mount(local_inventory, tmp_path, loop_device, mount_point, confirm_format=VOLUME)
    assert again.status == "successful", again.failure_messages()
    assert mounted_source(mount_point).splitlines() == [loop_device]

    done = unmount(local_inventory, tmp_path, mount_point)
    assert done.status == "successful", done.failure_messages()
    assert mounted_source(mount_point) == ""
    assert sh("findmnt", "--source", loop_device, check=False).returncode == 1
    assert not mount_point.exists()
    # and unmounting what is not mounted changes nothing and does not fail
    twice = unmount(local_inventory, tmp_path, mount_point)
    assert twice.status == "successful", twice.failure_messages()
    assert not twice.stats.get("changed")


def test_device_with_a_filesystem_is_never_formatted(
    loop_device: str, local_inventory: Path, tmp_path: Path,
) -> None:
    # a volume that already holds data: ext4 with one file on it
    sh("mkfs.ext4", "-q", loop_device)
    uuid_before = sh("blkid", "--probe", "--match-tag", "UUID", "--output", "value", loop_device).stdout
    staging = tmp_path / "staging"
    staging.mkdir()
    sh("mount", loop_device, str(staging))
    (staging / "dump.sql").write_bytes(b"CREATE TABLE players (id int);\n" * 1000)
    checksum = sha256(staging / "dump.sql")
    sh("umount", str(staging))

    mount_point = tmp_path / "import" / VOLUME
    # even with the confirmation typed, an existing filesystem is mounted as it is
    run = mount(local_inventory, tmp_path, loop_device, mount_point, confirm_format=VOLUME)
    assert run.status == "successful", run.failure_messages() or run.output()[-3000:]
    assert "Format the blank device as ext4" not in {
        d.get("task") for d in run.results("runner_on_ok")
    }
    assert mounted_source(mount_point) == loop_device
    assert sh("blkid", "--probe", "--match-tag", "UUID", "--output", "value", loop_device).stdout == uuid_before
    assert sha256(mount_point / "dump.sql") == checksum

    done = unmount(local_inventory, tmp_path, mount_point)
    assert done.status == "successful", done.failure_messages()
    assert sh("findmnt", "--source", loop_device, check=False).returncode == 1


def test_missing_device_fails_with_a_clear_message(local_inventory: Path, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("the mount playbook runs with become: root is needed")
    mount_point = tmp_path / "import" / VOLUME
    run = mount(local_inventory, tmp_path, str(tmp_path / "no-such-device"), mount_point)
    assert run.status == "failed"
    assert "attach the volume bot-db to this node first" in run.failure_messages()
    assert not mount_point.exists()
