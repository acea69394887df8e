"""`/openapi/v2` and `/openapi/v3[/<group-version>]`: the served kinds' schemas (schemas.py) with
one path per collection and per object, as kubectl reads them.

kubectl validates a manifest by finding the PATCH operation of its kind in the v3 document and
the `fieldValidation` parameter there (then the server validates, see validation.py); it takes
patch merge keys for client-side apply from the v3 components, and `kubectl explain` walks them.
v2 is served as JSON only: client-go asks for protobuf, gets 406 and falls back (to the v3
document or to its compiled-in types).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from aiohttp import web

from tui.emulator.resources import Resource
from tui.emulator.schemas import REF, Schemas, gvk

PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")
_INFO = {"title": "Kubernetes", "version": "v1.31.9+k3s1"}


def _query(name: str, description: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": {"type": kind}, "uniqueItems": True}


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "uniqueItems": True}


_WRITE_PARAMS = [
    _query("dryRun", "When present, indicates that modifications should not be persisted."),
    _query("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
    _query("fieldValidation", "Ignore, Warn or Strict: how the server treats unknown or duplicate fields."),
]
_FORCE = _query("force", "Force is going to \"force\" Apply requests.", "boolean")


def _body(ref: str, types: tuple[str, ...] = ("application/json",)) -> dict[str, Any]:
    return {"content": {t: {"schema": {"$ref": ref}} for t in types}, "required": True}


def _operation(res: Resource, action: str, ref: str, body: dict[str, Any] | None = None,
               params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "tags": [res.group_version.replace("/", "_").replace(".", "")],
        "operationId": f"{action}{res.kind}",
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": ref}}}}},
        "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk(res),
    }
    if body is not None:
        op["requestBody"] = body
    if params:
        op["parameters"] = params
    return op


def _paths(res: Resource, ref: str) -> dict[str, dict[str, Any]]:
    prefix = f"/apis/{res.group}/{res.version}" if res.group else f"/api/{res.version}"
    collection = f"{prefix}/namespaces/{{namespace}}/{res.plural}" if res.namespaced else f"{prefix}/{res.plural}"
    scope = [_path_param("namespace")] if res.namespaced else []
    patch_types = tuple(t for t in PATCH_TYPES if not (res.is_crd and "strategic" in t))
    return {
        collection: {
            "get": _operation(res, "list", ref),
            "post": _operation(res, "post", ref, _body(ref), _WRITE_PARAMS),
            "parameters": scope,
        },
        f"{collection}/{{name}}": {
            "get": _operation(res, "get", ref),
            "put": _operation(res, "put", ref, _body(ref), _WRITE_PARAMS),
            "patch": _operation(res, "patch", ref, {"content": {t: {"schema": {"type": "object"}} for t in patch_types},
                                                    "required": True}, [*_WRITE_PARAMS, _FORCE]),
            "delete": _operation(res, "delete", ref),
            "parameters": [_path_param("name"), *scope],
        },
    }


def _gv_path(res: Resource) -> str:
    return f"apis/{res.group}/{res.version}" if res.group else f"api/{res.version}"


class OpenApi:
    def __init__(self, schemas: Schemas) -> None:
        self.schemas = schemas

    def _served(self) -> list[Resource]:
        return self.schemas.table.all()

    def answer(self, parts: list[str], accept: str) -> web.Response:
        """GET /openapi/v2, /openapi/v3, /openapi/v3/api/v1, /openapi/v3/apis/<group>/<version>."""
        if wants_protobuf(accept):
            return web.json_response(_status(406, "NotAcceptable", "only application/json is served"), status=406)
        doc: dict[str, Any] | None = None
        if parts == ["v2"]:
            doc = self.v2()
        elif parts == ["v3"]:
            doc = self.v3_discovery()
        elif parts[:1] == ["v3"]:
            doc = self.v3_group_version("/".join(parts[1:]))
        if doc is None:
            return web.json_response(_status(404, "NotFound", "the server could not find the requested resource"),
                                     status=404)
        return web.json_response(doc)

    def v3_group_version(self, gv_path: str) -> dict[str, Any] | None:
        resources = [r for r in self._served() if _gv_path(r) == gv_path]
        if not resources:
            return None
        paths: dict[str, Any] = {}
        for res in resources:
            paths.update(_paths(res, REF + self.schemas.root_name(res)))
        return {"openapi": "3.0.0", "info": _INFO, "paths": paths,
                "components": {"schemas": self.schemas.components(resources)}}

    def v3_discovery(self) -> dict[str, Any]:
        out = {}
        for gv in dict.fromkeys(_gv_path(r) for r in self._served()):
            doc = self.v3_group_version(gv)
            digest = hashlib.sha512(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32].upper()
            out[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash={digest}"}
        return {"paths": out}

    def v2(self) -> dict[str, Any]:
        resources = self._served()
        paths: dict[str, Any] = {}
        for res in resources:
            paths.update(_paths(res, "#/definitions/" + self.schemas.root_name(res)))
        return {"swagger": "2.0", "info": _INFO, "paths": _to_v2(paths),
                "definitions": _to_v2(self.schemas.components(resources))}


def _to_v2(value: Any) -> Any:
    """v3 -> v2 shapes: `allOf: [$ref]` becomes `$ref`, refs point into #/definitions/, a
    request body becomes a body parameter and int-or-string is a plain format."""
    if isinstance(value, list):
        return [_to_v2(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "allOf" and isinstance(item, list) and len(item) == 1 and "$ref" in item[0]:
            out["$ref"] = item[0]["$ref"].replace(REF, "#/definitions/")
        elif key == "$ref" and isinstance(item, str):
            out["$ref"] = item.replace(REF, "#/definitions/")
        elif key == "schema" and value.get("in") in ("query", "path"):
            out["type"] = item.get("type", "string")
        elif key not in ("requestBody", "x-kubernetes-int-or-string"):
            out[key] = _to_v2(item)
    body = value.get("requestBody")
    if isinstance(body, dict):
        schema = next(iter(body["content"].values()))["schema"]
        out["parameters"] = [*out.get("parameters", []),
                             {"name": "body", "in": "body", "required": True, "schema": _to_v2(schema)}]
        out["consumes"] = list(body["content"])
    return out


def wants_protobuf(accept: str) -> bool:
    """True when the client accepts only the protobuf encoding (answered 406: JSON is all we have)."""
    kinds = [part.split(";")[0].strip() for part in accept.split(",") if part.strip()]
    return bool(kinds) and all(k.startswith(("application/com.github.proto-openapi", "application/vnd.kubernetes.protobuf"))
                               for k in kinds)


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
