"""Where the data clusterdeck ships with lives: the playbooks, the manifests the demo renders.

An installed wheel carries the repository's top-level `playbooks/` and `manifests/` inside the
`tui` package as `tui/bundled/<name>/` (setup.py's build step copies them there), and they are
found through importlib.resources, wherever site-packages is. A source checkout (what
`pip install -e .` and `make demo` run) has no such copy: there they are the checkout's own
top-level folders, next to `pyproject.toml`.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

BUNDLED = "bundled"  # the folder inside the tui package that the build fills
NAMES = ("playbooks", "manifests")


class BundleError(RuntimeError):
    """A bundled folder is missing: the installation is broken (the message says where we looked)."""


def _package_root() -> Path:
    # tui is a regular package on the file system (never zipped): its Traversable is a Path
    return Path(str(resources.files("tui")))


def bundled_dir(name: str) -> Path:
    """The installed (or checked-out) folder `name`: "playbooks" or "manifests"."""
    if name not in NAMES:
        raise ValueError(f"no bundled folder {name!r} (one of {', '.join(NAMES)})")
    package = _package_root()
    installed = package / BUNDLED / name
    if installed.is_dir():
        return installed
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / name).is_dir():
        return checkout / name
    raise BundleError(f"clusterdeck's {name} are missing: looked in {installed} and {checkout / name}")


def playbooks_dir() -> Path:
    return bundled_dir("playbooks")


def manifests_dir() -> Path:
    return bundled_dir("manifests")
