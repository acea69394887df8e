"""playbooks/catalog.yaml: the only playbooks the app may start, and who they may target.

Tolerant reader: an entry needs an id, a playbook file that exists and a known danger;
anything else malformed is reported per entry (the entry is dropped, the rest still load).
"""
from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .base import DANGER_ORDER, ActionError, Danger
from .redact import is_secret_key, redact_text


@dataclass(frozen=True)
class CatalogVar:
    name: str
    default: Any = None
    description: str = ""
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    title: str
    playbook: Path  # absolute
    danger: Danger
    limits: tuple[str, ...]  # allowed --limit targets: hosts, groups or glob patterns ("all" = any)
    variables: tuple[CatalogVar, ...] = ()
    description: str = ""
    hidden: bool = False  # run by a flow (volume mount), not offered in the picker
    drains: bool = False  # takes its nodes out of service (drain, reboot): the confirm shows the drain plan

    def defaults(self) -> dict[str, Any]:
        return {v.name: v.default for v in self.variables}


@dataclass(frozen=True)
class Catalog:
    entries: tuple[CatalogEntry, ...]
    problems: tuple[str, ...] = ()  # one line per entry we could not load
    path: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def get(self, entry_id: str) -> CatalogEntry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise ActionError(f"playbook {entry_id!r} is not in the catalog{f' ({self.path})' if self.path else ''}")

    def pickable(self) -> tuple[CatalogEntry, ...]:
        return tuple(e for e in self.entries if not e.hidden)


def load_catalog(path: Path) -> Catalog:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ActionError(f"no playbook catalog at {path}") from None
    except yaml.YAMLError as exc:
        raise ActionError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    items: Any = raw
    if isinstance(raw, dict):
        items = next((raw[k] for k in ("playbooks", "entries", "catalog") if k in raw), None)
        if isinstance(items, dict):  # {id: {...}} form
            items = [{"id": k, **(v if isinstance(v, dict) else {})} for k, v in items.items()]
    if not isinstance(items, list):
        raise ActionError(f"{path}: expected a list of playbooks (or a 'playbooks:' list)")
    entries: list[CatalogEntry] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        try:
            entries.append(_entry(item, path.parent))
        except ValueError as exc:
            problems.append(f"entry {index + 1}: {exc}")
    return Catalog(tuple(entries), tuple(problems), path)


def _entry(item: Any, base: Path) -> CatalogEntry:
    if not isinstance(item, dict):
        raise ValueError("not a mapping")
    entry_id = item.get("id")
    if not isinstance(entry_id, str) or not entry_id:
        raise ValueError("missing id")
    book = item.get("playbook") or item.get("file")
    if not isinstance(book, str) or not book:
        raise ValueError(f"{entry_id}: missing playbook file")
    playbook = (base / book).resolve()
    if not playbook.is_file():
        raise ValueError(f"{entry_id}: playbook {book} does not exist")
    danger = item.get("danger", "disruptive")
    if danger not in DANGER_ORDER:
        raise ValueError(f"{entry_id}: danger must be safe, disruptive or destructive, not {danger!r}")
    limits = item.get("limits", item.get("allowed_limits", item.get("limit", ["all"])))
    if isinstance(limits, str):
        limits = [limits]
    if not isinstance(limits, list) or not all(isinstance(x, str) for x in limits):
        raise ValueError(f"{entry_id}: limits must be a list of host or group names")
    return CatalogEntry(
        id=entry_id, title=str(item.get("title") or entry_id), playbook=playbook, danger=danger,
        limits=tuple(limits), variables=_variables(item.get("variables", item.get("vars")), entry_id),
        description=str(item.get("description") or ""), hidden=bool(item.get("hidden", False)),
        drains=bool(item.get("drains", False)),
    )


def _variables(raw: Any, entry_id: str) -> tuple[CatalogVar, ...]:
    if raw is None:
        return ()
    out = []
    if isinstance(raw, dict):
        for name, spec in raw.items():
            if isinstance(spec, dict):
                out.append(CatalogVar(str(name), spec.get("default"), str(spec.get("description", "")),
                                      tuple(spec.get("choices") or ())))
            else:
                out.append(CatalogVar(str(name), spec))
    elif isinstance(raw, list):
        for spec in raw:
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                raise ValueError(f"{entry_id}: each variable needs a name")
            out.append(CatalogVar(spec["name"], spec.get("default"), str(spec.get("description", "")),
                                  tuple(spec.get("choices") or ())))
    else:
        raise ValueError(f"{entry_id}: variables must be a mapping or a list")
    return tuple(out)


def check_limit(entry: CatalogEntry, hosts: list[str], inventory_groups: Mapping[str, set[str]]) -> str:
    """The ``--limit`` string for these hosts, or ActionError naming the host the entry refuses."""
    if not hosts:
        raise ActionError(f"{entry.title}: choose at least one host")
    known = set().union(*inventory_groups.values()) if inventory_groups else set()
    for host in hosts:
        if known and host not in known and host not in inventory_groups:
            raise ActionError(f"{host} is not in the inventory")
        # "host" in the catalog = any one inventory host; otherwise a group the host is in (or a glob)
        allowed = host in inventory_groups or any(
            pattern == "all" or (pattern == "host" and host in known)
            or fnmatch.fnmatchcase(host, pattern) or host in inventory_groups.get(pattern, ())
            for pattern in entry.limits
        )
        if host in inventory_groups:  # a group name given as the limit: only the groups listed
            allowed = host in entry.limits
            known.add(host)
        if not allowed:
            raise ActionError(f"{entry.title} may not run on {host} (allowed: {', '.join(entry.limits)})")
    return ",".join(hosts)


def inventory_groups(inventory: Path) -> dict[str, set[str]]:
    """Group name -> host names, as ansible itself reads the inventory (plus 'all').

    Asked of `ansible-inventory --list` in a subprocess: importing ansible into the app's
    process would let it probe the terminal (curses) that Textual owns.
    """
    if not Path(inventory).exists():
        raise ActionError(f"inventory {inventory} does not exist")
    binary = Path(sys.executable).parent / "ansible-inventory"
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False"}
    env = {k: v for k, v in env.items() if not is_secret_key(k)}
    try:
        proc = subprocess.run([str(binary) if binary.exists() else "ansible-inventory", "--list", "-i",
                               str(inventory)], capture_output=True, text=True, timeout=60, env=env,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ActionError(f"cannot read the inventory {inventory}: {exc}") from None
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        why = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ActionError(f"cannot read the inventory {inventory}: {redact_text(why)}") from None
    return _groups_from_listing(data)


def _groups_from_listing(data: dict[str, Any]) -> dict[str, set[str]]:
    def hosts_of(group: str, seen: frozenset[str] = frozenset()) -> set[str]:
        raw = data.get(group)
        entry: dict[str, Any] = raw if isinstance(raw, dict) else {}
        out = set(entry.get("hosts") or [])
        for child in entry.get("children") or []:
            if child not in seen:
                out |= hosts_of(child, seen | {group})
        return out

    groups = {name: hosts_of(name) for name in data if name != "_meta"}
    groups.setdefault("all", set()).update(*groups.values())
    return groups


def count_tasks(playbook: Path) -> int:
    """Static count of tasks in a playbook (blocks flattened; includes count as one): the bar's total."""
    try:
        plays = yaml.safe_load(Path(playbook).read_text())
    except (OSError, yaml.YAMLError):
        return 0
    if not isinstance(plays, list):
        return 0

    def tasks(items: Any) -> int:
        if not isinstance(items, list):
            return 0
        n = 0
        for task in items:
            if isinstance(task, dict) and "block" in task:
                n += tasks(task.get("block")) + tasks(task.get("always"))  # rescue runs only on failure
            elif isinstance(task, dict):
                n += 1
        return n

    def role_tasks(role: Any) -> int:
        name = role.get("role") or role.get("name") if isinstance(role, dict) else role
        if not isinstance(name, str):
            return 0
        for candidate in ("main.yml", "main.yaml"):
            path = Path(playbook).parent / "roles" / name / "tasks" / candidate
            try:
                return tasks(yaml.safe_load(path.read_text()))
            except (OSError, yaml.YAMLError):
                continue
        return 0

    total = 0
    for play in plays:
        if isinstance(play, dict):
            total += 1 if play.get("gather_facts", True) not in (False, "no", "false") else 0
            total += sum(tasks(play.get(k)) for k in ("pre_tasks", "tasks", "post_tasks"))
            total += sum(role_tasks(r) for r in play.get("roles") or [])
    return total
