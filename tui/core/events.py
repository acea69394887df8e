"""What sources hand to the store: a relist, one watch event, or a health change.

Watch threads build these and hand them to the event loop; ``ClusterStore.handle`` is the
only consumer, so the store is mutated on one thread only.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from tui.core.packed import Held


class SourceState(str, Enum):
    CONNECTING = "connecting"  # before the first list answered
    OK = "ok"
    STALE = "stale"  # was ok, lost the connection; data shown is as of `since`
    FORBIDDEN = "forbidden"  # 403: RBAC does not let us list/watch it
    NOT_INSTALLED = "not_installed"  # 404 on the collection: the CRD (add-on) is absent
    ERROR = "error"  # anything else (500, bad JSON); retried like stale
    NOT_IN_DUMP = "not_in_dump"  # an offline dump without this kind: unknown, never "none"


# the states in which a source has nothing to show and nothing is wrong with it
ABSENT_STATES = frozenset({SourceState.NOT_INSTALLED, SourceState.NOT_IN_DUMP})


@dataclass(frozen=True)
class SourceHealth:
    key: str  # KINDS key, e.g. "lh_volumes"
    state: SourceState
    since: datetime | None = None  # when this state began
    detail: str | None = None  # one line for humans: "connection refused", "cannot list volumes.longhorn.io"
    retry_in: float | None = None  # seconds until the next attempt, when retrying
    retry_at: datetime | None = None  # when the next attempt starts (the banner counts down to it)

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "since": self.since.isoformat().replace("+00:00", "Z") if self.since else None,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Relisted:
    """A full list answered: the store replaces the kind's objects wholesale."""

    key: str
    objects: Sequence[Held]
    resource_version: str | None = None
    # what a polled HTTP API said besides the list (Traefik: the providers it runs); kube: None
    facts: dict[str, Any] | None = None
    # how many objects the list held when the source kept fewer (the newest events): None, all
    listed: int | None = None


@dataclass(frozen=True)
class ListPage:
    """One page of a list that continues (`limit`/`continue`): its objects show at once; the
    Relisted that ends the list replaces them wholesale. `total` is what the server said the
    list holds (items so far + remainingItemCount), None when it did not say."""

    key: str
    objects: Sequence[Held]
    loaded: int
    total: int | None = None


@dataclass(frozen=True)
class Changed:
    """One watch event: type is ADDED, MODIFIED or DELETED."""

    key: str
    type: str
    obj: Held


@dataclass(frozen=True)
class HealthChanged:
    health: SourceHealth


SourceEvent = Relisted | ListPage | Changed | HealthChanged
