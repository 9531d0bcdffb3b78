"""Inputs of `audit scan`: pages streamed one at a time from dumps, folders or the wiki.

Every reader yields `PageInput` records in input order and never holds more than one page:

* MediaWiki XML dumps (pages-articles; `.xml`, `.bz2`, `.gz`, `.lzma`, `.xz`), parsed with
  mwxml; redirects and pages outside the chosen namespaces are skipped;
* Wikimedia Enterprise HTML dumps: NDJSON, one article record per line with its Parsoid HTML
  in `article_body.html` (`.ndjson`, `.ndjson.gz`, or a `.tar.gz` of NDJSON files, read with
  tarfile in stream mode);
* a directory of saved pages (every file `audit extract` can read; `.gz` files decompressed);
* a title list, fetched through one `WikiClient` (50 titles per metadata request, then the
  Parsoid HTML of each revision).

A page that cannot be read is a `PageInput` with `error` set, so it becomes an `articles` row
and the run goes on. A broken *stream* (truncated compression, malformed XML) cannot be read
past, so it raises `InputError` and the scan stops without writing its tables.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import io
import json
import lzma
import os
import tarfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlsplit

from audit.errors import AuditError, InputError

#: Compressions by file-name suffix (the content decides XML or NDJSON).
_COMPRESSED = (".bz2", ".gz", ".lzma", ".xz")
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
_NDJSON_MEMBERS = (".ndjson", ".jsonl", ".json")
_WIKIMEDIA_DOMAINS = (".wikipedia.org", ".wikimedia.org", ".wiktionary.org", ".wikibooks.org",
                      ".wikiquote.org", ".wikisource.org", ".wikinews.org", ".wikiversity.org",
                      ".wikivoyage.org", ".wikidata.org", ".mediawiki.org")
#: Errors of a compressed or XML stream that cannot be read past.
_STREAM_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError, tarfile.TarError)


@dataclass(frozen=True, slots=True)
class PageInput:
    """One page as an input gives it, before any parsing; what a worker receives."""

    source: str
    """Where it came from: a file path, `archive:member`, or the revision's REST URL."""
    input_format: str
    """`xml-dump`, `enterprise-html`, `saved-page` or `api`."""
    content_format: str
    """Reader to use: `wikitext`, `parsoid` or `auto` (sniff)."""
    content: str | bytes | None = None
    """The page text (bytes for saved pages: decoding errors belong to the page)."""
    wiki: str | None = None
    title: str | None = None
    page_id: int | None = None
    revision_id: int | None = None
    revision_timestamp: str | None = None
    error: str | None = None
    """Why the page could not even be read from the input (bad record, missing title)."""

    @property
    def size(self) -> int:
        """Length of the content in characters or bytes (for batching)."""
        return len(self.content) if self.content is not None else 0


@dataclass
class InputFile:
    """One input as the manifest records it; bytes and sha256 fill in as it is streamed."""

    path: str
    kind: str
    """`xml-dump`, `enterprise-html`, `saved-pages` or `titles`."""
    size: int = 0
    """Bytes on disk (for a directory: of all its files)."""
    sha256: str | None = None
    read: int = 0
    """Bytes consumed so far (for progress)."""
    extra: dict[str, Any] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        """The manifest entry."""
        return {"path": self.path, "kind": self.kind, "bytes": self.size,
                "sha256": self.sha256, **self.extra}


class _HashingReader(io.RawIOBase):
    """A raw file that hashes and counts every byte read through it (one pass, no re-read)."""

    def __init__(self, raw: IO[bytes], record: InputFile) -> None:
        self._raw = raw
        self._record = record
        self._hash = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if count:
            self._hash.update(memoryview(buffer)[:count])
            self._record.read += count
        return count or 0

    def finish(self) -> None:
        """Hash what the parser left unread (trailing bytes), then record the digest."""
        while chunk := self._raw.read(1 << 20):
            self._hash.update(chunk)
            self._record.read += len(chunk)
        self._record.sha256 = self._hash.hexdigest()

    def close(self) -> None:
        self._raw.close()
        super().close()


def site_root(url: str | None) -> str | None:
    """`https://en.wikipedia.org` from any URL on that wiki."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    # Dumps before 2015 name their wiki `http://…`; Wikimedia sites are HTTPS-only since, and
    # one spelling per wiki keeps `wiki` groupable across dumps of different years.
    scheme = "https" if parts.netloc.endswith(_WIKIMEDIA_DOMAINS) else parts.scheme
    return f"{scheme}://{parts.netloc}"


def _stream_error(path: str, exc: BaseException, pages: int) -> InputError:
    """A clear message for a stream that broke after `pages` pages."""
    if isinstance(exc, EOFError):
        what = "the compressed data ends early (truncated download?)"
    elif isinstance(exc, tarfile.TarError):
        what = f"not a readable tar archive ({exc})"
    else:
        what = f"cannot decompress or read it ({exc})"
    return InputError(f"{what}, after {pages} pages", path=path,
                      hint="check the file (e.g. `bzip2 -t`, `gzip -t`) or download it again")


def input_kind(path: Path) -> str:
    """`saved-pages`, `enterprise-html` (NDJSON or tar) or `xml-dump`, by name and content."""
    if path.is_dir():
        return "saved-pages"
    name = path.name.lower()
    if name.endswith(_TAR_SUFFIXES):
        return "enterprise-html"
    stem = name
    for suffix in _COMPRESSED:
        stem = stem.removesuffix(suffix)
    if stem.endswith(_NDJSON_MEMBERS):
        return "enterprise-html"
    if stem.endswith(".xml"):
        return "xml-dump"
    return "enterprise-html" if _first_byte(path) == b"{" else "xml-dump"


def _first_byte(path: Path) -> bytes:
    """First non-blank byte of the (decompressed) file, to tell NDJSON from XML."""
    try:
        with path.open("rb") as raw, _decompressed(path, raw) as handle:
            return handle.read(4096).lstrip()[:1]
    except (*_STREAM_ERRORS, ValueError):
        return b""


def _decompressed(path: Path, raw: IO[bytes]) -> IO[bytes]:
    """The decompressed stream of `raw`, by the file name's suffix (`.lzma`: xz or LZMA-alone)."""
    suffix = path.suffix.lower()
    if suffix == ".bz2":
        return cast(IO[bytes], bz2.BZ2File(raw))
    if suffix == ".gz":
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw))
    if suffix in (".lzma", ".xz"):
        return cast(IO[bytes], lzma.LZMAFile(raw))
    return raw


def _open_file(path: Path, record: InputFile,
               decompress: bool = True) -> tuple[_HashingReader, IO[bytes]]:
    """(hashing raw reader, buffered and decompressed stream) of an input file."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    record.size = os.fstat(raw.fileno()).st_size
    hashing = _HashingReader(raw, record)
    buffered = io.BufferedReader(hashing, buffer_size=1 << 20)
    stream = cast(IO[bytes], buffered)
    return hashing, (_decompressed(path, stream) if decompress else stream)


# --- MediaWiki XML dumps ---------------------------------------------------------------------


def iter_xml_dump(path: Path, record: InputFile, namespaces: Sequence[int] = (0,),
                  wiki: str | None = None) -> Iterator[PageInput]:
    """The latest revision of every page of a pages-articles dump in `namespaces` (`wiki`:
    the site when the dump does not name it)."""
    from xml.etree.ElementTree import ParseError

    import mwxml
    from mwxml.element_iterator import ElementIterator

    hashing, stream = _open_file(path, record)
    pages = 0
    try:
        root = ElementIterator.from_file(stream)
        if root.tag != "mediawiki":
            raise InputError(f"not a MediaWiki XML dump (root element <{root.tag}>)",
                             path=str(path))
        site_info, items = dump_items(root)
        wiki = site_root(getattr(site_info, "base", None)) or wiki
        record.extra["dbname"] = getattr(site_info, "dbname", None)
        for page in items:
            # NOTE: iterparse hangs every finished <page> (cleared, but still an element) under
            # the root; dropping them keeps memory flat over millions of pages.
            del root.element[:-1]
            if not isinstance(page, mwxml.Page):
                continue
            latest = None
            for revision in page:  # pages-articles: one revision; with history, the last wins
                latest = revision
            namespace = page.namespace if page.namespace is not None else 0
            if latest is None or page.redirect or namespace not in namespaces:
                continue
            pages += 1
            yield PageInput(
                source=str(path), input_format="xml-dump", content_format="wikitext",
                content=latest.text or "", wiki=wiki, title=page.title, page_id=page.id,
                revision_id=latest.id,
                revision_timestamp=str(latest.timestamp) if latest.timestamp else None,
            )
        hashing.finish()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(f"malformed XML after {pages} pages: {exc}", path=str(path),
                         line=line) from exc
    except mwxml.errors.MalformedXML as exc:
        raise InputError(f"not a MediaWiki XML dump after {pages} pages: {exc}",
                         path=str(path)) from exc
    except _STREAM_ERRORS as exc:
        raise _stream_error(str(path), exc, pages) from exc
    finally:
        stream.close()


def dump_items(root: Any) -> tuple[Any, Iterator[Any]]:
    """(site info or None, page iterator) of a <mediawiki> root element, like
    `mwxml.Dump.from_element` but tolerating a dump without <siteinfo> (Special:Export of
    single pages, hand-made and test dumps)."""
    import mwxml

    site_info = None
    first = None
    for element in root:
        if element.tag == "siteinfo":
            site_info = mwxml.SiteInfo.from_element(element)
        elif element.tag in ("page", "logitem"):
            first = element
            break
        else:
            raise mwxml.errors.MalformedXML(f"unexpected <{element.tag}> in <mediawiki>")
    namespace_map = None
    if site_info is not None and site_info.namespaces is not None:
        namespace_map = {namespace.name: namespace for namespace in site_info.namespaces}
    return site_info, mwxml.Dump.load_items(first, root, namespace_map)


# --- Wikimedia Enterprise HTML dumps ---------------------------------------------------------


def iter_enterprise(path: Path, record: InputFile, namespaces: Sequence[int] = (0,),
                    wiki: str | None = None) -> Iterator[PageInput]:
    """Every article record of an Enterprise HTML dump (NDJSON, maybe gzipped, maybe in tar)."""
    is_tar = path.name.lower().endswith(_TAR_SUFFIXES)
    # The tar layer decompresses by itself, so it gets the raw (hashing) stream.
    hashing, stream = _open_file(path, record, decompress=not is_tar)
    pages = 0
    try:
        if is_tar:
            # Stream mode ("r|*"): members are read in order, never seeked.
            with tarfile.open(fileobj=stream, mode="r|*") as archive:
                for member in archive:
                    if not member.isfile() or not member.name.endswith(_NDJSON_MEMBERS):
                        continue
                    handle = archive.extractfile(member)
                    if handle is None:
                        continue
                    source = f"{path}:{member.name}"
                    for page in _ndjson_pages(handle, source, namespaces, wiki):
                        pages += 1
                        yield page
        else:
            for page in _ndjson_pages(stream, str(path), namespaces, wiki):
                pages += 1
                yield page
        hashing.finish()
    except _STREAM_ERRORS as exc:
        raise _stream_error(str(path), exc, pages) from exc
    finally:
        stream.close()


def _ndjson_pages(handle: IO[bytes], source: str, namespaces: Sequence[int],
                  wiki: str | None) -> Iterator[PageInput]:
    for number, line in enumerate(handle, start=1):
        if line.strip():
            page = enterprise_page(line, source, number, namespaces, wiki)
            if page is not None:
                yield page


def enterprise_page(line: bytes | str, source: str, number: int,
                    namespaces: Sequence[int] = (0,), wiki: str | None = None,
                    ) -> PageInput | None:
    """One NDJSON line as a page, an error value when it is no article record, or None when
    the record is outside `namespaces`."""

    def failed(reason: str) -> PageInput:
        return PageInput(source=source, input_format="enterprise-html",
                         content_format="parsoid", error=f"line {number}: {reason}")

    try:
        record = json.loads(line)
    except ValueError as exc:
        return failed(f"not a JSON record ({exc})")
    if not isinstance(record, dict):
        return failed("not a JSON object")
    if _namespace(record) not in namespaces:
        return None
    body = record.get("article_body")
    html = body.get("html") if isinstance(body, dict) else None
    version = record.get("version")
    url, name, modified = record.get("url"), record.get("name"), record.get("date_modified")
    return PageInput(
        source=source,
        input_format="enterprise-html",
        content_format="parsoid",
        content=html if isinstance(html, str) else None,
        wiki=site_root(url if isinstance(url, str) else None) or wiki,
        title=name if isinstance(name, str) else None,
        page_id=_integer(record.get("identifier")),
        revision_id=_integer(version.get("identifier")) if isinstance(version, dict) else None,
        revision_timestamp=modified if isinstance(modified, str) else None,
        error=None if isinstance(html, str) else f"line {number}: no article_body.html",
    )


def _namespace(record: dict[str, Any]) -> int:
    """Namespace id of an Enterprise record (`namespace.identifier`; 0 when absent)."""
    namespace = record.get("namespace")
    found = _integer(namespace.get("identifier")) if isinstance(namespace, dict) else None
    return found if found is not None else 0


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


# --- saved pages -----------------------------------------------------------------------------


def saved_files(path: Path) -> list[Path]:
    """The files of a directory of saved pages: recursive, sorted, hidden ones skipped."""
    return sorted(file for file in path.rglob("*")
                  if file.is_file()
                  and not any(part.startswith(".") for part in file.relative_to(path).parts))


def iter_directory(path: Path, record: InputFile, wiki: str | None = None) -> Iterator[PageInput]:
    """Every file under a directory (sorted, hidden files skipped), as saved pages."""
    files = saved_files(path)
    record.size = sum(file.stat().st_size for file in files)
    record.extra["files"] = len(files)
    digest = hashlib.sha256()
    for file in files:
        source = str(file)
        try:
            data = file.read_bytes()
        except OSError as exc:
            yield PageInput(source=source, input_format="saved-page", content_format="auto",
                            wiki=wiki, error=f"cannot read: {exc.strerror or exc}")
            continue
        record.read += len(data)
        # The directory's digest covers names and contents, so a renamed file changes it.
        digest.update(str(file.relative_to(path)).encode("utf-8") + b"\0" + data)
        error = None
        if file.suffix.lower() == ".gz":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as exc:
                error = f"cannot decompress: {exc}"
        yield PageInput(source=source, input_format="saved-page", content_format="auto",
                        content=None if error else data, wiki=wiki, error=error)
    record.sha256 = digest.hexdigest()


# --- a title list, through the API -----------------------------------------------------------


def iter_titles(titles: Sequence[str], client: Any, record: InputFile,
                batch: int = 50) -> Iterator[PageInput]:
    """Current revision of every title: one metadata request per `batch` titles, then the
    Parsoid HTML of each (cached by revision id). Missing titles and failed fetches are values."""
    from audit.model import Revision
    from audit.wiki import rest_path

    for start in range(0, len(titles), batch):
        chunk = list(titles[start : start + batch])
        try:
            latest: dict[str, Any] = client.latest_revisions(chunk, fresh=True)
        except AuditError as exc:
            latest = dict.fromkeys(chunk, exc)
        for title in chunk:
            found = latest.get(title)
            source = f"{client.wiki}/wiki/{title.replace(' ', '_')}"
            if not isinstance(found, Revision):
                reason = found.message if isinstance(found, AuditError) else "no answer"
                record.read += 1
                yield PageInput(source=source, input_format="api", content_format="parsoid",
                                wiki=client.wiki, title=title, error=reason)
                continue
            source = client.rest_url + rest_path("revision", found.revid, "html")
            try:
                html = client.revision_html(found.revid)
                error = None
            except AuditError as exc:
                html, error = None, exc.message
            record.read += 1
            yield PageInput(source=source, input_format="api", content_format="parsoid",
                            content=html, wiki=client.wiki, title=found.title,
                            page_id=found.page_id, revision_id=found.revid,
                            revision_timestamp=found.timestamp, error=error)


@contextlib.contextmanager
def fetch_titles(
    titles_file: str,
    *,
    stdin: Any = None,
    wiki: str | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    user_agent: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> Iterator[tuple[InputFile, Iterator[PageInput]]]:
    """(manifest record, pages) of a title list (`-`: stdin), fetched through one WikiClient
    with the revision cache; the client and cache close when the block ends."""
    from audit.cache import RevisionCache, default_cache_dir
    from audit.wiki import DEFAULT_WIKI, WikiClient

    if titles_file == "-":
        data = (stdin.read() if stdin is not None else "").encode("utf-8")
    else:
        try:
            data = Path(titles_file).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read titles: {exc.strerror or exc}",
                             path=titles_file) from exc
    # As `audit watch add --file`: one per line, blanks and #comments skipped, no repeats.
    # (Not audit.jobs.read_titles: importing audit.jobs would weigh on every worker.)
    lines = (line.strip() for line in data.decode("utf-8", errors="replace").splitlines())
    titles = list(dict.fromkeys(line for line in lines if line and not line.startswith("#")))
    if not titles:
        raise InputError("the title list is empty", path=titles_file)
    site = wiki or DEFAULT_WIKI
    record = InputFile(titles_file, "titles", size=len(data),
                       sha256=hashlib.sha256(data).hexdigest(),
                       extra={"titles": len(titles), "wiki": site})
    cache = (RevisionCache.open(cache_dir or default_cache_dir(), on_warning=warn)
             if use_cache else RevisionCache.disabled())
    try:
        with WikiClient(site, cache=cache, user_agent=user_agent, on_warning=warn) as client:
            yield record, iter_titles(titles, client, record)
    finally:
        cache.close()


# --- planning --------------------------------------------------------------------------------


def plan_inputs(paths: Sequence[str | Path], *, namespaces: Sequence[int] = (0,),
                wiki: str | None = None) -> tuple[list[InputFile], Iterator[PageInput]]:
    """Check every input up front (a typo fails before any work), then return their manifest
    records and one lazy stream of their pages, input after input."""
    plan: list[tuple[Path, InputFile]] = []
    for value in paths:
        path = Path(value)
        if not path.exists():
            raise InputError("no such file or directory", path=str(value))
        kind = input_kind(path)
        record = InputFile(str(value), kind)
        files = saved_files(path) if kind == "saved-pages" else [path]
        record.size = sum(file.stat().st_size for file in files)  # for the progress bar
        plan.append((path, record))

    def pages() -> Iterator[PageInput]:
        for path, record in plan:
            if record.kind == "xml-dump":
                yield from iter_xml_dump(path, record, namespaces, wiki)
            elif record.kind == "enterprise-html":
                yield from iter_enterprise(path, record, namespaces, wiki)
            else:
                yield from iter_directory(path, record, wiki)

    return [record for _, record in plan], pages()
