"""`limit`/`continue` paging (issue 16): every object exactly once across pages, as of the first
page's resourceVersion even while objects come and go between pages; an expired continue token
answers 410 Expired; real kubectl's `--chunk-size` lists everything."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tui.core.kube_http import client_for

KUBECTL = str(Path(sys.executable).parent / "kubectl")


def seed(count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
                                 for ns in ("alpha", "beta")]
    for i in range(count):
        ns = "alpha" if i % 2 else "beta"
        out.append({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": f"cm-{i:03d}", "namespace": ns, "labels": {"parity": str(i % 2)}},
                    "data": {"i": str(i)}})
    return out


@pytest.fixture
def world(emulator_factory, kubeconfig):
    emu = emulator_factory(seed(25), controllers=False)
    return emu, kubeconfig(emu), k8s.CoreV1Api(client_for(emu.url))


def all_pages(api: k8s.CoreV1Api, limit: int, between=None, **kwargs: Any) -> tuple[list[str], list[Any]]:
    names, pages, token = [], [], None
    while True:
        page = api.list_config_map_for_all_namespaces(limit=limit, _continue=token, **kwargs)
        pages.append(page)
        names += [f"{i.metadata.namespace}/{i.metadata.name}" for i in page.items]
        token = page.metadata._continue
        if not token:
            return names, pages
        if between:
            between(len(pages))


def test_pages_hold_every_object_once_with_counts(world):
    emu, _, api = world
    names, pages = all_pages(api, 4)
    expected = sorted(f"{o['metadata']['namespace']}/{o['metadata']['name']}" for o in emu.list("configmaps"))
    assert names == expected  # in key order, nothing repeated, nothing missing
    assert [len(p.items) for p in pages] == [4, 4, 4, 4, 4, 4, 1]
    assert [p.metadata.remaining_item_count for p in pages] == [21, 17, 13, 9, 5, 1, None]
    assert len({p.metadata.resource_version for p in pages}) == 1


def test_pages_are_a_snapshot_while_objects_change_between_them(world):
    emu, _, api = world
    before = sorted(f"{o['metadata']['namespace']}/{o['metadata']['name']}" for o in emu.list("configmaps"))
    first_rv = emu.resource_version

    def churn(n: int) -> None:
        # an object added ahead of the cursor, one deleted behind and ahead, one changed
        emu.upsert({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": f"zz-new-{n}", "namespace": "beta"}, "data": {}})
        emu.delete("configmaps", "beta", f"cm-{20 + 2 * n:03d}")
        emu.upsert({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "cm-023", "namespace": "alpha"}, "data": {"i": f"changed {n}"}})

    names, pages = all_pages(api, 5, between=churn)
    assert names == before
    assert {p.metadata.resource_version for p in pages} == {str(first_rv)}
    last = next(i for p in pages for i in p.items if i.metadata.name == "cm-023")
    assert last.data == {"i": "23"}  # as it was when the list began
    # a fresh list sees the changes
    fresh, _ = all_pages(api, 100)
    assert "beta/zz-new-1" in fresh and "beta/cm-022" not in fresh


def test_selectors_and_namespaces_page_too(world):
    _, _, api = world
    names, token = [], None
    while True:
        page = api.list_namespaced_config_map("alpha", limit=3, label_selector="parity=1", _continue=token)
        assert page.metadata.remaining_item_count is None  # the API does not count when filtering
        names += [i.metadata.name for i in page.items]
        token = page.metadata._continue
        if not token:
            break
    assert names == [f"cm-{i:03d}" for i in range(1, 25, 2)]


def test_expired_continue_token_answers_410(world):
    emu, _, api = world
    page = api.list_config_map_for_all_namespaces(limit=2)
    emu.upsert({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "later", "namespace": "beta"}})
    emu.compact()  # the store forgets the history the token needs, as etcd compaction does
    with pytest.raises(ApiException) as caught:
        api.list_config_map_for_all_namespaces(limit=2, _continue=page.metadata._continue)
    assert caught.value.status == 410
    assert '"reason":"Expired"' in caught.value.body.replace(" ", "")
    assert "too old to display a consistent list result" in caught.value.body


def test_malformed_continue_token_is_a_bad_request(world):
    _, _, api = world
    with pytest.raises(ApiException) as caught:
        api.list_config_map_for_all_namespaces(limit=2, _continue="not-a-token")
    assert caught.value.status == 400 and "continue key is not valid" in caught.value.body


def test_kubectl_chunk_size_lists_everything(world):
    emu, kc, _ = world
    done = subprocess.run([KUBECTL, "--kubeconfig", str(kc), f"--cache-dir={kc.parent / 'kube-cache'}",
                           "get", "configmaps", "-A", "--chunk-size=2", "--no-headers", "-v=6"],
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    listed = sorted(tuple(line.split()[:2]) for line in done.stdout.splitlines())
    assert listed == sorted((o["metadata"]["namespace"], o["metadata"]["name"]) for o in emu.list("configmaps"))
    assert done.stderr.count("limit=2") >= 13  # it really paged: 25 objects, 2 a page
    assert "continue=" in done.stderr
