"""User configuration: `$XDG_CONFIG_HOME/clusterdeck/config.yaml` plus `CLUSTERDECK_*` env overrides.

Every setting has a default, so a missing file is fine; a file that is not valid YAML or has a
value of the wrong type raises ConfigError with the path and the field, never a traceback.
"""
from __future__ import annotations

import fnmatch
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

MIN_HZ, MAX_HZ = 0.5, 30.0  # refresh_hz's range: a change shows within 2 s at worst, 33 ms at best

THEMES = ("clusterdeck", "ansi-dark", "ansi-light", "textual-dark", "textual-light")
DEFAULT_INVENTORY = "playbooks/inventory/demo.yml"


class ConfigError(Exception):
    """The config file or an env override cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Config:
    production_contexts: tuple[str, ...] = ("*prod*",)  # glob patterns on the context name
    theme: str = "clusterdeck"
    keymap: Mapping[str, str] = field(default_factory=dict)  # binding id -> "key1,key2"
    refresh_hz: float = 20.0  # redraws for changes at most this often (a change shows within 1/refresh_hz s)
    state_dir: Path = field(default_factory=lambda: _xdg("XDG_STATE_HOME", ".local/state", {}))
    inventory: str = DEFAULT_INVENTORY
    argocd_server: str | None = None
    argocd_token: str | None = field(default=None, repr=False)  # never in a repr: crash screens print locals
    argocd_ca_file: str | None = None  # CA bundle the Argo CD server's certificate is checked against
    argocd_insecure: bool = False  # skip that check: only when set explicitly (or the argocd CLI's login says so)
    playbooks_dir: Path | None = None  # the operator's own checkout of the playbooks; unset: the bundled ones
    longhorn_url: str | None = None
    traefik_api_url: str | None = None  # Traefik's API (api@internal); unset: no Traefik API source
    traefik_poll_seconds: float = 10.0  # how often that source polls it
    log_lines_max: int = 20_000  # lines a log screen keeps (oldest dropped, and counted)
    events_max: int = 5_000  # Event objects the store keeps (the newest; older ones counted as dropped)
    source_path: Path | None = None  # the file this was read from, when there was one

    def with_theme(self, theme: str) -> Config:
        """The same config with another theme (the CLI's --theme); an unknown name is an error."""
        if theme not in THEMES:
            raise ConfigError(f"--theme: expected one of {', '.join(THEMES)}, got {theme!r}")
        return replace(self, theme=theme)

    def playbooks_path(self) -> Path:
        """Where catalog.yaml and the playbooks are: `playbooks_dir`, else the ones installed with us."""
        if self.playbooks_dir is not None:
            return self.playbooks_dir
        from tui.core.bundle import playbooks_dir

        return playbooks_dir()

    def inventory_path(self) -> Path | None:
        """The inventory (a file or a directory). A relative path that does not exist from here,
        and the default, are read from the playbooks folder (`[playbooks/]inventory/demo.yml`)."""
        if not self.inventory:
            return None
        path = Path(self.inventory).expanduser()
        # the default always means the demo inventory next to the catalog in use
        if self.inventory != DEFAULT_INVENTORY and (path.is_absolute() or path.exists()):
            return path.absolute()
        parts = path.parts[1:] if path.parts[:1] == ("playbooks",) else path.parts
        return self.playbooks_path().joinpath(*parts)

    def is_production(self, context: str | None) -> bool:
        return bool(context) and any(
            fnmatch.fnmatchcase(context or "", pattern) for pattern in self.production_contexts
        )


def _xdg(var: str, fallback: str, env: Mapping[str, str]) -> Path:
    base = env.get(var) or os.path.join(env.get("HOME") or str(Path.home()), fallback)
    return Path(base) / "clusterdeck"


def config_path(env: Mapping[str, str] = os.environ) -> Path:
    if env.get("CLUSTERDECK_CONFIG"):
        return Path(env["CLUSTERDECK_CONFIG"])
    return _xdg("XDG_CONFIG_HOME", ".config", env) / "config.yaml"


def load_config(env: Mapping[str, str] = os.environ) -> Config:
    """The config file (if any) with env overrides applied on top."""
    path = config_path(env)
    values: dict[str, Any] = {"state_dir": _xdg("XDG_STATE_HOME", ".local/state", env)}
    if path.is_file():
        values.update(_read_file(path))
        values["source_path"] = path
    values.update(_env_overrides(env))
    values.update(_argocd_login(values, env))
    config = Config(**values)
    if not MIN_HZ <= config.refresh_hz <= MAX_HZ:
        config = replace(config, refresh_hz=min(MAX_HZ, max(MIN_HZ, config.refresh_hz)))
    return config


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where is not None else ""
        raise ConfigError(f"{path}:{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    lines = _key_lines(path.read_text(encoding="utf-8"))
    try:
        return _validate(data, str(path))
    except ConfigError as exc:
        # name the line of the setting at fault: "config.yaml:3: refresh_hz must be ..."
        name = getattr(exc, "setting", None)
        if name in lines:
            raise ConfigError(str(exc).replace(f"{path}:", f"{path}:{lines[name]}:", 1)) from None
        raise


def _key_lines(text: str) -> dict[str, int]:
    """Top-level setting -> its 1-based line in the file (for error messages)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)}


def _bad(where: str, name: str, text: str) -> ConfigError:
    error = ConfigError(f"{where}: {text}")
    error.setting = name  # type: ignore[attr-defined]
    return error


def _validate(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name == "production_contexts":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _bad(where, name, "production_contexts must be a list of glob patterns")
            out[name] = tuple(value)
        elif name == "theme":
            if value not in THEMES:
                raise _bad(where, name, f"theme must be one of {', '.join(THEMES)}, got {value!r}")
            out[name] = value
        elif name == "keymap":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise _bad(where, name, "keymap must map binding ids to keys, e.g. pane.nodes: n")
            out[name] = dict(value)
        elif name in ("refresh_hz", "traefik_poll_seconds"):
            try:
                out[name] = float(value)
            except (TypeError, ValueError):
                raise _bad(where, name, f"{name} must be a number, got {value!r}") from None
            if not math.isfinite(out[name]):  # .nan and 1e999 parse as floats but mean nothing
                raise _bad(where, name, f"{name} must be a finite number, got {value!r}")
            if name == "traefik_poll_seconds" and not out[name] > 0:
                raise _bad(where, name, f"traefik_poll_seconds must be more than 0, got {value!r}")
        elif name in ("log_lines_max", "events_max"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 100:
                raise _bad(where, name, f"{name} must be a whole number of at least 100, got {value!r}")
            out[name] = value
        elif name in ("state_dir", "playbooks_dir"):
            if not isinstance(value, str) or not value:
                raise _bad(where, name, f"{name} must be a path")
            out[name] = Path(os.path.expanduser(value))
        elif name == "argocd_insecure":
            if isinstance(value, str) and value.lower() in _BOOLEAN_WORDS:
                value = _BOOLEAN_WORDS[value.lower()]
            if not isinstance(value, bool):
                raise _bad(where, name, f"argocd_insecure must be true or false, got {value!r}")
            out[name] = value
        elif name in ("inventory", "argocd_server", "argocd_token", "argocd_ca_file", "longhorn_url",
                      "traefik_api_url"):
            if value is not None and not isinstance(value, str):
                raise _bad(where, name, f"{name} must be a string")
            out[name] = value
        else:
            raise _bad(where, name, f"unknown setting {name!r}")
    return out


_BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "on": True,
                  "false": False, "no": False, "0": False, "off": False}

_ENV = {
    "CLUSTERDECK_PRODUCTION_CONTEXTS": "production_contexts",  # comma separated
    "CLUSTERDECK_THEME": "theme",
    "CLUSTERDECK_REFRESH_HZ": "refresh_hz",
    "CLUSTERDECK_STATE_DIR": "state_dir",
    "CLUSTERDECK_INVENTORY": "inventory",
    "CLUSTERDECK_PLAYBOOKS_DIR": "playbooks_dir",
    "CLUSTERDECK_ARGOCD_CA_FILE": "argocd_ca_file",
    "CLUSTERDECK_ARGOCD_INSECURE": "argocd_insecure",
    "CLUSTERDECK_LONGHORN_URL": "longhorn_url",
    "CLUSTERDECK_TRAEFIK_API_URL": "traefik_api_url",
    "CLUSTERDECK_TRAEFIK_POLL_SECONDS": "traefik_poll_seconds",
    "ARGOCD_SERVER": "argocd_server",
    "ARGOCD_AUTH_TOKEN": "argocd_token",
}


def _env_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for var, name in _ENV.items():
        if env.get(var):
            value: Any = env[var]
            if name == "production_contexts":
                value = [p.strip() for p in value.split(",") if p.strip()]
            raw[name] = value
    if env.get("CLUSTERDECK_KEYMAP"):  # "pane.nodes=n;app.quit=ctrl+q"
        keymap: dict[str, str] = {}
        for item in env["CLUSTERDECK_KEYMAP"].split(";"):
            if not item.strip():
                continue
            binding_id, sep, keys = item.partition("=")
            if not sep or not binding_id.strip() or not keys.strip():
                raise ConfigError(f"CLUSTERDECK_KEYMAP: expected id=keys, got {item!r}")
            keymap[binding_id.strip()] = keys.strip()
        raw["keymap"] = keymap
    return _validate(raw, "environment")


def _argocd_login(values: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """Server and token from the argocd CLI's own login, for whatever the config and env left unset."""
    if values.get("argocd_server") and values.get("argocd_token"):
        return {}
    from tui.argocd_cli_config import read_current_login

    login = read_current_login(env)
    if login is None:
        return {}
    if values.get("argocd_server") and values["argocd_server"].rstrip("/") != login.url:
        return {}  # a token for another server is no use
    out: dict[str, Any] = {"argocd_server": values.get("argocd_server") or login.url,
                           "argocd_token": values.get("argocd_token") or login.token}
    if login.insecure and "argocd_insecure" not in values:
        out["argocd_insecure"] = True  # `argocd login --insecure`: the operator chose it there
    return out
