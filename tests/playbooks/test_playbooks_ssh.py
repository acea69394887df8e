"""Playbook runs over real SSH, through ansible-runner, against three hosts made of network
namespaces (tests/netns_hosts.py); one host's sshd is then stopped: it is reported
UNREACHABLE while the others finish."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.netns_hosts import NetnsHosts, NetnsUnavailable
from tests.support.playbook_runs import run_playbook

# Each host reports the address its eth0 holds: proof the task ran inside that namespace.
PROBE_PLAYBOOK = """\
- name: Reach every test host
  hosts: all
  gather_facts: false
  tasks:
    - name: Ping over SSH
      ansible.builtin.ping:

    - name: Read this host's own address
      ansible.builtin.command: ip -4 -o addr show dev eth0
      register: probe_addr
      changed_when: false

    - name: Report it
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }} has {{ probe_addr.stdout.split()[3] }}"
"""


@pytest.fixture(scope="module")
def netns_hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetnsHosts]:
    hosts = NetnsHosts(tmp_path_factory.mktemp("netns"), count=3)
    try:
        hosts.__enter__()
    except NetnsUnavailable as why:
        pytest.skip(f"no SSH test hosts: {why}")
    try:
        yield hosts
    finally:
        hosts.close()


def run_probe(hosts: NetnsHosts, workdir: Path):
    workdir.mkdir(parents=True, exist_ok=True)
    playbook = workdir / "probe.yml"
    playbook.write_text(PROBE_PLAYBOOK)
    inventory = hosts.inventory(workdir / "inventory.yml", sys.executable)
    return run_playbook(playbook, inventory, workdir / "runner", timeout=180,
                        envvars={"ANSIBLE_TIMEOUT": "5"})


def reported_addresses(run) -> dict[str, str]:
    return {
        d["host"]: d["res"]["msg"].split()[-1]
        for d in run.results("runner_on_ok") if d.get("task") == "Report it"
    }


def test_playbook_reaches_every_host_over_ssh(netns_hosts: NetnsHosts, tmp_path: Path) -> None:
    run = run_probe(netns_hosts, tmp_path)
    assert run.status == "successful", run.failure_messages() or run.output()[-3000:]
    assert reported_addresses(run) == {h.name: f"{h.address}/30" for h in netns_hosts.hosts}
    assert not run.stats.get("dark")


def test_project_playbook_runs_over_ssh_with_become(netns_hosts: NetnsHosts, tmp_path: Path) -> None:
    # volume-unmount.yml as the app starts it on one node: nothing mounted there, so nothing changes
    inventory = netns_hosts.inventory(tmp_path / "inventory.yml", sys.executable)
    mount_point = tmp_path / "import" / "bot-db"
    run = run_playbook("volume-unmount.yml", inventory, tmp_path / "runner", limit="h1",
                       extravars={"volume": "bot-db", "mount_point": str(mount_point)},
                       envvars={"ANSIBLE_TIMEOUT": "5"}, timeout=180)
    assert run.status == "successful", run.failure_messages() or run.output()[-3000:]
    assert set(run.stats["ok"]) == {"h1"}
    assert not run.stats.get("changed") and not run.stats.get("dark")


def test_host_with_stopped_sshd_is_unreachable_while_others_finish(
    netns_hosts: NetnsHosts, tmp_path: Path,
) -> None:
    down = netns_hosts.hosts[1]
    down.stop_sshd()
    run = run_probe(netns_hosts, tmp_path)
    assert run.status == "failed"  # ansible-playbook exits 4: some host was unreachable
    assert set(run.stats.get("dark", {})) == {down.name}
    unreachable = run.results("runner_on_unreachable")
    assert [d["host"] for d in unreachable] == [down.name]
    others = {h.name: f"{h.address}/30" for h in netns_hosts.hosts if h is not down}
    assert reported_addresses(run) == others
    assert not run.stats.get("failures")
