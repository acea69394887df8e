"""What the emulated Argo CD applies when a sync or rollback of an app to a revision succeeds.

The emulator has no Git repository: a seed may register, per (app, commit SHA), the objects
that revision holds which differ from the live state (the demo registers the wiki-db
ConfigMap of each wiki revision, so a rollback really replaces the refused option and the
next restart of wiki-db-0 succeeds). Unregistered revisions apply nothing.
"""
from __future__ import annotations

import copy
from typing import Any

_AT: dict[tuple[str, str], list[dict[str, Any]]] = {}


def register(app: str, revision: str, objects: list[dict[str, Any]]) -> None:
    _AT[(app, revision)] = copy.deepcopy(objects)


def objects_at(app: str, revision: str) -> list[dict[str, Any]]:
    return copy.deepcopy(_AT.get((app, revision), []))
