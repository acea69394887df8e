"""Static checks of playbooks/: syntax, ansible-lint (production profile), and the catalog."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.playbook_runs import PLAYBOOKS, VENV_BIN

CATALOG = PLAYBOOKS / "catalog.yaml"
EXAMPLE_INVENTORY = PLAYBOOKS / "inventory" / "example.yml"
TOP_LEVEL = sorted(p.name for p in PLAYBOOKS.glob("*.yml"))
# Files a playbook pulls in by name: other playbooks, roles, task files.
REFERENCE = re.compile(
    r"(?:import_playbook|import_tasks|include_tasks):\s*(\S+)|(?:- role|name):\s*([a-z0-9_]+)\s*$", re.MULTILINE
)


def catalog_entries() -> list[dict]:
    return yaml.safe_load(CATALOG.read_text())["playbooks"]


def texts_of(playbook: Path) -> str:
    """The playbook's text plus every playbook, role and task file it refers to (transitively)."""
    seen: set[Path] = set()
    todo = [playbook]
    out: list[str] = []
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        text = path.read_text()
        out.append(text)
        for file_ref, role in REFERENCE.findall(text):
            if file_ref:
                todo.append(path.parent / file_ref)
            elif (PLAYBOOKS / "roles" / role).is_dir():
                todo.extend(sorted((PLAYBOOKS / "roles" / role).rglob("*.yml")))
                todo.extend(sorted((PLAYBOOKS / "roles" / role).rglob("*.j2")))
    return "\n".join(out)


def inventory_groups() -> set[str]:
    out = subprocess.run(
        [str(VENV_BIN / "ansible-inventory"), "-i", str(EXAMPLE_INVENTORY), "--list"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return set(yaml.safe_load(out.stdout)) - {"_meta"}


@pytest.mark.parametrize("playbook", TOP_LEVEL)
def test_syntax_check(playbook: str) -> None:
    result = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "--syntax-check", "-i", str(EXAMPLE_INVENTORY), playbook],
        check=False, cwd=PLAYBOOKS, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_catalog_playbook_is_a_top_level_playbook() -> None:
    assert {e["playbook"] for e in catalog_entries()} <= set(TOP_LEVEL)
    assert {"bootstrap-node.yml", "site.yml", "volume-mount.yml", "volume-unmount.yml",
            "node-reboot.yml"} <= set(TOP_LEVEL)


def test_ansible_lint_production_profile_is_clean() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "ansible-lint"), "--nocolor", "-c", str(PLAYBOOKS / ".ansible-lint"),
         "--profile", "production", str(PLAYBOOKS)],
        check=False, cwd=PLAYBOOKS.parent, capture_output=True, text=True, timeout=400,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_catalog_entries_are_complete_and_unique() -> None:
    entries = catalog_entries()
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)), ids
    assert set(ids) == {"bootstrap-node", "site", "volume-mount", "volume-unmount", "node-reboot"}
    for entry in entries:
        assert entry["danger"] in {"safe", "disruptive", "destructive"}, entry["id"]
        assert entry["title"] and entry["description"], entry["id"]
        assert (PLAYBOOKS / entry["playbook"]).is_file(), entry["playbook"]
        for name, spec in (entry.get("variables") or {}).items():
            assert set(spec) >= {"default", "description"}, f"{entry['id']}.{name}"
    # formatting a device can erase data: the mount playbook must say so
    assert {e["id"]: e["danger"] for e in entries}["volume-mount"] == "destructive"


def test_catalog_limits_name_inventory_groups() -> None:
    groups = inventory_groups()
    for entry in catalog_entries():
        for limit in entry["limits"]:
            assert limit == "host" or limit in groups, f"{entry['id']}: unknown limit {limit}"


@pytest.mark.parametrize("entry", catalog_entries(), ids=lambda e: e["id"])
def test_catalog_variables_are_read_by_their_playbook(entry: dict) -> None:
    text = texts_of(PLAYBOOKS / entry["playbook"])
    for name in entry.get("variables") or {}:
        # a read is any mention that is not the variable's own definition (`name:`)
        reads = re.findall(rf"\b{re.escape(name)}\b(?!:)", text)
        assert reads, f"{entry['id']}: variable {name} is never read by {entry['playbook']}"
