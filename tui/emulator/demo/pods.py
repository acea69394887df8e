"""The demo's pods, their EndpointSlices, PDB statuses and the last hour's events.

Pods are built with the emulator's own pod builder (podspec.py) for each pod the status
files' EndpointSlices name (their uid, IP and node), so what the demo shows is what the pod
controller would have made. On top of the healthy picture:

- hel-wk-03 stopped reporting on 2026-11-24 at 08:47: the pods that ran there (one each of
  website, wiki-php and donate) were marked for deletion 300 s after the unreachable taint
  (their default toleration), stay Terminating with reason NodeLost, and were replaced by
  the pods now running elsewhere.
- THE INCIDENT: the wiki app's last sync pushed ConfigMap wiki-db-config whose my.cnf holds
  `innodb_buffer_pool_szie = 1G`; mariadbd refuses it, so wiki-db-0 crash-loops (14 restarts,
  the last run ended 14:01:07 on the demo clock), and wiki-web's readiness probe (it goes
  through MediaWiki, which needs the database) fails: Running, 0/1, no ready endpoint.

Slices are then recomputed from the pods with the EndpointSlice controller's own rule, and
each PodDisruptionBudget gets the disruption controller's status.
"""
from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from tui.emulator import gitops, podspec
from tui.emulator.cluster_events import event_pair, regarding
from tui.emulator.container_rules import UNHEALTHY_NOTE
from tui.emulator.endpoints import endpoint_of, selected_pods, slice_ports
from tui.emulator.eviction import pdb_status

NOW = "2026-11-26T14:05:00Z"  # the demo clock (FROZEN_AT of the app tests)
LOST_NODE = "hel-wk-03"
LOST_AT = "2026-11-24T08:47:53Z"  # Ready turned Unknown
EVICTED_AT = "2026-11-24T08:52:58Z"  # unreachable NoExecute taint + 300 s
# (namespace, ReplicaSet) that had a pod on hel-wk-03, and the pod that replaced it.
LOST = {("website", "website-vd4b84ggkb"): "website-vd4b84ggkb-7b58v",
        ("wiki", "wiki-php-8j7m6bq2cz"): "wiki-php-8j7m6bq2cz-pdbqb",
        ("donate", "donate-m2rpddjrs2"): "donate-m2rpddjrs2-s2p4l"}
CRASHING = ("wiki", "wiki-db-0", "mariadb")
CRASH_RESTARTS = 14
CRASH_STARTED, CRASH_FINISHED = "2026-11-26T14:01:06Z", "2026-11-26T14:01:07Z"  # its last run
CRASH_SINCE = "2026-11-24T08:48:31Z"  # this pod's creation (the restart that read the new config)
NOT_READY_APP = ("wiki", "wiki-web")


def _after(stamp: str, seconds: int) -> str:
    t = datetime.fromisoformat(stamp) + timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _index(objects: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in objects}


def _owner_of(pod_name: str, namespace: str, by_id: dict[tuple[str, str, str], dict[str, Any]]) -> dict[str, Any] | None:
    head, _, tail = pod_name.rpartition("-")
    if tail.isdigit() and ("StatefulSet", namespace, head) in by_id:
        return by_id[("StatefulSet", namespace, head)]
    return by_id.get(("ReplicaSet", namespace, head))


def _pod(owner: dict[str, Any], name: str, uid: str, node: dict[str, Any], ip: str, created: str) -> dict[str, Any]:
    meta = owner["metadata"]
    if owner["kind"] == "StatefulSet":
        ordinal = name.rsplit("-", 1)[-1]
        status = owner.get("status") or {}
        labels = {"controller-revision-hash": str(status.get("currentRevision") or ""),
                  "statefulset.kubernetes.io/pod-name": name, "apps.kubernetes.io/pod-index": ordinal}
        spec = owner.get("spec") or {}
        volumes = list((spec.get("template") or {}).get("spec", {}).get("volumes") or [])
        for claim in spec.get("volumeClaimTemplates") or []:
            cname = claim["metadata"]["name"]
            volumes.append({"name": cname, "persistentVolumeClaim": {"claimName": f"{cname}-{name}"}})
        extra = {"hostname": name, "subdomain": spec.get("serviceName") or meta["name"], "volumes": volumes}
        pod = podspec.new_pod(owner, name, created=created, hash_labels=labels, extra_spec=extra)
    else:
        labels = {"pod-template-hash": meta["labels"]["pod-template-hash"]}
        pod = podspec.new_pod(owner, name, created=created, hash_labels=labels, generate_name=f"{meta['name']}-")
    pod["metadata"]["uid"] = uid
    started = _after(created, 4)
    podspec.schedule(pod, node, created)
    podspec.run(pod, started, ip)
    return pod


def demo_pods(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pods, Events and PDB statuses added to (and slices rewritten in) the demo's objects."""
    by_id = _index(objects)
    nodes = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Node" and o["apiVersion"] == "v1"}
    slices = [o for o in objects if o["kind"] == "EndpointSlice"]
    pods: list[dict[str, Any]] = []
    for s in slices:
        ns = s["metadata"]["namespace"]
        for e in s.get("endpoints") or []:
            ref = e["targetRef"]
            owner = _owner_of(ref["name"], ns, by_id)
            if owner is None or any(p["metadata"]["name"] == ref["name"] for p in pods):
                continue
            created = owner["metadata"].get("creationTimestamp") or "2026-11-03T10:05:31Z"
            if ref["name"] in LOST.values():
                created = EVICTED_AT
            if (ns, ref["name"]) == CRASHING[:2]:
                created = CRASH_SINCE
            pods.append(_pod(owner, ref["name"], ref["uid"], nodes[e["nodeName"]], e["addresses"][0], _after(created, 1)))
    for n, ((ns, rs_name), _) in enumerate(sorted(LOST.items())):
        rs = by_id[("ReplicaSet", ns, rs_name)]
        name = f"{rs_name}-{podspec.suffix(rs['metadata']['uid'] + '/lost')}"
        pod = _pod(rs, name, podspec.uuid_for(f"demo/{ns}/{name}"), nodes[LOST_NODE], f"10.42.5.{20 + n}",
                   _after(rs["metadata"]["creationTimestamp"], 2))
        podspec.node_lost(pod, LOST_AT)
        podspec.mark_node_lost_deleted(pod, EVICTED_AT)
        pods.append(pod)
    events = _incident(pods)
    _register_wiki_revisions(by_id)
    _rewrite_slices(objects, slices, pods)
    _pdb_statuses(objects, pods)
    return pods + events


def _incident(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    ns, name, container = CRASHING
    db = next(p for p in pods if p["metadata"]["namespace"] == ns and p["metadata"]["name"] == name)
    podspec.crash(db, container, restarts=CRASH_RESTARTS, started=CRASH_STARTED, finished=CRASH_FINISHED,
                  back_off="5m0s")
    for cond in db["status"]["conditions"]:
        if cond["type"] in ("Ready", "ContainersReady"):
            cond["lastTransitionTime"] = _after(CRASH_SINCE, 9)  # not ready since its first crash
    meta = db["metadata"]
    host = db["spec"]["nodeName"]
    path = f"spec.containers{{{container}}}"
    ref = regarding(db, path)

    def add(obj_ref: dict[str, Any], type_: str, reason: str, note: str, first: str, last: str, count: int,
            host_: str) -> None:
        out.extend(event_pair(obj_ref, type_, reason, note, component="kubelet", host=host_,
                              first=first, last=last, count=count))

    add(ref, "Warning", "BackOff", f"Back-off restarting failed container {container} in pod {name}_{ns}({meta['uid']})",
        "2026-11-26T13:16:10Z", "2026-11-26T14:04:48Z", 61, host)
    image = db["spec"]["containers"][0]["image"]
    add(ref, "Normal", "Pulled", f'Container image "{image}" already present on machine',
        "2026-11-26T13:15:58Z", CRASH_STARTED, 14, host)
    add(ref, "Normal", "Created", f"Created container {container}", "2026-11-26T13:15:58Z", CRASH_STARTED, 14, host)
    add(ref, "Normal", "Started", f"Started container {container}", "2026-11-26T13:15:58Z", CRASH_STARTED, 14, host)
    for pod in pods:
        labels = pod["metadata"].get("labels") or {}
        if (pod["metadata"]["namespace"], labels.get("app.kubernetes.io/name")) != NOT_READY_APP:
            continue
        for c in pod["status"]["containerStatuses"]:
            if any(k.get("name") == c["name"] and k.get("readinessProbe") for k in pod["spec"]["containers"]):
                podspec.set_ready(pod, c["name"], False, "2026-11-24T08:49:10Z")
                add(regarding(pod, f"spec.containers{{{c['name']}}}"), "Warning", "Unhealthy", UNHEALTHY_NOTE,
                    "2026-11-26T13:05:02Z", "2026-11-26T14:04:57Z", 360, pod["spec"]["nodeName"])
    return out


def _rewrite_slices(objects: list[dict[str, Any]], slices: list[dict[str, Any]], pods: list[dict[str, Any]]) -> None:
    services = {(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in objects
                if o["kind"] == "Service" and o["apiVersion"] == "v1"}
    for s in slices:
        ns = s["metadata"]["namespace"]
        svc = services.get((ns, s["metadata"]["labels"].get("kubernetes.io/service-name", "")))
        if svc is None:
            continue
        chosen = selected_pods(svc, [p for p in pods if p["metadata"]["namespace"] == ns])
        if not chosen:
            continue
        s["endpoints"] = [e for e in (endpoint_of(p) for p in sorted(chosen, key=lambda p: p["metadata"]["name"])) if e]
        s["ports"] = slice_ports(svc, chosen) or s.get("ports") or []


def _pdb_statuses(objects: list[dict[str, Any]], pods: list[dict[str, Any]]) -> None:
    for pdb in [o for o in objects if o["kind"] == "PodDisruptionBudget"]:
        ns = pdb["metadata"]["namespace"]
        mine = [p for p in pods if p["metadata"]["namespace"] == ns]
        pdb["status"] = pdb_status(pdb, mine, at=pdb["metadata"].get("creationTimestamp", ""))


# The wiki app's history (argocd-status.yaml): ids 1 and 2 had the right option name; id 3
# (the last sync, f867b19) introduced the typo.
WIKI_GOOD_REVISIONS = ("7ef17b6107e6365f4822afe7725dc343d5783b87", "f9c51ab829dc8f06bac0ba2b4942a403bf5be923")
WIKI_BAD_REVISION = "f867b191a981f83a265dc7542535d721801e2e19"


def _register_wiki_revisions(by_id: dict[tuple[str, str, str], dict[str, Any]]) -> None:
    bad = by_id[("ConfigMap", "wiki", "wiki-db-config")]
    good = copy.deepcopy(bad)
    good["data"]["my.cnf"] = bad["data"]["my.cnf"].replace("innodb_buffer_pool_szie", "innodb_buffer_pool_size")
    for revision in WIKI_GOOD_REVISIONS:
        gitops.register("wiki", revision, [good])
    gitops.register("wiki", WIKI_BAD_REVISION, [bad])
