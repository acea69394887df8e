"""Issue 12: honest screens at 80x24. Each test is one defect an operator tripped over: a fact cut
into another valid value, a status that did not happen, a key that did nothing, a quit that hung.

The app runs over the emulator (the demo cluster, plus tests/screens/fixtures/long_names.yaml
where long names and near-identical IPs matter) through the official client, as in production.
"""
from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.text import Text

from screens.confirm import MarkedCheckbox
from screens.progress import ProgressScreen, ResultScreen
from screens.quit import QuitScreen
from screens.runs import RunsScreen
from screens.volumes import replicas
from tests.support.app_support import make_app, press, screen_text, settle, synced, wait_until
from tests.support.screen_host import ScreenHost
from tui.core.actions import Done, HostResult, PlayNode, RunTree, RunUpdate, TaskNode
from tui.core.events import SourceState
from tui.core.rows import VolumeRow
from tui.emulator.demo import demo_objects
from tui.widgets import cells as c

LONG_NAMES = Path(__file__).parent / "fixtures" / "long_names.yaml"


def long_name_objects() -> list[dict[str, Any]]:
    return demo_objects() + [d for d in yaml.safe_load_all(LONG_NAMES.read_text()) if d]


@pytest.fixture
def long_names(emulator_factory: Any) -> Any:
    return emulator_factory(long_name_objects(), controllers=False)


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False)


async def _on(pilot: Any, *keys: str) -> str:
    await synced(pilot)
    await press(pilot, *keys)
    await settle(pilot)
    return screen_text(pilot.app)


# -- cut-off facts ------------------------------------------------------------------------------

def test_a_cut_name_stays_distinct_and_a_port_is_never_cut() -> None:
    bgp, l2 = (c.cut_middle(Text(n), 11).plain for n in ("my-ip-space-bgp", "my-ip-space-l2"))
    assert bgp != l2 and bgp.endswith("-bgp") and "…" in bgp
    assert c.cut_middle(Text("jellyfin:8096"), 10).plain.endswith(":8096")
    assert c.cut_middle(Text("media-streaming/jellyfin:8096"), 8).plain.endswith(":8096")
    assert c.fit(Text("192.168.186.217"), 14, "never").plain == "192.168.186.217"


async def test_network_at_80_shows_whole_ips_and_distinct_pools(long_names: Any) -> None:
    app = make_app(long_names)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await _on(pilot, "4")
    assert "192.168.186.217" in text and "192.168.186.218" in text
    assert "192.168.186.200-192.168.186.230" in text
    pools = [line for line in text.splitlines() if "my-ip" in line and "[" in line]
    assert len(pools) == 2 and "-bgp" in pools[0] + pools[1] and "-l2" in pools[0] + pools[1]
    assert "/jellyfin-dlna-lb" in text and "/jellyfin-http-lb" in text  # the namespace gave way


async def test_routes_name_the_route_keep_the_port_and_mark_a_pattern(long_names: Any) -> None:
    app = make_app(long_names)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await _on(pilot, "5")
    assert "ROUTE" in text and "wiki/wiki" in text
    assert text.count("jellyfin:8096") == 2  # the route's own namespace dropped, the port whole
    assert "re:^preview-" in text  # a HostRegexp is shown as a pattern, marked in words


def test_volume_replicas_are_always_healthy_over_wanted() -> None:
    row = VolumeRow(key="longhorn-system/v", name="v", namespace="longhorn-system", state="attached",
                    robustness="degraded", node="hel-wk-02", size_bytes=1, replicas_wanted=3, pvc=None)
    assert replicas(row).plain == "?/3"  # never a bare "3" that reads as three healthy replicas


async def test_apps_message_is_wrapped_not_cut(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await _on(pilot, "6")
    assert 'StatefulSet "wiki-db": 0 of 1' in text
    wiki = text.splitlines()[next(i for i, line in enumerate(text.splitlines()) if "wiki " in line)]
    assert wiki.rstrip(" │").endswith("0 of 1")  # the message goes on below, it is not cut short
    assert "out of sync:" in text and "Deployment/donate/donate" in text


async def test_overview_attention_wraps_and_the_full_text_is_one_key_away(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await _on(pilot, "1")
        assert "degraded 2/3 replicas on" in text and "hel-wk-02" in text  # wrapped, not "hel-wk-"
        assert "1 LB service," in text and "1 LB services" not in text
        assert "0 operations" in text and c.count(1, "operation") == "1 operation"
        screen = app.screen
        assert screen.select_key(next(k for k in screen.table.keys if k.startswith("apps|") and "wiki" in k))
        await press(pilot, "w")
        full = [n.message for n in app._notifications]
    message = app.store.row("apps", "argocd/wiki").message
    assert any(message in m for m in full), full


async def test_overview_says_forbidden_and_not_installed_not_none(demo: Any) -> None:
    demo.fault("lh_volumes", 403)
    demo.fault("applications", 404)
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.store.health()["lh_volumes"].state == SourceState.FORBIDDEN
                         and app.store.health()["applications"].state == SourceState.NOT_INSTALLED, 15)
        await settle(pilot)
        text = await _on(pilot, "1")
    assert "no volumes" not in text and "volumes: forbidden" in text
    argo = next((line for line in text.splitlines() if line.startswith(" Argo CD ")), text)
    assert "no applications" not in argo and "Argo CD not installed" in argo


async def test_overview_keeps_sources_in_view_with_a_stale_banner(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        demo.stop()
        await wait_until(pilot, lambda: app.store.health()["nodes"].state == SourceState.STALE, 15)
        text = await _on(pilot, "1")
    assert "Sources" in text and "stale" in text.split("Sources", 1)[1]


async def test_no_l2_status_at_all_is_unknown_not_a_finding(emulator_factory: Any) -> None:
    objects = [o for o in demo_objects() if o.get("kind") != "ServiceL2Status"]
    app = make_app(emulator_factory(objects, controllers=False))
    async with app.run_test(size=(80, 24)) as pilot:
        overview = await _on(pilot, "1")
        network = await _on(pilot, "4")
    assert "not announced" not in overview
    traefik = next(line for line in network.splitlines() if "kube-system/traefik" in line)
    assert "unknown" in traefik and "none" not in traefik


# -- status text that says what happened -------------------------------------------------------

def _tree(status: str, hosts: tuple[HostResult, ...], expected: int = 0) -> RunTree:
    task = TaskNode("t2", "sleep a while", "command", hosts)
    done = TaskNode("t1", "gather", "setup", (HostResult("node-a", "ok"),))
    return RunTree("r1", title="Slow", status=status, plays=(PlayNode("p1", "slow", (done, task)),),
                   expected_tasks=expected, host_count=1)


async def test_progress_never_claims_100_percent_nor_a_running_task_after_a_cancel() -> None:
    cancelled: list[bool] = []
    app = ScreenHost(lambda: ProgressScreen("Slow (run)", cancel=lambda: cancelled.append(True)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        bar = screen.query_one("#progress-bar")
        # no estimate of the task count: the bar would read done/done = 100 % mid-run
        screen.apply(RunUpdate(_tree("running", (HostResult("node-a", "running"),))))
        await pilot.pause()
        assert bar.percentage is not None and bar.percentage < 1.0
        assert "^c" in screen_text(app)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert cancelled == [True]
        screen.apply(Done("cancelled", "cancelled by the user"))
        await pilot.pause()
        text = screen_text(app)
        assert bar.percentage < 1.0
        assert "^c" not in text  # nothing left to cancel: the key is gone, not merely dimmed
        assert "cancelled" in text and "processes have ended" in text
        labels = [str(n.label) for n in screen.query_one("#progress-tree").root.children[0].children]
        assert not any(label.startswith("running") for label in labels), labels


async def test_a_task_result_shows_the_module_message_and_the_json_on_a_key() -> None:
    result = HostResult("node-a", "failed", "boom", {"changed": False, "failed": True, "rc": 2,
                                                      "msg": "non-zero return code", "stderr": "no such file"})
    app = ScreenHost(lambda: ResultScreen("task: copy", [result]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "non-zero return code" in text and "changed: no" in text and "failed: yes" in text
        assert '"rc": 2' not in text
        await pilot.press("j")
        await pilot.pause()
        assert '"rc": 2' in screen_text(app)


async def test_runs_screen_shows_status_mode_and_hosts_at_80(past_runs: Path) -> None:
    app = ScreenHost(lambda: RunsScreen(past_runs))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
    assert "STATUS" in text and "MODE" in text and "HOSTS" in text
    failed = next(line for line in text.splitlines() if "failed" in line)
    assert "local-a,dead-1" in failed and "run" in failed


async def test_checkbox_state_is_a_character_not_a_colour() -> None:
    app = ScreenHost(lambda: __import__("textual.screen", fromlist=["Screen"]).Screen())
    async with app.run_test(size=(40, 5)) as pilot:
        on, off = MarkedCheckbox("prune", True), MarkedCheckbox("dry run", False)
        await app.screen.mount(on, off)
        await pilot.pause()
        text = screen_text(app)
    assert "[x] prune" in text.replace("  ", " ") and "[ ] dry run" in text.replace("  ", " ")


# -- quit while an action runs ------------------------------------------------------------------

async def open_import_confirm(pilot: Any) -> None:
    """Volumes pane, the detached import volume, `m`: its confirm dialog is up."""
    from screens.confirm import ConfirmScreen

    app = pilot.app
    await press(pilot, "3")
    assert app.screen.select_key("longhorn-system/import-wiki-legacy")
    await press(pilot, "m")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the confirm dialog")


async def test_quit_while_an_action_runs_asks_and_exits_within_two_seconds(emulator_factory: Any,
                                                                             tmp_path: Path) -> None:
    emu = emulator_factory(demo_objects(), time_scale=0.001)  # attaching takes ages: the run goes on
    app = make_app(emu)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await open_import_confirm(pilot)
        # from here on plain key presses: settle() would wait for the running action's worker
        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: isinstance(app.screen, ProgressScreen), 10, "the progress screen")
        await wait_until(pilot, lambda: bool(app.actions.running), 10, "the action to start")
        await pilot.press("escape")  # back to the pane; the run goes on
        await pilot.pause()
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitScreen), 5, "the quit question")
        await pilot.pause()
        assert "cancel the run and quit" in screen_text(app)
        await pilot.press("escape")  # back: nothing quits, the run goes on
        await pilot.pause()
        assert not isinstance(app.screen, QuitScreen) and app.actions.running and app.is_running
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitScreen), 5, "the quit question")
        started = time.monotonic()
        await pilot.press("c")
        while app.is_running and time.monotonic() - started < 5:
            await asyncio.sleep(0.05)
        elapsed = time.monotonic() - started
        cancelled = not app.actions.running
    assert elapsed < 2.0, elapsed
    assert cancelled  # the run stopped before the app quit, not abandoned mid-way


# -- keys that do not apply say why ---------------------------------------------------------------

async def test_a_dimmed_key_says_why_when_pressed(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "6")
        idle = next(a for a in app.store.rows("apps") if a.operation not in ("Running", "Terminating"))
        assert app.screen.select_key(idle.key)
        await settle(pilot)
        assert app.screen.active_bindings["x"].enabled is False  # dimmed in the footer
        await press(pilot, "x")
        said = [n.message for n in app._notifications]
    assert any(m.startswith("x: ") and "no operation is running" in m for m in said), said
    assert demo.get("applications", "argocd", idle.name).get("operation") is None  # nothing was done


# -- the import flow: a check run never says "mounted", and the copy command is there -----------

def test_copy_hint_uses_the_inventory_user_and_address() -> None:
    from tests.support.paths import REPO
    from tui.core.actions.copy_hint import copy_commands

    lines = copy_commands(REPO / "playbooks" / "inventory" / "example.yml", "hel-wk-01", "/mnt/import/v")
    assert lines[0] == "rsync -avP ./dump.sql ops@192.168.10.21:/mnt/import/v/"
    assert lines[1].startswith("scp ./dump.sql ops@192.168.10.21:")


async def test_a_check_mode_import_says_it_was_a_check(emulator_factory: Any) -> None:
    app = make_app(emulator_factory(demo_objects(), time_scale=30))
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await open_import_confirm(pilot)
        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: getattr(app.screen, "outcome", None) is not None, 120, "the import")
        message = app.screen.outcome.message
    assert "mounted at" not in message.split("NOT mounted", 1)[0]
    assert message.startswith("Check run only") and "NOT mounted" in message
    assert "rsync -avP ./dump.sql " in message and "@hel-cp-01:/mnt/import/import-wiki-legacy/" in message
