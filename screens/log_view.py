"""A log pane that renders only the rows on screen (Textual's line API), for 20,000 lines at
2,000 lines/s: appending costs a length count, a frame renders ~20 lines from a small cache.

Lines are shown literally: the text becomes a rich Text (never markup); ANSI colour (SGR)
is kept as colour, every other control character is made visible (tui/core/literal.py).
"""
from __future__ import annotations

import bisect
import re
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.literal import visible
from tui.core.logs import LogLine

_SGR = re.compile(r"\x1b\[[0-9;:]*m")
LABEL_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_cyan", "bright_magenta", "bright_green")
MATCH = Style(bgcolor="yellow", color="black")
CURRENT = Style(bgcolor="bright_red", color="white", bold=True)
_CACHE = 512  # rendered lines kept: a few screens' worth


def plain_of(text: str) -> str:
    """What a line shows, without colour: SGR escapes removed, other controls made visible."""
    if "\x1b" in text:
        text = _SGR.sub("", text)
    if "\t" in text:
        text = text.replace("\t", "    ")
    return visible(text, one_line=True)


def body_text(text: str) -> Text:
    """A log line as rich Text: SGR colour kept, every other control shown, no markup."""
    text = text.replace("\t", "    ")
    if "\x1b" not in text:
        return Text(visible(text, one_line=True))
    pieces, pos = [], 0
    for m in _SGR.finditer(text):
        pieces.append(visible(text[pos:m.start()], one_line=True))
        pieces.append(m.group())
        pos = m.end()
    pieces.append(visible(text[pos:], one_line=True))
    out = Text.from_ansi("".join(pieces), end="")
    out.end = ""
    return out


def wrap_cuts(plain: str, width: int) -> tuple[int, ...]:
    """Where a line breaks to fit `width`: at the last space that fits, else mid-word.
    Positions are characters (a wide character may overhang by a cell)."""
    cuts, start = [], 0
    while len(plain) - start > width:
        space = plain.rfind(" ", start + 1, start + width + 1)
        cut = space + 1 if space > start else start + width
        cuts.append(cut)
        start = cut
    return tuple(cuts)


def label_style(label: str) -> str:
    return LABEL_COLOURS[zlib.crc32(label.encode()) % len(LABEL_COLOURS)]


class LogView(ScrollView, can_focus=True):
    # the vertical scrollbar's column is always reserved: lines are wrapped to a width that
    # does not shrink when the scrollbar appears (else a horizontal bar would hide the last row)
    DEFAULT_CSS = """
    LogView { background: $surface; scrollbar-gutter: stable; overflow-x: hidden; }
    """

    def __init__(self, label_of: Callable[[str], str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label_of = label_of
        self.lines: list[LogLine] = []
        self.wrap = True  # at 80 columns the line that matters is often longer than the screen
        self.timestamps = False
        self.search = ""
        self.current: int | None = None  # index of the line holding the current match
        self.placeholder = ""  # shown when there are no lines (why: previous not found, no pods)
        self._widths: list[int] = []  # cell width of each line as shown
        self._row_start: list[int] = []  # wrap mode: first row of each line
        self._cuts: list[tuple[int, ...]] = []  # wrap mode: where each line breaks
        self._plain: list[str] = []  # each body as shown, without colour (search, layout)
        self._hits: list[int] = []  # lines holding the search text
        self._cache: OrderedDict[int, Strip] = OrderedDict()
        self._max_width = 0

    # ---- content ---------------------------------------------------------------------------
    def set_lines(self, lines: Iterable[LogLine]) -> None:
        self.lines, self._plain = list(lines), []
        self.current = None
        self._reindex()

    def append(self, lines: list[LogLine], limit: int) -> None:
        """Add lines (follow); keep at most `limit`, dropping the oldest."""
        if not lines:
            return
        follow = self.is_vertical_scroll_end or self.max_scroll_y == 0
        start = len(self.lines)
        self.lines.extend(lines)
        self._extend(start)
        excess = len(self.lines) - limit
        if excess > limit // 20:  # trim in batches: a list delete is O(n)
            self._trim(excess)
        if follow:
            self._stay_at_end()  # follow: stay on the newest line

    def _trim(self, count: int) -> None:
        """Drop the oldest `count` lines; what stays keeps its layout (rows shift up)."""
        rows = self._row_start[count]
        for column in (self.lines, self._plain, self._widths, self._cuts, self._row_start):
            del column[:count]
        self._row_start = [r - rows for r in self._row_start]
        self._hits = [i - count for i in self._hits if i >= count]
        if self.current is not None:
            self.current = self.current - count if self.current >= count else None
        self._cache.clear()
        self.virtual_size = Size(self.virtual_size.width, max(1, self.virtual_size.height - rows))
        if not self.is_vertical_scroll_end:
            self.scroll_y = max(0, self.scroll_y - rows)  # the same lines stay on screen

    def merge(self, lines: list[LogLine], limit: int, key: Callable[[LogLine], Any]) -> None:
        """Add lines of several pods in time order: a joining pod's backlog goes where it belongs."""
        lines = sorted(lines, key=key)
        if not self.lines or not lines or key(lines[0]) >= key(self.lines[-1]):
            self.append(lines, limit)
            return
        follow = self.is_vertical_scroll_end or self.max_scroll_y == 0
        self.lines = sorted(self.lines + lines, key=key)[-limit:]  # stable: each pod keeps its order
        self._plain, self.current = [], None
        self._reindex()
        if follow:
            self._stay_at_end()

    def _stay_at_end(self) -> None:
        """Follow: the newest line in view, and the scrollbar's thumb with it. The bar may only
        appear at the next layout, after scroll_y was set, and would then show the top."""
        self.scroll_y = self.max_scroll_y
        self.call_after_refresh(self._sync_thumb)

    def _sync_thumb(self) -> None:
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.position = self.scroll_y

    def _head(self, line: LogLine) -> str:
        label = self.label_of(line.source)
        head = f"{label} " if label else ""
        if self.timestamps and line.stamp:
            head += f"{line.stamp} "
        return head

    def _reindex(self) -> None:
        """Lay every line out again (wrap, timestamps, width changed); bodies are not re-read.
        A view that was following stays on the newest line (its wrapped rows may have grown)."""
        follow = self.is_vertical_scroll_end or self.max_scroll_y == 0
        self._cache.clear()
        self._widths, self._row_start, self._cuts, self._hits, self._max_width = [], [], [], [], 0
        self._extend(0, keep_plain=True)
        if follow:
            self._stay_at_end()

    def _extend(self, start: int, keep_plain: bool = False) -> None:
        width = max(1, self.scrollable_content_region.width or self.size.width or 80)
        row = self._row_start[-1] + len(self._cuts[-1]) + 1 if self._row_start else 0
        if not keep_plain or len(self._plain) != len(self.lines):
            del self._plain[start:]
            self._plain.extend(plain_of(line.text) for line in self.lines[start:])
        needle = self.search.lower()
        wrap, widths, cuts_of, starts = self.wrap, self._widths, self._cuts, self._row_start
        for i in range(start, len(self.lines)):
            body = self._plain[i]
            head = self._head(self.lines[i])
            n = len(head) + len(body)
            cuts = wrap_cuts(head + body, width) if wrap and n > width else ()
            widths.append(n)
            cuts_of.append(cuts)
            starts.append(row)
            row += len(cuts) + 1
            if n > self._max_width:
                self._max_width = n
            if needle and needle in body.lower():
                self._hits.append(i)
        rows = row if self.wrap else len(self.lines)
        self.virtual_size = Size(width if self.wrap else self._max_width, max(rows, 1 if self.placeholder else 0))
        self.refresh()

    def restyle(self) -> None:
        """After wrap, timestamps or search changed: the same lines, shown anew."""
        self.styles.overflow_x = "hidden" if self.wrap else "auto"  # wrapped lines never need it
        self._reindex()

    def on_resize(self) -> None:
        if self.wrap:
            self._reindex()

    # ---- search ----------------------------------------------------------------------------
    def matches(self) -> list[int]:
        """Indexes of the lines holding the search text (kept up to date as lines come)."""
        return self._hits if self.search else []

    def jump(self, step: int) -> int | None:
        """Move the current match to the next (+1) or previous (-1) line holding one."""
        hits = self.matches()
        if not hits:
            self.current = None
            self.refresh()
            return None
        if self.current is None:  # back (-1): the newest match; on (+1): the first one on screen or after
            first_visible = self._line_at(self.scroll_offset.y)
            pos = len(hits) - 1 if step < 0 else min(bisect.bisect_left(hits, first_visible), len(hits) - 1)
        else:
            here = bisect.bisect_left(hits, self.current)
            pos = (here + step) % len(hits) if self.current in hits else (here if step > 0 else here - 1) % len(hits)
        old, self.current = self.current, hits[pos]
        for i in (old, self.current):
            if i is not None:
                self._cache.pop(i, None)
        row = self._row_start[self.current] if self.wrap else self.current
        if not self.scroll_offset.y <= row < self.scroll_offset.y + self.size.height:
            self.scroll_to(y=max(0, row - self.size.height // 2), animate=False, immediate=True)
        self.refresh()
        return pos

    # ---- rendering -------------------------------------------------------------------------
    def line_text(self, index: int) -> Text:
        """Line `index` as shown: prefix, stamp, body, with search highlights."""
        line = self.lines[index]
        out = Text(no_wrap=True, end="")
        label = self.label_of(line.source)
        if label:
            out.append(label, style=label_style(label))
            out.append(" ")
        if self.timestamps and line.stamp:
            out.append(line.stamp, style="dim")
            out.append(" ")
        body_at = len(out)
        out.append_text(body_text(line.text))
        if self.search:
            needle, plain = self.search.lower(), out.plain.lower()
            style = CURRENT if index == self.current else MATCH
            pos = plain.find(needle, body_at)
            while pos >= 0:
                out.stylize(style, pos, pos + len(needle))
                pos = plain.find(needle, pos + len(needle))
        return out

    def _strip(self, index: int) -> Strip:
        strip = self._cache.get(index)
        if strip is None:
            segments = list(self.line_text(index).render(self.app.console, end=""))
            strip = self._cache[index] = Strip(segments)
            if len(self._cache) > _CACHE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(index)
        return strip

    def _line_at(self, row: int) -> int:
        if not self.wrap:
            return row
        return max(0, bisect.bisect_right(self._row_start, row) - 1)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        row = self.scroll_offset.y + y
        base = self.rich_style
        if not self.lines:
            if y == 0 and self.placeholder:
                return Strip([Segment(self.placeholder[:width], base + Style(dim=True, italic=True))]).extend_cell_length(width, base)
            return Strip.blank(width, base)
        index = self._line_at(row)
        if index >= len(self.lines) or (not self.wrap and row >= len(self.lines)):
            return Strip.blank(width, base)
        strip = self._strip(index).apply_style(base)
        if self.wrap:
            part = row - self._row_start[index]
            edges = (0, *self._cuts[index], max(strip.cell_length, width))
            if part + 1 >= len(edges):
                return Strip.blank(width, base)
            return strip.crop(edges[part], edges[part + 1]).extend_cell_length(width, base)
        x = self.scroll_offset.x
        return strip.crop_extend(x, x + width, base)

    def shown_text(self) -> list[str]:
        """Every kept line as the screen shows it (for saving): plain text, controls visible."""
        return [self._head(line) + self._plain[i] for i, line in enumerate(self.lines)]
