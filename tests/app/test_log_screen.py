"""Pilot tests of the log screen: the real chain (emulator → client → log streams → screen)."""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from screens.log_view import LogView
from screens.logs import LogScreen
from tests.support.app_support import make_app, press, screen_text, settle, synced, wait_until
from tests.support.log_pods import INCIDENT_LINE, NOW, literal_pod, log_world
from tui.emulator.demo import demo_objects

TRICKY = ["plain start", "[red]not markup[/red] and [bold]none[/]", "\x1b[31mred by ANSI\x1b[0m then plain",
          "clear \x1b[2J screen? \x07 bell", "needle one", "middle", "needle two", "end"]


def live_clock():
    t0 = time.monotonic()
    return lambda: NOW + timedelta(seconds=time.monotonic() - t0)


@pytest.fixture
def world(emulator_factory: Any) -> Any:
    objects = [*log_world(), literal_pod("tricky", TRICKY), literal_pod("chatty", ["boot"], rate=40)]
    return emulator_factory(objects, controllers=False, now=live_clock())


async def open_logs(pilot: Any, pod: str) -> LogScreen:
    """From the Pods pane: filter to the pod, `l`."""
    app = pilot.app
    await press(pilot, "8")
    await press(pilot, "slash", *pod, "enter")
    await wait_until(pilot, lambda: app.screen.cursor_row() is not None, what=f"{pod} in the Pods pane")
    await press(pilot, "l")
    assert isinstance(app.screen, LogScreen)
    return app.screen


def view(app: Any) -> LogView:
    return app.screen.query_one(LogView)


async def test_previous_run_of_the_broken_db_in_the_demo(emulator_factory: Any) -> None:
    """The incident path: Pods pane, the broken pod, `l`, `p`: mariadbd's refusal is on screen."""
    app = make_app(emulator_factory(demo_objects(), controllers=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        screen = await open_logs(pilot, "wiki-db-0")
        await press(pilot, "p")
        await wait_until(pilot, lambda: any(INCIDENT_LINE in l.text for l in view(app).lines), what="the line")
        await settle(pilot)
        text = screen_text(app)  # wrapped at 80 columns, at a space
        assert "/usr/sbin/mariadbd: unknown variable" in text and "'innodb_buffer_pool_szie=1G'" in text
        assert "previous run" in screen_text(app)
        assert screen.session is not None and screen.session.options.previous


async def test_markup_and_escapes_stay_literal(world: Any) -> None:
    app = make_app(world)
    async with app.run_test(size=(100, 24)) as pilot:
        await synced(pilot)
        await open_logs(pilot, "tricky")
        await wait_until(pilot, lambda: len(view(app).lines) == len(TRICKY), what="the tricky lines")
        await settle(pilot)
        text = screen_text(app)
        assert "[red]not markup[/red] and [bold]none[/]" in text
        assert "red by ANSI then plain" in text  # colour kept, the escape itself not shown as text
        assert "clear ␛[2J screen? ␇ bell" in text  # a non-colour control is made visible
        shown = view(app).line_text(2)
        colours = [span.style.color for span in shown.spans if not isinstance(span.style, str) and span.style.color]
        assert [c.number for c in colours] == [1]  # SGR 31: ANSI red, on "red by ANSI" only


async def test_search_highlights_and_n_N_move_between_matches(world: Any) -> None:
    app = make_app(world)
    async with app.run_test(size=(100, 24)) as pilot:
        await synced(pilot)
        await open_logs(pilot, "tricky")
        await wait_until(pilot, lambda: len(view(app).lines) == len(TRICKY), what="the tricky lines")
        await press(pilot, "slash", *"needle", "enter")
        log = view(app)
        assert log.current == 6  # the newest match first
        assert "/needle (2 lines)" in screen_text(app)
        await press(pilot, "N")
        assert log.current == 4
        await press(pilot, "n")
        assert log.current == 6
        await press(pilot, "n")
        assert log.current == 4  # wraps around
        spans = log.line_text(4).spans
        assert any(s.end - s.start == len("needle") for s in spans)


async def test_pause_counts_new_lines_and_resume_shows_them(world: Any) -> None:
    app = make_app(world)
    async with app.run_test(size=(100, 24)) as pilot:
        await synced(pilot)
        screen = await open_logs(pilot, "chatty")
        await wait_until(pilot, lambda: len(view(app).lines) > 20, what="following")
        await press(pilot, "space")
        frozen = len(view(app).lines)
        await wait_until(pilot, lambda: "paused (+" in screen_text(app)
                         and screen.session.buffer.total - screen._shown_seq >= 10, what="new lines counted")
        assert len(view(app).lines) == frozen
        assert "paused (+" in screen_text(app)
        await press(pilot, "space")
        assert len(view(app).lines) > frozen + 9
        assert "paused" not in screen_text(app)


async def test_save_writes_what_is_shown_and_says_where(world: Any) -> None:
    app = make_app(world)
    async with app.run_test(size=(100, 24)) as pilot:
        await synced(pilot)
        screen = await open_logs(pilot, "tricky")
        await wait_until(pilot, lambda: len(view(app).lines) == len(TRICKY), what="the tricky lines")
        await press(pilot, "ctrl+s")
        path = screen.saved_to
        assert path.parent == app.config.state_dir / "logs"
        saved = path.read_text(encoding="utf-8").splitlines()
        assert saved[1] == "[red]not markup[/red] and [bold]none[/]"
        assert saved[2] == "red by ANSI then plain"
        assert "\x1b" not in path.read_text(encoding="utf-8")
        await wait_until(pilot, lambda: any(str(path) in str(n.message) for n in app._notifications),
                         what="the notification naming the file")


async def test_workload_logs_merge_its_pods_with_a_prefix(world: Any) -> None:
    app = make_app(world)
    async with app.run_test(size=(120, 30)) as pilot:
        await synced(pilot)
        await press(pilot, "7")
        await press(pilot, "slash", *"api/api", "enter")
        await wait_until(pilot, lambda: app.screen.cursor_row() is not None, what="the api Deployment")
        await press(pilot, "l")
        assert isinstance(app.screen, LogScreen)
        await wait_until(pilot, lambda: {app.screen.session.label(l.source) for l in view(app).lines}
                         == {"4kq2n", "9wz7m"}, what="both pods' lines")
        await settle(pilot)
        text = screen_text(app)
        assert "4kq2n " in text and "9wz7m " in text


async def test_since_keys_and_command_restart_the_window(world: Any) -> None:
    app = make_app(world)
    async with app.run_test(size=(100, 24)) as pilot:
        await synced(pilot)
        screen = await open_logs(pilot, "api-7c9d8f6b5-4kq2n")
        await press(pilot, "2")
        assert screen.session.options.since_seconds == 300
        await wait_until(pilot, lambda: "since 5m" in screen_text(app), what="the status line")
        await press(pilot, "colon", *"since 90s", "enter")
        assert screen.session.options.since_seconds == 90
        await press(pilot, "0")
        assert screen.session.options.since_seconds is None and screen.session.options.tail_lines == 500


async def test_container_picker_on_a_two_container_pod(world: Any) -> None:
    app = make_app(world)
    async with app.run_test(size=(100, 24)) as pilot:
        await synced(pilot)
        screen = await open_logs(pilot, "wiki-web")
        await wait_until(pilot, lambda: {screen.session.label(l.source) for l in view(app).lines}
                         == {"nginx", "php"}, what="both containers, labelled")
        await press(pilot, "c", "down", "down", "enter")  # all, nginx, php
        assert screen.session.options.container == "php"
        await wait_until(pilot, lambda: view(app).lines and all(l.source == "wiki-web-5f6c7d9b4-x2k9p"
                                                                for l in view(app).lines), what="php only")


async def test_from_the_overview_the_broken_pod_row_then_l_p_shows_mariadbs_refusal(emulator_factory: Any) -> None:
    """Issue 10's done-when: the Overview names the broken pod and its reason in one line that
    fits 80 columns; from that row, `l` then `p` (2 keys of the 4 allowed) shows the line."""
    app = make_app(emulator_factory(demo_objects(), controllers=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "1")
        row = next(line for line in screen_text(app).splitlines() if "wiki/wiki-db-0" in line)
        assert "pod" in row and "CrashLoopBackOff ×14, last" in row and "ago" in row, row
        assert len(row) <= 80
        assert app.screen.select_key("pods|wiki/wiki-db-0")
        await press(pilot, "l")
        assert isinstance(app.screen, LogScreen)
        await press(pilot, "p")
        await wait_until(pilot, lambda: any(INCIDENT_LINE in l.text for l in view(app).lines), what="the line")
        await settle(pilot)
        assert "/usr/sbin/mariadbd: unknown variable" in screen_text(app)
