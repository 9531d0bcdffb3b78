"""The scan tables: one schema as data, writers that only ever show whole files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from audit.errors import InputError
from audit.scan.tables import TABLES, TYPES, TableOutputs, arrow_schema, describe_tables
from tests.scan.helpers import read_csv, read_parquet


def test_schema_is_data_with_known_types_and_docs() -> None:
    assert [table.name for table in TABLES] == ["articles", "flags", "citations"]
    for table in TABLES:
        assert len(set(table.names)) == len(table.names)
        schema = arrow_schema(table)
        assert schema.names == list(table.names)
        for column in table.columns:
            assert column.type in TYPES and column.doc.strip()
            assert schema.field(column.name).nullable == column.nullable
    text = describe_tables()
    assert all(f"`{name}`" in text for table in TABLES for name in table.names)


def _rows(table_name: str, count: int) -> list[tuple]:
    table = next(t for t in TABLES if t.name == table_name)
    samples = {"string": "x", "int64": 1, "int32": 2, "bool": True,
               "timestamp": "2016-04-22T10:19:33Z"}
    return [tuple(samples[c.type] for c in table.columns) for _ in range(count)]


def test_outputs_appear_only_on_commit_and_round_trip(tmp_path: Path) -> None:
    outputs = TableOutputs(tmp_path, ["parquet", "csv"])
    outputs.write("flags", _rows("flags", 3))
    assert not any(p.name == "flags.csv" for p in tmp_path.iterdir())
    outputs.commit()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"{t.name}.{f}" for t in TABLES for f in ("parquet", "csv"))
    parquet, csv_rows = read_parquet(tmp_path / "flags.parquet"), read_csv(tmp_path / "flags.csv")
    assert len(parquet) == len(csv_rows) == 3
    assert csv_rows[0]["claim_cited"] == "true"
    assert csv_rows[0]["revision_timestamp"] == "2016-04-22T10:19:33Z"
    assert parquet[0]["revision_timestamp"].isoformat() == "2016-04-22T10:19:33+00:00"
    assert read_parquet(tmp_path / "articles.parquet") == []  # empty, but typed


def test_abort_removes_temporary_files_and_keeps_old_outputs(tmp_path: Path) -> None:
    (tmp_path / "flags.csv").write_text("old\n")
    outputs = TableOutputs(tmp_path, ["parquet", "csv"])
    outputs.write("flags", _rows("flags", 2))
    outputs.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flags.csv"]
    assert (tmp_path / "flags.csv").read_text() == "old\n"


def test_unknown_format_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown table format"):
        TableOutputs(tmp_path, ["parquet", "xlsx"])


def test_writing_parquet_does_not_import_pandas(tmp_path: Path) -> None:
    """pyarrow would import pandas (~50 MB per process) just to probe our lists."""
    code = ("import sys; from audit.scan.tables import TableOutputs; "
            f"o = TableOutputs({str(tmp_path)!r}, ['parquet']); o.write('articles', {_rows('articles', 1)!r}); "
            "o.commit(); print('pandas' in sys.modules); "
            "import pyarrow.parquet as pq; "
            f"print(type(pq.read_table({str(tmp_path / 'articles.parquet')!r}).to_pandas()).__name__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    # Not imported for the writing; still there for a caller who wants a DataFrame later.
    assert result.stdout.split() == ["False", "DataFrame"]
