"""Inputs of `audit scan`: pages streamed from XML dumps, Enterprise NDJSON, folders."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import tarfile
from pathlib import Path

import pytest

from audit.errors import InputError
from audit.scan.dumps import InputFile, enterprise_page, input_kind, plan_inputs
from tests.scan.helpers import PARSOID_PAGES, PEAR, WIKIPEDIA2VEC, ndjson_lines, parsoid_html


def pages_of(*paths: Path, namespaces: tuple[int, ...] = (0,)) -> list:
    records, pages = plan_inputs(list(paths), namespaces=namespaces)
    return list(pages)


def test_xml_dump_pages_skip_redirects_and_keep_metadata() -> None:
    pages = pages_of(WIKIPEDIA2VEC)
    # AccessibleComputing is a redirect: skipped.
    assert [page.title for page in pages] == ["Computer accessibility", "Accessibility"]
    first = pages[0]
    assert first.wiki == "https://en.wikipedia.org"
    assert first.input_format == "xml-dump" and first.content_format == "wikitext"
    assert isinstance(first.page_id, int) and isinstance(first.revision_id, int)
    assert first.revision_timestamp and first.revision_timestamp.endswith("Z")
    assert "{{" in first.content


def test_uncompressed_export_and_namespace_choice() -> None:
    assert [page.title for page in pages_of(PEAR)] == ["Pear"]
    assert pages_of(PEAR, namespaces=(4,)) == []


@pytest.mark.parametrize("suffix, compress", [
    (".xml.gz", gzip.compress), (".xml.xz", lzma.compress),
    (".xml.lzma", lambda data: lzma.compress(data, format=lzma.FORMAT_ALONE)),
])
def test_other_compressions_by_extension(tmp_path: Path, suffix: str, compress) -> None:
    path = tmp_path / f"dump{suffix}"
    path.write_bytes(compress(PEAR.read_bytes()))
    assert [page.title for page in pages_of(path)] == ["Pear"]


def test_manifest_record_hashes_the_file_as_it_streams() -> None:
    records, pages = plan_inputs([WIKIPEDIA2VEC])
    list(pages)
    data = WIKIPEDIA2VEC.read_bytes()
    assert records[0].sha256 == hashlib.sha256(data).hexdigest()
    assert records[0].size == len(data) and records[0].read == len(data)
    assert records[0].extra["dbname"] == "enwiki"


def test_truncated_bz2_is_a_clear_input_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml.bz2"
    data = WIKIPEDIA2VEC.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="ends early"):
        pages_of(path)


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    text = PEAR.read_text(encoding="utf-8").replace("</title>", "</titel>", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="malformed XML") as caught:
        pages_of(path)
    assert caught.value.line


def test_dump_without_siteinfo_is_read(tmp_path: Path) -> None:
    text = PEAR.read_text(encoding="utf-8")
    start, end = text.index("<siteinfo>"), text.index("</siteinfo>") + len("</siteinfo>")
    path = tmp_path / "nosite.xml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    (page,) = pages_of(path)
    assert page.title == "Pear" and page.wiki is None


def test_ndjson_records_and_a_bad_line_is_a_page_error(tmp_path: Path) -> None:
    lines = ndjson_lines()
    path = tmp_path / "dump.ndjson"
    path.write_text("\n".join([lines[0], "{not json", "", lines[1], "[1, 2]"]) + "\n",
                    encoding="utf-8")
    assert input_kind(path) == "enterprise-html"
    pages = pages_of(path)
    assert [page.title for page in pages] == ["Matryoshka doll", None, "Nephrite", None]
    assert pages[1].error.startswith("line 2: not a JSON record")
    assert pages[3].error == "line 5: not a JSON object"
    good = pages[0]
    assert (good.page_id, good.revision_id) == (331080, 1129844348)
    assert good.revision_timestamp == "2022-12-27T10:38:19Z"
    assert good.wiki == "https://en.wikipedia.org" and good.content_format == "parsoid"


def test_enterprise_namespace_filter_and_missing_body() -> None:
    record = json.loads(ndjson_lines(PARSOID_PAGES[:1])[0])
    record["namespace"] = {"identifier": 14}
    assert enterprise_page(json.dumps(record), "x.ndjson", 1) is None
    assert enterprise_page(json.dumps(record), "x.ndjson", 1, namespaces=(14,)) is not None
    del record["article_body"]
    page = enterprise_page(json.dumps(record), "x.ndjson", 7, namespaces=(14,))
    assert page is not None and page.error == "line 7: no article_body.html"


def test_gzipped_ndjson_and_tar_archive_stream(tmp_path: Path) -> None:
    lines = ndjson_lines()
    plain = ("\n".join(lines) + "\n").encode("utf-8")
    ndjson_gz = tmp_path / "dump.ndjson.gz"
    ndjson_gz.write_bytes(gzip.compress(plain))
    archive = tmp_path / "enwiki-NS0-ENTERPRISE-HTML.json.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (("enwiki_0.ndjson", plain), ("enwiki_1.ndjson", lines[0].encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    titles = [json.loads(line)["name"] for line in lines]
    assert [page.title for page in pages_of(ndjson_gz)] == titles
    from_tar = pages_of(archive)
    assert [page.title for page in from_tar] == [*titles, titles[0]]
    assert from_tar[-1].source.endswith(".tar.gz:enwiki_1.ndjson")


def test_truncated_tar_gz_is_a_clear_input_error(tmp_path: Path) -> None:
    archive = tmp_path / "dump.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = ("\n".join(ndjson_lines()) + "\n").encode()
        info = tarfile.TarInfo("a.ndjson")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    archive.write_bytes(archive.read_bytes()[:5000])
    with pytest.raises(InputError):
        pages_of(archive)


def test_directory_of_saved_pages(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / "Nephrite.html").write_text(parsoid_html(PARSOID_PAGES[1]), encoding="utf-8")
    (folder / "sub" / "Pear.wikitext.gz").write_bytes(gzip.compress(b"'''Pear''' is a fruit."))
    (folder / "broken.gz").write_bytes(b"not gzip at all")
    (folder / ".hidden").write_text("skip me")
    records, pages = plan_inputs([folder])
    found = list(pages)
    assert [Path(page.source).name for page in found] == [
        "Nephrite.html", "broken.gz", "Pear.wikitext.gz"]
    assert found[1].error and found[1].error.startswith("cannot decompress")
    assert found[2].content == b"'''Pear''' is a fruit."
    assert records[0].kind == "saved-pages" and records[0].extra["files"] == 3
    assert records[0].sha256


def test_missing_input_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        plan_inputs([PEAR, tmp_path / "nope.xml.bz2"])


def test_input_kind_sniffs_when_the_name_does_not_say(tmp_path: Path) -> None:
    unnamed = tmp_path / "export.gz"
    unnamed.write_bytes(gzip.compress(("\n".join(ndjson_lines()[:1]) + "\n").encode()))
    assert input_kind(unnamed) == "enterprise-html"
    assert input_kind(PEAR) == "xml-dump"
    assert isinstance(InputFile("x", "xml-dump").manifest(), dict)
