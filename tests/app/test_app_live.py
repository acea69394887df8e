"""Pilot tests of the console staying live: a row updated in place under the cursor, a source
going forbidden / not installed and back, the API going away and coming back."""
from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from tests.support.app_support import (
    make_app,
    press,
    screen_text,
    settle,
    synced,
    table_keys,
    wait_until,
)
from tui.core.events import SourceState
from tui.emulator.demo import demo_objects


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False)


def banner(app: Any) -> str:
    from tui.widgets.source_banner import SourceBanner

    widget = app.screen.query_one(SourceBanner)
    text = "\n".join(t.text for t in widget.troubles)
    assert widget.display == bool(text) and widget.has_class("-shown") == bool(text)
    return text


async def test_row_updates_in_place_and_cursor_stays_on_the_same_object(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        table = app.screen.table
        uploads = next(v for v in app.store.rows("volumes") if v.pvc == "api/api-uploads")
        table.select_key(uploads.key)
        await settle(pilot)
        index_before = table.cursor_row
        namespace, name = uploads.key.split("/")
        obj = copy.deepcopy(demo.get("lh_volumes", namespace, name))
        obj["status"]["robustness"] = "faulted"
        demo.upsert(obj)
        await wait_until(pilot, lambda: app.store.row("volumes", uploads.key).robustness == "faulted",
                         10, "the watch event")
        await settle(pilot)
        assert table.cursor_key == uploads.key  # the cursor followed the row...
        assert table_keys(app)[0] == uploads.key  # ...which moved to the top (faulted first)
        assert table.cursor_row != index_before
        assert table.get_cell(uploads.key, "robustness").plain == "faulted"


async def test_forbidden_source_shows_in_its_pane_only_and_recovers(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        demo.fault("lh_volumes", 403)
        demo.drop_watches()
        await wait_until(pilot, lambda: app.store.health()["lh_volumes"].state == SourceState.FORBIDDEN,
                         10, "lh_volumes forbidden")
        await press(pilot, "3")
        assert "forbidden: cannot list volumes.longhorn.io" in banner(app)
        assert table_keys(app)  # the last known rows stay listed
        await press(pilot, "2")
        assert banner(app) == "" and table_keys(app)  # the nodes pane is untouched
        demo.fault("lh_volumes", None)
        await wait_until(pilot, lambda: app.store.health()["lh_volumes"].state == SourceState.OK,
                         10, "lh_volumes back")
        await press(pilot, "3")
        assert banner(app) == ""


async def test_missing_crd_says_not_installed(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        demo.fault("applications", 404)
        demo.drop_watches()
        await synced(pilot)
        await wait_until(pilot, lambda: app.store.health()["applications"].state
                         == SourceState.NOT_INSTALLED, 10, "applications not installed")
        await press(pilot, "6")
        assert "Argo CD not installed" in banner(app)
        await press(pilot, "1")
        assert "Argo CD:not installed" in screen_text(app)


async def test_api_stopped_app_keeps_running_with_stale_banner_then_recovers(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        rows_before = table_keys(app)
        demo.stop()
        await wait_until(pilot, lambda: app.store.health()["lh_volumes"].state
                         in (SourceState.STALE, SourceState.ERROR), 15, "the volumes source to go stale")
        await settle(pilot)
        text = banner(app)
        assert "stale since 14:05" in text and "retrying" in text
        assert table_keys(app) == rows_before  # still showing what it knew
        await press(pilot, "2", "3")  # the console keeps answering keys
        assert app.current_mode == "volumes" and app.is_running
        demo.start(demo.port)
        await wait_until(pilot, lambda: all(h.state == SourceState.OK for h in app.store.health().values()
                                            if h.key not in ("ingressroutes_legacy",)),
                         20, "every source back")
        await settle(pilot)
        assert banner(app) == ""


async def test_cluster_unreachable_from_the_start_says_so_per_pane(demo: Any) -> None:
    demo.stop()  # nothing answers on its port any more
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)  # every source gave a final answer: an error
        await press(pilot, "2")
        # the banner counts down to the next attempt (`r` retries now)
        assert re.fullmatch(r"error reading nodes \(connection refused\), retrying in \d+ s", banner(app))
        assert table_keys(app) == []
        await press(pilot, "3")
        assert re.search(r"error reading volumes.longhorn.io \(connection refused\), retrying in \d+ s",
                         banner(app))


async def test_volumes_changing_one_by_one_keep_the_pane_in_order_and_the_filter_true(demo: Any) -> None:
    """Live changes move only the rows that changed (issue 17): after each, the pane must read as
    a fresh sort of the store would, filtered as typed, with the cursor on its object."""
    app = make_app(demo)
    async with app.run_test(size=(120, 30)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        screen, table = app.screen, app.screen.table
        volumes = sorted(app.store.rows("volumes"), key=lambda v: v.key)
        table.select_key(volumes[-1].key)
        await settle(pilot)
        for volume, robustness in zip(volumes[:4], ("faulted", "degraded", "healthy", "faulted")):
            namespace, name = volume.key.split("/")
            obj = copy.deepcopy(demo.get("lh_volumes", namespace, name))
            obj["status"]["robustness"] = robustness
            demo.upsert(obj)
            await wait_until(pilot, lambda v=volume, r=robustness: app.store.row("volumes", v.key).robustness == r,
                             10, "the watch event")
            await settle(pilot)
            fresh = sorted(app.store.rows("volumes"), key=lambda v: (screen.sort_key(v), v.key))
            assert table_keys(app) == [v.key for v in fresh]
            assert table.cursor_key == volumes[-1].key
        await press(pilot, "slash", *"faulted", "enter")
        assert set(table_keys(app)) == {volumes[0].key, volumes[3].key}
        namespace, name = volumes[0].key.split("/")
        obj = copy.deepcopy(demo.get("lh_volumes", namespace, name))
        obj["status"]["robustness"] = "healthy"
        demo.upsert(obj)
        await wait_until(pilot, lambda: app.store.row("volumes", volumes[0].key).robustness == "healthy",
                         10, "the watch event")
        await settle(pilot)
        assert table_keys(app) == [volumes[3].key]  # it no longer matches what was typed


async def test_collections_run_again_once_the_first_lists_landed(demo: Any) -> None:
    """Start-up lists with the cycle collector paused (issue 17); it must run again once every
    source answered, and an app that exits must never leave the process without it."""
    import gc

    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        assert gc.isenabled()
    demo.stop()  # nothing answers the next one
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert gc.isenabled()
