"""The audit log: one JSON line when an action starts (fsync'd before it runs), one when it ends."""
from __future__ import annotations

import json
import os
import pwd
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .redact import redact


@dataclass(frozen=True)
class Who:
    user: str
    client: str | None  # the SSH client address, when the operator came in over SSH

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Who:
        ssh = env.get("SSH_CONNECTION", "").split()
        return cls(user=env.get("USER") or env.get("LOGNAME") or _login_name(), client=ssh[0] if ssh else None)


def _login_name() -> str:
    """Who runs the process when the environment does not say (cron, a bare tmux, sudo -i)."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid:{os.getuid()}"


class AuditLog:
    """Append-only JSON lines at ``<state_dir>/audit.jsonl``; every record is redacted."""

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / "audit.jsonl"
        self._lock = threading.Lock()

    def write(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(redact(dict(record)), sort_keys=True, default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode())
                os.fsync(fd)  # the start record must survive a crash of this process
            finally:
                os.close(fd)

    def records(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first (a torn last line from a crash is skipped)."""
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out
