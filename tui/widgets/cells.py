"""Cell helpers shared by every pane: status colouring, sizes, bars, ages.

Cells are `rich.text.Text`, never `str`, so `[...]` in an object's message is never read as markup.
"""
from __future__ import annotations

from datetime import datetime

from rich.text import Text

from tui.core.clock import age, parse_time
from tui.core.literal import has_controls, visible

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


# --- fitting a cell to its column ------------------------------------------------------------
# How a column may shorten what it holds: "middle" cuts a name in the middle so two long names
# stay distinct (`my-ip…-bgp`) and a `:port` suffix is never touched; "never" (IPs, ports,
# ratios) makes the column as wide as its widest cell; "end" cuts prose at the end; "wrap"
# wraps prose onto a second line and cuts only after that.
CUTS = ("middle", "never", "end", "wrap")
ELLIPSIS = "…"
WRAP_LINES = 2


def _port_suffix(value: str) -> int:
    """Length of a trailing `:8096` (or `:http`) that must survive any cut; 0 when none."""
    head, sep, port = value.rpartition(":")
    if not sep or not head or not port or len(port) > 6 or "/" in port or " " in port:
        return 0
    return len(port) + 1


def cut_middle(cell: Text, width: int) -> Text:
    """`cell` at most `width` cells wide, cut in the middle with an ellipsis; a port suffix and
    the tail (where names differ: `-bgp`, `-0`, `-218`) are kept."""
    if cell.cell_len <= width or width < 1:
        return cell
    if width == 1:
        return Text(ELLIPSIS, style=cell.style)
    plain = cell.plain
    slash = plain.find("/")
    if 0 < slash < len(plain) - 1:  # "namespace/name": the name tells rows apart, the namespace gives way
        room = width - (len(plain) - slash)
        if room >= 3:
            return cut_middle(cell[:slash], room) + cell[slash:]
    keep = _port_suffix(plain)
    if keep >= width - 1:  # only the port fits: the port is still the truth, the name goes
        return Text(ELLIPSIS, style=cell.style) + cell[len(plain) - keep:]
    room = width - 1 - keep  # for the name part around the ellipsis
    tail = room // 2
    head = room - tail
    name_end = len(plain) - keep
    out = cell[:head] + Text(ELLIPSIS, style=cell.style)
    return out + cell[name_end - tail:] if tail or keep else out


def cut_end(cell: Text, width: int) -> Text:
    if cell.cell_len <= width or width < 1:
        return cell
    return cell[:max(0, width - 1)] + Text(ELLIPSIS, style=cell.style)


def wrap(cell: Text, width: int, lines: int = WRAP_LINES) -> Text:
    """`cell` wrapped at word boundaries onto at most `lines` lines of `width`, the last line cut
    with an ellipsis when even that is not enough (the full text is one key away)."""
    if cell.cell_len <= width or width < 2:
        return cell
    from rich.console import Console  # measuring only; nothing is printed

    wrapped = cell.wrap(Console(width=width, no_color=True), width, overflow="fold")
    parts = list(wrapped)[:lines]
    if len(wrapped) > lines:
        rest = Text(" ").join(list(wrapped)[lines - 1:])
        parts[-1] = cut_end(rest, width)
    for part in parts:
        part.rstrip()
    return Text("\n").join(parts)


def literal(cell: Text) -> Text:
    """`cell` with control characters made visible (an ESC from the cluster never reaches the
    terminal); spans stay put, `visible` keeps the length."""
    if not has_controls(cell.plain):
        return cell
    out = cell.copy()
    out.plain = visible(cell.plain)
    return out


def fit(cell: Text, width: int | None, cut: str) -> Text:
    """`cell` shortened for a column `width` wide, the way its column's `cut` says."""
    cell = literal(cell)
    if width is None or cut == "never":
        return cell
    if cut == "middle":
        return cut_middle(cell, width)
    if cut == "wrap":
        return wrap(cell, width)
    return cut_end(cell, width)


def count(n: int, word: str, plural: str | None = None) -> str:
    """`1 operation`, `2 operations`, `0 operations`: the number with its word agreeing."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


_DIFF_STYLE = (("+++", "bold green"), ("---", "bold red"), ("@@", "cyan"), ("+", "green"), ("-", "red"))


def diff_line_style(line: str) -> str:
    """The colour of one unified-diff line (- live red, + desired green, hunks cyan)."""
    return next((s for prefix, s in _DIFF_STYLE if line.startswith(prefix)), "")
