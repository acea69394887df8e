"""The argocd CLI's own login (`argocd login` writes it): server and token of its current context.

The file is `$ARGOCD_CONFIG_DIR/config`, else `$XDG_CONFIG_HOME/argocd/config` (default
`~/.config/argocd/config`), else the legacy `~/.argocd/config`. A context whose server is a
`--core` one (no server: the CLI talks to the kube API) gives nothing, so clusterdeck falls
back to writing the Application's operation field the same way. Anything unreadable or
malformed gives nothing too: this is a convenience, never a reason not to start.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class ArgoCDLogin:
    url: str  # with scheme: https://host[:port][/root], or http:// for a plain-text server
    token: str = field(repr=False)  # never printed
    insecure: bool = False  # logged in with --insecure (certificate not checked)
    source: Path | None = None


def config_file(env: Mapping[str, str] = os.environ) -> Path | None:
    """The CLI config file that exists, in the CLI's own order of preference."""
    home = Path(env.get("HOME") or str(Path.home()))
    candidates = []
    if env.get("ARGOCD_CONFIG_DIR"):
        candidates.append(Path(env["ARGOCD_CONFIG_DIR"]) / "config")
    candidates.append(Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "argocd" / "config")
    candidates.append(home / ".argocd" / "config")
    return next((path for path in candidates if path.is_file()), None)


def read_current_login(env: Mapping[str, str] = os.environ) -> ArgoCDLogin | None:
    path = config_file(env)
    if path is None:
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return login_from(data, path) if isinstance(data, dict) else None


def _named(items: Any, key: str, name: Any) -> dict[str, Any]:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get(key) == name:
            return item
    return {}


def login_from(data: Mapping[str, Any], source: Path | None = None) -> ArgoCDLogin | None:
    context = _named(data.get("contexts"), "name", data.get("current-context"))
    server = _named(data.get("servers"), "server", context.get("server"))
    user = _named(data.get("users"), "name", context.get("user"))
    host, token = server.get("server"), user.get("auth-token")
    if server.get("core") or not isinstance(host, str) or not host or not isinstance(token, str) or not token:
        return None
    scheme = "http" if server.get("plain-text") is True else "https"
    url = host.rstrip("/") if "://" in host else f"{scheme}://{host.rstrip('/')}"
    root = server.get("grpc-web-root-path")
    if isinstance(root, str) and root.strip("/"):
        url += "/" + root.strip("/")
    return ArgoCDLogin(url, token, insecure=server.get("insecure") is True, source=source)
