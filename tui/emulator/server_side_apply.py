"""Server-side apply: PATCH with `application/apply-patch+yaml` (kubectl apply --server-side,
the DynamicClient's server_side_apply, lightkube's apply).

A reasonable approximation of the API's structured merge: the applied configuration is
merged into the live object (maps by key, lists by their merge key, other lists whole), the
object is created if absent, fields this manager applied before and no longer applies are
removed unless another manager owns them, and the manager's Apply entry in managedFields is
replaced. Setting a field another manager owns to a different value is a 409 Conflict naming
field and manager, unless `force=true`, which takes the field over. Writes of other kinds
(create, update, patch) with a field manager record an Update entry for the fields they changed
and take those fields from other managers, as the API does (record_update).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from aiohttp import web

from tui.emulator.managed_fields import (
    Path,
    entry,
    fields_of,
    from_leaves,
    leaves,
    remove_at,
    value_at,
)
from tui.emulator.resources import Resource
from tui.emulator.schemas import Schemas, resolve
from tui.emulator.store import ApiError, ObjectStore, clone
from tui.emulator.strategic_merge import StrategicMergeError, strategic_merge
from tui.emulator.validation import check as check_schema

APPLY_PATCH = "application/apply-patch+yaml"
Place = Callable[[Any, Resource, str | None, str | None], dict[str, Any]]


def _owned(e: dict[str, Any]) -> set[Path]:
    return leaves(e.get("fieldsV1") or {})


def _path_text(path: Path) -> str:
    """`.spec.replicas`, `.spec.template.spec.containers[name="web"].image`, as the API words it."""
    out = ""
    for part in path:
        if part.startswith("f:"):
            out += "." + part[2:]
        elif part.startswith("k:"):
            inner = yaml.safe_load(part[2:])
            out += "[" + ",".join(f'{k}="{v}"' for k, v in inner.items()) + "]"
        elif part.startswith("v:"):
            out += f"[={part[2:]}]"
    return out


def _manager_label(e: dict[str, Any]) -> str:
    return f'"{e.get("manager")}"' + (f' using {e.get("apiVersion")}' if e.get("operation") == "Update" else "")


class ServerSideApply:
    def __init__(self, store: ObjectStore, schemas: Schemas, place: Place) -> None:
        self.store, self.schemas, self.place = store, schemas, place

    def _now(self) -> str:
        return self.store.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    async def serve(self, request: web.Request, res: Resource, namespace: str | None, name: str,
                    dry_run: bool) -> web.Response:
        params = request.query
        manager = params.get("fieldManager")
        if not manager:
            raise ApiError(400, "BadRequest", "fieldManager is required for apply requests")
        force = params.get("force") in ("true", "1")
        try:
            body = yaml.safe_load(await request.text())
        except yaml.YAMLError as exc:
            raise ApiError(400, "BadRequest", f"error decoding YAML: {exc}") from exc
        if not isinstance(body, dict) or not body.get("apiVersion") or not body.get("kind"):
            raise ApiError(400, "BadRequest", "the applied configuration must be an object with apiVersion and kind")
        if body["apiVersion"] != res.api_version:
            raise ApiError(400, "BadRequest", f"apiVersion {body['apiVersion']!r} does not match {res.api_version}")
        applied = self.place(body, res, namespace, name)
        if applied["metadata"].pop("managedFields", None):
            raise ApiError(400, "BadRequest", "metadata.managedFields must be nil in an apply request")
        live = self.store.get(res, namespace, name)
        new = self.apply(res, live, applied, manager, force)
        check_schema(new, res, self.schemas, params.get("fieldValidation"))
        stored = self.store.write(res, new, create_only=live is None, must_exist=live is not None,
                                  keep_status=True, dry_run=dry_run)
        return web.json_response(stored, status=201 if live is None else 200)

    def apply(self, res: Resource, live: dict[str, Any] | None, applied: dict[str, Any], manager: str,
              force: bool) -> dict[str, Any]:
        root, defs = self.schemas.for_resource(res)
        schema = resolve(root, defs)
        fields = fields_of(applied, schema, defs)
        mine = leaves(fields)
        entries = [clone(e) for e in ((live or {}).get("metadata") or {}).get("managedFields") or []
                   if isinstance(e, dict)]
        own = next((e for e in entries if e.get("manager") == manager and e.get("operation") == "Apply"), None)
        others = [e for e in entries if e is not own]
        conflicts: list[tuple[dict[str, Any], Path]] = []
        for other in others:
            for path in sorted(mine & _owned(other)):
                if not path or path[-1].startswith("k:"):
                    continue  # both own the list item's existence: no conflict
                _, want = value_at(applied, path)
                found, have = value_at(live, path)
                if found and have != want:
                    conflicts.append((other, path))
        if conflicts and not force:
            raise _conflict(res, applied, conflicts)
        for other in others:
            taken = {p for o, p in conflicts if o is other}
            if taken:
                other["fieldsV1"] = from_leaves(_owned(other) - taken)
        others = [e for e in others if e.get("fieldsV1")]
        if live is None:
            new = clone(applied)
        else:
            try:
                new = strategic_merge(live, applied, schema, defs)
            except StrategicMergeError as exc:
                raise ApiError(422, "Invalid", str(exc)) from exc
            kept = set().union(*(_owned(e) for e in others)) if others else set()
            for path in sorted((_owned(own) if own else set()) - mine - kept, key=len):  # items before their fields
                remove_at(new, path)
        own_entry = entry(manager, "Apply", res.api_version, fields, self._now())
        if own and own.get("fieldsV1") == fields:
            own_entry["time"] = own.get("time")  # a no-op apply changes nothing, not even the time
        new.setdefault("metadata", {})["managedFields"] = [*others, own_entry]
        return new

    def record_update(self, res: Resource, old: dict[str, Any] | None, new: dict[str, Any],
                      manager: str | None) -> None:
        """A create/update/patch by `manager`: it now owns the fields whose values it changed."""
        kept = ((old or {}).get("metadata") or {}).get("managedFields")
        meta = new.setdefault("metadata", {})
        if not manager:
            if kept and "managedFields" not in meta:
                meta["managedFields"] = kept  # a PUT without managedFields keeps the old ones
            return
        root, defs = self.schemas.for_resource(res)
        schema = resolve(root, defs)
        changed = {p for p in leaves(fields_of(new, schema, defs)) if value_at(old, p) != value_at(new, p)}
        if not changed:
            if kept and "managedFields" not in meta:
                meta["managedFields"] = kept
            return
        entries = [clone(e) for e in (meta.get("managedFields") or kept or []) if isinstance(e, dict)]
        for e in entries:
            if e.get("manager") != manager or e.get("operation") != "Update":
                e["fieldsV1"] = from_leaves(_owned(e) - changed)
        own = next((e for e in entries if e.get("manager") == manager and e.get("operation") == "Update"), None)
        owned = (_owned(own) if own else set()) | changed
        entries = [e for e in entries if e is not own and e.get("fieldsV1")]
        if owned:
            entries.append(entry(manager, "Update", res.api_version, from_leaves(owned), self._now()))
        meta["managedFields"] = entries
        if not entries:
            meta.pop("managedFields")


def _conflict(res: Resource, obj: dict[str, Any], conflicts: list[tuple[dict[str, Any], Path]]) -> ApiError:
    causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {_manager_label(e)}",
               "field": _path_text(p)} for e, p in conflicts]
    count = len(causes)
    if count == 1:
        text = f"Apply failed with 1 conflict: {causes[0]['message']}: {causes[0]['field']}"
    else:
        text = f"Apply failed with {count} conflicts: " + "\n".join(f"{c['message']}: {c['field']}" for c in causes)
    name = str((obj.get("metadata") or {}).get("name") or "")
    return ApiError(409, "Conflict", text, {"name": name, "group": res.group, "kind": res.plural, "causes": causes})
