"""Readers: every input format becomes the same `Document` (one file per format).

`read_document` is the entry point: it decodes bytes, rejects what is not an article
(empty, binary), sniffs the format when asked for `auto`, and dispatches.
"""

from __future__ import annotations

import re
from pathlib import Path

from audit.errors import InputError
from audit.model import Document

FORMATS = ("auto", "text", "html", "parsoid", "wikitext")
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024

_HTML_START = re.compile(
    r"^\s*(?:<!DOCTYPE html|<html|<head|<body|<div|<section|<p[\s>]|<table)", re.I
)
_WIKITEXT_HINTS = (
    re.compile(r"^={2,6}[^=\n]+={2,6}\s*$", re.M),  # == Heading ==
    re.compile(r"\{\{[^{}\n]{1,200}(?:\||\}\})"),  # {{template|  or {{template}}
    re.compile(r"\[\[[^\[\]\n]{1,200}\]\]"),  # [[link]]
    re.compile(r"<ref[\s>/]", re.I),  # <ref>
    re.compile(r"'''[^'\n]+'''"),  # '''bold'''
)


def decode_document(data: bytes, *, path: str) -> str:
    """UTF-8 text of a document, or a clear error for empty and binary input."""
    if not data.strip():
        raise InputError("document is empty", path=path)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(f"document is larger than {MAX_DOCUMENT_BYTES // 2**20} MB", path=path)
    head = data[:8192]
    if b"\x00" in head:
        raise InputError(
            "document looks binary (NUL bytes), not an article",
            path=path,
            hint="give a plain-text copy, saved HTML, Parsoid HTML or wikitext",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"document is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            path=path,
            line=line,
            hint="save the page as UTF-8",
        ) from exc
    controls = sum(1 for char in text[:8192] if ord(char) < 32 and char not in "\n\r\t\f")
    if controls > 32:
        raise InputError("document looks binary (control characters), not an article", path=path)
    return text


def sniff_format(text: str) -> str:
    """`parsoid`, `html`, `wikitext` or `text`, from the content alone."""
    from audit.readers.html import is_parsoid

    if _HTML_START.match(text[:2048]) or "</p>" in text[:200_000] and "<body" in text[:50_000]:
        return "parsoid" if is_parsoid(text) else "html"
    sample = text[:200_000]
    hits = sum(1 for pattern in _WIKITEXT_HINTS if pattern.search(sample))
    return "wikitext" if hits >= 2 else "text"


def read_document(
    path: str | Path,
    *,
    format: str = "auto",
    title: str | None = None,
) -> Document:
    """Read an article file in any supported format into a `Document`."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("no such file", path=str(path)) from exc
    except IsADirectoryError as exc:
        raise InputError("is a directory, not a document", path=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    text = decode_document(data, path=str(path))
    return read_text_as(text, format=format, title=title, source=file.name, path=str(path))


def read_text_as(
    text: str,
    *,
    format: str = "auto",
    title: str | None = None,
    source: str | None = None,
    path: str | None = None,
) -> Document:
    """Read already-decoded article content in the given (or sniffed) format."""
    if format not in FORMATS:
        raise InputError(f"unknown format {format!r} (choose from {', '.join(FORMATS)})")
    chosen = sniff_format(text) if format == "auto" else format
    if chosen in ("html", "parsoid"):
        from audit.readers.html import read_html

        document = read_html(text, source=source, title=title)
    elif chosen == "wikitext":
        from audit.readers.wikitext import read_wikitext

        document = read_wikitext(text, source=source, title=title)
    else:
        from audit.readers.text import read_text

        document = read_text(text, source=source, title=title)
    if not document.blocks:
        raise InputError(
            f"no article text found (read as {chosen})",
            path=path or source,
            hint="check the file, or force the reader with --format",
        )
    return document
