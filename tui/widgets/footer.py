"""KeyFooter: Textual's Footer, rebuilt only when the keys it shows change, and without its leak.

Textual's Footer recomposes (removes and mounts a widget per key, and styles them) on every
`refresh_bindings`, whatever changed: about 25 ms each, several times when a pane opens and
whenever the cursor moves to a row where another action applies. Here a refresh whose keys,
labels and order are the ones already shown changes nothing, and one where only which keys are
dimmed changed re-dims the keys in place; either looks exactly as the rebuild would.

Each FooterKey data-binds `compact` to the Footer, which appends a (key, setter) watcher to the
Footer and drops it only when `compact` changes (it never does). Every rebuild of the footer
so kept its old FooterKeys alive: 104 → 1,601 in 40 s of churn. After each rebuild we drop the
watchers of keys that are gone.
"""
from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    _keys_layout: tuple[Any, ...] | None = None  # what the last rebuild showed, dimming aside

    def bindings_changed(self, screen: Any) -> None:
        if self._keys_layout is not None:  # keys shown: rebuilt after the next refresh, as Textual does
            super().bindings_changed(screen)
            return
        # the first keys (a pane's first show): built before its first paint, not in a second
        # mount and frame after it
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_next(self.recompose)

    async def recompose(self) -> None:
        layout, enabled = self._shown_keys()
        if layout == self._keys_layout and self._redim(enabled):
            return
        await super().recompose()
        self._drop_gone_watchers()

    def compose(self) -> ComposeResult:
        # what this rebuild shows, read when it is built (bindings may change while it waits)
        self._keys_layout = self._shown_keys()[0] if self._bindings_ready else None
        yield from super().compose()

    def _shown_keys(self) -> tuple[tuple[Any, ...], dict[str, bool]]:
        """(everything compose reads from the bindings but whether each is enabled, key -> enabled)."""
        if not self._bindings_ready or not self.is_attached:
            return (), {}
        app = self.app
        layout: list[Any] = [self.show_command_palette, app.ENABLE_COMMAND_PALETTE]
        enabled: dict[str, bool] = {}
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if binding.show or key == app.COMMAND_PALETTE_BINDING:
                layout.append((key, binding.show, binding.action, binding.description, active.tooltip,
                               binding.tooltip, binding.group, app.get_key_display(binding)))
                enabled[key] = active.enabled
        return tuple(layout), enabled

    def _redim(self, enabled: dict[str, bool]) -> bool:
        """Dim or undim the shown keys in place, as a rebuild would have built them; False when a
        shown key is not in `enabled` (rebuild then)."""
        keys = list(self.query(FooterKey))
        if any(k.key not in enabled for k in keys):
            return False
        for key in keys:
            disabled = not enabled[key.key]
            if disabled != key._disabled:  # noqa: SLF001 - FooterKey keeps it there (mouse clicks read it)
                key._disabled = disabled  # noqa: SLF001
                key.set_class(disabled, "-disabled")
        return True

    def _drop_gone_watchers(self) -> None:
        watchers: dict[str, list[tuple[Any, Any]]] = getattr(self, "__watchers", None) or {}
        for callbacks in watchers.values():
            # a removed widget is closed (MessagePump._closed) and will never be mounted again
            callbacks[:] = [(node, callback) for node, callback in callbacks
                            if not getattr(node, "_closed", False)]
