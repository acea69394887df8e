"""Malformed objects all the way to the screen: the app shows unknowns and keeps running.

The parsers are fuzzed on their own (test_parsers_hypothesis.py); this drives the whole chain
(emulator → client → sources → store → every pane, detail and impact) over the demo cluster
with its objects' specs and statuses mangled: wrong types, nulls, missing parts.
"""
from __future__ import annotations

import copy
import random
from typing import Any

from tests.support.app_support import make_app, press, screen_text, synced
from tui.emulator.demo import demo_objects

WRONG: tuple[Any, ...] = (None, 7, -1, "x", "", [], {}, [None], {"?": None}, True, 3.5)


def mangle(obj: Any, rng: random.Random, depth: int = 0) -> Any:
    """The same object with about a third of its fields (at any depth) replaced by wrong types."""
    if isinstance(obj, dict):
        return {k: (rng.choice(WRONG) if rng.random() < 0.3 else mangle(v, rng, depth + 1))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [rng.choice(WRONG) if rng.random() < 0.3 else mangle(v, rng, depth + 1) for v in obj]
    return obj


def malformed_demo(seed: int) -> list[dict[str, Any]]:
    """Demo objects with spec, status, labels and annotations mangled; identity kept, since
    the API server itself refuses an object without a name."""
    rng = random.Random(seed)
    out = []
    for obj in demo_objects():
        bad = copy.deepcopy(obj)
        for part in ("spec", "status", "data"):
            if part in bad:
                bad[part] = mangle(bad[part], rng)
        meta = bad["metadata"]
        for part in ("labels", "annotations"):
            if part in meta and rng.random() < 0.5:
                meta[part] = mangle(meta[part], rng)
        out.append(bad)
    return out


async def walk_everything(pilot: Any, app: Any) -> None:
    for pane in "1234567":
        await press(pilot, pane)
        await press(pilot, "enter")  # detail of the first row, when the pane has one
        await press(pilot, "escape")
        await press(pilot, "i")  # impact of the first row, when it has one
        await press(pilot, "escape")
        await press(pilot, "j", "j", "enter", "escape")


async def test_mangled_cluster_renders_everywhere(emulator_factory):
    for seed in (1, 2, 3):
        emu = emulator_factory(malformed_demo(seed), controllers=False)
        app = make_app(emu)
        async with app.run_test(size=(80, 24)) as pilot:
            await synced(pilot)
            await walk_everything(pilot, app)
            await press(pilot, "2")
            assert app.is_running, f"seed {seed}: the app stopped"
            assert "Nodes" in screen_text(app)
            assert app.bridge.errors == [], f"seed {seed}: the store refused events: {app.bridge.errors}"
        assert app.return_code in (None, 0), f"seed {seed}: the app exited with {app.return_code}"
