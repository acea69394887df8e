"""Scrub secrets out of anything we write down (audit records, plans, run artifacts, logs).

A value is secret when its key looks like one (token, password, secret, K3S_TOKEN, ...) or
when the text itself looks like one (a Bearer header, a JWT, ``K3S_TOKEN=...``).
"""
from __future__ import annotations

import re
from typing import Any

MASK = "********"

_SECRET_KEY = re.compile(r"(token|passw(or)?d|secret|api[_-]?key|authorization|credential|private[_-]?key)",
                         re.IGNORECASE)
# Key names that match the pattern above but only ever hold harmless values.
_HARMLESS_KEYS = frozenset({"token_type", "no_log"})

_TEXT_PATTERNS = (
    # Authorization: Bearer <anything>
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 " + MASK),
    # JSON Web Tokens (ArgoCD session and API tokens)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
    # K3S_TOKEN=..., token: ..., "password": "..." in command lines, YAML and JSON text
    (re.compile(r"(?i)\b([A-Z0-9_]*(?:TOKEN|PASSWORD|PASSWD|SECRET)[A-Z0-9_]*\"?)(\s*[=:]\s*)"
                r"(?!\"?\*{8})(\"[^\"]*\"|'[^']*'|[^\s,;\"'}]+)"), r"\1\2" + MASK),
    # --token abc, --password abc on command lines
    (re.compile(r"(?i)(--[a-z-]*(?:token|password|secret)[a-z-]*)(\s+)(?!\*{8})([^\s]+)"), r"\1\2" + MASK),
    # k3s join tokens: K10<hex>::<user>:<password>
    (re.compile(r"\bK10[0-9a-f]{20,}::[^\s\"']+"), MASK),
)


def is_secret_key(key: object) -> bool:
    return isinstance(key, str) and key.lower() not in _HARMLESS_KEYS and bool(_SECRET_KEY.search(key))


def redact_text(text: str) -> str:
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(value: Any) -> Any:
    """A copy of ``value`` (JSON-like) with secret-looking keys masked and secret text scrubbed."""
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if is_secret_key(key) and item not in (None, "", False, True) and not isinstance(item, (dict, list)):
                out[key] = MASK
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
