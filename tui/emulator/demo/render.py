"""A small subset of Kustomize: enough to turn the folders under manifests/ into objects.

Supports what the repository's kustomizations use: `resources:` (files, and folders holding
their own kustomization.yaml, read recursively) and `namespace:` (set on every namespaced
object, as `kubectl apply -k` does). Anything else in a kustomization is refused with a clear
error, so the demo never silently differs from what `kubectl apply -k` would create.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tui.core.kinds import KINDS

# Fields of a kustomization this renderer understands; the rest are transformers it lacks.
_SUPPORTED_FIELDS = frozenset({"apiVersion", "kind", "resources", "namespace"})
_KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# Cluster-scoped kinds keep no namespace, by (group, kind): Longhorn's namespaced `Node`
# shares its kind name with the core one, so the group matters.
_CLUSTER_SCOPED = frozenset(
    {
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("networking.k8s.io", "IngressClass"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    }
    | {(k.group, k.kind) for k in KINDS.values() if not k.namespaced}
)


class RenderError(ValueError):
    """A kustomization or manifest that cannot be rendered; the message names the file."""


def is_cluster_scoped(obj: dict[str, Any]) -> bool:
    api_version = str(obj.get("apiVersion") or "")
    group = api_version.rpartition("/")[0]
    return (group, str(obj.get("kind") or "")) in _CLUSTER_SCOPED


def kustomization_file(folder: Path) -> Path | None:
    for name in _KUSTOMIZATION_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def load_documents(path: Path) -> list[dict[str, Any]]:
    """Every object in a multi-document YAML file (a `kind: List` is expanded)."""
    objects: list[dict[str, Any]] = []
    for index, doc in enumerate(read_yaml(path), start=1):
        if doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            objects.extend(_checked(item, path, index) for item in doc["items"])
        else:
            objects.append(_checked(doc, path, index))
    return objects


def read_yaml(path: Path) -> list[dict[str, Any]]:
    """The non-empty documents of a YAML file, each a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise RenderError(f"{where}: invalid YAML: {problem}") from exc
    docs = [doc for doc in docs if doc is not None]  # empty documents (a stray ---)
    for index, doc in enumerate(docs, start=1):
        if not isinstance(doc, dict):
            raise RenderError(f"{path}: document {index} is not a mapping")
    return docs


def _checked(obj: Any, path: Path, index: int) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise RenderError(f"{path}: document {index}: an object must be a mapping")
    name = (obj.get("metadata") or {}).get("name") if isinstance(obj.get("metadata"), dict) else None
    if not obj.get("apiVersion") or not obj.get("kind") or not name:
        raise RenderError(f"{path}: document {index}: object without apiVersion, kind or metadata.name")
    return obj


def render(folder: Path) -> list[dict[str, Any]]:
    """The objects `kubectl apply -k folder` would create, in resource order."""
    return _render(Path(folder), seen=())


def _render(folder: Path, seen: tuple[Path, ...]) -> list[dict[str, Any]]:
    folder = folder.resolve()
    if folder in seen:
        raise RenderError(f"{folder}: kustomization includes itself (through {seen[-1]})")
    kfile = kustomization_file(folder)
    if kfile is None:
        raise RenderError(f"{folder}: no kustomization.yaml")
    docs = read_yaml(kfile)
    if len(docs) > 1:
        raise RenderError(f"{kfile}: expected one Kustomization document, found {len(docs)}")
    spec = docs[0] if docs else {}
    unsupported = sorted(set(spec) - _SUPPORTED_FIELDS)
    if unsupported:
        raise RenderError(f"{kfile}: unsupported kustomization field(s): {', '.join(unsupported)}")
    resources = spec.get("resources") or []
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise RenderError(f"{kfile}: `resources` must be a list of paths")
    namespace = spec.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        raise RenderError(f"{kfile}: `namespace` must be a string")

    objects: list[dict[str, Any]] = []
    for entry in resources:
        if "://" in entry or entry.startswith("github.com/"):
            raise RenderError(f"{kfile}: remote resource {entry!r} is not supported (no downloads)")
        target = folder / entry
        if target.is_dir():
            objects.extend(_render(target, seen + (folder,)))
        elif target.is_file():
            objects.extend(load_documents(target))
        else:
            raise RenderError(f"{kfile}: resource {entry!r} does not exist")
    if namespace:
        for obj in objects:
            if not is_cluster_scoped(obj):
                obj.setdefault("metadata", {})["namespace"] = namespace
    return objects


def listed_files(folder: Path) -> set[Path]:
    """Every file a kustomization tree reads (kustomization files included)."""
    folder = Path(folder).resolve()
    kfile = kustomization_file(folder)
    if kfile is None:
        return set()
    files = {kfile}
    spec = (read_yaml(kfile) or [{}])[0]
    for entry in spec.get("resources") or []:
        target = (folder / entry).resolve()
        if target.is_dir():
            files |= listed_files(target)
        else:
            files.add(target)
    return files
