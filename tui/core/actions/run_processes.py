"""Every process a playbook run started, found and ended: ansible-playbook, its forks, and the
ssh ControlPersist masters that daemonise into their own session (no process group reaches
them). Each run's processes carry `CLUSTERDECK_RUN_ID=<run id>` in their environment, which
every child inherits; /proc tells us who they are (Linux: the jump host)."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

MARKER = "CLUSTERDECK_RUN_ID"


def processes_of(run_id: str) -> list[int]:
    """PIDs whose environment says they belong to the run (ourselves excluded)."""
    needle = f"{MARKER}={run_id}".encode() + b"\0"
    out: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if needle in environ + b"\0":
            out.append(int(entry.name))
    return out


def end_processes(run_id: str, grace: float = 1.0, timeout: float = 3.0) -> list[int]:
    """SIGTERM every process of the run, SIGKILL what is left after `grace`; the PIDs still
    alive after `timeout` (empty: the last process is gone)."""
    deadline = time.monotonic() + timeout
    sent_kill = False
    started = time.monotonic()
    for pid in processes_of(run_id):
        _signal(pid, signal.SIGTERM)
    while True:
        alive = [pid for pid in processes_of(run_id) if not _zombie(pid)]
        if not alive or time.monotonic() > deadline:
            return alive
        if not sent_kill and time.monotonic() - started > grace:
            for pid in alive:
                _signal(pid, signal.SIGKILL)
            sent_kill = True
        time.sleep(0.05)


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass  # already gone, or not ours


def _zombie(pid: int) -> bool:
    """A dead child not reaped yet by its parent holds nothing: it does not count as running."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X")
