"""Argo CD Application (single- and multi-source) -> AppRow."""
from __future__ import annotations

from typing import Any

from tui.core.parsers.access import (
    as_int,
    dig,
    dig_dict,
    dig_list,
    dig_str,
    name_of,
    namespace_of,
)
from tui.core.rows import AppHistory, AppResource, AppRow, object_key

_SOURCE_FIELDS = ("repoURL", "path", "targetRevision")


def resource_ref(res: Any) -> str | None:
    """"Kind/ns/name" (or "Kind/name" when cluster-scoped) of a status.resources[] entry."""
    kind, name = dig_str(res, "kind"), dig_str(res, "name")
    if not kind or not name:
        return None
    return f"{kind}/{object_key(dig_str(res, 'namespace'), name)}"


def parse_application(obj: Any) -> AppRow:
    name, ns = name_of(obj), namespace_of(obj)
    sources = [s for s in dig_list(obj, "spec", "sources") if isinstance(s, dict)]
    single = dig(obj, "spec", "source")
    if not sources and isinstance(single, dict):
        sources = [single]
    revisions = [r for r in dig_list(obj, "status", "sync", "revisions") if isinstance(r, str)]
    single_revision = dig_str(obj, "status", "sync", "revision")
    if single_revision and not revisions:
        revisions = [single_revision]
    automated = dig(obj, "spec", "syncPolicy", "automated")
    # automated present enables auto-sync, unless v3.1's `enabled: false` turns it off
    auto = isinstance(automated, dict) and dig(automated, "enabled") is not False
    op_state = dig_dict(obj, "status", "operationState")
    conditions = []
    first_error = None
    for cond in dig_list(obj, "status", "conditions"):
        ctype, message = dig_str(cond, "type"), dig_str(cond, "message")
        if not ctype:
            continue
        conditions.append(f"{ctype}: {message}" if message else ctype)
        if first_error is None and ctype.endswith("Error"):
            first_error = conditions[-1]
    resources, out_of_sync, tree = [], [], []
    for res in dig_list(obj, "status", "resources"):
        ref = resource_ref(res)
        if ref:
            resources.append(ref)
            tree.append(AppResource(group=dig_str(res, "group") or "", kind=dig_str(res, "kind") or "",
                                    namespace=dig_str(res, "namespace"), name=dig_str(res, "name") or "",
                                    sync=dig_str(res, "status"), health=dig_str(res, "health", "status"),
                                    health_message=dig_str(res, "health", "message")))
            if dig(res, "status") not in ("Synced", None):
                out_of_sync.append(ref)
    history = [h for h in map(_history_entry, dig_list(obj, "status", "history")) if h is not None]
    # what needs attention first: a failing or running operation, an error condition, bad
    # health, what drifted from git; the message of a finished good sync only when nothing
    # else is to be said
    phase = dig_str(op_state, "phase")
    op_message = dig_str(op_state, "message")
    message = (
        (op_message if phase not in (None, "Succeeded") else None)
        or first_error
        or dig_str(obj, "status", "health", "message")
        or _drift(out_of_sync)
        or op_message
    )
    return AppRow(
        namespace=ns,
        name=name,
        project=dig_str(obj, "spec", "project"),
        sync=dig_str(obj, "status", "sync", "status"),
        health=dig_str(obj, "status", "health", "status"),
        revision=revisions[0] if revisions else None,
        operation=phase,
        auto_sync=auto,
        message=message,
        key=object_key(ns, name),
        revisions=tuple(revisions),
        repo_urls=_source_field(sources, "repoURL"),
        paths=tuple(dig_str(s, "path") or dig_str(s, "chart") or "" for s in sources),
        target_revisions=_source_field(sources, "targetRevision"),
        dest_namespace=dig_str(obj, "spec", "destination", "namespace"),
        dest_server=dig_str(obj, "spec", "destination", "server")
        or dig_str(obj, "spec", "destination", "name"),
        self_heal=auto and dig(automated, "selfHeal") is True,
        prune=auto and dig(automated, "prune") is True,
        resources=tuple(resources),
        out_of_sync=tuple(out_of_sync),
        history_ids=tuple(h.id for h in history),
        conditions=tuple(conditions),
        operation_started=dig_str(op_state, "startedAt"),
        operation_finished=dig_str(op_state, "finishedAt"),
        operation_pending=isinstance(dig(obj, "operation"), dict),
        sources=tuple(source_text(s) + (f" -> {r[:7]}" if r else "")
                      for s, r in zip(sources, [*revisions, *[""] * len(sources)], strict=False)),
        history=tuple(history),
        tree=tuple(tree),
        app_set=next((dig_str(ref, "name") for ref in dig_list(obj, "metadata", "ownerReferences")
                      if dig_str(ref, "kind") == "ApplicationSet"
                      and (dig_str(ref, "apiVersion") or "").startswith("argoproj.io/")), None),
    )


def source_text(source: Any) -> str:
    """"repoURL path @ targetRevision" of one ApplicationSource (a Helm chart names its chart)."""
    repo = dig_str(source, "repoURL") or "?"
    where = dig_str(source, "path") or dig_str(source, "chart") or ""
    target = dig_str(source, "targetRevision") or "HEAD"
    return f"{repo} {where} @ {target}" if where else f"{repo} @ {target}"


def _history_entry(entry: Any) -> AppHistory | None:
    """A RevisionHistory: `id` and `deployedAt` always serialised; `revision`/`source` for a
    single-source app, `revisions`/`sources` for a multi-source one (omitempty)."""
    ident = as_int(dig(entry, "id"))
    if ident is None:
        return None
    revisions = tuple(r for r in dig_list(entry, "revisions") if isinstance(r, str))
    single = dig_str(entry, "revision")
    sources = [s for s in dig_list(entry, "sources") if isinstance(s, dict)]
    source = dig(entry, "source")
    if not sources and isinstance(source, dict) and source:
        sources = [source]
    who = dig(entry, "initiatedBy")
    initiated = "automated" if dig(who, "automated") is True else dig_str(who, "username")
    return AppHistory(id=ident, revisions=revisions or ((single,) if single else ()),
                      deployed_at=dig_str(entry, "deployedAt"), sources=tuple(map(source_text, sources)),
                      initiated_by=initiated)


def _drift(out_of_sync: list[str]) -> str | None:
    if not out_of_sync:
        return None
    more = f" (+{len(out_of_sync) - 1} more)" if len(out_of_sync) > 1 else ""
    return f"out of sync: {out_of_sync[0]}{more}"


def _source_field(sources: list[dict[str, Any]], field: str) -> tuple[str, ...]:
    return tuple(dig_str(s, field) or "" for s in sources)


def instance_of(labels: dict[str, str], annotations: dict[str, str]) -> str | None:
    """The Argo CD app that tracks an object: tracking-id annotation ("app:group/Kind:ns/name"),
    else the instance labels."""
    tracking = annotations.get("argocd.argoproj.io/tracking-id")
    if tracking and ":" in tracking:
        app = tracking.split(":", 1)[0]
        # apps outside the control-plane namespace are written "ns_name"
        return app.split("_", 1)[1] if "_" in app else app
    return labels.get("argocd.argoproj.io/instance") or labels.get("app.kubernetes.io/instance")
