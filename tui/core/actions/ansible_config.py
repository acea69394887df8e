"""Which of clusterdeck's Ansible defaults a run may set, given the operator's own Ansible setup.

Ansible reads `$ANSIBLE_CONFIG`, else `ansible.cfg` in the directory it runs in (the
playbooks folder), else `~/.ansible.cfg`, else `/etc/ansible/ansible.cfg`, and `ANSIBLE_*`
environment variables win over any of them. Our defaults (a short SSH timeout, no host-key
prompt nobody could answer, no colour codes in the event stream, no .retry files) are
environment variables too, so each is set only where neither the environment nor that one
config file already says something: the operator's choice is what runs.
"""
from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from pathlib import Path

# env variable -> its key in ansible.cfg's [defaults]
_KEYS = {
    "ANSIBLE_TIMEOUT": "timeout",
    "ANSIBLE_HOST_KEY_CHECKING": "host_key_checking",
    "ANSIBLE_NOCOLOR": "nocolor",
    "ANSIBLE_RETRY_FILES_ENABLED": "retry_files_enabled",
}


def ansible_cfg(run_dir: Path, env: Mapping[str, str] = os.environ) -> Path | None:
    """The one config file ansible-playbook will read when started in `run_dir`."""
    home = Path(env.get("HOME") or str(Path.home()))
    candidates = [Path(env["ANSIBLE_CONFIG"]).expanduser()] if env.get("ANSIBLE_CONFIG") else []
    candidates += [Path(run_dir) / "ansible.cfg", home / ".ansible.cfg", Path("/etc/ansible/ansible.cfg")]
    return next((path for path in candidates if path.is_file()), None)


def _cfg_defaults(path: Path | None) -> set[str]:
    if path is None:
        return set()
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return set()  # ansible would refuse it and say why; that message reaches the run's output
    return set(parser["defaults"]) if parser.has_section("defaults") else set()


def our_defaults(wanted: Mapping[str, str], run_dir: Path, env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The subset of `wanted` (ANSIBLE_* -> value) that neither the env nor ansible.cfg sets."""
    configured = _cfg_defaults(ansible_cfg(run_dir, env))
    return {var: value for var, value in wanted.items()
            if var not in env and _KEYS.get(var, "") not in configured}
