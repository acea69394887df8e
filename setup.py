"""The build step pyproject.toml cannot say: copy the repository's top-level `playbooks/` and
`manifests/` into the wheel as `tui/bundled/`, where tui.core.bundle finds them.

They stay at the top of the repository (the cluster repo users know); an editable install
(`pip install -e .`) reads them there directly, so only a real build copies them.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("playbooks", "manifests")
# what a checkout may hold that no user needs: ansible's leftovers, editor and cache files
IGNORED = shutil.ignore_patterns("*.retry", "__pycache__", "*.pyc", ".*")


class BuildPyWithBundle(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in BUNDLED:
            source = HERE / name
            if not source.is_dir():
                raise SystemExit(f"setup.py: {source} is missing; cannot build clusterdeck")
            target = Path(self.build_lib) / "tui" / "bundled" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=IGNORED)


setup(cmdclass={"build_py": BuildPyWithBundle})
