"""Turn what a reference shows into a `Citation`: cite-template parameters, links, COinS.

Shared by the wikitext and HTML readers so a reference yields the same record whichever
form the article came in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import unquote_plus, urlsplit

from audit.model import Citation

# Cite-template parameters, first present wins (CS1/CS2 aliases, old spellings included).
_TITLE = ("title", "trans-title", "chapter", "script-title", "contribution", "entry")
_PUBLISHER = (
    "website",
    "work",
    "newspaper",
    "journal",
    "magazine",
    "periodical",
    "publisher",
    "agency",
    "via",
    "encyclopedia",
    "series",
)
_DATE = ("date", "year", "publication-date", "orig-date")
_ACCESS = ("access-date", "accessdate", "access date")
_ARCHIVE = ("archive-url", "archiveurl", "archive url")
_URL = ("url", "chapter-url", "chapterurl", "contribution-url", "entry-url", "section-url")

_ARCHIVE_ORIGINAL = re.compile(
    r"^https?://(?:web\.|wayback\.)?archive\.org/web/\d+[a-z_]*/(?P<url>.+)$"
    r"|^https?://(?:www\.)?webcitation\.org/\w+\?url=(?P<url2>.+)$",
    re.I,
)
_ARCHIVE_HOSTS = (
    "archive.org",
    "archive.today",
    "archive.is",
    "archive.ph",
    "archive.li",
    "archive.vn",
    "archive.md",
    "archive.fo",
    "webcitation.org",
    "ghostarchive.org",
)
_SIMPLE_HOST = re.compile(r"^(?:https?:)?//([A-Za-z0-9.-]+)(?:[/?#:]|$)")
TEXT_LIMIT = 300


def clean(value: str | None) -> str | None:
    """Collapse whitespace; empty becomes None."""
    if value is None:
        return None
    return " ".join(value.split()) or None


def domain_of(url: str | None) -> str | None:
    """Lower-case host of a URL without `www.`; None for anything that is not a web URL."""
    if not url:
        return None
    url = url.strip()
    simple = _SIMPLE_HOST.match(url)
    if simple:  # the common case, without urlsplit's cost (hundreds of citations per page)
        host: str | None = simple.group(1)
    else:
        if url.startswith("//"):
            url = "https:" + url
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return None
    if not host or "." not in host:
        return None
    host = host.rstrip(".").lower()
    return host[4:] if host.startswith("www.") else host


def is_archive(url: str) -> bool:
    """True for links to web archives (Wayback Machine, archive.today, WebCite, ...)."""
    host = domain_of(url) or ""
    return any(host == name or host.endswith("." + name) for name in _ARCHIVE_HOSTS)


def original_of_archive(url: str) -> str | None:
    """The archived page's own URL, when the archive URL spells it out (Wayback, WebCite)."""
    match = _ARCHIVE_ORIGINAL.match(url.strip())
    if not match:
        return None
    original = match.group("url") or match.group("url2")
    if original and not re.match(r"^https?://", original, re.I):
        original = "http://" + original
    return original


def _first(params: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = params.get(name)
        if value:
            value = clean(value)
            if value:
                return value
    return None


#: Every cite-template parameter a `Citation` is built from.


# Identifier parameters CS1 renders as external links, in its (alphabetical) display order:
# without a `url`, the first of them is the link a reader follows.
_IDENTIFIER_URLS = (
    ("arxiv", "https://arxiv.org/abs/{}"),
    ("bibcode", "https://ui.adsabs.harvard.edu/abs/{}"),
    ("biorxiv", "https://doi.org/10.1101/{}"),
    ("citeseerx", "https://citeseerx.ist.psu.edu/viewdoc/summary?doi={}"),
    ("doi", "https://doi.org/{}"),
    ("hdl", "https://hdl.handle.net/{}"),
    ("jstor", "https://www.jstor.org/stable/{}"),
    ("lccn", "https://lccn.loc.gov/{}"),
    ("mr", "https://mathscinet.ams.org/mathscinet-getitem?mr={}"),
    ("oclc", "https://search.worldcat.org/oclc/{}"),
    ("ol", "https://openlibrary.org/{}"),
    ("osti", "https://www.osti.gov/biblio/{}"),
    ("pmc", "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC{}"),
    ("pmid", "https://pubmed.ncbi.nlm.nih.gov/{}"),
    ("rfc", "https://tools.ietf.org/html/rfc{}"),
    ("ssrn", "https://papers.ssrn.com/sol3/papers.cfm?abstract_id={}"),
    ("zbl", "https://zbmath.org/?format=complete&q=an:{}"),
)


#: Every cite-template parameter a `Citation` is built from.
CITATION_PARAMS = frozenset(
    (*_TITLE, *_PUBLISHER, *_DATE, *_ACCESS, *_ARCHIVE, *_URL, "url-status", "deadurl",
     "dead-url", *(name for name, _ in _IDENTIFIER_URLS))
)


def _identifier_url(params: Mapping[str, str]) -> str | None:
    for name, pattern in _IDENTIFIER_URLS:
        value = clean(params.get(name))
        if value:
            return pattern.format(value.removeprefix("PMC") if name == "pmc" else value)
    return None


def citation_from_params(
    params: Mapping[str, str], *, name: str | None = None, text: str | None = None
) -> Citation:
    """A citation from cite-template parameters (`{{cite web|url=…|title=…}}`)."""
    url = _first(params, _URL)
    archive_url = _first(params, _ARCHIVE)
    if not url and archive_url:
        url = original_of_archive(archive_url)
    if not url:
        url = _identifier_url(params)
    status = (clean(params.get("url-status")) or "").lower()
    dead_flag = (clean(params.get("deadurl")) or clean(params.get("dead-url")) or "").lower()
    return Citation(
        url=url,
        domain=domain_of(url),
        title=_first(params, _TITLE),
        publisher=_first(params, _PUBLISHER),
        date=_first(params, _DATE),
        access_date=_first(params, _ACCESS),
        archive_url=archive_url,
        dead=status in {"dead", "usurped", "unfit"} or dead_flag in {"yes", "true", "y"},
        name=name,
        text=_excerpt(text),
    )


def _excerpt(text: str | None) -> str | None:
    cleaned = clean(text)
    return cleaned[:TEXT_LIMIT] if cleaned else None


def citation_from_link(
    url: str | None,
    *,
    title: str | None = None,
    name: str | None = None,
    text: str | None = None,
    coins: str | None = None,
) -> Citation:
    """A citation from what rendered HTML shows: the first external link and COinS metadata."""
    archive_url = None
    if url and is_archive(url):
        original = original_of_archive(url)
        if original:
            archive_url, url = url, original
    publisher = date = None
    if coins:
        fields = _coins_fields(coins)
        publisher = _coins(fields, "rft.jtitle", "rft.pub", "rft.btitle")
        date = _coins(fields, "rft.date")
        title = title or _coins(fields, "rft.atitle", "rft.btitle", "rft.title")
    return Citation(
        url=url,
        domain=domain_of(url),
        title=clean(title.strip('"“”')) if title else None,
        publisher=publisher,
        date=date,
        archive_url=archive_url,
        name=name,
        text=_excerpt(text),
    )


_COINS_FIELD = re.compile(r"(?:^|&(?:amp;)?)(rft\.(?:jtitle|pub|btitle|date|atitle|title))=([^&]*)")


def _coins_fields(coins: str) -> dict[str, list[str]]:
    """The few COinS keys we use (a targeted scan: parse_qs on every reference is slow)."""
    fields: dict[str, list[str]] = {}
    for match in _COINS_FIELD.finditer(coins):
        fields.setdefault(match.group(1), []).append(unquote_plus(match.group(2)))
    return fields


def _coins(fields: Mapping[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        values = fields.get(key)
        if values and clean(values[0]):
            return clean(values[0])
    return None


def marked_dead(citation: Citation) -> Citation:
    """The same citation, marked dead (a dead-link flag sits inside the reference)."""
    return citation if citation.dead else replace(citation, dead=True)
