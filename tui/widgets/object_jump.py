"""ctrl+p: jump to any object by name. A command-palette Provider over the store's rows."""
from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.core.ports import Deck

# (store layer, pane that lists it, what to call it)
JUMP_LAYERS = (
    ("nodes", "nodes", "node"),
    ("volumes", "volumes", "volume"),
    ("ip_pools", "network", "pool"),
    ("load_balancers", "network", "service"),
    ("routes", "routes", "route"),
    ("apps", "apps", "app"),
    ("workloads", "workloads", "workload"),
)


def jump_targets(store: Any) -> Iterator[tuple[str, str, str, str]]:
    """(search text, pane, row key, label) for every object the panes list."""
    for layer, pane, what in JUMP_LAYERS:
        for row in store.rows(layer):
            words = [row.key]
            for extra in ("pvc", "hosts", "ips"):
                value = getattr(row, extra, None)
                if isinstance(value, str):
                    words.append(value)
                elif isinstance(value, tuple):
                    words.extend(str(v) for v in value)
            label = " ".join(dict.fromkeys(words))
            yield f"{what} {label}", pane, row.key, f"{what:<9}{label}"


class ObjectJumpProvider(Provider):
    """Objects by name: node, volume (and its PVC), pool, service (and IP), route (and host)..."""

    def _targets(self) -> list[tuple[str, str, str, str]]:
        return list(jump_targets(cast("Deck", self.app).store))

    async def discover(self) -> Hits:
        for text, pane, key, label in self._targets()[:12]:
            yield DiscoveryHit(label, partial(self._jump, pane, key), text=text, help=f"open in {pane}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, pane, key, label in self._targets():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self._jump, pane, key),
                          text=text, help=f"open in {pane}")

    def _jump(self, pane: str, key: str) -> None:
        self.app.run_worker(cast("Deck", self.app).jump_to(pane, key), group="jump", exit_on_error=False)
