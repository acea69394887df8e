"""Defect 8: bad input is one line naming the file and line; an unreachable API server is one
clear line and exit 2 (the README's promise) for the console as for the snapshot."""
from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.paths import VENV_BIN
from tui.config import ConfigError, load_config

CLUSTERDECK = str(VENV_BIN / "clusterdeck")


@pytest.mark.parametrize("value", [".nan", "1e999", "-.inf", ".inf"])
def test_refresh_hz_that_is_not_a_finite_number_is_refused_with_its_line(tmp_path: Path, value: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"theme: ansi-dark\nrefresh_hz: {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_config({"CLUSTERDECK_CONFIG": str(config), "HOME": str(tmp_path)})
    assert str(caught.value).startswith(f"{config}:2: refresh_hz must be a finite number")


def test_nan_from_the_environment_is_refused() -> None:
    with pytest.raises(ConfigError, match="refresh_hz must be a finite number"):
        load_config({"CLUSTERDECK_REFRESH_HZ": "nan", "CLUSTERDECK_CONFIG": "/nonexistent", "HOME": "/tmp"})


def test_wrong_type_in_config_names_its_line(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("# mine\nproduction_contexts: ['*prod*']\n\ntheme: neon\n")
    with pytest.raises(ConfigError) as caught:
        load_config({"CLUSTERDECK_CONFIG": str(config), "HOME": str(tmp_path)})
    assert str(caught.value).startswith(f"{config}:4: theme must be one of")


def test_broken_kubeconfig_names_its_line(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters:\n  - name: a\n   cluster: {}\n")
    done = subprocess.run([CLUSTERDECK, "snapshot", "--kubeconfig", str(kubeconfig)], check=False,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"kubeconfig {kubeconfig}:5: not valid YAML" in lines[0], done.stderr


def test_console_on_an_unreachable_server_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "gone",
        "clusters": [{"name": "gone", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "u"}}],
    }))
    env = {**os.environ, "HOME": str(tmp_path), "CLUSTERDECK_STATE_DIR": str(tmp_path / "state")}
    env.pop("CLUSTERDECK_CONFIG", None)
    done = subprocess.run([CLUSTERDECK, "--kubeconfig", str(kubeconfig)], check=False, capture_output=True,
                          text=True, timeout=30, env=env, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, (done.stdout[-500:], done.stderr[-500:])
    assert done.stderr.strip() == (
        f"clusterdeck: cannot reach the cluster at http://127.0.0.1:{port}: connection refused")
