"""FrozenView: one moment of the store, taken on the event loop, that a thread may read.

The ClusterStore fills caches as it is read and is changed by `handle` on the loop, so
threads (action planning, replanning, running) never read it: they get a FrozenView.
Rows are frozen dataclasses and objects are replaced on change, never mutated, so copying
the containers is enough (packed objects are decoded when read, tui/core/packed.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tui.core.index import ImpactIndex
from tui.core.kinds import KINDS
from tui.core.packed import Held, unpack
from tui.core.store import LAYERS, ClusterStore


class FrozenView:
    """A StoreView (tui.core.ports) that never changes after it was taken."""

    def __init__(self, rows: dict[str, list[Any]], objects: dict[str, dict[str, Held]],
                 impact: ImpactIndex, version: int) -> None:
        self._rows = rows
        self._by_key = {layer: {row.key: row for row in layer_rows} for layer, layer_rows in rows.items()}
        self._objects = objects
        self._impact = impact
        self.version = version

    def rows(self, layer: str) -> list[Any]:
        if layer not in self._rows:
            raise KeyError(f"unknown layer {layer!r}; layers are {', '.join(self._rows)}")
        return list(self._rows[layer])

    def row(self, layer: str, key: str) -> Any:
        if layer not in self._by_key:
            raise KeyError(f"unknown layer {layer!r}; layers are {', '.join(self._by_key)}")
        return self._by_key[layer].get(key)

    def objects(self, key: str) -> list[dict[str, Any]]:
        return [unpack(held) for held in self._objects.get(key, {}).values()]

    def get(self, key: str, object_key: str) -> dict[str, Any] | None:
        held = self._objects.get(key, {}).get(object_key)
        return None if held is None else unpack(held)

    def impact(self) -> ImpactIndex:
        return self._impact


def freeze(store: ClusterStore, layers: Iterable[str] = LAYERS,
           kinds: Iterable[str] = KINDS) -> FrozenView:
    """Call on the loop thread (the store's only reader and writer)."""
    return FrozenView(
        rows={layer: list(store.rows(layer)) for layer in layers},
        objects={key: store.held(key) for key in kinds},
        impact=store.impact(),
        version=store.version,
    )
