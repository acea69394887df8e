"""The Kubernetes REST surface: discovery, list/get/watch, create/replace/patch/delete, /status.

Paths are parsed by hand (one catch-all route) because the API's shape is regular:
`/api/v1[/namespaces/NS]/PLURAL[/NAME[/status]]` and `/apis/GROUP/VERSION/...` the same.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from tui.emulator.access_review import REVIEWS, AccessReviews
from tui.emulator.deletion import Deletions, parse_options
from tui.emulator.eviction import Disruptions
from tui.emulator.namespace_lifecycle import refuse_create_in_terminating
from tui.emulator.openapi import OpenApi
from tui.emulator.paging import Page, Pager
from tui.emulator.patching import JSON_PATCH, MERGE, STRATEGIC, PatchError, apply_patch
from tui.emulator.pod_logs import PodLogs
from tui.emulator.printing import table_version, to_table
from tui.emulator.request_bodies import read_body
from tui.emulator.resources import CATEGORY_ALL, VERBS, Resource, ServedResources
from tui.emulator.schemas import Schemas, stored_crds
from tui.emulator.selectors import SelectorError, field_selector, label_selector
from tui.emulator.server_side_apply import APPLY_PATCH, ServerSideApply
from tui.emulator.store import ApiError, ObjectStore, Watcher, not_found
from tui.emulator.subresources import SCALABLE, ScaleSubresource
from tui.emulator.subresources import discovery_entries as subresource_entries
from tui.emulator.unsupported import refusals, refuse_metrics
from tui.emulator.validation import check as check_schema

SERVER_VERSION = {
    "major": "1", "minor": "31", "gitVersion": "v1.31.9+k3s1", "gitCommit": "emulator",
    "gitTreeState": "clean", "buildDate": "2026-05-15T00:00:00Z", "goVersion": "go1.23.8",
    "compiler": "gc", "platform": "linux/amd64",
}
log = logging.getLogger(__name__)
_REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
            409: "Conflict", 410: "Expired", 422: "Invalid", 429: "TooManyRequests",
            500: "InternalError", 503: "ServiceUnavailable"}


def status_response(err: ApiError) -> web.Response:
    return web.json_response(err.status(), status=err.code)


def fault_error(code: int, res: Resource, verb: str) -> ApiError:
    if code == 403:
        message = (f'{res.qualified} is forbidden: User "system:serviceaccount:clusterdeck:viewer" '
                   f'cannot {verb} resource "{res.plural}" in API group "{res.group}" at the cluster scope')
    elif code == 404:
        message = "the server could not find the requested resource"
    else:
        message = f"emulated failure {code} while trying to {verb} {res.qualified}"
    return ApiError(code, _REASONS.get(code, "Unknown"), message,
                    {"group": res.group, "kind": res.plural})


class KubeApi:
    def __init__(self, store: ObjectStore, faults: Callable[[Resource], int | None]) -> None:
        self.store = store
        self.table: ServedResources = store.table
        self.fault_for = faults
        self.schemas = Schemas(self.table, stored_crds(self.table, lambda res: store.list(res)))
        self.openapi = OpenApi(self.schemas)
        self.ssa = ServerSideApply(store, self.schemas, self._place)
        self.closing = False  # set by Emulator.stop(): watches end at once, cleanly
        # Subresources beyond /status, by (plural, subresource): pods/eviction, pods/log, ...
        self.subresources: dict[tuple[str, str], Callable[..., Awaitable[web.StreamResponse]]] = {
            ("pods", "eviction"): self._evict}
        scale = ScaleSubresource(store).serve  # subresources.py
        self.subresources.update({(plural, "scale"): scale for _, plural in SCALABLE})
        self.access = AccessReviews(self.table, faults)  # access_review.py
        self.subresources.update(refusals())  # unsupported.py: exec, attach, port-forward
        # How DELETE of a pod goes: the pod controller's graceful deletion (the kubelet kills
        # it), else at once (a still world has no kubelet). Set by the Emulator.
        self.delete_pod: Callable[[dict[str, Any], int | None], Any] | None = None
        self.deletions = Deletions(store)  # DELETE with DeleteOptions and finalizers
        self.pager = Pager(store)
        self.disruptions = Disruptions(store, lambda: store.now().strftime("%Y-%m-%dT%H:%M:%SZ"))

    # ---- discovery ---------------------------------------------------------------------
    def _served(self) -> list[Resource]:
        """Resources visible in discovery: a 404 fault makes a CRD look uninstalled."""
        return [r for r in self.table.all() if self.fault_for(r) != 404]

    def _resource_list(self, group: str, version: str) -> dict[str, Any] | None:
        served = [r for r in self._served() if r.group == group and r.version == version]
        if not served:
            return None
        resources = []
        for r in served:
            resources.append({"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced,
                              "kind": r.kind, "verbs": list(r.verbs) or VERBS, "shortNames": list(r.short_names),
                              "storageVersionHash": ""})
            if (r.group, r.plural) in CATEGORY_ALL:  # `kubectl get all`
                resources[-1]["categories"] = ["all"]
            if r.status_subresource:
                resources.append({"name": f"{r.plural}/status", "singularName": "", "namespaced": r.namespaced,
                                  "kind": r.kind, "verbs": ["get", "patch", "update"]})
            if (r.group, r.plural) == ("", "pods"):  # kubectl drain looks for this before evicting
                resources.append({"name": "pods/eviction", "singularName": "", "namespaced": True,
                                  "group": "policy", "version": "v1", "kind": "Eviction", "verbs": ["create"]})
            resources.extend(subresource_entries(r))
        gv = f"{group}/{version}" if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}

    def _group(self, group: str) -> dict[str, Any] | None:
        versions = [r.version for r in self._served() if r.group == group]
        if not versions:
            return None
        unique = list(dict.fromkeys(versions))
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in unique]
        return {"name": group, "versions": entries, "preferredVersion": entries[0]}

    def _discovery(self, parts: list[str]) -> dict[str, Any] | None:
        if parts == ["api"]:
            return {"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}]}
        if parts == ["api", "v1"]:
            return self._resource_list("", "v1")
        if parts == ["apis"]:
            groups = [g for g in dict.fromkeys(r.group for r in self._served()) if g]
            return {"kind": "APIGroupList", "apiVersion": "v1",
                    "groups": [self._group(g) for g in groups]}
        if len(parts) == 2 and parts[0] == "apis":
            group = self._group(parts[1])
            return {"kind": "APIGroup", "apiVersion": "v1", **group} if group else None
        if len(parts) == 3 and parts[0] == "apis":
            return self._resource_list(parts[1], parts[2])
        return None

    # ---- routing -----------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._route(request)
        except ApiError as err:
            return status_response(err)
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception as exc:  # a malformed seed object must not kill the server
            log.exception("emulator failed on %s %s", request.method, request.path_qs)
            return status_response(ApiError(500, "InternalError", f"emulator error: {exc!r}"))

    async def _route(self, request: web.Request) -> web.StreamResponse:
        parts = [p for p in request.path.split("/") if p]
        if parts == ["version"]:
            return web.json_response(SERVER_VERSION)
        if parts[:1] == ["openapi"] and request.method == "GET":
            return self.openapi.answer(parts[1:], request.headers.get("Accept", ""))  # openapi.py
        if request.method == "GET":
            doc = self._discovery(parts)
            if doc is not None:
                return web.json_response(doc)
        if parts[:2] == ["apis", "metrics.k8s.io"]:
            raise refuse_metrics(parts)
        if parts[:1] == ["api"] and len(parts) >= 3:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] not in ("status", "finalize"):
            namespace, rest = rest[1], rest[2:]
        res = self.table.for_path(group, version, rest[0])
        if res is None or len(rest) > 3 or (res.namespaced is False and namespace):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        name = rest[1] if len(rest) >= 2 else None
        sub = rest[2] if len(rest) == 3 else None
        if res is REVIEWS and name is None:
            return await self.access.serve(request)
        if sub == "log" and res.kind == "Pod" and namespace and name and request.method == "GET":
            return await PodLogs(self.store).serve(request, namespace, name)  # pod_logs.py
        handler = self.subresources.get((res.plural, sub)) if sub and not res.is_crd else None
        if handler is not None and name is not None:
            return await handler(request, res, namespace, name)
        if sub is not None and (sub != "status" or not res.status_subresource):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return await self._serve(request, res, namespace, name, sub)

    async def _serve(self, request: web.Request, res: Resource, namespace: str | None,
                     name: str | None, sub: str | None) -> web.StreamResponse:
        method, params = request.method, request.query
        watching = params.get("watch") in ("true", "1")
        verb = {"GET": "watch" if watching else ("get" if name else "list"), "POST": "create",
                "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(method, method.lower())
        code = self.fault_for(res)
        if code and verb in ("get", "list", "watch"):
            raise fault_error(code, res, verb)
        printing = _printing(request) if method == "GET" and sub is None else None
        if method == "GET" and name is not None:
            obj = self.store.get(res, namespace, name)
            if obj is None:
                raise not_found(res, name)
            if printing:
                return web.json_response(self._table(res, [obj], printing, str(self.store.rv)))
            return web.json_response(obj)
        if method == "GET":
            try:
                matches = _both(label_selector(params.get("labelSelector")),
                                field_selector(params.get("fieldSelector")))
            except SelectorError as exc:
                raise ApiError(400, "BadRequest", str(exc)) from exc
            if watching:
                return await self._watch(request, res, namespace, matches, printing)
            if params.get("limit") or params.get("continue"):  # paging.py
                selecting = bool(params.get("labelSelector") or params.get("fieldSelector"))
                return self._page(self.pager.page(res, namespace, matches, params, selecting), res, printing)
            return self._list(res, namespace, matches, params.get("resourceVersion"), printing)
        dry = await _dry_run(request)
        if method == "POST" and name is None:
            body = await _json_body(request)
            body = self._place(body, res, namespace, None)
            check_schema(body, res, self.schemas, params.get("fieldValidation"))  # validation.py
            self.ssa.record_update(res, None, body, params.get("fieldManager"))  # server_side_apply.py
            refuse_create_in_terminating(self.store, res, body["metadata"].get("namespace"))
            return web.json_response(self.store.write(res, body, create_only=True, dry_run=dry), status=201)
        if name is None:
            raise ApiError(405, "MethodNotAllowed", f"{method} is not supported on a collection")
        if method == "PUT":
            body = self._place(await _json_body(request), res, namespace, name)
            if sub is None:
                check_schema(body, res, self.schemas, params.get("fieldValidation"))
                self.ssa.record_update(res, self.store.get(res, namespace, name), body, params.get("fieldManager"))
            return web.json_response(self.store.write(res, body, must_exist=True, subresource=sub,
                                                      keep_status=sub is None, dry_run=dry))
        if method == "PATCH" and sub is None and _content_type(request) == APPLY_PATCH:
            return await self.ssa.serve(request, res, namespace, name, dry)
        if method == "PATCH":
            old = self.store.get(res, namespace, name)
            if old is None:
                raise not_found(res, name)
            patch = await _json_body(request)
            ctype = _content_type(request)
            if res.is_crd and ctype == STRATEGIC:  # as the real API: CRDs have no patch strategy
                raise ApiError(415, "UnsupportedMediaType",
                               f"the body of the request was in an unknown format - accepted media types "
                               f"include: {JSON_PATCH}, {MERGE}, application/apply-patch+yaml")
            try:
                new = apply_patch(old, patch, ctype, self.schemas.for_resource(res) if ctype == STRATEGIC else ({}, {}))
            except PatchError as exc:
                code = 415 if "unsupported" in str(exc) else 422
                raise ApiError(code, _REASONS.get(code, "UnsupportedMediaType"), str(exc)) from exc
            new = self._place(new, res, namespace, name)
            if sub is None:
                check_schema(new, res, self.schemas, params.get("fieldValidation"))
                self.ssa.record_update(res, old, new, params.get("fieldManager"))
            return web.json_response(self.store.write(res, new, must_exist=True, subresource=sub,
                                                      keep_status=sub is None, dry_run=dry))
        if method == "DELETE":
            if dry:
                return web.json_response(self.store.delete(res, namespace, name, dry_run=True))
            options = parse_options(request.query, await request.text())
            obj, gone = self.deletions.delete(res, namespace, name, options)  # deletion.py
            return web.json_response(obj, status=200 if gone else 202)  # 202: finalizers or grace hold it
        raise ApiError(405, "MethodNotAllowed", f"{method} is not supported")

    async def _evict(self, request: web.Request, res: Resource, namespace: str | None,
                     name: str) -> web.StreamResponse:
        if request.method != "POST":
            raise ApiError(405, "MethodNotAllowed", f"{request.method} is not supported on pods/eviction")
        body = await _json_body(request)
        if isinstance(body, dict) and body.get("kind") not in (None, "Eviction", "DeleteOptions"):
            raise ApiError(400, "BadRequest", f"kind {body.get('kind')!r} is not an Eviction")
        delete = self.delete_pod or (lambda pod, _grace: self.store.delete(res, namespace, name))
        return web.json_response(self.disruptions.evict(namespace or "", name, body, delete), status=201)

    @staticmethod
    def _place(body: Any, res: Resource, namespace: str | None, name: str | None) -> dict[str, Any]:
        """Check the body against the path: same kind, name and namespace (the API's 400s)."""
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "the request body must be a JSON object")
        meta = body.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise ApiError(400, "BadRequest", "metadata must be an object")
        if body.get("kind") not in (None, res.kind):
            raise ApiError(400, "BadRequest", f"kind {body.get('kind')!r} does not match {res.kind}")
        if name is not None:
            if meta.get("name") not in (None, name):
                raise ApiError(400, "BadRequest", "the name of the object does not match the name on the URL")
            meta["name"] = name
        elif not meta.get("name") and meta.get("generateName"):
            meta["name"] = f"{meta['generateName']}{time.monotonic_ns() % 100000:05d}"
        if res.namespaced:
            if namespace and meta.get("namespace") not in (None, namespace):
                raise ApiError(400, "BadRequest", "the namespace of the object does not match the namespace on the URL")
            meta["namespace"] = namespace or meta.get("namespace")
        return body

    # ---- list and watch ----------------------------------------------------------------
    def _table(self, res: Resource, objects: list[dict[str, Any]], printing: tuple[str, str],
               rv: str | None) -> dict[str, Any]:
        version, include = printing
        return to_table(res, objects, self.store.now(), version=version, include=include, resource_version=rv)

    def _list(self, res: Resource, namespace: str | None, matches: Callable[[dict], bool],
              rv_param: str | None, printing: tuple[str, str] | None = None) -> web.Response:
        rv = _parse_rv(rv_param)
        if rv and rv < self.store.floor:
            raise ApiError(410, "Expired", f"too old resource version: {rv} ({self.store.floor})")
        items = self.store.list(res, namespace, matches)
        return self._page(Page(items, [], self.store.rv, {}), res, printing)

    def _page(self, page: Page, res: Resource, printing: tuple[str, str] | None) -> web.Response:
        """A list response: a whole list or one page (paging.py), as a Table when asked."""
        if printing:
            table = self._table(res, page.items, printing, str(page.resource_version))
            table["metadata"].update(page.meta)
            return web.json_response(table)
        head = json.dumps({"kind": res.list_kind, "apiVersion": res.api_version,
                           "metadata": {"resourceVersion": str(page.resource_version), **page.meta}})
        # Objects keep their encoded JSON between writes: a 20k-volume list is one join.
        encoded = page.encoded or [self.store.encoded(o) for o in page.items]
        body = b"".join((head[:-1].encode(), b',"items":[', b",".join(encoded), b"]}"))
        return web.Response(body=body, content_type="application/json")

    async def _watch(self, request: web.Request, res: Resource, namespace: str | None,
                     matches: Callable[[dict], bool],
                     printing: tuple[str, str] | None = None) -> web.StreamResponse:
        params = request.query
        rv = _parse_rv(params.get("resourceVersion"))
        timeout = float(params.get("timeoutSeconds") or 0) or None
        send_initial = params.get("sendInitialEvents") == "true"
        resp = web.StreamResponse(headers={"Content-Type": "application/json",
                                           "Cache-Control": "no-cache, private"})
        resp.enable_chunked_encoding()
        # `Connection: close`: a client re-watches on a fresh connection, so after stop()
        # it reliably meets "connection refused" instead of a reused socket cut mid-request.
        resp.force_close()
        watcher = Watcher(res, namespace, matches)
        initial: list[dict] = []
        try:
            # No await between replay and registering: no event can slip in between.
            if send_initial or not rv:
                initial = [dict(o) for o in self.store.list(res, namespace, matches)]
            else:
                for ev in self.store.events_since(res, rv):
                    watcher.offer(ev)
        except ApiError as err:
            await resp.prepare(request)
            await _send(resp, {"type": "ERROR", "object": err.status()})
            await resp.write_eof()
            return resp
        if not self.closing:
            self.store.watchers.add(watcher)
        else:
            watcher.close()
        try:
            await resp.prepare(request)
            for obj in initial:
                await _send(resp, self._event("ADDED", obj, res, printing))
            if send_initial:
                await _send(resp, {"type": "BOOKMARK", "object": {
                    "kind": res.kind, "apiVersion": res.api_version,
                    "metadata": {"resourceVersion": str(self.store.rv),
                                 "annotations": {"k8s.io/initial-events-end": "true"}}}})
            deadline = asyncio.get_running_loop().time() + timeout if timeout else None
            while True:
                wait = None if deadline is None else deadline - asyncio.get_running_loop().time()
                if wait is not None and wait <= 0:
                    break
                try:
                    item = await asyncio.wait_for(watcher.queue.get(), wait)
                except TimeoutError:
                    break
                if item is None or item == "shutdown":  # drop_watches() or stop()
                    break
                await _send(resp, self._event(item[0], item[1], res, printing))
            await resp.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.store.watchers.discard(watcher)
        return resp


    def _event(self, kind: str, obj: dict[str, Any], res: Resource,
               printing: tuple[str, str] | None) -> dict[str, Any]:
        """A watch event; with `as=Table` its object is a one-row Table, as kubectl get -w wants."""
        if printing:
            rv = (obj.get("metadata") or {}).get("resourceVersion")
            return {"type": kind, "object": self._table(res, [obj], printing, rv)}
        return {"type": kind, "object": obj}


def _printing(request: web.Request) -> tuple[str, str] | None:
    """(Table version, includeObject) when the client asked for server-side printing."""
    version = table_version(request.headers.get("Accept", ""))
    if version is None:
        return None
    include = request.query.get("includeObject") or "Metadata"
    if include not in ("None", "Metadata", "Object"):
        raise ApiError(400, "BadRequest", f"includeObject must be None, Metadata or Object, not {include!r}")
    return version, include


def _both(a: Callable[[dict], bool], b: Callable[[dict], bool]) -> Callable[[dict], bool]:
    return lambda obj: a(obj) and b(obj)


def _parse_rv(value: str | None) -> int:
    if not value:
        return 0
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, "BadRequest", f"invalid resource version: {value!r}") from None


async def _dry_run(request: web.Request) -> bool:
    """`?dryRun=All` (POST, PUT, PATCH, DELETE) or DeleteOptions' `dryRun: ["All"]`: the request
    is checked and answered as if done, and nothing is stored. "All" is the only value the API knows."""
    values = list(request.query.getall("dryRun", []))
    if request.method == "DELETE" and request.can_read_body:
        try:
            options = json.loads(await request.text() or "{}")
        except ValueError:
            options = {}
        if isinstance(options, dict) and isinstance(options.get("dryRun"), list):
            values += [str(v) for v in options["dryRun"]]
    for value in values:
        if value != "All":
            raise ApiError(400, "BadRequest", f'dryRun: Unsupported value: "{value}": supported values: "All"')
    return bool(values) and request.method in ("POST", "PUT", "PATCH", "DELETE")


def _content_type(request: web.Request) -> str:
    return request.headers.get("Content-Type", "").split(";")[0].strip().lower()


async def _json_body(request: web.Request) -> Any:
    return await read_body(request)  # request_bodies.py: JSON, or protobuf of a few kinds (else 415)


async def _send(resp: web.StreamResponse, event: dict[str, Any]) -> None:
    await resp.write(json.dumps(event).encode() + b"\n")
