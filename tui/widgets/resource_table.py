"""ResourceTable: a virtual, keyed table whose cost follows what is on screen.

It holds only the ordered list of row keys; a row's cells are asked for (`cells_of(key)`) when the
row is drawn, and kept only while it may be drawn again. Opening 20,000 rows, `G`, scrolling and
a live update cost O(visible rows) (plus building the key list), never O(all rows) of cells.

`show(keys, cells_of, tokens)` (or `reconcile(rows)` for small tables) keeps the cursor on the
same key (never the same index; when its row left, at the same height), drops marks of rows
that left, and redraws only what changed. Columns carry a minimum terminal width so narrow
terminals keep the columns that matter, and a cut policy (tui/widgets/cells.fit): names are cut
in the middle, IPs and ports never (their column grows to the widest value and the flex column
gives way), prose is cut or wrapped.

Widths of never-cut columns: exact for tables under 2 x SAMPLE rows; beyond that the widest of an
evenly spread sample of SAMPLE rows plus every row drawn since the last update (a wider value
that scrolls into view grows its column then). Row heights: 1, except in a table with a wrapped
column shown, which fits every row on update to know where each row starts.

Paging: drawn lines are cached per (row, line, widths, look, cursor-or-not) until the rows or
the look change, with Textual's styled line (border, tint) kept beside each (styled_lines.py);
after a PageDown/PageUp the next page in that direction is drawn and styled while the app is
idle, so the next press finds it ready. The caches hold a few screenfuls: the collector walks
whatever they hold.

It draws exactly what Textual's DataTable drew (same component classes, padding, cursor and
header styles), so screens look the same.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, islice
from typing import Any, ClassVar

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.dom import NoScreen
from textual.geometry import Region, Size
from textual.message import Message
from textual.renderables.styled import Styled
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets import cells as c
from tui.widgets.styled_lines import KeptStyledLines

MARK = "*"
# drawn lines (and fitted rows) kept: this many screenfuls, the one in view, the one built ahead and
# the last seen (top and bottom for g / G). No more: every cached line is some 30 objects the
# collector walks, and at 1,500 lines its full pauses under PageDown went from 30 to 90 ms
KEPT_SCREENS = 4
AHEAD_DELAY = 0.01  # seconds after the frame before building the next page (the frame is written first)
AHEAD_SLICE = 10  # lines of the next page built per turn of the loop (about a millisecond)
SAMPLE = 500  # rows measured for never-cut widths beyond the visible ones
PADDING = 1  # cells on each side of each column, as DataTable's cell_padding


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None  # None: as wide as the content
    min_screen: int = 0  # shown only when the terminal is at least this wide
    flex: bool = False  # takes the width the other columns leave (at least `width`)
    cut: str = "middle"  # how a too-long cell is shortened: middle / never / end / wrap (cells.CUTS)


@dataclass(frozen=True)
class TableRow:
    key: str
    cells: tuple[Text, ...]  # one per Column, in the Column order


@dataclass(frozen=True)
class ShownColumn:
    key: str
    width: int  # content width, without padding


class ResourceTable(ScrollView, can_focus=True):
    ALLOW_SELECT = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home", "scroll_top", "Top", show=False),
        Binding("ctrl+end", "scroll_bottom", "Bottom", show=False),
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "scroll_top", "Top", show=False, id="table.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"datatable--cursor", "datatable--header"}
    # DataTable's look, so screens stay as they were
    DEFAULT_CSS = """
    ResourceTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .datatable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .datatable--header { background-tint: $foreground 5%; }
        }
        & > .datatable--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .datatable--header { background: ansi_bright_blue; color: ansi_default; }
        & > .datatable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class RowHighlighted(Message):
        """The cursor moved to another row (or the rows under it changed)."""

        def __init__(self, table: ResourceTable, cursor_row: int, row_key: str | None) -> None:
            super().__init__()
            self.table, self.cursor_row, self.row_key = table, cursor_row, row_key

        @property
        def control(self) -> ResourceTable:
            return self.table

    class RowSelected(Message):
        """`enter` (or a click on the cursor row)."""

        def __init__(self, table: ResourceTable, cursor_row: int, row_key: str) -> None:
            super().__init__()
            self.table, self.cursor_row, self.row_key = table, cursor_row, row_key

        @property
        def control(self) -> ResourceTable:
            return self.table

    def __init__(self, columns: Sequence[Column], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Textual styles each line in view afresh on a scroll; lines drawn before keep theirs
        self._styled_lines = self._styles_cache = KeptStyledLines(self._kept_lines)
        self._all_columns = tuple(columns)
        self._shown: tuple[int, ...] = ()  # indexes of _all_columns currently shown
        self._flex_width = 0
        self._grown: dict[int, int] = {}  # never-cut columns: width of their widest cell
        self._order: list[str] = []
        self._index: dict[str, int] = {}
        self._cells_of: Callable[[str], tuple[Text, ...]] = lambda key: ()
        self._tokens: Mapping[str, object] = {}
        self._fitted: dict[str, tuple[Text, ...]] = {}  # key -> shown cells, for drawn rows only
        self._starts: list[int] | None = None  # first line of each row; None: every row is 1 line
        self._heights: dict[str, tuple[object, object, int]] = {}  # key -> (token, widths, height)
        self._strips: dict[tuple[Any, ...], Strip] = {}
        self._cursor = 0
        self._widened = 0  # bumped when a drawn row widens a never-cut column
        self._columns: list[ShownColumn] | None = None  # shown_columns, until widths change
        self._styles: dict[tuple[Style, Style], tuple[list[Style], Style]] = {}  # per-column styles of a line
        self._measured: tuple[int, bool, dict[int, int]] | None = None  # (rows generation, wraps, widths)
        self._generation = 0  # bumped when the rows change: measured widths are kept until then
        self._look: tuple[Style, tuple[bool, str]] | None = None  # (base style, focus and theme) while painting
        self.marked: set[str] = set()
        self._ahead_pending = False  # a build of the next page is asked for after this frame
        self._ahead_direction = 1
        self._ahead_generation = 0  # bumped per build asked for: a slice of an older one stops
        self._ahead_view: tuple[int, int] | None = None  # (scroll line, cursor row) of the page built ahead

    # --- columns -------------------------------------------------------------------------
    def _fit(self, screen_width: int) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self._all_columns) if screen_width >= c.min_screen)

    def on_mount(self) -> None:
        self._apply_columns(self._fit(self.app.size.width), self._flex(self._table_width()))

    def _table_width(self) -> int:
        """The table's width; before it is laid out, the terminal's less the table's border and
        padding (what a pane's full-width table gets), so the resize that follows changes no
        column (else they are laid out again: a second frame on opening a pane)."""
        return self.size.width or self.app.size.width - self.styles.gutter.width

    def on_resize(self) -> None:
        self._refit()

    def _refit(self) -> None:
        shown = self._fit(self.app.size.width)
        flex = self._flex(self._table_width())
        if shown != self._shown or flex != self._flex_width:
            self._apply_columns(shown, flex)

    def _width(self, i: int) -> int:
        """Width of column `i` as drawn: declared, or its widest cell for a never-cut column."""
        col = self._all_columns[i]
        return max(col.width or 0, self._grown.get(i, 0))

    def _flex(self, width: int) -> int:
        """Width of the flex column: what the fixed columns (2 cells padding each), the mark
        column and a vertical scrollbar leave."""
        shown = self._fit(self.app.size.width)
        fixed = 3 + sum((0 if self._all_columns[i].flex else self._width(i)) + 2 for i in shown)
        if not any(self._all_columns[i].flex for i in shown):
            return 0
        # never wider than what is left: a horizontal scrollbar hides the last row at 80x24
        return max(8, width - fixed - 2)

    @property
    def shown_columns(self) -> list[ShownColumn]:
        """The columns as drawn, the mark column first (kept until a width changes: every drawn
        line reads them)."""
        if self._columns is None:
            out = [ShownColumn("__mark", 1)]
            for i in self._shown:
                col = self._all_columns[i]
                width = self._flex_width if col.flex and self._flex_width else (self._width(i) or col.width or 0)
                out.append(ShownColumn(col.key, width))
            self._columns = out
        return self._columns

    def _apply_columns(self, shown: tuple[int, ...], flex_width: int = 0) -> None:
        self._shown, self._flex_width = shown, flex_width
        self._columns = None
        self._layout()

    def _fit_cells(self, cells: tuple[Text, ...]) -> tuple[Text, ...]:
        """The shown cells shortened to their columns' widths, each the way its column says."""
        out = []
        for i in self._shown:
            col = self._all_columns[i]
            width = self._flex_width if col.flex and self._flex_width else self._width(i) or None
            out.append(c.fit(cells[i], width, col.cut))
        return tuple(out)

    def _never_cut(self) -> list[int]:
        return [i for i, col in enumerate(self._all_columns) if col.cut == "never" and not col.flex]

    def _measure_widths(self) -> dict[int, int]:
        """Widest never-cut cells over every row (small tables) or a spread sample; measured once
        per change of rows (a resize or a column change reuses them: opening a pane lays out twice)."""
        never = self._never_cut()
        if not never or not self._order:
            return {}
        # a table with a wrapped column fits every row for its heights anyway: measure them all
        wraps = self._wraps()
        if self._measured is not None and self._measured[:2] == (self._generation, wraps):
            return dict(self._measured[2])
        step = 1 if wraps else max(1, len(self._order) // SAMPLE)
        widest = dict.fromkeys(never, 0)
        first = self._row_at_line(int(self.scroll_y))[0] if self._starts is None else 0
        visible = [] if wraps else self._order[first:first + self.size.height]
        for key in [*self._order[::step], *visible]:  # the rows on screen too: no flicker
            self._grow(widest, self._cells_of(key))
        self._measured = (self._generation, wraps, dict(widest))
        return widest

    @staticmethod
    def _grow(widest: dict[int, int], cells: tuple[Text, ...]) -> bool:
        grew = False
        for i, width in widest.items():
            if cells[i].cell_len > width:
                widest[i], grew = cells[i].cell_len, True
        return grew

    # --- rows --------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        return self._order[self._cursor] if 0 <= self._cursor < len(self._order) else None

    @property
    def keys(self) -> list[str]:
        return list(self._order)

    def get_cell(self, key: str, column: str) -> Text:
        """A row's cell as drawn (fitted to its column)."""
        at = [col.key for col in self.shown_columns[1:]].index(column)
        return self._fitted_row(key)[at]

    def reconcile(self, rows: Sequence[TableRow], keep_cursor: str | None = None) -> None:
        """Make the table show exactly `rows`, in that order (cells given up front)."""
        cells = {r.key: r.cells for r in rows}
        self.show([r.key for r in rows], cells.__getitem__, cells, keep_cursor)

    def show(self, keys: Sequence[str], cells_of: Callable[[str], tuple[Text, ...]],
             tokens: Mapping[str, object] | None = None, keep_cursor: str | None = None,
             changed: Collection[str] | None = None) -> None:
        """Show the rows `keys`, in that order; `cells_of(key)` gives a row's cells when it is
        drawn. `tokens` (key -> the row object) says which rows changed: a drawn row whose token
        is the same object keeps its drawn cells only within this update, since cells may read
        more than the row (ages, other layers). `changed`: only these rows changed since the last
        show (the others are the same rows, perhaps moved): columns are not measured afresh,
        they grow to the changed rows' cells."""
        cursor = keep_cursor if keep_cursor is not None else self.cursor_key
        before = self._cursor
        if list(keys) != self._order:
            self._order = list(keys)
            self._index = {k: i for i, k in enumerate(self._order)}
        self._cells_of, self._tokens = cells_of, tokens or {}
        self._generation += 1
        if self.marked:
            self.marked &= self._index.keys()
        if changed is not None and self._grown and not self._wraps():
            self._grow_to([k for k in changed if k in self._index])
        else:
            self._layout()
        if cursor is not None and cursor in self._index:
            target = self._index[cursor]
        else:  # the row left: stay at the same height rather than jumping to the top
            target = min(before, max(0, len(self._order) - 1))
        self._set_cursor(target, scroll=True, announce=target != before or cursor != self.cursor_key)

    def _grow_to(self, keys: Sequence[str]) -> None:
        """Columns grow to these rows' never-cut cells; the rows in view are drawn afresh."""
        grew = [self._grow(self._grown, self._cells_of(key)) for key in keys]  # every row, no short cut
        if any(grew):
            self._widened += 1
            self._widen()
        self._fitted.clear()
        self._strips.clear()
        self.virtual_size = Size(self.virtual_size.width, self._lines() + 1)
        self.refresh()

    def redraw(self) -> None:
        """Build the rows in view afresh (their cells may read the clock), nothing else."""
        self._fitted.clear()
        self._strips.clear()
        self.refresh()

    def _layout(self) -> None:
        """Widths, heights and the virtual size after the rows or the columns changed."""
        self._fitted.clear()
        self._strips.clear()
        self._columns = None
        if self.is_mounted and self._shown:
            widest = self._measure_widths()
            if widest != self._grown:
                self._grown, self._columns = widest, None
                self._flex_width = self._flex(self._table_width()) if self._flex_width else 0
        if self._wraps() and self._order:
            known, self._heights = self._heights, {}  # rows that left are forgotten
            heights = [self._row_height(k, known) for k in self._order]
            self._starts = [0, *accumulate(heights)]
            self._fitted.clear()  # heights are known; cells are kept only for drawn rows
        else:
            self._starts = None
        width = sum(col.width + 2 * PADDING for col in self.shown_columns)
        self.virtual_size = Size(width, self._lines() + 1)
        self.refresh()

    def _row_height(self, key: str, known: dict[str, tuple[object, object, int]]) -> int:
        """A row's height at the current widths; kept while its token stays equal (a row that
        did not change is not fitted again on every update)."""
        token, widths = self._tokens.get(key), (self._flex_width, self._shown)
        was = known.get(key)
        if was is not None and token is not None and was[1] == widths and was[0] == token:
            height = was[2]
        else:
            height = self._height(self._fitted_row(key))
        self._heights[key] = (token, widths, height)
        return height

    def _wraps(self) -> bool:
        return any(self._all_columns[i].cut == "wrap" for i in self._shown)

    @staticmethod
    def _height(fitted: tuple[Text, ...]) -> int:
        return max((cell.plain.count("\n") + 1 for cell in fitted), default=1)

    def _lines(self) -> int:
        return self._starts[-1] if self._starts is not None else len(self._order)

    def _row_at_line(self, line: int) -> tuple[int, int]:
        """(row index, line within the row) of a table line (0 is the first row's first line)."""
        if self._starts is None:
            return line, 0
        index = bisect_right(self._starts, line) - 1
        return index, line - self._starts[index]

    def _row_span(self, index: int) -> tuple[int, int]:
        """(first line, height) of row `index`."""
        if self._starts is None:
            return index, 1
        return self._starts[index], self._starts[index + 1] - self._starts[index]

    def _fitted_row(self, key: str) -> tuple[Text, ...]:
        fitted = self._fitted.get(key)
        if fitted is None:
            cells = self._cells_of(key)
            if self._grown and self._grow(self._grown, cells):  # a wider never-cut value came into view
                self._widened += 1
                self._columns = None
                self.call_after_refresh(self._widen)
            fitted = self._fit_cells(cells)
            if len(self._fitted) >= self._kept_lines():  # only rows drawn of late are kept
                self._fitted.clear()
            self._fitted[key] = fitted
        return fitted

    def _widen(self) -> None:
        """A drawn row held a wider never-cut value: columns take their new widths."""
        if self._flex_width:
            self._flex_width = self._flex(self._table_width())
        self._columns = None
        self._fitted.clear()
        self._strips.clear()
        self.virtual_size = Size(sum(col.width + 2 * PADDING for col in self.shown_columns), self._lines() + 1)
        self.refresh()

    # --- cursor --------------------------------------------------------------------------
    def _set_cursor(self, row: int, scroll: bool = True, announce: bool = True) -> None:
        row = max(0, min(row, len(self._order) - 1)) if self._order else 0
        moved = row != self._cursor
        before, self._cursor = self._cursor, row
        if moved:  # strips are cached per cursor-or-not: only the two rows that changed redraw
            self._refresh_row(before)
            self._refresh_row(row)
        if scroll:
            self._scroll_cursor_into_view()
        if moved or announce:
            self.post_message(self.RowHighlighted(self, row, self.cursor_key))

    def _refresh_row(self, index: int) -> None:
        """Repaint only row `index`'s lines (a scroll that follows repaints the whole view)."""
        if 0 <= index < len(self._order):
            top, height = self._row_span(index)
            self.refresh_lines(top + 1, height)  # + 1: the header line

    def move_cursor(self, *, row: int | None = None, column: int | None = None,
                    animate: bool = False, scroll: bool = True) -> None:
        if row is not None:
            self._set_cursor(row, scroll=scroll)

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)  # less the header

    def _scroll_cursor_into_view(self) -> None:
        if not self._order:
            return
        top, height = self._row_span(self._cursor)
        page = self._page_height()
        y = self.scroll_y
        if top < y:
            y = top
        elif top + height > y + page:
            y = top + height - page
        if y != self.scroll_y:
            self.scroll_to(y=y, animate=False, force=True, immediate=True)

    def select_key(self, key: str) -> bool:
        if key not in self._index:
            return False
        self._set_cursor(self._index[key])
        return True

    def toggle_mark(self, key: str | None = None) -> None:
        key = key if key is not None else self.cursor_key
        if key is None:
            return
        self.marked ^= {key}
        self._strips.clear()
        self.refresh()

    def action_cursor_down(self) -> None:
        self._set_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self._cursor - 1)

    def action_page_down(self) -> None:
        self._page(+1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, direction: int) -> None:
        """Move the cursor by a screenful of lines, the view with it (as DataTable did)."""
        if not self._order:
            return
        page = self._page_height()
        top, _ = self._row_span(self._cursor)
        target_line = max(0, min(self._lines() - 1, top + direction * page))
        self.scroll_to(y=self.scroll_y + direction * page, animate=False, force=True, immediate=True)
        self._set_cursor(self._row_at_line(target_line)[0])
        self._ahead_soon(direction)

    def action_scroll_top(self) -> None:
        if self._order:
            self._set_cursor(0)

    def action_scroll_bottom(self) -> None:
        if self._order:
            self._set_cursor(len(self._order) - 1)

    def action_select_cursor(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, self._cursor, key))

    async def _on_click(self, event: events.Click) -> None:
        if event.y < 1 or not self._order:  # the header
            return
        row = self._row_at_line(event.y - 1 + int(self.scroll_y))[0]
        if row >= len(self._order):
            return
        event.stop()
        if row == self._cursor:
            self.action_select_cursor()
        else:
            self._set_cursor(row)

    # --- drawing -------------------------------------------------------------------------
    def _scroll_update(self, virtual_size: Size) -> None:
        """The row count changed (a filter keystroke, rows listed): Textual tells the scrollbar
        its new range during the layout, after the frame's widgets are taken, and the scrollbar
        paints one frame after the rows. Its repaint joins the layout's frame instead: the rows and
        the thumb land together. (Private Textual parts, pinned in pyproject.toml.)"""
        super()._scroll_update(virtual_size)
        try:
            compositor = self.screen._compositor
        except NoScreen:  # not on a screen yet: nothing is painted
            return
        bar = self.vertical_scrollbar if self.show_vertical_scrollbar else None
        if bar is not None and bar in compositor.visible_widgets:
            compositor.update_widgets({bar})

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._styles.clear()

    def _line_styles(self, row_style: Style, component: Style, count: int) -> tuple[list[Style], Style]:
        """(the style of each column's cells, the style laid over them) for a line: a style per
        column (as DataTable's per-cell meta kept cells apart), summed once per look rather than
        once per cell."""
        hit = self._styles.get((row_style, component))
        if hit is None or len(hit[0]) < count:
            pres = [row_style + _column_meta(column) + component for column in range(count)]
            # the cursor's colours win over a cell's own (DataTable's cursor_*_priority "css")
            post = Style.from_color(component.color) + Style.from_color(bgcolor=component.bgcolor)
            if len(self._styles) > 64:
                self._styles.clear()
            self._styles[(row_style, component)] = hit = (pres, post)
        return hit

    def _on_focus(self, event: events.Focus) -> None:
        self._strips.clear()
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._strips.clear()
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        # the look every line shares, read once per paint rather than once per line
        self._look = self._current_look()
        try:
            return super().render_lines(crop)
        finally:
            self._look = None

    def _current_look(self) -> tuple[Style, tuple[bool, str]]:
        return self.rich_style, (self.has_focus, self.app.current_theme.name if self.is_attached else "")

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        scroll_y, cursor = self._ahead_view or (scroll_y, self._cursor)  # a page built ahead: its view
        base, state = self._look or self._current_look()
        if y == 0:
            index, line = -1, 0
        else:
            index, line = self._row_at_line(y - 1 + scroll_y)
            if index >= len(self._order):
                return Strip.blank(width, base)
        return self._strip(index, line, scroll_x, width, base, state, index == cursor)

    def _kept_lines(self) -> int:
        return KEPT_SCREENS * max(10, self.size.height)

    def _strip(self, index: int, line: int, scroll_x: int, width: int, base: Style, state: object,
               cursor: bool) -> Strip:
        """Line `line` of row `index` (-1: the header) as drawn, from the cache when it was drawn
        (or built ahead) with the same widths, look and cursor-or-not since the rows last changed."""
        cache_key = (index, line, scroll_x, width, cursor, base, state,
                     self._order[index] if index >= 0 else None)
        strip = self._strips.get(cache_key)
        if strip is None:
            widened = self._widened
            segments, length = self._draw(index, line, base, cursor)
            if scroll_x == 0:  # the usual case, with one Strip (each costs its seven caches) instead of four
                strip = Strip(Segment.simplify(segments), length).adjust_cell_length(width, base)
            else:
                strip = Strip(segments).crop_extend(scroll_x, scroll_x + width, base)
                strip = strip.adjust_cell_length(width, base).simplify()
            if widened == self._widened:  # drawn with the widths it will keep
                kept = self._kept_lines()
                if len(self._strips) >= kept:  # the oldest half goes: the page in view and the one built ahead stay
                    for old in list(islice(self._strips, kept // 2)):
                        del self._strips[old]
                self._strips[cache_key] = strip
        return strip

    # --- building the next page ahead ---------------------------------------------------------
    def _ahead_soon(self, direction: int) -> None:
        """After this frame, build the lines the next page in this direction will show, a few at a
        time while the loop is idle: a PageDown after a PageDown then finds its lines drawn (the
        cache key holds the row's key, look and widths: what the rows, a resize or a theme change
        invalidate clears the cache as before)."""
        self._ahead_direction = direction
        if not self._ahead_pending:
            self._ahead_pending = True
            # not at once after the frame: the driver's writer thread needs the GIL to send it
            self.call_after_refresh(lambda: self.set_timer(AHEAD_DELAY, self._ahead_start))

    def _ahead_start(self) -> None:
        self._ahead_pending = False
        if not self._order or not self.is_attached:
            return
        page = self._page_height()
        # where the next page's scroll and cursor will be (as _page puts them)
        first = int(max(0, min(self.scroll_y + self._ahead_direction * page, self.max_scroll_y)))
        top, _ = self._row_span(self._cursor)
        target = self._row_at_line(max(0, min(self._lines() - 1, top + self._ahead_direction * page)))[0]
        self._ahead_generation += 1
        self._ahead_lines((first, target), 0, self._ahead_generation)

    def _ahead_lines(self, view: tuple[int, int], start: int, generation: int) -> None:
        """Draw and style (as Textual will: border, tint) the lines `start`.. of the page seen with
        `view` (scroll line, cursor row), a slice at a time."""
        if generation != self._ahead_generation or not self.is_attached:
            return  # another page was asked for since (or the table left)
        count = min(AHEAD_SLICE, self._page_height() - start)
        if count <= 0:
            return
        self._ahead_view = view
        try:  # content lines start under the border and the header line
            self._styled_lines.style_ahead(self, Region(0, self.styles.gutter.top + 1 + start,
                                                        self.region.width, count))
        finally:
            self._ahead_view = None
        # a timer between slices: a key that arrives meanwhile waits one slice, not the page
        self.set_timer(0.001, lambda: self._ahead_lines(view, start + count, generation))

    def _draw(self, index: int, line: int, base: Style, cursor: bool) -> tuple[list[Segment], int]:
        """One line of the header (index -1) or of row `index`, as DataTable drew it, and its
        length in cells (every cell is drawn exactly as wide as its column and padding)."""
        header = index == -1
        columns = self.shown_columns
        if header:
            row_style = self.get_component_styles("datatable--header").rich_style
            cells: Sequence[Text] = [Text(" "), *(Text(self._all_columns[i].label, style="bold") for i in self._shown)]
            height = 1
        else:
            row_style = base
            key = self._order[index]
            fitted = self._fitted_row(key)
            cells = [_MARKED if key in self.marked else _UNMARKED, *fitted]
            height = self._row_span(index)[1]
        cursor = cursor and not header
        component = self.get_component_rich_style("datatable--cursor") if cursor else _NO_STYLE
        pres, post = self._line_styles(row_style, component, len(columns))
        segments: list[Segment] = []
        console = self.app.console
        for pre, col, cell in zip(pres, columns, cells):
            if height == 1 and _plain_line(cell, col.width):
                if cell.spans:
                    segments.extend(Segment.apply_style(_padded(cell, col.width, console), pre, post))
                else:
                    segments.extend(_padded_styled(cell, col.width, console, pre, post))
                continue
            options = self.app.console_options.update_dimensions(col.width + 2 * PADDING, height)
            if height == 1:
                options = options.update(no_wrap=True)
            lines = console.render_lines(Styled(Padding(cell, (0, PADDING)), pre_style=pre, post_style=post), options)
            segments.extend(lines[line])
        table_width = sum(col.width + 2 * PADDING for col in columns)
        remaining = max(0, self.size.width - table_width)
        extend = row_style + component + _OUT_OF_BOUNDS
        segments.append(Segment(" " * remaining, extend))
        return segments, table_width + remaining


_NO_STYLE = Style()
_MARKED, _UNMARKED = Text(MARK, style="bold magenta"), Text(" ", style="bold magenta")
_OUT_OF_BOUNDS = Style.from_meta({"column": 0, "out_of_bounds": True})


@lru_cache(maxsize=64)
def _column_meta(column: int) -> Style:
    return Style.from_meta({"column": column})


def _plain_line(cell: Text, width: int) -> bool:
    """A one-line cell that fits its column, left-justified: the common case, drawn directly."""
    plain = cell.plain
    return (cell.cell_len <= width and "\n" not in plain and "\t" not in plain
            and cell.justify in (None, "default", "left"))


def _padded_styled(cell: Text, width: int, console: Any, pre: Style, post: Style) -> list[Segment]:
    """What Segment.apply_style(_padded(cell, ...), pre, post) gives for a cell without spans (most
    cells), without its passes: pre is laid under each segment's own style, post over it."""
    pad = pre + post if post else pre
    out = [Segment(" " * PADDING, pad)]
    if cell.plain:
        own = console.get_style(cell.style) if cell.style else None
        out.append(Segment(cell.plain, ((pre + own) + post if post else pre + own) if own else pad))
    if width > cell.cell_len:
        out.append(Segment(" " * (width - cell.cell_len), pad))
    out.append(Segment(" " * PADDING, pad))
    return out


def _padded(cell: Text, width: int, console: Any) -> list[Segment]:
    """The segments rich draws for Padding(cell, (0, 1)) at width + 2, without its layout pass
    (the same spans: rich joins a cell's lines before rendering them)."""
    if cell.spans:
        body = list(Text("\n").join([cell]).render(console))
    elif cell.style:  # one span of the cell's style: what the join gives, without building it
        body = [Segment(cell.plain, console.get_style(cell.style))] if cell.plain else []
    else:
        body = [Segment(cell.plain)] if cell.plain else []
    out = [Segment(" " * PADDING), *body]
    if width > cell.cell_len:
        out.append(Segment(" " * (width - cell.cell_len)))
    out.append(Segment(" " * PADDING))
    return out
