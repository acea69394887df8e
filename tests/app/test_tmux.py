"""The console as a user meets it: `clusterdeck --demo` in an 80x24 tmux session, keys sent
with send-keys, the screen read back with capture-pane."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

CLUSTERDECK = Path(sys.executable).parent / "clusterdeck"


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def __call__(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False,
                              timeout=10)
        return done.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "deck")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (make system-deps installs it)")
    if not CLUSTERDECK.exists():
        pytest.skip(f"{CLUSTERDECK} missing: install the package (make setup)")
    session = Tmux(f"clusterdeck-test-{uuid.uuid4().hex[:8]}")
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"),
        "HOME": str(tmp_path), "TERM": "xterm-256color", "PATH": os.environ.get("PATH", ""),
    }
    command = " ".join([f"{k}='{v}'" for k, v in env.items()] + [str(CLUSTERDECK), "--demo"])
    session("new-session", "-d", "-s", "deck", "-x", "80", "-y", "24", command)
    try:
        yield session
    finally:
        session("kill-server")


def test_newcomer_finds_the_degraded_volume_its_node_and_what_else_it_carries(tmux: Tmux) -> None:
    tmux.wait_for("Needs attention")
    tmux("send-keys", "-t", "deck", "3")
    screen = tmux.wait_for("Volumes (")
    first_row = next(line for line in screen.splitlines() if "wiki/wiki-db-data" in line)
    assert "rebuilding" in first_row  # degraded, and Longhorn is rebuilding the missing replica
    tmux("send-keys", "-t", "deck", "i")
    screen = tmux.wait_for("which carries:")
    assert "attached to hel-wk-02" in screen
    assert "api/api-uploads" in screen  # the other volume on that node
    # one key per send-keys: ESC followed at once by a key reads as alt+key in a terminal
    tmux("send-keys", "-t", "deck", "Escape")
    tmux.wait_for("Volumes (")
    tmux("send-keys", "-t", "deck", "?")
    tmux.wait_for("Keys: Volumes")
    tmux("send-keys", "-t", "deck", "Escape")
    time.sleep(0.5)
    tmux("send-keys", "-t", "deck", "q")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and "deck" in tmux("list-sessions"):
        time.sleep(0.2)
    assert "deck" not in tmux("list-sessions")  # q quit the app, the session ended with it


def test_incident_path_from_the_overview_to_mariadbs_refusal_in_four_keys(tmux: Tmux) -> None:
    """Issue 10's done-when at 80x24 over a real terminal: the Overview names the crash-looping
    pod; `j` `j` select it, `l` opens its logs, `p` its previous run, where mariadbd says why."""
    screen = tmux.wait_for("CrashLoopBackOff ×14")
    rows = [line for line in screen.splitlines() if "│    " in line and "KIND" not in line]
    # under the NotReady node and the volume with no backup (both problems; the pod is a warning)
    assert "wiki/wiki-db-0" in rows[2], screen
    for key in ("j", "j", "l", "p"):
        tmux("send-keys", "-t", "deck", key)
        time.sleep(0.4)
    screen = tmux.wait_for("unknown variable")
    assert "previous run" in screen and "'innodb_buffer_pool_szie=1G'" in screen
