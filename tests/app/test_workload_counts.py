"""Counts the API leaves out when zero (readyReplicas, availableReplicas are `omitempty`) read
as 0 in both `snapshot` and the Workloads pane: the demo's wiki-web (nothing ready) and wiki-db
are served without them (tests/emulator/test_emulator_omitempty.py) and both say 0."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.app_support import make_app, press, screen_text, synced
from tui.emulator.demo import demo_objects

CLUSTERDECK = str(Path(sys.executable).parent / "clusterdeck")


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False)


@pytest.fixture
def snapshot_workloads() -> dict[str, Any]:
    done = subprocess.run([CLUSTERDECK, "snapshot", "--demo", "--format", "json"],
                          capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr
    return {w["key"]: w for w in json.loads(done.stdout)["workloads"]}


async def test_snapshot_and_workloads_pane_agree_on_omitted_zero_counts(demo: Any,
                                                                        snapshot_workloads: Any) -> None:
    rows = snapshot_workloads
    web, db = rows["Deployment/wiki/wiki-web"], rows["StatefulSet/wiki/wiki-db"]
    assert (web["replicas"], web["ready"], web["available"]) == (2, 0, 0)
    assert (db["replicas"], db["ready"]) == (1, 0)

    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "7")
        lines = {line.split()[1]: line for line in screen_text(app).splitlines()
                 if line.startswith("│") and len(line.split()) > 3}
        assert lines["wiki/wiki-web"].split()[3] == "0/2"
        assert lines["wiki/wiki-db"].split()[3] == "0/1"
