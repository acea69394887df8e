"""The command an operator pastes to copy a dump onto the node where a volume is mounted, built
from the inventory (the host's `ansible_host` and `ansible_user`, host vars over group vars), the
same way volume-mount.yml's "Copy command to paste" task writes it."""
from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import yaml


def _host_vars(group: Any, host: str, inherited: dict[str, Any]) -> dict[str, Any] | None:
    """The variables `host` sees in the inventory group `group` (None when it is not in it)."""
    if not isinstance(group, dict):
        return None
    group_vars = group.get("vars")
    here = {**inherited, **(group_vars if isinstance(group_vars, dict) else {})}
    hosts = group.get("hosts")
    if isinstance(hosts, dict) and host in hosts:
        own = hosts[host] if isinstance(hosts[host], dict) else {}
        return {**here, **own}
    children = group.get("children")
    for child in (children.values() if isinstance(children, dict) else ()):
        found = _host_vars(child, host, here)
        if found is not None:
            return found
    return None


def copy_commands(inventory: Path | None, node: str, mount_point: str) -> list[str]:
    """`rsync …` and `scp …` lines for `node`; the ssh user defaults as the playbook's does."""
    found: dict[str, Any] = {}
    if inventory is not None:
        try:
            data = yaml.safe_load(inventory.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            data = None
        found = _host_vars(data.get("all") if isinstance(data, dict) else None, node, {}) or {}
    try:
        default_user = getpass.getuser()
    except (KeyError, OSError):
        default_user = "root"
    user = str(found.get("ansible_user") or default_user)
    host = str(found.get("ansible_host") or node)
    return [f"rsync -avP ./dump.sql {user}@{host}:{mount_point}/",
            f"scp ./dump.sql {user}@{host}:{mount_point}/"]
