"""Live vs desired state of an Argo CD app's resources, as a unified diff per resource.

Input is either the Argo CD server's `managed-resources` answer (ResourceDiff items whose
states are JSON strings, `parse_managed_resources`) or pairs the caller built from the
Application's `status.resources` and the live objects (`ResourceDiff` directly). Noise the API
server adds (managedFields, resourceVersion, status, ...) is dropped before diffing, and a
Secret's data is masked the way Argo CD masks it: keys kept, every distinct value replaced by a
run of `+` of its own length, so a changed value still shows as changed.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

import yaml

from tui.core.parsers.access import dig_str

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"  # secrets.py masks it in views

# what the API server writes and git never holds: a diff of these says nothing
_META_NOISE = ("managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink")
_ANNOTATION_NOISE = (LAST_APPLIED, "deployment.kubernetes.io/revision")
MASK_UNIT = "++++++++"  # Argo CD's replacement (gitops-engine diff.HideSecretData)


@dataclass(frozen=True)
class ResourceDiff:
    group: str
    kind: str
    namespace: str
    name: str
    live: dict[str, Any] | None  # None: not in the cluster (a sync creates it)
    desired: dict[str, Any] | None  # None: not in git (a prune deletes it), or unknown
    modified: bool = False
    hook: bool = False
    problem: str | None = None  # why a side could not be read

    @property
    def ref(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{where}{self.name}"


@dataclass(frozen=True)
class DiffReport:
    """Every resource's diff and where it came from, with what that source cannot know."""

    source: str
    resources: tuple[ResourceDiff, ...] = ()
    caveats: tuple[str, ...] = ()
    error: str | None = None

    @property
    def changed(self) -> tuple[ResourceDiff, ...]:
        return tuple(r for r in self.resources if diff_lines(r))


def _state(item: dict[str, Any], *fields: str) -> tuple[dict[str, Any] | None, str | None]:
    """The first non-empty JSON-string field of a ResourceDiff item, parsed ("null" is absent)."""
    for name in fields:
        text = item.get(name)
        if not isinstance(text, str) or not text.strip() or text.strip() == "null":
            continue
        try:
            value = json.loads(text)
        except ValueError:
            return None, f"{name} is not valid JSON"
        return (value, None) if isinstance(value, dict) else (None, f"{name} is not an object")
    return None, None


def parse_managed_resources(data: Any) -> list[ResourceDiff]:
    """`GET /api/v1/applications/{name}/managed-resources` -> diffs. Like the Argo CD UI, the
    normalized live state is compared with the predicted one when the server sent them (they
    already carry ignoreDifferences and defaults), else the raw live and target states."""
    items = data.get("items") if isinstance(data, dict) else None
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or item.get("hook"):
            continue
        predicted, p_problem = _state(item, "predictedLiveState")
        if predicted is not None or p_problem:
            live, l_problem = _state(item, "normalizedLiveState", "liveState")
            desired = predicted
        else:
            live, l_problem = _state(item, "liveState")
            desired, p_problem = _state(item, "targetState")
        out.append(ResourceDiff(
            group=dig_str(item, "group") or "", kind=dig_str(item, "kind") or "?",
            namespace=dig_str(item, "namespace") or "", name=dig_str(item, "name") or "?",
            live=live, desired=desired, modified=item.get("modified") is True,
            problem="; ".join(p for p in (l_problem, p_problem) if p) or None))
    return out


def predicted(live: Any, applied: Any) -> Any:
    """The live object once `applied` is applied over it (what Argo CD calls the predicted live
    state): maps merge, lists of named items merge by name, other lists and values replace."""
    if isinstance(live, dict) and isinstance(applied, dict):
        out = dict(live)
        for key, value in applied.items():
            out[key] = predicted(live.get(key), value)
        return out
    if isinstance(live, list) and isinstance(applied, list) and _named(live) and _named(applied):
        by_name = {item["name"]: item for item in live}
        return [predicted(by_name.get(item["name"]), item) for item in applied]
    return applied


def _named(items: list[Any]) -> bool:
    return all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items)


def clean(obj: dict[str, Any] | None) -> dict[str, Any] | None:
    """A copy without what the API server adds (status, managedFields, resourceVersion, ...)."""
    if obj is None:
        return None
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = out.get("metadata")
    if isinstance(meta, dict):
        meta = {k: v for k, v in meta.items() if k not in _META_NOISE}
        notes = meta.get("annotations")
        if isinstance(notes, dict):
            notes = {k: v for k, v in notes.items() if k not in _ANNOTATION_NOISE}
            if notes:
                meta["annotations"] = notes
            else:
                meta.pop("annotations")
        out["metadata"] = meta
    return out


def mask_secret_pair(live: dict[str, Any] | None, desired: dict[str, Any] | None
                     ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Both sides of a Secret with every data/stringData value masked; equal values get equal
    masks and different values different ones, per key, so what changed still shows."""
    sides = [json.loads(json.dumps(s)) if isinstance(s, dict) else None for s in (live, desired)]
    for part in ("data", "stringData"):
        keys: dict[str, None] = {}
        for side in sides:
            if side is not None and isinstance(side.get(part), dict):
                keys.update(dict.fromkeys(side[part]))
        for key in keys:
            masks: dict[str, str] = {}
            for side in sides:
                values = side.get(part) if side is not None else None
                if isinstance(values, dict) and key in values:
                    seen = "" if values[key] is None else str(values[key])
                    values[key] = masks.setdefault(seen, MASK_UNIT + "++++" * len(masks))
    return sides[0], sides[1]


def _text(obj: dict[str, Any] | None) -> list[str]:
    if obj is None:
        return []
    return yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, allow_unicode=True).splitlines()


def diff_lines(res: ResourceDiff, context: int = 3) -> list[str]:
    """The unified diff live -> desired of one resource (empty when they agree)."""
    live, desired = clean(res.live), clean(res.desired)
    if res.kind == "Secret" and res.group in ("", "v1"):
        live, desired = mask_secret_pair(live, desired)
    if live == desired:
        return []
    return list(difflib.unified_diff(_text(live), _text(desired), fromfile=f"live {res.ref}",
                                     tofile=f"desired {res.ref}", lineterm="", n=context))


def changed_fields(res: ResourceDiff, limit: int = 4) -> list[str]:
    """The first fields that differ, in words: "spec.replicas: 3 -> 2" (what explains the drift)."""
    live, desired = clean(res.live), clean(res.desired)
    if res.kind == "Secret" and res.group in ("", "v1"):
        live, desired = mask_secret_pair(live, desired)
    if live is None or desired is None:
        return ["not in the cluster: a sync creates it" if live is None and desired is not None else
                "not in git: a sync with prune deletes it"] if live != desired else []
    out: list[str] = []
    _walk(live, desired, "", out)
    return out[:limit] + ([f"... and {len(out) - limit} more"] if len(out) > limit else [])


def _walk(live: Any, desired: Any, path: str, out: list[str]) -> None:
    if isinstance(live, dict) and isinstance(desired, dict):
        for key in sorted(set(live) | set(desired), key=str):
            _walk(live.get(key, _ABSENT), desired.get(key, _ABSENT), f"{path}.{key}" if path else str(key), out)
    elif isinstance(live, list) and isinstance(desired, list) and len(live) == len(desired):
        for i, (a, b) in enumerate(zip(live, desired, strict=True)):
            _walk(a, b, f"{path}[{i}]", out)
    elif live != desired:
        out.append(f"{path}: {_short(live)} -> {_short(desired)}")


class _Absent:
    def __repr__(self) -> str:
        return "(none)"


_ABSENT = _Absent()


def _short(value: Any) -> str:
    text = "(none)" if value is _ABSENT else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


def report_lines(report: DiffReport) -> list[str]:
    """The whole report as plain lines (the sync preview, the audit record)."""
    lines = [f"Diff from {report.source}."]
    lines += [f"Note: {c}" for c in report.caveats]
    if report.error:
        return [*lines, f"No diff: {report.error}"]
    changed = 0
    for res in report.resources:
        if res.problem:
            lines.append(f"{res.ref}: {res.problem}")
        body = diff_lines(res)
        if body:
            changed += 1
            lines += [f"{res.ref}: " + "; ".join(changed_fields(res)), *body]
    if not changed:
        unknown = any(r.problem for r in report.resources)
        lines.append("No difference shown: the desired state of the resources above is unknown." if unknown
                     else "No difference between live and desired state.")
    return lines
