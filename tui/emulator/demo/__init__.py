"""The demo cluster: Emberforge's cluster as this repository describes it, plus live state.

The objects are the repository's own manifests rendered as `kubectl apply -k` would (MetalLB,
Traefik, Longhorn, ArgoCD, and each Application's folder, the way ArgoCD deploys it), merged
with the cluster-state files next to this module (nodes, Longhorn volumes, bindings, controller
statuses, ArgoCD's view). A state object with the same apiVersion/kind/namespace/name as a
rendered one is deep-merged into it (its status, the metadata the API server adds, the odd
field a person changed by hand); the others (Nodes, Longhorn volumes, EndpointSlices,
ReplicaSets, ...) are added as they are. Pods and the last hour's Events come from
demo/pods.py (the incident). Nothing is random and every timestamp is fixed.
"""
from __future__ import annotations

import copy
import functools
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.core.bundle import manifests_dir
from tui.emulator import gitops
from tui.emulator.demo.pods import NOW as DEMO_NOW
from tui.emulator.demo.pods import demo_pods
from tui.emulator.demo.render import RenderError, load_documents, render

__all__ = ["MANIFESTS", "STATE_FILES", "DemoError", "ObjectId", "demo_objects", "object_id"]

# the repository's manifests/, as installed with the package (a checkout reads its own folder)
MANIFESTS = manifests_dir()
# Add-on folders in the order the addons role applies them; apps come from the Applications.
ADDON_FOLDERS = ("metallb", "traefik", "longhorn", "argocd")
STATE_DIR = Path(__file__).resolve().parent
STATE_FILES = ("namespaces.yaml", "nodes.yaml", "longhorn.yaml", "storage.yaml", "metallb.yaml",
               "workloads-status.yaml", "argocd-status.yaml", "backups.yaml")
# When ArgoCD first synced the rendered objects: their creationTimestamp unless a state file says.
FIRST_SYNC = "2026-11-03T10:05:30Z"

ObjectId = tuple[str, str, str, str]  # apiVersion, kind, namespace ("" if cluster-scoped), name

DemoError = RenderError


def object_id(obj: dict[str, Any]) -> ObjectId:
    meta = obj.get("metadata") or {}
    return (str(obj.get("apiVersion") or ""), str(obj.get("kind") or ""),
            str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def demo_objects() -> list[dict[str, Any]]:
    """Every object of the demo cluster (a fresh copy: callers may mutate it)."""
    return copy.deepcopy(list(_build()))


_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def demo_objects_at(now: datetime) -> list[dict[str, Any]]:
    """The demo as if its clock (pods.NOW) were `now`: every timestamp moved by the same amount,
    so a person running `--demo` today sees "last restart 95s ago", not "7d ago"."""
    delta = now - datetime.fromisoformat(DEMO_NOW.replace("Z", "+00:00"))

    def move(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: move(v) for k, v in value.items()}
        if isinstance(value, list):
            return [move(v) for v in value]
        if isinstance(value, str) and _STAMP.fullmatch(value):
            moved = datetime.fromisoformat(value.replace("Z", "+00:00")) + delta
            return moved.strftime("%Y-%m-%dT%H:%M:%SZ")
        return value

    return [move(obj) for obj in _build()]


@functools.lru_cache(maxsize=1)
def _build() -> tuple[dict[str, Any], ...]:
    objects: list[dict[str, Any]] = []
    for folder in ADDON_FOLDERS:
        objects.extend(render(MANIFESTS / folder))
    for app in [o for o in objects if o.get("kind") == "Application"]:
        deployed = _deployed_by(app)
        # git's side of the managed-resources diff: the manifests before any live state is merged
        gitops.register_desired(app["metadata"]["name"], deployed)
        objects.extend(deployed)
    for obj in objects:
        obj.setdefault("metadata", {}).setdefault("creationTimestamp", FIRST_SYNC)

    by_id = {object_id(o): o for o in objects}
    for name in STATE_FILES:
        for state in load_documents(STATE_DIR / name):
            target = by_id.get(object_id(state))
            if target is None:
                objects.append(state)
                by_id[object_id(state)] = state
            else:
                _merge(target, state)
    objects.extend(demo_pods(objects))  # pods, events, slices and PDB statuses that agree with them
    return tuple(objects)


def _deployed_by(app: dict[str, Any]) -> list[dict[str, Any]]:
    """What ArgoCD applies for an Application whose source is a folder of this repository."""
    source = (app.get("spec") or {}).get("source") or {}
    path = source.get("path")
    name = app["metadata"]["name"]
    if not path:
        raise RenderError(f"Application {name}: no spec.source.path")
    objects = render(MANIFESTS.parent / path)
    for obj in objects:
        # ArgoCD (v3 default: annotation tracking) marks every object it applies with its app.
        meta = obj.setdefault("metadata", {})
        group = obj["apiVersion"].rpartition("/")[0]
        tracking = f"{name}:{group}/{obj['kind']}:{meta.get('namespace', '')}/{meta['name']}"
        meta.setdefault("annotations", {})["argocd.argoproj.io/tracking-id"] = tracking
    return objects


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    """Deep-merge mappings; any other value in `extra` replaces the target's."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
