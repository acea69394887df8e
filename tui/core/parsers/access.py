"""Type-checked access into raw API objects (JSON trees that may be malformed).

Every parser reads through these, so a field of the wrong type reads as "unknown"
(None / empty) instead of raising.
"""
from __future__ import annotations

import sys
from functools import cache
from typing import Any, TypeVar, cast, overload

JSON = dict[str, Any]
T = TypeVar("T")


def dig(obj: Any, *path: str | int, default: Any = None) -> Any:
    """Walk dict keys (str) and list indexes (int); default when any step is missing or mistyped."""
    cur = obj
    for step in path:  # hot path: every parser reads through here, keep it lean
        if isinstance(cur, dict):
            if not isinstance(step, str):
                return default
            cur = cur.get(step)
            if cur is None:
                return default
        elif isinstance(cur, list) and isinstance(step, int) and -len(cur) <= step < len(cur):
            cur = cur[step]
            if cur is None:
                return default
        else:
            return default
    return default if cur is None else cur


def as_str(value: Any) -> str | None:
    """A non-empty string; numbers are shown as written; anything else is unknown."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def as_int(value: Any) -> int | None:
    """An int, also from an integral float or a decimal string ("21474836480")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("+", "-"):
            sign, text = text[0], text[1:]
        else:
            sign = ""
        # past 4300 digits int() refuses; no real field comes close
        if text.isascii() and text.isdigit() and len(text) <= 100:
            return int(sign + text)
    return None


def as_bool(value: Any) -> bool | None:
    """A bool, also from "true"/"false" strings (labels and annotations are strings)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    return None


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> JSON:
    return value if isinstance(value, dict) else {}


def dig_str(obj: Any, *path: str | int) -> str | None:
    value = dig(obj, *path)
    if isinstance(value, str):
        return value or None
    return as_str(value)


def dig_int(obj: Any, *path: str | int) -> int | None:
    return as_int(dig(obj, *path))


def dig_bool(obj: Any, *path: str | int) -> bool | None:
    return as_bool(dig(obj, *path))


def dig_list(obj: Any, *path: str | int) -> list[Any]:
    return as_list(dig(obj, *path))


def dig_dict(obj: Any, *path: str | int) -> JSON:
    return as_dict(dig(obj, *path))


def str_map(value: Any) -> dict[str, str]:
    """A string-to-string map (labels, annotations, selectors); other entries dropped."""
    return {k: v for k, v in as_dict(value).items() if isinstance(k, str) and isinstance(v, str)}


def name_of(obj: Any) -> str:
    return dig_str(obj, "metadata", "name") or ""


def namespace_of(obj: Any) -> str | None:
    return dig_str(obj, "metadata", "namespace")


def labels_of(obj: Any) -> dict[str, str]:
    return str_map(dig(obj, "metadata", "labels"))


def annotations_of(obj: Any) -> dict[str, str]:
    return str_map(dig(obj, "metadata", "annotations"))


def conditions_by_type(obj: Any, *path: str | int) -> dict[str, JSON]:
    """Condition objects keyed by type (first one wins), from a list at path."""
    out: dict[str, JSON] = {}
    for cond in dig_list(obj, *path):
        ctype = dig_str(cond, "type")
        if ctype and ctype not in out:
            out[ctype] = cond
    return out


def condition_status(cond: Any) -> bool | None:
    """"True"/"False" -> bool; "Unknown", missing or mistyped -> None."""
    status = dig(cond, "status")
    if isinstance(status, bool):
        return status
    if status == "True":
        return True
    if status == "False":
        return False
    return None


def str_tuple(value: Any) -> tuple[str, ...]:
    """The string entries of a list, in order."""
    return tuple(v for v in as_list(value) if isinstance(v, str) and v)


def selector_matches(selector: Any, labels: dict[str, str]) -> bool:
    """A LabelSelector ({matchLabels, matchExpressions}) against labels; empty selects all."""
    sel = as_dict(selector)
    for label, wanted in str_map(sel.get("matchLabels")).items():
        if labels.get(label) != wanted:
            return False
    for expr in as_list(sel.get("matchExpressions")):
        key = dig_str(expr, "key")
        operator = dig_str(expr, "operator")
        values = set(str_tuple(dig(expr, "values")))
        if key is None or operator is None:
            return False
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def evolve(row: T, **changes: Any) -> T:
    """dataclasses.replace for our frozen rows, without re-running __init__ (20k rows a pass).
    Rows have slots (a third of the memory of a __dict__ each, at three rows per volume)."""
    cls = type(row)
    new = object.__new__(cls)
    for name in _slots_of(cast("Any", cls)):
        object.__setattr__(new, name, changes[name] if name in changes else getattr(row, name))
    return new


@cache
def _slots_of(cls: Any) -> tuple[str, ...]:
    return tuple(name for klass in cls.__mro__ for name in getattr(klass, "__slots__", ()))


@overload
def shared(text: str) -> str: ...
@overload
def shared(text: str | None) -> str | None: ...
def shared(text: str | None) -> str | None:
    """One copy of a value many rows repeat (a namespace, a node, a state, a label): 20,000 pod
    rows then hold a reference each instead of 20,000 equal strings. Interned strings go when
    no row holds them any more."""
    return sys.intern(text) if type(text) is str else text
