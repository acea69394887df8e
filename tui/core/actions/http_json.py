"""JSON over HTTP for the Argo CD and Longhorn manager APIs, on urllib3.

Not httpx: importing httpx loads its CLI, which imports rich, and tui.core must stay free
of rich and textual.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import urllib3

from ..errors import describe_error
from .base import ActionError


@dataclass(frozen=True)
class Answer:
    status: int
    data: Any  # decoded JSON, or None
    text: str


class JsonHttp:
    def __init__(self, base_url: str, *, headers: dict[str, str] | None = None, verify: bool = True,
                 timeout: float = 10.0, name: str = "API") -> None:
        self.base = base_url.rstrip("/")
        self.name = name
        self._headers = {"Accept": "application/json", **(headers or {})}
        self._pool = urllib3.PoolManager(cert_reqs="CERT_REQUIRED" if verify else "CERT_NONE",
                                         timeout=urllib3.Timeout(connect=min(timeout, 5.0), read=timeout),
                                         retries=False)

    def close(self) -> None:
        self._pool.clear()

    def send(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None,
             timeout: float | None = None) -> Answer:
        url = self.base + path + (("&" if "?" in path else "?") + urlencode(params) if params else "")
        headers = dict(self._headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            # no timeout given: urllib3's pool default, not None (which would wait forever)
            extra: dict[str, Any] = {"timeout": timeout} if timeout else {}
            response = self._pool.request(method, url, body=payload, headers=headers, **extra)
        except Exception as exc:  # noqa: BLE001 - refused, timed out, TLS, DNS
            raise ActionError(f"{self.name}: {describe_error(exc)}") from None
        text = response.data.decode("utf-8", errors="replace")
        try:
            data = json.loads(text) if text.strip() else None
        except ValueError:
            data = None
        return Answer(response.status, data, text)
