"""Shared test fixtures: paths to project-owned fixtures and the optional ../shared data."""

from __future__ import annotations

import os
import subprocess
import sys
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


def run_audit(
    workdir: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `audit` command line in `workdir`, as a user would.

    The caller's `AUDIT_*` variables are dropped and the cache lives in `workdir/cache`, so a
    test never reads or writes the developer's own settings and cache.
    """
    full_env = {key: value for key, value in os.environ.items() if not key.startswith("AUDIT_")}
    full_env["AUDIT_CACHE_DIR"] = str(workdir / "cache")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "audit", *args], cwd=workdir, env=full_env,
        capture_output=True, text=True, timeout=300, input=stdin,
    )
