"""Seed objects from a file: multi-document YAML, a `kind: List` (what `kubectl get -o yaml`
writes) or the same as JSON. Every problem names the file and line."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SeedError(ValueError):
    """A seed file we cannot serve; str() is one line naming file:line."""


def _check(obj: Any, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise SeedError(f"{where}: expected a Kubernetes object (a mapping), got {type(obj).__name__}")
    for field in ("apiVersion", "kind"):
        if not isinstance(obj.get(field), str) or not obj[field]:
            raise SeedError(f"{where}: object has no {field}")
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
        raise SeedError(f"{where}: {obj['kind']} has no metadata.name")
    return obj


def _is_list(obj: Any) -> bool:
    return isinstance(obj, dict) and str(obj.get("kind", "")).endswith("List") and isinstance(obj.get("items"), list)


def objects_from(doc: Any, where: str, item_where: list[str] | None = None) -> list[dict[str, Any]]:
    """One document's objects: a List is flattened (its items checked one by one)."""
    if _is_list(doc):
        out = []
        for i, item in enumerate(doc["items"]):
            place = item_where[i] if item_where and i < len(item_where) else f"{where} (items[{i}])"
            out.extend(objects_from(item, place))
        return out
    return [_check(doc, where)]


def _item_lines(node: yaml.Node, path: str) -> list[str]:
    """file:line of each entry under `items:` of a List document node."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "items" and isinstance(value, yaml.SequenceNode):
            return [f"{path}:{item.start_mark.line + 1}" for item in value.value]
    return []


def load_seed_text(text: str, path: str = "<seed>") -> list[dict[str, Any]]:
    if text.lstrip().startswith("{"):
        try:  # `kubectl get -o json` dumps: json is much faster than YAML for 20k objects
            return objects_from(json.loads(text), f"{path}:1")
        except json.JSONDecodeError:
            pass  # fall through: the YAML parser reports the position
    loader = _Loader(text)
    out: list[dict[str, Any]] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            where = f"{path}:{node.start_mark.line + 1}"
            doc = loader.construct_document(node)
            if doc is None:
                continue
            out.extend(objects_from(doc, where, _item_lines(node, path)))
    except yaml.YAMLError as exc:
        # the context mark is where the broken construct began (an unclosed `[`), the
        # problem mark where the parser gave up (often end of file): the first helps more
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SeedError(f"{path}{line}: invalid YAML: {problem}") from exc
    finally:
        loader.dispose()
    return out


def load_seed(path: str | Path) -> list[dict[str, Any]]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"{p}: cannot read: {exc}") from exc
    return load_seed_text(text, str(p))
