"""The three PATCH flavours kubectl and clients send, applied to a plain dict.

Strategic merge patch is treated as JSON merge patch with lists replaced wholesale: we
have no Go struct tags telling which lists merge by key, and our callers (kubectl rollout
restart, cordon) only touch maps and scalars. Like the real API, the server refuses it
for custom resources (kube_api.py), so code that works here works on a cluster.
"""
from __future__ import annotations

import copy
from typing import Any

import jsonpatch

MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
SUPPORTED = (MERGE, STRATEGIC, JSON_PATCH)


class PatchError(ValueError):
    """A patch that cannot be applied (422 in the real API)."""


def merge_patch(target: Any, patch: Any, strategic: bool = False) -> Any:
    """RFC 7386: maps merge recursively, null deletes, everything else replaces. Strategic merge
    also honours a map's `$patch: replace` (the map replaces the target's wholesale, as
    `kubectl rollout undo` of a StatefulSet sends) and `$patch: delete`; lists replace."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if strategic and patch.get("$patch") == "replace":
        target = {}
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if isinstance(key, str) and key.startswith("$"):  # strategic-merge directives
            continue
        if value is None or (strategic and isinstance(value, dict) and value.get("$patch") == "delete"):
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value, strategic)
    return result


def apply_patch(obj: dict[str, Any], patch: Any, content_type: str) -> dict[str, Any]:
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in (MERGE, STRATEGIC):
        if not isinstance(patch, dict):
            raise PatchError("merge patch body must be a JSON object")
        return merge_patch(obj, patch, strategic=ctype == STRATEGIC)
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
