"""`clusterdeck emulate --demo` as a user starts it: its own process, a kubeconfig written for
kubectl, stopped with SIGTERM at the end."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def emulate_demo(workdir: Path) -> Iterator[Path]:
    """Yields the kubeconfig path once the emulator wrote it."""
    kc = workdir / "kubeconfig"
    proc = subprocess.Popen([str(Path(sys.executable).parent / "clusterdeck"), "emulate", "--demo",
                             "--kubeconfig-out", str(kc)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (kc.exists() and kc.stat().st_size):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "emulate wrote no kubeconfig"
            time.sleep(0.1)
        yield kc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
