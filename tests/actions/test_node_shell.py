"""`s` on a node: the ssh command comes from the Ansible inventory (through ansible-inventory),
lands on that node (a real sshd in a network namespace), and an unreachable or address-less node
says why instead of hanging."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.app_support import make_app, press, synced, wait_until
from tests.support.netns_hosts import NetnsHosts, NetnsUnavailable
from tui.core.node_shell import NoShell, resolve_shell, ssh_target
from tui.emulator.demo import demo_objects


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NetnsHosts, object]]:
    hosts = NetnsHosts(tmp_path_factory.mktemp("shell"), count=1, first=9)
    try:
        hosts.__enter__()
    except NetnsUnavailable as why:
        pytest.skip(f"no SSH test host: {why}")
    inventory = hosts.inventory(tmp_path_factory.mktemp("inv") / "hosts.yml", sys.executable)
    try:
        yield hosts, inventory
    finally:
        hosts.close()


def test_shell_lands_on_the_node_from_the_inventory(host):
    hosts, inventory = host
    node = hosts.hosts[0]
    target = resolve_shell(node.name, "192.0.2.1", inventory)  # inventory's ansible_host wins
    assert (target.host, target.user, target.source) == (node.address, "root", "inventory")
    result = subprocess.run(target.argv(("-o", "BatchMode=yes", "ip", "-4", "-o", "addr", "show", "dev", "eth0")),
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert f"{node.address}/30" in result.stdout  # the command ran inside that node's namespace


def test_stopped_sshd_is_reported_not_hung(host):
    hosts, inventory = host
    node = hosts.hosts[0]
    node.stop_sshd()
    try:
        with pytest.raises(NoShell, match=rf"cannot reach root@{node.address}:22 \(from the inventory\): "
                                          "Connection refused"):
            resolve_shell(node.name, None, inventory)
    finally:
        node.start_sshd()


def test_node_without_inventory_entry_uses_internal_ip_and_says_so(host):
    hosts, inventory = host
    target = ssh_target("hel-wk-07", "127.0.0.1", None)
    assert target.source == "InternalIP" and target.argv()[-1] == "127.0.0.1"
    with pytest.raises(NoShell, match="no ansible_host in the inventory and no InternalIP"):
        ssh_target("hel-wk-07", None, None)


async def test_demo_node_says_it_has_no_ssh_address(emulator_factory):
    app = make_app(emulator_factory(demo_objects()))
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        await press(pilot, "2", "s")
        await wait_until(pilot, lambda: any("ansible_connection: local" in str(n.message)
                                            for n in app._notifications), 30, "the no-ssh notification")
