"""DELETE as the API server does it: DeleteOptions (propagationPolicy, gracePeriodSeconds,
preconditions), the policy finalizers, a Namespace turning Terminating, a pod's graceful path.

What happens next is someone else's: the garbage collector (garbage_collector.py) deletes or
orphans dependents and lifts `foregroundDeletion`/`orphan`; the namespace controller
(namespace_lifecycle.py) empties a Terminating namespace; the kubelet (pods.py) ends pods.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.emulator import finalizers
from tui.emulator.resources import Resource
from tui.emulator.store import ApiError, ObjectStore, as_map, not_found

BACKGROUND, FOREGROUND, ORPHAN = "Background", "Foreground", "Orphan"


@dataclass(frozen=True)
class DeleteOptions:
    policy: str | None = None  # None: the resource's default (Background for everything served)
    grace: int | None = None
    uid: str | None = None  # preconditions
    resource_version: str | None = None


def parse_options(query: Any, body: str) -> DeleteOptions:
    """DeleteOptions from the body (kubectl, the clients) and the query (curl-style)."""
    try:
        raw = json.loads(body) if body.strip() else {}
    except ValueError:
        raise ApiError(400, "BadRequest", "the DeleteOptions body is not valid JSON") from None
    raw = raw if isinstance(raw, dict) else {}
    policy = query.get("propagationPolicy") or raw.get("propagationPolicy")
    orphan = query.get("orphanDependents") or raw.get("orphanDependents")
    if policy is None and orphan is not None:  # the deprecated spelling
        policy = ORPHAN if str(orphan).lower() == "true" else BACKGROUND
    if policy not in (None, BACKGROUND, FOREGROUND, ORPHAN):
        raise ApiError(422, "Invalid", f'propagationPolicy: Unsupported value: "{policy}": supported values: '
                       '"Foreground", "Background", "Orphan"')
    grace_raw = query.get("gracePeriodSeconds", raw.get("gracePeriodSeconds"))
    try:
        grace = int(grace_raw) if grace_raw is not None else None
    except (TypeError, ValueError):
        raise ApiError(400, "BadRequest", f"invalid gracePeriodSeconds: {grace_raw!r}") from None
    pre = as_map(raw.get("preconditions"))
    return DeleteOptions(policy, grace, pre.get("uid"), pre.get("resourceVersion"))


class Deletions:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        # Set by the Emulator: the pod controller's graceful deletion (None: pods go at once),
        # and the garbage collector's "has this uid dependents?" (None: nothing is owned).
        self.delete_pod: Callable[[dict[str, Any], int | None], Any] | None = None
        self.has_dependents: Callable[[str], bool] = lambda _uid: False

    def _stamp(self) -> str:
        return self.store.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def delete(self, res: Resource, namespace: str | None, name: str,
               options: DeleteOptions = DeleteOptions()) -> tuple[dict[str, Any], bool]:
        """(the object as the answer shows it, whether it is gone already)."""
        obj = self.store.get(res, namespace, name)
        if obj is None:
            raise not_found(res, name)
        meta = obj["metadata"]
        for field, want in (("uid", options.uid), ("resourceVersion", options.resource_version)):
            if want is not None and meta.get(field) != want:
                raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {res.qualified} "{name}": '
                               f"Precondition failed: {field.upper() if field == 'uid' else field} in precondition: "
                               f"{want}, {field.upper() if field == 'uid' else field} in object meta: {meta.get(field)}",
                               {"name": name, "group": res.group, "kind": res.plural})
        if (res.group, res.plural) == ("", "namespaces"):
            return self._terminate_namespace(res, obj), False
        policy = options.policy or BACKGROUND
        add: tuple[str, ...] = ()
        # Foreground/Orphan only hold an object that has dependents (else the collector would
        # lift the finalizer at once: the same outcome, one event less).
        if policy != BACKGROUND and self.has_dependents(str(meta.get("uid"))):
            add = (finalizers.FOREGROUND if policy == FOREGROUND else finalizers.ORPHAN,)
        if add or finalizers.pending(obj):
            if finalizers.deleting(obj) and not add:
                return obj, False
            return self.store.write(res, finalizers.marked(obj, self._stamp(), add)), False
        if (res.group, res.plural) == ("", "pods") and self.delete_pod is not None:
            after = self.delete_pod(obj, options.grace)
            return after or obj, self.store.get(res, namespace, name) is None
        return self.store.delete(res, namespace, name), True

    def _terminate_namespace(self, res: Resource, ns: dict[str, Any]) -> dict[str, Any]:
        """Terminating, held by the "kubernetes" spec finalizer until the namespace is empty."""
        if finalizers.deleting(ns):
            return ns
        spec = as_map(ns.get("spec"))
        held = [str(f) for f in spec.get("finalizers") or []]
        if finalizers.NAMESPACE_FINALIZER not in held:
            held.append(finalizers.NAMESPACE_FINALIZER)
        status = as_map(ns.get("status"))
        terminating = {**finalizers.marked(ns, self._stamp()), "spec": {**spec, "finalizers": held},
                       "status": {**status, "phase": "Terminating"}}
        return self.store.write(res, terminating)
