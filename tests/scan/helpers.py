"""Builders for scan tests: Enterprise NDJSON records around real Parsoid pages, table readers."""

from __future__ import annotations

import csv
import gzip
import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES

SCAN_FIXTURES = FIXTURES / "scan"
PEAR = SCAN_FIXTURES / "pywikibot-article-pear-0.10.xml"
WIKIPEDIA2VEC = SCAN_FIXTURES / "wikipedia2vec-enwiki-pages-articles-sample.xml.bz2"
PARSOID_PAGES = sorted((SCAN_FIXTURES / "enterprise-parsoid").glob("*.html.gz"))
GENSIM_DUMP = ("xml-dumps/pages-articles/gensim-enwiki-latest-pages-articles1.xml"
               "-p000000010p000030302-shortened.bz2")
TABLE_NAMES = ("articles", "flags", "citations")

_REVISION = re.compile(r'<html[^>]*\babout="(https?://[^/"]+)/wiki/Special:Redirect/revision/(\d+)"')
_PAGE_ID = re.compile(r'<meta property="mw:pageId" content="(\d+)"')
_MODIFIED = re.compile(r'<meta property="dc:modified" content="([^"]+)"')
_TITLE = re.compile(r"<title>([^<]*)</title>")


def enterprise_record(html: str, *, namespace: int = 0) -> dict[str, Any]:
    """A Wikimedia Enterprise article record (the NDJSON line shape of the HTML dumps and the
    Snapshot API) around one page's Parsoid HTML, with the metadata the page itself states."""
    site, revid = _REVISION.search(html).groups()  # type: ignore[union-attr]
    title = _TITLE.search(html).group(1)  # type: ignore[union-attr]
    modified = _MODIFIED.search(html).group(1).replace(".000Z", "Z")  # type: ignore[union-attr]
    dbname = site.split("//")[1].split(".")[0] + "wiki"
    return {
        "name": title,
        "identifier": int(_PAGE_ID.search(html).group(1)),  # type: ignore[union-attr]
        "date_modified": modified,
        "version": {"identifier": int(revid), "editor": {"identifier": 1, "name": "Example"},
                    "size": {"value": len(html), "unit_text": "B"}},
        "url": f"{site}/wiki/{title.replace(' ', '_')}",
        "namespace": {"identifier": namespace},
        "in_language": {"identifier": dbname[:-4]},
        "is_part_of": {"identifier": dbname, "url": site},
        "article_body": {"html": html, "wikitext": ""},
        "license": [{"name": "Creative Commons Attribution-ShareAlike License 4.0",
                     "identifier": "CC-BY-SA-4.0",
                     "url": "https://creativecommons.org/licenses/by-sa/4.0/"}],
    }


def parsoid_html(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def ndjson_lines(paths: list[Path] | None = None) -> list[str]:
    """One NDJSON line per fixture page."""
    return [json.dumps(enterprise_record(parsoid_html(path)))
            for path in (paths if paths is not None else PARSOID_PAGES)]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def table_files(out: Path) -> dict[str, bytes]:
    """Every table file's bytes, for identical-output comparisons (Parquet files carry no
    timestamps, so the same rows give the same bytes)."""
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())
            if path.suffix in (".csv", ".parquet")}
