"""Deployment / StatefulSet -> WorkloadRow with the rollout state kubectl would report
(REFERENCE 5.2), and ReplicaSet ownership (Longhorn names a Deployment pod's ReplicaSet)."""
from __future__ import annotations

from typing import Any

from tui.core.parsers.access import (
    annotations_of,
    conditions_by_type,
    dig,
    dig_dict,
    dig_int,
    dig_list,
    dig_str,
    labels_of,
    name_of,
    namespace_of,
    str_map,
)
from tui.core.parsers.argocd import instance_of
from tui.core.rows import WorkloadRow, object_key


def workload_key(kind: str, namespace: str | None, name: str) -> str:
    return f"{kind}/{object_key(namespace, name)}"


def parse_workload(obj: Any, kind: str | None = None) -> WorkloadRow:
    """kind names the list the object came from (list items often omit their own kind)."""
    kind = kind or dig_str(obj, "kind") or "Deployment"
    name, ns = name_of(obj), namespace_of(obj)
    template = dig_dict(obj, "spec", "template")
    containers = dig_list(template, "spec", "containers")
    annotations = annotations_of(obj)
    replicas = dig_int(obj, "spec", "replicas")
    if replicas is None and dig(obj, "spec") is not None and "replicas" not in dig_dict(obj, "spec"):
        replicas = 1  # the API defaults an omitted spec.replicas to 1
    return WorkloadRow(
        namespace=ns,
        name=name,
        kind=kind,
        replicas=replicas,
        ready=status_count(obj, "readyReplicas"),
        updated=status_count(obj, "updatedReplicas"),
        available=status_count(obj, "availableReplicas"),
        key=workload_key(kind, ns, name),
        images=tuple(dig_str(c, "image") or "?" for c in containers if isinstance(c, dict)),
        selector=_pairs(dig(obj, "spec", "selector", "matchLabels")),
        revision=annotations.get("deployment.kubernetes.io/revision"),
        restarted_at=str_map(dig(template, "metadata", "annotations")).get(
            "kubectl.kubernetes.io/restartedAt"
        ),
        rollout=rollout_state(obj, kind, replicas),
        owner_app=instance_of(labels_of(obj), annotations),
        template_labels=_pairs(dig(template, "metadata", "labels")),
        pvcs=_claims(obj, kind, ns, name, replicas),
    )


def status_count(obj: Any, field: str) -> int | None:
    """A replica count from status. The API omits these when zero (`omitempty`), so an absent
    field in a status that exists is 0; no status at all, or a value of the wrong type, is unknown."""
    status = dig(obj, "status")
    if not isinstance(status, dict):
        return None
    if field not in status:
        return 0
    return dig_int(status, field)


def _pairs(value: Any) -> tuple[str, ...]:
    return tuple(f"{k}={v}" for k, v in sorted(str_map(value).items()))


def _claims(obj: Any, kind: str, ns: str | None, name: str, replicas: int | None) -> tuple[str, ...]:
    claims = [
        dig_str(v, "persistentVolumeClaim", "claimName")
        for v in dig_list(obj, "spec", "template", "spec", "volumes")
    ]
    out = [object_key(ns, c) for c in claims if c]
    if kind == "StatefulSet":
        # StatefulSet pods get "<template>-<sts>-<ordinal>" claims
        for tmpl in dig_list(obj, "spec", "volumeClaimTemplates"):
            tmpl_name = dig_str(tmpl, "metadata", "name")
            if tmpl_name:
                out.extend(object_key(ns, f"{tmpl_name}-{name}-{i}") for i in range(min(max(replicas or 0, 0), 1000)))
    return tuple(out)


def rollout_state(obj: Any, kind: str, replicas: int | None) -> str | None:
    """"done", "progressing: <why>" or "failed: <why>"; None when the object lacks status."""
    generation = dig_int(obj, "metadata", "generation")
    observed = dig_int(obj, "status", "observedGeneration")
    if dig(obj, "status") is None:
        return None
    if kind == "StatefulSet":
        return _statefulset_rollout(obj, generation, observed, replicas)
    if generation is not None and (observed is None or generation > observed):
        return "progressing: waiting for spec update to be observed"
    progressing = conditions_by_type(obj, "status", "conditions").get("Progressing")
    if dig(progressing, "reason") == "ProgressDeadlineExceeded":
        return "failed: exceeded its progress deadline"
    want = replicas if replicas is not None else 1
    updated = dig_int(obj, "status", "updatedReplicas") or 0
    total = dig_int(obj, "status", "replicas") or 0
    available = dig_int(obj, "status", "availableReplicas") or 0
    if updated < want:
        return f"progressing: {updated} of {want} new replicas updated"
    if total > updated:
        return f"progressing: {total - updated} old replicas pending termination"
    if available < updated:
        return f"progressing: {available} of {updated} updated replicas available"
    return "done"


def _statefulset_rollout(obj: Any, generation: int | None, observed: int | None,
                         replicas: int | None) -> str:
    if not observed or (generation is not None and generation > observed):
        return "progressing: waiting for spec update to be observed"
    want = replicas if replicas is not None else 1
    ready = dig_int(obj, "status", "readyReplicas") or 0
    if ready < want:
        return f"progressing: {ready} of {want} pods ready"
    partition = dig_int(obj, "spec", "updateStrategy", "rollingUpdate", "partition")
    if partition:
        updated = dig_int(obj, "status", "updatedReplicas") or 0
        if updated < want - partition:
            return f"progressing: {updated} of {want - partition} partitioned pods updated"
        return "done"
    if dig(obj, "status", "updateRevision") != dig(obj, "status", "currentRevision"):
        return "progressing: waiting for pods to reach the update revision"
    return "done"


def replicaset_owner(obj: Any) -> tuple[str, str] | None:
    """(ReplicaSet "ns/name", owning Deployment key) from its controller ownerReference."""
    for ref in dig_list(obj, "metadata", "ownerReferences"):
        if dig(ref, "kind") == "Deployment" and dig_str(ref, "name"):
            ns = namespace_of(obj)
            return object_key(ns, name_of(obj)), workload_key("Deployment", ns, dig_str(ref, "name") or "")
    return None
