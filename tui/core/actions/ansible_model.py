"""Fold ansible-runner events into plays -> tasks -> hosts, as ansible-navigator shows a run.

The same folder serves a live run (events from the event_handler) and a past run (the
artifact directory's job_events/*.json), so the Runs screen reopens a run in the same view.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .redact import redact

STATUSES = ("ok", "changed", "failed", "unreachable", "skipped")
META_FILE = "run.json"

# runner event name -> host status
_HOST_EVENTS = {
    "runner_on_ok": "ok",
    "runner_on_failed": "failed",
    "runner_on_unreachable": "unreachable",
    "runner_on_skipped": "skipped",
    "runner_on_async_failed": "failed",
}


@dataclass(frozen=True)
class HostResult:
    host: str
    status: str  # running / ok / changed / failed / unreachable / skipped
    message: str = ""  # msg or stderr, one line
    result: dict[str, Any] = field(default_factory=dict)  # the task's full (redacted) result
    ignored: bool = False  # failed but ignore_errors


@dataclass(frozen=True)
class TaskNode:
    uuid: str
    name: str
    action: str
    hosts: tuple[HostResult, ...] = ()

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for h in self.hosts:
            if h.status in out:
                out[h.status] += 1
        return out

    @property
    def status(self) -> str:
        states = {h.status for h in self.hosts}
        for s in ("running", "unreachable", "failed", "canceled", "interrupted", "changed", "ok", "skipped"):
            if s in states:
                return s
        return "running"


@dataclass(frozen=True)
class PlayNode:
    uuid: str
    name: str
    tasks: tuple[TaskNode, ...] = ()

    def counts(self) -> dict[str, int]:
        return _sum(t.counts() for t in self.tasks)


@dataclass(frozen=True)
class RunTree:
    run_id: str
    title: str = ""
    entry_id: str = ""
    playbook: str = ""
    limit: str = ""
    check: bool = False
    status: str = "running"  # running / successful / failed / canceled / timeout
    plays: tuple[PlayNode, ...] = ()
    started: str | None = None
    finished: str | None = None
    expected_tasks: int = 0  # static task count of the playbook, per host
    host_count: int = 0
    rc: int | None = None
    run_dir: str = ""
    stats: dict[str, dict[str, int]] = field(default_factory=dict)  # host -> final recap counts

    def counts(self) -> dict[str, int]:
        return _sum(p.counts() for p in self.plays)

    def tasks(self) -> list[TaskNode]:
        return [t for p in self.plays for t in p.tasks]

    def progress(self) -> tuple[int, int]:
        """(done, total) task-host results, for the progress bar; total grows if our estimate was low."""
        done = sum(1 for t in self.tasks() for h in t.hosts if h.status != "running")
        hosts = self.host_count or max((len(t.hosts) for t in self.tasks()), default=0)
        total = max(done, self.expected_tasks * hosts)
        if self.status != "running":
            total = done
        return done, total

    def find_task(self, uuid: str) -> TaskNode | None:
        return next((t for t in self.tasks() if t.uuid == uuid), None)


def _sum(parts: Iterable[dict[str, int]]) -> dict[str, int]:
    out = dict.fromkeys(STATUSES, 0)
    for part in parts:
        for k, v in part.items():
            out[k] = out.get(k, 0) + v
    return out


class RunFolder:
    """Mutable accumulator: feed it runner events in order, read frozen RunTree snapshots."""

    def __init__(self, tree: RunTree) -> None:
        self._tree = tree
        self._plays: list[dict[str, Any]] = []  # {uuid, name, tasks: [{uuid, name, action, hosts: {}}]}
        self._hosts: set[str] = set()

    def feed(self, event: dict[str, Any]) -> bool:
        """Fold one event; True when the tree changed."""
        name = event.get("event", "")
        data = event.get("event_data") or {}
        if name == "playbook_on_play_start":
            self._plays.append({"uuid": data.get("play_uuid", ""), "name": data.get("play", ""), "tasks": []})
            return True
        if name in ("playbook_on_task_start", "playbook_on_handler_task_start"):
            play = self._current_play(data)
            play["tasks"].append({"uuid": data.get("task_uuid", ""), "name": data.get("task") or data.get("task_action", ""),
                                  "action": data.get("task_action", ""), "hosts": {}})
            return True
        host = data.get("host")
        if name == "runner_on_start" and host:
            task = self._task(data)
            task["hosts"].setdefault(host, HostResult(host, "running"))
            self._hosts.add(host)
            return True
        if name in _HOST_EVENTS and host:
            raw = data.get("res")
            res: dict[str, Any] = raw if isinstance(raw, dict) else {}
            status = _HOST_EVENTS[name]
            if status == "ok" and res.get("changed"):
                status = "changed"
            task = self._task(data)
            task["hosts"][host] = HostResult(host, status, _one_line(res), redact(res),
                                             bool(data.get("ignore_errors")) and status == "failed")
            self._hosts.add(host)
            return True
        if name == "playbook_on_stats":
            stats: dict[str, dict[str, int]] = {}
            for key, label in (("ok", "ok"), ("changed", "changed"), ("failures", "failed"),
                               ("dark", "unreachable"), ("skipped", "skipped"), ("ignored", "ignored"),
                               ("rescued", "rescued")):
                for h, n in (data.get(key) or {}).items():
                    stats.setdefault(h, {})[label] = n
            self._tree = replace(self._tree, stats=stats)
            return True
        return False

    def finish(self, status: str, rc: int | None = None, finished: str | None = None) -> None:
        self._tree = replace(self._tree, status=status, rc=rc, finished=finished)
        self.settle(status)

    def settle(self, status: str) -> None:
        """A run that ended leaves no host "running": those tasks were cut short."""
        if status == "running":
            return
        label = "canceled" if status == "canceled" else "interrupted"
        for play in self._plays:
            for task in play["tasks"]:
                for host, result in task["hosts"].items():
                    if result.status == "running":
                        task["hosts"][host] = replace(result, status=label)

    def snapshot(self) -> RunTree:
        plays = tuple(
            PlayNode(p["uuid"], p["name"], tuple(TaskNode(t["uuid"], t["name"], t["action"], tuple(t["hosts"].values()))
                                                 for t in p["tasks"]))
            for p in self._plays
        )
        return replace(self._tree, plays=plays, host_count=max(self._tree.host_count, len(self._hosts)))

    def _current_play(self, data: dict[str, Any]) -> dict[str, Any]:
        uuid = data.get("play_uuid")
        for play in reversed(self._plays):
            if play["uuid"] == uuid:
                return play  # type: ignore[no-any-return]  # plain dicts folded from runner events
        if not self._plays or uuid:
            self._plays.append({"uuid": uuid or "", "name": data.get("play", ""), "tasks": []})
        return self._plays[-1]

    def _task(self, data: dict[str, Any]) -> dict[str, Any]:
        tasks: list[dict[str, Any]] = self._current_play(data)["tasks"]
        uuid = data.get("task_uuid")
        for task in reversed(tasks):
            if task["uuid"] == uuid:
                return task  # type: ignore[no-any-return]  # plain dicts folded from runner events
        tasks.append({"uuid": uuid or "", "name": data.get("task", ""), "action": data.get("task_action", ""),
                      "hosts": {}})
        return tasks[-1]


def _one_line(res: dict[str, Any]) -> str:
    for key in ("msg", "stderr", "reason", "stdout"):
        value = res.get(key)
        if isinstance(value, str) and value.strip():
            return str(redact(value.strip().splitlines()[0]))[:200]
    return ""


# -- the artifact directory ----------------------------------------------------------------


def write_meta(run_dir: Path, tree: RunTree, **extra: Any) -> None:
    meta = {
        "run_id": tree.run_id, "title": tree.title, "entry_id": tree.entry_id, "playbook": tree.playbook,
        "limit": tree.limit, "check": tree.check, "status": tree.status, "started": tree.started,
        "finished": tree.finished, "expected_tasks": tree.expected_tasks, "rc": tree.rc, **extra,
    }
    tmp = run_dir / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(redact(meta), indent=1, default=str))
    tmp.replace(run_dir / META_FILE)


def load_run(run_dir: Path) -> RunTree:
    """Rebuild a run's tree from its artifact directory (also for a run that was killed midway)."""
    run_dir = Path(run_dir)
    try:
        meta = json.loads((run_dir / META_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        meta = {}
    tree = RunTree(
        run_id=str(meta.get("run_id") or run_dir.name), title=str(meta.get("title") or run_dir.name),
        entry_id=str(meta.get("entry_id") or ""), playbook=str(meta.get("playbook") or ""),
        limit=str(meta.get("limit") or ""), check=bool(meta.get("check")), status=str(meta.get("status") or "unknown"),
        started=meta.get("started"), finished=meta.get("finished"),
        expected_tasks=int(meta.get("expected_tasks") or 0), rc=meta.get("rc"), run_dir=str(run_dir),
    )
    folder = RunFolder(tree)
    for event in _job_events(run_dir):
        folder.feed(event)
    if tree.status in ("running", "starting"):  # the process that ran it is gone: say so
        folder.finish("interrupted", tree.rc, tree.finished)
    else:
        folder.settle(tree.status)
    return folder.snapshot()


def _job_events(run_dir: Path) -> list[dict[str, Any]]:
    events = []
    for path in run_dir.glob("artifacts/*/job_events/*.json"):
        try:
            events.append(json.loads(path.read_text()))
        except (OSError, json.JSONDecodeError):
            continue  # a half-written event from a killed run
    events.sort(key=lambda e: (e.get("counter") or 0))
    return events


def list_runs(state_dir: Path) -> list[RunTree]:
    """Past runs, newest first (by start time, then directory name)."""
    runs_dir = Path(state_dir) / "runs"
    if not runs_dir.is_dir():
        return []
    runs = [load_run(d) for d in runs_dir.iterdir() if d.is_dir()]
    runs.sort(key=lambda r: (r.started or "", r.run_id), reverse=True)
    return runs
