"""Render check results as reports/report.html (for people) and reports/report.json (for tools).

`write_reports` is what the CLI calls; `build_report_data` and `render_html` are the same steps
for library users; `summary_line` is the one line the CLI prints on stderr.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from audit import __version__
from audit.atomic import write_text_atomic
from audit.model import DocumentCheck
from audit.report.html_report import render_html
from audit.report.json_report import SCHEMA_VERSION, build_report_data, render_json
from audit.report.rows import Counts, claim_rows, count_rows
from audit.report.view import headline

__all__ = [
    "SCHEMA_VERSION",
    "ReportPaths",
    "build_report_data",
    "render_html",
    "render_json",
    "summary_line",
    "utc_now",
    "write_reports",
]

HTML_NAME = "report.html"
JSON_NAME = "report.json"


@dataclass(frozen=True)
class ReportPaths:
    """Where `write_reports` put the two reports."""

    html: Path
    json: Path


def utc_now() -> str:
    """The current time as the reports stamp it: ISO 8601, UTC, seconds, `Z`."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_reports(
    checks: Sequence[DocumentCheck], out_dir: Path, *, generated: str | None = None
) -> ReportPaths:
    """Write report.html and report.json into `out_dir`; neither is touched if rendering fails."""
    generated = generated or utc_now()
    # Render both before writing either: a failure must not leave a new JSON next to an old HTML.
    json_text = render_json(checks, generated=generated, tool_version=__version__)
    html_text = render_html(checks, generated=generated, tool_version=__version__)
    paths = ReportPaths(html=Path(out_dir) / HTML_NAME, json=Path(out_dir) / JSON_NAME)
    write_text_atomic(paths.json, json_text)
    write_text_atomic(paths.html, html_text)
    return paths


def summary_line(checks: Sequence[DocumentCheck]) -> str:
    """One line for stderr: articles, claims, and what became of flags and claims."""
    counts = sum((count_rows(claim_rows(check)) for check in checks), Counts())
    parts = [
        f"audit: {headline(checks)} — {counts.claims} claims, {counts.flagged} flagged",
        f"flags: {counts.open_flags} open, {counts.resolved_flags} resolved "
        f"({counts.resolved_cited} cited), {counts.removed_flags} removed, "
        f"{counts.new_flags} new",
    ]
    if any(check.status != "offline" for check in checks) or not checks:
        claims = (
            f"claims: {counts.unchanged} unchanged, {counts.reworded} reworded, "
            f"{counts.removed} removed, {counts.added} added"
        )
        if counts.moved:
            claims += f", {counts.moved} moved between sections"
        if counts.unchecked:
            claims += f", {counts.unchecked} unchecked"
        parts.append(claims)
    offline = sum(check.status == "offline" for check in checks)
    if offline:
        parts.append(f"offline: {offline} not compared with the live wiki")
    return "; ".join(parts)
