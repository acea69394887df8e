"""OpenAPI v3 schemas of the kinds the emulator serves: one source for the /openapi documents,
validation and strategic merge.

Built-in kinds come from the kubernetes Python client's model metadata (`openapi_types`,
`attribute_map`, and pydantic's field descriptions and required flags), walked recursively;
the patch tags the client does not carry come from merge_keys.py. Custom resources use the
`openAPIV3Schema` of their CustomResourceDefinition object when the store holds one, else an
object that keeps unknown fields (what the API does for a CRD without a schema).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from kubernetes.client import models

from tui.emulator.merge_keys import PATCH_TAGS
from tui.emulator.resources import Resource, ServedResources

REF = "#/components/schemas/"
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
# Types of apimachinery's meta/v1 (everything else is named after the group of its kind).
_META_TYPES = {"ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "OwnerReference",
               "ManagedFieldsEntry", "Condition", "Status", "StatusDetails", "StatusCause"}
# Go packages of the built-in groups (`io.k8s.api.<package>.<version>.<Kind>`).
_PACKAGES = {"": "core", "networking.k8s.io": "networking", "storage.k8s.io": "storage",
             "events.k8s.io": "events", "discovery.k8s.io": "discovery",
             "rbac.authorization.k8s.io": "rbac"}
# Fields the Go types declare as resource.Quantity (the client says str): numbers are accepted.
_QUANTITY_FIELDS = {"limits", "requests", "capacity", "allocatable", "allocatedResources", "hard", "used",
                    "sizeLimit"}
_CLASS = re.compile(r"^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$")
_PRIMITIVES: dict[str, dict[str, Any]] = {
    "str": {"type": "string"}, "int": {"type": "integer", "format": "int32"},
    "float": {"type": "number", "format": "double"}, "bool": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"}, "date": {"type": "string", "format": "date"},
    "bytes": {"type": "string", "format": "byte"},
}
_INT_OR_STRING = {"type": "string", "format": "int-or-string", "x-kubernetes-int-or-string": True}
_PRESERVE = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def go_name(cls_name: str) -> str:
    """`V1PodSpec` -> `PodSpec`, `CoreV1Event` -> `Event`."""
    m = _CLASS.match(cls_name)
    return m.group(3) if m else cls_name


def _model_class(res: Resource) -> type | None:
    """The client's model of a built-in kind: `V1Deployment`, `CoreV1Event`, `EventsV1Event`."""
    version = res.version.capitalize()
    prefix = (_PACKAGES.get(res.group) or res.group.split(".")[0]).capitalize()
    for name in (f"{prefix}{version}{res.kind}", f"{version}{res.kind}"):
        cls = getattr(models, name, None)
        if cls is not None and hasattr(cls, "openapi_types"):
            return cls
    return None


def _package(group: str, version: str) -> str:
    return f"io.k8s.api.{_PACKAGES.get(group, group.split('.')[0])}.{version}."


def crd_name(res: Resource) -> str:
    """`traefik.io` IngressRoute -> `io.traefik.v1alpha1.IngressRoute`, as the API names CRD schemas."""
    return f"{'.'.join(reversed(res.group.split('.')))}.{res.version}.{res.kind}"


def gvk(res: Resource) -> dict[str, str]:
    return {"group": res.group, "kind": res.kind, "version": res.version}


def _description(cls: type) -> str:
    doc = (cls.__doc__ or "").strip()
    text = doc.split("Attributes:")[0].split("NOTE: This class is auto generated")[0]
    return " ".join(text.split())


class _BuiltinWalk:
    """Names and builds the definitions reachable from the built-in kinds' models."""

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}
        self.names: dict[str, str] = {}  # client class name -> definition name

    def name(self, cls_name: str, package: str) -> str:
        if cls_name not in self.names:
            short = go_name(cls_name)
            self.names[cls_name] = (META + short) if short in _META_TYPES else package + short
        return self.names[cls_name]

    def add(self, cls_name: str, package: str) -> str:
        name = self.name(cls_name, package)
        if name in self.defs:
            return name
        cls = getattr(models, cls_name)
        schema: dict[str, Any] = {"type": "object", "properties": {}}
        self.defs[name] = schema
        if desc := _description(cls):
            schema["description"] = desc
        fields = getattr(cls, "model_fields", {})
        required = []
        for attr, type_name in cls.openapi_types.items():
            json_name = cls.attribute_map[attr]
            field = fields.get(attr)
            prop = self.type_schema(type_name, package, go_name(cls_name), json_name)
            if field is not None and field.description:
                prop = {**prop, "description": field.description}
            strategy, key = PATCH_TAGS.get((go_name(cls_name), json_name), ("", ""))
            if strategy:
                prop["x-kubernetes-patch-strategy"] = strategy
            if key:
                prop["x-kubernetes-patch-merge-key"] = key
            if field is not None and field.is_required():
                required.append(json_name)
            schema["properties"][json_name] = prop
        if required:
            schema["required"] = required
        return name

    def type_schema(self, type_name: str, package: str, owner: str, field: str) -> dict[str, Any]:
        if type_name.startswith("List["):
            return {"type": "array", "items": self.type_schema(type_name[5:-1], package, owner, field)}
        if type_name.startswith("Dict["):
            inner = type_name[5:-1].split(",", 1)[1].strip()
            return {"type": "object", "additionalProperties": self.type_schema(inner, package, owner, field)}
        if type_name == "object":  # IntOrString in the Go types, except managedFields' free-form FieldsV1
            return dict(_PRESERVE) if owner == "ManagedFieldsEntry" else dict(_INT_OR_STRING)
        if type_name == "str" and field in _QUANTITY_FIELDS:
            return {"type": "string", "format": "quantity", "x-kubernetes-int-or-string": True}
        if type_name in _PRIMITIVES:
            return dict(_PRIMITIVES[type_name])
        if not hasattr(models, type_name):  # a type this client version does not know
            return dict(_PRESERVE)
        return {"allOf": [{"$ref": REF + self.add(type_name, package)}]}


@lru_cache(maxsize=1)
def builtin_definitions(kinds: tuple[tuple[str, str, str], ...]) -> tuple[dict[str, Any], dict[str, str]]:
    """(definitions, (group/version/kind) -> root definition name) for these built-in kinds.
    Core kinds are walked first so that shared types (PodSpec, Container) are named core/v1."""
    walk = _BuiltinWalk()
    roots: dict[str, str] = {}
    for group, version, kind in sorted(kinds, key=lambda k: k[0] != ""):
        res = Resource("", group, version, "", kind, True)
        cls = _model_class(res)
        if cls is None:
            continue
        name = walk.add(cls.__name__, _package(group, version))
        walk.defs[name]["x-kubernetes-group-version-kind"] = [gvk(res)]
        roots[f"{group}/{version}/{kind}"] = name
    return walk.defs, roots


class Schemas:
    """Schemas of what is served now (CRD objects may come and go)."""

    def __init__(self, table: ServedResources, crd_objects: Callable[[], list[dict[str, Any]]]) -> None:
        self.table = table
        self.crd_objects = crd_objects

    def _builtin(self) -> tuple[dict[str, Any], dict[str, str]]:
        kinds = tuple(sorted({(r.group, r.version, r.kind) for r in self.table.all() if not r.is_crd}))
        return builtin_definitions(kinds)

    def crd_schema(self, res: Resource) -> dict[str, Any] | None:
        """The openAPIV3Schema of the served version in the resource's CRD object, if any."""
        for crd in self.crd_objects():
            spec = crd.get("spec") or {}
            if spec.get("group") != res.group or (spec.get("names") or {}).get("kind") != res.kind:
                continue
            for version in spec.get("versions") or []:
                if isinstance(version, dict) and version.get("name") == res.version:
                    schema = (version.get("schema") or {}).get("openAPIV3Schema")
                    return schema if isinstance(schema, dict) else None
        return None

    def root_name(self, res: Resource) -> str:
        if not res.is_crd:
            name = self._builtin()[1].get(f"{res.group}/{res.version}/{res.kind}")
            if name:
                return name
        return crd_name(res)

    def components(self, resources: list[Resource]) -> dict[str, dict[str, Any]]:
        """Every schema these resources need, keyed by definition name (refs resolve within)."""
        defs, _ = self._builtin()
        out: dict[str, dict[str, Any]] = {}
        for res in resources:
            name = self.root_name(res)
            if name in defs:
                _collect(defs, name, out)
                continue
            schema = dict(self.crd_schema(res) or _PRESERVE)
            props = dict(schema.get("properties") or {})
            props.setdefault("apiVersion", {"type": "string"})
            props.setdefault("kind", {"type": "string"})
            props["metadata"] = {"allOf": [{"$ref": REF + META + "ObjectMeta"}]}
            schema.update({"type": "object", "properties": props, "x-kubernetes-group-version-kind": [gvk(res)]})
            out[name] = schema
            _collect(defs, META + "ObjectMeta", out)
        return out

    def for_resource(self, res: Resource) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """(root schema, definitions its refs point into)."""
        builtin, _ = self._builtin()
        if self.root_name(res) in builtin:  # every built-in definition: no need to pick the reachable ones
            return builtin[self.root_name(res)], builtin
        defs = self.components([res])
        return defs[self.root_name(res)], defs


def _collect(defs: dict[str, dict[str, Any]], name: str, out: dict[str, dict[str, Any]]) -> None:
    if name in out or name not in defs:
        return
    out[name] = defs[name]
    for ref in _refs(defs[name]):
        _collect(defs, ref, out)


def _refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(REF):
                yield value[len(REF):]
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _refs(item)


def resolve(schema: Any, defs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A property schema with its `$ref` / single `allOf` followed (own keys such as patch tags
    kept); {} for anything unknown."""
    if not isinstance(schema, dict):
        return {}
    target = schema.get("$ref")
    if target is None and isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
        target = schema["allOf"][0].get("$ref")
    if isinstance(target, str) and target.startswith(REF):
        rest = {k: v for k, v in schema.items() if k not in ("$ref", "allOf")}
        return {**defs.get(target[len(REF):], {}), **rest}
    return schema


def stored_crds(table: ServedResources, objects: Callable[[Resource], list[dict[str, Any]]]
                ) -> Callable[[], list[dict[str, Any]]]:
    """The CustomResourceDefinition objects the store holds now (none if the kind is not served)."""
    def crds() -> list[dict[str, Any]]:
        res = table.for_object({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition"})
        return objects(res) if res is not None else []
    return crds
