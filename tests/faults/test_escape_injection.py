"""Defect 4: terminal escape injection. A cluster string holding `ESC ] 0 ; … BEL` (retitle the
terminal) or `ESC [ 2 J` (clear it) must reach the screen, the snapshot text and notifications
with its control characters made visible, never as raw bytes."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.app_support import make_app, press, screen_text, synced
from tests.support.paths import VENV_BIN
from tui.core.literal import visible
from tui.emulator.demo import demo_objects

EVIL = "pwned\x1b]0;you have been retitled\x07\x1b[2J\x1b[31mred\x9b1m\u202eevil"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def _evil_demo() -> list[dict[str, Any]]:
    objects = demo_objects()
    for obj in objects:
        if obj.get("kind") == "Application" and obj["metadata"]["name"] == "donate":
            obj["status"]["conditions"] = [{"type": "ComparisonError", "message": EVIL}]
            obj["metadata"].setdefault("labels", {})["team"] = "ops"
            obj["metadata"].setdefault("annotations", {})["note"] = EVIL
    return objects


@given(st.text())
@settings(max_examples=2000, deadline=None)
def test_visible_leaves_no_control_character(text: str) -> None:
    shown = visible(text)
    assert len(shown) == len(text)  # one stand-in per character: styled spans stay in place
    assert not any(ch in shown for ch in RAW)
    assert all(ch in "\t\n" or (ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F) for ch in shown)
    assert visible(shown) == shown
    one = visible(text, one_line=True)
    assert "\n" not in one and "\t" not in one


def test_visible_shows_escape_as_a_picture() -> None:
    assert visible("a\x1b[2Jb") == "a␛[2Jb"
    assert visible("line one\nline two") == "line one\nline two"
    assert visible("plain text [bold]not markup[/]") == "plain text [bold]not markup[/]"


async def test_escape_in_app_condition_is_inert_in_table_and_detail(emulator_factory: Any) -> None:
    emu = emulator_factory(_evil_demo(), controllers=False)
    app = make_app(emu)
    async with app.run_test(size=(160, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "6")
        app.screen.select_key("argocd/donate")
        table = screen_text(app)
        assert "pwned␛]0;" in table, table
        assert not any(ch in table for ch in RAW)
        await press(pilot, "enter", "d")  # an app's enter lists its resources; d there is its detail
        detail = screen_text(app)
        assert "ComparisonError" in detail and "␛[2J" in detail, detail
        assert not any(ch in detail for ch in RAW)
        app.notify(EVIL, title="from the cluster")
        await pilot.pause()
        toast = screen_text(app)
        assert "pwned␛]0;" in toast, toast
        assert not any(ch in toast for ch in RAW)


def test_snapshot_text_writes_no_raw_escape(tmp_path: Path) -> None:
    dump = tmp_path / "evil.yaml"
    dump.write_text(yaml.safe_dump_all(_evil_demo()))
    done = subprocess.run([str(VENV_BIN / "clusterdeck"), "snapshot", "--from", str(dump), "--format", "text"],
                          check=False, capture_output=True, timeout=90)
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "pwned␛]0;" in out
    assert not any(ch in out for ch in RAW)
