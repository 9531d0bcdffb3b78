"""Small hand-made `audit scan` directories for the stats tests.

Two directories, A and B, written as Parquet and/or CSV the way `audit scan` writes them
(int32 counts in Parquet, `true`/`false` and empty-for-null in CSV, a manifest with
`schema_version`, tool, reliability data version, inputs and row counts). The expected
aggregates are worked out by hand in the tests, from the rows below.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

W = "https://en.wikipedia.org"
HOSTILE = "<script>alert(1)</script>"
S, I32, I64, F, B = pa.string(), pa.int32(), pa.int64(), pa.float64(), pa.bool_()

SCHEMAS = {
    "articles": pa.schema([
        ("wiki", S), ("title", S), ("page_id", I64), ("revision_id", I64), ("source", S),
        ("claims", I32), ("flagged_claims", I32), ("flags", I32), ("citations", I32),
        ("well_sourced", I32), ("mixed", I32), ("only_unreliable", I32), ("uncited", I32),
        ("banners", I32), ("banner_types", S), ("error", S),
    ]),
    "flags": pa.schema([
        ("wiki", S), ("title", S), ("page_id", I64), ("revision_id", I64), ("claim_text", S),
        ("flag_type", S), ("flag_date", S), ("flag_age_days", I32), ("claim_cited", B),
    ]),
    "citations": pa.schema([
        ("wiki", S), ("title", S), ("revision_id", I64), ("url", S), ("domain", S),
        ("reliability_status", S), ("claim_flagged", B), ("via", S),
    ]),
    "flag_history": pa.schema([
        ("wiki", S), ("title", S), ("flag_type", S), ("outcome", S), ("citation_added", B),
        ("lifetime_days", F), ("lifetime_revisions", I64),
    ]),
}


def article(title: str, revision: int | None, claims: int, flagged: int, flags: int,
            grades: tuple[int, int, int, int], banners: str = "", error: str | None = None,
            wiki: str = W) -> dict[str, Any]:
    """An articles row; `banners` is the `;`-joined banner_types."""
    well, mixed, only, uncited = grades
    return {"wiki": wiki, "title": title, "page_id": 1000 + (revision or 0),
            "revision_id": revision, "source": "dump.xml", "claims": claims,
            "flagged_claims": flagged, "flags": flags, "citations": 0, "well_sourced": well,
            "mixed": mixed, "only_unreliable": only, "uncited": uncited,
            "banners": len([b for b in banners.split(";") if b]), "banner_types": banners,
            "error": error}


def flag(title: str, revision: int, flag_type: str, age: int | None) -> dict[str, Any]:
    """A flags row."""
    return {"wiki": W, "title": title, "page_id": 1000 + revision, "revision_id": revision,
            "claim_text": f"A claim of {title}, with a comma and \"quotes\"\nand a newline.",
            "flag_type": flag_type, "flag_date": None if age is None else "March 2020",
            "flag_age_days": age, "claim_cited": False}


def citation(domain: str | None, status: str, flagged: bool) -> dict[str, Any]:
    """A citations row."""
    return {"wiki": W, "title": "Alpha", "revision_id": 11,
            "url": f"https://{domain}/page" if domain else None, "domain": domain,
            "reliability_status": status, "claim_flagged": flagged, "via": "follows"}


def history(flag_type: str, outcome: str, lifetime: float | None) -> dict[str, Any]:
    """A flag_history row."""
    return {"wiki": W, "title": "Alpha", "flag_type": flag_type, "outcome": outcome,
            "citation_added": outcome == "cited", "lifetime_days": lifetime,
            "lifetime_revisions": 3}


SCAN_A: dict[str, list[dict[str, Any]]] = {
    "articles": [
        article("Alpha", 11, 40, 3, 4, (20, 5, 2, 8), "more-citations-needed;pov"),
        article("Beta", 12, 10, 1, 1, (4, 1, 0, 3), "more-citations-needed"),
        article("Gamma", 13, 50, 0, 0, (30, 10, 0, 10)),
        article("Broken", None, 0, 0, 0, (0, 0, 0, 0), error="no article text"),
    ],
    "flags": [
        flag("Alpha", 11, "citation-needed", 100),
        flag("Alpha", 11, "citation-needed", 365),
        flag("Alpha", 11, "citation-needed", None),
        flag("Alpha", 11, "dubious", 2000),
        flag("Beta", 12, "citation-needed", 1000),
    ],
    "citations": [
        citation("dailymail.co.uk", "deprecated", True),
        citation("dailymail.co.uk", "deprecated", False),
        citation("myblog.blogspot.com", "self-published", True),
        citation("reuters.com", "generally-reliable", False),
        citation(None, "unknown", False),
        citation("example.org", "unknown", True),
    ],
    "flag_history": [
        history("citation-needed", "cited", 10.0),
        history("citation-needed", "cited", 30.0),
        history("citation-needed", "reworded", 100.0),
        history("dubious", "deleted", 5.5),
        history("citation-needed", "removed", 400.0),
        history("citation-needed", "open", 1000.0),
        history("unreliable-source", "open", None),
    ],
}

SCAN_B: dict[str, list[dict[str, Any]]] = {
    "articles": [
        article("Delta", 21, 100, 2, 2, (60, 20, 5, 10), "pov"),
        article("Epsilon", 22, 0, 0, 0, (0, 0, 0, 0), error=f"HTTP 404 {HOSTILE}"),
    ],
    "flags": [
        flag("Delta", 21, "unreliable-source", 3000),
        flag("Delta", 21, "citation-needed", 200),
        flag("Zeta", 99, "citation-needed", None),  # its article is not in the table
    ],
    "citations": [
        citation("dailymail.co.uk", "deprecated", False),
        citation("youtube.com", "video", True),
        citation("youtube.com", "video", True),
        citation("rt.com", "generally-unreliable", False),
        citation(f"{HOSTILE}.example", "blacklisted", True),
        citation("", "generally-unreliable", False),
    ],
}


def write_table(directory: Path, name: str, rows: Sequence[dict[str, Any]], fmt: str) -> Path:
    """One table as `audit scan` writes it: Parquet with a fixed schema, or RFC 4180 CSV."""
    schema = SCHEMAS[name]
    path = directory / f"{name}.{fmt}"
    if fmt == "parquet":
        pq.write_table(pa.Table.from_pylist(list(rows), schema=schema), path, row_group_size=2)
        return path
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(schema.names)
        for row in rows:
            writer.writerow(["" if row[c] is None else ("true" if row[c] else "false")
                             if isinstance(row[c], bool) else row[c] for c in schema.names])
    return path


def write_scan(directory: Path, tables: dict[str, list[dict[str, Any]]],
               formats: Sequence[str] = ("parquet",), *, reliability: str = "rsp-test-1",
               **manifest: Any) -> Path:
    """A scan output directory: every table in every format, then manifest.json."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        for fmt in formats:
            write_table(directory, name, rows, fmt)
    dump = b"<mediawiki/>"
    data = {
        "schema_version": 1,
        "tool": {"name": "audit", "version": "0.1.0"},
        "reliability_data_version": reliability,
        "inputs": [{"path": "dumps/test.xml", "kind": "xml-dump", "bytes": len(dump),
                    "sha256": hashlib.sha256(dump).hexdigest()}],
        "options": {"formats": list(formats)},
        "tables": {name: {"rows": len(rows)} for name, rows in tables.items()},
        **manifest,
    }
    (directory / "manifest.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return directory


@pytest.fixture
def scans(tmp_path: Path) -> tuple[Path, Path]:
    """Directories A (with flag_history) and B, as Parquet."""
    return write_scan(tmp_path / "scan-a", SCAN_A), write_scan(tmp_path / "scan-b", SCAN_B)
