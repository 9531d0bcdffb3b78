"""Reader entry point: format sniffing, decoding, clear errors for bad documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.errors import InputError
from audit.readers import read_document, sniff_format

PARSOID = (
    '<html about="x/revision/5"><body><p typeof="mw:Transclusion" data-mw="{}">A.</p></body></html>'
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PARSOID, "parsoid"),
        ('<div class="mw-parser-output"><p>Text.</p></div>', "html"),
        (
            "<!DOCTYPE html><html><head><title>X - Wikipedia</title></head><body><p>A</p></body></html>",
            "html",
        ),
        ("'''Foo''' is a [[bar]].<ref>x</ref>\n== History ==\nText.", "wikitext"),
        ("Foo\n\nFoo is a bar.[citation needed] It is [Assad] here.", "text"),
    ],
)
def test_sniff_format(content: str, expected: str) -> None:
    assert sniff_format(content) == expected


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "nope.txt")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n")
    with pytest.raises(InputError, match="empty"):
        read_document(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match="binary"):
        read_document(path)


def test_not_utf8_names_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Title\n\nline two\ncaf\xe9 here".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8") as info:
        read_document(path)
    assert info.value.line == 4


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        read_document(tmp_path)


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Title\n\nSome text here.")
    with pytest.raises(InputError, match="unknown format"):
        read_document(path, format="pdf")


def test_html_without_article_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><script>var a = 1;</script></body></html>")
    with pytest.raises(InputError, match="no article text"):
        read_document(path)
