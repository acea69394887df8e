"""One short line for humans out of the exceptions the kube client and httpx raise."""
from __future__ import annotations

import socket


def describe_error(exc: BaseException) -> str:
    """'connection refused', 'timed out', 'name not resolved', ... never a traceback."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, socket.gaierror):
            return "host name not resolved"
        if isinstance(current, TimeoutError) or "timed out" in str(current).lower():
            return "timed out"
        text = str(current)
        if "Connection refused" in text:
            return "connection refused"
        if any(w in text for w in ("Connection reset", "RemoteDisconnected", "closed connection",
                                   "ended prematurely", "Connection broken")):
            return "connection lost"
        if "Name or service not known" in text or "nodename nor servname" in text:
            return "host name not resolved"
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            return "TLS certificate not trusted"
        nxt = getattr(current, "reason", None)
        current = nxt if isinstance(nxt, BaseException) else (current.__cause__ or current.__context__)
    if isinstance(exc, ValueError):  # json.JSONDecodeError is one
        return f"bad response: {str(exc)[:80]}"
    return f"{type(exc).__name__}: {str(exc)[:80]}"
