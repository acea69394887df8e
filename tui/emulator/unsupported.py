"""What the emulator does not do, answered with a Status that says so (not a bare 404 that
reads like a bug): exec, attach and port-forward (there are no containers to reach) and the
metrics API (there is no metrics-server, so `kubectl top` says the Metrics API is unavailable).
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from tui.emulator.resources import Resource
from tui.emulator.store import ApiError

POD_STREAMS = {"exec": "exec into", "attach": "attach to", "portforward": "port-forward to"}
NOT_DONE = 501  # "not implemented": the request is fine, this server cannot serve it


async def refuse_pod_stream(request: web.Request, res: Resource, namespace: str | None,
                            name: str) -> web.StreamResponse:
    sub = request.path.rstrip("/").rsplit("/", 1)[-1]
    raise ApiError(NOT_DONE, "NotImplemented",
                   f'the clusterdeck emulator cannot {POD_STREAMS.get(sub, sub)} pod "{name}" in namespace '
                   f'"{namespace}": it runs no containers (exec, attach and port-forward need a real cluster)',
                   {"name": name, "kind": "pods"})


def refuse_metrics(parts: list[str]) -> ApiError:
    return ApiError(404, "NotFound", "the clusterdeck emulator does not serve the metrics API (metrics.k8s.io): "
                    "it has no metrics-server, so `kubectl top` has nothing to show",
                    {"group": "metrics.k8s.io", "kind": parts[3] if len(parts) > 3 else ""})


def refusals() -> dict[tuple[str, str], Any]:
    return {("pods", sub): refuse_pod_stream for sub in POD_STREAMS}
