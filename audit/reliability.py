"""How reliable is a cited source? WP:RSP status, self-published hosts, and when that changed.

The table is `audit/data/reliability.json` (built by `scripts/build_reliability.py`, see
`audit/data/README.md`): per domain the WP:RSP rows that rate it, and a category list of
self-published / user-generated / social / video / press-release / wiki hosts. RSP wins when
both know a host; the category then still rides along (youtube.com: generally unreliable, video).

Everything here is a pure function of a URL or a `Citation`; nothing touches the network.
Domains are matched public-suffix aware (tldextract's bundled snapshot, never fetched), the
longest listed host or host/path first, so `radiosputnik.ria.ru` beats `ria.ru`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import tldextract

from audit.errors import ClaimsFileError
from audit.model import Citation

SCHEMA_VERSION = 1
RSP_STATUSES = tuple(
    "generally-reliable no-consensus generally-unreliable deprecated blacklisted".split()
)
CATEGORIES = (
    *("self-published", "user-generated", "social-media", "video", "press-release", "wiki"),
    *("predatory", "sponsored"),
)
STATUSES = RSP_STATUSES + CATEGORIES
RESTRICTED = frozenset(("deprecated", "blacklisted"))
#: Statuses a claim should not rest on alone.
UNRELIABLE = frozenset(("generally-unreliable", *RESTRICTED, *CATEGORIES))
GRADES = ("well-sourced", "mixed", "only-unreliable", "uncited", "unknown")


@dataclass(frozen=True, slots=True)
class Reliability:
    """What the reliability table says about one cited URL."""

    status: str
    """One of STATUSES: an RSP status, else the host's category."""
    source: str | None = None
    """RSP source name (`RT`, `Fox News`), or `editor override`."""
    scope: str | None = None
    """RSP topic/period qualifier of the row that applies (`politics and science`, `pre-2013`)."""
    since: str | None = None
    """When the current status took effect (for deprecated/blacklisted: the first of the two),
    `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; None when the data cannot date it."""
    category: str | None = None
    """Category of the host when it is on the category list, even when RSP decided `status`."""
    matched_domain: str | None = None
    """The table key that matched (`rt.com`, `forbes.com/advisor`)."""
    note: str | None = None
    """People-talk, e.g. `cited before deprecation (deprecated 2020)`."""
    before_change: bool = False
    """The citation predates the current status (from its access-date, else its date)."""
    previous_status: str | None = None
    """With `before_change`: RSP's status at the last snapshot before the change, if known."""
    overridden: str | None = None
    """For an editor override: the status the table gave (None if it knew nothing)."""
    shortcut: str | None = None
    """RSP shortcut (`WP:RSPYT`) for links from the report."""
    alternatives: tuple[tuple[str, str | None, str | None], ...] = ()
    """Other RSP rows for the same domain, as (status, source, scope): topic-dependent ratings."""
    provenance: str | None = None
    """Which input said so: `rsp-2026-04-18`, `citeunseen-2025-06`, `category list`, `override`."""


class ReliabilityData:
    """The reliability table, indexed by host for lookups."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        if raw.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"reliability data schema_version {raw.get('schema_version')!r} is not "
                f"{SCHEMA_VERSION}; rebuild it with scripts/build_reliability.py"
            )
        self.version: str = raw["data_version"]
        self.sources: list[dict[str, Any]] = raw["sources"]
        self.rsp = _index(raw["domains"])
        self.categories = _index(raw["categories"])

    @classmethod
    def load(cls, path: str | Path | None = None) -> ReliabilityData:
        """The table at `path`, or the one shipped in the package."""
        if path is None:
            text = resources.files("audit").joinpath("data/reliability.json").read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return cls(json.loads(text))


@functools.lru_cache(maxsize=1)
def default_data() -> ReliabilityData:
    """The shipped table, read once."""
    return ReliabilityData.load()


def __getattr__(name: str) -> Any:
    # DATA_VERSION reads the table on first use, not at import (keeps `audit --help` fast).
    if name == "DATA_VERSION":
        return default_data().version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- URLs --------------------------------------------------------------------------------

_Index = dict[str, list[tuple[str, bool, Any]]]
_ARCHIVE_TODAY = re.compile(r"^(?:www\.)?archive\.(?:today|is|ph|li|vn|md|fo)$")
_WAYBACK = {"web.archive.org", "wayback.archive.org", "archive.org", "www.archive.org"}
_OPAQUE_ARCHIVES = {"ghostarchive.org", "perma.cc", "megalodon.jp"}
_MOBILE_PREFIXES = ("www.", "www2.", "m.", "mobile.", "amp.")
_IP = re.compile(r"^[\d.]+$|:")


def _host_key(host: str) -> str:
    """Lower-case ASCII (punycode) host without trailing dot, port or mobile/www prefix."""
    host = host.strip().rstrip(".").lower().rsplit("@", 1)[-1]
    if not host.startswith("[") and host.count(":") == 1:
        host = host.split(":")[0]
    with contextlib.suppress(UnicodeError):  # NOTE: an invalid IDN stays as written
        host = host.encode("idna").decode("ascii")
    while host.startswith(_MOBILE_PREFIXES) and host.split(".", 1)[1].count(".") >= 1:
        host = host.split(".", 1)[1]
    return host


def _index(mapping: Mapping[str, Any]) -> _Index:
    """`host[/path]` keys -> per host [(path prefix, loose, value)], longest prefix first."""
    index: _Index = {}
    for key, value in mapping.items():
        host, _, path = key.strip().strip("/").partition("/")
        loose = path.endswith("*")
        index.setdefault(_host_key(host), []).append((path.rstrip("*/").lower(), loose, value))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


def _find(index: _Index, hosts: Sequence[str], path: str) -> tuple[str, Any] | None:
    """Most specific entry: the longest host first, then the longest path prefix."""
    for host in hosts:
        for prefix, loose, value in index.get(host, ()):
            if not prefix or path == prefix or path.startswith(prefix if loose else prefix + "/"):
                return (f"{host}/{prefix}" if prefix else host), value
    return None


@functools.lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # NOTE: offline by construction: no suffix-list URLs (so no fetch is ever attempted), no
    # cache dir, and the public suffix list snapshot bundled in the wheel.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


@functools.lru_cache(maxsize=8192)
def host_chain(host: str) -> tuple[str, ...]:
    """The host and its parents down to the registrable domain (`de.rt.com`, `rt.com`)."""
    if _IP.search(host):
        return (host,)
    parts = _extractor()(host)
    if not (parts.domain and parts.suffix):
        return (host,)  # a public suffix itself (gov.uk) or an unknown TLD: only exact matches
    labels = host.split(".")
    keep = parts.suffix.count(".") + 2
    return tuple(".".join(labels[i:]) for i in range(max(1, len(labels) - keep + 1)))


def original_url(url: str, _depth: int = 0) -> str | None:
    """The page a URL shows: archived/AMP-cached copies unwrapped; None if the URL hides it
    (archive.today short links) or is not a web URL."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    url = re.sub(r"^(https?):/*", r"\1://", url, flags=re.I)
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I):
        url = "http://" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None
    if not host or _depth > 3:
        return None if not host else url
    rest = url.split(parts.netloc, 1)[1] if parts.netloc else ""
    inner: str | None = url
    wayback = host in _WAYBACK and re.match(r"^/web/[^/]*/(.+)$", rest)
    archive_it = host == "wayback.archive-it.org" and re.match(r"^/\d+/[^/]+/(.+)$", rest)
    if wayback or archive_it:
        inner = (wayback or archive_it).group(1)  # type: ignore[union-attr]
    elif _ARCHIVE_TODAY.match(host):
        m = re.search(r"(https?:/+.+)$", rest) or re.match(
            r"^/(?:[\d.-]{8,}|newest|oldest)/(.+)", rest
        )
        inner = m.group(1) if m else None
    elif host.endswith("webcitation.org") or host.removeprefix("www.") in _OPAQUE_ARCHIVES:
        inner = next(iter(parse_qs(parts.query).get("url", [])), None)
    elif host == "webcache.googleusercontent.com":
        m = re.search(r"cache:(?:[\w-]+:)?(.+)", (parse_qs(parts.query).get("q") or [""])[0])
        inner = m.group(1) if m else None
    elif host.endswith(".cdn.ampproject.org"):
        m = re.match(r"^/[a-z]+/(s/)?(.+)$", rest)
        label = host.split(".", 1)[0].replace("--", "\0").replace("-", ".").replace("\0", "-")
        inner = f"http{'s' if m.group(1) else ''}://{m.group(2)}" if m else f"https://{label}/"
    elif re.match(r"^(?:www\.)?google\.[a-z.]+$", host) and (
        m := re.match(r"^/amp/(s/)?(.+)$", rest)
    ):
        inner = f"http{'s' if m.group(1) else ''}://{m.group(2)}"
    if inner is None or inner == url:
        return inner
    return original_url(inner, _depth + 1)


def _target(url: str | None) -> tuple[tuple[str, ...], str] | None:
    """(host chain, lower-case path without AMP segments) of the page a URL shows."""
    original = original_url(url) if url else None
    if not original:
        return None
    try:
        parts = urlsplit(original)
        host = parts.hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    segments = [s for s in parts.path.lower().split("/") if s]
    if segments and segments[-1] == "amp":
        segments.pop()
    if segments and segments[0] == "amp":
        segments.pop(0)
    return host_chain(_host_key(host)), "/".join(segments)


# --- dates -------------------------------------------------------------------------------

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MON = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_FORMS = (  # (regex, group order as y/m/d)
    (r"\b(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?!\d)", "ymd"),
    (rf"\b(\d{{1,2}})(?:st|nd|rd|th)? {_MON},? (\d{{4}})\b", "dmy"),
    (rf"\b{_MON} (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b", "mdy"),
    (rf"\b{_MON},? (\d{{4}})\b", "my"),
    (r"\b(1[5-9]\d\d|20\d\d)\b", "y"),
)


def date_period(text: str | None) -> tuple[dt.date, dt.date] | None:
    """[start, end) of a date as citations write it: `2015-03-02`, `2 March 2015`,
    `March 2, 2015`, `March 2015`, `2015`; None when there is no year."""
    if not text:
        return None
    for pattern, order in _DATE_FORMS:
        match = re.search(pattern, text.lower())
        if not match:
            continue
        values = dict(zip(order, match.groups()))
        year, month, day = int(values["y"]), values.get("m"), values.get("d")
        mon = (_MONTHS.index(month[:3]) + 1 if month.isalpha() else int(month)) if month else 0
        try:
            if mon and day:
                start = dt.date(year, mon, int(day))
                return start, start + dt.timedelta(days=1)
            if mon:
                return dt.date(year, mon, 1), dt.date(year + mon // 12, mon % 12 + 1, 1)
            return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        except ValueError:
            continue
    return None


def _start(date: str) -> dt.date:
    period = date_period(date)
    return period[0] if period else dt.date.min


def _timing(
    source: Mapping[str, Any], when: tuple[dt.date, dt.date] | None, word: str
) -> tuple[str | None, bool, str | None, str | None]:
    """(since, before_change, previous_status, note) of a source for a citation dated `when`."""
    status, history = source["status"], source.get("history", ())
    restricted = status in RESTRICTED  # then the first deprecation or blacklisting counts
    changes = [
        e
        for e in history
        if e["kind"] == "since"
        and (e["status"] in RESTRICTED if restricted else e["status"] == status)
    ]
    change = (changes[0] if restricted else changes[-1]) if changes else None
    since = change["date"] if change else None
    if when is None:
        return since, False, None, None
    if since and when[1] <= _start(since):
        bound, label = _start(since), since
    else:  # a snapshot showing another status after the citation: the change came later
        snapshots = [
            e
            for e in history
            if e["kind"] == "as-of"
            and e["status"] != status
            and when[1] <= _start(e["date"])
            and not (restricted and e["status"] in RESTRICTED)
        ]
        if not snapshots:
            return since, False, None, None
        bound, label = _start(snapshots[-1]["date"]), "after " + snapshots[-1]["date"]
    earlier = [
        e["status"]
        for e in history
        if e["kind"] == "as-of" and e["status"] != status and _start(e["date"]) <= bound
    ]
    kind = change["status"] if change else status
    if kind in RESTRICTED:
        noun = "deprecation" if kind == "deprecated" else "blacklisting"
        note = f"{word} before {noun} ({kind} {label})"
    else:
        note = f"{word} before the status change ({status} since {label})"
    return since, True, (earlier[-1] if earlier else None), note


# --- classifying -------------------------------------------------------------------------


def _era_fits(era: Sequence[str | None], when: tuple[dt.date, dt.date]) -> bool | None:
    """True if a publication period lies inside an RSP era, False if outside, None if unsure."""
    start = dt.date.fromisoformat(era[0]) if era[0] else None
    end = dt.date.fromisoformat(era[1]) if era[1] else None
    if (end and when[0] >= end) or (start and when[1] <= start):
        return False
    if (start is None or when[0] >= start) and (end is None or when[1] <= end):
        return True
    return None


def classify_url(
    url: str | None,
    *,
    cited_on: str | None = None,
    published_on: str | None = None,
    data: ReliabilityData | None = None,
) -> Reliability | None:
    """The reliability of the page at `url` (None: no URL, hidden archive, or unlisted host).

    `cited_on` (access-date) dates the citation for "cited before deprecation"; without it
    `published_on` does ("published before ..."). The publication date also picks the RSP row
    of sources rated by period (Newsweek pre-2013, CNET since November 2022); an access-date
    bounds it from above.
    """
    data = data or default_data()
    target = _target(url)
    if target is None:
        return None
    hosts, path = target
    cited, published = date_period(cited_on), date_period(published_on)
    pub = published or ((dt.date.min, cited[1]) if cited else None)
    category = _find(data.categories, hosts, path)
    found = _find(data.rsp, hosts, path)
    rows = [data.sources[i] for i in found[1]] if found else []
    if pub:
        rows = [r for r in rows if not r.get("era") or _era_fits(r["era"], pub) is not False]
        inside = [r for r in rows if r.get("era") and _era_fits(r["era"], pub)]
        rows = inside + [r for r in rows if not any(r is i for i in inside)]
    if found and rows:
        row = rows[0]
        word = "cited" if cited else "published"
        since, before, previous, note = _timing(row, cited or published, word)
        if row.get("era") and not pub:
            note = f"rating for {row['scope']}; depends on the publication date"
        return Reliability(
            status=row["status"],
            source=row.get("name"),
            scope=row.get("scope"),
            since=since,
            category=category[1] if category else None,
            matched_domain=found[0],
            note=note,
            before_change=before,
            previous_status=previous,
            shortcut=row.get("shortcut"),
            alternatives=tuple((r["status"], r.get("name"), r.get("scope")) for r in rows[1:]),
            provenance=row.get("from"),
        )
    if category:
        key, kind = category
        return Reliability(kind, category=kind, matched_domain=key, provenance="category list")
    return None


def classify_citation(
    citation: Citation, *, data: ReliabilityData | None = None
) -> Reliability | None:
    """The reliability of what a citation points at: its URL (an archived copy judged by the
    original), else its archive URL; dated by access-date, else by publication date."""
    result = None
    for url in (citation.url, citation.archive_url):
        if url and result is None:
            result = classify_url(
                url, cited_on=citation.access_date, published_on=citation.date, data=data
            )
    return result


def sourcing_grade(reliabilities: Sequence[Reliability | None], *, cited: bool) -> str:
    """Grade of a claim's support, from the reliability of each supporting citation.

    - `uncited`: the claim has no citation (`cited` is False).
    - `unknown`: cited, but no citation could be classified (no URL, unlisted host).
    - `well-sourced`: at least one generally-reliable citation and no unreliable one
      (no-consensus and unclassified citations may sit beside it).
    - `only-unreliable`: every citation is classified and unreliable (generally unreliable,
      deprecated, blacklisted, or a self-published/user-generated/... host).
    - `mixed`: anything else: reliable next to unreliable, only no-consensus, or unreliable
      next to unclassified citations.
    An editor override counts with the status it sets.
    """
    if not cited:
        return "uncited"
    known = [r.status for r in reliabilities if r is not None]
    if not known:
        return "unknown"
    bad = [s for s in known if s in UNRELIABLE]
    if "generally-reliable" in known and not bad:
        return "well-sourced"
    if len(bad) == len(reliabilities):
        return "only-unreliable"
    return "mixed"


# --- editor overrides --------------------------------------------------------------------


def parse_override(value: Any, where: str) -> tuple[str, str | None]:
    """(status, note) of one override from claims.yaml: `status` or `{status: ..., note: ...}`."""
    status, note = value, None
    if isinstance(value, Mapping):
        status, note = value.get("status"), value.get("note")
    if status not in STATUSES:
        raise ClaimsFileError(
            f"unknown reliability status {status!r} in {where}",
            hint="use one of: " + ", ".join(STATUSES),
        )
    return status, (str(note) if note else None)


def _url_identity(url: str) -> str:
    original = original_url(url) or url
    return re.sub(r"^[a-z]+://(www\.)?", "", original.strip(), flags=re.I).rstrip("/").lower()


def apply_overrides(
    reliability: Reliability | None,
    *,
    url: str | None,
    domain_overrides: Mapping[str, Any] | None = None,
    citation_overrides: Mapping[str, Any] | None = None,
) -> Reliability | None:
    """The editors' verdict over the table's: a per-citation override (by URL, archived copies
    included) beats a domain override (`example.blogspot.com`, most specific key wins)."""
    hit: tuple[str, Any] | None = None
    if citation_overrides and url:
        wanted = _url_identity(url)
        hit = next(
            ((k, v) for k, v in citation_overrides.items() if _url_identity(k) == wanted), None
        )
        where = "citation_overrides"
    if hit is None and domain_overrides and (target := _target(url)):
        hit = _find(_index(domain_overrides), *target)
        where = "domain_overrides"
    if hit is None:
        return reliability
    status, note = parse_override(hit[1], f"{where}[{hit[0]!r}]")
    original = reliability.status if reliability else None
    return Reliability(
        status=status,
        source="editor override",
        category=reliability.category if reliability else None,
        matched_domain=hit[0],
        note=note or (f"editor override (was {original})" if original else "editor override"),
        overridden=original,
        provenance="override",
    )
