"""`:ctx NAME` switches the console to another context of the kubeconfig, live."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from tests.support.app_support import FAST_RETRY, FROZEN_AT, press, screen_text, synced, wait_until
from tui.app import ClusterDeckApp
from tui.config import Config
from tui.connection import connect_kubeconfig
from tui.core.clock import FrozenClock


def node(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}


def two_context_kubeconfig(path: Path, staging_url: str, prod_url: str) -> Path:
    def cluster(name: str, url: str) -> dict[str, Any]:
        return {"name": name, "cluster": {"server": url}}

    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "staging",
        "clusters": [cluster("staging", staging_url), cluster("prod", prod_url)],
        "users": [{"name": "ops", "user": {"token": "not-a-real-token"}}],
        "contexts": [{"name": n, "context": {"cluster": n, "user": "ops"}} for n in ("staging", "prod")],
    }))
    return path


async def test_ctx_switches_cluster_and_ignores_the_old_one(emulator_factory, tmp_path):
    staging = emulator_factory([node("stg-1")], controllers=False)
    prod = emulator_factory([node("prod-1"), node("prod-2")], controllers=False)
    kubeconfig = two_context_kubeconfig(tmp_path / "kubeconfig", staging.url, prod.url)
    conn = connect_kubeconfig(str(kubeconfig))
    config = replace(Config(), state_dir=tmp_path / "state", production_contexts=("prod*",))
    app = ClusterDeckApp(conn, config, clock=FrozenClock(FROZEN_AT), source_backoff=FAST_RETRY)
    app.animation_level = "none"
    app.context_switcher = lambda name: app.switch_connection(
        connect_kubeconfig(str(kubeconfig), name))
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "2")
        assert "stg-1" in screen_text(app) and "prod-1" not in screen_text(app)

        await press(pilot, "colon", *"ctx prod", "enter")
        await wait_until(pilot, lambda: app.store.synced() and app.store.rows("nodes"),
                         what="the prod cluster's first sync")
        await synced(pilot)
        text = screen_text(app)
        assert "prod-1" in text and "prod-2" in text and "stg-1" not in text
        assert app.connection.context == "prod"
        assert "prod" in text.splitlines()[0]  # the header names the new context

        # the old cluster changing must not reach the new store
        staging.upsert(node("stg-2"))
        await press(pilot, "2")
        assert "stg-2" not in screen_text(app)
        assert [r.name for r in app.store.rows("nodes")] == ["prod-1", "prod-2"]

        await press(pilot, "colon", *"ctx nowhere", "enter")
        assert app.connection.context == "prod"
