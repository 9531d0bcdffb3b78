"""`audit stats` as a user runs it: text or JSON on stdout, the HTML page, exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_audit
from tests.stats.conftest import SCAN_A, SCAN_B, write_scan


def test_text_to_stdout_and_page_to_reports(tmp_path: Path) -> None:
    write_scan(tmp_path / "scan-a", SCAN_A, ("parquet", "csv"))
    write_scan(tmp_path / "scan-b", SCAN_B, ("csv",))
    result = run_audit(tmp_path, "stats", "scan-a", "scan-b")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("audit stats: 6 articles, 200 claims, 8 flags on 6 claims, "
                          "12 claim-citations, 2 failed pages (2 scan directories)\n")
    lines = out.splitlines()
    header = lines.index("Flags per 1,000 claims")
    assert lines[header + 1].split() == ["flag", "type", "flags", "per", "1,000", "claims",
                                         "articles", "median", "p90"]
    assert lines[header + 3].split() == ["citation-needed", "6", "30.00", "3", "42.50", "92.50"]
    assert lines[header + 6].split() == ["all", "types", "8", "40.00", "3", "60.00", "100.00"]
    # numbers right-aligned under their headings
    assert lines[header + 6].index("40.00") + 5 == lines[header + 1].index("per 1,000 claims") + 16
    outcomes = lines.index("Resolution outcomes (flag_history)")
    assert lines[outcomes + 3].split() == ["cited", "(a", "citation", "was", "added)", "2",
                                           "28.6%", "20", "d"]
    assert "dailymail.co.uk" in out
    assert "scan-b: schema 1, scanned by audit 0.1.0, reliability data rsp-test-1; " \
           "flags.csv sha256:" in out
    # Aligned: every row of a table is as wide as its dashes line, bar trailing blanks.
    age = lines.index("Flag age")
    assert len(lines[age + 1]) == len(lines[age + 2])
    assert "audit: statistics over 6 articles from 2 scan directories → reports/stats.html" \
        in result.stderr
    page = (tmp_path / "reports" / "stats.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Flags per 1,000 claims" in page


def test_json_to_a_file_without_the_page(tmp_path: Path) -> None:
    write_scan(tmp_path / "scan", SCAN_B)
    result = run_audit(tmp_path, "stats", "scan", "--format", "json", "-o", "out/stats.json",
                       "--no-html", "--top", "1", "-q")
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    data = json.loads((tmp_path / "out" / "stats.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 1
    assert data["resolution"]["available"] is False
    assert "no flag_history table" in data["resolution"]["note"]
    assert [row["domain"] for row in data["unreliable_domains"]["rows"]] == ["youtube.com"]
    assert data["unreliable_domains"]["domains"] == 4
    assert not (tmp_path / "reports").exists()


def test_json_on_stdout(tmp_path: Path) -> None:
    write_scan(tmp_path / "scan", SCAN_A)
    result = run_audit(tmp_path, "stats", "scan", "--format", "json", "--no-html")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["flags_per_1000_claims"]["all_types"] == {
        "flag_type": "all types", "flags": 5, "per_1000": 50.0, "articles": 2,
        "median": 100.0, "p90": 100.0}  # Alpha 4/40 → 100, Beta 1/10 → 100, Gamma 0


def test_bad_input_is_an_error_and_a_hint(tmp_path: Path) -> None:
    write_scan(tmp_path / "scan", SCAN_B, schema_version=99)
    result = run_audit(tmp_path, "stats", "scan")
    assert result.returncode == 2
    assert result.stderr.startswith("error: scan/manifest.json: unknown schema_version 99")
    assert "\nhint: " in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "reports").exists()


def test_missing_directory_and_bad_top(tmp_path: Path) -> None:
    result = run_audit(tmp_path, "stats", "nowhere")
    assert result.returncode == 2
    assert result.stderr.startswith("error: nowhere: no such directory")
    result = run_audit(tmp_path, "stats", "nowhere", "--top", "0")
    assert result.returncode == 2 and "must be 1 or more" in result.stderr


def test_mixed_reliability_data_warns(tmp_path: Path) -> None:
    write_scan(tmp_path / "a", SCAN_A, reliability="rsp-2025")
    write_scan(tmp_path / "b", SCAN_B, reliability="rsp-2026")
    result = run_audit(tmp_path, "stats", "a", "b", "--no-html", "-q")
    assert result.returncode == 0
    assert "warning: the scans were rated with different reliability data (rsp-2025, " \
           "rsp-2026)" in result.stderr


def test_text_output_strips_terminal_control_characters(tmp_path: Path) -> None:
    from audit.jobs import stats
    from audit.report.stats_output import render_stats_text
    from tests.stats.conftest import article

    tables = {"articles": [article("Evil\x1b[2J", 1, 0, 0, 0, (0, 0, 0, 0),
                                   error="boom\x1b]0;pwned\x07\r")],
              "flags": [], "citations": []}
    result = stats([write_scan(tmp_path / "scan", tables)])
    text = render_stats_text(result.stats, result.scans)
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "Evil\ufffd[2J" in text
