"""Fixtures of the install tests: the shared emulator fixture (the app over the demo)."""
from __future__ import annotations

from tests.support.shared_fixtures import emulator_factory

__all__ = ["emulator_factory"]
