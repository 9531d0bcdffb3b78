"""The tables `audit scan` writes: their schema as data, and writers that stream rows to disk.

The schema lives here and nowhere else: `TABLES` names every table and column with its type,
nullability and meaning, so the Parquet schema (fixed up front, never inferred from a batch),
the CSV header, the manifest and the documentation all read the same rows.

Writers are incremental (Parquet row groups, CSV lines) and atomic as a set: every file is
written under a temporary name in the output directory and moved into place with `os.replace`
only when the whole scan has succeeded (`TableOutputs.commit`); `abort` removes the temporary
files, so a failed or interrupted run never leaves a half-written table behind.
"""

from __future__ import annotations

import contextlib
import csv
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from audit.errors import AuditError, InputError

#: Version of the tables' layout (columns, types, meanings); bumped on any change to them.
SCHEMA_VERSION = 1
FORMATS = ("parquet", "csv")
#: Column types, as named in the docs and the manifest.
TYPES = ("string", "int64", "int32", "float64", "bool", "timestamp")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table `audit` writes."""

    name: str
    type: str
    """One of TYPES; `timestamp` is UTC, whole seconds (Parquet `timestamp[ms, UTC]`, the
    finest unit both Parquet and pandas keep as is; CSV `YYYY-MM-DDTHH:MM:SSZ`)."""
    nullable: bool
    doc: str
    """What the column means, for the documentation."""


@dataclass(frozen=True, slots=True)
class Table:
    """A table `audit` writes: its file name stem, what one row is, and its columns in order."""

    name: str
    row: str
    """What one row stands for."""
    columns: tuple[Column, ...]
    schema_version: int = SCHEMA_VERSION
    """Version of this table's layout, stored in the Parquet metadata."""

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in order (the CSV header)."""
        return tuple(column.name for column in self.columns)


def _c(name: str, type: str, doc: str, nullable: bool = True) -> Column:
    return Column(name, type, nullable, doc)


_PAGE = (
    _c("wiki", "string", "Site root the article lives on (`https://en.wikipedia.org`); null "
       "when the input does not say (a saved page without `--wiki`)."),
    _c("title", "string", "Article title as the input gives it (null only for an unreadable "
       "record)."),
    _c("page_id", "int64", "MediaWiki page id, when the input says."),
    _c("revision_id", "int64", "Revision id of the text that was read, when the input says."),
    _c("revision_timestamp", "timestamp", "When that revision was saved (UTC)."),
)

ARTICLES = Table("articles", "one article (page) read from the input, also when it failed", (
    *_PAGE,
    _c("source", "string", "Input it came from: the dump or file path (`dump.tar.gz:member`, "
       "`dir/page.html`), or the REST URL of the revision for `--titles`.", nullable=False),
    _c("input_format", "string", "Kind of input: `xml-dump`, `enterprise-html`, `saved-page` "
       "or `api`.", nullable=False),
    _c("document_format", "string", "How the text was read: `wikitext`, `parsoid`, `html` or "
       "`text` (null when it could not be read)."),
    _c("claims", "int32", "Claims (sentences, infobox lines, list items, captions, quotes).",
       nullable=False),
    _c("flagged_claims", "int32", "Claims with at least one inline flag.", nullable=False),
    _c("flags", "int32", "Inline flags on claims (= rows in `flags`).", nullable=False),
    _c("citations", "int32", "Citations directly following a claim, counted per claim (= rows "
       "in `citations` with `via` = `follows`).", nullable=False),
    _c("uncited_claims", "int32", "Statements outside the lead that no reference backs "
       "(sentences, list items and quotes only; `Claim.uncited`).", nullable=False),
    _c("well_sourced", "int32", "Claims graded `well-sourced`.", nullable=False),
    _c("mixed", "int32", "Claims graded `mixed`.", nullable=False),
    _c("only_unreliable", "int32", "Claims graded `only-unreliable`.", nullable=False),
    _c("uncited", "int32", "Claims graded `uncited` (no supporting citation at all, any kind "
       "of claim, lead included).", nullable=False),
    _c("sourcing_unknown", "int32", "Claims graded `unknown` (cited, but no source could be "
       "rated); the five grade columns add up to `claims`.", nullable=False),
    _c("banners", "int32", "Maintenance banners (article and section: {{More citations "
       "needed}}, {{Unreferenced section}}, …).", nullable=False),
    _c("banner_types", "string", "Their catalogue types, `;`-joined, in page order, each type "
       "once (empty when none).", nullable=False),
    _c("error", "string", "Why the page could not be read (null when it was): a bad NDJSON "
       "line, a missing title, no article text, …"),
))

FLAGS = Table("flags", "one inline flag on a claim", (
    *_PAGE,
    _c("claim_id", "string", "Stable claim id (hash of its normalised text, `-N` for the N-th "
       "repeat), as in claims.yaml.", nullable=False),
    _c("claim_index", "int32", "Position of the claim in the article (0-based).",
       nullable=False),
    _c("section", "string", "Heading path of the claim, joined with ` › ` (`Lead`, "
       "`Infobox`, `History › Early years`).", nullable=False),
    _c("claim_kind", "string", "`sentence`, `infobox`, `list-item`, `caption` or `quote`.",
       nullable=False),
    _c("claim_text", "string", "The claim's text, flag labels removed.", nullable=False),
    _c("flag_type", "string", "Catalogue type id, e.g. `citation-needed`, `unreliable-source` "
       "(see audit/catalogue.py).", nullable=False),
    _c("flag_label", "string", "The label readers see, e.g. `citation needed`.",
       nullable=False),
    _c("flag_template", "string", "Template name as written (`cn`, `Citation needed`), when the "
       "input shows it."),
    _c("flag_date", "string", "The template's `date=` as written (`October 2017`)."),
    _c("flag_reason", "string", "The template's `reason=`."),
    _c("flag_age_days", "int32", "Days from the flag's dated month to `revision_timestamp` "
       "(null when either is unknown)."),
    _c("claim_cited", "bool", "The claim has a citation directly after it.", nullable=False),
    _c("claim_citations", "int32", "How many citations directly follow the claim.",
       nullable=False),
    _c("sourcing_grade", "string", "The claim's grade: `well-sourced`, `mixed`, "
       "`only-unreliable`, `uncited` or `unknown`.", nullable=False),
))

CITATIONS = Table("citations", "one citation backing one claim", (
    _c("wiki", "string", "As in `articles`."),
    _c("title", "string", "As in `articles`."),
    _c("revision_id", "int64", "As in `articles`."),
    _c("claim_id", "string", "The claim it backs (join with `flags.claim_id`).",
       nullable=False),
    _c("url", "string", "The cited URL (the archived original when only an archive link is "
       "given); null for citations without a link (books, …)."),
    _c("domain", "string", "Host of `url`, lower-case, without `www.`."),
    _c("reliability_status", "string", "WP:RSP status (`generally-reliable`, `no-consensus`, "
       "`generally-unreliable`, `deprecated`, `blacklisted`) or the host's category "
       "(`self-published`, `user-generated`, …); `unknown` when the source is not listed.",
       nullable=False),
    _c("reliability_category", "string", "The host's category when it is on the category list "
       "(`video`, `social-media`, …), even when RSP decided the status."),
    _c("claim_flagged", "bool", "The claim carries at least one inline flag.", nullable=False),
    _c("via", "string", "`follows`: the reference follows the claim; `paragraph`: a later "
       "reference in the same paragraph covers it.", nullable=False),
))

#: Every table, in the order they are written and documented.
TABLES: tuple[Table, ...] = (ARTICLES, FLAGS, CITATIONS)
TABLE_BY_NAME = {table.name: table for table in TABLES}

Row = tuple[Any, ...]


def describe_tables(tables: Sequence[Table] = TABLES) -> str:
    """The tables as Markdown (one heading and one column table each), for the docs."""
    lines: list[str] = []
    for table in tables:
        lines += [f"#### `{table.name}` — {table.row}", "",
                  "| column | type | null | meaning |", "|---|---|---|---|"]
        for column in table.columns:
            null = "yes" if column.nullable else "no"
            lines.append(f"| `{column.name}` | {column.type} | {null} | {column.doc} |")
        lines.append("")
    return "\n".join(lines)


def manifest_columns(table: Table) -> list[dict[str, Any]]:
    """The columns of a table as the manifest lists them."""
    return [{"name": c.name, "type": c.type, "nullable": c.nullable} for c in table.columns]


# --- writers ---------------------------------------------------------------------------------


class TableWriter(Protocol):
    """Streams rows of one table into one file."""

    def write(self, rows: Sequence[Row]) -> None: ...
    def close(self) -> None: ...


class _NoPandas:
    """An import hook that makes `import pandas` fail (used for one probe, then removed)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not needed to write these tables")
        return None


def _skip_pandas_probe() -> None:
    """Let pyarrow decide once, without importing pandas, that our lists are no pandas objects.

    NOTE: pyarrow imports pandas (~50 MB) the first time it converts a Python list, only to
    ask whether the list is a pandas object. A failed import is remembered for that probe
    only: a later `Table.to_pandas()` in the same process imports pandas as usual.
    """
    import pyarrow as pa

    if "pandas" in sys.modules:
        return
    blocker = _NoPandas()
    sys.meta_path.insert(0, blocker)
    try:
        pa.array([], pa.string())
    finally:
        sys.meta_path.remove(blocker)


def arrow_schema(table: Table) -> Any:
    """The fixed pyarrow schema of a table."""
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "int32": pa.int32(),
             "float64": pa.float64(), "bool": pa.bool_(),
             "timestamp": pa.timestamp("ms", tz="UTC")}
    return pa.schema([pa.field(c.name, types[c.type], nullable=c.nullable)
                      for c in table.columns],
                     metadata={"audit.table": table.name,
                               "audit.schema_version": str(table.schema_version)})


class ParquetTableWriter:
    """Buffers rows and writes one Parquet row group per `row_group_rows` rows."""

    def __init__(self, path: Path, table: Table, *, row_group_rows: int = 20_000) -> None:
        # NOTE: pyarrow is imported (and the file opened) at the first row group, not here:
        # `--jobs N` forks its workers after the outputs exist, and workers that never map
        # pyarrow's ~45 MB stay that much smaller.
        self.path = path
        self.table = table
        self.row_group_rows = row_group_rows
        self._rows: list[Row] = []
        self._writer: Any = None

    def _open(self) -> Any:
        import pyarrow.parquet as pq

        _skip_pandas_probe()
        self.schema = arrow_schema(self.table)
        self._writer = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")
        return self._writer

    def write(self, rows: Sequence[Row]) -> None:
        self._rows.extend(rows)
        if len(self._rows) >= self.row_group_rows:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        writer = self._writer or self._open()
        if not self._rows:
            return
        columns = list(zip(*self._rows)) if self._rows else []
        self._rows = []
        arrays = []
        for column, field, values in zip(self.table.columns, self.schema, columns):
            if column.type == "timestamp":
                # NOTE: rows carry `YYYY-MM-DDTHH:MM:SSZ` strings (see scan.iso_utc); Arrow
                # parses them in C, far faster than building datetime objects per row.
                arrays.append(pa.array(values, pa.string()).cast(field.type))
            else:
                arrays.append(pa.array(values, field.type))
        writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self._flush()
        self._writer.close()


class CsvTableWriter:
    """Writes rows as CSV lines (RFC 4180, UTF-8, header first; null = empty field)."""

    def __init__(self, path: Path, table: Table) -> None:
        self._handle = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._handle)
        self._csv.writerow(table.names)
        self._bools = [i for i, c in enumerate(table.columns) if c.type == "bool"]

    def write(self, rows: Sequence[Row]) -> None:
        if self._bools:
            rows = [self._spell(row) for row in rows]
        self._csv.writerows(rows)

    def _spell(self, row: Row) -> Row:
        values = list(row)
        for index in self._bools:
            if values[index] is not None:
                values[index] = "true" if values[index] else "false"
        return tuple(values)

    def close(self) -> None:
        self._handle.close()


class TableOutputs:
    """Every requested table × format in one directory, under temporary names until commit."""

    def __init__(self, out_dir: str | Path, formats: Sequence[str],
                 tables: Sequence[Table] = TABLES) -> None:
        unknown = [name for name in formats if name not in FORMATS]
        if unknown or not formats:
            raise InputError(f"unknown table format {', '.join(unknown) or '(none)'}",
                             hint="choose from " + ", ".join(FORMATS))
        self.out_dir = Path(out_dir)
        self.formats = tuple(dict.fromkeys(formats))
        self.tables = tuple(tables)
        self.rows = {table.name: 0 for table in self.tables}
        self._temps: list[tuple[Path, Path]] = []  # (temporary, final)
        self._writers: dict[str, list[TableWriter]] = {table.name: [] for table in self.tables}
        self._created_dir = not self.out_dir.exists()
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            for table in self.tables:
                for fmt in self.formats:
                    final = self.out_dir / f"{table.name}.{fmt}"
                    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp",
                                                dir=self.out_dir)
                    os.close(fd)
                    temp = Path(name)
                    self._temps.append((temp, final))
                    writer: TableWriter = (ParquetTableWriter(temp, table) if fmt == "parquet"
                                           else CsvTableWriter(temp, table))
                    self._writers[table.name].append(writer)
        except OSError as exc:
            self.abort()
            raise AuditError(f"cannot write tables: {exc.strerror or exc}",
                             path=str(self.out_dir)) from exc

    def write(self, table: str, rows: Sequence[Row]) -> None:
        """Append rows (tuples in column order) to every file of `table`."""
        if not rows:
            return
        self.rows[table] += len(rows)
        for writer in self._writers[table]:
            writer.write(rows)

    def files(self) -> dict[str, dict[str, str]]:
        """Final file name per table and format (relative to the output directory)."""
        return {table.name: {fmt: f"{table.name}.{fmt}" for fmt in self.formats}
                for table in self.tables}

    def commit(self) -> list[Path]:
        """Finish every file and move it into place; returns the final paths."""
        try:
            for writers in self._writers.values():
                for writer in writers:
                    writer.close()
            self._writers = {name: [] for name in self._writers}
            for temp, final in self._temps:
                with contextlib.suppress(OSError):
                    os.chmod(temp, 0o644)
                os.replace(temp, final)
        except OSError as exc:
            self.abort()
            raise AuditError(f"cannot write tables: {exc.strerror or exc}",
                             path=str(self.out_dir)) from exc
        finals = [final for _, final in self._temps]
        self._temps = []
        return finals

    def abort(self) -> None:
        """Close and delete every temporary file (the previous outputs stay as they were)."""
        for writers in self._writers.values():
            for writer in writers:
                with contextlib.suppress(Exception):
                    writer.close()
        self._writers = {name: [] for name in self._writers}
        for temp, _ in self._temps:
            with contextlib.suppress(OSError):
                temp.unlink()
        self._temps = []
        if self._created_dir:
            with contextlib.suppress(OSError):
                self.out_dir.rmdir()  # only if still empty
