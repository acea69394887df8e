"""The virtual ResourceTable at 20,000 rows: what a user sees and keeps (cursor, marks, the last
row after G, live changes) while only the drawn rows are ever built. Behaviour, not timings:
speed is measured in bench/scale.py."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from tests.support.app_support import make_app, press, screen_text, settle, synced, wait_until
from tui.emulator.demo import demo_objects
from tui.widgets.resource_table import SAMPLE, Column, ResourceTable

COLUMNS = (Column("name", "NAME", 12), Column("state", "STATE", 8), Column("size", "SIZE", 4, cut="never"))
ROWS = 20_000


class Rows:
    """A row source like a pane's: cells built on request, counted."""

    def __init__(self, count: int) -> None:
        self.state = {f"vol-{i:05d}": "ok" for i in range(count)}
        self.built: list[str] = []

    def cells(self, key: str) -> tuple[Text, ...]:
        self.built.append(key)
        return Text(key), Text(self.state[key]), Text("9Gi")

    def show(self, table: ResourceTable, keys: list[str] | None = None) -> None:
        table.show(keys if keys is not None else sorted(self.state), self.cells)


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield ResourceTable(COLUMNS, id="t")

    def on_resource_table_row_selected(self, event: ResourceTable.RowSelected) -> None:
        self.selected.append(event.row_key)


def text(app: App[Any]) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


async def test_opening_20000_rows_builds_only_the_drawn_rows_and_g_shows_the_last() -> None:
    app, rows = TableApp(), Rows(ROWS)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        rows.show(table)
        await pilot.pause()
        assert table.row_count == ROWS and "vol-00000" in text(app)
        # a screenful plus the width sample, never every row
        assert len(set(rows.built)) <= SAMPLE + 50
        await pilot.press("G")
        await pilot.pause()
        assert table.cursor_key == "vol-19999" and "vol-19999" in text(app)
        await pilot.press("g", "pagedown")
        await pilot.pause()
        assert table.cursor_row > 5 and table.cursor_key in text(app)


async def test_cursor_stays_on_its_row_when_rows_are_inserted_above_and_marks_survive() -> None:
    app, rows = TableApp(), Rows(ROWS)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        rows.show(table)
        table.select_key("vol-10000")
        table.toggle_mark("vol-09999")
        await pilot.pause()
        rows.state.update({f"new-{i}": "new" for i in range(500)})  # sorts above every vol-
        rows.show(table)
        await pilot.pause()
        assert table.cursor_key == "vol-10000" and table.cursor_row == 10500
        assert table.marked == {"vol-09999"}
        screen = text(app)
        assert "vol-10000" in screen and "*  vol-09999" in screen  # the mark is drawn
        del rows.state["vol-09999"]
        rows.show(table)
        assert table.marked == set()  # a mark on a row that left is dropped


async def test_a_changed_row_on_screen_is_redrawn_and_a_wider_never_cut_value_grows_its_column() -> None:
    app, rows = TableApp(), Rows(ROWS)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        rows.show(table)
        await pilot.pause()
        rows.state["vol-00002"] = "faulted"
        rows.show(table)
        await pilot.pause()
        assert "vol-00002     faulted" in text(app)
        wide = {**rows.state}
        rows.cells = lambda key: (Text(key), Text(wide[key]), Text("1023.5Gi" if key == "vol-00003" else "9Gi"))  # type: ignore[method-assign]
        rows.show(table)
        await pilot.pause()
        await pilot.pause()
        assert "1023.5Gi" in text(app)  # never cut: the column grew to hold it


def cursor_lines(app: App[Any], table: ResourceTable) -> list[str]:
    """The screen lines drawn in the cursor's colours."""
    cursor = table.get_component_rich_style("datatable--cursor").bgcolor
    return [strip.text.strip() for strip in app.screen._compositor.render_strips()
            if any(seg.style is not None and seg.style.bgcolor == cursor and seg.text.strip() for seg in strip)]


async def test_paging_over_pages_built_ahead_shows_rows_changed_and_marked_since_and_the_cursor() -> None:
    """Each PageDown builds the next page's lines while the app is idle; a row that changes, or
    is marked, after its line was built shows as it is now when paged to, and the cursor is
    drawn on the row it landed on, on every page."""
    app, rows = TableApp(), Rows(ROWS)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        rows.show(table)
        await pilot.pause()
        for _ in range(3):
            await pilot.press("pagedown")
            await pilot.pause(0.1)  # the next page is built meanwhile
            assert cursor_lines(app, table) == [next(line for line in text(app).splitlines()
                                                     if table.cursor_key in line).strip()]
        page = table.cursor_row - int(table.scroll_y)  # where the cursor sits in the view
        shown = len(text(app).splitlines()) - 1  # rows in view, less the header
        next_page = int(table.scroll_y) + shown  # the first row the next PageDown shows
        ahead, marked = table.keys[next_page + 2], table.keys[next_page + 3]  # their lines built already
        assert any(key[-1] == ahead for key in table._strips)  # (built ahead indeed)
        rows.state[ahead] = "faulted"
        rows.show(table)
        table.toggle_mark(marked)
        await pilot.press("pagedown")
        await pilot.pause()
        screen = text(app)
        assert f"{ahead}     faulted" in screen and f"*  {marked}" in screen
        assert table.cursor_row - int(table.scroll_y) == page
        assert cursor_lines(app, table) == [next(line for line in screen.splitlines()
                                                 if table.cursor_key in line).strip()]
        await pilot.press("pageup")
        await pilot.pause()
        assert table.cursor_key in text(app) and len(cursor_lines(app, table)) == 1


async def test_lines_drawn_before_take_the_blurred_look_and_back_when_paged_to_again() -> None:
    """Lines seen before are reused on paging back; a blur (a dialog over the table) still
    draws them, cursor included, in the blurred colours, and focus brings the others back."""
    app, rows = TableApp(), Rows(ROWS)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        rows.show(table)
        await pilot.press("pagedown", "pagedown", "pageup")
        await pilot.pause()
        focused = table.get_component_rich_style("datatable--cursor").bgcolor
        assert len(cursor_lines(app, table)) == 1
        app.set_focus(None)
        await pilot.pause()
        blurred = table.get_component_rich_style("datatable--cursor").bgcolor
        assert blurred != focused and len(cursor_lines(app, table)) == 1
        await pilot.press("tab")  # the table takes the focus again
        await pilot.pause()
        assert table.has_focus and table.get_component_rich_style("datatable--cursor").bgcolor == focused
        assert len(cursor_lines(app, table)) == 1 and table.cursor_key in text(app)


async def test_a_click_moves_the_cursor_to_its_row_and_a_second_click_selects_it() -> None:
    app, rows = TableApp(), Rows(ROWS)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        rows.show(table)
        await pilot.press("G")
        await pilot.pause()
        await pilot.click(ResourceTable, offset=(6, 1))  # the first row in view, under the header
        await pilot.pause()
        first = table.cursor_key
        assert first is not None and first != "vol-19999" and table.cursor_row > 19000
        assert app.selected == []
        await pilot.click(ResourceTable, offset=(6, 1))
        await pilot.pause()
        assert app.selected == [first]


@pytest.fixture
def demo(emulator_factory: Any) -> Any:
    return emulator_factory(demo_objects(), controllers=False)


async def test_a_hidden_pane_catches_up_when_shown_and_the_filter_narrows(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "3")
        uploads = next(v for v in app.store.rows("volumes") if v.pvc == "api/api-uploads")
        await press(pilot, "2")  # Volumes is hidden while the change lands
        namespace, name = uploads.key.split("/")
        obj = copy.deepcopy(demo.get("lh_volumes", namespace, name))
        obj["status"]["robustness"] = "faulted"
        demo.upsert(obj)
        await wait_until(pilot, lambda: app.store.row("volumes", uploads.key).robustness == "faulted",
                         10, "the watch event")
        await settle(pilot)
        await press(pilot, "3")
        table = app.screen.table
        assert table.keys[0] == uploads.key  # faulted sorts first
        assert "faulted" in screen_text(app).split("api/api-uploads", 1)[1].splitlines()[0]
        await press(pilot, "slash", *"UPLOADS", "enter")  # case-insensitive
        assert table.keys == [uploads.key]


async def test_under_a_filter_a_changed_row_enters_when_it_matches_and_leaves_when_it_stops(demo: Any) -> None:
    """Live changes while a filter stands: the rows shown are always exactly those whose text
    holds the query now, in the pane's order (a change moves its row, it does not refilter from
    stale text)."""
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "3", "slash", *"faulted", "enter")
        pane, table = app.screen, app.screen.table
        assert table.keys == []
        uploads = next(v for v in app.store.rows("volumes") if v.pvc == "api/api-uploads")
        namespace, name = uploads.key.split("/")

        async def robustness(value: str) -> None:
            obj = copy.deepcopy(demo.get("lh_volumes", namespace, name))
            obj["status"]["robustness"] = value
            demo.upsert(obj)
            await wait_until(pilot, lambda: app.store.row("volumes", uploads.key).robustness == value,
                             10, "the watch event")
            await settle(pilot)

        await robustness("faulted")
        assert table.keys == [uploads.key]
        assert "faulted" in screen_text(app).split("api/api-uploads", 1)[1].splitlines()[0]
        await press(pilot, "slash", "ctrl+u", *"attached", "enter")  # every attached volume, faulted first
        attached = [k for k in pane._keys if "attached" in pane._search_text(pane.rows_by_key[k])]
        assert table.keys == attached and table.keys[0] == uploads.key
        await robustness("healthy")
        assert uploads.key in table.keys and table.keys[0] != uploads.key  # moved back among the healthy
        assert table.keys == [k for k in pane._keys if "attached" in pane._search_text(pane.rows_by_key[k])]
        await press(pilot, "slash", "ctrl+u", *"faulted", "enter")
        assert table.keys == []


def frames_of(app: App[Any]) -> list[set[tuple[int, int]]]:
    """Record each frame the app writes from now on, as the (x, y) cells it covers (the headless
    driver writes nothing, but every frame still passes through the app's _display)."""
    frames: list[set[tuple[int, int]]] = []
    display = app._display

    def recorded(screen: Any, update: Any) -> None:
        if update is not None:
            if hasattr(update, "spans"):  # a partial update: (line, first cell, last cell) spans
                frames.append({(x, y) for y, x1, x2 in update.spans for x in range(x1, x2)})
            else:
                region = update.region
                frames.append({(x, y) for y in range(region.y, region.bottom) for x in range(region.x, region.right)})
        display(screen, update)

    app._display = recorded  # type: ignore[method-assign]
    return frames


async def test_a_narrowed_table_paints_its_rows_and_its_scrollbar_in_one_frame() -> None:
    """Narrowing 20,000 rows to 100 (as a filter keystroke does) redraws the rows and the
    scrollbar's thumb together, not the thumb a frame later (which a slow link shows as flicker)."""
    app, rows = TableApp(), Rows(ROWS)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        rows.show(table)
        await pilot.pause()
        frames = frames_of(app)
        rows.show(table, sorted(rows.state)[::200])
        await pilot.pause()
        await pilot.pause()
        scrollbar_x = table.region.right - 1
        assert len(frames) == 1, f"{len(frames)} frames"
        assert (scrollbar_x, 5) in frames[0] and (2, 5) in frames[0]  # a row's line and the thumb's column
        assert table.row_count == 100 and "vol-00200" in text(app)


async def test_a_filter_keystroke_echoes_and_narrows_the_pane_in_one_frame(demo: Any) -> None:
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "3", "slash")
        pane, frames = app.screen, frames_of(app)
        await press(pilot, "V")
        table = pane.table
        # what each row can be found by, as the pane builds it: exactly the rows holding "v"
        assert table.keys == [key for key in pane._keys if "v" in pane._search_text(pane.rows_by_key[key])]
        assert 0 < table.row_count < len(pane.rows_by_key)
        assert len(frames) == 1, f"{len(frames)} frames"
        prompt_y = table.region.bottom  # the filter line is the screen's last line, under the table
        assert any(y == prompt_y for _, y in frames[0])  # the echo
        assert any(table.region.y < y < prompt_y for _, y in frames[0])  # the narrowed rows
        assert screen_text(app).splitlines()[prompt_y].startswith(" /V")


class WrapApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable((Column("name", "NAME", 8), Column("why", "WHY", 12, flex=True, cut="wrap")), id="t")


async def test_a_wrapped_row_takes_the_lines_its_text_needs_as_it_changes() -> None:
    """Rows of a wrapped column are as tall as their text (the Overview's causes); a row whose
    text grows or shrinks gets its new height at the update, the others keep theirs."""
    app = WrapApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(ResourceTable)
        why = {f"r{i}": f"short {i}" for i in range(5)}

        def show() -> None:
            rows = {k: (Text(k), Text(v)) for k, v in why.items()}
            table.show(sorted(rows), rows.__getitem__, {k: v for k, v in why.items()})

        show()
        await pilot.pause()
        assert [line.split()[0] for line in text(app).splitlines()[1:6]] == ["r0", "r1", "r2", "r3", "r4"]
        why["r1"] = "a cause long enough to need three lines of this narrow column"
        show()
        await pilot.pause()
        lines = text(app).splitlines()
        assert lines[2].split()[0] == "r1" and "a cause" in lines[2]
        assert lines[3].startswith(" " * 10) and "need" in lines[3]  # r1's second line
        assert lines[4].split()[0] == "r2"
        why["r1"] = "short again"
        show()
        await pilot.pause()
        assert [line.split()[0] for line in text(app).splitlines()[1:6]] == ["r0", "r1", "r2", "r3", "r4"]
