"""The flag_history table (audit.history.table) and `audit history` on the command line."""

from __future__ import annotations

import bz2
import csv
import lzma
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from audit.errors import InputError
from audit.history.table import FLAG_HISTORY, PageRef, flag_rows, parse_formats, write_table
from audit.history.trace import trace_flags
from audit.scan.tables import Row, arrow_schema
from tests.conftest import FIXTURES, run_audit
from tests.history.synthetic import bridge_history, history_xml

EXPECTED_COLUMNS = [
    "wiki", "title", "page_id", "flag_type", "flag_template", "flag_date", "claim_text",
    "section", "added_revision", "added_timestamp", "added_user", "added_comment",
    "ended_revision", "ended_timestamp", "ended_user", "ended_comment", "outcome",
    "citation_added", "lifetime_days", "lifetime_revisions",
]


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    lives, _ = trace_flags(bridge_history())
    return flag_rows(PageRef("https://en.wikipedia.org", "Old Bridge", 4242), lives)


def test_columns_are_the_documented_ones() -> None:
    assert list(FLAG_HISTORY.names) == EXPECTED_COLUMNS


def test_parquet_has_the_fixed_schema_and_the_rows(tmp_path: Path, rows: list[Row]) -> None:
    (path,) = write_table(rows, tmp_path, ["parquet"])
    table = pq.read_table(path)
    assert table.schema.equals(arrow_schema(FLAG_HISTORY), check_metadata=True)
    assert table.schema.metadata[b"audit.schema_version"] == b"1"
    assert table.schema.field("added_timestamp").type == pa.timestamp("ms", tz="UTC")
    data = {row["claim_text"]: row for row in table.to_pylist()}
    builder = data["Its builder was a local mason."]
    assert (builder["outcome"], builder["citation_added"], builder["ended_user"]) == (
        "cited", True, "Citer")
    assert builder["added_timestamp"].isoformat() == "2020-01-01T00:00:00+00:00"
    built = data["The bridge was built in 1850."]
    assert built["ended_revision"] is None and built["outcome"] == "open"


def test_empty_table_keeps_its_schema(tmp_path: Path) -> None:
    paths = write_table([], tmp_path, ["parquet", "csv"])
    assert pq.read_table(paths[0]).schema.names == EXPECTED_COLUMNS
    assert paths[1].read_text(encoding="utf-8") == ",".join(EXPECTED_COLUMNS) + "\n"


def test_csv_has_a_header_nulls_as_empty_and_booleans_as_words(tmp_path: Path,
                                                               rows: list[Row]) -> None:
    (path,) = write_table(rows, tmp_path, ["csv"])
    with path.open(encoding="utf-8", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert list(read[0]) == EXPECTED_COLUMNS
    builder = next(row for row in read if row["claim_text"] == "Its builder was a local mason.")
    assert builder["citation_added"] == "true" and builder["ended_timestamp"].endswith("Z")
    assert any(row["ended_revision"] == "" for row in read)
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temp files


def test_formats_are_checked() -> None:
    assert parse_formats("csv, parquet") == ("csv", "parquet")
    with pytest.raises(InputError, match="xlsx"):
        parse_formats("parquet,xlsx")


# -- the command line ---------------------------------------------------------------------------


def test_cli_writes_the_table_and_a_summary(tmp_path: Path) -> None:
    dump = tmp_path / "bridge-history.xml.bz2"
    dump.write_bytes(bz2.compress(history_xml("Old Bridge", bridge_history()).encode("utf-8")))
    result = run_audit(tmp_path, "history", str(dump), "--out", "out")
    assert result.returncode == 0, result.stderr
    assert "Old Bridge: 200 revisions (1 blank, 0 hidden) → 4 flags" in result.stderr
    assert "1 cited, 0 reworded, 1 deleted, 0 removed, 2 open" in result.stderr
    assert pq.read_table(tmp_path / "out" / "flag_history.parquet").num_rows == 4
    assert (tmp_path / "out" / "flag_history.csv").exists()
    assert result.stdout == ""
    assert "\r" not in result.stderr  # no progress bar when stderr is not a terminal


def test_cli_title_filter_and_one_format(tmp_path: Path) -> None:
    refinery = FIXTURES / "history" / "refinery-simplewiki-export-0.11-deleted-revisions-sample.xml"
    result = run_audit(tmp_path, "history", str(refinery), "--title", "User:Ryulong",
                       "--format", "csv", "--out", "out")
    assert result.returncode == 0, result.stderr
    assert "User:Ryulong: 18 revisions (1 blank, 2 hidden) → 0 flags" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["flag_history.csv"]


@pytest.mark.parametrize(("damage", "message"), [("truncate", "truncated"),
                                                  ("break", "malformed XML")])
def test_cli_bad_input_is_an_error_line_not_a_traceback(tmp_path: Path, damage: str,
                                                        message: str) -> None:
    xml = history_xml("Old Bridge", bridge_history()).encode("utf-8")
    if damage == "truncate":
        whole = lzma.compress(xml, format=lzma.FORMAT_ALONE)
        content = whole[: len(whole) // 2]
    else:
        content = xml[:20_000] + b"</oops>"
    dump = tmp_path / "bad.xml"
    dump.write_bytes(content)
    result = run_audit(tmp_path, "history", str(dump), "--out", "out")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # nothing written on failure


def test_cli_unknown_title_is_an_error(tmp_path: Path) -> None:
    pear = FIXTURES / "history" / "pywikibot-article-pear-4revs-2002.xml"
    result = run_audit(tmp_path, "history", str(pear), "--title", "Apple")
    assert result.returncode == 2 and "no page titled 'Apple'" in result.stderr
