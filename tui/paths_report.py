"""`clusterdeck paths`: where everything clusterdeck reads and writes is, one `name: path` a line.

Missing things are said, not hidden: an operator checks this first when `b` offers nothing.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def _mark(path: Path | None) -> str:
    if path is None:
        return "(not set)"
    return str(path) if path.exists() else f"{path} (missing)"


def paths_lines(env: Mapping[str, str] = os.environ) -> list[str]:
    from tui.argocd_cli_config import config_file
    from tui.config import config_path, load_config
    from tui.core.bundle import BundleError, manifests_dir

    lines = []
    config_file_path = config_path(env)
    lines.append(f"config:     {_mark(config_file_path)}")
    config = load_config(env)  # a broken config is the CLI's one-line error, as for the console
    try:
        playbooks = config.playbooks_path()
        origin = "playbooks_dir" if config.playbooks_dir is not None else "bundled"
        lines.append(f"playbooks:  {_mark(playbooks)} ({origin})")
        lines.append(f"catalog:    {_mark(playbooks / 'catalog.yaml')}")
        lines.append(f"inventory:  {_mark(config.inventory_path())}")
    except BundleError as exc:
        lines.append(f"playbooks:  {exc}")
    try:
        lines.append(f"manifests:  {_mark(manifests_dir())} (bundled, what --demo renders)")
    except BundleError as exc:
        lines.append(f"manifests:  {exc}")
    state = Path(config.state_dir)
    lines.append(f"state:      {_mark(state)}")
    lines.append(f"audit log:  {_mark(state / 'audit.jsonl')}")
    lines.append(f"runs:       {_mark(state / 'runs')}")
    argocd = config_file(env)
    lines.append(f"argocd CLI: {_mark(argocd) if argocd else '(no argocd login found)'}")
    return lines
