"""CSV: one row per finding, for spreadsheets and scripts (RFC 4180, header row first).

Named csv_format so it does not shadow the standard library's `csv`. A cell that a spreadsheet
would run as a formula (it starts with `=`, `+`, `-`, `@`, or a tab or carriage return before
one) gets a leading `'`, the OWASP "CSV injection" defence; everything else is written as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from audit.ci import Finding
from audit.formats._text import strip_control

COLUMNS = (
    "fingerprint",
    "severity",
    "change",
    "kind",
    "flag_type",
    "status",
    "title",
    "section",
    "claim_id",
    "text",
    "message",
    "url",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """`cell` made safe to open in a spreadsheet: a would-be formula gets a leading `'`."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def row_of(finding: Finding) -> list[str]:
    """The CSV cells of one finding, in COLUMNS order."""
    data = finding.as_dict()
    return [neutralise(strip_control(str(data[column] or ""))) for column in COLUMNS]


def render(
    report: Mapping[str, Any],
    findings: Sequence[Finding],
    failing: Sequence[Finding],
    *,
    tool_version: str,
) -> str:
    """The findings as CSV text with CRLF line ends, in report order."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for finding in findings:
        writer.writerow(row_of(finding))
    return buffer.getvalue()
