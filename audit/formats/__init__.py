"""Machine formats for CI: Markdown comments, JUnit XML, SARIF 2.1.0 and CSV.

Each format is one module with the same `render(report, findings, failing, *, tool_version)`
call, returning the whole document as text; the caller decides where it goes (a file written
atomically, or stdout). `findings` are what the run reports (after baseline and
--min-severity), `failing` the subset that fails the job at the chosen --fail-on level — both
from `audit.ci`. The HTML and JSON reports live in `audit.report`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from audit.ci import Finding
from audit.errors import InputError
from audit.formats import csv_format, junit, markdown, sarif

Renderer = Callable[..., str]
"""`render(report, findings, failing, *, tool_version) -> str` of one format."""

FORMATS: dict[str, Renderer] = {
    "markdown": markdown.render,
    "junit": junit.render,
    "sarif": sarif.render,
    "csv": csv_format.render,
}
#: The file each format is written to in the output directory.
FILENAMES = {
    "markdown": "report.md",
    "junit": "report.junit.xml",
    "sarif": "report.sarif",
    "csv": "report.csv",
}
#: The vendored schemas the tests validate output against (package data).
SCHEMAS = Path(__file__).resolve().parent / "schemas"


def render(
    name: str,
    report: Mapping[str, Any],
    findings: Sequence[Finding],
    failing: Sequence[Finding],
    *,
    tool_version: str,
) -> str:
    """The run in format `name` (markdown, junit, sarif or csv), as text."""
    try:
        renderer = FORMATS[name]
    except KeyError:
        raise InputError(
            f"unknown output format {name!r}",
            hint=f"choose from: {', '.join(sorted(FORMATS))}",
        ) from None
    return renderer(report, findings, failing, tool_version=tool_version)
