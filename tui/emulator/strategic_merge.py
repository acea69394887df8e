"""Strategic merge patch (what kubectl set/apply/edit send for built-in kinds), driven by the
`x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` of the served schemas.

Maps merge (null deletes); lists of a `merge` strategy merge by their merge key (or as a set,
for primitive lists); other lists replace. Directives: `$patch: replace|delete|merge` on a map
or a list item, `$retainKeys`, `$setElementOrder/<field>`, `$deleteFromPrimitiveList/<field>`.
"""
from __future__ import annotations

from typing import Any

from tui.emulator.schemas import resolve
from tui.emulator.store import clone

Defs = dict[str, dict[str, Any]]
_ORDER = "$setElementOrder/"
_DELETE_PRIMITIVES = "$deleteFromPrimitiveList/"


class StrategicMergeError(ValueError):
    """A directive the patch cannot carry out (422 in the real API)."""


def strategic_merge(original: dict[str, Any], patch: dict[str, Any], schema: dict[str, Any],
                    defs: Defs) -> dict[str, Any]:
    return _merge_map(original, patch, resolve(schema, defs), defs)


def child_schema(schema: dict[str, Any], key: str, defs: Defs) -> dict[str, Any]:
    """The schema of a map's field (patch tags of the field kept), or of a map value."""
    props = schema.get("properties")
    if isinstance(props, dict) and key in props:
        return resolve(props[key], defs)
    extra = schema.get("additionalProperties")
    return resolve(extra, defs) if isinstance(extra, dict) else {}


def _merge_map(original: Any, patch: dict[str, Any], schema: dict[str, Any], defs: Defs) -> dict[str, Any]:
    directive = patch.get("$patch")
    if directive not in (None, "replace", "merge", "delete"):
        raise StrategicMergeError(f"Unknown patch type: {directive}")
    base = original if isinstance(original, dict) and directive != "replace" else {}
    result = clone(base)
    retain = patch.get("$retainKeys")
    if retain is not None:
        if not isinstance(retain, list):
            raise StrategicMergeError("$retainKeys must be a list of field names")
        result = {k: v for k, v in result.items() if k in retain}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        field = child_schema(schema, key, defs)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            if value.get("$patch") == "delete":
                result.pop(key, None)
            else:
                result[key] = _merge_map(result.get(key), value, field, defs)
        elif isinstance(value, list):
            result[key] = _merge_list(result.get(key), value, field, defs)
        else:
            result[key] = value
    for key, value in patch.items():
        if key.startswith(_DELETE_PRIMITIVES) and isinstance(result.get(key[len(_DELETE_PRIMITIVES):]), list):
            name = key[len(_DELETE_PRIMITIVES):]
            gone = value if isinstance(value, list) else [value]
            result[name] = [v for v in result[name] if v not in gone]
    for key, value in patch.items():
        if key.startswith(_ORDER) and isinstance(value, list) and isinstance(result.get(key[len(_ORDER):]), list):
            name = key[len(_ORDER):]
            merge_key = child_schema(schema, name, defs).get("x-kubernetes-patch-merge-key", "")
            result[name] = _ordered(result[name], value, merge_key)
    return result


def _merge_list(original: Any, patch: list[Any], field: dict[str, Any], defs: Defs) -> list[Any]:
    """A list merges by key when its field says so: patch tags (built-in kinds) or
    `x-kubernetes-list-type: map|set` (CRD schemas, reached through server-side apply)."""
    items = resolve(field.get("items"), defs)
    list_type = field.get("x-kubernetes-list-type")
    merging = "merge" in str(field.get("x-kubernetes-patch-strategy", "")).split(",") or list_type in ("map", "set")
    keys = list_keys(field)
    replace = any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch)
    if not merging or replace or not isinstance(original, list):
        return [_clean(x, items, defs) for x in patch if not (isinstance(x, dict) and x.get("$patch") == "replace")]
    out = clone(original)
    if not keys:  # a set of primitives (finalizers, podCIDRs)
        return out + [v for i, v in enumerate(patch) if v not in out and v not in patch[:i]]
    for item in patch:
        if not isinstance(item, dict) or any(k not in item for k in keys):
            raise StrategicMergeError(f"map: {item!r} does not contain declared merge key: {', '.join(keys)}")
        at = next((i for i, x in enumerate(out)
                   if isinstance(x, dict) and all(x.get(k) == item[k] for k in keys)), None)
        if item.get("$patch") == "delete":
            if at is not None:
                del out[at]
        elif at is None:
            out.append(_merge_map({}, item, items, defs))
        else:
            out[at] = _merge_map(out[at], item, items, defs)
    return out


def list_keys(field: dict[str, Any]) -> list[str]:
    """The keys that identify an item of a list: its patch merge key, or a CRD's list-map-keys."""
    key = field.get("x-kubernetes-patch-merge-key")
    if key:
        return [str(key)]
    found = field.get("x-kubernetes-list-map-keys")
    return [str(k) for k in found] if isinstance(found, list) and field.get("x-kubernetes-list-type") == "map" else []


def _clean(value: Any, schema: dict[str, Any], defs: Defs) -> Any:
    """A patch value placed as is, with any directives inside it applied to nothing."""
    return _merge_map({}, value, schema, defs) if isinstance(value, dict) else value


def _ordered(items: list[Any], order: list[Any], merge_key: str) -> list[Any]:
    """Items named in `$setElementOrder` first, in its order; items only the server has after."""
    def ident(x: Any) -> Any:
        return x.get(merge_key) if merge_key and isinstance(x, dict) else x

    wanted = [ident(o) for o in order]
    rank = {repr(w): i for i, w in enumerate(wanted)}
    named = sorted((x for x in items if repr(ident(x)) in rank), key=lambda x: rank[repr(ident(x))])
    return named + [x for x in items if repr(ident(x)) not in rank]
