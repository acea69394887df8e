"""The three PATCH flavours kubectl and clients send, applied to a plain dict.

Strategic merge patch follows the kind's schema (strategic_merge.py); like the real API, the
server refuses it for custom resources (kube_api.py), so code that works here works on a cluster.
"""
from __future__ import annotations

import copy
from typing import Any

import jsonpatch

from tui.emulator.strategic_merge import StrategicMergeError, strategic_merge

MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
SUPPORTED = (MERGE, STRATEGIC, JSON_PATCH)


class PatchError(ValueError):
    """A patch that cannot be applied (422 in the real API)."""


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: maps merge recursively, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def apply_patch(obj: dict[str, Any], patch: Any, content_type: str,
                schema: tuple[dict[str, Any], dict[str, dict[str, Any]]] = ({}, {})) -> dict[str, Any]:
    """`schema` (root schema, definitions) tells strategic merge which lists merge by key."""
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in (MERGE, STRATEGIC):
        if not isinstance(patch, dict):
            raise PatchError("merge patch body must be a JSON object")
        if ctype == MERGE:
            return merge_patch(obj, patch)
        try:
            return strategic_merge(obj, patch, *schema)
        except StrategicMergeError as exc:
            raise PatchError(str(exc)) from exc
    if ctype == JSON_PATCH:
        if not isinstance(patch, list):
            raise PatchError("json patch body must be a JSON array of operations")
        try:
            result = jsonpatch.apply_patch(obj, patch)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, KeyError,
                IndexError, TypeError) as exc:
            raise PatchError(f"the json patch could not be applied: {exc}") from exc
        if not isinstance(result, dict):
            raise PatchError("json patch replaced the object with a non-object")
        return result
    raise PatchError(f"unsupported patch content type {ctype!r}; use one of {', '.join(SUPPORTED)}")
