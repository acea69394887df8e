"""Seed files (`--from DUMP`), generic kinds, the thread-safe object API and the kubeconfig."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC
from pathlib import Path

import httpx
import pytest
import yaml

from tui.emulator import Emulator, SeedError, load_seed, write_kubeconfig

KUBECTL = str(Path(sys.executable).parent / "kubectl")

NODE = "apiVersion: v1\nkind: Node\nmetadata:\n  name: hel-cp-01\n"
VOLUME = "apiVersion: longhorn.io/v1beta2\nkind: Volume\nmetadata:\n  name: bot-db\n  namespace: longhorn-system\n"


def test_multi_document_list_and_json_dumps_load_the_same_objects(tmp_path):
    multi = tmp_path / "multi.yaml"
    multi.write_text(f"---\n{NODE}---\n# a comment-only document\n---\n{VOLUME}")
    as_list = tmp_path / "list.yaml"
    as_list.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List",
                                       "items": [yaml.safe_load(NODE), yaml.safe_load(VOLUME)]}))
    as_json = tmp_path / "dump.json"
    as_json.write_text(json.dumps(yaml.safe_load(as_list.read_text())))
    loaded = [load_seed(p) for p in (multi, as_list, as_json)]
    assert loaded[0] == loaded[1] == loaded[2]
    assert [o["metadata"]["name"] for o in loaded[0]] == ["hel-cp-01", "bot-db"]


@pytest.mark.parametrize("text,line,words", [
    (f"{NODE}---\nkind: Node\nmetadata: {{name: [oops\n", 7, "invalid YAML"),
    (f"{NODE}---\n- just\n- a list\n", 6, "mapping"),
    (f"{NODE}---\napiVersion: v1\nmetadata: {{name: x}}\n", 6, "no kind"),
    (f"{NODE}---\napiVersion: v1\nkind: Node\nmetadata: {{labels: {{}}}}\n", 6, "no metadata.name"),
    (("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Node, metadata: {name: a}}\n"
      "- {apiVersion: v1, kind: Node}\n"), 5, "no metadata.name"),
])
def test_bad_seed_names_file_and_line(tmp_path, text, line, words):
    path = tmp_path / "dump.yaml"
    path.write_text(text)
    with pytest.raises(SeedError) as err:
        load_seed(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}:") and words in message and "\n" not in message


def test_unreadable_seed_is_a_seed_error(tmp_path):
    with pytest.raises(SeedError, match="cannot read"):
        load_seed(tmp_path / "missing.yaml")


def test_unknown_kinds_are_served_generically(emulator_factory, tmp_path):
    backup = {"apiVersion": "longhorn.io/v1beta2", "kind": "BackupTarget",
              "metadata": {"name": "default", "namespace": "longhorn-system"}, "spec": {"pollInterval": "300s"}}
    policy = {"apiVersion": "policy.emberforge.games/v1", "kind": "Policy", "metadata": {"name": "strict"}}
    emu = emulator_factory([backup, policy], controllers=False)
    kc = tmp_path / "kc"
    write_kubeconfig(kc, emu.url)
    out = subprocess.run([KUBECTL, "--kubeconfig", str(kc), f"--cache-dir={tmp_path / 'kube-cache'}",
                          "get", "backuptargets.longhorn.io", "-A", "-o", "json"],
                         capture_output=True, text=True, timeout=30, check=False)
    assert out.returncode == 0, out.stderr
    assert [i["spec"]["pollInterval"] for i in json.loads(out.stdout)["items"]] == ["300s"]
    listed = httpx.get(emu.url + "/apis/policy.emberforge.games/v1/policies").json()
    assert listed["kind"] == "PolicyList" and listed["items"][0]["metadata"]["name"] == "strict"


def test_objects_get_identity_metadata_from_an_injected_clock():
    from datetime import datetime

    fixed = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    emu = Emulator([yaml.safe_load(NODE)], controllers=False, now=lambda: fixed)
    node = emu.get("nodes", None, "hel-cp-01")
    meta = node["metadata"]
    assert meta["creationTimestamp"] == "2026-11-26T09:00:00Z" and meta["generation"] == 1
    assert meta["uid"] == Emulator([yaml.safe_load(NODE)]).get("nodes", None, "hel-cp-01")["metadata"]["uid"]
    assert meta["resourceVersion"] == "1"


def test_object_api_is_safe_from_many_threads_while_serving(tmp_path):
    with Emulator([], controllers=False) as emu:
        start = emu.resource_version  # the CRDs the emulator serves are objects from the start

        def writer(i: int) -> None:
            for j in range(20):
                emu.upsert({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"n{i}-{j}"}})

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(emu.list("nodes")) == 80 and emu.resource_version == start + 80
        body = httpx.get(emu.url + "/api/v1/nodes").json()
        assert len(body["items"]) == 80 and body["metadata"]["resourceVersion"] == str(start + 80)
        assert emu.delete("nodes", None, "n0-0")["metadata"]["name"] == "n0-0"
        assert emu.delete("nodes", None, "n0-0") is None
    assert not emu.running


def test_kubeconfig_with_token_is_sent_as_bearer(tmp_path):
    path = tmp_path / "kc.yaml"
    write_kubeconfig(path, "http://127.0.0.1:1", context="emberforge", token="abc")
    doc = yaml.safe_load(path.read_text())
    assert doc["current-context"] == "emberforge"
    assert doc["users"][0]["user"] == {"token": "abc"}
    assert doc["clusters"][0]["cluster"]["server"] == "http://127.0.0.1:1"


def test_malformed_seed_objects_are_still_served(emulator_factory):
    odd = [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "odd", "labels": ["not", "a", "map"]}},
           {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "odd", "namespace": "x"},
            "spec": "not a mapping"}]
    emu = emulator_factory(odd, time_scale=50.0)
    assert httpx.get(emu.url + "/api/v1/nodes?labelSelector=tier%3Dcp").json()["items"] == []
    emu.upsert({**odd[1], "spec": {"replicas": "three"}})  # the Deployment controller chokes, logs, carries on
    listed = httpx.get(emu.url + "/apis/apps/v1/deployments").json()
    assert listed["items"][0]["spec"] == {"replicas": "three"}
