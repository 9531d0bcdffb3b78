"""The real pages both benchmarks run on, held in memory as `str`, in a fixed order.

Four formats, each page with the source of its ground truth (see README.md):

* `wikitext` — pages-articles dumps (ns 0, no redirects), the wtf_wikipedia article cache
  (English, no redirects) and the `*.wikitext.gz` twins in tests/fixtures/real/;
  truth = the templates in the wikitext itself.
* `parsoid` — Dog, United States, the 22 enterprise-parsoid files, tests/fixtures/real/
  `*.parsoid.html.gz`; truth = the templates recorded in `data-mw` (or the twin wikitext).
* `html` (legacy parser) — Cat, Mozilla, Hermitian matrix, New Zealand, List of films;
  reference = the rendered `sup.Inline-Template` labels (no wikitext exists).
* `text` — a browser-style plain-text copy of every Parsoid and legacy page
  (`plain_text_copy`); same truth as the HTML it was made from.
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import json
import re
import sys
import tarfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import lxml.html
from lxml.html import HtmlElement

from audit.atomic import write_text_atomic

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
REAL_FIXTURES = REPO / "tests" / "fixtures" / "real"

#: Formats in the order every table shows them.
FORMATS = ("wikitext", "parsoid", "html", "text")

#: (corpus name, dump file) of the pages-articles dumps.
DUMPS = (
    (
        "gensim-articles1",
        "xml-dumps/pages-articles/gensim-enwiki-latest-pages-articles1.xml-p000000010p000030302"
        "-shortened.bz2",
    ),
    ("gensim-tables", "xml-dumps/pages-articles/gensim-enwiki-table-markup.xml.bz2"),
    (
        "wikipedia2vec",
        "xml-dumps/pages-articles/wikipedia2vec-enwiki-pages-articles-sample.xml.bz2",
    ),
    ("pywikibot-pear", "xml-dumps/pages-articles/pywikibot-article-pear-0.10.xml"),
)
WTF_ARCHIVE = "wikitext-articles/wtf_wikipedia-tests-cache-71-articles.tar.gz"
PARSOID_FILES = (
    "html/mcs-parsoid-enwiki-Dog-rev845493773.html.gz",
    "html/mcs-parsoid-enwiki-United_States-rev922519903.html.gz",
)
ENTERPRISE_DIR = "html/enterprise-parsoid"
LEGACY_FILES = (
    "html/mcs-action-parse-enwiki-Cat-2024.html.gz",
    "html/readability-enwiki-Mozilla-rev746574460-2016.html.gz",
    "html/readability-enwiki-Hermitian_matrix-rev942460710-2020.html.gz",
    "html/readability-enwiki-New_Zealand-rev917976458-2019.html.gz",
    "html/readability-enwiki-List_of_films_featuring_time_loops-2024-04-02.html.gz",
)

# NOTE: a few wtf_wikipedia files come from dewiki/afwiki/nnwiki; their category and file
# links use the local namespace name, which English articles never do.
_FOREIGN_NAMESPACE = re.compile(r"\[\[\s*(?:Kategorie|Kategori|Datei|Catégorie|Categoría)\s*:")
_REDIRECT = re.compile(r"^\s*#\s*redirect\b", re.I)
# NOTE: enterprise-parsoid/Poetry.html.gz was committed upstream as the body of a JSON string
# (every `"` written `\"`, every `\` written `\\`); un-escaping gives the real Parsoid HTML.
_JSON_ESCAPED_HTML = re.compile(r'^<!DOCTYPE html>\s*<html prefix=\\"')
_JSON_ESCAPE = re.compile(r'\\(["\\])')


@dataclass(frozen=True, slots=True)
class Page:
    """One real article in one format, with where its ground truth comes from."""

    corpus: str
    """Short name of the file or collection the page came from."""
    title: str
    format: str
    """`wikitext`, `parsoid`, `html` (legacy parser) or `text` (plain-text copy)."""
    content: str
    """The input our reader gets, decompressed."""
    truth: str
    """`wikitext`, `data-mw`, `twin-wikitext` or `rendered-labels`."""
    truth_content: str
    """The document the truth is read from (the page itself, its HTML source, or its twin)."""

    @property
    def megabytes(self) -> float:
        """Input size in MB (UTF-8 bytes / 10^6)."""
        return len(self.content.encode("utf-8")) / 1e6


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options both benchmarks share."""
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"the shared real-data folder (default: {DEFAULT_DATA})",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the results as JSON")


def require_data(data: Path) -> None:
    """Exit 0 with a clear message when the real data is absent (benchmarks are optional)."""
    if not (data / "html").is_dir() and not (data / "xml-dumps").is_dir():
        print(f"skipped: ../shared/data not found (looked in {data})")
        sys.exit(0)


def write_json(path: Path, payload: dict[str, object]) -> None:
    """Write a results file atomically (temp file + os.replace)."""
    write_text_atomic(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def _read(path: Path) -> str:
    """A data file as text, decompressed (gzip, bzip2 or plain)."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    elif path.suffix == ".bz2":
        data = bz2.decompress(data)
    return data.decode("utf-8")


# --- wikitext --------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def iter_dump_articles(path: Path) -> Iterator[tuple[str, str]]:
    """(title, wikitext) of every ns-0, non-redirect page of a pages-articles dump."""
    opener = bz2.open if path.suffix == ".bz2" else open
    with opener(path, "rb") as handle:
        for _, element in ElementTree.iterparse(handle, events=("end",)):
            if _local(element.tag) != "page":
                continue
            fields = {_local(child.tag): child for child in element}
            title = fields["title"].text or ""
            namespace = fields["ns"].text if "ns" in fields else "0"
            revision = fields.get("revision")
            text_node = None
            if revision is not None:
                text_node = next((c for c in revision if _local(c.tag) == "text"), None)
            text = (text_node.text or "") if text_node is not None else ""
            if namespace == "0" and "redirect" not in fields and not _REDIRECT.match(text):
                yield title, text
            element.clear()


def _wtf_articles(path: Path) -> Iterator[tuple[str, str]]:
    with tarfile.open(path, "r:gz") as archive:
        members = sorted(
            (m for m in archive.getmembers() if m.isfile() and m.name.endswith(".txt")),
            key=lambda member: member.name,
        )
        for member in members:
            handle = archive.extractfile(member)
            if handle is None:
                continue
            text = handle.read().decode("utf-8")
            if _REDIRECT.match(text) or _FOREIGN_NAMESPACE.search(text):
                continue
            yield Path(member.name).stem.replace("-", " ").replace("_", " "), text


def wikitext_pages(data: Path) -> list[Page]:
    """Every real wikitext article: dumps, wtf_wikipedia cache, twins in tests/fixtures/real."""
    pages = []
    for corpus, relative in DUMPS:
        path = data / relative
        if path.exists():
            for title, text in iter_dump_articles(path):
                pages.append(Page(corpus, title, "wikitext", text, "wikitext", text))
    archive = data / WTF_ARCHIVE
    if archive.exists():
        for title, text in _wtf_articles(archive):
            pages.append(Page("wtf_wikipedia", title, "wikitext", text, "wikitext", text))
    for path in sorted(REAL_FIXTURES.glob("*.wikitext.gz")):
        text = _read(path)
        pages.append(Page("fixtures/real", _html_title(path), "wikitext", text, "wikitext", text))
    return pages


# --- HTML ------------------------------------------------------------------------------------


def _html_title(path: Path) -> str:
    """`mcs-parsoid-enwiki-United_States-rev922519903.html.gz` → `United States`."""
    name = path.name.removesuffix(".gz").removesuffix(".html").removesuffix(".parsoid")
    name = name.removesuffix(".wikitext")
    for prefix in ("mcs-parsoid-enwiki-", "mcs-action-parse-enwiki-", "readability-enwiki-"):
        name = name.removeprefix(prefix)
    return re.sub(r"-(?:rev\d+.*|\d{4}.*)$", "", name).replace("_", " ")


def parsoid_pages(data: Path) -> list[Page]:
    """Parsoid HTML pages; a `*.wikitext.gz` twin in tests/fixtures/real becomes their truth."""
    paths = [data / relative for relative in PARSOID_FILES]
    paths += sorted((data / ENTERPRISE_DIR).glob("*.html.gz"))
    pages = []
    for path in paths:
        if path.exists():
            html = _read(path)
            if _JSON_ESCAPED_HTML.match(html):
                html = _JSON_ESCAPE.sub(r"\1", html)
            corpus = "enterprise-parsoid" if path.parent.name == "enterprise-parsoid" else "mcs"
            pages.append(Page(corpus, _html_title(path), "parsoid", html, "data-mw", html))
    for path in sorted(REAL_FIXTURES.glob("*.parsoid.html.gz")):
        html = _read(path)
        twin = path.with_name(path.name.replace(".parsoid.html.gz", ".wikitext.gz"))
        if twin.exists():
            page = Page("fixtures/real", _html_title(path), "parsoid", html, "twin-wikitext", "")
            pages.append(replace(page, truth_content=_read(twin)))
        else:
            pages.append(Page("fixtures/real", _html_title(path), "parsoid", html, "data-mw", html))
    return pages


def legacy_pages(data: Path) -> list[Page]:
    """Legacy-parser HTML pages (action=parse, saved desktop pages)."""
    pages = []
    for relative in LEGACY_FILES:
        path = data / relative
        if path.exists():
            html = _read(path)
            corpus = path.name.split("-enwiki")[0]
            pages.append(Page(corpus, _html_title(path), "html", html, "rendered-labels", html))
    return pages


def text_pages(html_pages: list[Page]) -> list[Page]:
    """A browser-style plain-text copy of every HTML page; truth stays that of the HTML."""
    return [
        replace(page, format="text", content=plain_text_copy(page.content)) for page in html_pages
    ]


def load_pages(data: Path) -> dict[str, list[Page]]:
    """All pages by format, in `FORMATS` order."""
    parsoid, legacy = parsoid_pages(data), legacy_pages(data)
    return {
        "wikitext": wikitext_pages(data),
        "parsoid": parsoid,
        "html": legacy,
        "text": text_pages(parsoid + legacy),
    }


# --- plain-text copies -----------------------------------------------------------------------

# What a browser copy of the rendered page looks like (Select All → Copy → paste as text):
# headings, paragraphs, figures, tables and lists start on a new line with a blank line
# around them; list items, table rows, captions and <br> on a line of their own; table cells
# separated by a tab; inline elements (links, <sup> flags "[citation needed]", reference
# numbers "[12]") stay inside the sentence; hidden elements (display:none, <style>, MathML
# annotations) are not copied; legacy "[edit]" links are.
_PARAGRAPH_TAGS = frozenset(
    "p h1 h2 h3 h4 h5 h6 blockquote table ul ol dl figure pre section hr center".split()
)
_LINE_TAGS = frozenset("li tr dt dd caption figcaption div tbody thead".split())
_CELL_TAGS = frozenset({"td", "th"})
_SKIP_TAGS = frozenset("script style noscript link meta annotation template".split())
_HIDDEN = re.compile(r"display\s*:\s*none", re.I)
_WHITESPACE = re.compile(r"[ \t\r\n\f]+")  # HTML whitespace; NBSP is kept, as browsers do
_PARAGRAPH, _LINE, _CELL = "\x00P", "\x00L", "\x00C"
_CELL_GAP = re.compile(" *\x00C *")


def _copy(element: HtmlElement, out: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIP_TAGS or _HIDDEN.search(element.get("style") or "") or not tag:
        if element.tail:
            out.append(_WHITESPACE.sub(" ", element.tail))
        return
    marker = (
        _PARAGRAPH
        if tag in _PARAGRAPH_TAGS
        else _LINE
        if tag in _LINE_TAGS or tag == "br"
        else _CELL
        if tag in _CELL_TAGS
        else ""
    )
    out.append(marker)
    if element.text:
        out.append(_WHITESPACE.sub(" ", element.text))
    for child in element:
        _copy(child, out)
    if marker != _CELL:
        out.append(marker)
    if element.tail:
        out.append(_WHITESPACE.sub(" ", element.tail))


def content_root(tree: HtmlElement) -> HtmlElement:
    """Legacy pages: the parser output (2016 pages lack the `.mw-parser-output` wrapper);
    Parsoid pages: the whole body."""
    content = tree.xpath('//*[@id="mw-content-text"]')
    if not content:
        return tree.body
    inner = content[0].xpath('.//*[contains(concat(" ", @class, " "), " mw-parser-output ")]')
    return inner[0] if inner else content[0]


def plain_text_copy(html: str) -> str:
    """The article as a browser copy shows it: title line, then the rendered content."""
    tree = lxml.html.document_fromstring(html)
    heading = tree.xpath('//*[@id="firstHeading"]') or tree.xpath("//title")
    title = heading[0].text_content().strip() if heading else ""
    title = title.removesuffix(" - Wikipedia")
    root = content_root(tree)
    out: list[str] = []
    _copy(root, out)
    text = "".join(out)
    lines: list[str] = [title, ""]
    for paragraph in text.split(_PARAGRAPH):
        rows = [_CELL_GAP.sub("\t", row).strip(" \t") for row in paragraph.split(_LINE)]
        rows = [row for row in rows if row]
        if rows:
            lines.extend(rows)
            lines.append("")
    return "\n".join(lines)
