"""ResourceTable: a DataTable reconciled by row key.

`reconcile(rows)` removes rows that left, updates only the cells that changed, adds new rows,
reorders only when the order changed, and keeps the cursor on the same key (never the same
index). Columns carry a minimum terminal width so narrow terminals keep the columns that matter,
and a cut policy (tui/widgets/cells.fit): names are cut in the middle, IPs and ports never (their
column grows to the widest value and the flex column gives way), prose is cut or wrapped.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowKey

from tui.widgets import cells as c

MARK = "*"


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


class _KeyedText(Text):
    """The mark cell: remembers its row key so sort() can order rows by key."""

    row_key: str = ""


class ResourceTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "scroll_top", "Top", show=False, id="table.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
    ]

    def __init__(self, columns: Sequence[Column], **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._all_columns = tuple(columns)
        self._shown: tuple[int, ...] = ()  # indexes of _all_columns currently shown
        self._flex_width = 0
        self._grown: dict[int, int] = {}  # never-cut columns: width of their widest cell
        self._heights: dict[str, int] = {}  # key -> lines of the row as drawn
        self._cells: dict[str, tuple[Text, ...]] = {}  # key -> cells as last given
        self._order: list[str] = []
        self.marked: set[str] = set()

    # --- columns -------------------------------------------------------------------------
    def _fit(self, screen_width: int) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self._all_columns) if screen_width >= c.min_screen)

    def on_mount(self) -> None:
        self._apply_columns(self._fit(self.app.size.width), self._flex(self.app.size.width))

    def on_resize(self) -> None:
        self._refit()

    def _refit(self) -> None:
        shown = self._fit(self.app.size.width)
        flex = self._flex(self.size.width or self.app.size.width)
        if shown != self._shown or flex != self._flex_width:
            self._apply_columns(shown, flex)

    def _width(self, i: int) -> int:
        """Width of column `i` as drawn: declared, or its widest cell for a never-cut column."""
        col = self._all_columns[i]
        return max(col.width or 0, self._grown.get(i, 0))

    def _widest(self, rows: Sequence[TableRow]) -> dict[int, int]:
        return {i: max((r.cells[i].cell_len for r in rows), default=0)
                for i, col in enumerate(self._all_columns) if col.cut == "never" and not col.flex}

    def _flex(self, width: int) -> int:
        """Width of the flex column: what the fixed columns (2 cells padding each), the mark
        column and a vertical scrollbar leave."""
        shown = self._fit(self.app.size.width)
        fixed = 3 + sum((0 if self._all_columns[i].flex else self._width(i)) + 2 for i in shown)
        flex_cols = [self._all_columns[i] for i in shown if self._all_columns[i].flex]
        if not flex_cols:
            return 0
        # never wider than what is left: a horizontal scrollbar hides the last row at 80x24
        return max(8, width - fixed - 2)

    def _apply_columns(self, shown: tuple[int, ...], flex_width: int = 0) -> None:
        cursor = self.cursor_key
        self.clear(columns=True)
        self._shown = shown
        self._flex_width = flex_width
        self.add_column(Text(" "), key="__mark", width=1)
        for i in shown:
            col = self._all_columns[i]
            width = flex_width if col.flex and flex_width else (self._width(i) or col.width)
            self.add_column(Text(col.label, style="bold"), key=col.key, width=width)
        cells, order = self._cells, self._order
        self._cells, self._order, self._heights = {}, [], {}
        self.reconcile([TableRow(k, cells[k]) for k in order], keep_cursor=cursor)

    def _fitted(self, cells: tuple[Text, ...]) -> tuple[Text, ...]:
        """The shown cells shortened to their columns' widths, each the way its column says."""
        out = []
        for i in self._shown:
            col = self._all_columns[i]
            width = self._flex_width if col.flex and self._flex_width else self._width(i) or None
            out.append(c.fit(cells[i], width, col.cut))
        return tuple(out)

    # --- rows --------------------------------------------------------------------------
    @property
    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value
        except CellDoesNotExist:
            return None

    @property
    def keys(self) -> list[str]:
        return list(self._order)

    def _mark_cell(self, key: str) -> _KeyedText:
        cell = _KeyedText(MARK if key in self.marked else " ", style="bold magenta")
        cell.row_key = key
        return cell

    def reconcile(self, rows: Sequence[TableRow], keep_cursor: str | None = None) -> None:
        """Make the table show exactly `rows`, in that order, touching only what changed."""
        cursor = keep_cursor if keep_cursor is not None else self.cursor_key
        cursor_index = self.cursor_row
        widest = self._widest(rows)
        if widest != self._grown:  # a never-cut value got wider (or the widest left): relayout
            self._grown = widest
            if self.is_mounted and self._shown:
                self._cells = {r.key: r.cells for r in rows}
                self._order = [r.key for r in rows]
                self._apply_columns(self._fit(self.app.size.width),
                                    self._flex(self.size.width or self.app.size.width))
                return
        wanted = [r.key for r in rows]
        wanted_set = set(wanted)
        with self.app.batch_update():
            for key in [k for k in self._order if k not in wanted_set]:
                self.remove_row(key)
                del self._cells[key]
                self._heights.pop(key, None)
            for row in rows:
                shown = self._fitted(row.cells)
                height = max((cell.plain.count("\n") + 1 for cell in shown), default=1)
                old = self._cells.get(row.key)
                if old is not None and self._heights.get(row.key, 1) != height:
                    self.remove_row(row.key)  # a wrapped cell changed its height: draw it anew
                    old = None
                if old is None:
                    self.add_row(self._mark_cell(row.key), *shown, key=row.key, height=height)
                    self._heights[row.key] = height
                else:
                    for i, after in zip(self._shown, shown):
                        if old[i] != row.cells[i]:
                            self.update_cell(row.key, self._all_columns[i].key, after)
                self._cells[row.key] = row.cells
            self.marked &= wanted_set
            current = [k.value for k in self._row_keys_in_order()]
            if current != wanted:
                position = {k: i for i, k in enumerate(wanted)}
                self.sort(key=lambda cells: position[cells[0].row_key])
            self._order = wanted
            self._restore_cursor(cursor, cursor_index)

    def _row_keys_in_order(self) -> list[RowKey]:
        return [row.key for row in self.ordered_rows]

    def _restore_cursor(self, key: str | None, index: int) -> None:
        if not self._order:
            return
        if key is not None and key in self._cells:
            target = self.get_row_index(key)
        else:  # the row left: stay at the same height rather than jumping to the top
            target = min(index, len(self._order) - 1)
        if target != self.cursor_row:
            self.move_cursor(row=target, animate=False)

    def select_key(self, key: str) -> bool:
        if key not in self._cells:
            return False
        self.move_cursor(row=self.get_row_index(key), animate=False)
        return True

    def toggle_mark(self, key: str | None = None) -> None:
        key = key if key is not None else self.cursor_key
        if key is None:
            return
        self.marked ^= {key}
        self.update_cell(key, "__mark", self._mark_cell(key))

    def action_scroll_top(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)
