"""CSV: RFC 4180 round trip through the csv module, spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from audit.formats import csv_format
from audit.formats._text import strip_control
from tests.formats.conftest import VERSION, Run


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def unneutralise(cell: str) -> str:
    return (
        cell[1:] if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell
    )


@pytest.mark.parametrize("name", ["golden", "hostile"])
def test_round_trips_one_row_per_finding(name: str, request: pytest.FixtureRequest) -> None:
    run: Run = request.getfixturevalue(name)
    text = csv_format.render(run.report, run.findings, run.failing, tool_version=VERSION)
    header, *rows = rows_of(text)

    assert tuple(header) == csv_format.COLUMNS
    assert len(rows) == len(run.findings)
    for finding, row in zip(run.findings, rows):
        data = finding.as_dict()
        expected = [strip_control(str(data[column] or "")) for column in csv_format.COLUMNS]
        assert [unneutralise(cell) for cell in row] == expected
    assert text.endswith("\r\n")


def test_formulas_are_neutralised(hostile: Run) -> None:
    text = csv_format.render(
        hostile.report, hostile.findings, hostile.failing, tool_version=VERSION
    )
    cells = [cell for row in rows_of(text)[1:] for cell in row]

    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    neutralised = {cell for cell in cells if cell.startswith("'")}
    assert any(cell.startswith("'=HYPERLINK(") for cell in neutralised)
    assert any(cell.startswith("'@SUM(") for cell in neutralised)
    assert any(cell.startswith("'+SUM(") for cell in neutralised)
    assert any(cell.startswith("'-2+3") for cell in neutralised)


def test_multiline_and_long_claims_survive(hostile: Run) -> None:
    text = csv_format.render(
        hostile.report, hostile.findings, hostile.failing, tool_version=VERSION
    )
    texts = [row[csv_format.COLUMNS.index("text")] for row in rows_of(text)[1:]]

    assert any("line one\r\nline two\nline three" in cell for cell in texts)
    assert max(len(cell) for cell in texts) > 10_000


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=1+1", "'=1+1"), ("-x", "'-x"), ("@a", "'@a"), ("+1", "'+1"), ("a=b", "a=b"), ("", "")],
)
def test_neutralise(cell: str, safe: str) -> None:
    assert csv_format.neutralise(cell) == safe
