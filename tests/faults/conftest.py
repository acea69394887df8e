"""Fixtures of the fault suite: an emulator that can be swapped for another on the same port
(the API "coming back" with other, older or rebuilt data)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.shared_fixtures import emulator_factory, kubeconfig
from tui.emulator import Emulator

__all__ = ["emulator_factory", "kubeconfig"]  # shared fixtures (tests/support/shared_fixtures.py)


class SwappableApi:
    """One loopback port whose server can be stopped and replaced by another emulator."""

    def __init__(self, objects: list[dict[str, Any]], **kwargs: Any) -> None:
        self.emulator = Emulator(objects, **kwargs)
        self.emulator.start()
        self.port = self.emulator.port
        self.url = self.emulator.url

    def down(self) -> None:
        self.emulator.stop()

    def back(self, objects: list[dict[str, Any]] | None = None, **kwargs: Any) -> Emulator:
        """Serve again on the same port: the same objects (None) or a new server over `objects`."""
        if objects is None:
            self.emulator.start(self.port or 0)
        else:
            self.emulator = Emulator(objects, **kwargs)
            self.emulator.start(self.port or 0)
        return self.emulator

    def stop(self) -> None:
        self.emulator.stop()


@pytest.fixture
def swappable_api() -> Iterator[Callable[..., SwappableApi]]:
    made: list[SwappableApi] = []

    def make(objects: list[dict[str, Any]], **kwargs: Any) -> SwappableApi:
        api = SwappableApi(objects, **kwargs)
        made.append(api)
        return api

    yield make
    for api in made:
        api.stop()
