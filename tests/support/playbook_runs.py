"""Run the project's playbooks through ansible-runner the way the app does, for the playbook tests."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ansible_runner

from tests.support.paths import PLAYBOOKS

VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class PlaybookRun:
    status: str  # ansible-runner's: successful / failed / timeout / canceled
    rc: int
    stats: dict[str, dict[str, int]]  # ok / changed / failures / dark (unreachable) / skipped: host -> count
    events: list[dict[str, Any]]
    artifact_dir: Path

    def task_names(self) -> list[str]:
        return [e["event_data"].get("task", "") for e in self.events if e.get("event") == "playbook_on_task_start"]

    def results(self, event: str) -> list[dict[str, Any]]:
        """event_data of every per-host result of this type (runner_on_ok, runner_on_failed, ...)."""
        return [e["event_data"] for e in self.events if e.get("event") == event]

    def failure_messages(self) -> str:
        return "\n".join(
            f"{d.get('host')}: {d.get('task')}: {d.get('res', {}).get('msg', '')}"
            for d in self.results("runner_on_failed") + self.results("runner_on_unreachable")
        )

    def output(self) -> str:
        return "".join(e.get("stdout", "") + "\n" for e in self.events)


def run_playbook(
    playbook: str | Path,
    inventory: Path,
    private_data_dir: Path,
    *,
    extravars: dict[str, Any] | None = None,
    limit: str | None = None,
    check: bool = False,
    envvars: dict[str, str] | None = None,
    timeout: int = 300,
) -> PlaybookRun:
    private_data_dir.mkdir(parents=True, exist_ok=True)
    path = Path(playbook)
    if not path.is_absolute():
        path = PLAYBOOKS / path
    runner = ansible_runner.run(
        private_data_dir=str(private_data_dir),
        playbook=str(path),
        inventory=str(inventory),
        extravars=extravars or {},
        limit=limit,
        cmdline="--check --diff" if check else None,
        # ansible-runner starts `ansible-playbook` from PATH: the venv's, whatever PATH pytest got
        envvars={"PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", "ANSIBLE_NOCOLOR": "1",
                 **(envvars or {})},
        quiet=True,
        timeout=timeout,
    )
    return PlaybookRun(
        status=runner.status, rc=runner.rc, stats=runner.stats or {}, events=list(runner.events),
        artifact_dir=Path(runner.config.artifact_dir),
    )
