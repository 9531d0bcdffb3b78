"""The fake wiki's content (pages, revisions, redirects) and MediaWiki's title and time rules."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
# NOTE: `#` is not here: MediaWiki treats it as the start of a fragment and drops it (`A#b`
# normalizes to `A`); only an empty remainder is invalid.
INVALID_TITLE_CHARS = "[]{}|<>"
IP_RE = re.compile(r"^(\d{1,3}\.){3}\d{1,3}$|^[0-9A-Fa-f:]+:[0-9A-Fa-f:]*$")
TIMESTAMP_RE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})T?(\d{2}):?(\d{2}):?(\d{2})(?:\.\d+)?Z?$")


@dataclass(frozen=True)
class FakeRevision:
    """One stored revision of a fake page; `html` is what the REST html endpoint serves."""

    revid: int
    """Revision id, unique across the wiki."""
    timestamp: str
    """ISO-8601 UTC, e.g. `2023-12-24T18:02:11Z`."""
    html: str
    """Parsoid HTML document served by `/w/rest.php/v1/revision/{revid}/html`."""
    user: str = "Example"
    """Editor name (an IP address makes the revision anonymous)."""
    comment: str = ""
    """Edit summary."""
    parentid: int = 0
    """Previous revision id (0 for a page creation)."""
    size: int | None = None
    """Wikitext size in bytes; None = the UTF-8 size of `wikitext` or else of `html`."""
    sha1: str | None = None
    """Hex SHA-1 of the wikitext; None = derived from the revision content."""
    minor: bool = False
    """Minor-edit flag (`rvprop=flags`, REST `minor`)."""
    wikitext: str = ""
    """Wikitext for `rvprop=content` and REST `source` (fixtures usually leave it empty)."""
    texthidden: bool = False
    """Revision-deleted content: the APIs answer `texthidden`/`sha1hidden`, no text."""
    userhidden: bool = False
    """Revision-deleted user: `userhidden` instead of `user`."""
    commenthidden: bool = False
    """Revision-deleted edit summary: `commenthidden` instead of `comment`."""

    @property
    def byte_size(self) -> int:
        """The size the APIs report."""
        if self.size is not None:
            return self.size
        return len((self.wikitext or self.html).encode("utf-8"))

    @property
    def sha1_hex(self) -> str:
        """The sha1 the APIs report."""
        if self.sha1 is not None:
            return self.sha1
        return hashlib.sha1((self.wikitext or self.html).encode("utf-8")).hexdigest()


@dataclass
class Page:
    """One page of the fake wiki."""

    pageid: int
    """Page id."""
    title: str
    """Normalized title."""
    revisions: list[FakeRevision]
    """Revisions, oldest first."""


@dataclass
class Reply:
    """An HTTP reply before encoding."""

    status: int
    """HTTP status."""
    body: bytes = b""
    """Body bytes (gzip is applied later if the client asked for it)."""
    content_type: str = JSON_CONTENT_TYPE
    """Content-Type header ("" = none, e.g. for 304 and redirects)."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers."""


class WikiStore:
    """Pages, redirects and revisions, guarded by one lock (handlers run in threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: dict[str, Page] = {}
        self.redirects: dict[str, str] = {}
        self.revisions: dict[int, tuple[Page, FakeRevision]] = {}
        self._next_pageid = 1000
        self.max_result_bytes: int | None = None
        """Content bytes one `revids` reply may carry before it is cut and continued (the
        real API's $wgAPIMaxResultSize is 8 MiB); None = no limit."""

    def add_page(self, title: str, revisions: list[FakeRevision], page_id: int | None) -> None:
        """Add or replace a page; its revisions may come in any order."""
        normalized, error = normalize_title(title)
        if normalized is None:
            raise ValueError(f"invalid title {title!r}: {error}")
        if not revisions:
            raise ValueError("a page needs at least one revision")
        ordered = sorted(revisions, key=lambda r: (ts14(r.timestamp), r.revid))
        with self.lock:
            if page_id is None:
                self._next_pageid += 1
                page_id = self._next_pageid
            for rev in ordered:
                owner = self.revisions.get(rev.revid)
                if owner is not None and owner[0].title != normalized:
                    raise ValueError(f"revision {rev.revid} already belongs to {owner[0].title}")
            old = self.pages.get(normalized)
            if old is not None:
                for rev in old.revisions:
                    self.revisions.pop(rev.revid, None)
            page = Page(page_id, normalized, ordered)
            self.pages[normalized] = page
            self.redirects.pop(normalized, None)
            for rev in ordered:
                self.revisions[rev.revid] = (page, rev)

    def add_redirect(self, source: str, target: str) -> None:
        """Make `source` a wiki redirect to `target`."""
        src, error = normalize_title(source)
        dst, error2 = normalize_title(target)
        if src is None or dst is None:
            raise ValueError(error or error2)
        with self.lock:
            self.redirects[src] = dst

    def delta(self, rev: FakeRevision) -> int | None:
        """Size change against the parent revision (None when the parent is not stored)."""
        parent = self.revisions.get(rev.parentid)
        if parent is None:
            return None if rev.parentid else rev.byte_size
        return rev.byte_size - parent[1].byte_size


def normalize_title(raw: str) -> tuple[str | None, str | None]:
    """Normalize a title like MediaWiki (`_`→space, trim, first letter upper); (title, error)."""
    text = raw.replace("_", " ")
    # NOTE: a fragment is dropped, not rejected: "Foo#Bar" is the page "Foo".
    text = text.split("#", 1)[0]
    text = re.sub(r"[ \u00a0]+", " ", text).strip()
    bad = [ch for ch in text if ch in INVALID_TITLE_CHARS]
    if bad:
        return None, f'The requested page title contains invalid characters: "{bad[0]}".'
    if not text:
        return None, "The requested page title is empty or contains only the name of a namespace."
    return text[0].upper() + text[1:], None


def db_key(title: str) -> str:
    """The title as REST paths and URLs spell it (spaces as underscores)."""
    return title.replace(" ", "_")


def parse_timestamp(value: str) -> datetime | None:
    """An API timestamp (`2023-12-25T01:18:00Z` or `20231225011800`), or None if invalid."""
    match = TIMESTAMP_RE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(p) for p in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError:
        return None


def ts14(timestamp: str) -> str:
    """`2023-12-24T18:02:11Z` → `20231224180211` (the form `rvcontinue` uses)."""
    return re.sub(r"\D", "", timestamp)[:14]


def user_id(name: str) -> int | None:
    """A stable fake user id; None for IP editors."""
    if IP_RE.match(name):
        return None
    return zlib.crc32(name.encode("utf-8")) % 50_000_000 + 1


def json_bytes(payload: Any) -> bytes:
    """Compact UTF-8 JSON, like MediaWiki sends it."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A request header, case-insensitively."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None
