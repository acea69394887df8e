"""bootstrap-node.yml in check mode against the demo inventory (this machine, local connection),
through ansible-runner as the app starts it: a real run of the real roles that changes nothing."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.support.playbook_runs import PLAYBOOKS, PlaybookRun, run_playbook

DEMO_INVENTORY = PLAYBOOKS / "inventory" / "demo.yml"
# Files the roles would write; none may appear after a check-mode run.
WOULD_WRITE = [
    Path("/etc/rancher/k3s/config.yaml"),
    Path("/etc/rancher/k3s/token"),
    Path("/etc/systemd/system/k3s.service"),
    Path("/etc/systemd/system/k3s-agent.service"),
    Path("/etc/sysctl.d/90-kubernetes.conf"),
    Path("/etc/modules-load.d/longhorn.conf"),
    Path("/etc/sudoers.d/90-cluster-admins"),
]


def demo_token() -> str:
    inventory = yaml.safe_load(DEMO_INVENTORY.read_text())
    return inventory["all"]["children"]["k3s_cluster"]["vars"]["k3s_token"]


@pytest.fixture(scope="module")
def check_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlaybookRun, list[Path]]:
    os_release = Path("/etc/os-release").read_text() if Path("/etc/os-release").exists() else ""
    if not re.search(r"^ID(_LIKE)?=.*debian", os_release, re.MULTILINE):
        pytest.skip("the roles target Debian; this machine is not Debian-family, so the demo run refuses it")
    absent_before = [p for p in WOULD_WRITE if not p.exists()]
    run = run_playbook(
        "bootstrap-node.yml", DEMO_INVENTORY, tmp_path_factory.mktemp("runner"),
        limit="hel-cp-01,hel-wk-01", check=True, timeout=600,
    )
    return run, absent_before


def test_check_run_succeeds_on_every_host(check_run: tuple[PlaybookRun, list[Path]]) -> None:
    run, _ = check_run
    assert run.status == "successful", run.failure_messages() or run.output()[-3000:]
    assert run.rc == 0
    assert not run.stats.get("failures") and not run.stats.get("dark"), run.stats
    assert set(run.stats["ok"]) == {"hel-cp-01", "hel-wk-01"}


def test_user_sees_each_role_at_work(check_run: tuple[PlaybookRun, list[Path]]) -> None:
    run, _ = check_run
    names = run.task_names()
    for expected in [
        "Admin user",
        "Kubernetes sysctl settings",
        "Comment out swap entries in /etc/fstab",
        "Keep multipathd away from Longhorn's devices (Longhorn KB \"multipathd on the host\")",
        "Load kernel module now",
        "K3s config: server",
        "K3s config: agent",
        "Wait until the node is Ready",
    ]:
        assert expected in names, f"missing task {expected!r} in {names}"


def test_first_server_initialises_the_cluster_and_the_agent_joins_it(
    check_run: tuple[PlaybookRun, list[Path]],
) -> None:
    run, _ = check_run
    configs = {
        d["host"]: next(diff["after"] for diff in d["res"]["diff"] if "after" in diff)
        for d in run.results("runner_on_ok") if d.get("task", "").startswith("K3s config:")
    }
    server = yaml.safe_load(configs["hel-cp-01"])
    agent = yaml.safe_load(configs["hel-wk-01"])
    assert server["cluster-init"] is True and "server" not in server
    assert server["disable"] == ["servicelb", "local-storage"]
    assert server["node-ip"] == "192.168.10.11" and server["node-name"] == "hel-cp-01"
    assert agent["server"] == "https://192.168.10.11:6443" and agent["node-ip"] == "192.168.10.21"
    assert server["token-file"] == agent["token-file"] == "/etc/rancher/k3s/token"


def test_check_run_changes_nothing_and_leaks_no_token(check_run: tuple[PlaybookRun, list[Path]]) -> None:
    run, absent_before = check_run
    for path in absent_before:
        assert not path.exists(), f"check mode wrote {path}"
    # the --diff preview is kept as an artifact: the token must be in none of it
    token = demo_token()
    for artifact in run.artifact_dir.rglob("*"):
        if artifact.is_file():
            assert token not in artifact.read_text(errors="replace"), f"token leaked into {artifact}"


def test_mount_preview_before_attach_says_what_would_happen(tmp_path: Path) -> None:
    """The app previews volume-mount.yml in check mode, possibly before Longhorn attached the
    volume (and always in the demo, where no device exists): the preview must succeed and say
    what a real run would do, not fail on the missing device."""
    volume = "import-wiki-legacy-preview-test"
    run = run_playbook(
        "volume-mount.yml", DEMO_INVENTORY, tmp_path / "runner", limit="hel-wk-01", check=True,
        extravars={"volume": volume, "mount_point": str(tmp_path / "mnt" / volume)},
        timeout=300,
    )
    assert run.status == "successful", run.failure_messages() or run.output()[-3000:]
    assert f"/dev/longhorn/{volume} is not on hel-wk-01 now" in run.output()
    assert "never formats a device that holds a filesystem" in run.output()
    assert not (tmp_path / "mnt" / volume).exists()
