"""Stream the pages and revisions of a MediaWiki XML history dump (pages-meta-history).

Any export schema (0.3-0.11), plain or compressed (bz2, gzip, xz, LZMA-alone, detected from
the first bytes), read as a stream with mwxml: one revision's text in memory at a time, so a
1 GB history runs in flat memory. Broken input (a truncated archive, malformed XML) becomes
an `InputError` naming the page and the last good revision, never a traceback.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

import mwxml
from mwxml.element_iterator import ElementIterator
from mwxml.errors import MalformedXML

from audit.errors import InputError
from audit.history.trace import HistoryRevision
from audit.scan.dumps import dump_items, site_root

Progress = Callable[[int], None]
"""Called with the number of (compressed) bytes read from the file so far."""

_MAGIC = (
    (b"BZh", "bz2"),
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
)


@dataclass(frozen=True)
class PageHistory:
    """One page of a dump; `revisions` streams its revisions, oldest first, once."""

    title: str
    page_id: int | None
    namespace: int | None
    wiki: str
    """The wiki's site root from the dump's siteinfo (`https://en.wikipedia.org`), or ``."""
    revisions: Iterator[HistoryRevision]


def normalize_title(title: str) -> str:
    """A title as MediaWiki stores it: `_` as space, first letter upper-case."""
    # NOTE: only the first letter is case-insensitive on most wikis ("case=first-letter").
    title = " ".join(title.replace("_", " ").split())
    return title[:1].upper() + title[1:]


class _CountingReader(io.RawIOBase):
    """A read-only file wrapper that reports how many bytes went through it."""

    def __init__(self, raw: IO[bytes], progress: Progress | None) -> None:
        self._raw = raw
        self._progress = progress
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        count = len(data)
        buffer[:count] = data
        self.position += count
        if self._progress is not None and count:
            self._progress(self.position)
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_dump(path: str | Path, progress: Progress | None = None) -> IO[bytes]:
    """The dump's XML as a binary stream, decompressing by magic bytes (not by name)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the returned stream's owner
    except FileNotFoundError as exc:
        raise InputError("no such file", path=str(path)) from exc
    except IsADirectoryError as exc:
        raise InputError("is a directory, not a dump", path=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    head = raw.read(8)
    raw.seek(0)
    if not head:
        raw.close()
        raise InputError("the file is empty", path=str(path))
    # Small reads: the decompressor asks for 8 KiB at a time, so the count moves smoothly.
    counted = io.BufferedReader(_CountingReader(raw, progress), buffer_size=1 << 16)
    kind = next((name for magic, name in _MAGIC if head.startswith(magic)), None)
    if kind == "bz2":
        return bz2.open(counted, "rb")
    if kind == "gzip":
        return gzip.GzipFile(fileobj=counted, mode="rb")  # type: ignore[return-value]
    if kind == "7z":
        counted.close()
        raise InputError("7z archives are not supported", path=str(path),
                         hint="decompress it first (7z x), or use the .bz2 dump")
    if kind == "xz" or (head[:1] not in (b"<", b"\xef", b" ", b"\n", b"\r", b"\t") and head):
        # LZMA-alone (.lzma) has no magic number; anything that is not XML is tried as LZMA.
        return lzma.open(counted, "rb", format=lzma.FORMAT_AUTO)
    return counted


def read_dump(
    path: str | Path,
    *,
    title: str | None = None,
    namespaces: frozenset[int] | None = frozenset({0}),
    progress: Progress | None = None,
) -> Iterator[PageHistory]:
    """The pages of a history dump, each with a stream of its revisions.

    `title` keeps only that page (any namespace); otherwise `namespaces` (default: articles;
    None for all) chooses. Each page's revisions stream once, and only until the next page
    is asked for (what is left of them is skipped then).
    """
    wanted = normalize_title(title) if title else None
    stream = open_dump(path, progress)
    where = _Where(str(path))
    try:
        try:
            site_info, pages = _dump_items(stream)
        except InputError:
            raise
        except Exception as exc:  # the header is read here: see _explain
            raise _explain(exc, where) from exc
        wiki = site_root(getattr(site_info, "base", None)) or ""
        revisions: Iterator[HistoryRevision] = iter(())
        while True:
            for _ in revisions:  # what the caller left unread of the page before
                pass
            try:
                page = next(pages)
            except StopIteration:
                return
            except Exception as exc:
                raise _explain(exc, where) from exc
            if not isinstance(page, mwxml.Page):
                continue  # a <logitem> of a log dump
            where.page, where.revid = str(page.title), None
            page_title = normalize_title(str(page.title))
            if wanted is not None:
                keep = page_title == wanted
            else:
                keep = namespaces is None or page.namespace in namespaces
            revisions = _revisions(page, where)
            if not keep:
                for _ in revisions:  # skip without keeping anything
                    pass
                continue
            yield PageHistory(page_title, page.id, page.namespace, wiki, revisions)
    finally:
        stream.close()


def _dump_items(stream: IO[bytes]) -> tuple[Any, Iterator[Any]]:
    """(site info or None, items) of an export, refusing other XML clearly."""
    root = ElementIterator.from_file(stream)
    if root.tag != "mediawiki":
        raise MalformedXML(f"the root element is <{root.tag}>, not <mediawiki>")
    return dump_items(root)


@dataclass
class _Where:
    """How far the dump was read, for error messages."""

    path: str
    page: str | None = None
    revid: int | None = None


def _revisions(page: Any, where: _Where) -> Iterator[HistoryRevision]:
    iterator = iter(page)
    while True:
        try:
            revision = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise _explain(exc, where) from exc
        where.revid = revision.id
        yield _history_revision(revision)


def _history_revision(revision: Any) -> HistoryRevision:
    deleted = revision.deleted
    user = revision.user.text if revision.user is not None and not deleted.user else None
    comment = None if deleted.comment else revision.comment
    # mwxml gives None both for an empty <text/> (a blanked page) and for deleted text.
    text = None if deleted.text else (revision.text or "")
    return HistoryRevision(
        revid=int(revision.id),
        timestamp=_iso(revision.timestamp),
        user=user,
        comment=comment,
        text=text,
    )


def _iso(timestamp: Any) -> str:
    """mwtypes.Timestamp (or None) as `2006-01-23T02:17:50Z`."""
    if timestamp is None:
        return ""
    return str(timestamp.long_format()) if hasattr(timestamp, "long_format") else str(timestamp)


def _explain(error: BaseException, where: _Where) -> InputError:
    """A read failure as one clear sentence: what broke, and after which revision."""
    after = ""
    if where.page is not None:
        after = f" (in page {where.page!r}"
        after += f", after revision {where.revid})" if where.revid is not None else ")"
    if isinstance(error, EOFError):
        return InputError(f"the archive is truncated{after}", path=where.path,
                          hint="the download may be incomplete; fetch the dump again")
    if isinstance(error, lzma.LZMAError) and where.page is None and "format" in str(error):
        return InputError("neither XML nor a bz2, gzip, xz or lzma archive", path=where.path,
                          hint="give a MediaWiki XML dump (pages-meta-history), plain or "
                               "compressed")
    if isinstance(error, (lzma.LZMAError, zlib.error, gzip.BadGzipFile)) or (
        isinstance(error, OSError) and "invalid data" in str(error).lower()
    ):
        return InputError(f"the archive is corrupt ({error}){after}", path=where.path,
                          hint="check the file's checksum against the dump's md5sums/sha1sums")
    if isinstance(error, ParseError):
        line = error.position[0] if getattr(error, "position", None) else None
        detail = str(error).split(": b'")[0]  # mwxml appends the raw bytes it choked on
        return InputError(f"malformed XML: {detail}{after}", path=where.path, line=line,
                          hint="is this a MediaWiki XML export (pages-meta-history)?")
    if isinstance(error, MalformedXML):
        return InputError(f"not a MediaWiki export: {error}{after}", path=where.path,
                          hint="is this a MediaWiki XML export (pages-meta-history)?")
    if isinstance(error, OSError):
        return InputError(f"cannot read: {error.strerror or error}{after}", path=where.path)
    if isinstance(error, (ValueError, TypeError, AttributeError, KeyError)):
        # mwxml/mwtypes on an element with an unexpected value (`<id>abc</id>`, no <title>).
        return InputError(f"unexpected dump content ({type(error).__name__}: {error}){after}",
                          path=where.path)
    raise error


def file_size(path: str | Path) -> int | None:
    """Size of the dump file in bytes (for a progress bar), or None."""
    try:
        return os.path.getsize(path)
    except OSError:
        return None
