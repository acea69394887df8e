"""Turn the store's ImpactIndex answer into the "objects affected" lines a plan shows."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..findings import Finding
from ..ports import StoreView


def impact_lines(store: StoreView, view: Callable[[Any], Any], key: str) -> tuple[str | Finding, ...]:
    """Lines for one impact view (e.g. ``lambda i: i.for_volume``); empty when the index is unavailable."""
    if store is None:
        return ()
    try:
        impact = view(store.impact())(key)
    except Exception:  # noqa: BLE001 - the index is a preview aid: a bug there must not block the action
        return ()
    out: list[str | Finding] = []
    for label, attr in (("workload", "workloads"), ("route", "routes"), ("LB", "load_balancers"),
                        ("Argo CD app", "apps")):
        out += [f"{label} {k}" for k in getattr(impact, attr, ()) or ()]
    out += list(getattr(impact, "findings", ()) or ())  # Findings: the confirm dialog colours them
    return tuple(out)
