"""Cell helpers shared by every pane: status colouring, sizes, bars, ages.

Cells are `rich.text.Text`, never `str`, so `[...]` in an object's message is never read as markup.
"""
from __future__ import annotations

from datetime import datetime

from rich.text import Text

from tui.core.clock import age, parse_time

OK = "green"
WARN = "yellow"
BAD = "bold red"
DIM = "dim"

# Words a status cell may hold, and how loudly to show them; unknown words stay plain.
_STATUS_STYLE = {
    "healthy": OK, "ready": OK, "synced": OK, "attached": OK, "done": OK, "ok": OK,
    "running": OK, "succeeded": OK, "yes": OK,
    "degraded": BAD, "faulted": BAD, "notready": BAD, "failed": BAD, "error": BAD,
    "missing": BAD, "forbidden": BAD, "outofsync": WARN, "progressing": WARN,
    "pending": WARN, "cordoned": WARN, "detached": DIM, "unknown": WARN, "suspended": WARN,
    "stale": WARN, "terminating": WARN, "attaching": WARN, "detaching": WARN, "no": WARN,
}


def status(value: str | None, missing: str = "?") -> Text:
    """A status word coloured by what it means (healthy green, degraded red, ...)."""
    if not value:
        return Text(missing, style=DIM)
    word = value.split(":", 1)[0].replace(" ", "").replace("-", "").lower()
    return Text(value, style=_STATUS_STYLE.get(word, ""))


def plain(value: object, missing: str = "-") -> Text:
    if value is None or value == "" or value == ():
        return Text(missing, style=DIM)
    if isinstance(value, tuple):
        return Text(",".join(str(v) for v in value))
    return Text(str(value))


def styled(value: str, style: str) -> Text:
    return Text(value, style=style)


def size(n: int | None) -> str:
    """Binary size as people read it: 10Gi, 512Mi, 1.5Ti."""
    if n is None:
        return "?"
    value = float(n)
    for unit in ("", "Ki", "Mi", "Gi", "Ti"):
        if value < 1024 or unit == "Ti":
            text = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{text}{unit}" if unit else f"{int(value)}B"
        value /= 1024
    return f"{n}B"


def bar(used: float | None, total: float | None, width: int = 20) -> Text:
    """`[######......] 60%` as a Text; yellow above 75 %, red above 90 %."""
    if not total or used is None:
        return Text("[" + "?" * width + "]", style=DIM)
    ratio = max(0.0, min(1.0, used / total))
    filled = round(ratio * width)
    style = BAD if ratio > 0.9 else WARN if ratio > 0.75 else OK
    out = Text("[")
    out.append("#" * filled, style=style)
    out.append("." * (width - filled), style=DIM)
    out.append(f"] {ratio * 100:3.0f}%")
    return out


def ratio(have: int | None, want: int | None) -> Text:
    """`2/3`, red when short, green when complete."""
    if want is None:
        return Text(f"{have if have is not None else '?'}/?", style=DIM)
    got = have or 0
    style = OK if got >= want else BAD if got == 0 and want > 0 else WARN
    return Text(f"{got}/{want}", style=style)


def age_of(timestamp: str | datetime | None, now: datetime) -> Text:
    when = timestamp if isinstance(timestamp, datetime) else parse_time(timestamp)
    return Text(age(when, now) if when else "-", style="" if when else DIM)


def first(values: tuple[str, ...], more: bool = True) -> str:
    """The first of several values, with "+N" when there are more (full list in detail)."""
    if not values:
        return "-"
    return values[0] + (f" +{len(values) - 1}" if more and len(values) > 1 else "")
