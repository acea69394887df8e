"""The `:` command line: parse what was typed into one Command (pure, so it is easy to test)."""
from __future__ import annotations

from dataclasses import dataclass

from tui.core.layers import PANE_WORDS

PANE_ALIASES = PANE_WORDS  # every pane's id and its aliases (tui/core/layers.py)


@dataclass(frozen=True)
class Command:
    verb: str  # "pane", "events", "ctx", "quit", "runs", "help", "error", "none"
    arg: str = ""  # pane id, context name, or the error message
    filter: str = ""


def parse_command(text: str) -> Command:
    words = text.strip().lstrip(":").split(maxsplit=1)
    if not words:
        return Command("none")
    head, rest = words[0].lower(), (words[1].strip() if len(words) > 1 else "")
    if head in ("q", "q!", "quit", "exit"):
        return Command("quit")
    if head in ("ctx", "context"):
        if not rest:
            return Command("error", "usage: :ctx NAME")
        return Command("ctx", rest)
    if head in ("runs", "history"):
        return Command("runs")
    if head in ("help", "h", "?"):
        return Command("help")
    if head in ("events", "event", "ev"):
        return Command("events", filter=rest)
    if head in PANE_ALIASES:
        return Command("pane", PANE_ALIASES[head], rest)
    return Command("error", f"unknown command: {head} (try :nodes, :pods wiki, :events, :ctx NAME, :q)")
