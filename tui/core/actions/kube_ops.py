"""The few kube API calls actions make: get, patch, and follow an object until a predicate says done.

Errors become ActionError with one human line (the API's Status message, or the
connection problem), never a traceback.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import Any

from kubernetes.client.exceptions import ApiException

from ..errors import describe_error
from ..kinds import KINDS
from ..kube_http import MERGE_PATCH, api_error_message, request_json
from .base import ActionContext, ActionError, Note, Progress, ProgressEvent


def object_path(kind_key: str, namespace: str | None, name: str) -> str:
    return KINDS[kind_key].object_path(name, namespace)


def _call(ctx: ActionContext, method: str, path: str, body: Any = None, content_type: str | None = None,
          query: list[tuple[str, str]] | None = None) -> Any:
    if ctx.api_client is None:
        raise ActionError("not connected to a cluster")
    try:
        return request_json(ctx.api_client, method, path, query=query, body=body, content_type=content_type)
    except ApiException as exc:
        if exc.status == 403:
            raise ActionError(f"forbidden: your kube credentials may not {method} {path}") from None
        raise ActionError(f"{method} {path}: {api_error_message(exc)}") from None
    except ActionError:
        raise
    except Exception as exc:  # noqa: BLE001 - connection refused, timeouts, bad JSON
        raise ActionError(f"{method} {path}: {describe_error(exc)}") from None


def get(ctx: ActionContext, kind_key: str, namespace: str | None, name: str) -> dict[str, Any]:
    obj = _call(ctx, "GET", object_path(kind_key, namespace, name))
    if not isinstance(obj, dict):
        raise ActionError(f"{KINDS[kind_key].kind} {name}: unexpected answer from the API")
    return obj


def get_path(ctx: ActionContext, path: str, query: list[tuple[str, str]] | None = None) -> Any:
    return _call(ctx, "GET", path, query=query)


def patch(ctx: ActionContext, path: str, body: Any, content_type: str = MERGE_PATCH) -> Any:
    return _call(ctx, "PATCH", path, body=body, content_type=content_type)


def request(ctx: ActionContext, req: dict[str, Any]) -> Any:
    """Send one of a Plan's exact requests ({method, path, content_type, body})."""
    return _call(ctx, req["method"], req["path"], body=req.get("body"), content_type=req.get("content_type"))


def follow(ctx: ActionContext, fetch: Callable[[], dict[str, Any]],
           step: Callable[[dict[str, Any]], tuple[str | None, list[ProgressEvent]]],
           cancelled: Callable[[], bool], what: str) -> Generator[ProgressEvent, None, str]:
    """Poll ``fetch`` until ``step(obj)`` returns a final state ("succeeded"/"failed"); yield its events.

    Its return value (``final = yield from follow(...)``): "succeeded", "failed", "cancelled",
    "timeout", or "unreachable" (the timeout came while the API did not answer: outcome unknown).
    A transient API error is reported once as a Note, and while it lasts the progress line says
    the API is unreachable and for how long (not a silent "running").
    """
    deadline = time.monotonic() + ctx.timeout
    last_error = ""
    failing_since: float | None = None
    said_at = -1
    progress = Progress(0, 1, "")
    while True:
        if cancelled():
            return "cancelled"
        try:
            obj = fetch()
            last_error, failing_since = "", None
        except ActionError as exc:
            if str(exc) != last_error:
                last_error = str(exc)
                yield Note(f"{what}: {exc} (retrying)", "warning")
            failing_since = failing_since if failing_since is not None else time.monotonic()
            obj = None
            waited = int(time.monotonic() - failing_since)
            if waited != said_at:  # once a second: the screen shows the wait growing
                said_at = waited
                yield Progress(progress.done, progress.total,
                               f"waiting: the API is unreachable for {waited}s ({exc}); retrying")
        if obj is not None:
            final, events = step(obj)
            for event in events:
                if isinstance(event, Progress):
                    progress = event
                yield event
            if final is not None:
                return final
        if time.monotonic() > deadline:
            return "unreachable" if failing_since is not None else "timeout"
        time.sleep(ctx.poll_interval)
