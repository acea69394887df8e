"""Fixtures of the core tests: the shared emulator and real-Traefik fixtures (sources and the
Traefik API source run against them)."""
from __future__ import annotations

from tests.support.shared_fixtures import backend, emulator_factory, kubeconfig, traefik

__all__ = ["backend", "emulator_factory", "kubeconfig", "traefik"]
