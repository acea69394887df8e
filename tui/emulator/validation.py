"""Checks a create/update/patch result against its kind's schema (the one /openapi serves).

Wrong types (and, for CRD schemas, missing required fields and values outside an enum) answer
422 Invalid with one cause per field, as the API does for custom resources; the field path is
`spec.replicas`, `spec.template.spec.containers[0].ports[0].containerPort`. Unknown fields are
an error only with `fieldValidation=Strict` (what kubectl sends): 400 "strict decoding error".
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tui.emulator.resources import Resource
from tui.emulator.schemas import Schemas, resolve
from tui.emulator.store import ApiError

Defs = dict[str, dict[str, Any]]
_JSON_TYPES = {"integer": "integer", "number": "number", "string": "string", "boolean": "boolean",
               "array": "array", "object": "object"}


@dataclass
class Findings:
    causes: list[dict[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    crd: bool = False  # required/enum are checked for CRD schemas only


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    have = _type_of(value)
    if schema.get("x-kubernetes-int-or-string"):
        return have in ("integer", "string") or (schema.get("format") == "quantity" and have == "number")
    want = schema.get("type")
    if want not in _JSON_TYPES:
        return True
    return have == want or (want == "number" and have == "integer")


def _literal(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, (dict, list)) else _type_of(value)


def _walk(value: Any, schema: dict[str, Any], path: str, defs: Defs, out: Findings) -> None:
    if value is None:
        return
    if not _fits(value, schema):
        want = "integer or string" if schema.get("x-kubernetes-int-or-string") else schema.get("type")
        out.causes.append({"reason": "FieldValueTypeInvalid", "field": path,
                           "message": f'Invalid value: "{_type_of(value)}": {path} in body must be of type '
                                      f'{want}: {_literal(value)}'})
        return
    enum = schema.get("enum")
    if out.crd and isinstance(enum, list) and value not in enum:
        allowed = ", ".join(_literal(v) for v in enum)
        out.causes.append({"reason": "FieldValueNotSupported", "field": path,
                           "message": f"Unsupported value: {_literal(value)}: supported values: {allowed}"})
    if isinstance(value, list):
        items = resolve(schema.get("items"), defs)
        for i, item in enumerate(value):
            _walk(item, items, f"{path}[{i}]", defs, out)
    elif isinstance(value, dict):
        found = schema.get("properties")
        props: dict[str, Any] = found if isinstance(found, dict) else {}
        extra = schema.get("additionalProperties")
        loose = bool(schema.get("x-kubernetes-preserve-unknown-fields")) or extra is True or not (props or extra)
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            if key in props:
                _walk(item, resolve(props[key], defs), sub, defs, out)
            elif isinstance(extra, dict):
                _walk(item, resolve(extra, defs), sub, defs, out)
            elif not loose:
                out.unknown.append(sub)
        if out.crd:
            for key in schema.get("required") or []:
                if key not in value:
                    sub = f"{path}.{key}" if path else key
                    out.causes.append({"reason": "FieldValueRequired", "field": sub, "message": "Required value"})


def findings(obj: dict[str, Any], res: Resource, schemas: Schemas) -> Findings:
    root, defs = schemas.for_resource(res)
    out = Findings(crd=res.is_crd)
    _walk(obj, resolve(root, defs), "", defs, out)
    return out


def check(obj: dict[str, Any], res: Resource, schemas: Schemas, field_validation: str | None) -> None:
    """Raise the API's 422 (or 400 for unknown fields under Strict) when `obj` does not fit."""
    if field_validation not in (None, "", "Ignore", "Warn", "Strict"):
        raise ApiError(400, "BadRequest", f"fieldValidation: Unsupported value: {field_validation!r}: "
                                          'supported values: "Ignore", "Strict", "Warn"')
    found = findings(obj, res, schemas)
    name = str((obj.get("metadata") or {}).get("name") or "")
    if found.causes:
        text = ", ".join(f"{c['field']}: {c['message']}" for c in found.causes)
        label = f"{res.kind}.{res.group}" if res.group else res.kind
        details = {"name": name, "group": res.group, "kind": res.kind, "causes": found.causes}
        raise ApiError(422, "Invalid", f'{label} "{name}" is invalid: {text}', details)
    if found.unknown and field_validation == "Strict":
        text = ", ".join(f'unknown field "{u}"' for u in found.unknown)
        raise ApiError(400, "BadRequest", f'{res.kind} in version "{res.version}" cannot be handled as a '
                                          f"{res.kind}: strict decoding error: {text}")
