"""Fixtures of the screen tests: real playbook runs for the progress and Runs screens."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.support.shared_fixtures import emulator_factory, kubeconfig
from tui.core.actions import load_catalog, load_run, run_playbook
from tui.core.actions.ansible_model import write_meta

__all__ = ["emulator_factory", "kubeconfig"]  # shared fixtures (tests/support/shared_fixtures.py)


@pytest.fixture(scope="session")
def past_runs(tmp_path_factory) -> Path:
    """Two real runs of tiny playbooks: one failed (an unreachable host), one cancelled mid-task.
    Their start times are pinned afterwards so the Runs screen renders the same every time."""
    from tests.support.actions_support import write_small_catalog

    base = tmp_path_factory.mktemp("runs")
    book = write_small_catalog(base / "books")
    catalog = load_catalog(book / "catalog.yaml")
    state = base / "state"
    failed = run_playbook(catalog.get("three"), "local-a,dead-1", {}, False, state, book / "inventory.yml",
                          run_id="20261126-140100-aaaaaa")
    ended = list(failed.events())[-1]  # the run's own Done: what the progress screen shows last
    (base / "failed_done.json").write_text(json.dumps(dataclasses.asdict(ended)))
    slow = run_playbook(catalog.get("slow"), "local-a", {}, False, state, book / "inventory.yml",
                        run_id="20261126-140300-bbbbbb")
    live = None
    for event in slow.events():
        tree = getattr(event, "run", None)
        if live is None and tree is not None and any(t.name == "sleep a while" and t.hosts for t in tree.tasks()):
            live = tree  # what the screen showed while the task ran
            slow.cancel()
    (base / "live.json").write_text(json.dumps(dataclasses.asdict(live)))
    for run_id, started in (("20261126-140100-aaaaaa", "2026-11-26T14:01:00Z"),
                            ("20261126-140300-bbbbbb", "2026-11-26T14:03:00Z")):
        run_dir = state / "runs" / run_id
        tree = load_run(run_dir)
        write_meta(run_dir, dataclasses.replace(tree, started=started, finished=started))
    return state
