"""The rings hold: import-linter's contracts (pyproject.toml) pass on the tree as it is, and a
module that broke one would be named."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO


def _lint_imports() -> str:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("lint-imports not installed (the test extra installs import-linter)")
    return found


def test_the_import_contracts_are_kept():
    done = subprocess.run([_lint_imports(), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "core is headless" in done.stdout and "screens never import the App" in done.stdout
    assert " 0 broken" in done.stdout


def test_a_screen_importing_the_app_breaks_its_contract(tmp_path):
    # the same contracts over a copy of the tree with one offending import
    tree = tmp_path / "tree"
    shutil.copytree(REPO / "tui", tree / "tui", ignore=shutil.ignore_patterns("__pycache__", "emulator"))
    (tree / "tui" / "emulator").mkdir()
    (tree / "tui" / "emulator" / "__init__.py").write_text("")
    shutil.copytree(REPO / "screens", tree / "screens", ignore=shutil.ignore_patterns("__pycache__"))
    (tree / "screens" / "sneaky.py").write_text("from tui.app import ClusterDeckApp\n")
    shutil.copy(REPO / "pyproject.toml", tree / "pyproject.toml")
    done = subprocess.run([_lint_imports(), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})
    assert done.returncode != 0, done.stdout[-2000:]
    assert "screens.sneaky -> tui.app" in done.stdout
