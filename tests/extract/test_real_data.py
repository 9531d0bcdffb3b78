"""Every real file in ../shared/data through the readers: no crash, no flag label left behind,
infobox / table / list / caption content read. Skips when ../shared/data is absent (CI has it).
"""

from __future__ import annotations

import bz2
import gzip
import json
import re
import tarfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit.catalogue import INLINE
from audit.claims import split_claims
from audit.errors import InputError
from audit.model import Claim
from audit.readers import read_text_as
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.shared_data

_LABELS = sorted({label.split(" –")[0] for flag in INLINE for label in flag.labels}, key=len)
_ALTERNATIVES = "|".join(re.escape(label) for label in _LABELS)
_LEFTOVER = re.compile(rf"\[(?:{_ALTERNATIVES})\s*(?:[–-]\s*discuss)?\]", re.IGNORECASE)
_MARKERS = re.compile("[\ue000\ue001]")


def _need(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/data/{relative} (large real data, present in CI)")
    return path


def _dump_pages(path: Path) -> Iterator[tuple[str, str]]:
    """(title, wikitext) of every main-namespace page revision in an XML dump."""
    opener = bz2.open if path.suffix == ".bz2" else open
    with opener(path, "rb") as handle:
        title, namespace = "", "0"
        for _, element in ElementTree.iterparse(handle):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "title":
                title = element.text or ""
            elif tag == "ns":
                namespace = element.text or "0"
            elif tag == "text" and element.text and namespace == "0":
                if not element.text.lstrip().upper().startswith("#REDIRECT"):
                    yield title, element.text
            elif tag == "page":
                element.clear()


def _check(claims: list[Claim], where: str) -> None:
    for claim in claims:
        assert not _LEFTOVER.search(claim.text), f"{where}: flag label left in {claim.text!r}"
        assert not _MARKERS.search(claim.text), f"{where}: marker left in {claim.text!r}"
        for flag in claim.flags:
            assert 0 <= flag.offset <= len(claim.text), f"{where}: bad offset {flag}"


def _read(text: str, fmt: str, where: str) -> list[Claim]:
    try:
        claims = split_claims(read_text_as(text, format=fmt, title="T"))
    except InputError:
        return []  # "no article text": a clear error, not a crash
    _check(claims, where)
    return claims


@pytest.mark.parametrize(
    "name",
    [
        "gensim-enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
        "gensim-enwiki-table-markup.xml.bz2",
        "wikipedia2vec-enwiki-pages-articles-sample.xml.bz2",
        "pywikibot-article-pear-0.10.xml",
    ],
)
def test_pages_articles_dumps(name: str) -> None:
    path = _need(f"xml-dumps/pages-articles/{name}")
    pages = list(_dump_pages(path))
    assert pages
    kinds: set[str] = set()
    for title, text in pages:
        claims = _read(text, "wikitext", f"{name}:{title}")
        kinds.update(claim.kind for claim in claims)
    assert "sentence" in kinds
    if "table-markup" in name:
        assert "list-item" in kinds  # table rows and lists are read


def test_history_dumps_every_revision() -> None:
    for name in (
        "pywikibot-article-pear-4revs-2002.xml",
        "refinery-simplewiki-export-0.11-deleted-revisions-sample.xml",
    ):
        path = _need(f"xml-dumps/pages-meta-history/{name}")
        root = ElementTree.parse(path).getroot()
        texts = [element.text for element in root.iter() if element.tag.endswith("}text")]
        assert texts
        for index, text in enumerate(texts):
            if text:
                _read(text, "wikitext", f"{name}#{index}")


def test_wtf_wikipedia_articles() -> None:
    path = _need("wikitext-articles/wtf_wikipedia-tests-cache-71-articles.tar.gz")
    read = 0
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.endswith(".txt"):
                continue
            handle = archive.extractfile(member)
            assert handle is not None
            text = handle.read().decode("utf-8", errors="replace")
            _read(text, "wikitext", member.name)
            read += 1
    assert read >= 70


_HTML = (
    sorted(
        list((SHARED_DATA / "html").glob("*.html.gz"))
        + list((SHARED_DATA / "html" / "enterprise-parsoid").glob("*.html.gz"))
    )
    if (SHARED_DATA / "html").exists()
    else []
)


@pytest.mark.parametrize("path", _HTML, ids=[path.name[:40] for path in _HTML])
def test_html_pages(path: Path) -> None:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        html = handle.read()
    claims = _read(html, "auto", path.name)
    assert len(claims) > 20
    kinds = {claim.kind for claim in claims}
    if 'class="infobox' in html:
        assert "infobox" in kinds, path.name
    # A bulleted list in the body (before the end matter, outside navigation boxes).
    ends = [html.find(f'id="{name}"') for name in ("See_also", "References", "Notes")]
    body = html[: min([end for end in ends if end > 0], default=len(html))]
    body = re.sub(
        r'<(?:div|table)[^>]*class="[^"]*(?:navbox|sidebar|reflist|hatnote)'
        r".*?</(?:div|table)>",
        "",
        body,
        flags=re.S,
    )
    if re.search(r"<ul[^>]*>\s*<li", body):
        assert "list-item" in kinds, path.name
    if "<figcaption" in html or "thumbcaption" in html:
        assert "caption" in kinds, path.name
    # Every citation marker outside the reference lists became a citation of some claim.
    assert sum(len(claim.supporting) for claim in claims) > 0


def test_rendered_api_html_and_mirror_excerpts() -> None:
    mock = _need("api-json/pymediawiki-mock_requests-2017-01-06.json.gz")
    with gzip.open(mock, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    rendered = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "*" and isinstance(inner, str) and "<p>" in inner:
                    rendered.append(inner)
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(data)
    assert rendered
    for index, html in enumerate(rendered):
        _read(html, "html", f"mock#{index}")
    excerpts = _need("russian-intervention-syria/excerpts-PARTIAL.txt")
    _read(excerpts.read_text(encoding="utf-8"), "text", excerpts.name)


def test_every_file_through_every_reader_does_not_crash() -> None:
    """Wrong-format input (HTML into the wikitext reader, …) yields claims or a clear error."""
    samples = [p for p in _HTML if p.stat().st_size < 60_000][:4]
    if not samples:
        pytest.skip("needs ../shared/data/html (large real data, present in CI)")
    texts = []
    for path in samples:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            texts.append((path.name, handle.read()))
    pear = SHARED_DATA / "xml-dumps/pages-articles/pywikibot-article-pear-0.10.xml"
    texts += [(pear.name, text) for _, text in _dump_pages(pear)]
    for name, text in texts:
        for fmt in ("text", "html", "parsoid", "wikitext"):
            _read(text, fmt, f"{name} as {fmt}")
