"""Run a catalog playbook through ansible_runner.run_async and stream its folded tree.

Every run lives in ``<state_dir>/runs/<run-id>/`` (ansible-runner's private data dir; the
artifacts under ``artifacts/<run-id>/``) plus our ``run.json``, so the Runs screen can
reopen it. Secrets never reach the artifacts: secret-looking environment variables are
blanked for the playbook process, and extravars with secret-looking names are refused.
"""
from __future__ import annotations

import os
import queue
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .ansible_config import our_defaults
from .ansible_model import RunFolder, RunTree, write_meta
from .base import ActionError, Done, ProgressEvent, RunUpdate
from .catalog import CatalogEntry, count_tasks
from .redact import is_secret_key, redact_text
from .run_processes import MARKER, end_processes

_END = object()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_run_id() -> str:
    # sortable by time, unique across processes
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


class PlaybookRun:
    """One ansible-runner invocation. ``events()`` streams RunUpdate snapshots and ends with Done."""

    def __init__(self, entry: CatalogEntry, limit: str, extravars: Mapping[str, Any], check: bool,
                 state_dir: Path, inventory: Path, *, run_id: str | None = None, forks: int = 10,
                 ssh_timeout: int = 5) -> None:
        for name in extravars:
            if is_secret_key(name):
                raise ActionError(f"variable {name!r} looks like a secret; keep secrets in the inventory or vault")
        if not Path(inventory).exists():
            raise ActionError(f"inventory {inventory} does not exist")
        self.entry = entry
        self.limit = limit
        self.extravars = dict(extravars)
        self.check = check
        self.inventory = Path(inventory).resolve()  # ansible runs from the playbook dir
        self.run_id = run_id or new_run_id()
        self.run_dir = Path(state_dir) / "runs" / self.run_id
        self.forks = forks
        self.ssh_timeout = ssh_timeout
        self._cancel = threading.Event()
        self._interrupted: str | None = None  # why the app is going away mid-run (SIGHUP, SIGTERM)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._status = "starting"
        self._thread: threading.Thread | None = None
        self._runner: Any = None
        tree = RunTree(run_id=self.run_id, title=entry.title, entry_id=entry.id, playbook=str(entry.playbook),
                       limit=limit, check=check, started=_now(), expected_tasks=count_tasks(entry.playbook),
                       run_dir=str(self.run_dir), host_count=len([h for h in limit.split(",") if h]))
        self._folder = RunFolder(tree)

    # -- control ---------------------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    def interrupt(self, reason: str) -> None:
        """The app is ending (the operator's session dropped): stop, and record it as interrupted."""
        self._interrupted = reason
        self._cancel.set()

    def tree(self) -> RunTree:
        return self._folder.snapshot()

    def start(self) -> None:
        import ansible_runner

        self.run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_meta(self.run_dir, self._folder.snapshot(), extravars=self.extravars)
        cmdline = "--check --diff" if self.check else "--diff"
        self._thread, self._runner = ansible_runner.run_async(
            private_data_dir=str(self.run_dir),
            artifact_dir=str(self.run_dir / "artifacts"),
            ident=self.run_id,
            project_dir=str(self.entry.playbook.parent),
            playbook=str(self.entry.playbook),
            inventory=str(self.inventory),
            limit=self.limit,
            extravars=self.extravars or None,
            cmdline=cmdline,
            forks=self.forks,
            envvars=self._envvars(),
            settings={"pexpect_timeout": 0.3, "suppress_ansible_output": True},
            suppress_env_files=True,
            quiet=True,
            event_handler=self._on_event,
            status_handler=self._on_status,
            cancel_callback=self._cancel.is_set,
            finished_callback=lambda runner: self._queue.put(_END),
        )

    def _envvars(self) -> dict[str, str]:
        # ansible-runner copies os.environ into the process and into artifacts/<id>/command:
        # blank every secret-looking variable so no token lands on disk.
        env = {k: "" for k in os.environ if is_secret_key(k)}
        # ansible-playbook sits next to our interpreter in a venv that may not be on PATH
        bin_dir = os.path.dirname(sys.executable)
        env["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
        env[MARKER] = self.run_id  # inherited by every child, ssh masters too: how we end them all
        # our defaults, each only where the operator's ANSIBLE_* env and ansible.cfg say nothing
        env.update(our_defaults({"ANSIBLE_TIMEOUT": str(self.ssh_timeout), "ANSIBLE_HOST_KEY_CHECKING": "False",
                                 "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "False"},
                                self.entry.playbook.parent))
        return env

    def _on_event(self, event: dict[str, Any]) -> bool:
        self._queue.put(event)
        return True  # keep the event in job_events/: the Runs screen replays them

    def _on_status(self, data: dict[str, Any], runner_config: Any = None) -> None:
        self._status = str(data.get("status") or self._status)

    # -- the stream ------------------------------------------------------------------------
    def events(self) -> Iterator[ProgressEvent]:
        if self._thread is None:
            self.start()
        yield RunUpdate(self._folder.snapshot())
        while True:
            try:
                item = self._queue.get(timeout=0.5)
            except queue.Empty:
                if self._thread is not None and not self._thread.is_alive() and self._queue.empty():
                    break
                continue
            if item is _END:
                break
            changed = self._folder.feed(item)
            # drain what else arrived so a burst becomes one update
            while True:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _END:
                    self._queue.put(_END)
                    break
                changed = self._folder.feed(more) or changed
            if changed:
                yield RunUpdate(self._folder.snapshot())
        if self._thread is not None:
            self._thread.join(timeout=30)
        # ansible-runner kills ansible-playbook's process group; ssh masters live on in their
        # own session, and a run that was cancelled is over only when its last process is
        left = end_processes(self.run_id)
        rc = getattr(self._runner, "rc", None)
        status = getattr(self._runner, "status", None) or self._status
        if self._cancel.is_set():
            status = "interrupted" if self._interrupted else "canceled"
        if left and status in ("canceled", "interrupted"):
            status = "failed"  # not "cancelled" while something of it still runs (pids in `left`)
        self._folder.finish(status, rc, _now())
        tree = self._folder.snapshot()
        write_meta(self.run_dir, tree, extravars=self.extravars)
        yield RunUpdate(tree)
        yield _done(tree)


def _done(tree: RunTree) -> Done:
    counts = tree.counts()
    summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    mode = "check run" if tree.check else "run"
    if tree.status == "successful":
        return Done("succeeded", f"{tree.title}: {mode} finished ({summary or 'nothing to do'})", tree.run_dir)
    if tree.status == "canceled":
        return Done("cancelled", f"{tree.title}: {mode} cancelled ({summary or 'no task finished'})", tree.run_dir)
    if tree.status == "interrupted":
        return Done("interrupted", f"{tree.title}: {mode} interrupted, every process ended "
                                   f"({summary or 'no task finished'})", tree.run_dir)
    why = summary or _stdout_tail(Path(tree.run_dir), tree.run_id) or "no task ran"
    return Done("failed", f"{tree.title}: {mode} {tree.status} (rc {tree.rc}; {why}){_first_failure(tree)}",
                tree.run_dir)


def _first_failure(tree: RunTree) -> str:
    """": <task> on <host>: <message>" for the first real failure, so the reason is on screen."""
    for task in tree.tasks():
        for host in task.hosts:
            if host.status in ("failed", "unreachable") and not host.ignored:
                return f": {task.name} on {host.host}: {host.message or host.status}"
    return ""


def _stdout_tail(run_dir: Path, run_id: str) -> str:
    """The last line ansible printed: why a run failed before any task (bad inventory, syntax)."""
    try:
        lines = [ln for ln in (run_dir / "artifacts" / run_id / "stdout").read_text().splitlines() if ln.strip()]
    except OSError:
        return ""
    return redact_text(lines[-1].strip())[:300] if lines else ""


def run_playbook(catalog_entry: CatalogEntry, limit: str, extravars: Mapping[str, Any], check: bool,
                 state_dir: Path, inventory: Path, **kwargs: Any) -> PlaybookRun:
    """Start a catalog playbook; iterate ``.events()`` for its progress, ``.cancel()`` to stop it."""
    run = PlaybookRun(catalog_entry, limit, extravars, check, state_dir, inventory, **kwargs)
    run.start()
    return run
