"""Secrets masked in what we show of cluster objects (detail YAML, dumps we write).

`mask_object(obj)` returns a copy in which a Secret's `data` / `stringData` values, env values
whose name says PASSWORD / TOKEN / SECRET / KEY, Helm values (HelmChart `valuesContent` and
`set`, an Argo CD source's `helm.values` / `valuesObject` / `parameters`) and the copy of all of
that inside `kubectl.kubernetes.io/last-applied-configuration` are replaced by MASK. Keys stay,
so the operator still sees what is there; never the value.
"""
from __future__ import annotations

import json
import re
from typing import Any

import yaml

from tui.core.actions.redact import MASK, redact, redact_text

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_SECRET_NAME = re.compile(r"(PASSW(OR)?D|TOKEN|SECRET|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.IGNORECASE)


def is_secret_name(name: object) -> bool:
    return isinstance(name, str) and bool(_SECRET_NAME.search(name))


def mask_object(obj: Any) -> Any:
    """A masked deep copy of one object (anything not a dict comes back as is)."""
    if not isinstance(obj, dict):
        return obj
    out = _mask_tree(obj)
    if out.get("kind") == "Secret":
        for part in ("data", "stringData"):
            if isinstance(out.get(part), dict):
                out[part] = dict.fromkeys(out[part], MASK)
    meta = out.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict):
        annotations = dict(meta["annotations"])
        if isinstance(annotations.get(LAST_APPLIED), str):
            annotations[LAST_APPLIED] = _mask_json_text(annotations[LAST_APPLIED])
        meta["annotations"] = annotations
    return out


def _mask_tree(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        named_secret = is_secret_name(value.get("name"))
        for key, item in value.items():
            if key == "value" and named_secret and isinstance(item, str | int | float):
                out[key] = MASK  # env and Helm parameters: {name: DB_PASSWORD, value: ...}
            elif key in ("valuesContent", "values") and isinstance(item, str):
                out[key] = _mask_yaml_text(item)  # Helm values as a YAML string
            elif key in ("valuesObject", "set") and isinstance(item, dict):
                out[key] = redact(item)
            else:
                out[key] = _mask_tree(item)
        return out
    if isinstance(value, list):
        return [_mask_tree(v) for v in value]
    return value


def _mask_json_text(text: str) -> str:
    try:
        inner = json.loads(text)
    except ValueError:
        return MASK  # cannot tell what it holds: show nothing of it
    return json.dumps(mask_object(inner), separators=(",", ":"), sort_keys=True)


def _mask_yaml_text(text: str) -> str:
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError:
        return redact_text(text)
    if not isinstance(values, dict | list):
        return redact_text(text)
    return yaml.safe_dump(redact(_mask_tree(values)), sort_keys=False, default_flow_style=False)
