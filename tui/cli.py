"""The `clusterdeck` command: the console, `snapshot`, `diagnose`, `emulate` and `paths`.

Every bad input (unknown flag, unreadable or invalid dump, broken kubeconfig, unreachable
cluster) ends as one line on stderr naming the file, line or host, and exit code 2.
"""
from __future__ import annotations

import argparse
import gc
import queue
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

import orjson

from tui.connection import ClusterConnection, ConnectionError_

if TYPE_CHECKING:
    from tui.core.events import SourceEvent
    from tui.core.store import ClusterStore

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _add_target(parser: argparse.ArgumentParser, demo_help: str) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--demo", action="store_true", help=demo_help)
    where.add_argument("--from", dest="dump", metavar="DUMP.yaml",
                       help="browse a dump offline (multi-document YAML or a kind: List), read-only")
    parser.add_argument("--kubeconfig", metavar="FILE", help="kubeconfig (default $KUBECONFIG or ~/.kube/config)")
    parser.add_argument("--context", metavar="NAME", help="kubeconfig context (default: the current one)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="clusterdeck", description=__doc__.splitlines()[0] if __doc__ else None)
    _add_target(parser, "open the embedded demo cluster")
    parser.add_argument("--read-only", action="store_true", help="refuse every action that changes anything")
    parser.add_argument("--theme", metavar="NAME", help="textual theme, e.g. ansi-dark for 16/256-colour consoles")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    commands.add_parser("paths", help="where the playbooks, inventory, config, state and audit log are")

    snapshot = commands.add_parser("snapshot", help="print the cluster model once every source synced")
    _add_target(snapshot, "the embedded demo cluster")
    snapshot.add_argument("--format", choices=("text", "json"), default="text")
    snapshot.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                          help="how long to wait for every source's first answer (default 30)")

    diagnose = commands.add_parser("diagnose", help="check every hop of each route (exit 1 when one fails)")
    _add_target(diagnose, "the embedded demo cluster (no traffic is sent: those hops are skipped)")
    diagnose.add_argument("--route", metavar="NS/NAME", help="only this route (default: every route)")
    diagnose.add_argument("--format", choices=("text", "json"), default="text")
    diagnose.add_argument("--traefik-api", metavar="URL",
                          help="Traefik's API (default: the config's traefik_api_url)")
    diagnose.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                          help="how long to wait for every source's first answer (default 30)")

    emulate = commands.add_parser("emulate", help="run the cluster emulator in the foreground")
    where = emulate.add_mutually_exclusive_group()
    where.add_argument("--demo", action="store_true", help="the demo cluster (default)")
    where.add_argument("--from", dest="dump", metavar="DUMP.yaml", help="objects to serve")
    emulate.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    emulate.add_argument("--kubeconfig-out", required=True, metavar="FILE",
                         help="where to write a kubeconfig for kubectl and clusterdeck")
    emulate.add_argument("--no-controllers", action="store_true",
                         help="a still world: no simulated ArgoCD/Longhorn/rollout controllers")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clusterdeck")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def cmd_paths(args: argparse.Namespace) -> int:
    from tui.paths_report import paths_lines

    for line in paths_lines():
        print(line)
    return 0


def _connect(args: argparse.Namespace, read_only: bool = False) -> ClusterConnection:
    from tui import connection

    if args.demo:
        return connection.connect_demo(read_only=read_only)
    if args.dump:
        return connection.connect_dump(args.dump)
    return connection.connect_kubeconfig(args.kubeconfig, args.context, read_only=read_only)


def probe(conn: ClusterConnection) -> None:
    """One cheap request first, so an unreachable cluster is one clear line (exit 2), not 18."""
    from tui.core import kube_http
    from tui.core.errors import describe_error

    try:
        kube_http.request_json(conn.api_client, "GET", "/version", timeout=(3.0, 10.0))
    except Exception as exc:
        detail = getattr(exc, "status", None)
        reason = f"HTTP {detail}" if detail else describe_error(exc)
        raise ConnectionError_(f"cannot reach the cluster at {conn.host}: {reason}") from exc


def collect(conn: ClusterConnection, timeout: float, traefik_api_url: str | None = None) -> ClusterStore:
    """Run every source until each has answered once (or the timeout), on this thread.
    `traefik_api_url` adds the Traefik API source (default: the config's, when it loads)."""
    from tui.core.clock import SystemClock
    from tui.core.source_wiring import build_sources
    from tui.core.store import ClusterStore

    probe(conn)
    clock = SystemClock()
    store = ClusterStore(clock)
    events: queue.SimpleQueue[SourceEvent] = queue.SimpleQueue()
    explicit = traefik_api_url is not None
    sources = build_sources(conn.api_client, events.put, clock, origin=conn.origin,
                            traefik_api_url=traefik_api_url if explicit else _configured_traefik_api(),
                            force_traefik_api=explicit, present=conn.dump_kinds, events_max=store.events_max)
    sources.start()
    deadline = time.monotonic() + timeout
    try:
        while not store.synced() and time.monotonic() < deadline:
            try:
                store.handle(events.get(timeout=0.1))
            except queue.Empty:
                continue
        while True:  # whatever already arrived belongs to the picture too
            try:
                store.handle(events.get_nowait())
            except queue.Empty:
                break
    finally:
        sources.stop()
    return store


def _configured_traefik_api() -> str | None:
    """The config's Traefik API URL; a config that does not load leaves the source out (the
    snapshot does not need the rest of the config)."""
    from tui.config import ConfigError, load_config

    try:
        return load_config().traefik_api_url
    except ConfigError:
        return None


def cmd_snapshot(args: argparse.Namespace) -> int:
    from tui.core.snapshot import snapshot_json, snapshot_text

    conn = _connect(args, read_only=True)
    try:
        store = collect(conn, args.timeout)
    finally:
        conn.close()
    if args.format == "json":
        # orjson prints json.dumps(indent=2)'s layout in one write, ~30x faster at 20k objects
        # (non-ASCII text comes out as UTF-8 rather than \u escapes: the same JSON values)
        sys.stdout.flush()
        sys.stdout.buffer.write(orjson.dumps(snapshot_json(store), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        sys.stdout.write(snapshot_text(store))
    return 0


def cmd_diagnose(args: argparse.Namespace) -> int:
    """Every hop of each route; exit 1 when any hop failed, 2 on bad input (cron can tell them apart)."""
    from tui.core.diagnose import (
        NetworkFacts,
        diagnose,
        diagnosis_json,
        diagnosis_text,
        live_tools,
        route_name,
        select_routes,
    )
    from tui.core.ports import Origin
    from tui.core.source_wiring import traefik_api_for
    from tui.core.traefik_api import fetch_entrypoints

    conn = _connect(args, read_only=True)
    try:
        api = args.traefik_api or traefik_api_for(conn.origin, _configured_traefik_api())
        live_api = api if conn.origin is Origin.KUBECONFIG else None
        store = collect(conn, args.timeout, traefik_api_url=live_api)
        origin = conn.origin
    finally:
        conn.close()
    facts = NetworkFacts.from_store(store, fetch_entrypoints(live_api) if live_api else None)
    if args.route and not select_routes(facts, args.route):
        known = ", ".join(sorted({route_name(r) for r in facts.routes})) or "none"
        print(f"clusterdeck: no route {args.route}; routes: {known}", file=sys.stderr)
        return EXIT_BAD_INPUT
    resolver, http = live_tools(origin)
    results = diagnose(facts, resolver, http, origin, args.route)
    if args.format == "json":
        sys.stdout.buffer.write(orjson.dumps(diagnosis_json(results), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        sys.stdout.write(diagnosis_text(results))
    return 1 if any(r.failed for r in results) else 0


def cmd_emulate(args: argparse.Namespace) -> int:
    from tui.emulator import Emulator, load_seed, write_kubeconfig

    if args.dump:
        objects, what = load_seed(args.dump), args.dump
    else:
        from datetime import UTC, datetime

        from tui.emulator.demo import demo_objects_at

        objects, what = demo_objects_at(datetime.now(UTC)), "the Emberforge demo cluster"
    emulator = Emulator(objects, controllers=not args.no_controllers)
    try:
        url = emulator.start(port=args.port)
    except OSError as exc:
        raise ConnectionError_(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}") from exc
    # what it serves is loaded once and lives until it stops: out of the collector's walks, or
    # each full collection walks every object's dicts (~1 s at 100,000 objects) while answers
    # and watch events wait
    gc.collect()
    gc.freeze()
    write_kubeconfig(args.kubeconfig_out, url)
    print(f"emulating {what} at {url}", flush=True)
    print(f"kubeconfig: {args.kubeconfig_out}   (kubectl --kubeconfig {args.kubeconfig_out} get nodes)", flush=True)
    print("Ctrl+C to stop.", flush=True)
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    emulator.stop()
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from tui.app import run_app
    from tui.config import load_config

    config = load_config()
    if args.theme:
        config = config.with_theme(args.theme)
    conn = _connect(args, read_only=args.read_only)
    try:
        probe(conn)  # the README's promise: an unreachable API server is one line and exit 2
    except ConnectionError_:
        conn.close()
        raise
    connect_context = None
    if conn.kubeconfig:  # `:ctx NAME` reconnects to another context of the same kubeconfig
        from tui.connection import connect_kubeconfig

        def connect_context(name: str) -> ClusterConnection:
            return connect_kubeconfig(conn.kubeconfig, name, read_only=args.read_only)

    # run_app closes whichever connection is current when the app exits
    return run_app(conn, config, connect_context) or 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = {"snapshot": cmd_snapshot, "diagnose": cmd_diagnose, "emulate": cmd_emulate,
               "paths": cmd_paths}.get(args.command or "", cmd_console)
    try:
        return command(args)
    except ConnectionError_ as exc:
        print(f"clusterdeck: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # a dump or config file we cannot use: one line, exit 2 (imported here, when it
        # happens: the emulator package is not cheap to import for every command)
        from tui.config import ConfigError
        from tui.emulator.seed import SeedError

        if isinstance(exc, (SeedError, ConfigError)):
            print(f"clusterdeck: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        raise


if __name__ == "__main__":
    sys.exit(main())
