"""The Argo CD server REST surface over the emulator's Application objects (REFERENCE 4.2).

Like the real server, these endpoints only *request* work: sync and rollback set
`operation` (refused while one is set), terminate sets `status.operationState.phase:
Terminating`. The simulated application controller (controllers.py) does the rest.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from tui.emulator.argocd_compare import managed_resources
from tui.emulator.patching import JSON_PATCH, MERGE, PatchError, apply_patch
from tui.emulator.selectors import SelectorError, label_selector
from tui.emulator.store import ObjectStore

# grpc-gateway error codes Argo CD answers with (google.rpc.Code).
_GRPC = {400: 3, 401: 16, 404: 5, 409: 9}
PREFIX = "/api/v1/applications"


def _error(status: int, message: str, grpc_code: int | None = None) -> web.Response:
    code = grpc_code if grpc_code is not None else _GRPC.get(status, 2)
    return web.json_response({"error": message, "code": code, "message": message}, status=status)


class ArgoCdApi:
    def __init__(self, store: ObjectStore, token: str | None, now: Callable[[], datetime]) -> None:
        self.store = store
        self.token = token
        self.now = now
        res = store.table.by_key("applications")
        assert res is not None
        self.res = res

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(PREFIX, self.list_apps),
            web.get(PREFIX + "/{name}", self.get_app),
            web.get(PREFIX + "/{name}/managed-resources", self.managed_resources),
            web.patch(PREFIX + "/{name}", self.patch_app),
            web.post(PREFIX + "/{name}/sync", self.sync),
            web.post(PREFIX + "/{name}/rollback", self.rollback),
            web.delete(PREFIX + "/{name}/operation", self.terminate),
        ]

    def _authorised(self, request: web.Request) -> bool:
        if self.token is None:
            return True
        header = request.headers.get("Authorization", "")
        sent = header[7:] if header.lower().startswith("bearer ") else request.cookies.get("argocd.token")
        return sent == self.token

    def _find(self, request: web.Request) -> dict[str, Any] | None:
        name = request.match_info["name"]
        wanted = request.query.get("appNamespace")
        candidates = [o for o in self.store.list(self.res)
                      if o["metadata"]["name"] == name
                      and (not wanted or o["metadata"].get("namespace") == wanted)]
        candidates.sort(key=lambda o: o["metadata"].get("namespace") != "argocd")
        return json.loads(json.dumps(candidates[0])) if candidates else None

    async def _guard(self, request: web.Request) -> tuple[dict[str, Any] | None, web.Response | None]:
        if not self._authorised(request):
            return None, _error(401, "no session information")
        app = self._find(request)
        if app is None:
            name = request.match_info["name"]
            return None, _error(404, f'applications.argoproj.io "{name}" not found')
        return app, None

    async def _body(self, request: web.Request) -> dict[str, Any]:
        text = await request.text()
        if not text.strip():
            return {}
        body = json.loads(text)
        if not isinstance(body, dict):
            raise ValueError("request body must be a JSON object")  # noqa: TRY004 (reported as 400)
        return body

    async def _operation_request(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, Any]] | web.Response:
        """The app and JSON body of a request that starts an operation, or the error answer."""
        app, err = await self._guard(request)
        if err or app is None:
            return err  # type: ignore[return-value]
        try:
            body = await self._body(request)
        except ValueError as exc:
            return _error(400, f"invalid request body: {exc}")
        if app.get("operation"):
            return _error(400, "another operation is already in progress", 9)
        return app, body

    # ---- endpoints ---------------------------------------------------------------------
    async def list_apps(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, "no session information")
        q = request.query
        try:
            matches = label_selector(q.get("selector"))
        except SelectorError as exc:
            return _error(400, str(exc))
        projects = set(q.getall("projects", [])) | set(q.getall("project", []))
        items = [o for o in self.store.list(self.res, q.get("appNamespace"), matches)
                 if (not q.get("name") or o["metadata"]["name"] == q["name"])
                 and (not projects or (o.get("spec") or {}).get("project") in projects)]
        return web.json_response({"metadata": {"resourceVersion": str(self.store.rv)}, "items": items})

    async def get_app(self, request: web.Request) -> web.Response:
        app, err = await self._guard(request)
        if err or app is None:
            return err  # type: ignore[return-value]
        refresh = request.query.get("refresh")
        if refresh in ("normal", "hard"):  # ask the controller to re-compare, as the server does
            app["metadata"].setdefault("annotations", {})["argocd.argoproj.io/refresh"] = refresh
            app = self.store.write(self.res, app)
        return web.json_response(app)

    async def patch_app(self, request: web.Request) -> web.Response:
        """ApplicationPatchRequest {name, patch (a JSON string), patchType: merge | json}."""
        app, err = await self._guard(request)
        if err or app is None:
            return err  # type: ignore[return-value]
        try:
            body = await self._body(request)
            patch = json.loads(str(body.get("patch") or ""))
        except ValueError as exc:
            return _error(400, f"invalid patch: {exc}")
        kinds = {"merge": MERGE, "json": JSON_PATCH}
        if body.get("patchType") not in kinds:
            return _error(400, f"Patch type '{body.get('patchType')}' is not supported")
        try:
            patched = apply_patch(app, patch, kinds[str(body["patchType"])])
        except PatchError as exc:
            return _error(400, str(exc))
        return web.json_response(self.store.write(self.res, patched))

    async def managed_resources(self, request: web.Request) -> web.Response:
        """ManagedResourcesResponse: the controller's comparison of each resource (argocd_compare)."""
        app, err = await self._guard(request)
        if err or app is None:
            return err  # type: ignore[return-value]
        q = request.query
        items = [i for i in managed_resources(self.store, app)
                 if all(not q.get(f) or i.get(f, "") == q[f] for f in ("namespace", "name", "group", "kind"))]
        return web.json_response({"items": items})

    async def sync(self, request: web.Request) -> web.Response:
        started = await self._operation_request(request)
        if isinstance(started, web.Response):
            return started
        app, body = started
        spec = app.get("spec") or {}
        automated = (spec.get("syncPolicy") or {}).get("automated")
        target = (spec.get("source") or {}).get("targetRevision") or "HEAD"
        revision = body.get("revision") or ""
        if automated and revision and revision != target:
            return _error(400, f"Cannot sync to {revision}: auto-sync currently set to {target}", 9)
        sync: dict[str, Any] = {"revision": revision or target, "prune": bool(body.get("prune")),
                                "dryRun": bool(body.get("dryRun"))}
        for key in ("revisions", "sourcePositions", "resources", "manifests"):
            if body.get(key):
                sync[key] = body[key]
        if body.get("strategy"):
            sync["syncStrategy"] = body["strategy"]
        options = (body.get("syncOptions") or {}).get("items") if isinstance(body.get("syncOptions"), dict) else None
        if options:
            sync["syncOptions"] = options
        operation: dict[str, Any] = {"sync": sync, "initiatedBy": {"username": "admin"}}
        if body.get("infos"):
            operation["info"] = body["infos"]
        if body.get("retryStrategy"):
            operation["retry"] = body["retryStrategy"]
        return web.json_response(self._set_operation(app, operation))

    async def rollback(self, request: web.Request) -> web.Response:
        started = await self._operation_request(request)
        if isinstance(started, web.Response):
            return started
        app, body = started
        if ((app.get("spec") or {}).get("syncPolicy") or {}).get("automated"):
            return _error(400, "rollback cannot be initiated when auto-sync is enabled", 9)
        history = (app.get("status") or {}).get("history") or []
        entry = next((h for h in history if str(h.get("id")) == str(body.get("id"))), None)
        if entry is None:
            return _error(400, f"application {app['metadata']['name']} does not have deployment with id {body.get('id')}", 3)
        sync = {"revision": entry.get("revision", ""), "prune": bool(body.get("prune")),
                "dryRun": bool(body.get("dryRun"))}
        if entry.get("source"):
            sync["source"] = entry["source"]
        if entry.get("sources"):  # a multi-source app: every source at its own revision
            sync["sources"], sync["revisions"] = entry["sources"], entry.get("revisions") or []
        operation = {"sync": sync, "initiatedBy": {"username": "admin"},
                     "info": [{"name": "Rollback", "value": f"to history id {entry.get('id')}"}]}
        return web.json_response(self._set_operation(app, operation))

    async def terminate(self, request: web.Request) -> web.Response:
        app, err = await self._guard(request)
        if err or app is None:
            return err  # type: ignore[return-value]
        state = (app.get("status") or {}).get("operationState") or {}
        if not app.get("operation") and state.get("phase") != "Running":
            return _error(400, "Unable to terminate operation. No operation is in progress", 9)
        app.setdefault("status", {}).setdefault("operationState", {})["phase"] = "Terminating"
        self.store.write(self.res, app)
        return web.json_response({})

    def _set_operation(self, app: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
        """SetAppOperation: write `.operation` and clear the previous operationState."""
        app["operation"] = operation
        (app.get("status") or {}).pop("operationState", None)
        return self.store.write(self.res, app)
