"""Each format of the seed article's golden report.json, compared with a golden file.

Regenerate after an intended change (then review the diff): see golden/README.md.
"""

from __future__ import annotations

import os

import pytest

from audit import formats
from tests.conftest import TESTS
from tests.formats.conftest import Run

GOLDEN = TESTS / "formats" / "golden"


@pytest.mark.parametrize("name", sorted(formats.FORMATS))
def test_format_matches_golden(name: str, golden: Run) -> None:
    # The report's own tool_version is already scrubbed to "VERSION".
    actual = formats.render(
        name, golden.report, golden.findings, golden.failing, tool_version="VERSION"
    )
    path = GOLDEN / formats.FILENAMES[name]
    if os.environ.get("AUDIT_REGEN_GOLDEN"):
        path.write_bytes(actual.encode("utf-8"))
    assert actual == path.read_bytes().decode("utf-8"), "regenerate: see golden/README.md"
