"""StatefulSet history as the real controller keeps it: one apps/v1 ControllerRevision per template.

Name `<sts>-<hash>`, labels = the StatefulSet's selector labels plus controller.kubernetes.io/hash,
a controller ownerReference to the StatefulSet (kubectl lists by selector, then keeps only what
the StatefulSet controls), `revision` counting up, and `data` = the strategic merge patch
`rollout undo` sends: {"spec": {"template": {..., "$patch": "replace"}}} (REFERENCE 5.3).
Going back to an older template re-uses its revision object and gives it the next number, as
the real controller does, so `rollout history` never shows one template twice.
"""
from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from tui.emulator.resources import Resource
from tui.emulator.store import ObjectStore, as_map

HASH_LABEL = "controller.kubernetes.io/hash"
DEFAULT_HISTORY_LIMIT = 10  # spec.revisionHistoryLimit's default


def _pruned(value: Any) -> Any:
    """Drop nulls and empty maps/lists: kubectl re-serialises templates through Go structs,
    adding `creationTimestamp: null` and `resources: {}` that mean nothing."""
    if isinstance(value, dict):
        out = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def template_hash(template: Any) -> str:
    """Stable 10-char hash of a pod template (ignoring pod-template-hash and patch directives)."""
    t = copy.deepcopy(template) if isinstance(template, dict) else {}
    t.pop("$patch", None)
    (as_map(t.get("metadata")).get("labels") or {}).pop("pod-template-hash", None)
    t = _pruned(t)
    return hashlib.sha256(json.dumps(t, sort_keys=True).encode()).hexdigest()[:10]


def revision_data(template: Any) -> dict[str, Any]:
    """The patch that puts this template back (what kubectl's rollout undo applies)."""
    t = copy.deepcopy(template) if isinstance(template, dict) else {}
    t["$patch"] = "replace"
    return {"spec": {"template": t}}


def revision_number(rev: dict[str, Any]) -> int:
    try:
        return int(rev.get("revision") or 0)
    except (TypeError, ValueError):
        return 0


def _template_in(rev: dict[str, Any]) -> Any:
    return as_map(as_map(rev.get("data")).get("spec")).get("template")


class StatefulSetHistory:
    """Writes ControllerRevisions for StatefulSets; mixed into the workload controllers."""

    store: ObjectStore
    statefulsets: Resource | None

    @property
    def _revisions(self) -> Resource | None:
        return self.store.table.by_key("controllerrevisions.apps")

    def owned_revisions(self, sts: dict[str, Any]) -> list[dict[str, Any]]:
        """This StatefulSet's ControllerRevisions, oldest revision first."""
        res, meta = self._revisions, sts["metadata"]
        if res is None:
            return []
        uid = meta.get("uid")
        out = [copy.deepcopy(r) for r in self.store.list(res, meta.get("namespace"))
               if any(o.get("kind") == "StatefulSet" and o.get("name") == meta["name"]
                      and (not uid or o.get("uid") == uid)
                      for o in as_map(r.get("metadata")).get("ownerReferences") or [])]
        return sorted(out, key=revision_number)

    def record_revision(self, sts: dict[str, Any], name_hint: str | None = None) -> str:
        """The name of the ControllerRevision holding sts's current template, written if new
        (or renumbered to the newest if an older one holds the same template)."""
        res = self._revisions
        meta, spec = sts["metadata"], as_map(sts.get("spec"))
        template = spec.get("template")
        h = template_hash(template)
        owned = self.owned_revisions(sts)
        newest = max((revision_number(r) for r in owned), default=0)
        equal = [r for r in owned if template_hash(_template_in(r)) == h]
        if res is None:
            return name_hint or f"{meta['name']}-{h}"
        if equal:
            rev = equal[-1]
            if revision_number(rev) != newest:
                rev["revision"] = newest + 1
                self.store.write(res, rev)
            return str(rev["metadata"]["name"])
        suffix = h
        if name_hint and name_hint.startswith(f"{meta['name']}-"):
            suffix = name_hint[len(meta["name"]) + 1:]  # a seeded status names the real cluster's hash
        labels = dict(as_map(as_map(spec.get("selector")).get("matchLabels")))
        labels[HASH_LABEL] = suffix
        name = f"{meta['name']}-{suffix}"
        self.store.write(res, {
            "apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": {"name": name, "namespace": meta.get("namespace", ""), "labels": labels,
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet",
                                              "name": meta["name"], "uid": meta.get("uid", ""),
                                              "controller": True, "blockOwnerDeletion": True}]},
            "data": revision_data(template), "revision": newest + 1})
        self._truncate_history(sts, keep={name})
        return name

    def _truncate_history(self, sts: dict[str, Any], keep: set[str]) -> None:
        """Drop the oldest revisions beyond revisionHistoryLimit, never the live ones."""
        res = self._revisions
        assert res is not None
        status = as_map(sts.get("status"))
        keep = keep | {str(status.get("currentRevision") or ""), str(status.get("updateRevision") or "")}
        try:
            limit = int(as_map(sts.get("spec")).get("revisionHistoryLimit", DEFAULT_HISTORY_LIMIT))
        except (TypeError, ValueError):
            limit = DEFAULT_HISTORY_LIMIT
        old = [r for r in self.owned_revisions(sts) if r["metadata"]["name"] not in keep]
        for rev in old[:max(0, len(old) - limit)]:
            self.store.delete(res, rev["metadata"].get("namespace"), rev["metadata"]["name"])

    def record_seeded_revisions(self) -> None:
        """A seeded StatefulSet gets the revision of its template (named as its status says)
        and a currentRevision/updateRevision if the seed had none."""
        res = self.statefulsets
        for sts in [copy.deepcopy(s) for s in self.store.list(res)] if res else []:
            if not isinstance(as_map(sts.get("spec")).get("template"), dict):
                continue  # a malformed seed: nothing to record
            status = as_map(sts.get("status"))
            name = self.record_revision(sts, str(status.get("updateRevision") or status.get("currentRevision") or ""))
            if not status.get("currentRevision") or not status.get("updateRevision"):
                sts["status"] = {**status, "currentRevision": status.get("currentRevision") or name,
                                 "updateRevision": status.get("updateRevision") or name}
                assert res is not None
                self.store.write(res, sts, subresource="status")
