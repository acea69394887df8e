"""The base of every table pane: header, source banner, a keyed live table, footer.

A pane says which store layer it shows, its columns, how a row becomes cells and how rows sort;
this class does the rest: filtering (`/`, `!` negates), marks (`space`), detail (`enter`),
impact (`i`), the action keys (through `app.actions`), and refreshing from StoreChanged.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from operator import itemgetter
from time import perf_counter
from typing import Any, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen

from tui.core.ports import Deck
from tui.keymap import bindings
from tui.widgets.cluster_header import ClusterHeader
from tui.widgets.footer import KeyFooter
from tui.widgets.resource_table import Column, ResourceTable
from tui.widgets.source_banner import SourceBanner


def filter_query(query: str) -> tuple[str, bool]:
    """(the lowercase text to find, whether a row must NOT hold it): a leading `!` negates."""
    query = query.strip()
    negate = query.startswith("!")
    return (query[1:].strip() if negate else query).lower(), negate


def filter_matches(query: str, text: str, lowered: bool = False) -> bool:
    """Substring match, case-insensitive; a leading `!` keeps the rows that do NOT match.
    `lowered`: text is already lowercase (a pane's precomputed search text)."""
    needle, negate = filter_query(query)
    if not needle:
        return True
    return (needle in (text if lowered else text.lower())) != negate


_ABSENT = object()
SEARCH_SLICE_S = 0.003  # seconds of search text built per turn of the loop while a pane is idle
WARM_AFTER_S = 0.5  # a pane shown builds search text from then: its first frames and keys come first


class RowKeys:
    """`enter` (detail) and `i` (impact) on the row under a table's cursor, for any screen that
    can say which row that is and in which store layer (the panes, the impact screen)."""

    app: Any

    @property
    def deck(self) -> Deck:
        return cast("Deck", self.app)  # the App implements the port (tui/app.py checks)

    def cursor_target(self) -> tuple[str, Any] | None:
        """(store layer, row) under the cursor, or None when the table is empty."""
        raise NotImplementedError

    def row_key_state(self, action: str) -> bool | None:
        """For check_action: dimmed without a row; impact only where the app has one for the layer."""
        target = self.cursor_target()
        if target is None:
            return None
        return True if action == "detail" or self.deck.has_impact(target[0]) else None

    _keys_pending = False  # a footer refresh is asked for after the next frame

    def on_resource_table_row_highlighted(self, _: ResourceTable.RowHighlighted) -> None:
        # after the frame that shows the cursor's move: the keys that apply (an action's
        # preconditions read the store) need not hold up the rows; a run of presses asks once
        if not self._keys_pending:
            self._keys_pending = True
            self.call_after_refresh(self._refresh_keys_now)  # type: ignore[attr-defined]

    def _refresh_keys_now(self) -> None:
        self._keys_pending = False
        self.refresh_keys()

    _shown_keys: tuple[Any, ...] | None = None

    def refresh_keys(self) -> None:
        """Refresh the footer only when the keys that apply changed: every refresh rebuilds the
        Footer's widgets (and churn would do it up to 4x/s, leaking the old ones)."""
        shown = tuple((key, b.binding.action, b.binding.description, b.enabled, b.tooltip)
                      for key, b in self.active_bindings.items())  # type: ignore[attr-defined]
        if shown != self._shown_keys:
            self._shown_keys = shown
            self.refresh_bindings()  # type: ignore[attr-defined]

    def on_resource_table_row_selected(self, event: ResourceTable.RowSelected) -> None:
        event.stop()
        self.action_detail()

    def action_detail(self) -> None:
        target = self.cursor_target()
        if target is not None:
            self.deck.open_detail(*target)

    def action_impact(self) -> None:
        target = self.cursor_target()
        if target is not None:
            self.deck.open_impact(*target)

    def action_row_events(self) -> None:
        target = self.cursor_target()
        if target is not None:
            self.deck.open_events(*target)

    def action_row_logs(self) -> None:
        target = self.cursor_target()
        if target is not None:
            self.deck.open_logs(*target)


class PaneScreen(RowKeys, Screen[None]):
    PANE: ClassVar[str] = ""  # pane id: header tab, banner sources
    TITLE: ClassVar[str] = ""
    LAYER: ClassVar[str] = ""  # store layer the table lists
    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    ACTIONS: ClassVar[tuple[str, ...]] = ()  # action ids this pane offers (keys in keymap)
    IMPACT: ClassVar[bool] = True  # `i` opens the impact view for the row
    HELP: ClassVar[str] = ""
    AUTO_FOCUS = "ResourceTable"
    BINDINGS = bindings("pane.filter", "pane.detail", "pane.impact", "rows.events", "pane.mark", "pane.clear")

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self.rows_by_key: dict[str, Any] = {}
        # key -> (row, lowercase search text): typing a filter rescans text, not cells
        self._search: dict[str, tuple[Any, str]] = {}
        self._seen_version = -1  # the store version this pane last drew (-1: never)
        # every row's (sort key, key) in the pane's order, and each key's sort key: a change to a
        # few rows moves those rows instead of re-sorting 20,000 (None: not built yet)
        self._order: list[tuple[Any, str]] | None = None
        self._sort_of: dict[str, Any] = {}
        # the keys of _order, and each one's search text (None: not needed yet), in its order and
        # moved in step with it: a filter keystroke scans one list of strings (a few ms at 20,000 rows)
        self._keys: list[str] | None = None
        self._texts: list[str] | None = None
        self._warming = False  # search text is being built between keys

    # --- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ClusterHeader()
        yield SourceBanner()
        yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> ComposeResult:
        table = ResourceTable(self.COLUMNS, id="table")
        table.border_title = self.TITLE
        yield table

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#table", ResourceTable)

    def on_mount(self) -> None:
        self.refresh_from_store(None, True)
        self.set_timer(WARM_AFTER_S, self._warm_search)

    def on_screen_resume(self) -> None:
        # another pane was active (hidden panes do no work): catch up from the store's change
        # log with what changed meanwhile; the header always (its clock and health moved)
        store = self.deck.store
        layers = frozenset(store.changed_layers(self._seen_version)) if self._seen_version >= 0 else None
        self.refresh_from_store(layers, True)
        for table in self.query(ResourceTable):
            table.redraw()  # rows unchanged: the rows in view still redraw (ages move on)
        self.set_timer(WARM_AFTER_S, self._warm_search)

    # --- data ----------------------------------------------------------------------------
    def source_rows(self) -> list[Any]:
        return list(self.deck.store.rows(self.LAYER))

    def cells(self, row: Any) -> tuple[Text, ...]:
        raise NotImplementedError

    def sort_key(self, row: Any) -> Any:
        return row.key

    def search_text(self, row: Any, cells: tuple[Text, ...]) -> str:
        return " ".join([row.key, *(c.plain for c in cells)])

    def _search_text(self, row: Any) -> str:
        hit = self._search.get(row.key)
        if hit is not None and hit[0] is row:
            return hit[1]
        text = self.search_text(row, self.cells(row)).lower()
        self._search[row.key] = (row, text)
        return text

    def _ordered_texts(self, keys: list[str]) -> list[str]:
        """The rows' search texts in `keys`' order: those already built (the pane warms them
        while idle) read in one pass with no call per row (~3 ms at 20,000 rows, not 15), the
        others built."""
        search, by_key = self._search, self.rows_by_key
        texts = [hit[1] if (hit := search.get(key)) is not None and hit[0] is by_key[key] else None
                 for key in keys]
        if None in texts:
            for at, text in enumerate(texts):
                if text is None:
                    texts[at] = self._search_text(by_key[keys[at]])
        return cast("list[str]", texts)

    def _warm_search(self) -> None:
        """Build the rows' search text a few ms at a time while the pane shows, so that typing a
        filter over 20,000 rows scans text from the first key instead of building every row's
        cells then (half a second); keys pressed meanwhile wait one slice at most."""
        if self._warming or not self.is_attached or not self.is_current:
            return  # already at it, or hidden (it starts again when shown), or the app is closing
        self._warming = True
        self._warm_slice(list(self.rows_by_key), 0)

    def _warm_slice(self, keys: list[str], start: int) -> None:
        by_key, search_text, at = self.rows_by_key, self._search_text, start
        deadline = perf_counter() + SEARCH_SLICE_S
        while at < len(keys) and perf_counter() < deadline:
            row = by_key.get(keys[at])
            if row is not None:
                search_text(row)
            at += 1
        if at < len(keys) and self.is_attached and self.is_current:
            # a timer, not call_later: the loop goes idle between slices, so keys are read and
            # frames drawn between them
            self.set_timer(0.002, lambda: self._warm_slice(keys, at))
        else:  # done, or this pane is hidden (it warms again when shown)
            self._warming = False

    def refresh_from_store(self, layers: frozenset[str] | None, health: bool) -> None:
        """Redraw what changed: the header and banner on health, the table on its layer."""
        # a pane being torn down (the app exiting) has lost its widgets: nothing to draw
        if not self.is_mounted or not self.query(ClusterHeader) or not self.query(ResourceTable):
            return
        store = self.deck.store
        since, self._seen_version = self._seen_version, store.version
        if health or layers is None:
            self.refresh_header()
        if layers is None or self.depends_on(layers):
            self._search.clear()  # cells may read other layers: their search text too
            self.refresh_table()
        elif self.LAYER in layers:
            # only this layer's own objects moved: move just their rows, when the store can say which
            self.refresh_table(store.changed_rows(self.LAYER, since) if since >= 0 else None)

    def depends_on(self, layers: frozenset[str]) -> bool:
        return False

    def refresh_header(self) -> None:
        health = self.deck.store.health()
        self.query_one(ClusterHeader).show(**self.deck.header_facts(self.PANE), health=health)
        self.query_one(SourceBanner).follow(self.PANE, lambda: self.deck.store.health(), self.deck.clock.now)

    def refresh_table(self, changed: set[str] | None = None) -> None:
        """Show the layer's rows afresh, or (changed: the keys of the rows that changed, the rest
        did not) move only those rows; filtering reuses the order (changed = set())."""
        table = self.table
        if changed is None or self._order is None or not self._own_rows():
            rows = self.source_rows()
            self.rows_by_key = {r.key: r for r in rows}
            if self._own_rows():
                listed = list(self.rows_by_key)
                sorts = list(map(self.sort_key, self.rows_by_key.values()))
                self._sort_of = dict(zip(listed, sorts))
                if listed == sorted(listed):  # the store lists rows in key order (one pass to check)
                    # so a stable sort on the sort key alone gives the (sort key, key) order,
                    # without comparing the pairs (half the time at 20,000 rows)
                    self._order = sorted(zip(sorts, listed), key=itemgetter(0))
                else:
                    self._order = sorted(zip(sorts, listed))
            else:  # a view's own rows keep their order among equals (never moved one by one)
                self._sort_of = {}
                self._order = [(i, r.key) for i, r in enumerate(sorted(rows, key=self.sort_key))]
            self._keys, self._texts = [key for _, key in self._order], None
            changed = None
        else:
            self._move_rows(changed)
        by_key = self.rows_by_key
        keys = self._keys
        assert keys is not None  # built with the order
        needle, negate = filter_query(self.filter_text)
        if needle:  # the query read once, not once per row: 20,000 rows at each keystroke
            if self._texts is None:
                self._texts = self._ordered_texts(keys)
            pairs = zip(keys, self._texts)
            keys = [k for k, t in pairs if needle not in t] if negate else [k for k, t in pairs if needle in t]
        # cells are built only for the rows the table draws
        table.show(keys, lambda key: self.cells(by_key[key]), by_key, changed=changed)
        self.update_title(table, len(by_key))
        self.refresh_keys()

    def _own_rows(self) -> bool:
        """The pane lists its layer's rows as the store has them (not a view of its own)."""
        return type(self).source_rows is PaneScreen.source_rows

    def _move_rows(self, changed: set[str]) -> None:
        """Take the store's new rows for these keys, each to where its sort key puts it."""
        assert self._order is not None and self._keys is not None
        store, by_key, order, keys, texts = self.deck.store, self.rows_by_key, self._order, self._keys, self._texts
        for key in changed:  # the keys and search texts move in step with the order
            sort = self._sort_of.pop(key, _ABSENT)
            if sort is not _ABSENT:
                at = bisect_left(order, (sort, key))
                del order[at], keys[at]
                if texts is not None:
                    del texts[at]
            row = store.row(self.LAYER, key)
            if row is None:
                by_key.pop(key, None)
                continue
            by_key[key] = row
            self._sort_of[key] = sort = self.sort_key(row)
            at = bisect_right(order, (sort, key))
            order.insert(at, (sort, key))
            keys.insert(at, key)
            if texts is not None:
                texts.insert(at, self._search_text(row))

    def update_title(self, table: ResourceTable, total: int) -> None:
        shown = table.row_count
        title = f"{self.TITLE} ({shown}/{total})" if self.filter_text else f"{self.TITLE} ({total})"
        table.border_title = title
        table.border_subtitle = f"/{self.filter_text}" if self.filter_text else ""

    # --- selection ------------------------------------------------------------------------
    def focused_table(self) -> ResourceTable:
        focused = self.focused
        return focused if isinstance(focused, ResourceTable) else self.table

    def cursor_row(self) -> Any | None:
        key = self.focused_table().cursor_key
        return self.rows_for_table(self.focused_table()).get(key) if key else None

    def rows_for_table(self, table: ResourceTable) -> dict[str, Any]:
        return self.rows_by_key

    def selected_rows(self) -> list[Any]:
        """Marked rows if any, else the row under the cursor: what an action acts on."""
        table = self.focused_table()
        rows = self.rows_for_table(table)
        # in table order; no walk over every key when nothing is marked (every key press asks)
        marked = [rows[k] for k in table.keys if k in table.marked and k in rows] if table.marked else []
        if marked:
            return marked
        row = self.cursor_row()
        return [row] if row is not None else []

    def layer_of(self, table: ResourceTable) -> str:
        return self.LAYER

    def select_key(self, key: str) -> bool:
        return self.table.select_key(key)

    def cursor_target(self) -> tuple[str, Any] | None:
        row = self.cursor_row()
        return None if row is None else (self.layer_of(self.focused_table()), row)

    # --- keys -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            try:
                return self.deck.actions.availability(str(parameters[0]), self.selected_rows())
            except Exception:  # noqa: BLE001 - a broken precondition dims the key, not the app
                return None
        if action == "mark":
            return True if self.cursor_row() is not None else None
        if action == "impact" and not self.IMPACT:
            return False
        if action in ("detail", "impact"):
            return self.row_key_state(action)
        if action in ("row_events", "row_logs"):
            return True if self.cursor_row() is not None else None
        return True

    def on_key(self, event: Any) -> None:
        """A dimmed key says why it does not apply (screens/key_reasons.py) instead of doing nothing."""
        from .key_reasons import dimmed_key_reason

        why = dimmed_key_reason(self, event.key)
        if why:
            event.stop()
            self.notify(why, severity="warning", timeout=6)

    def action_mark(self) -> None:
        self.focused_table().toggle_mark()
        self.refresh_keys()

    def action_clear(self) -> None:
        table = self.focused_table()
        if table.marked:
            for key in list(table.marked):
                table.toggle_mark(key)
        elif self.filter_text:
            self.set_filter("")
        self.refresh_keys()

    def action_filter(self) -> None:
        """The filter line in place of the footer, on this screen (not a screen over it: Textual
        would redraw all of that screen's see-through background at each keystroke)."""
        from tui.widgets.prompt import PromptBar

        if self.query(PromptBar):
            return
        self._warm_search()
        self.query_one(KeyFooter).display = False
        bar = PromptBar("/", self.filter_text, on_change=self.set_filter, placeholder="filter (!negate)",
                        on_done=self._filter_done)
        self.mount(bar)  # it takes the focus once mounted

    def _filter_done(self, value: str | None) -> None:
        from tui.widgets.prompt import PromptBar

        self.set_filter(value if value is not None else self.filter_text)
        for bar in self.query(PromptBar):
            bar.remove()
        self.query_one(KeyFooter).display = True
        self.focused_table().focus()

    def set_filter(self, text: str) -> None:
        if text != self.filter_text:
            self.filter_text = text
            self.refresh_table(set())  # the rows did not change: the order stands, the filter moves

    def action_run(self, action_id: str) -> None:
        rows = self.selected_rows()
        if rows:
            self.deck.actions.request(action_id, rows)
