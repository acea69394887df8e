"""What the emulated Argo CD knows of git: what a sync or rollback of an app to a revision applies,
and (register_desired) each app's desired objects at its target revision, for managed-resources.

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


# What git holds at the head of each app's target revision (the rendered manifests), keyed by
# (apiVersion, kind, namespace, name): the desired side of the managed-resources diff.
_DESIRED: dict[str, dict[tuple[str, str, str, str], dict[str, Any]]] = {}


def register_desired(app: str, objects: list[dict[str, Any]]) -> None:
    _DESIRED[app] = {_ref(o): copy.deepcopy(o) for o in objects}


def desired_of(app: str, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
    """The object as git holds it, or None (not in git, or no git registered for the app)."""
    found = _DESIRED.get(app, {}).get((api_version, kind, namespace, name))
    return copy.deepcopy(found) if found is not None else None


def knows_desired(app: str) -> bool:
    return app in _DESIRED


def _ref(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    return (str(obj.get("apiVersion") or ""), str(obj.get("kind") or ""),
            str(meta.get("namespace") or ""), str(meta.get("name") or ""))
