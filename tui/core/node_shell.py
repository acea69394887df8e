"""A shell on a node: the ssh command the operator's Ansible inventory implies.

The inventory is read through `ansible-inventory --host` (so group_vars, host_vars and
vault-free variables resolve exactly as for a playbook run); the node's InternalIP is the
fallback address. Before the app suspends for ssh, the address is tried with a short TCP
connect, so an unreachable node says so instead of leaving the operator at a hanging prompt.
"""
from __future__ import annotations

import json
import shlex
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.errors import describe_error

CONNECT_TIMEOUT = 3.0


@dataclass(frozen=True)
class SshTarget:
    host: str
    port: int = 22
    user: str | None = None
    key_file: str | None = None
    source: str = "inventory"  # "inventory" or "InternalIP"
    options: tuple[str, ...] = ()  # ansible_ssh_common_args / ansible_ssh_extra_args (ProxyJump, ...)

    def argv(self, command: tuple[str, ...] = ()) -> list[str]:
        out = ["ssh", "-o", f"ConnectTimeout={int(CONNECT_TIMEOUT) + 2}", "-p", str(self.port), *self.options]
        if self.key_file:
            out += ["-i", self.key_file]
        out.append(f"{self.user}@{self.host}" if self.user else self.host)
        return [*out, *command]

    def describe(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"{who}{self.host}:{self.port} (from the {self.source})"


class NoShell(Exception):
    """Why there is no shell to open on that node, in one line."""


def _ansible_inventory() -> str:
    """The ansible-inventory next to this Python (the venv's), else the one on PATH."""
    local = Path(sys.executable).parent / "ansible-inventory"
    return str(local) if local.exists() else (shutil.which("ansible-inventory") or "ansible-inventory")


def inventory_host_vars(inventory: Path | None, host: str) -> dict[str, Any] | None:
    """The host's variables as Ansible resolves them, or None when the inventory has no such host."""
    if inventory is None:
        return None
    if not inventory.exists():
        raise NoShell(f"the inventory {inventory} does not exist")
    try:
        result = subprocess.run([_ansible_inventory(), "-i", str(inventory), "--host", host],
                                capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NoShell(f"cannot read the inventory {inventory}: {describe_error(exc)}") from None
    if result.returncode != 0:
        if "not found" in result.stderr or "Could not match" in result.stderr:
            return None
        raise NoShell(f"ansible-inventory failed on {inventory}: {result.stderr.strip().splitlines()[-1:]}")
    try:
        data = json.loads(result.stdout)
    except ValueError:
        raise NoShell(f"ansible-inventory gave no JSON for {host}") from None
    return data if isinstance(data, dict) else None


def ssh_target(node: str, internal_ip: str | None, host_vars: dict[str, Any] | None) -> SshTarget:
    """Where `ssh` should go for this node; NoShell says why there is nowhere."""
    hv = host_vars or {}
    if hv.get("ansible_connection") == "local":
        raise NoShell(f"{node} is this machine in the inventory (ansible_connection: local): no ssh address")
    host = hv.get("ansible_host")
    source = "inventory"
    if not isinstance(host, str) or not host:
        host, source = internal_ip, "InternalIP"
    if not host:
        raise NoShell(f"{node} has no ansible_host in the inventory and no InternalIP")
    port = hv.get("ansible_port", 22)
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise NoShell(f"{node}: ansible_port {port!r} is not a number") from None
    user = hv.get("ansible_user")
    key = hv.get("ansible_ssh_private_key_file") or hv.get("ansible_private_key_file")
    options: list[str] = []
    for name in ("ansible_ssh_common_args", "ansible_ssh_extra_args"):
        value = hv.get(name)
        if isinstance(value, str) and value.strip():
            try:
                options += shlex.split(value)
            except ValueError:
                raise NoShell(f"{node}: {name} is not valid shell words: {value!r}") from None
    return SshTarget(str(host), port, str(user) if user else None, str(key) if key else None, source,
                     tuple(options))


def check_reachable(target: SshTarget, timeout: float = CONNECT_TIMEOUT) -> None:
    """A TCP connect to the ssh port; NoShell with the reason when it fails."""
    try:
        with socket.create_connection((target.host, target.port), timeout=timeout):
            return
    except TimeoutError:
        raise NoShell(f"cannot reach {target.describe()}: no answer within {timeout:g} s") from None
    except OSError as exc:
        raise NoShell(f"cannot reach {target.describe()}: {exc.strerror or describe_error(exc)}") from None


def resolve_shell(node: str, internal_ip: str | None, inventory: Path | None) -> SshTarget:
    """Everything short of running ssh: inventory lookup, address, reachability."""
    target = ssh_target(node, internal_ip, inventory_host_vars(inventory, node))
    check_reachable(target)
    return target
