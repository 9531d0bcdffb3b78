"""The `flag_history` table: one row per flag life, as Parquet (fixed schema) and CSV.

The table is declared like the scan tables and written by the same streaming writers
(`audit.scan.tables.TableOutputs`): rows go to disk page by page, so memory does not grow
with the number of flags, and the files appear (atomically) only when the whole dump was read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from audit.errors import InputError
from audit.history.trace import FlagLife
from audit.scan.tables import FORMATS, Column, Row, Table, TableOutputs, describe_tables

SCHEMA_VERSION = 1


def _c(name: str, type: str, doc: str) -> Column:
    return Column(name, type, True, doc)


FLAG_HISTORY = Table(
    "flag_history", "one inline flag from the revision that added it to the one that ended it", (
        _c("wiki", "string", "Site root from the dump's siteinfo (`https://en.wikipedia.org`)."),
        _c("title", "string", "Page title."),
        _c("page_id", "int64", "MediaWiki page id."),
        _c("flag_type", "string", "Catalogue type id (`citation-needed`, `dubious`, …)."),
        _c("flag_template", "string", "Template name as written when the flag was added "
           "(`fact`, `cn`, `Citation needed`)."),
        _c("flag_date", "string", "First `date=` the flag carried (bots often add it a few "
           "edits later)."),
        _c("claim_text", "string", "The flagged claim as it read when the flag was added."),
        _c("section", "string", "Heading path of the claim when the flag was added."),
        _c("added_revision", "int64", "Revision that added the flag."),
        _c("added_timestamp", "timestamp", "When (UTC)."),
        _c("added_user", "string", "Who (null when hidden)."),
        _c("added_comment", "string", "The edit summary (null when hidden)."),
        _c("ended_revision", "int64", "Revision that ended it; null while the flag is open at "
           "the end of the history."),
        _c("ended_timestamp", "timestamp", "When (UTC)."),
        _c("ended_user", "string", "Who."),
        _c("ended_comment", "string", "The edit summary."),
        _c("outcome", "string", "`cited` (a reference now follows the claim), `reworded` (the "
           "claim changed, no reference), `deleted` (the claim is gone), `removed` (the same "
           "claim without the flag and without a new reference) or `open`."),
        _c("citation_added", "bool", "A reference directly follows the claim in the ending "
           "revision."),
        _c("lifetime_days", "float64", "Days from adding to ending (to the last revision while "
           "open)."),
        _c("lifetime_revisions", "int64", "Revisions the flag lived through."),
    ), schema_version=SCHEMA_VERSION)
TABLE_NAME = FLAG_HISTORY.name



@dataclass(frozen=True)
class PageRef:
    """Which page a flag life belongs to."""

    wiki: str
    title: str
    page_id: int | None


def describe_table() -> str:
    """The table as Markdown (heading and column table), for the docs."""
    return describe_tables((FLAG_HISTORY,))


def flag_rows(page: PageRef, lives: Iterable[FlagLife]) -> list[Row]:
    """Table rows (tuples in column order, timestamps as ISO strings) for one page's flags."""
    rows = []
    for life in lives:
        ended = life.ended
        rows.append((
            page.wiki, page.title, page.page_id,
            life.flag_type, life.flag_template, life.flag_date, life.claim_text, life.section,
            life.added.revid, life.added.timestamp or None, life.added.user, life.added.comment,
            ended.revid if ended else None, (ended.timestamp or None) if ended else None,
            ended.user if ended else None, ended.comment if ended else None,
            life.outcome, life.citation_added, life.lifetime_days, life.lifetime_revisions,
        ))
    return rows


def parse_formats(value: str | Sequence[str]) -> tuple[str, ...]:
    """`parquet,csv` (or a list of such) → the formats, checked, in the order given."""
    items = [value] if isinstance(value, str) else list(value)
    formats = [part.strip().lower() for item in items for part in item.split(",") if part.strip()]
    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        raise InputError(f"unknown table format {', '.join(unknown) or '(none)'}",
                         hint="choose from parquet, csv (e.g. --format parquet,csv)")
    return tuple(dict.fromkeys(formats))


def open_outputs(out_dir: str | Path, formats: Sequence[str]) -> TableOutputs:
    """Streaming writers for `flag_history.<format>` in `out_dir` (commit or abort them)."""
    return TableOutputs(out_dir, formats, tables=(FLAG_HISTORY,))


def write_table(rows: Sequence[Row], out_dir: str | Path, formats: Sequence[str]) -> list[Path]:
    """Write `flag_history.<format>` files into `out_dir` at once, atomically; their paths."""
    outputs = open_outputs(out_dir, formats)
    try:
        outputs.write(TABLE_NAME, rows)
        return outputs.commit()
    except BaseException:
        outputs.abort()
        raise
