"""kubernetes.io/tls Secrets, as far as routes need them: the certificate, never the key.

`only_certificate` is applied by the store as each Secret arrives: what it keeps is the name,
type and `data["tls.crt"]`; `tls.key` and every other value are dropped before anything else
sees the object. `parse_tls_secret` reads the certificate's facts (tui/core/certs.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.core.certs import CertError, CertFacts, parse_secret_crt
from tui.core.parsers.access import dig, dig_str, name_of, namespace_of
from tui.core.rows import object_key

CRT = "tls.crt"
_KEPT_META = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")


@dataclass(frozen=True, slots=True)
class TlsSecret:
    key: str  # "ns/name"
    cert: CertFacts | None
    error: str | None = None  # why there is no certificate (missing, not base64, not X.509)


def only_certificate(obj: dict[str, Any]) -> dict[str, Any]:
    """The Secret with nothing but its identity, type and tls.crt (a copy; never the key)."""
    meta = obj.get("metadata")
    kept_meta = {k: meta[k] for k in _KEPT_META if isinstance(meta, dict) and k in meta}
    out: dict[str, Any] = {"apiVersion": obj.get("apiVersion", "v1"), "kind": obj.get("kind", "Secret"),
                           "metadata": kept_meta, "type": obj.get("type")}
    crt = dig(obj, "data", CRT)
    if crt is not None:
        out["data"] = {CRT: crt}
    return out


def parse_tls_secret(obj: Any) -> TlsSecret:
    key = object_key(namespace_of(obj), name_of(obj))
    crt = dig_str(obj, "data", CRT)
    if crt is None:
        return TlsSecret(key, None, f"{CRT} is missing")
    try:
        return TlsSecret(key, parse_secret_crt(crt))
    except CertError as exc:
        return TlsSecret(key, None, str(exc))
