"""Streaming history dumps (audit.history.dump): schemas, compression, deleted parts, errors."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path

import pytest

from audit.errors import InputError
from audit.history.dump import read_dump
from tests.conftest import FIXTURES
from tests.history.synthetic import bridge_history, history_xml

HISTORY = FIXTURES / "history"
PEAR = HISTORY / "pywikibot-article-pear-4revs-2002.xml"
REFINERY = HISTORY / "refinery-simplewiki-export-0.11-deleted-revisions-sample.xml"


def pages(path: Path, **options: object) -> list[tuple[str, list]]:
    return [(page.title, list(page.revisions)) for page in read_dump(path, **options)]


@pytest.fixture(scope="module")
def bridge_xml() -> bytes:
    return history_xml("Old Bridge", bridge_history()).encode("utf-8")


def test_oldest_schema_without_namespace_or_sha1() -> None:
    ((title, revisions),) = pages(PEAR)
    assert title == "Pear"
    assert [r.revid for r in revisions] == [185185, 185241, 185408, 188924]
    assert revisions[0].timestamp == "2002-02-25T15:43:11Z"
    assert revisions[0].user == "Conversion script" and revisions[3].comment == "sp"
    assert all(r.text for r in revisions)


def test_current_schema_with_deleted_text_user_and_comment() -> None:
    found = dict(pages(REFINERY, namespaces=None))
    ryulong = found["User:Ryulong"]
    by_id = {r.revid: r for r in ryulong}
    assert by_id[360821].user is None and by_id[360821].text == ""  # blanked, user hidden
    assert by_id[1714215].text is None and by_id[1714215].comment is None  # all hidden
    assert by_id[4997170].text is None and by_id[4997170].user == "72.160.28.62"
    assert len(found["Talk:Cristiano Ronaldo"]) == 15


def test_only_articles_unless_asked(tmp_path: Path) -> None:
    assert pages(REFINERY) == []
    assert [title for title, _ in pages(REFINERY, title="user:Ryulong")] == ["User:Ryulong"]


def test_site_root_is_https_for_wikimedia_wikis() -> None:
    """The 2002 export says http://en.wikipedia.org; the column says it as `audit scan` does."""
    assert [page.wiki for page in read_dump(PEAR)] == ["https://en.wikipedia.org"]


def test_unread_revisions_are_skipped_when_the_next_page_is_asked_for() -> None:
    found = list(read_dump(REFINERY, namespaces=None))  # nobody reads the revisions
    assert [page.title for page in found] == ["User:Ryulong", "Talk:Cristiano Ronaldo"]
    assert list(found[0].revisions) == []


@pytest.mark.parametrize("packer", ["plain", "bz2", "gzip", "xz", "lzma-alone"])
def test_compression_is_detected_by_content(tmp_path: Path, bridge_xml: bytes, packer: str) -> None:
    packed = {
        "plain": lambda data: data,
        "bz2": bz2.compress,
        "gzip": gzip.compress,
        "xz": lzma.compress,
        "lzma-alone": lambda data: lzma.compress(data, format=lzma.FORMAT_ALONE),
    }[packer](bridge_xml)
    path = tmp_path / "dump.bin"  # the name says nothing
    path.write_bytes(packed)
    ((title, revisions),) = pages(path)
    assert title == "Old Bridge" and len(revisions) == 200
    assert revisions[90].text == "" and revisions[90].user == "203.0.113.9"


def test_progress_reports_bytes_read(tmp_path: Path, bridge_xml: bytes) -> None:
    path = tmp_path / "dump.xml.bz2"
    path.write_bytes(bz2.compress(bridge_xml))
    seen: list[int] = []
    for page in read_dump(path, progress=seen.append):
        list(page.revisions)
    assert seen and seen[-1] == path.stat().st_size


def test_truncated_lzma_is_a_clear_error(tmp_path: Path, bridge_xml: bytes) -> None:
    path = tmp_path / "history.xml.lzma"
    whole = lzma.compress(bridge_xml * 1, format=lzma.FORMAT_ALONE)
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="truncated") as caught:
        pages(path)
    assert "Old Bridge" in str(caught.value) and "after revision" in str(caught.value)


def test_malformed_xml_names_the_line(tmp_path: Path, bridge_xml: bytes) -> None:
    path = tmp_path / "cut.xml"
    path.write_bytes(bridge_xml[:5000] + b"</oops>")
    with pytest.raises(InputError, match="malformed XML") as caught:
        pages(path)
    assert caught.value.line is not None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"just some words\n", "neither XML nor"),
        (b"<html><body>hi</body></html>", "root element is <html>"),
        (gzip.compress(b"<mediawiki>")[:12], "truncated"),
    ],
)
def test_not_a_dump(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        pages(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        pages(tmp_path / "nope.xml")
    with pytest.raises(InputError, match="directory"):
        pages(tmp_path)


def test_export_without_siteinfo(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(
        "<mediawiki><page><title>Foo</title><ns>0</ns><id>1</id><revision><id>5</id>"
        "<timestamp>2020-01-01T00:00:00Z</timestamp><contributor><username>A</username>"
        "<id>1</id></contributor><text>Hi.{{cn}}</text></revision></page></mediawiki>",
        encoding="utf-8",
    )
    found = [(page.title, page.wiki, [r.text for r in page.revisions]) for page in read_dump(path)]
    assert found == [("Foo", "", ["Hi.{{cn}}"])]
