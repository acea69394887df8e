"""The `scale` subresource of Deployments, StatefulSets and ReplicaSets (autoscaling/v1 Scale).

GET answers the Scale view of the object; PUT and PATCH (any patch type, on the Scale) set
`spec.replicas` of the object itself, which the controllers then act on. This is what
`kubectl scale` and a HorizontalPodAutoscaler use.
"""
from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tui.emulator.patching import PatchError, apply_patch
from tui.emulator.request_bodies import read_body
from tui.emulator.resources import Resource
from tui.emulator.store import ApiError, ObjectStore, as_map, not_found

SCALABLE = (("apps", "deployments"), ("apps", "statefulsets"), ("apps", "replicasets"))


def discovery_entries(res: Resource) -> list[dict[str, Any]]:
    """What discovery lists next to `res` for its subresources (kubectl looks scale up there)."""
    if (res.group, res.plural) in SCALABLE:
        return [{"name": f"{res.plural}/scale", "singularName": "", "namespaced": True, "group": "autoscaling",
                 "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]}]
    return []


def _selector(obj: dict[str, Any]) -> str:
    """spec.selector as the label-selector string Scale.status.selector carries."""
    sel = as_map(as_map(obj.get("spec")).get("selector"))
    parts = [f"{k}={v}" for k, v in sorted(as_map(sel.get("matchLabels")).items())]
    for expr in sel.get("matchExpressions") or []:
        if not isinstance(expr, dict):
            continue
        key, op, values = expr.get("key"), str(expr.get("operator")), ",".join(map(str, expr.get("values") or []))
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                      "Exists": str(key), "DoesNotExist": f"!{key}"}.get(op, ""))
    return ",".join(p for p in parts if p)


def scale_of(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj["metadata"]
    spec, status = as_map(obj.get("spec")), as_map(obj.get("status"))
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                         if k in meta},
            "spec": {"replicas": int(spec.get("replicas", 1))},
            "status": {"replicas": int(status.get("replicas") or 0), "selector": _selector(obj)}}


class ScaleSubresource:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    async def serve(self, request: web.Request, res: Resource, namespace: str | None,
                    name: str) -> web.StreamResponse:
        obj = self.store.get(res, namespace, name)
        if obj is None:
            raise not_found(res, name)
        current = scale_of(obj)
        if request.method == "GET":
            return web.json_response(current)
        if request.method not in ("PUT", "PATCH"):
            raise ApiError(405, "MethodNotAllowed", f"{request.method} is not supported on {res.plural}/scale")
        body = await read_body(request)
        if request.method == "PATCH":
            try:
                body = apply_patch(current, body, request.headers.get("Content-Type", ""))
            except PatchError as exc:
                raise ApiError(415 if "unsupported" in str(exc) else 422,
                               "UnsupportedMediaType" if "unsupported" in str(exc) else "Invalid", str(exc)) from exc
        replicas = as_map(as_map(body).get("spec")).get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise ApiError(422, "Invalid", f'Scale.autoscaling "{name}" is invalid: spec.replicas: Invalid value: '
                           f"{json.dumps(replicas)}: must be greater than or equal to 0",
                           {"name": name, "group": "autoscaling", "kind": "Scale"})
        sent_rv = as_map(as_map(body).get("metadata")).get("resourceVersion")
        obj["metadata"]["resourceVersion"] = sent_rv or obj["metadata"]["resourceVersion"]
        obj.setdefault("spec", {})["replicas"] = replicas
        dry = "All" in request.query.getall("dryRun", [])
        written = self.store.write(res, obj, must_exist=True, keep_status=True, dry_run=dry)
        return web.json_response(scale_of(written))
