"""Fixtures for the reliability tests: the handcrafted table and the build script as a module."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from audit.reliability import ReliabilityData

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parents[1]


@pytest.fixture(scope="session")
def mini() -> ReliabilityData:
    """A small handcrafted table (tests/reliability/fixtures/mini-reliability.json)."""
    return ReliabilityData.load(FIXTURES / "mini-reliability.json")


@pytest.fixture(scope="session")
def builder() -> ModuleType:
    """scripts/build_reliability.py, imported as a module."""
    spec = importlib.util.spec_from_file_location(
        "build_reliability", REPO / "scripts" / "build_reliability.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
