"""Issue 9: clusterdeck installed like any tool. The wheel is built once from a clean copy of the
source, installed NON-editable (with its dependencies, as `pip install .` / pipx do) into a
fresh venv, and every command runs from an empty temporary directory with a fresh HOME: nothing
may be found through the source tree.

Slow by nature (one pip install of every dependency, about 1.5 minutes here); everything after
it reuses the same venv.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import REPO
from tui.core.actions import load_catalog

PROBE = Path(__file__).with_name("probe_installed.py")
# what a source checkout has that no build may depend on
NOT_SOURCE = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
                                    "tests", "bench", "snapshot_report.html", ".hypothesis")


@dataclass(frozen=True)
class Installed:
    bin: Path
    site: Path
    cwd: Path  # an empty directory away from the repo
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(a) for a in args], cwd=self.cwd, env=self.env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL, check=False)


def _pip(python: Path | str, *args: str, timeout: float) -> None:
    done = subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args],
                          capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"pip {' '.join(args)} failed:\n{done.stderr[-3000:]}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    _pip(sys.executable, "wheel", "--no-deps", "-w", str(root / "dist"), str(source), timeout=600)
    [wheel] = (root / "dist").glob("clusterdeck-*.whl")
    venv.EnvBuilder(with_pip=True, clear=True).create(root / "venv")
    python = root / "venv" / "bin" / "python"
    _pip(python, "install", str(wheel), timeout=1200)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    cwd = root / "elsewhere"
    cwd.mkdir()
    env = {"HOME": str(cwd), "PATH": f"{root / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin",
           "LANG": "C.UTF-8", "TERM": os.environ.get("TERM", "xterm-256color")}
    yield Installed(root / "venv" / "bin", site, cwd, env)


def _version() -> str:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def test_version_and_paths_point_into_the_installed_package(installed: Installed) -> None:
    done = installed.run(installed.bin / "clusterdeck", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"clusterdeck {_version()}"

    done = installed.run(installed.bin / "clusterdeck", "paths")
    assert done.returncode == 0, done.stderr
    paths = dict(line.split(":", 1) for line in done.stdout.splitlines())
    bundled = installed.site / "tui" / "bundled"
    assert paths["playbooks"].strip() == f"{bundled / 'playbooks'} (bundled)"
    assert paths["catalog"].strip() == str(bundled / "playbooks" / "catalog.yaml")
    assert paths["inventory"].strip() == str(bundled / "playbooks" / "inventory" / "demo.yml")
    assert paths["manifests"].strip().startswith(str(bundled / "manifests"))
    assert paths["audit log"].strip() == f"{installed.cwd}/.local/state/clusterdeck/audit.jsonl (missing)"
    assert "missing" not in paths["playbooks"] + paths["catalog"] + paths["inventory"] + paths["manifests"]


def test_snapshot_of_the_demo_from_another_directory(installed: Installed) -> None:
    done = installed.run(installed.bin / "clusterdeck", "snapshot", "--demo", "--format", "json")
    assert done.returncode == 0, done.stderr[-2000:]
    snapshot = json.loads(done.stdout)
    assert len(snapshot["nodes"]) == 7
    assert "wiki" in {app["name"] for app in snapshot["apps"]}  # rendered from the bundled manifests
    assert "import-wiki-legacy" in {v["name"] for v in snapshot["volumes"]}


def test_app_offers_every_catalog_playbook_and_the_import_runs_in_check_mode(installed: Installed) -> None:
    done = installed.run(installed.bin / "python", PROBE, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout)
    assert seen["tui_file"].startswith(str(installed.site))  # the installed copy, not the checkout
    expected = [e.id for e in load_catalog(REPO / "playbooks" / "catalog.yaml").pickable()]
    assert seen["catalog"] == expected and seen["catalog_problems"] == []
    assert seen["check_only"] is True  # the bundled demo inventory: check runs only
    assert seen["import"]["outcome"] == "succeeded", seen["import"]["message"]
    assert seen["ticket_node"] == "hel-wk-02"
