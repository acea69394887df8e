"""The emulator serves workloads as the API serialises them: zero counts that apps/v1 marks
`omitempty` are absent (a seed or a controller that wrote `readyReplicas: 0` is not what a
real cluster sends), the ones that are not omitempty stay; the console reads absent as 0."""
from __future__ import annotations

from typing import Any

from tui.core import kube_http
from tui.core.parsers import parse_workload
from tui.emulator.demo import demo_objects


def served(emu: Any, path: str) -> dict[str, Any]:
    client = kube_http.client_for(emu.url)
    try:
        return kube_http.request_json(client, "GET", path)  # type: ignore[no-any-return]
    finally:
        client.close()


def test_zero_counts_are_left_out_like_the_api_server_does(emulator_factory: Any) -> None:
    emu = emulator_factory(demo_objects(), controllers=False)
    web = served(emu, "/apis/apps/v1/namespaces/wiki/deployments/wiki-web")
    status = web["status"]
    assert {"readyReplicas", "availableReplicas"}.isdisjoint(status), status  # both 0: omitted
    assert (status["replicas"], status["updatedReplicas"], status["unavailableReplicas"]) == (2, 2, 2)
    db_obj = served(emu, "/apis/apps/v1/namespaces/wiki/statefulsets/wiki-db")
    db = db_obj["status"]
    assert "readyReplicas" not in db  # omitempty
    assert db["availableReplicas"] == 0  # StatefulSetStatus.availableReplicas is not omitempty
    assert db["replicas"] == 1
    # and the parser reads the absent counts as 0, not unknown
    row = parse_workload(web, "Deployment")
    assert (row.replicas, row.ready, row.available, row.updated) == (2, 0, 0, 2)
    assert row.rollout == "progressing: 0 of 2 updated replicas available"
    assert parse_workload(db_obj, "StatefulSet").ready == 0


def test_a_replicaset_scaled_down_keeps_replicas_0(emulator_factory: Any) -> None:
    emu = emulator_factory(demo_objects(), controllers=False)
    sets = served(emu, "/apis/apps/v1/namespaces/wiki/replicasets")["items"]
    old = next(s for s in sets if s["spec"].get("replicas") == 0)
    assert old["status"]["replicas"] == 0  # ReplicaSetStatus.replicas is not omitempty
    assert "readyReplicas" not in old["status"]
