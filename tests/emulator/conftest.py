"""Fixtures of the emulator tests: the shared emulator, kubeconfig and real-Traefik fixtures,
and every object of the reference fixtures."""
from __future__ import annotations

import glob
from typing import Any

import pytest
import yaml

from tests.support.paths import REFERENCE as REFERENCE_FIXTURES
from tests.support.shared_fixtures import backend, emulator_factory, kubeconfig, traefik
from tui.emulator.seed import objects_from

__all__ = ["backend", "emulator_factory", "kubeconfig", "reference_objects", "traefik"]


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
