"""The Longhorn manager REST calls the volume import makes (REFERENCE 1.5): attach, detach, probe."""
from __future__ import annotations

from typing import Any

from ..http_client import HttpClient, HttpFailure
from .base import ActionError


class LonghornApi:
    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        base = url.rstrip("/")
        self.base = base if base.endswith("/v1") else base + "/v1"
        self._http = HttpClient(self.base, timeout=timeout, name="Longhorn manager")

    def close(self) -> None:
        self._http.close()

    def reachable(self) -> str | None:
        """None when the manager answers, else why not (one line)."""
        try:
            answer = self._http.send("GET", "/volumes", timeout=2.0)
        except HttpFailure as exc:
            return str(exc)
        return None if answer.status < 400 else f"HTTP {answer.status}"

    def action(self, volume: str, action: str, body: dict[str, Any]) -> Any:
        try:
            answer = self._http.send("POST", f"/volumes/{volume}", body, params={"action": action})
        except HttpFailure as exc:
            raise ActionError(str(exc)) from None
        if answer.status >= 400:
            raise ActionError(f"Longhorn manager refused {action}: {answer.status} {answer.text[:200]}")
        return answer.data
