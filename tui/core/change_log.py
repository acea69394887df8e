"""What moved the store's version, object by object.

Every version step is one entry: (source, object key), or (source, None) when the whole source
changed (a relist, a health change, an event that evicted older ones). Readers that built
something at version v ask what changed since v and update only those objects: the parse
caches, one-row-per-object layers, the impact index and the table a pane shows. A reader whose
version the log no longer reaches, or that finds a whole-source entry, builds afresh.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection

# changes to anything that is not a watched kind (source health, a list's paging progress)
HEALTH = "__health__"

Changes = dict[str, "set[str] | None"]  # source -> object keys changed (None: all of them)


class ChangeLog:
    def __init__(self, keep: int = 4096) -> None:
        self._versions: list[int] = []
        self._entries: list[tuple[str, str | None]] = []
        self._floor = 0  # what changed at or before this version is forgotten
        self._keep = keep

    def record(self, version: int, source: str, key: str | None) -> None:
        self._versions.append(version)
        self._entries.append((source, key))
        if len(self._versions) > 2 * self._keep:  # forget in halves: amortised O(1) per entry
            cut = len(self._versions) - self._keep
            self._floor = self._versions[cut - 1]
            del self._versions[:cut]
            del self._entries[:cut]

    def since(self, version: int, sources: Collection[str] | None = None) -> Changes | None:
        """What changed after `version` (only in `sources`, when given); None when the log no
        longer reaches back that far."""
        if version < self._floor:
            return None
        out: Changes = {}
        for source, key in self._entries[bisect_right(self._versions, version):]:
            if sources is not None and source not in sources:
                continue
            if key is None:
                out[source] = None
            else:
                keys = out.setdefault(source, set())
                if keys is not None:
                    keys.add(key)
        return out

    def keys_since(self, version: int, source: str) -> set[str] | None:
        """The object keys of one source changed after `version`; None when unknown (the log
        does not reach back, or the whole source changed)."""
        changes = self.since(version, (source,))
        return None if changes is None else changes.get(source, set())
