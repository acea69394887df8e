"""Pilot tests of the Pods pane, the Events view and ctrl+d over the demo cluster, driven by keys."""
from __future__ import annotations

import json
from typing import Any

import pytest

from screens.confirm import ConfirmScreen
from screens.detail import DetailScreen
from screens.events import EventsScreen
from screens.progress import ProgressScreen
from tests.support.app_support import (
    make_app,
    press,
    screen_text,
    settle,
    synced,
    table_keys,
    wait_until,
)
from tests.support.demo_pods import demo_with_pods
from tui.config import Config
from tui.core.kube_http import request_json
from tui.core.rows import PodRow


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_with_pods(), controllers=False)


@pytest.fixture
def bare_demo(emulator_factory: Any) -> Any:
    """The demo plus bot/debug-shell, a pod no controller owns."""
    return emulator_factory(demo_with_pods(bare=True), controllers=False)


@pytest.fixture
def live_demo(emulator_factory: Any) -> Any:
    """Controllers on, time sped up: a deleted pod's controller makes its replacement."""
    return emulator_factory(demo_with_pods(), controllers=True, time_scale=20.0)


def audit_records(app: Any) -> list[dict[str, Any]]:
    path = app.config.state_dir / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_key_8_lists_pods_broken_first_with_kubectl_status(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "8")
        assert app.current_mode == "pods"
        keys = table_keys(app)
        rows = [app.store.row("pods", k) for k in keys]
        assert keys[0] == "wiki/wiki-db-0", "the crash-looping pod comes first"
        broken = [r.broken for r in rows if isinstance(r, PodRow)]
        assert broken == sorted(broken, reverse=True), "every broken pod is listed before the fine ones"
        assert {r.status for r in rows if isinstance(r, PodRow) and r.broken} >= {"CrashLoopBackOff"}
        text = screen_text(app)
        assert "wiki/wiki-db-0" in text and "CrashLoopBackOff" in text
        assert "14 (" in text, "restarts show the count and the age of the last restart"
        assert app.screen.cursor_row() == app.store.row("pods", "wiki/wiki-db-0")


async def test_pods_command_and_filter(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "colon", *"pods bot", "enter")
        await wait_until(pilot, lambda: app.current_mode == "pods", what="the Pods pane")
        await settle(pilot)
        keys = table_keys(app)
        assert keys and all(k.startswith("bot/") for k in keys)


async def test_e_on_a_pod_shows_its_events_warnings_first_then_esc_back(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "8", "e")
        assert isinstance(app.screen, EventsScreen)
        events = [app.screen.rows_by_key[k] for k in table_keys(app)]
        assert events and all(e.object == "Pod/wiki-db-0" for e in events)
        assert events[0].type == "Warning" and events[0].reason == "BackOff"
        text = screen_text(app)
        assert "Events of wiki/wiki-db-0" in text and "BackOff" in text
        await press(pilot, "escape")
        assert app.current_mode == "pods" and not isinstance(app.screen, EventsScreen)


async def test_e_on_a_workload_shows_its_pods_events_too(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "7", "e")  # wiki/wiki-db first (0/1 ready)
        assert isinstance(app.screen, EventsScreen) and app.screen.subject == "wiki/wiki-db"
        first = app.screen.rows_by_key[table_keys(app)[0]]
        assert (first.object, first.reason) == ("Pod/wiki-db-0", "BackOff")
        assert "pod/wiki-db-0" in screen_text(app), "with several objects, each line names its own"


async def test_events_command_lists_every_object_and_filters(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "colon", *"events", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EventsScreen), what="the Events view")
        await settle(pilot)
        shown = [app.screen.rows_by_key[k] for k in table_keys(app)]
        assert "Pod/wiki-db-0" in {e.object for e in shown} and len({e.object for e in shown}) > 1
        types = [e.type for e in shown]
        assert types == sorted(types, key=lambda t: t != "Warning"), "Warnings first"
        await press(pilot, "slash", *"BackOff", "enter")
        shown = [app.screen.rows_by_key[k] for k in table_keys(app)]
        assert shown and all(e.reason == "BackOff" for e in shown)
        await press(pilot, "escape", "escape")  # the filter, then the view
        assert not isinstance(app.screen, EventsScreen)


async def test_the_events_view_says_when_the_bounded_store_dropped_older_events(demo: Any) -> None:
    app = make_app(demo, config=Config(events_max=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "colon", *"events", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EventsScreen), what="the Events view")
        await settle(pilot)
        dropped = app.store.events_dropped
        assert dropped > 0 and len(table_keys(app)) <= 2
        assert f"{dropped} older events dropped" in screen_text(app)


async def test_e_on_a_pod_in_a_workloads_impact_shows_that_pods_events(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "7", "i")  # wiki/wiki-db first: 0/1 ready
        table = app.screen.query_one("#links")
        pod_link = next(k for k in table.keys if k.startswith("pod|"))
        table.select_key(pod_link)
        await press(pilot, "e")
        assert isinstance(app.screen, EventsScreen) and app.screen.subject == "wiki/wiki-db-0"
        assert any(app.screen.rows_by_key[k].reason == "BackOff" for k in table_keys(app))


async def test_detail_of_a_workload_lists_its_pods_and_the_pods_events_live(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "8", "enter")
        assert isinstance(app.screen, DetailScreen)
        assert [e.reason for e in app.screen.events][:1] == ["BackOff"]
        # a new Warning arrives while the detail is open: it shows without reopening
        request_json(app.connection.api_client, "POST", "/apis/events.k8s.io/v1/namespaces/wiki/events",
                     body=NEW_EVENT)
        await wait_until(pilot, lambda: any(e.reason == "FailedMount" for e in app.screen.events),
                         what="the new event in the open detail")
        await press(pilot, "e")  # the detail's own `e`: scroll to its events
        assert "FailedMount" in screen_text(app)
        await press(pilot, "escape", "7", "enter")  # wiki/wiki-db is listed first (0/1 ready)
        assert isinstance(app.screen, DetailScreen) and app.screen.row.name == "wiki-db"
        assert "wiki/wiki-db-0" in screen_text(app), "the workload's detail lists its pod"


async def test_ctrl_d_deletes_a_pod_and_follows_the_replacement_until_ready(live_demo: Any) -> None:
    app = make_app(live_demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "8", "slash", *"bot/bot-", "enter")
        victim = app.screen.cursor_row()
        assert victim is not None and victim.controlled and victim.status == "Running"
        old_uid = pod_uid(app, victim.namespace, victim.name)
        await press(pilot, "ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the delete preview")
        text = screen_text(app)
        assert f"Delete pod {victim.key}" in text and "DELETE" in text
        await press(pilot, "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ProgressScreen), what="the progress screen")
        await wait_until(pilot, lambda: len(audit_records(app)) >= 2, timeout=30,
                         what=f"the audit end record; the screen shows:\n{screen_text(app)}")
        start, end = audit_records(app)
        assert (start["action"], start["target"], end["outcome"]) == ("pod.delete", f"Pod/{victim.key}", "succeeded")
        pods = pods_in(app, victim.namespace)
        assert old_uid not in [p["metadata"]["uid"] for p in pods], "the deleted pod is gone"
        owner = victim.owner
        replacements = [p for p in pods if _ready(p) and app.store.row("pods", f"{victim.namespace}/"
                                                                                f"{p['metadata']['name']}") is not None
                        and app.store.row("pods", f"{victim.namespace}/{p['metadata']['name']}").owner == owner]
        assert replacements, f"{owner} made a replacement that is Ready"
        await settle(pilot)
        assert "Ready" in screen_text(app) or "succeeded" in screen_text(app)


async def test_read_only_refuses_ctrl_d_and_deletes_nothing(demo: Any) -> None:
    app = make_app(demo, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "8", "ctrl+d")
        await settle(pilot)
        assert not isinstance(app.screen, (ConfirmScreen, ProgressScreen))
        said = [n.message for n in app._notifications]
        assert any("read-only" in m for m in said), said
        assert pod_uid(app, "wiki", "wiki-db-0") is not None
        assert audit_records(app) == []


async def test_a_pod_without_a_controller_needs_its_name_typed(bare_demo: Any) -> None:
    app = make_app(bare_demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await synced(pilot)
        await press(pilot, "8", "slash", *"debug-shell", "enter", "ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the delete preview")
        assert app.screen.plan.confirm_name == "debug-shell" and app.screen.plan.danger == "destructive"
        assert "nothing will recreate it" in screen_text(app)
        await press(pilot, "enter")  # nothing typed: refused
        await settle(pilot)
        assert pod_uid(app, "bot", "debug-shell") is not None


NEW_EVENT = {
    "apiVersion": "events.k8s.io/v1", "kind": "Event",
    "metadata": {"namespace": "wiki", "name": "wiki-db-0.failedmount"},
    "regarding": {"kind": "Pod", "namespace": "wiki", "name": "wiki-db-0"},
    "reason": "FailedMount", "note": "MountVolume.SetUp failed for volume \"data\" [timeout]",
    "type": "Warning", "eventTime": "2026-11-26T14:04:30.000000Z", "reportingController": "kubelet",
    "action": "Mount",
}


def pods_in(app: Any, namespace: str) -> list[dict[str, Any]]:
    """What the cluster says now, through the kube API (not the app's store)."""
    answer = request_json(app.connection.api_client, "GET", f"/api/v1/namespaces/{namespace}/pods")
    return [p for p in answer.get("items") or [] if isinstance(p, dict)]


def pod_uid(app: Any, namespace: str, name: str) -> str | None:
    return next((str(p["metadata"].get("uid")) for p in pods_in(app, namespace) if p["metadata"]["name"] == name),
                None)


def _ready(pod: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])
