"""The Argo CD server REST API calls actions make (Bearer token).

Used when an Argo CD URL and token are configured; otherwise actions write the
Application's fields through the kube API (the `argocd --core` way).
"""
from __future__ import annotations

from typing import Any

from ..http_client import HttpClient, HttpFailure
from .base import ActionError


class ArgoCDApi:
    def __init__(self, url: str, token: str, *, ca_file: str | None = None, insecure: bool = False,
                 timeout: float = 10.0) -> None:
        # a home cluster's self-signed argocd-server: give its CA (argocd_ca_file), or say
        # argocd_insecure explicitly; the certificate is checked otherwise
        try:
            self._http = HttpClient(url, token=token, ca_file=ca_file, insecure=insecure, timeout=timeout,
                                    name="Argo CD API")
        except HttpFailure as exc:  # an unreadable CA file
            raise ActionError(f"Argo CD API: {exc}") from None

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        try:
            answer = self._http.send(method, path, body, params)
        except HttpFailure as exc:
            raise ActionError(str(exc)) from None
        if answer.status in (401, 403):
            raise ActionError(f"Argo CD API refused the token ({answer.status}): log in again or check RBAC")
        if answer.status >= 400:
            message = answer.data.get("message") or answer.data.get("error") if isinstance(answer.data, dict) else None
            raise ActionError(f"Argo CD API: {answer.status} {str(message or answer.text)[:300]}")
        if answer.data is None and answer.text.strip():
            raise ActionError("Argo CD API: the answer was not JSON (is the URL the argocd-server?)")
        return answer.data
