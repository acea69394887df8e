"""The one HTTP client for every non-kube API clusterdeck talks to (Argo CD, Longhorn, Traefik).

On httpx (the kube API keeps the official client). What every caller gets:
- timeouts on connect and read (a short connect, so an unreachable host is said quickly);
- retries on connection errors only (refused, unreachable, connect timeout), never on a request
  that reached the server: a POST is never sent twice;
- TLS verified by default; `ca_file` trusts a private CA; `insecure=True` (only ever from an
  explicit setting) skips the check;
- a bearer token sent as a header that httpx masks in reprs and that no log line contains.

Headless-core note (DESIGN: tui/core never imports Textual): `import httpx` imports its CLI
module, which loads Rich when Rich is installed (it is, for Textual). That is accepted; the core
model (store, index, snapshot, parsers) never imports this module, and a subprocess test keeps
Textual out of everything here.
"""
from __future__ import annotations

import json
import ssl
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import describe_error

CONNECT_RETRIES = 2


class HttpFailure(Exception):
    """The API could not be asked (refused, timed out, TLS): the message names the API and why.
    (Not an ActionError: the actions package imports this module; its API wrappers convert.)"""


@dataclass(frozen=True)
class Answer:
    status: int
    data: Any  # decoded JSON, or None
    text: str


class _Bearer(httpx.Auth):
    """Authorization: Bearer <token>; the token is in no repr (httpx masks the header itself)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "_Bearer(<hidden>)"


def tls_verify(ca_file: str | None = None, insecure: bool = False) -> ssl.SSLContext | bool:
    """What httpx verifies the server with: the system trust store, a CA file, or nothing."""
    if insecure:
        return False
    if ca_file:
        try:
            return ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise HttpFailure(f"CA file {ca_file}: {getattr(exc, 'strerror', None) or exc}") from None
    return True


class HttpClient:
    """JSON over HTTP to one API (`name` says which, in every error)."""

    def __init__(self, base_url: str, *, name: str = "API", token: str | None = None,
                 headers: Mapping[str, str] | None = None, ca_file: str | None = None,
                 insecure: bool = False, timeout: float = 10.0, connect_timeout: float = 5.0,
                 retries: int = CONNECT_RETRIES) -> None:
        self.base = base_url.rstrip("/")
        self.name = name
        verify = tls_verify(ca_file, insecure)
        self._client = httpx.Client(
            base_url=self.base, auth=_Bearer(token) if token else None,
            headers={"Accept": "application/json", **(headers or {})},
            timeout=httpx.Timeout(timeout, connect=min(timeout, connect_timeout)),
            transport=httpx.HTTPTransport(verify=verify, retries=retries),
            follow_redirects=False, trust_env=False,  # proxies from the env never see our token
        )

    def __repr__(self) -> str:
        return f"HttpClient({self.name} at {self.base})"

    def close(self) -> None:
        self._client.close()

    def send(self, method: str, path: str, body: Any = None, params: Mapping[str, str] | None = None,
             timeout: float | None = None) -> Answer:
        url = self.base + path  # the path may carry its own query (?action=attach)
        extra: dict[str, Any] = {"timeout": timeout} if timeout else {}
        try:
            response = self._client.request(method, url, json=body, params=dict(params) if params else None,
                                            **extra)
        except (httpx.HTTPError, httpx.InvalidURL, ssl.SSLError, OSError) as exc:
            raise HttpFailure(f"{self.name}: {describe_error(exc)}") from None
        text = response.text
        try:
            data = json.loads(text) if text.strip() else None
        except ValueError:
            data = None
        return Answer(response.status_code, data, text)
