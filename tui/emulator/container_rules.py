"""What the simulated kubelet decides about a container: does it crash, is it ready.

- MariaDB refuses to start on an option it does not know (`unknown variable 'x=y'`): the
  server reads every `*.cnf` of the ConfigMaps mounted into its container, so a typo'd
  option there crash-loops the pod, and fixing the ConfigMap lets the next restart succeed.
- A readiness dependency: pods whose readiness probe needs another service are Ready only
  while that Service has a ready endpoint (the demo's wiki-web answers its probe through
  MediaWiki, which needs the database). Listed here by namespace and app label.
"""
from __future__ import annotations

import re
from typing import Any

from tui.emulator.store import as_map

# Server options the demo's configs use (mariadbd --help --verbose knows ~600; these suffice
# to tell a typo from a real option in this repository's configs).
KNOWN_MARIADB_OPTIONS = frozenset({
    "bind_address", "port", "socket", "datadir", "user", "pid_file", "log_error", "skip_name_resolve",
    "character_set_server", "collation_server", "max_connections", "max_allowed_packet",
    "innodb_buffer_pool_size", "innodb_log_file_size", "innodb_flush_log_at_trx_commit",
    "innodb_flush_method", "innodb_file_per_table", "innodb_io_capacity", "table_open_cache",
    "thread_cache_size", "tmp_table_size", "max_heap_table_size", "slow_query_log",
    "long_query_time", "sql_mode", "wait_timeout", "interactive_timeout", "query_cache_type",
    "query_cache_size", "key_buffer_size", "sort_buffer_size", "join_buffer_size", "log_bin",
    "server_id", "binlog_format", "expire_logs_days", "default_storage_engine", "skip_log_bin",
})
# (namespace, app.kubernetes.io/name) -> (namespace, Service) its readiness needs.
READINESS_NEEDS = {("wiki", "wiki-web"): ("wiki", "wiki-db")}
UNHEALTHY_NOTE = "Readiness probe failed: HTTP probe failed with statuscode: 500"
_OPTION = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*(?:=\s*(.*?))?\s*$")


def _mounted_configmaps(pod: dict[str, Any], container: dict[str, Any]) -> list[str]:
    volumes = {v.get("name"): as_map(v.get("configMap")).get("name")
               for v in as_map(pod.get("spec")).get("volumes") or [] if isinstance(v, dict)}
    return [str(volumes[m.get("name")]) for m in container.get("volumeMounts") or []
            if isinstance(m, dict) and volumes.get(m.get("name"))]


def unknown_mariadb_option(text: str) -> str | None:
    """`name=value` of the first server option mariadbd would refuse, or None."""
    section = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";", "!")):
            continue
        if stripped.startswith("["):
            section = stripped.strip("[]").strip().lower()
            continue
        if section not in ("mysqld", "mariadb", "mariadbd", "server", "galera"):
            continue
        m = _OPTION.match(stripped)
        if not m:
            continue
        name = m.group(1).replace("-", "_").lower()
        if name.startswith("loose_"):  # mariadbd only warns about unknown loose_ options
            continue
        if name not in KNOWN_MARIADB_OPTIONS:
            value = m.group(2)
            return f"{m.group(1)}={value}" if value is not None else m.group(1)
    return None


def crashing_option(pod: dict[str, Any], container: dict[str, Any],
                    configmaps: dict[str, dict[str, Any]]) -> str | None:
    """The refused option when this container is a MariaDB server with a bad mounted config."""
    image = str(container.get("image") or "")
    if not re.search(r"(^|/)(mariadb|mysql)(:|@|$)", image):
        return None
    for name in _mounted_configmaps(pod, container):
        data = as_map(as_map(configmaps.get(name)).get("data"))
        for key in sorted(data):
            if key.endswith(".cnf") and isinstance(data[key], str):
                bad = unknown_mariadb_option(data[key])
                if bad:
                    return bad
    return None


def readiness_needs(pod: dict[str, Any]) -> tuple[str, str] | None:
    meta = as_map(pod.get("metadata"))
    app = as_map(meta.get("labels")).get("app.kubernetes.io/name")
    return READINESS_NEEDS.get((str(meta.get("namespace") or ""), str(app or "")))
