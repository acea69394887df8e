"""Defect 5: an SSH drop (SIGHUP) or SIGTERM mid-playbook ends cleanly: every process of the
run ended (ssh masters included), the audit end record written as `interrupted`, run.json
marked interrupted, the process gone within 5 s. And kill -9 leaves a valid audit log."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.actions_support import write_small_catalog
from tests.support.paths import REPO
from tui.core.actions.run_processes import processes_of


def _start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], Path, str]:
    book = write_small_catalog(tmp_path / "books")
    state = tmp_path / "state"
    proc = subprocess.Popen([sys.executable, "-m", "tests.faults.hangup_run", str(state), str(book), *extra],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("RUN "):
            run_dir = Path(line.split()[1])
            return proc, state, run_dir.name
        assert time.monotonic() < deadline
    raise AssertionError(f"the run never reached its sleep: {proc.stderr.read() if proc.stderr else ''}")


def _records(state: Path) -> list[dict]:
    return [json.loads(line) for line in (state / "audit.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_signal_mid_playbook_ends_every_process_and_records_interrupted(tmp_path: Path, sig: int) -> None:
    proc, state, run_id = _start(tmp_path)
    try:
        assert processes_of(run_id), "the run's processes carry its marker"
        sent = time.monotonic()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
        took = time.monotonic() - sent
        assert took < 5, f"took {took:.1f}s to end"
        assert processes_of(run_id) == [], "a process of the run outlived the app"
        end = [r for r in _records(state) if r["phase"] == "end"]
        assert [r["outcome"] for r in end] == ["interrupted"], (out, err)
        assert "SIG" in end[0]["message"]
        meta = json.loads((state / "runs" / run_id / "run.json").read_text())
        assert meta["status"] == "interrupted"
        assert "DONE interrupted" in out
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in processes_of(run_id):
            os.kill(pid, signal.SIGKILL)


def test_kill_9_mid_playbook_leaves_a_valid_audit_log_with_the_start_record(tmp_path: Path) -> None:
    proc, state, run_id = _start(tmp_path)
    try:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        records = _records(state)  # every line is valid JSON
        assert [r["phase"] for r in records] == ["start"]
        assert records[0]["action"] == "playbook"
    finally:
        for pid in processes_of(run_id):  # nothing can clean up after kill -9: we do, for the test
            os.kill(pid, signal.SIGKILL)
