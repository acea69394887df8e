"""Strategic-merge metadata of the built-in kinds: which lists merge by which key.

The kubernetes Python client's models carry field types but not Go struct tags, so this one
table carries the `patchStrategy` / `patchMergeKey` struct tags of the types we serve, taken
from upstream: k8s.io/api core/v1/types.go and apps/v1/types.go, and k8s.io/apimachinery
pkg/apis/meta/v1/types.go (kubernetes/api @10b39a3, kubernetes/apimachinery at the same
date). schemas.py turns it into `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`.
Keys are (Go type, JSON field); the value is (strategy, merge key or "" for primitive lists).
"""
from __future__ import annotations

PATCH_TAGS: dict[tuple[str, str], tuple[str, str]] = {
    # meta/v1
    ("ObjectMeta", "ownerReferences"): ("merge", "uid"),
    ("ObjectMeta", "finalizers"): ("merge", ""),
    # core/v1
    ("PersistentVolumeClaimStatus", "conditions"): ("merge", "type"),
    ("Container", "ports"): ("merge", "containerPort"),
    ("Container", "env"): ("merge", "name"),
    ("Container", "volumeMounts"): ("merge", "mountPath"),
    ("Container", "volumeDevices"): ("merge", "devicePath"),
    ("ContainerStatus", "volumeMounts"): ("merge", "mountPath"),
    ("ContainerStatus", "allocatedResourcesStatus"): ("merge", "name"),
    ("PodSpec", "volumes"): ("merge,retainKeys", "name"),
    ("PodSpec", "initContainers"): ("merge", "name"),
    ("PodSpec", "containers"): ("merge", "name"),
    ("PodSpec", "ephemeralContainers"): ("merge", "name"),
    ("PodSpec", "imagePullSecrets"): ("merge", "name"),
    ("PodSpec", "hostAliases"): ("merge", "ip"),
    ("PodSpec", "topologySpreadConstraints"): ("merge", "topologyKey"),
    ("PodSpec", "schedulingGates"): ("merge", "name"),
    ("PodSpec", "resourceClaims"): ("merge,retainKeys", "name"),
    # EphemeralContainerCommon is inlined into EphemeralContainer
    ("EphemeralContainer", "ports"): ("merge", "containerPort"),
    ("EphemeralContainer", "env"): ("merge", "name"),
    ("EphemeralContainer", "volumeMounts"): ("merge", "mountPath"),
    ("EphemeralContainer", "volumeDevices"): ("merge", "devicePath"),
    ("PodStatus", "conditions"): ("merge", "type"),
    ("PodStatus", "hostIPs"): ("merge", "ip"),
    ("PodStatus", "podIPs"): ("merge", "ip"),
    ("PodStatus", "resourceClaimStatuses"): ("merge,retainKeys", "name"),
    ("ReplicationControllerStatus", "conditions"): ("merge", "type"),
    ("ServiceStatus", "conditions"): ("merge", "type"),
    ("ServiceSpec", "ports"): ("merge", "port"),
    ("ServiceAccount", "secrets"): ("merge", "name"),
    ("NodeSpec", "podCIDRs"): ("merge", ""),
    ("NodeStatus", "conditions"): ("merge", "type"),
    ("NodeStatus", "addresses"): ("merge", "type"),
    ("NamespaceStatus", "conditions"): ("merge", "type"),
    # apps/v1
    ("StatefulSetStatus", "conditions"): ("merge", "type"),
    ("DeploymentSpec", "strategy"): ("retainKeys", ""),
    ("DeploymentStatus", "conditions"): ("merge", "type"),
    ("DaemonSetStatus", "conditions"): ("merge", "type"),
    ("ReplicaSetStatus", "conditions"): ("merge", "type"),
}
