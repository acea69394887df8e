"""Fixtures of the app tests: the shared emulator and kubeconfig fixtures."""
from __future__ import annotations

from tests.support.shared_fixtures import backend, emulator_factory, kubeconfig, traefik

__all__ = ["backend", "emulator_factory", "kubeconfig", "traefik"]
