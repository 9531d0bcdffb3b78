"""Shared test fixtures: paths to project-owned fixtures and the optional ../shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
SHARED_DATA = REPO.parent / "shared" / "data"
SEED = REPO / "examples" / "russian-intervention-2023-12-25.txt"


@pytest.fixture
def seed_text() -> str:
    """The seed document (plain-text mirror copy), from the repo's own examples/."""
    return SEED.read_text(encoding="utf-8")


def shared_data(relative: str) -> Path:
    """A file under ../shared/data, or skip the test when the large real data is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/data/{relative} (large real data, present in CI)")
    return path
