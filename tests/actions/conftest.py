"""Fixtures of the actions tests: the shared emulator and kubeconfig fixtures."""
from __future__ import annotations

from tests.support.shared_fixtures import emulator_factory, kubeconfig

__all__ = ["emulator_factory", "kubeconfig"]
