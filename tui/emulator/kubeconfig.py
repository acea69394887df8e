"""A kubeconfig that points kubectl, Traefik and clusterdeck at an emulator URL."""
from __future__ import annotations

from pathlib import Path

import yaml


def kubeconfig_dict(url: str, context: str = "clusterdeck-demo", token: str | None = None) -> dict:
    user = {"token": token} if token else {}
    return {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": context, "cluster": {"server": url}}],
        "users": [{"name": context, "user": user}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        "current-context": context,
    }


def write_kubeconfig(path: str | Path, url: str, context: str = "clusterdeck-demo",
                     token: str | None = None) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(yaml.safe_dump(kubeconfig_dict(url, context, token), sort_keys=False))
    p.chmod(0o600)  # kubectl warns about group/world-readable kubeconfigs
