"""What `audit stats` reads: Parquet or CSV alike, several directories, and clear errors for
input it cannot use (never a traceback)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from audit.errors import InputError
from audit.jobs import stats
from audit.report.stats_output import render_stats_json, render_stats_text, stats_data
from tests.stats.conftest import SCAN_A, SCAN_B, write_scan


def _without_inputs(text: str) -> str:
    """Text output minus its Inputs section (paths and hashes differ by format)."""
    return text.split("\nInputs\n")[0]


def test_parquet_and_csv_give_identical_aggregates(tmp_path: Path) -> None:
    parquet = stats([write_scan(tmp_path / "pa", SCAN_A, ("parquet",)),
                     write_scan(tmp_path / "pb", SCAN_B, ("parquet",))])
    csv = stats([write_scan(tmp_path / "ca", SCAN_A, ("csv",)),
                 write_scan(tmp_path / "cb", SCAN_B, ("csv",))])
    assert parquet.stats == csv.stats
    as_parquet = stats_data(parquet.stats, parquet.scans)
    as_csv = stats_data(csv.stats, csv.scans)
    assert as_parquet.pop("inputs") != as_csv.pop("inputs")
    assert as_parquet == as_csv
    assert _without_inputs(render_stats_text(parquet.stats, parquet.scans)) == _without_inputs(
        render_stats_text(csv.stats, csv.scans))
    assert [t.format for t in csv.scans[0].tables] == ["csv"] * 4


def test_parquet_is_preferred_when_both_exist(tmp_path: Path) -> None:
    both = stats([write_scan(tmp_path / "both", SCAN_A, ("parquet", "csv"))])
    assert {t.format for t in both.scans[0].tables} == {"parquet"}


def test_json_records_provenance_and_is_reproducible(tmp_path: Path,
                                                     scans: tuple[Path, Path]) -> None:
    first = stats(list(scans))
    text = render_stats_json(first.stats, first.scans)
    again = stats(list(scans))
    assert render_stats_json(again.stats, again.scans) == text  # no timestamps, stable order
    data = json.loads(text)
    assert data["schema_version"] == 1 and data["kind"] == "audit-stats"
    assert data["tool_version"] == __import__("audit").__version__
    assert data["reliability_data"] == ["rsp-test-1"]
    directory = data["inputs"][0]
    assert directory["directory"] == str(scans[0])
    assert directory["scan_tool_version"] == "0.1.0"
    manifest = scans[0] / "manifest.json"
    assert directory["manifest_sha256"] == hashlib.sha256(manifest.read_bytes()).hexdigest()
    assert directory["input_files"] == [{
        "path": "dumps/test.xml", "size": 12,
        "sha256": hashlib.sha256(b"<mediawiki/>").hexdigest()}]
    for table in directory["tables"]:
        path = Path(table["path"])
        assert table["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert table["size"] == path.stat().st_size
    assert {t["name"] for t in directory["tables"]} == {
        "flags", "articles", "citations", "flag_history"}
    assert data["resolution"]["note"].startswith("flag_history present in 1 of 2")


def test_different_reliability_versions_are_all_recorded(tmp_path: Path) -> None:
    result = stats([write_scan(tmp_path / "a", SCAN_A, reliability="rsp-2025"),
                    write_scan(tmp_path / "b", SCAN_B, reliability="rsp-2026")])
    assert json.loads(render_stats_json(result.stats, result.scans))["reliability_data"] == [
        "rsp-2025", "rsp-2026"]


def _error(directories: list[Path]) -> InputError:
    with pytest.raises(InputError) as caught:
        stats(directories)
    return caught.value


def test_missing_directory_or_manifest(tmp_path: Path) -> None:
    assert "no such directory" in str(_error([tmp_path / "nowhere"]))
    (tmp_path / "plain").mkdir()
    error = _error([tmp_path / "plain"])
    assert "manifest.json is missing" in str(error) and "audit scan" in (error.hint or "")


@pytest.mark.parametrize("version", [2, None, "1"])
def test_unknown_schema_version(tmp_path: Path, version: object) -> None:
    directory = write_scan(tmp_path / "scan", SCAN_B, schema_version=version)
    error = _error([directory])
    assert f"unknown schema_version {version!r}" in str(error)
    assert str(directory / "manifest.json") in str(error)


def test_corrupt_manifest(tmp_path: Path) -> None:
    directory = write_scan(tmp_path / "scan", SCAN_B)
    (directory / "manifest.json").write_text('{"schema_version": 1', encoding="utf-8")
    assert "manifest is not valid JSON" in str(_error([directory]))


def test_missing_table(tmp_path: Path) -> None:
    directory = write_scan(tmp_path / "scan", SCAN_B)
    (directory / "citations.parquet").unlink()
    assert "table 'citations' is missing" in str(_error([directory]))


def test_missing_columns_are_named(tmp_path: Path) -> None:
    directory = write_scan(tmp_path / "scan", SCAN_B, ("csv",))
    path = directory / "flags.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[0].replace("flag_age_days", "age").replace("flag_type", "kind")
                    + "".join(lines[1:]), encoding="utf-8")
    error = _error([directory])
    assert "lacks column(s): flag_type, flag_age_days" in str(error)


def test_corrupt_parquet(tmp_path: Path) -> None:
    directory = write_scan(tmp_path / "scan", SCAN_B)
    path = directory / "articles.parquet"
    path.write_bytes(path.read_bytes()[:100])
    error = _error([directory])
    assert "not a readable Parquet file" in str(error) and str(path) in str(error)


def test_truncated_table_is_caught_by_the_manifest_row_count(tmp_path: Path) -> None:
    directory = write_scan(tmp_path / "scan", SCAN_A, ("csv",))
    path = directory / "flags.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:3]), encoding="utf-8")  # header + one row (with a newline)
    assert "table 'flags' has 1 rows, the manifest says 5" in str(_error([directory]))


def test_unreadable_values(tmp_path: Path) -> None:
    directory = write_scan(tmp_path / "scan", SCAN_B, ("csv",))
    path = directory / "articles.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",100,", ",many,"),
                    encoding="utf-8")
    error = _error([directory])
    assert "cannot read table 'articles'" in str(error) and str(path) in str(error)


def test_not_utf8_csv(tmp_path: Path) -> None:
    directory = write_scan(tmp_path / "scan", SCAN_B, ("csv",))
    path = directory / "citations.csv"
    path.write_bytes(path.read_bytes().replace(b"youtube", b"y\xffutube"))
    assert "cannot read" in str(_error([directory]))


def test_empty_csv(tmp_path: Path) -> None:
    directory = write_scan(tmp_path / "scan", SCAN_B, ("csv",))
    (directory / "flags.csv").write_bytes(b"")
    assert "empty CSV file" in str(_error([directory]))


def test_same_directory_twice(scans: tuple[Path, Path]) -> None:
    assert "given twice" in str(_error([scans[0], scans[0] / ".." / scans[0].name]))
