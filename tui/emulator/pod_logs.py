"""GET /api/v1/namespaces/{ns}/pods/{name}/log, answered as a real API server (and kubelet) does.

Parameters: container, follow, previous, tailLines, sinceSeconds, sinceTime, timestamps,
limitBytes. Which run of a container is read follows kubelet's rules (a crash-looping
container's current log is its last terminated run; `previous` needs one). A follow streams
chunked text until the client goes, the container stops running, the pod is deleted, or the
emulator drops its streams (Emulator.drop_watches() ends these too, as a fault to recover from).
"""
from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from aiohttp import web

from tui.emulator.log_profiles import (
    RATE_ANNOTATION,
    TEXT_ANNOTATION,
    US,
    Run,
    profile_for,
    rfc3339,
    to_us,
)
from tui.emulator.store import ApiError, ObjectStore, Watcher, as_map, not_found

FOLLOW_TICK = 0.05  # seconds between follow writes: lines due meanwhile go out as one chunk


def _invalid(field: str, value: str, why: str) -> ApiError:
    return ApiError(422, "Invalid", f'PodLogOptions "" is invalid: {field}: Invalid value: {value}: {why}')


def _int_param(params: Any, name: str, minimum: int) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "BadRequest", f"{name}: invalid value {raw!r}: not an integer") from None
    if value < minimum:
        why = "must be greater than 0" if minimum == 1 else "must be greater than or equal to 0"
        raise _invalid(name, str(value), why)
    return value


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _names(items: Any) -> list[str]:
    return [str(c.get("name")) for c in items if isinstance(c, dict) and c.get("name")] \
        if isinstance(items, list) else []


def _go_list(names: list[str]) -> str:
    return "[" + " ".join(names) + "]"


def _pick_container(pod: dict[str, Any], name: str, wanted: str | None) -> tuple[str, str]:
    """(container name, image), or the API server's 400 for a missing or wrong container."""
    spec = as_map(pod.get("spec"))
    containers, inits = _names(spec.get("containers")), _names(spec.get("initContainers"))
    if not wanted:
        if len(containers) == 1:
            wanted = containers[0]
        else:
            message = f"a container name must be specified for pod {name}, choose one of: {_go_list(containers)}"
            if inits:
                message += f" or one of the init containers: {_go_list(inits)}"
            raise ApiError(400, "BadRequest", message)
    if wanted not in containers + inits:
        raise ApiError(400, "BadRequest", f"container {wanted} is not valid for pod {name}")
    for c in list(spec.get("containers") or []) + list(spec.get("initContainers") or []):
        if isinstance(c, dict) and c.get("name") == wanted:
            return wanted, str(c.get("image") or "")
    return wanted, ""


def _status_of(pod: dict[str, Any], container: str) -> dict[str, Any] | None:
    status = as_map(pod.get("status"))
    for key in ("containerStatuses", "initContainerStatuses"):
        for cs in status.get(key) or []:
            if isinstance(cs, dict) and cs.get("name") == container:
                return cs
    return None


def _run_from(pod: dict[str, Any], container: str, image: str, started: Any, finished: Any,
              exit_code: Any, serial: int) -> Run:
    meta, spec, status = as_map(pod.get("metadata")), as_map(pod.get("spec")), as_map(pod.get("status"))
    start = _time(started) or _time(status.get("startTime")) or _time(meta.get("creationTimestamp"))
    end = _time(finished)
    annotations = as_map(meta.get("annotations"))
    literal = annotations.get(TEXT_ANNOTATION + container)
    try:
        rate = float(annotations.get(RATE_ANNOTATION) or 0)
    except (TypeError, ValueError):
        rate = 0.0
    name = str(meta.get("name") or "")
    return Run(pod=name, namespace=str(meta.get("namespace") or ""), container=container,
               node=str(spec.get("nodeName") or ""), ip=str(status.get("podIP") or ""), serial=serial,
               start_us=to_us(start) if start else 0, end_us=to_us(end) if end else None,
               crashed=end is not None and exit_code not in (0, "0", None),
               profile=profile_for(name, container, image),
               literal=tuple(str(literal).splitlines()) if isinstance(literal, str) else None, rate=rate)


def run_for(pod: dict[str, Any], name: str, container: str, image: str, previous: bool) -> Run:
    """The run kubelet would read, or its 400 (validateContainerLogStatus's cases)."""
    cs = _status_of(pod, container)
    phase = as_map(pod.get("status")).get("phase")
    if cs is None:
        if phase == "Running" and not previous:  # a seeded pod without statuses: running since start
            return _run_from(pod, container, image, None, None, None, 0)
        raise ApiError(400, "BadRequest", f'container "{container}" in pod "{name}" is waiting to start: ContainerCreating'
                       if not previous else f'previous terminated container "{container}" in pod "{name}" not found')
    state, last = as_map(cs.get("state")), as_map(as_map(cs.get("lastState")).get("terminated"))
    count = cs.get("restartCount")
    restarts = count if isinstance(count, int) else 0

    def from_terminated(t: dict[str, Any], serial: int) -> Run:
        return _run_from(pod, container, image, t.get("startedAt"), t.get("finishedAt") or t.get("startedAt"),
                         t.get("exitCode"), serial)

    if previous:
        if not last:
            raise ApiError(400, "BadRequest", f'previous terminated container "{container}" in pod "{name}" not found')
        return from_terminated(last, max(0, restarts - 1))
    if "running" in state:
        return _run_from(pod, container, image, as_map(state["running"]).get("startedAt"), None, None, restarts)
    if "terminated" in state:
        return from_terminated(as_map(state["terminated"]), restarts)
    if last:
        return from_terminated(last, max(0, restarts - 1))
    reason = as_map(state.get("waiting")).get("reason") or "ContainerCreating"
    if reason == "ErrImagePull":
        reason = "image can't be pulled"
    elif reason == "ImagePullBackOff":
        reason = "trying and failing to pull image"
    raise ApiError(400, "BadRequest", f'container "{container}" in pod "{name}" is waiting to start: {reason}')


class PodLogs:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    async def serve(self, request: web.Request, namespace: str, name: str) -> web.StreamResponse:
        params = request.query
        res = self.store.table.for_path("", "v1", "pods")
        pod = self.store.get(res, namespace, name) if res is not None else None
        if res is None or pod is None:
            raise ApiError(404, "NotFound", f'pods "{name}" not found',
                           {"name": name, "kind": "pods"}) if res is None else not_found(res, name)
        tail = _int_param(params, "tailLines", 0)
        since_s = _int_param(params, "sinceSeconds", 1)
        limit = _int_param(params, "limitBytes", 1)
        since_time = params.get("sinceTime")
        if since_s is not None and since_time:
            raise ApiError(422, "Invalid", 'PodLogOptions "" is invalid: : Forbidden: at most one of '
                           "`sinceTime` or `sinceSeconds` may be specified")
        since_at = _time(since_time) if since_time else None
        if since_time and since_at is None:
            raise ApiError(400, "BadRequest", f'parsing time "{since_time}" as RFC3339: cannot parse')
        previous = params.get("previous") in ("true", "1")
        follow = params.get("follow") in ("true", "1") and not previous
        stamps = params.get("timestamps") in ("true", "1")
        container, image = _pick_container(pod, name, params.get("container"))
        run = run_for(pod, name, container, image, previous)
        now = to_us(self.store.now())
        since_us = to_us(since_at) if since_at else (now - since_s * US if since_s else None)
        lines, last_n = run.lines(now, since_us=since_us, tail=tail)

        resp = web.StreamResponse(headers={"Content-Type": "text/plain", "Cache-Control": "no-cache, private"})
        resp.enable_chunked_encoding()
        if follow:
            resp.force_close()
        await resp.prepare(request)
        budget = [limit if limit is not None else -1]
        try:
            if not await _write(resp, lines, stamps, budget) or not follow or run.end_us is not None:
                await resp.write_eof()
                return resp
            await self._follow(resp, res, namespace, name, run, last_n, stamps, budget)
            await resp.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return resp

    async def _follow(self, resp: web.StreamResponse, res: Any, namespace: str, name: str, run: Run,
                      last_n: int, stamps: bool, budget: list[int]) -> None:
        watcher = Watcher(res, namespace, lambda obj: as_map(obj.get("metadata")).get("name") == name)
        self.store.watchers.add(watcher)
        try:
            while True:
                try:
                    item = await asyncio.wait_for(watcher.queue.get(), FOLLOW_TICK)
                except TimeoutError:
                    item = ()
                if item is None or item == "shutdown":  # dropped streams, or the emulator stops
                    return
                if item and (item[0] == "DELETED" or not _still_running(item[1], run)):
                    return  # a real follow ends when the container stops or the pod goes
                lines, last_n = run.lines(to_us(self.store.now()), after_n=last_n)
                if not await _write(resp, lines, stamps, budget):
                    return
        finally:
            self.store.watchers.discard(watcher)


def _still_running(pod: dict[str, Any], run: Run) -> bool:
    cs = _status_of(pod, run.container)
    if cs is None:
        return as_map(pod.get("status")).get("phase") == "Running"
    running = as_map(as_map(cs.get("state")).get("running"))
    started = _time(running.get("startedAt"))
    return bool(running) and (started is None or to_us(started) == run.start_us)


async def _write(resp: web.StreamResponse, lines: list[tuple[int, str]], stamps: bool,
                 budget: list[int]) -> bool:
    """Send lines as one chunk; False once limitBytes is spent."""
    if not lines:
        return True
    data = "".join(f"{rfc3339(t)} {text}\n" if stamps else f"{text}\n" for t, text in lines).encode()
    if budget[0] >= 0:
        data = data[:budget[0]]
        budget[0] -= len(data)
    await resp.write(data)
    return budget[0] != 0
