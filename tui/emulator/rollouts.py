"""Simulated workload controllers: Deployment rollouts over ReplicaSets, StatefulSet rollouts.

A changed pod template (restartedAt annotation, image) is what starts a rollout: the
Deployment gets a ReplicaSet with revision + 1 (or reuses the one with the same template,
as `rollout undo` needs) and replicas move over one step at a time, each step waiting for
the new ReplicaSet's pods to be Ready (counted by owner_status.py); observedGeneration
catches up at the end (REFERENCE 5.1–5.3). A StatefulSet records each template in a
ControllerRevision (what `rollout history/undo` read; revisions.py), replaces its pods one by one
and ends with currentRevision == updateRevision. Mixed into Controllers (controllers.py).
"""
from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Any

from tui.emulator.resources import Resource
from tui.emulator.revisions import StatefulSetHistory, template_hash
from tui.emulator.store import ObjectStore, as_map

ROLL_STEP_SECONDS = 1.0
REVISION = "deployment.kubernetes.io/revision"


class WorkloadRollouts(StatefulSetHistory):
    """Deployment and StatefulSet controllers; needs Controllers' store, scale and scheduling."""

    store: ObjectStore
    scale: float
    deployments: Resource | None
    replicasets: Resource | None
    statefulsets: Resource | None
    _seen_templates: dict[tuple[str, str, str], str]
    _tasks: dict
    _schedule: Callable[[Resource, str, str], None]
    _stamp: Callable[[], str]

    def remember_templates(self) -> None:
        """Templates as seeded: only a later change to one starts a rollout. Each seeded
        StatefulSet gets the ControllerRevision of its template, so undo has history."""
        self.record_seeded_revisions()
        for res in (self.deployments, self.statefulsets):
            if res is None:
                continue
            for obj in self.store.list(res):
                meta = obj["metadata"]
                key = (res.key, meta.get("namespace", ""), meta["name"])
                self._seen_templates[key] = template_hash(as_map(obj.get("spec")).get("template"))

    def _revision_pods(self, sts: dict[str, Any], revision: str) -> tuple[int, int]:
        """(pods of this revision, of which Ready) among the StatefulSet's live pods."""
        pods = self.store.table.for_path("", "v1", "pods")
        meta = sts["metadata"]
        updated = ready = 0
        for pod in self.store.list(pods, meta.get("namespace")) if pods else []:
            pmeta = as_map(pod.get("metadata"))
            refs = pmeta.get("ownerReferences") or []
            if pmeta.get("deletionTimestamp") or not any(
                    isinstance(r, dict) and r.get("kind") == "StatefulSet" and r.get("name") == meta["name"] for r in refs):
                continue
            if as_map(pmeta.get("labels")).get("controller-revision-hash") == revision:
                updated += 1
                ready += any(isinstance(c, dict) and c.get("type") == "Ready" and c.get("status") == "True"
                             for c in as_map(pod.get("status")).get("conditions") or [])
        return updated, ready

    def _owned_sets(self, namespace: str, name: str) -> list[dict[str, Any]]:
        assert self.replicasets is not None
        return [copy.deepcopy(rs) for rs in self.store.list(self.replicasets, namespace)
                if any(o.get("kind") == "Deployment" and o.get("name") == name
                       for o in rs["metadata"].get("ownerReferences") or [])]

    async def _run_deployment(self, namespace: str, name: str) -> None:
        dep_res, rs_res = self.deployments, self.replicasets
        assert dep_res is not None and rs_res is not None
        dep = self.store.get(dep_res, namespace, name)
        if dep is None or dep["metadata"].get("deletionTimestamp"):
            return  # gone or going: no new ReplicaSet
        h = template_hash(as_map(dep.get("spec")).get("template"))
        if self._seen_templates.get((dep_res.key, namespace, name)) == h:
            meta, status = dep["metadata"], dep.setdefault("status", {})
            if status.get("observedGeneration") != meta.get("generation"):
                want = int(as_map(dep.get("spec")).get("replicas", 1))
                status.update(observedGeneration=meta.get("generation"), replicas=want,
                              updatedReplicas=want, readyReplicas=want, availableReplicas=want)
                self.store.write(dep_res, dep)
            return
        self._seen_templates[(dep_res.key, namespace, name)] = h
        sets = self._owned_sets(namespace, name)
        revisions = [int((s["metadata"].get("annotations") or {}).get(REVISION, 0) or 0) for s in sets]
        revisions.append(int((dep["metadata"].get("annotations") or {}).get(REVISION, 0) or 0))
        revision = str(max(revisions) + 1)
        new = next((s for s in sets if (s["metadata"].get("labels") or {}).get("pod-template-hash") == h), None)
        if new is None:
            template = copy.deepcopy(dep["spec"].get("template") or {})
            template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = h
            new = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                   "metadata": {"name": f"{name}-{h}", "namespace": namespace,
                                "labels": dict(template["metadata"]["labels"]), "annotations": {},
                                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                                     "name": name, "uid": dep["metadata"].get("uid", ""),
                                                     "controller": True, "blockOwnerDeletion": True}]},
                   "spec": {"replicas": 0, "selector": as_map(dep.get("spec")).get("selector") or {},
                            "template": template},
                   "status": {"replicas": 0, "readyReplicas": 0, "availableReplicas": 0}}
        else:
            old_rev = (new["metadata"].get("annotations") or {}).get(REVISION)
            if old_rev:
                history = [r for r in (new["metadata"]["annotations"].get(
                    "deployment.kubernetes.io/revision-history") or "").split(",") if r]
                new["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] = ",".join([*history, old_rev])
        want = int(as_map(dep.get("spec")).get("replicas", 1))
        new["metadata"].setdefault("annotations", {}).update({
            REVISION: revision, "deployment.kubernetes.io/desired-replicas": str(want),
            "deployment.kubernetes.io/max-replicas": str(want + 1)})
        self.store.write(rs_res, new)
        dep = self.store.get(dep_res, namespace, name)
        if dep is None:
            return
        dep["metadata"].setdefault("annotations", {})[REVISION] = revision
        self.store.write(dep_res, dep)
        new_name = new["metadata"]["name"]
        while True:
            done = self._roll_step(namespace, name, new_name, want)
            if done:
                return
            await asyncio.sleep(ROLL_STEP_SECONDS / self.scale)
            dep = self.store.get(dep_res, namespace, name)
            if dep is None or template_hash(dep["spec"].get("template")) != h:
                # template changed again mid-rollout: start over with the newest one
                if dep is not None:
                    self._tasks.pop((dep_res.key, namespace, name), None)
                    self._schedule(dep_res, namespace, name)
                return

    def _roll_step(self, namespace: str, name: str, new_name: str, want: int) -> bool:
        """Move one replica from old ReplicaSets to the new one; True when the rollout is done."""
        dep_res, rs_res = self.deployments, self.replicasets
        assert dep_res is not None and rs_res is not None
        sets = self._owned_sets(namespace, name)
        new = next((s for s in sets if s["metadata"]["name"] == new_name), None)
        dep = self.store.get(dep_res, namespace, name)
        if new is None or dep is None:
            return True
        olds = [s for s in sets if s is not new and int(as_map(s.get("spec")).get("replicas", 0) or 0) > 0]
        new_count = int(new["spec"].get("replicas", 0) or 0)
        # Ready/available counts are the pods' (owner_status.py): a step waits for the new pods.
        new_ready = int(as_map(new.get("status")).get("readyReplicas") or 0)
        if new_count < want and new_ready >= new_count:
            new_count += 1
            new["spec"]["replicas"] = new_count
            new["status"] = {**as_map(new.get("status")), "observedGeneration": new["metadata"].get("generation", 1)}
            self.store.write(rs_res, new)
        if olds and new_ready >= min(new_count, want):
            old = olds[0]
            old["spec"]["replicas"] = int(old["spec"]["replicas"]) - 1
            self.store.write(rs_res, old)
        sets = self._owned_sets(namespace, name)
        old_total = sum(int(s["spec"].get("replicas", 0) or 0) for s in sets if s["metadata"]["name"] != new_name)
        ready_total = sum(int(as_map(s.get("status")).get("readyReplicas") or 0) for s in sets)
        done = new_count >= want and old_total == 0 and new_ready >= want
        dep = self.store.get(dep_res, namespace, name) or dep
        status = dep.setdefault("status", {})
        status.update(replicas=new_count + old_total, updatedReplicas=new_count,
                      readyReplicas=ready_total, availableReplicas=ready_total)
        if ready_total >= want:
            status.pop("unavailableReplicas", None)
        stamp = self._stamp()
        progressing = {"type": "Progressing", "status": "True", "lastUpdateTime": stamp, "lastTransitionTime": stamp,
                       "reason": "NewReplicaSetAvailable" if done else "ReplicaSetUpdated",
                       "message": f'ReplicaSet "{new_name}" ' + ("has successfully progressed." if done else "is progressing.")}
        available = {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                     "message": "Deployment has minimum availability.", "lastUpdateTime": stamp,
                     "lastTransitionTime": stamp}
        status["conditions"] = [available, progressing]
        if done:
            status["observedGeneration"] = dep["metadata"].get("generation")
        self.store.write(dep_res, dep)
        return done

    async def _run_statefulset(self, namespace: str, name: str) -> None:
        res = self.statefulsets
        assert res is not None
        sts = self.store.get(res, namespace, name)
        if sts is None:
            return
        spec, meta = sts.get("spec") or {}, sts["metadata"]
        want = int(spec.get("replicas", 1))
        h = template_hash(spec.get("template"))
        key = (res.key, namespace, name)
        status = sts.setdefault("status", {})
        if self._seen_templates.get(key) == h:
            if status.get("observedGeneration") != meta.get("generation"):
                status.update(observedGeneration=meta.get("generation"), replicas=want, readyReplicas=want,
                              availableReplicas=want, currentReplicas=want, updatedReplicas=want)
                self.store.write(res, sts)
            return
        self._seen_templates[key] = h
        revision = self.record_revision(sts)
        status.update(observedGeneration=meta.get("generation"), updateRevision=revision, updatedReplicas=0)
        self.store.write(res, sts)
        while True:  # the pod controller replaces pods one at a time, highest ordinal first
            await asyncio.sleep(ROLL_STEP_SECONDS / 2 / self.scale)
            sts = self.store.get(res, namespace, name)
            if sts is None:
                return
            if template_hash(as_map(sts.get("spec")).get("template")) != h:
                self._tasks.pop(key, None)
                self._schedule(res, namespace, name)  # changed again: roll to the newest
                return
            updated, ready = self._revision_pods(sts, revision)
            sts.setdefault("status", {}).update(updatedReplicas=updated, currentReplicas=want - updated,
                                                 replicas=want)
            self.store.write(res, sts)
            if updated >= want and ready >= want:
                break
        sts = self.store.get(res, namespace, name)
        if sts is not None:
            sts["status"].update(currentRevision=revision, currentReplicas=want, updatedReplicas=want)
            self.store.write(res, sts)
