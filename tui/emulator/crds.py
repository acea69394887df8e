"""CustomResourceDefinitions as objects (apiextensions.k8s.io/v1): one per custom resource the
emulator serves, so `kubectl get crd` and clients that check a CRD is installed see them.

Built from what the emulator already knows of each resource: its names, scope, version,
whether it has a status subresource and the printer columns it prints (printing.py). The
schema says only "an object, fields kept": the emulator stores whatever it is given.
"""
from __future__ import annotations

from typing import Any

from tui.emulator.printing import columns_for
from tui.emulator.resources import Resource, ServedResources

CRDS = Resource("customresourcedefinitions.apiextensions.k8s.io", "apiextensions.k8s.io", "v1",
                "customresourcedefinitions", "CustomResourceDefinition", False, ("crd", "crds"))


def _version(res: Resource) -> dict[str, Any]:
    version: dict[str, Any] = {
        "name": res.version, "served": True, "storage": True,
        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}
    if res.status_subresource:
        version["subresources"] = {"status": {}}
    columns = [{"name": c.name, "type": c.type, "jsonPath": c.path, **({"priority": c.priority} if c.priority else {})}
               for c in columns_for(res) if c.path]
    if columns:
        version["additionalPrinterColumns"] = columns
    return version


def crd_for(res: Resource, created: str) -> dict[str, Any]:
    names: dict[str, Any] = {"plural": res.plural, "singular": res.singular, "kind": res.kind,
                             "listKind": res.list_kind}
    if res.short_names:
        names["shortNames"] = list(res.short_names)
    conditions = [
        {"type": "NamesAccepted", "status": "True", "lastTransitionTime": created,
         "reason": "NoConflicts", "message": "no conflicts found"},
        {"type": "Established", "status": "True", "lastTransitionTime": created,
         "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}]
    return {"apiVersion": CRDS.api_version, "kind": CRDS.kind,
            "metadata": {"name": res.qualified, "creationTimestamp": created},
            "spec": {"group": res.group, "names": names, "scope": "Namespaced" if res.namespaced else "Cluster",
                     "versions": [_version(res)], "conversion": {"strategy": "None"}},
            "status": {"acceptedNames": names, "conditions": conditions, "storedVersions": [res.version]}}


def crd_objects(table: ServedResources, created: str) -> list[dict[str, Any]]:
    """A CRD per custom resource served (built-in groups have none), registering the CRD kind."""
    table.add(CRDS)
    return [crd_for(r, created) for r in table.all() if r.is_crd]
