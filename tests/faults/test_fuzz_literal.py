"""Defect 4, fuzzed: hostile strings (control characters, escape sequences, Rich markup, huge)
from any object reach a table cell and the snapshot text with nothing raw left in them."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.text import Text

from tui.core.parsers.argocd import parse_application
from tui.core.snapshot import format_table
from tui.widgets import cells as c

HOSTILE = st.one_of(
    st.text(min_size=0, max_size=60),
    st.sampled_from(["\x1b]0;owned\x07", "\x1b[2J\x1b[H", "[bold red]x[/]", "[link=file:///etc/passwd]y",
                     "\x9b31m", "\u202eevil", "\r\x08\x7f", "a" * 5000]),
)
RAW = [chr(i) for i in range(0x20) if i not in (9, 10)] + ["\x7f"] + [chr(i) for i in range(0x80, 0xA0)] + [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


def _clean(text: str) -> bool:
    return not any(ch in text for ch in RAW)


@given(st.lists(HOSTILE, min_size=1, max_size=4).map("".join), st.integers(1, 60),
       st.sampled_from(c.CUTS))
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_cell_cut_is_inert(value: str, width: int, cut: str) -> None:
    styled = Text(value, style="bold")
    styled.stylize("red", 0, max(0, len(value) // 2))
    shown = c.fit(styled, width, cut)
    assert _clean(shown.plain)


@given(st.dictionaries(st.sampled_from(["message", "type", "phase", "name"]), HOSTILE, max_size=4))
@settings(max_examples=2000, deadline=None)
def test_hostile_application_renders_inert_in_cells_and_snapshot(fields: dict[str, Any]) -> None:
    obj = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": fields.get("name") or "app", "namespace": "argocd"},
           "status": {"conditions": [{"type": fields.get("type", "ComparisonError"),
                                      "message": fields.get("message", "")}],
                      "operationState": {"phase": fields.get("phase"), "message": fields.get("message")}}}
    row = parse_application(obj)
    for value in (row.name, row.message, row.operation):
        assert _clean(c.fit(c.plain(value), 30, "wrap").plain)
        assert _clean(c.fit(c.status(value), 12, "end").plain)
    lines = format_table(["NAME", "MESSAGE"], [[row.name or "-", row.message or "-"]])
    assert all(_clean(line) for line in lines)
