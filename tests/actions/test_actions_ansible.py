"""Playbooks through the real ansible-runner against this machine (connection local), plus
unreachable SSH hosts on loopback ports nothing listens on."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.actions_support import PLAYBOOKS, REPO, write_small_catalog
from tui.core.actions import (
    ActionContext,
    ActionError,
    ActionRunner,
    Done,
    PlaybookAction,
    RunUpdate,
    Who,
    list_runs,
    load_catalog,
    load_run,
    run_playbook,
)
from tui.core.clock import FrozenClock

SECRET = "s3cr3t-argocd-token-abcdef123456"


def _ctx(state: Path, playbook_dir: Path = PLAYBOOKS, inventory: Path | None = None) -> ActionContext:
    return ActionContext(api_client=None, store=None, clock=FrozenClock(), state_dir=state,
                         context="demo", playbook_dir=playbook_dir,
                         inventory=inventory or PLAYBOOKS / "inventory" / "demo.yml")


@pytest.fixture
def small_catalog(tmp_path: Path) -> Path:
    return write_small_catalog(tmp_path / "books")


def test_catalog_drops_bad_entries_and_refuses_unknown_limits(small_catalog: Path, tmp_path: Path):
    catalog = load_catalog(small_catalog / "catalog.yaml")
    assert [e.id for e in catalog.entries] == ["slow", "three"]
    assert "missing.yml does not exist" in catalog.problems[0]
    ctx = _ctx(tmp_path / "state", small_catalog, small_catalog / "inventory.yml")
    with pytest.raises(ActionError, match="not in the inventory"):
        PlaybookAction("three", ["hel-wk-09"], check=True, catalog=catalog).plan(ctx)
    with pytest.raises(ActionError, match="takes no variable"):
        PlaybookAction("three", ["local-a"], check=True, catalog=catalog).plan(ctx, {"rm_rf": "/"})
    with pytest.raises(ActionError, match="not in the catalog"):
        catalog.get("format-everything")
    (tmp_path / "bad.yaml").write_text("playbooks: [unclosed")
    with pytest.raises(ActionError, match="not valid YAML"):
        load_catalog(tmp_path / "bad.yaml")


def test_bootstrap_check_run_on_the_demo_inventory(tmp_path: Path):
    """The demo's real run: bootstrap-node in check mode on this machine, allowed read-only,
    folded live into plays -> tasks -> hosts, kept on disk and replayed identically."""
    state = tmp_path / "state"
    catalog = load_catalog(PLAYBOOKS / "catalog.yaml")
    action = PlaybookAction("bootstrap-node", ["hel-wk-01"], check=True, catalog=catalog)
    ctx = _ctx(state)
    plan = action.plan(ctx)
    assert plan.danger == "safe" and not plan.writes
    runner = ActionRunner(state, context="demo", read_only=True, who=Who("tester", None))
    events = list(runner.run(action, ctx, plan))
    done = events[-1]
    assert isinstance(done, Done) and done.outcome == "succeeded", done
    trees = [e.run for e in events if isinstance(e, RunUpdate)]
    assert len(trees) > 5  # live updates, not one at the end
    final = trees[-1]
    assert final.status == "successful" and final.check
    assert [p.name for p in final.plays][:1] == ["Base system and Longhorn prerequisites"]
    assert final.counts()["ok"] > 0 and final.counts()["failed"] == 0
    assert all(h.host == "hel-wk-01" for t in final.tasks() for h in t.hosts)
    # the artifact dir replays into the same tree
    again = load_run(Path(done.artifact))
    assert [(t.name, [(h.host, h.status) for h in t.hosts]) for t in again.tasks()] == \
        [(t.name, [(h.host, h.status) for h in t.hosts]) for t in final.tasks()]
    assert [r.run_id for r in list_runs(state)] == [final.run_id]
    start, end = runner.audit.records()
    assert start["phase"] == "start" and end["phase"] == "end" and end["outcome"] == "succeeded"
    assert start["artifact"] == done.artifact == end["artifact"]
    assert start["action"] == "playbook" and start["target"] == "node:hel-wk-01"
    # the inventory's k3s token never lands in our files
    for path in state.rglob("*"):
        if path.is_file():
            assert "demo-token-check-mode-only" not in path.read_text(errors="replace"), path


def test_unreachable_host_does_not_stop_the_others(small_catalog: Path, tmp_path: Path):
    catalog = load_catalog(small_catalog / "catalog.yaml")
    run = run_playbook(catalog.get("three"), "local-a,dead-1,local-b", {}, False, tmp_path / "state",
                       small_catalog / "inventory.yml")
    events = list(run.events())
    tree = events[-2].run
    assert events[-1].outcome == "failed"
    per_host = {(t.name, h.host): h.status for t in tree.tasks() for h in t.hosts}
    assert per_host[("one", "dead-1")] == "unreachable"
    assert per_host[("three", "local-a")] == "changed" and per_host[("three", "local-b")] == "changed"
    assert tree.counts()["unreachable"] == 1 and tree.counts()["changed"] == 2
    assert tree.stats["dead-1"]["unreachable"] == 1


def test_cancel_mid_playbook(small_catalog: Path, tmp_path: Path):
    catalog = load_catalog(small_catalog / "catalog.yaml")
    action = PlaybookAction("slow", ["local-a"], check=False, catalog=catalog)
    ctx = _ctx(tmp_path / "state", small_catalog, small_catalog / "inventory.yml")
    runner = ActionRunner(ctx.state_dir, who=Who("tester", None))
    started = time.monotonic()
    last = None
    for event in runner.run(action, ctx, action.plan(ctx)):
        last = event
        if isinstance(event, RunUpdate) and any(t.name == "sleep a while" and t.hosts for t in event.run.tasks()):
            action.cancel()
    assert time.monotonic() - started < 25  # did not wait for the 30 s sleep
    assert isinstance(last, Done) and last.outcome == "cancelled", last
    tree = load_run(Path(last.artifact))
    assert tree.status == "canceled"
    assert "never reached" not in [t.name for t in tree.tasks()]
    assert runner.audit.records()[-1]["outcome"] == "cancelled"


def test_no_secret_in_audit_artifacts_or_events(small_catalog: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("ARGOCD_AUTH_TOKEN", SECRET)
    catalog = load_catalog(small_catalog / "catalog.yaml")
    action = PlaybookAction("three", ["local-a"], check=False, catalog=catalog)
    ctx = _ctx(tmp_path / "state", small_catalog, small_catalog / "inventory.yml")
    ctx.argocd_token = SECRET
    runner = ActionRunner(ctx.state_dir, who=Who("tester", None))
    events = list(runner.run(action, ctx, action.plan(ctx)))
    assert events[-1].outcome == "succeeded", events[-1]
    assert SECRET not in repr(events)
    files = [p for p in ctx.state_dir.rglob("*") if p.is_file()]
    assert any(p.name == "audit.jsonl" for p in files) and any("job_events" in str(p) for p in files)
    for path in files:
        assert SECRET not in path.read_text(errors="replace"), path
    with pytest.raises(ActionError, match="looks like a secret"):
        run_playbook(catalog.get("three"), "local-a", {"api_token": SECRET}, True, ctx.state_dir,
                     small_catalog / "inventory.yml")


def test_destructive_and_disruptive_runs_are_refused_read_only(small_catalog: Path, tmp_path: Path):
    catalog = load_catalog(small_catalog / "catalog.yaml")
    ctx = _ctx(tmp_path / "state", small_catalog, small_catalog / "inventory.yml")
    runner = ActionRunner(ctx.state_dir, read_only=True, who=Who("tester", None))
    real = PlaybookAction("three", ["local-a"], check=False, catalog=catalog)
    assert "read-only" in (runner.refusal(real) or "")
    events = list(runner.run(real, ctx, real.plan(ctx)))
    assert events == [Done("refused", "read-only mode: Three (run) would change the cluster")]
    assert not (ctx.state_dir / "runs").exists()
    check = PlaybookAction("three", ["local-a"], check=True, catalog=catalog)
    assert runner.refusal(check) is None


KILLED_SCRIPT = """
import sys
from pathlib import Path
from tui.core.actions import ActionContext, ActionRunner, PlaybookAction, RunUpdate, Who, load_catalog
from tui.core.clock import FrozenClock
book, state = Path(sys.argv[1]), Path(sys.argv[2])
catalog = load_catalog(book / "catalog.yaml")
action = PlaybookAction("slow", ["local-a"], check=False, catalog=catalog)
ctx = ActionContext(api_client=None, store=None, clock=FrozenClock(), state_dir=state,
                    playbook_dir=book, inventory=book / "inventory.yml")
runner = ActionRunner(state, context="kill-test", who=Who("tester", "10.1.2.3"))
for event in runner.run(action, ctx, action.plan(ctx)):
    if isinstance(event, RunUpdate) and any(t.name == "sleep a while" for t in event.run.tasks()):
        print("sleeping", flush=True)
"""


def test_audit_start_record_survives_a_killed_process(small_catalog: Path, tmp_path: Path):
    state = tmp_path / "state"
    env = {**os.environ, "PYTHONPATH": str(REPO), "USER": "killed-user"}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_SCRIPT, str(small_catalog), str(state)],
                            stdout=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "sleeping"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the app and its ansible children, like a lost SSH session
        proc.wait(timeout=10)
    records = [json.loads(x) for x in (state / "audit.jsonl").read_text().splitlines()]
    assert len(records) == 1
    start = records[0]
    assert start["phase"] == "start" and start["outcome"] == "started"
    assert start["user"] == "tester" and start["client"] == "10.1.2.3" and start["context"] == "kill-test"
    assert start["action"] == "playbook" and start["target"] == "node:local-a"
    assert len(start["plan_digest"]) == 64
    run = load_run(Path(start["artifact"]))
    assert run.status == "interrupted"
    assert "sleep a while" in [t.name for t in run.tasks()]
