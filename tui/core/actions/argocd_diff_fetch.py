"""Where an app's diff comes from: the Argo CD server's managed-resources when a server is
configured, else the Application's status.resources plus the live objects from the kube API.

Without the server there is no rendered git state: the desired side is what Argo CD last
applied (the `kubectl.kubernetes.io/last-applied-configuration` its client-side apply writes).
The report says so, and what that cannot know.
"""
from __future__ import annotations

import json
from typing import Any

from ..argocd_diff import LAST_APPLIED, DiffReport, ResourceDiff, parse_managed_resources, predicted
from ..kinds import kind_for
from ..parsers.access import dig_list, dig_str
from . import kube_ops
from .argocd_api import ArgoCDApi
from .base import ActionContext, ActionError

MAX_LIVE_FETCHES = 60  # an app with hundreds of resources: diff the first ones, say so
API_SOURCE = "the Argo CD API (managed-resources)"
KUBE_SOURCE = "the Application's status.resources and the live objects (no Argo CD API configured)"
KUBE_CAVEAT = ("the desired side is what Argo CD last applied (last-applied-configuration), not git: "
               "commits since the last sync and ignoreDifferences are not seen; set argocd_server for "
               "Argo CD's own diff")


def app_diff(ctx: ActionContext, namespace: str, name: str) -> DiffReport:
    """Never raises: an unreachable or refusing API becomes the report's error."""
    if ctx.argocd_url and ctx.argocd_token:
        return _from_api(ctx, namespace, name)
    return _from_kube(ctx, namespace, name)


def _from_api(ctx: ActionContext, namespace: str, name: str) -> DiffReport:
    assert ctx.argocd_url and ctx.argocd_token
    try:
        api = ArgoCDApi(ctx.argocd_url, ctx.argocd_token, ca_file=ctx.argocd_ca_file, insecure=ctx.argocd_insecure)
        try:
            data = api.call("GET", f"/api/v1/applications/{name}/managed-resources",
                            params={"appNamespace": namespace})
        finally:
            api.close()
    except ActionError as exc:
        return DiffReport(API_SOURCE, error=str(exc))
    if not isinstance(data, dict):
        return DiffReport(API_SOURCE, error="the answer was not a managed-resources list")
    return DiffReport(API_SOURCE, tuple(parse_managed_resources(data)))


def plural_of(kind: str) -> str:
    """The resource name the API serves a kind under, by the usual English rule (CRDs follow it)."""
    low = kind.lower()
    if low.endswith(("s", "x", "ch", "sh")):
        return low + "es"
    if low.endswith("y") and low[-2:-1] not in "aeiou":
        return low[:-1] + "ies"
    return low + "s"


def _live_path(res: dict[str, Any]) -> str:
    group, version, kind = dig_str(res, "group") or "", dig_str(res, "version") or "v1", dig_str(res, "kind") or ""
    api_version = f"{group}/{version}" if group else version
    known = kind_for(api_version, kind)
    plural = known.plural if known is not None else plural_of(kind)
    base = f"/apis/{api_version}" if group else f"/api/{version}"
    ns = dig_str(res, "namespace")
    where = f"/namespaces/{ns}" if ns else ""
    return f"{base}{where}/{plural}/{dig_str(res, 'name')}"


def _from_kube(ctx: ActionContext, namespace: str, name: str) -> DiffReport:
    try:
        app = kube_ops.get(ctx, "applications", namespace, name)
    except ActionError as exc:
        return DiffReport(KUBE_SOURCE, caveats=(KUBE_CAVEAT,), error=str(exc))
    entries = [r for r in dig_list(app, "status", "resources") if isinstance(r, dict)]
    caveats = [KUBE_CAVEAT]
    if len(entries) > MAX_LIVE_FETCHES:
        caveats.append(f"only the first {MAX_LIVE_FETCHES} of {len(entries)} resources were compared")
    out = []
    for res in entries[:MAX_LIVE_FETCHES]:
        live, problem = None, None
        try:
            got = kube_ops.get_path(ctx, _live_path(res))
            live = got if isinstance(got, dict) else None
        except ActionError as exc:
            problem = None if "not found" in str(exc).lower() else f"live object not read: {exc}"
        desired = None
        if live is not None:
            applied, why = _last_applied(live)
            desired = predicted(live, applied) if applied is not None else None
            # a Synced resource is as git wants it: only a drifted one needs the desired side
            problem = problem or (why if res.get("status") == "OutOfSync" else None)
        elif res.get("status") == "OutOfSync" and not problem:
            problem = "not in the cluster (a sync creates it); its desired state is in git only"
        out.append(ResourceDiff(
            group=dig_str(res, "group") or "", kind=dig_str(res, "kind") or "?",
            namespace=dig_str(res, "namespace") or "", name=dig_str(res, "name") or "?",
            live=live, desired=desired if desired is not None else live,
            modified=res.get("status") == "OutOfSync", problem=problem))
    return DiffReport(KUBE_SOURCE, tuple(out), tuple(caveats))


def _last_applied(live: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not isinstance(text, str):
        return None, "no last-applied-configuration (server-side apply?): desired state unknown without the Argo CD API"
    try:
        value = json.loads(text)
    except ValueError:
        return None, "last-applied-configuration is not valid JSON"
    return (value, None) if isinstance(value, dict) else (None, "last-applied-configuration is not an object")
