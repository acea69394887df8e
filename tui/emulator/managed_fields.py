"""managedFields in the API's FieldsV1 form: which fields of an object a manager set.

`{"f:spec": {"f:replicas": {}}}`; an item of a list merged by key is `k:{"name":"web"}`, a
value of a set-like primitive list `v:"x"`; maps of free keys (labels) and list items carry
`.` for themselves. Lists without a merge key are atomic: one leaf. The list keys come from
the same schemas strategic merge uses (x-kubernetes-patch-merge-key, or a CRD's
x-kubernetes-list-map-keys).
"""
from __future__ import annotations

import json
from typing import Any

from tui.emulator.schemas import resolve
from tui.emulator.strategic_merge import child_schema, list_keys

Defs = dict[str, dict[str, Any]]
Path = tuple[str, ...]
_SKIP_TOP = {"apiVersion", "kind"}
_SKIP_META = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
              "managedFields", "selfLink", "deletionTimestamp"}


def _is_set(field: dict[str, Any]) -> bool:
    return field.get("x-kubernetes-list-type") == "set" or (
        "merge" in str(field.get("x-kubernetes-patch-strategy", "")).split(",") and not list_keys(field))


def item_key(item: dict[str, Any], keys: list[str]) -> str:
    return "k:" + json.dumps({k: item.get(k) for k in keys}, separators=(",", ":"), sort_keys=True)


def fields_of(obj: dict[str, Any], schema: dict[str, Any], defs: Defs) -> dict[str, Any]:
    """The FieldsV1 set of every field `obj` sets (identity fields of metadata left out)."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key in _SKIP_TOP or key == "status":
            continue
        if key == "metadata" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in _SKIP_META}
            if not value:
                continue
        out[f"f:{key}"] = _node(value, child_schema(schema, key, defs), defs)
    return out


def _node(value: Any, field: dict[str, Any], defs: Defs, owned_self: bool = False) -> dict[str, Any]:
    node: dict[str, Any] = {".": {}} if owned_self else {}
    if isinstance(value, dict) and value:
        free_keys = not field.get("properties") and (isinstance(field.get("additionalProperties"), dict)
                                                    or field.get("x-kubernetes-preserve-unknown-fields"))
        if free_keys:
            node["."] = {}
        for key, item in value.items():
            node[f"f:{key}"] = _node(item, child_schema(field, key, defs), defs)
    elif isinstance(value, list) and value:
        keys = list_keys(field)
        items = resolve(field.get("items"), defs)
        if keys and all(isinstance(i, dict) for i in value):
            for item in value:
                node[item_key(item, keys)] = _node(item, items, defs, owned_self=True)
        elif _is_set(field):
            for item in value:
                node["v:" + json.dumps(item, separators=(",", ":"))] = {}
    return node


def leaves(fields: dict[str, Any], prefix: Path = ()) -> set[Path]:
    """Every owned path: leaves, and `.` marks (a map or list item owned as a whole)."""
    out: set[Path] = set()
    for key, child in fields.items():
        path = (*prefix, key)
        if key == ".":
            out.add(prefix)
        elif child:
            out |= leaves(child, path)
        else:
            out.add(path)
    return out


def from_leaves(paths: set[Path]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for path in sorted(paths):
        node = root
        for part in path:
            node = node.setdefault(part, {})
        if path and any(other[:len(path)] == path and len(other) > len(path) for other in paths):
            node["."] = {}
    return root


def value_at(obj: Any, path: Path) -> tuple[bool, Any]:
    """(found, value) of a FieldsV1 path in an object."""
    node = obj
    for part in path:
        if part.startswith("f:") and isinstance(node, dict) and part[2:] in node:
            node = node[part[2:]]
        elif part.startswith("k:") and isinstance(node, list):
            want = json.loads(part[2:])
            node = next((i for i in node if isinstance(i, dict) and all(i.get(k) == v for k, v in want.items())),
                        _MISSING)
        elif part.startswith("v:") and isinstance(node, list):
            want = json.loads(part[2:])
            node = want if want in node else _MISSING
        else:
            node = _MISSING
        if node is _MISSING:
            return False, None
    return True, node


def remove_at(obj: Any, path: Path) -> None:
    """Drop the field (or list item / set value) a path names, if present."""
    if not path:
        return
    found, parent = value_at(obj, path[:-1])
    last = path[-1]
    if not found:
        return
    if last.startswith("f:") and isinstance(parent, dict):
        parent.pop(last[2:], None)
    elif last.startswith("k:") and isinstance(parent, list):
        want = json.loads(last[2:])
        parent[:] = [i for i in parent if not (isinstance(i, dict) and all(i.get(k) == v for k, v in want.items()))]
    elif last.startswith("v:") and isinstance(parent, list):
        want = json.loads(last[2:])
        parent[:] = [i for i in parent if i != want]


_MISSING = object()


def entry(manager: str, operation: str, api_version: str, fields: dict[str, Any], time: str) -> dict[str, Any]:
    return {"manager": manager, "operation": operation, "apiVersion": api_version, "time": time,
            "fieldsType": "FieldsV1", "fieldsV1": fields}
