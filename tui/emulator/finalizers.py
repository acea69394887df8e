"""The API server's finalizer rules, as pure functions the store and the deletion paths share.

An object with finalizers is not removed by DELETE: it gets `deletionTimestamp` (and
`deletionGracePeriodSeconds: 0`) and stays, MODIFIED, until a client writes its last finalizer
away; that write removes it (DELETED). A Namespace also waits for its `spec.finalizers`
("kubernetes": the namespace controller empties it, see namespace_lifecycle.py).
"""
from __future__ import annotations

from typing import Any

FOREGROUND = "foregroundDeletion"  # the owner waits until its dependents are gone
ORPHAN = "orphan"  # the owner waits until its dependents no longer point at it
NAMESPACE_FINALIZER = "kubernetes"


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def finalizers(obj: dict[str, Any]) -> list[str]:
    found = _meta(obj).get("finalizers")
    return [str(f) for f in found] if isinstance(found, list) else []


def _spec_finalizers(obj: dict[str, Any]) -> list[str]:
    spec = obj.get("spec")
    found = spec.get("finalizers") if isinstance(spec, dict) and obj.get("kind") == "Namespace" else None
    return [str(f) for f in found] if isinstance(found, list) else []


def pending(obj: dict[str, Any]) -> bool:
    """Does anything still hold this object's deletion?"""
    return bool(finalizers(obj) or _spec_finalizers(obj))


def deleting(obj: dict[str, Any]) -> bool:
    return bool(_meta(obj).get("deletionTimestamp"))


def marked(obj: dict[str, Any], stamp: str, add: tuple[str, ...] = ()) -> dict[str, Any]:
    """A copy of `obj` as DELETE leaves it while finalizers hold it (`add`: policy finalizers)."""
    meta = dict(_meta(obj))
    meta.setdefault("deletionTimestamp", stamp)
    meta["deletionGracePeriodSeconds"] = 0
    held = finalizers(obj)
    held += [f for f in add if f not in held]
    if held:
        meta["finalizers"] = held
    return {**obj, "metadata": meta}


def ready_to_remove(obj: dict[str, Any]) -> bool:
    """Marked for deletion, grace over, nothing holding it: the write that got here removes it."""
    meta = _meta(obj)
    return deleting(obj) and meta.get("deletionGracePeriodSeconds") == 0 and not pending(obj)


def without(obj: dict[str, Any], finalizer: str) -> dict[str, Any]:
    meta = dict(_meta(obj))
    meta["finalizers"] = [f for f in finalizers(obj) if f != finalizer]
    if not meta["finalizers"]:
        del meta["finalizers"]
    return {**obj, "metadata": meta}
