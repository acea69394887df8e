"""Request bodies: JSON, and protobuf (`application/vnd.kubernetes.protobuf`) for the few kinds
kubectl sends that way, read into the JSON shape the rest of the emulator handles.

kubectl 1.37 sends protobuf for `auth can-i` (SelfSubjectAccessReview) and for imperative
`create configmap|secret|namespace`, and on a 415 it does not retry with JSON: it fails.
So these kinds are decoded (field numbers from upstream's generated.proto); any other kind
answers 415 Unsupported Media Type, listing the JSON types the emulator reads.

Wire format: b"k8s\\x00" then a runtime.Unknown {1: TypeMeta{1: apiVersion, 2: kind},
2: raw (the object's own message)}.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tui.emulator.store import ApiError

PROTOBUF = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
ACCEPTED = ("application/json", "application/yaml", "application/merge-patch+json",
            "application/json-patch+json", "application/strategic-merge-patch+json", PROTOBUF)
Fields = dict[int, list[Any]]  # field number -> values (int for varints, bytes for the rest)


def is_protobuf(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == PROTOBUF


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(data):
            raise ValueError("truncated varint")
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i


def fields(data: bytes) -> Fields:
    out: Fields = {}
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            size, i = _varint(data, i)
            value, i = data[i:i + size], i + size
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _str(f: Fields, n: int) -> str | None:
    return f[n][-1].decode() if n in f else None


def _map(f: Fields, n: int, text: bool = True) -> dict[str, Any] | None:
    if n not in f:
        return None
    out = {}
    for entry in f[n]:
        e = fields(entry)
        value = e.get(2, [b""])[-1]
        out[(e.get(1, [b""])[-1]).decode()] = value.decode() if text else base64.b64encode(value).decode()
    return out


def _some(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _meta(data: bytes) -> dict[str, Any]:
    f = fields(data)
    return _some(name=_str(f, 1), generateName=_str(f, 2), namespace=_str(f, 3),
                 resourceVersion=_str(f, 6), labels=_map(f, 11), annotations=_map(f, 12),
                 finalizers=[v.decode() for v in f[14]] if 14 in f else None)


def _sub(f: Fields, n: int) -> Fields | None:
    return fields(f[n][-1]) if n in f else None


def _configmap(f: Fields) -> dict[str, Any]:
    return _some(data=_map(f, 2), binaryData=_map(f, 3, text=False),
                 immutable=bool(f[4][-1]) if 4 in f else None)


def _secret(f: Fields) -> dict[str, Any]:
    return _some(data=_map(f, 2, text=False), type=_str(f, 3) or "Opaque", stringData=_map(f, 4),  # the default
                 immutable=bool(f[5][-1]) if 5 in f else None)


def _namespace(f: Fields) -> dict[str, Any]:
    spec = _sub(f, 2)
    return {"spec": {"finalizers": [v.decode() for v in spec.get(1, [])]}} if spec else {}


def _access_review(f: Fields) -> dict[str, Any]:
    spec = _sub(f, 2) or {}
    res, non = _sub(spec, 1), _sub(spec, 2)
    out: dict[str, Any] = {}
    if res is not None:
        names = ("namespace", "verb", "group", "version", "resource", "subresource", "name")
        out["resourceAttributes"] = _some(**{k: _str(res, i + 1) for i, k in enumerate(names)})
    if non is not None:
        out["nonResourceAttributes"] = _some(path=_str(non, 1), verb=_str(non, 2))
    return {"spec": out}


DECODERS: dict[tuple[str, str], Callable[[Fields], dict[str, Any]]] = {
    ("v1", "ConfigMap"): _configmap, ("v1", "Secret"): _secret, ("v1", "Namespace"): _namespace,
    ("authorization.k8s.io/v1", "SelfSubjectAccessReview"): _access_review,
}


def unsupported(what: str) -> ApiError:
    return ApiError(415, "UnsupportedMediaType",
                    f"the body of the request was in an unknown format - {what}; accepted media types include: "
                    f'{", ".join(ACCEPTED[:-1])} (protobuf only for ConfigMap, Secret, Namespace and '
                    "SelfSubjectAccessReview)")


def decode(body: bytes) -> dict[str, Any]:
    """The JSON-shaped object of a protobuf body, or 415 for a kind the emulator cannot read."""
    if not body.startswith(MAGIC):
        raise unsupported("a protobuf body must start with the k8s magic bytes")
    try:
        unknown = fields(body[len(MAGIC):])
        type_meta = fields(unknown.get(1, [b""])[-1])
        api_version, kind = _str(type_meta, 1) or "", _str(type_meta, 2) or ""
        decoder = DECODERS.get((api_version, kind))
        if decoder is None:
            raise unsupported(f"the emulator does not read {kind or 'this kind'} ({api_version}) as protobuf")
        raw = fields(unknown.get(2, [b""])[-1])
        obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
        if 1 in raw:
            obj["metadata"] = _meta(raw[1][-1])
        obj.update(decoder(raw))
        return obj
    except (ValueError, UnicodeDecodeError, IndexError) as exc:
        raise ApiError(400, "BadRequest", f"the protobuf body could not be read: {exc}") from None


async def read_body(request: web.Request) -> Any:
    """The request's object: JSON, or protobuf of a kind decoded here (else 415)."""
    if is_protobuf(request.headers.get("Content-Type", "")):
        return decode(await request.read())
    try:
        return json.loads(await request.text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "BadRequest", f"the request body is not valid JSON: {exc}") from exc
