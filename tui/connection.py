"""Which cluster the app talks to: a kubeconfig context, the demo, or a dump served offline.

This is where the rings meet: the emulator is started here (never by core), and core is
pointed at its URL like at any cluster, through the official client over HTTP.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from kubernetes import config as kube_config
from kubernetes.client import ApiClient, Configuration

from tui.core import kube_http
from tui.core.kinds import keys_present
from tui.core.ports import Origin

if TYPE_CHECKING:
    from tui.emulator import Emulator

DEMO_CONTEXT = "emberforge-demo"


class ConnectionError_(Exception):
    """One line for humans: which kubeconfig/context/host, and what is wrong."""


@dataclass
class ClusterConnection:
    api_client: ApiClient
    context: str
    read_only: bool = False
    emulator: Emulator | None = None
    argocd_url: str | None = None
    argocd_token: str | None = field(default=None, repr=False)
    longhorn_url: str | None = None
    host: str = ""
    contexts: tuple[str, ...] = ()  # other contexts of the kubeconfig, for `:ctx`
    kubeconfig: str | None = None
    origin: Origin = Origin.KUBECONFIG  # where the data comes from: decides what else may be polled
    dump_kinds: frozenset[str] | None = None  # a dump's KINDS keys: the others are "not in the dump"
    taken_at: str | None = None  # a dump's time (newest object timestamp, else the file's mtime)

    @property
    def origin_label(self) -> str:
        """The header's word for where the data comes from ("offline dump, 2026-11-30 14:05")."""
        label = self.origin.label
        return f"{label}, {self.taken_at}" if label and self.taken_at else label

    def close(self) -> None:
        try:
            self.api_client.close()
        except Exception:  # noqa: BLE001 - closing a pool must not mask the real exit reason
            pass
        if self.emulator is not None:
            self.emulator.stop()


def connect_kubeconfig(
    path: str | None = None, context: str | None = None, read_only: bool = False
) -> ClusterConnection:
    """A real cluster from a kubeconfig (``$KUBECONFIG`` or ~/.kube/config when path is None)."""
    where = path or os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")
    try:
        contexts, active = kube_config.list_kube_config_contexts(config_file=where)
        chosen = context or (active or {}).get("name")
        configuration = Configuration()
        kube_config.load_kube_config(
            config_file=where, context=chosen, client_configuration=configuration
        )
    except kube_config.ConfigException as exc:
        raise ConnectionError_(f"kubeconfig {where}: {exc}") from exc
    except FileNotFoundError as exc:
        raise ConnectionError_(f"kubeconfig {where}: file not found") from exc
    except yaml.YAMLError as exc:  # name the line, as for the config file
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConnectionError_(f"kubeconfig {where}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    except Exception as exc:
        raise ConnectionError_(f"kubeconfig {where}: {str(exc).splitlines()[0][:120]}") from exc
    api_client = kube_http.tuned_client(configuration)
    return ClusterConnection(
        api_client=api_client,
        context=chosen or "default",
        read_only=read_only,
        host=api_client.configuration.host,
        contexts=tuple(c.get("name", "") for c in contexts or []),
        kubeconfig=where,  # Argo CD and Longhorn API addresses come from the config
    )


def origin_of_context(context: str) -> Origin:
    """An emulator's origin by the context it is served under: an emulator standing in for a
    named cluster (the tests' "hel-main") is treated as that cluster."""
    if context.startswith("dump:"):
        return Origin.DUMP
    return Origin.DEMO if context.endswith("demo") else Origin.KUBECONFIG


def connect_emulator(
    emulator: Emulator, context: str = DEMO_CONTEXT, read_only: bool = False,
    argocd_token: str | None = None, origin: Origin | None = None,
) -> ClusterConnection:
    """A started emulator, reached over HTTP like any cluster."""
    return ClusterConnection(
        origin=origin or origin_of_context(context),
        api_client=kube_http.client_for(emulator.url),
        context=context,
        read_only=read_only,
        emulator=emulator,
        argocd_url=emulator.url if argocd_token else None,
        argocd_token=argocd_token,
        host=emulator.url,
        contexts=(context,),
    )


def start_emulator(objects: list[dict[str, Any]], controllers: bool, port: int = 0,
                   argocd_token: str | None = None) -> Emulator:
    from tui.emulator import Emulator

    emulator = Emulator(objects, controllers=controllers, argocd_token=argocd_token)
    emulator.start(port=port)
    return emulator


def connect_demo(read_only: bool = False, port: int = 0) -> ClusterConnection:
    """The embedded demo cluster: Emberforge's seven servers, with live simulated controllers."""
    from tui.emulator.demo import demo_objects_at

    token = secrets.token_urlsafe(24)
    objects = demo_objects_at(datetime.now(timezone.utc))  # the incident is happening now
    emulator = start_emulator(objects, controllers=True, port=port, argocd_token=token)
    return connect_emulator(emulator, DEMO_CONTEXT, read_only, argocd_token=token, origin=Origin.DEMO)


def connect_dump(path: str, port: int = 0) -> ClusterConnection:
    """A dump (`kubectl get -o yaml` output, or multi-document YAML) browsed offline, read-only."""
    from tui.emulator import load_seed

    objects = load_seed(path)
    emulator = start_emulator(objects, controllers=False, port=port)
    conn = connect_emulator(emulator, f"dump:{Path(path).name}", read_only=True, origin=Origin.DUMP)
    conn.dump_kinds = keys_present(objects)
    conn.taken_at = dump_time(objects, Path(path))
    return conn


# the object timestamps that say when the objects last changed (newest wins)
_STAMPS = (("metadata", "creationTimestamp"), ("lastTimestamp",), ("eventTime",), ("deprecatedLastTimestamp",))


def dump_time(objects: list[dict[str, Any]], path: Path) -> str:
    """When a dump was taken, as near as it says: the newest timestamp among its objects and
    their conditions, else the file's modification time. UTC, to the minute."""
    newest = ""
    for obj in objects:
        for where in _STAMPS:
            value: Any = obj
            for step in where:
                value = value.get(step) if isinstance(value, dict) else None
            if isinstance(value, str) and value > newest:
                newest = value
        for cond in (obj.get("status") or {}).get("conditions") or [] if isinstance(obj.get("status"), dict) else []:
            stamp = cond.get("lastTransitionTime") if isinstance(cond, dict) else None
            if isinstance(stamp, str) and stamp > newest:
                newest = stamp
    try:
        moment = datetime.fromisoformat(newest.replace("Z", "+00:00")) if newest else None
    except ValueError:
        moment = None
    if moment is None:
        moment = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    return f"{moment.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"
