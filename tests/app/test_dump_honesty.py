"""A dump is browsed offline: a kind it does not hold is "not in the dump" (unknown), never an
empty "ok"; the header says when the dump was taken."""
from __future__ import annotations

import tempfile
from pathlib import Path

from tests.support.app_support import FAST_RETRY, FROZEN_AT, press, screen_text, synced
from tests.support.paths import REFERENCE
from tui.app import ClusterDeckApp
from tui.config import Config
from tui.connection import connect_dump
from tui.core.clock import FrozenClock
from tui.core.events import SourceState


def nodes_only_dump(tmp_path: Path) -> Path:
    """Only Nodes, as `kubectl get nodes -o yaml` writes them."""
    dump = tmp_path / "nodes.yaml"
    dump.write_text((REFERENCE / "k3s-nodes.yaml").read_text())
    return dump


async def test_a_dump_without_volumes_says_so_and_shows_when_it_was_taken(tmp_path: Path) -> None:
    conn = connect_dump(str(nodes_only_dump(tmp_path)))
    state = Path(tempfile.mkdtemp(prefix="clusterdeck-test-state-"))
    app = ClusterDeckApp(conn, Config(state_dir=state), clock=FrozenClock(FROZEN_AT), source_backoff=FAST_RETRY)
    app.animation_level = "none"
    async with app.run_test(size=(100, 24)) as pilot:
        await synced(pilot)
        health = app.store.health()
        assert health["nodes"].state is SourceState.OK
        assert health["lh_volumes"].state is SourceState.NOT_IN_DUMP
        header = screen_text(app).splitlines()[0]
        # the newest timestamp in the file (a condition's lastTransitionTime), not the file's mtime
        assert "offline dump, 2025-" in header and "UTC" in header, header
        await press(pilot, "1")
        overview = screen_text(app)
        assert "volumes: not in the dump" in overview
        # one banner line for every layer the dump lacks, not one per pane
        assert overview.count("not in the dump:") == 1, overview
        assert "not in the dump: Longhorn, MetalLB, Traefik, Argo CD" in overview
        assert "no volumes" not in screen_text(app)
        await press(pilot, "3")
        assert "Longhorn not in the dump (unknown, not none)" in screen_text(app)
