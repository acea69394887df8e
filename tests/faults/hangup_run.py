"""A playbook run in its own process, as the console runs one, for the SIGHUP test: prints
`RUN <run dir>` once its `sleep 30` task is running, then follows the run to its end.
Usage: python -m tests.faults.hangup_run STATE_DIR BOOK_DIR [--no-handler]"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from tui.core.actions import (
    ActionContext,
    ActionRunner,
    Done,
    PlaybookAction,
    RunUpdate,
    Who,
    load_catalog,
)
from tui.core.actions.hangup import on_hangup
from tui.core.clock import FrozenClock


def main() -> int:
    state, book = Path(sys.argv[1]), Path(sys.argv[2])
    ctx = ActionContext(api_client=None, store=None, clock=FrozenClock(), state_dir=state, context="test",
                        playbook_dir=book, inventory=book / "inventory.yml")
    runner = ActionRunner(state, context="test", who=Who("tester", None))
    if "--no-handler" not in sys.argv:  # as the console did before: Python's default SIGHUP
        on_hangup(runner, lambda signum: None)
    action = PlaybookAction("slow", ["local-a"], check=False, catalog=load_catalog(book / "catalog.yaml"))
    plan = action.plan(ctx)
    announced = False
    for event in runner.run(action, ctx, plan):
        if isinstance(event, RunUpdate) and not announced and any(
                t.name == "sleep a while" for t in event.run.tasks()):
            print(f"RUN {plan.data['artifact']} {os.getpid()}", flush=True)
            announced = True
        if isinstance(event, Done):
            print(f"DONE {event.outcome}: {event.message}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
