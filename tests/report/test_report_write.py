"""write_reports (both files, atomically) and the stderr summary line."""

from __future__ import annotations

import json
import re

import pytest

import audit.report as report
from audit import __version__
from audit.report import ReportPaths, summary_line, write_reports


def test_write_reports_writes_both_files(checks, tmp_path):
    paths = write_reports(checks, tmp_path / "reports")
    assert paths == ReportPaths(
        html=tmp_path / "reports" / "report.html", json=tmp_path / "reports" / "report.json"
    )
    data = json.loads(paths.json.read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["generated"])
    assert data["tool_version"] == __version__
    assert data["generated"] in paths.html.read_text(encoding="utf-8")
    assert sorted(p.name for p in paths.html.parent.iterdir()) == ["report.html", "report.json"]


def test_generated_can_be_given(checks, tmp_path):
    paths = write_reports(checks, tmp_path, generated="2020-02-02T02:02:02Z")
    assert json.loads(paths.json.read_text(encoding="utf-8"))["generated"] == (
        "2020-02-02T02:02:02Z"
    )


def test_existing_reports_untouched_when_rendering_fails(checks, tmp_path, monkeypatch):
    (tmp_path / "report.html").write_text("old html", encoding="utf-8")
    (tmp_path / "report.json").write_text("old json", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("template blew up")

    monkeypatch.setattr(report, "render_html", broken)
    with pytest.raises(RuntimeError):
        write_reports(checks, tmp_path)
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "old html"
    assert (tmp_path / "report.json").read_text(encoding="utf-8") == "old json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json"]


def test_summary_line_of_a_checked_article(checked):
    assert summary_line([checked]) == (
        "audit: 1 article checked — 8 claims, 4 flagged; "
        "flags: 1 open, 2 resolved (1 cited), 1 removed, 2 new; "
        "claims: 5 unchanged, 2 reworded, 1 removed, 2 added, 1 moved between sections"
    )


def test_summary_line_says_offline(checks):
    line = summary_line(checks)
    assert line.startswith("audit: 3 articles: 1 checked, 1 offline, 1 missing — ")
    assert "\n" not in line
    assert line.endswith("offline: 1 not compared with the live wiki")
    offline_only = summary_line(checks[1:2])
    assert offline_only.startswith("audit: 1 article offline — 2 claims, 1 flagged")
    assert "unchanged" not in offline_only
