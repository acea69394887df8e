"""Textual's styled lines (a table line inside its border, padding and tint) kept per drawn line.

Textual styles every line of a widget afresh whenever it scrolls: at 120x40 that is half of what
a PageDown over already drawn rows costs. A virtual table hands back the same Strip object for a
line it drew before (resource_table's cache), so the styled line can be kept with it: found
again when the same Strip comes back under the same look (sizes, colours, border, tint), else
styled by Textual as before. Only content lines are kept; border and padding lines are styled
as ever.
"""
from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Any

from textual._styles_cache import StylesCache
from textual.geometry import Region
from textual.strip import Strip


class KeptStyledLines(StylesCache):
    def __init__(self, keep: Callable[[], int]) -> None:
        super().__init__()
        self._keep = keep  # how many styled lines to keep (the widget's say: a few screenfuls)
        self._kept: dict[tuple[int, int], tuple[Strip, Strip]] = {}
        self._looks: dict[tuple[Any, ...], int] = {}  # each look seen -> its number
        self._look: int | None = None  # the look of this paint, once a line asked for it

    def render(self, styles: Any, *args: Any, **kwargs: Any) -> list[Strip]:
        self._look = None  # read once per paint rather than once per line (hashing it is not cheap)
        return super().render(styles, *args, **kwargs)

    def render_line(self, styles: Any, y: int, size: Any, content_size: Any, padding: Any,
                    base_background: Any, background: Any, render_content_line: Any,
                    border_title: Any, border_subtitle: Any, opacity: float, ansi_theme: Any,
                    native_ansi: bool) -> Strip:
        content_y = y - styles.gutter.top
        if y == 0 or y >= size.height - 1 or not 0 <= content_y < content_size.height:
            return super().render_line(styles, y, size, content_size, padding, base_background, background,
                                       render_content_line, border_title, border_subtitle, opacity,
                                       ansi_theme, native_ansi)
        content = render_content_line(content_y)
        if self._look is None:
            look = (size, content_size, padding, base_background, background, opacity, ansi_theme, native_ansi,
                    styles.border, styles.outline, styles.tint, styles.text_opacity, styles.get_rule("hatch"))
            if len(self._looks) > 64:  # looks come and go (focus, themes): lines of old looks go too
                self._looks.clear()
                self._kept.clear()
            self._look = self._looks.setdefault(look, len(self._looks))
        key = (id(content), self._look)
        kept = self._kept.get(key)
        if kept is not None and kept[0] is content:  # the same Strip (an id is reused once it is freed)
            return kept[1]
        styled = super().render_line(styles, y, size, content_size, padding, base_background, background,
                                     lambda _: content, border_title, border_subtitle, opacity,
                                     ansi_theme, native_ansi)
        keep = self._keep()
        if len(self._kept) >= keep:  # the oldest half goes
            for old in list(islice(self._kept, keep // 2)):
                del self._kept[old]
        self._kept[key] = (content, styled)
        return styled

    def style_ahead(self, widget: Any, crop: Region) -> None:
        """Style lines `crop` of what the widget's render_line answers now (a page it will show
        next) into the kept lines only: the lines Textual keeps per row on screen stay as they are."""
        on_screen, dirty, width = self._cache, self._dirty_lines, self._width
        self._cache, self._dirty_lines = {}, set()
        try:
            self.render_widget(widget, crop)
        finally:
            self._cache, self._dirty_lines, self._width = on_screen, dirty, width

