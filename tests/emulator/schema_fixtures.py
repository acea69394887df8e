"""A Deployment with everything strategic merge must keep, and clients for the schema tests."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from kubernetes import config
from kubernetes.dynamic import DynamicClient


def web_deployment(image: str = "nginx:1.27", replicas: Any = 2) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [
                    {"name": "web", "image": image,
                     "ports": [{"containerPort": 8080, "name": "http"}],
                     "env": [{"name": "MODE", "value": "prod"}, {"name": "LEVEL", "value": "info"}],
                     "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
                     "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}},
                    {"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "infinity"]},
                ]},
            },
        },
    }


def write_yaml(path: Path, obj: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(obj), encoding="utf-8")
    return path


def dynamic_client(kc: Path) -> DynamicClient:
    return DynamicClient(config.new_client_from_config(str(kc)))
