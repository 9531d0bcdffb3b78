"""The inline flags of one revision's wikitext, with their claims, fast enough for a history.

A full read (`read_text_as` + `split_claims`) of a big article costs 10-50 ms, so a
15,000-revision history would take minutes. `FlagReader` gives the same flags and claims
(the same reader and claim splitter do the work) at a fraction of the cost:

1. it remembers each revision text it has read (by a hash): reverts restore earlier texts;
2. one regex lists the template names of a text; without an inline flag of the catalogue
   among them the text has no flags and nothing is parsed;
3. otherwise only the paragraphs holding a flag are read, each behind the headings above it
   (so the reader sees the same section path and the same end matter), and each paragraph
   is remembered too: most edits leave flagged paragraphs alone.

Pure: no I/O; the memory is bounded (LRU caches).
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from audit.catalogue import lookup_template
from audit.claims import normalize_text, split_claims
from audit.errors import InputError
from audit.model import Claim
from audit.readers import read_text_as

#: A template call's name: what follows `{{` up to `|`, `}}` or the end of the line.
_TEMPLATE_NAME = re.compile(r"\{\{\s*([^{}|<>\[\]\n]{1,100}?)\s*(?=\||\}\}|\n)")
# NOTE: "\n" first, not "^" with re.M: a literal prefix lets the regex engine skip ahead,
# 15 times faster on a 60 kB article (the text is searched with a "\n" put in front).
_HEADING = re.compile(r"\n(={1,6})[^=\n][^\n]*?\1[ \t]*(?=\n|\Z)")
_REF_OPEN = re.compile(r"<ref(?:\s[^>]*?)?(?<!/)>", re.I)
_REF_CLOSE = re.compile(r"</ref\s*>", re.I)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TABLE_OPEN = re.compile(r"^[ \t:]*\{\|", re.M)
_TABLE_CLOSE = re.compile(r"^[ \t]*\|\}", re.M)
# NOTE: before <ref> (2006 and earlier) English Wikipedia footnoted with {{ref|name}} … and
# {{note|name}} in the notes list (also {{ref label}}, {{ref harvard}}, {{fn}}, {{mn}}). The
# wikitext reader knows only <ref>, so such a marker is rewritten as a named <ref /> reuse:
# a citation directly after the claim, as the marker was on the rendered page.
_OLD_FOOTNOTE = re.compile(
    r"\{\{\s*(?:[Rr]ef(?:[ _](?:label|harvard))?|[Ff]n|[Mm]n)\s*\|\s*([^{}|]*?)\s*(?:\|[^{}]*)?\}\}"
)
#: Paragraphs added to a flag's paragraph, at most, while looking for the end of an
#: unclosed template, table, comment or reference that spans blank lines.
MAX_WIDENING = 40
TEXT_CACHE_SIZE = 20_000
PARAGRAPH_CACHE_SIZE = 50_000
CLAIMS_CACHE_SIZE = 32

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class FlagSighting:
    """One inline flag as one revision shows it, on the claim it follows."""

    type: str
    """Catalogue type id, e.g. `citation-needed`."""
    template: str | None
    """Template name as written (`fact`, `citation needed`, …)."""
    date: str | None
    """The template's `date=`, when set."""
    claim_text: str
    """The claim the flag follows, as the claim splitter gives it."""
    claim_key: str
    """`normalize_text(claim_text)`: what claims are compared by."""
    section: str
    """Heading path of the claim (' › ' joined), `Lead` before the first heading."""
    citations: int
    """References directly after the claim (`Claim.citations`)."""


class _Lru(Generic[K, V]):
    """A small least-recently-used map."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        if len(self._data) > self._size:
            self._data.popitem(last=False)


class UnreadableText(Exception):
    """The reader failed on a revision's text (a reader bug on odd markup, not bad input)."""


def text_digest(text: str) -> bytes:
    """A 128-bit hash of a revision text: equal digests mean an identical text (a revert)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def modernize_footnotes(text: str) -> str:
    """Old-style footnote markers (`{{ref|x}}`, `{{fn|1}}`) as `<ref name=… />` reuses."""
    if "{{" not in text:
        return text
    return _OLD_FOOTNOTE.sub(_footnote_ref, text)


def _footnote_ref(match: re.Match[str]) -> str:
    name = re.sub(r"[\"<>/]", "", match.group(1)).strip() or "footnote"
    return f'<ref name="fn-{name}" />'


def read_claims(text: str) -> tuple[Claim, ...]:
    """Every claim of a wikitext (the full read), old footnotes counted as references."""
    try:
        document = read_text_as(modernize_footnotes(text), format="wikitext")
    except InputError:  # no article text at all (blanked, a redirect, vandalism)
        return ()
    return tuple(split_claims(document))


def sightings_of(claims: tuple[Claim, ...]) -> tuple[FlagSighting, ...]:
    """The inline flags of some claims, in reading order."""
    return tuple(
        FlagSighting(
            type=flag.type,
            template=flag.template,
            date=flag.date,
            claim_text=claim.text,
            claim_key=normalize_text(claim.text),
            section=claim.section,
            citations=len(claim.citations),
        )
        for claim in claims
        for flag in claim.flags
    )


class FlagReader:
    """Flags (with claims) of revision texts, memoised by text and by flagged paragraph."""

    def __init__(
        self,
        *,
        text_cache: int = TEXT_CACHE_SIZE,
        paragraph_cache: int = PARAGRAPH_CACHE_SIZE,
    ) -> None:
        self._by_text: _Lru[bytes, tuple[FlagSighting, ...]] = _Lru(text_cache)
        self._by_paragraph: _Lru[tuple[int, int], tuple[FlagSighting, ...]] = _Lru(
            paragraph_cache
        )
        self._claims: _Lru[bytes, tuple[Claim, ...]] = _Lru(CLAIMS_CACHE_SIZE)
        self._is_flag: dict[str, bool] = {}
        self.texts_read = 0
        """Texts not seen before (the others were answered from memory)."""
        self.paragraphs_read = 0
        """Flagged paragraphs handed to the reader."""
        self.full_reads = 0
        """Whole texts handed to the reader (`claims`)."""

    def flags(self, text: str, digest: bytes | None = None) -> tuple[FlagSighting, ...]:
        """The inline flags of a revision text, in reading order; raises UnreadableText."""
        digest = digest if digest is not None else text_digest(text)
        known = self._by_text.get(digest)
        if known is not None:
            return known
        self.texts_read += 1
        found = self._read_flags(text)
        self._by_text.put(digest, found)
        return found

    def claims(self, text: str, digest: bytes | None = None) -> tuple[Claim, ...]:
        """Every claim of a revision text (a full read, remembered for a few texts)."""
        digest = digest if digest is not None else text_digest(text)
        known = self._claims.get(digest)
        if known is not None:
            return known
        self.full_reads += 1
        try:
            claims = read_claims(text)
        # NOTE: deliberately broad: mwparserfromhell and our reader were written for pages
        # people keep tidy; a history also holds every vandal's markup. One unreadable
        # revision must not end a run over 15,000 others; the caller counts it.
        except Exception as error:
            raise UnreadableText(f"{type(error).__name__}: {error}") from error
        self._claims.put(digest, claims)
        return claims

    # -- the fast path ---------------------------------------------------------------------

    def _read_flags(self, text: str) -> tuple[FlagSighting, ...]:
        positions = self._flag_positions(text)
        if not positions:
            return ()
        headings: list[tuple[int, int, str]] | None = None
        spans: list[tuple[int, int]] = []
        for position in positions:
            if spans and spans[-1][0] <= position < spans[-1][1]:
                continue  # same paragraph as the flag before
            start, end = _paragraph_around(text, position)
            # A widened paragraph may swallow the ones before it: read each text once.
            while spans and spans[-1][1] > start:
                start = min(start, spans.pop()[0])
            spans.append((start, end))
        found: list[FlagSighting] = []
        for start, end in spans:
            if headings is None:
                headings = [
                    (match.start(), len(match.group(1)), match.group(0)[1:])
                    for match in _HEADING.finditer("\n" + text)
                ]
            snippet = _with_headings(text[start:end], _heading_path(headings, start))
            found.extend(self._paragraph_flags(snippet))
        return tuple(found)

    def _flag_positions(self, text: str) -> list[int]:
        """Where templates that are inline flags start (by name, before any parse)."""
        if "{{" not in text:
            return []
        positions = []
        is_flag = self._is_flag
        for match in _TEMPLATE_NAME.finditer(text):
            name = match.group(1)
            known = is_flag.get(name)
            if known is None:
                flag_type = lookup_template(name)
                known = is_flag[name] = flag_type is not None and flag_type.scope == "inline"
            if known:
                positions.append(match.start())
        if positions and "<!--" in text:
            # A flag inside an HTML comment is no flag (and its paragraph may look balanced).
            spans = [match.span() for match in _COMMENT.finditer(text)]
            starts = [start for start, _ in spans]
            positions = [
                position for position in positions
                if (at := bisect_right(starts, position) - 1) < 0 or position >= spans[at][1]
            ]
        return positions

    def _paragraph_flags(self, snippet: str) -> tuple[FlagSighting, ...]:
        # Python's own string hash (64 bits, with the length): enough for a bounded cache of
        # paragraphs, and half the cost of a cryptographic digest of the encoded text.
        digest = (hash(snippet), len(snippet))
        known = self._by_paragraph.get(digest)
        if known is not None:
            return known
        self.paragraphs_read += 1
        try:
            found = sightings_of(read_claims(snippet))
        except Exception as error:  # see claims(): one odd paragraph must not end the run
            raise UnreadableText(f"{type(error).__name__}: {error}") from error
        self._by_paragraph.put(digest, found)
        return found


def _paragraph_around(text: str, position: int) -> tuple[int, int]:
    """The blank-line-separated paragraph holding `position`, widened until its templates,
    tables, comments and references close (they may span blank lines: infoboxes, tables)."""
    start = text.rfind("\n\n", 0, position)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", position)
    end = len(text) if end < 0 else end
    for _ in range(MAX_WIDENING):
        opened = _unclosed(text[start:end])
        if opened == 0:
            break
        if opened > 0 and end < len(text):
            following = text.find("\n\n", end + 2)
            end = len(text) if following < 0 else following
        elif opened < 0 and start > 0:
            preceding = text.rfind("\n\n", 0, max(start - 2, 0))
            start = 0 if preceding < 0 else preceding + 2
        else:
            break
    return start, end


def _unclosed(chunk: str) -> int:
    """> 0 if the chunk opens more than it closes, < 0 if it closes more, 0 if balanced."""
    balances = (
        chunk.count("{{") - chunk.count("}}"),
        len(_TABLE_OPEN.findall(chunk)) - len(_TABLE_CLOSE.findall(chunk)) if "{|" in chunk else 0,
        chunk.count("<!--") - chunk.count("-->"),
        len(_REF_OPEN.findall(chunk)) - len(_REF_CLOSE.findall(chunk)) if "ref" in chunk else 0,
    )
    if any(balance > 0 for balance in balances):
        return 1
    if any(balance < 0 for balance in balances):
        return -1
    return 0


def _heading_path(headings: list[tuple[int, int, str]], before: int) -> list[str]:
    """The heading lines that enclose position `before` (outermost first)."""
    path: list[tuple[int, str]] = []
    for position, level, line in headings:
        if position >= before:
            break
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, line))
    return [line for _, line in path]


def _with_headings(paragraph: str, headings: list[str]) -> str:
    if not headings:
        return paragraph
    return "\n\n".join(headings) + "\n\n" + paragraph
