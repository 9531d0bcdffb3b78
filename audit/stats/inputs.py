"""Reading `audit scan --out DIR` directories for `audit stats`: manifest, tables, batches.

This is the I/O edge of the stats stage: it checks what a directory holds (manifest
`schema_version`, each table as Parquet or CSV, the columns the aggregates need), hashes the
files it reads, and yields record batches cast to one schema, so Parquet and CSV inputs
aggregate identically and a table of millions of rows is never held in memory at once.
Every failure is an `InputError` naming the file, never a pyarrow traceback.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from audit.errors import InputError

SUPPORTED_SCHEMA_VERSIONS = (1,)
"""Manifest versions this reader understands (`audit scan` writes `schema_version: 1`)."""
MANIFEST = "manifest.json"
BATCH_ROWS = 65_536
"""Rows per batch: large enough for pyarrow's kernels to pay off, small enough for any machine."""
_CSV_BLOCK = 4 << 20

_S, _I, _F, _B = pa.string(), pa.int64(), pa.float64(), pa.bool_()
#: The columns each table must have for the aggregates, and the type each is read as. Other
#: columns may be present and are not read (claim_text alone would dwarf the rest).
COLUMNS: dict[str, dict[str, pa.DataType]] = {
    "flags": {
        "wiki": _S, "title": _S, "revision_id": _I, "flag_type": _S, "flag_age_days": _I,
    },
    "articles": {
        "wiki": _S, "title": _S, "revision_id": _I, "claims": _I, "flagged_claims": _I,
        "well_sourced": _I, "mixed": _I, "only_unreliable": _I, "uncited": _I, "banners": _I,
        "banner_types": _S, "error": _S,
    },
    "citations": {"domain": _S, "reliability_status": _S, "claim_flagged": _B},
    "flag_history": {"flag_type": _S, "outcome": _S, "lifetime_days": _F},
}
REQUIRED_TABLES = ("flags", "articles", "citations")
OPTIONAL_TABLES = ("flag_history",)
_HINT = "point `audit stats` at a directory written by `audit scan --out DIR`"


@dataclass(frozen=True)
class InputFile:
    """A file `audit scan` read, as its manifest records it."""

    path: str
    size: int | None
    sha256: str | None


@dataclass(frozen=True)
class TableFile:
    """One table file this run reads: where, which format, and its fingerprint."""

    name: str
    path: Path
    format: str
    """`parquet` or `csv`."""
    size: int
    sha256: str
    expected_rows: int | None
    """The row count the manifest promises, checked after reading (catches truncation)."""


@dataclass(frozen=True)
class ScanDirectory:
    """One scan output directory: its manifest's provenance and the tables found in it."""

    path: Path
    schema_version: int
    tool_version: str | None
    reliability_data: str | None
    manifest_sha256: str
    inputs: tuple[InputFile, ...]
    tables: tuple[TableFile, ...]

    def table(self, name: str) -> TableFile | None:
        """The table called `name`, or None when the directory has none (optional tables)."""
        return next((table for table in self.tables if table.name == name), None)

    def required(self, name: str) -> TableFile:
        """The table called `name`; `open_scan` has already made sure required ones exist."""
        found = self.table(name)
        if found is None:
            raise InputError(f"table {name!r} is missing", path=str(self.path), hint=_HINT)
        return found


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for piece in iter(lambda: handle.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()


def _first(mapping: Mapping[str, Any], *keys: str) -> Any:
    """The first of `keys` present (not None) in `mapping`."""
    return next((mapping[key] for key in keys if mapping.get(key) is not None), None)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _input_files(manifest: Mapping[str, Any]) -> tuple[InputFile, ...]:
    items = _first(manifest, "inputs", "input_files") or []
    files = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            files.append(InputFile(item, None, None))
        elif isinstance(item, dict):
            size = _first(item, "size", "bytes")
            files.append(InputFile(str(_first(item, "path", "file", "name") or ""),
                                   size if isinstance(size, int) else None,
                                   _text(item.get("sha256"))))
    return tuple(files)


def _tool_version(manifest: Mapping[str, Any]) -> str | None:
    tool = manifest.get("tool")
    if isinstance(tool, dict):
        return _text(tool.get("version"))
    return _text(_first(manifest, "tool_version", "audit_version", "version"))


def _reliability_version(manifest: Mapping[str, Any]) -> str | None:
    value = _first(manifest, "reliability_data_version", "reliability_data", "reliability_version")
    if isinstance(value, dict):
        value = value.get("version") or value.get("data_version")
    return _text(value)


def read_manifest(directory: Path) -> tuple[dict[str, Any], str]:
    """The manifest of a scan directory and its SHA-256; its version must be one we know."""
    path = directory / MANIFEST
    if not directory.is_dir():
        raise InputError("no such directory", path=str(directory), hint=_HINT)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("not a scan directory: manifest.json is missing", path=str(directory),
                         hint=_HINT) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"manifest is not valid JSON ({exc})", path=str(path),
                         hint="the scan may have been interrupted; run `audit scan` again") from exc
    if not isinstance(manifest, dict):
        raise InputError("manifest is not a JSON object", path=str(path), hint=_HINT)
    version = manifest.get("schema_version")
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        known = ", ".join(str(v) for v in SUPPORTED_SCHEMA_VERSIONS)
        raise InputError(f"unknown schema_version {version!r} (this audit reads {known})",
                         path=str(path),
                         hint="use the audit version that wrote it, or scan again with this one")
    return manifest, hashlib.sha256(raw).hexdigest()


def _row_counts(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """Rows per table as the manifest records them (`tables.<name>.rows`)."""
    tables = manifest.get("tables")
    if isinstance(tables, dict):
        return {name: entry.get("rows") for name, entry in tables.items()
                if isinstance(entry, dict)}
    counts = _first(manifest, "row_counts", "rows")
    return dict(counts) if isinstance(counts, dict) else {}


def _table_file(directory: Path, name: str, rows: Mapping[str, Any]) -> TableFile | None:
    # Parquet first: typed, compressed, and what `audit scan` writes by default.
    for suffix in ("parquet", "csv"):
        path = directory / f"{name}.{suffix}"
        if path.is_file():
            expected = rows.get(name)
            try:
                size, digest = path.stat().st_size, sha256_of(path)
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
            return TableFile(name, path, suffix, size, digest,
                             expected if isinstance(expected, int) else None)
    return None


def open_scan(directory: str | Path) -> ScanDirectory:
    """A scan directory, checked: known manifest version, every required table present."""
    path = Path(directory)
    manifest, manifest_sha = read_manifest(path)
    rows = _row_counts(manifest)
    tables = []
    for name in REQUIRED_TABLES + OPTIONAL_TABLES:
        found = _table_file(path, name, rows)
        if found is None and name in REQUIRED_TABLES:
            raise InputError(f"table {name!r} is missing ({name}.parquet or {name}.csv)",
                             path=str(path), hint="the scan may have been interrupted; run "
                                                  "`audit scan --out DIR` again")
        if found is not None:
            check_columns(found)
            tables.append(found)
    return ScanDirectory(
        path=path,
        schema_version=int(manifest["schema_version"]),
        tool_version=_tool_version(manifest),
        reliability_data=_reliability_version(manifest),
        manifest_sha256=manifest_sha,
        inputs=_input_files(manifest),
        tables=tuple(tables),
    )


def _column_names(table: TableFile) -> list[str]:
    if table.format == "parquet":
        return list(_parquet(table).schema_arrow.names)
    try:
        with table.path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read the CSV header: {exc}", path=str(table.path)) from exc
    if not header:
        raise InputError("empty CSV file (no header line)", path=str(table.path),
                         hint="the scan may have been interrupted; run `audit scan` again")
    return header


def check_columns(table: TableFile) -> None:
    """Fail early, naming every missing column, before any aggregate is computed."""
    names = set(_column_names(table))
    missing = [column for column in COLUMNS[table.name] if column not in names]
    if missing:
        raise InputError(f"table {table.name!r} lacks column(s): {', '.join(missing)}",
                         path=str(table.path),
                         hint="written by an older or newer `audit scan`? scan again with this "
                              "version")


def _parquet(table: TableFile) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(table.path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path=str(table.path),
                         hint="the file may be truncated; run `audit scan` again") from exc


def _raw_batches(table: TableFile, types: Mapping[str, pa.DataType]) -> Iterator[pa.RecordBatch]:
    columns = list(types)
    if table.format == "parquet":
        yield from _parquet(table).iter_batches(batch_size=BATCH_ROWS, columns=columns)
        return
    reader = pacsv.open_csv(
        table.path,
        read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK),
        # Claim texts and edit summaries may hold quoted newlines.
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=dict(types), include_columns=columns),
    )
    yield from reader


def _conform(batch: pa.RecordBatch, table: TableFile,
             types: Mapping[str, pa.DataType]) -> pa.RecordBatch:
    """The batch with exactly `types`' columns, in order, each cast to its type."""
    arrays = []
    for name, wanted in types.items():
        column = batch.column(name)
        if column.type != wanted:
            try:
                column = column.cast(wanted)
            except (pa.ArrowException, ValueError) as exc:
                raise InputError(
                    f"table {table.name!r}, column {name!r}: {column.type} values cannot be "
                    f"read as {wanted} ({exc})", path=str(table.path)) from exc
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, names=list(types))


def read_batches(table: TableFile) -> Iterator[pa.RecordBatch]:
    """The table's needed columns in batches, typed as `COLUMNS` says; the row count the
    manifest promises is checked at the end."""
    types = COLUMNS[table.name]
    rows = 0
    try:
        for batch in _raw_batches(table, types):
            rows += batch.num_rows
            yield _conform(batch, table, types)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read table {table.name!r} ({exc})", path=str(table.path),
                         hint="the file may be truncated or not UTF-8; run `audit scan` "
                              "again") from exc
    if table.expected_rows is not None and rows != table.expected_rows:
        raise InputError(f"table {table.name!r} has {rows} rows, the manifest says "
                         f"{table.expected_rows}", path=str(table.path),
                         hint="the table is incomplete or from another scan; run `audit scan` "
                              "again")
