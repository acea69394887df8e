"""A real block device for the tests that format and mount: a loop device over a file in
tmp_path, made as root and always detached (and unmounted) afterwards. Skips, with the reason,
where that cannot be had (not root, a missing tool, no free loop device)."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

TOOLS = ("losetup", "blkid", "mkfs.ext4", "findmnt")


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=check)


@contextmanager
def loop_device(tmp_path: Path, why: str, size_mb: int = 32) -> Iterator[str]:
    """The loop device's path (/dev/loopN); `why` names the test's need in a skip message."""
    if os.geteuid() != 0:
        pytest.skip(f"{why} needs root (losetup, mkfs, mount)")
    for tool in TOOLS:
        if sh("sh", "-c", f"command -v {tool}", check=False).returncode:
            pytest.skip(f"{tool} is not installed (make system-deps installs it)")
    image = tmp_path / "volume.img"
    image.write_bytes(b"")
    os.truncate(image, size_mb * 1024 * 1024)
    made = sh("losetup", "--find", "--show", str(image), check=False)
    if made.returncode:
        pytest.skip(f"no loop device available: {made.stderr.strip()}")
    device = made.stdout.strip()
    try:
        yield device
    finally:
        for target in sh("findmnt", "--noheadings", "--output", "TARGET", "--source", device,
                         check=False).stdout.split():
            sh("umount", target, check=False)
        sh("losetup", "--detach", device, check=False)
