"""The emulated application controller's comparison: managed-resources items (ResourceDiff, as
argo-cd pkg/apis/application/v1alpha1 serialises them: JSON strings, omitempty) for the
resources an Application lists in status.resources.

Desired objects come from gitops.register_desired (the demo's rendered manifests); an app with
none registered compares every resource with itself (Synced). Secrets are masked as the real
controller does (gitops-engine HideSecretData): keys kept, values replaced by runs of `+` that
differ only where the values differ.
"""
from __future__ import annotations

import json
from typing import Any

from tui.emulator.gitops import desired_of, knows_desired
from tui.emulator.patching import merge_patch
from tui.emulator.store import ObjectStore

_MASK = "++++++++"
_SERVER_FIELDS = ("managedFields",)  # Argo CD's normalized live state drops these


def managed_resources(store: ObjectStore, app: dict[str, Any]) -> list[dict[str, Any]]:
    name = app["metadata"]["name"]
    out = []
    for entry in (app.get("status") or {}).get("resources") or []:
        if not isinstance(entry, dict) or not entry.get("kind") or not entry.get("name"):
            continue
        group, version = entry.get("group") or "", entry.get("version") or "v1"
        api_version = f"{group}/{version}" if group else version
        ns = entry.get("namespace") or ""
        probe = {"apiVersion": api_version, "kind": entry["kind"], "metadata": {"namespace": ns}}
        live = store.get(store.table.for_object_or_new(probe), ns or None, entry["name"])
        target = desired_of(name, api_version, entry["kind"], ns, entry["name"]) if knows_desired(name) \
            else _normalized(live)
        if entry["kind"] == "Secret" and not group:
            target, live = _hide(target, live)
        normalized = _normalized(live)
        predicted = merge_patch(normalized, target) if normalized is not None and target is not None else target
        item: dict[str, Any] = {"kind": entry["kind"], "name": entry["name"]}
        if group:
            item["group"] = group
        if ns:
            item["namespace"] = ns
        for key, value in (("targetState", target), ("liveState", live),
                           ("normalizedLiveState", normalized), ("predictedLiveState", predicted)):
            item[key] = json.dumps(value, separators=(",", ":"))  # an absent side is "null", as upstream
        if live is not None:
            item["resourceVersion"] = (live.get("metadata") or {}).get("resourceVersion", "")
        if normalized != predicted:
            item["modified"] = True
        out.append(item)
    return out


def _normalized(live: dict[str, Any] | None) -> dict[str, Any] | None:
    if live is None:
        return None
    meta = {k: v for k, v in (live.get("metadata") or {}).items() if k not in _SERVER_FIELDS}
    return {**live, "metadata": meta}


def _hide(target: dict[str, Any] | None, live: dict[str, Any] | None
          ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    sides = [json.loads(json.dumps(s)) if s is not None else None for s in (target, live)]
    keys = {k for s in sides if s is not None for k in (s.get("data") or {})}
    for key in sorted(keys):
        masks: dict[str, str] = {}
        for side in sides:
            data = side.get("data") if side is not None else None
            if isinstance(data, dict) and key in data:
                data[key] = masks.setdefault(str(data[key] or ""), _MASK + "++++" * len(masks))
    return sides[0], sides[1]
