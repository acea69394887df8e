"""Cluster strings shown literally: control characters made visible, never sent to the terminal.

A label, a condition message or a log line may hold ``\\x1b]0;…\\x07`` (retitles the terminal)
or ``\\x1b[2J`` (clears it). `visible(text)` replaces each control character by ONE visible
character, so styled spans over the text stay where they were: C0 controls become their
Unicode control pictures (``\\x1b`` → ``␛``, ``\\r`` → ``␍``), DEL ``␡``, and C1 controls and
the bidi overrides that reorder a line ``�``. Tab and newline are kept unless ``one_line``.
"""
from __future__ import annotations

import re

_C1_AND_BIDI = "\x80-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f{_C1_AND_BIDI}]")
_CONTROLS_ONE_LINE = re.compile(f"[\x00-\x1f\x7f{_C1_AND_BIDI}]")
REPLACEMENT = "\ufffd"


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return REPLACEMENT


def visible(text: str, one_line: bool = False) -> str:
    """``text`` with every control character replaced by a visible stand-in (same length)."""
    pattern = _CONTROLS_ONE_LINE if one_line else _CONTROLS
    return pattern.sub(_picture, text) if pattern.search(text) else text


def has_controls(text: str) -> bool:
    return _CONTROLS.search(text) is not None
