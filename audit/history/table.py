"""The `flag_history` table: one row per flag life, as Parquet (fixed schema) and CSV.

Both files are rendered in memory and written atomically (temp file + rename), so a reader
never sees half a table and an interrupted run leaves the previous table in place.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from audit.atomic import write_bytes_atomic, write_text_atomic
from audit.errors import InputError
from audit.history.trace import FlagLife, parse_timestamp

TABLE_NAME = "flag_history"
SCHEMA_VERSION = 1
TABLE_FORMATS = ("parquet", "csv")

#: Column → (Arrow type, meaning). The order is the order of both files and of the docs.
COLUMN_DOCS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("wiki", pa.string(), "Site root from the dump's siteinfo (`https://en.wikipedia.org`)."),
    ("title", pa.string(), "Page title."),
    ("page_id", pa.int64(), "MediaWiki page id."),
    ("flag_type", pa.string(), "Catalogue type id (`citation-needed`, `dubious`, …)."),
    ("flag_template", pa.string(), "Template name as written when the flag was added "
     "(`fact`, `cn`, `Citation needed`)."),
    ("flag_date", pa.string(), "First `date=` the flag carried (bots often add it a few edits "
     "later)."),
    ("claim_text", pa.string(), "The flagged claim as it read when the flag was added."),
    ("section", pa.string(), "Heading path of the claim when the flag was added."),
    ("added_revision", pa.int64(), "Revision that added the flag."),
    ("added_timestamp", pa.timestamp("ms", tz="UTC"), "When (UTC)."),
    ("added_user", pa.string(), "Who (null when hidden)."),
    ("added_comment", pa.string(), "The edit summary (null when hidden)."),
    ("ended_revision", pa.int64(), "Revision that ended it; null while the flag is open at the "
     "end of the history."),
    ("ended_timestamp", pa.timestamp("ms", tz="UTC"), "When (UTC)."),
    ("ended_user", pa.string(), "Who."),
    ("ended_comment", pa.string(), "The edit summary."),
    ("outcome", pa.string(), "`cited` (a reference now follows the claim), `reworded` (the "
     "claim changed, no reference), `deleted` (the claim is gone), `removed` (the same claim "
     "without the flag and without a new reference) or `open`."),
    ("citation_added", pa.bool_(), "A reference directly follows the claim in the ending "
     "revision."),
    ("lifetime_days", pa.float64(), "Days from adding to ending (to the last revision while "
     "open)."),
    ("lifetime_revisions", pa.int64(), "Revisions the flag lived through."),
)
#: Column → Arrow type.
COLUMNS: tuple[tuple[str, pa.DataType], ...] = tuple(
    (name, kind) for name, kind, _ in COLUMN_DOCS)
SCHEMA = pa.schema(
    [pa.field(name, kind, nullable=True) for name, kind in COLUMNS],
    metadata={"audit.table": TABLE_NAME, "audit.schema_version": str(SCHEMA_VERSION)},
)
_TIMESTAMPS = frozenset({"added_timestamp", "ended_timestamp"})


@dataclass(frozen=True)
class PageRef:
    """Which page a flag life belongs to."""

    wiki: str
    title: str
    page_id: int | None


def describe_table() -> str:
    """The table as Markdown (heading and column table), for the docs."""
    lines = [f"#### `{TABLE_NAME}` — one inline flag from the revision that added it to the "
             "one that ended it", "", "| column | type | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {kind} | {doc} |" for name, kind, doc in COLUMN_DOCS]
    return "\n".join(lines) + "\n"


def flag_rows(page: PageRef, lives: Iterable[FlagLife]) -> list[dict[str, Any]]:
    """Table rows (column → value, timestamps as ISO strings) for one page's flags."""
    rows = []
    for life in lives:
        ended = life.ended
        rows.append({
            "wiki": page.wiki,
            "title": page.title,
            "page_id": page.page_id,
            "flag_type": life.flag_type,
            "flag_template": life.flag_template,
            "flag_date": life.flag_date,
            "claim_text": life.claim_text,
            "section": life.section,
            "added_revision": life.added.revid,
            "added_timestamp": life.added.timestamp,
            "added_user": life.added.user,
            "added_comment": life.added.comment,
            "ended_revision": ended.revid if ended else None,
            "ended_timestamp": ended.timestamp if ended else None,
            "ended_user": ended.user if ended else None,
            "ended_comment": ended.comment if ended else None,
            "outcome": life.outcome,
            "citation_added": life.citation_added,
            "lifetime_days": life.lifetime_days,
            "lifetime_revisions": life.lifetime_revisions,
        })
    return rows


def parse_formats(value: str | Sequence[str]) -> tuple[str, ...]:
    """`parquet,csv` (or a list of such) → the formats, checked, in the order given."""
    items = [value] if isinstance(value, str) else list(value)
    formats = [part.strip().lower() for item in items for part in item.split(",") if part.strip()]
    unknown = [name for name in formats if name not in TABLE_FORMATS]
    if unknown or not formats:
        raise InputError(f"unknown table format {', '.join(unknown) or '(none)'}",
                         hint="choose from parquet, csv (e.g. --format parquet,csv)")
    return tuple(dict.fromkeys(formats))


def to_arrow(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """The rows as an Arrow table with the fixed schema (also when there are none)."""
    columns = {}
    for name, _ in COLUMNS:
        values = [row[name] for row in rows]
        if name in _TIMESTAMPS:
            values = [parse_timestamp(value) if value else None for value in values]
        columns[name] = values
    return pa.Table.from_pydict(columns, schema=SCHEMA)


def render_parquet(rows: Sequence[dict[str, Any]]) -> bytes:
    """The table as Parquet bytes (zstd-compressed)."""
    sink = pa.BufferOutputStream()
    pq.write_table(to_arrow(rows), sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def render_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The table as CSV (RFC 4180, a header row, empty cells for nulls, true/false)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name, _ in COLUMNS])
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_table(
    rows: Sequence[dict[str, Any]], out_dir: str | Path, formats: Sequence[str]
) -> list[Path]:
    """Write `flag_history.<format>` files into `out_dir`, each atomically; their paths."""
    rendered: dict[Path, bytes | str] = {}
    for name in formats:
        path = Path(out_dir) / f"{TABLE_NAME}.{name}"
        rendered[path] = render_parquet(rows) if name == "parquet" else render_csv(rows)
    for path, content in rendered.items():  # only after every format rendered
        if isinstance(content, bytes):
            write_bytes_atomic(path, content)
        else:
            write_text_atomic(path, content)
    return list(rendered)
