"""SelfSubjectAccessReview (authorization.k8s.io/v1): "may I?", answered as the emulator acts.

The emulator authorises everything, except where a test injected a 403 fault on a resource
(Emulator.fault): then get/list/watch of it answer 403, and the review says no to exactly
those, so `kubectl auth can-i` and the app's key dimming agree with what the API does.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from tui.emulator.request_bodies import read_body
from tui.emulator.resources import Resource, ServedResources
from tui.emulator.store import ApiError, as_map

REVIEWS = Resource("selfsubjectaccessreviews.authorization.k8s.io", "authorization.k8s.io", "v1",
                   "selfsubjectaccessreviews", "SelfSubjectAccessReview", False, verbs=("create",))
FAULTED_VERBS = ("get", "list", "watch")  # what a fault answers (kube_api.fault_error)


class AccessReviews:
    def __init__(self, table: ServedResources, fault_for: Callable[[Resource], int | None]) -> None:
        self.table, self.fault_for = table, fault_for
        table.add(REVIEWS)

    def decide(self, attrs: dict[str, Any]) -> tuple[bool, str]:
        verb, group, plural = str(attrs.get("verb") or ""), str(attrs.get("group") or ""), str(attrs.get("resource") or "")
        targets = [r for r in self.table.all() if r.plural == plural and (r.group == group or group == "*")]
        for res in targets:
            if self.fault_for(res) == 403 and (verb in FAULTED_VERBS or verb == "*"):
                return False, (f'the emulator answers 403 to {verb} of "{res.qualified}" '
                               "(a forbidden fault is configured)")
        return True, "the emulator authorises every request"

    async def serve(self, request: web.Request) -> web.StreamResponse:
        if request.method != "POST":
            raise ApiError(405, "MethodNotAllowed", f"{request.method} is not supported on selfsubjectaccessreviews")
        body = as_map(await read_body(request))
        spec = as_map(body.get("spec"))
        if "resourceAttributes" in spec:
            allowed, reason = self.decide(as_map(spec["resourceAttributes"]))
        elif "nonResourceAttributes" in spec:
            allowed, reason = True, "the emulator authorises every request"
        else:
            raise ApiError(422, "Invalid", "SelfSubjectAccessReview.authorization.k8s.io is invalid: "
                           "spec.resourceAttributes: Invalid value: \"null\": exactly one of "
                           "nonResourceAttributes or resourceAttributes must be specified")
        status: dict[str, Any] = {"allowed": allowed, "reason": reason}  # RBAC never sets `denied`
        return web.json_response({"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                                  "metadata": {"creationTimestamp": None}, "spec": spec, "status": status},
                                 status=201)
