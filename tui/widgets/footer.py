"""KeyFooter: Textual's Footer without its leak under frequent key refreshes.

Each FooterKey data-binds `compact` to the Footer, which appends a (key, setter) watcher to the
Footer and drops it only when `compact` changes (it never does). Every rebuild of the footer
(each `refresh_bindings` whose keys changed) so kept its old FooterKeys alive: 104 → 1,601 in
40 s of churn. After each rebuild we drop the watchers of keys that are gone.
"""
from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeyFooter(Footer):
    async def recompose(self) -> None:
        await super().recompose()
        self._drop_gone_watchers()

    def _drop_gone_watchers(self) -> None:
        watchers: dict[str, list[tuple[Any, Any]]] = getattr(self, "__watchers", None) or {}
        for callbacks in watchers.values():
            # a removed widget is closed (MessagePump._closed) and will never be mounted again
            callbacks[:] = [(node, callback) for node, callback in callbacks
                            if not getattr(node, "_closed", False)]
