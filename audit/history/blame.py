"""Who added each flag of a live article, and (with `since`) who removed the ones now gone.

The history is listed once (metadata only, 500 revisions a request). Each flag of the current
revision is then found by **bisection** over the history: a flag present now and absent at
some earlier revision was added between them, so about log2(N) revision texts settle it,
not N. All flags bisect in lockstep, so one round asks the wiki for every flag's next
revision in one request (50 revision ids per request); texts are cached forever by revision
id, and each one is read once (`FlagReader`).

Bisection assumes a flag stays once added. Vandalism breaks that (a blanked revision has no
flags), so revisions inside identity reverts are left out of the search: a revision whose
SHA-1 equals one up to `REVERT_DEPTH` revisions before it reverts everything in between
(MediaWiki's own "reverted" tag looks back as far). Empty and hidden revisions are left
out too. A flag removed and re-added by a partial revert can still make the search land on
the re-addition.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from audit.errors import InputError, PageMissing, WikiError
from audit.history.revision_flags import FlagReader, FlagSighting, UnreadableText
from audit.history.trace import judge_end, pair_sightings, parse_timestamp
from audit.model import Revision
from audit.wiki import WikiClient

#: Revisions an identity revert may undo (MediaWiki's $wgRevertedTagMaxDepth).
REVERT_DEPTH = 15
#: Revision texts asked for in one request (the Action API's limit for `revids`).
BATCH = 50


@dataclass(frozen=True)
class FlagOrigin:
    """Where a flag of the current revision came from."""

    flag: FlagSighting
    """The flag as the current revision shows it."""
    added: Revision
    """The revision that added it (the first of the unbroken run up to now)."""
    age_days: float
    """Days from `added` to now."""
    probes: int
    """Revision texts the bisection looked at for this flag."""


@dataclass(frozen=True)
class FlagRemoval:
    """A flag of the `since` revision that is gone now."""

    flag: FlagSighting
    """The flag as the last revision that had it showed it."""
    removed: Revision
    """The first revision without it."""
    outcome: str
    """`cited`, `reworded`, `deleted` or `removed` (see audit.history.trace.judge_end)."""
    citation_added: bool
    probes: int


@dataclass(frozen=True)
class BlameResult:
    """What `audit blame` found for one article."""

    title: str
    current: Revision
    revisions: int
    """Revisions in the page's history."""
    searched: int
    """Revisions the bisection could use (reverted, empty and hidden ones left out)."""
    origins: tuple[FlagOrigin, ...]
    since: Revision | None
    removals: tuple[FlagRemoval, ...]
    texts: int
    """Distinct revision texts read."""
    content_requests: int
    """HTTP requests for revision texts, retries included (cached texts cost none)."""


def searchable(history: Sequence[Revision], depth: int = REVERT_DEPTH) -> list[int]:
    """Positions of the revisions a bisection may probe: not reverted, not empty, not hidden.

    The last revision is always kept (it is where every search starts).
    """
    reverted: set[int] = set()
    last_seen: dict[str, int] = {}
    for index, revision in enumerate(history):
        if not revision.sha1 or not revision.size:
            continue  # hidden or empty: never a revert target (blankings all look alike)
        before = last_seen.get(revision.sha1)
        if before is not None and 1 < index - before <= depth + 1:
            reverted.update(range(before + 1, index))
        last_seen[revision.sha1] = index
    keep = [
        index for index, revision in enumerate(history)
        if index not in reverted and revision.sha1 and revision.size
    ]
    last = len(history) - 1
    if history and (not keep or keep[-1] != last):
        keep.append(last)
    return keep


class _Texts:
    """Revision texts fetched in batches and kept for the run; flags read once per text."""

    def __init__(self, client: WikiClient, reader: FlagReader) -> None:
        self.client = client
        self.reader = reader
        self.texts: dict[int, str | None] = {}
        self.requests = 0

    def fetch(self, revids: Sequence[int]) -> None:
        wanted = [revid for revid in dict.fromkeys(revids) if revid not in self.texts]
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start:start + BATCH]
            before = self.client.stats.requests
            self.texts.update(self.client.revision_wikitext(batch))
            self.requests += self.client.stats.requests - before

    def flags(self, revid: int) -> tuple[FlagSighting, ...] | None:
        """The flags of a fetched revision; None if its text is hidden or unreadable."""
        text = self.texts.get(revid)
        if text is None:
            return None
        try:
            return self.reader.flags(text)
        except UnreadableText:
            return None


@dataclass
class _Search:
    """One flag's bisection between two positions of the searchable revisions.

    For an addition the flag is present at `high` and absent at `low` (-1 stands for
    "before the first revision"); for a removal (`added=False`) the other way round.
    """

    flag: FlagSighting
    low: int
    high: int
    added: bool = True
    probes: int = 0


def _bisect(
    searches: list[_Search], domain: list[int], history: Sequence[Revision], texts: _Texts
) -> None:
    """Narrow every search to neighbours (low, high) in lockstep: each round fetches the
    middle revision of every unfinished search in one batch."""
    unusable: set[int] = set()
    while True:
        middles: dict[int, int] = {}
        for number, search in enumerate(searches):
            middle = _middle(search, domain, history, unusable)
            if middle is not None:
                middles[number] = middle
        if not middles:
            return
        texts.fetch([history[domain[middle]].revid for middle in middles.values()])
        for number, middle in middles.items():
            search = searches[number]
            found = texts.flags(history[domain[middle]].revid)
            if found is None:
                unusable.add(middle)
                continue
            search.probes += 1
            present = bool(pair_sightings([search.flag], found))
            if present == search.added:
                search.high = middle
            else:
                search.low = middle


def _middle(
    search: _Search, domain: list[int], history: Sequence[Revision], unusable: set[int]
) -> int | None:
    """The usable position nearest the middle of (low, high), or None when they touch."""
    if search.high - search.low <= 1:
        return None
    middle = (search.low + search.high) // 2
    for offset in range(search.high - search.low):
        for candidate in (middle - offset, middle + offset):
            if search.low < candidate < search.high and candidate not in unusable:
                return candidate
    return None


def resolve_since(history: Sequence[Revision], since: str) -> int:
    """Position of the `--since` revision: a revision id of the page, or the last revision
    at or before a date (`2024-01-31` or an ISO timestamp)."""
    value = since.strip()
    if value.isdigit():
        for index, revision in enumerate(history):
            if revision.revid == int(value):
                return index
        raise InputError(f"revision {value} is not in the history of {history[-1].title!r}",
                         hint="give a revision id of this page, or a date (YYYY-MM-DD)")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--since {since!r} is neither a revision id nor a date",
                         hint="e.g. --since 1234567890 or --since 2024-01-31") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
        if len(value) == 10:  # a bare date means "by the end of that day"
            moment = moment.replace(hour=23, minute=59, second=59)
    found = None
    for index, revision in enumerate(history):
        if parse_timestamp(revision.timestamp) <= moment:
            found = index
    if found is None:
        raise InputError(f"the page had no revision yet on {since}")
    return found


def blame(
    client: WikiClient,
    title: str,
    *,
    since: str | None = None,
    now: datetime | None = None,
    reader: FlagReader | None = None,
    on_step: Callable[[str], None] | None = None,
) -> BlameResult:
    """Find the revision that added each flag of `title`'s current revision (and, with
    `since`, the one that removed each flag of that revision which is gone now)."""
    reader = reader or FlagReader()
    step = on_step or (lambda message: None)
    history = client.revision_history(title)
    if not history:
        raise PageMissing(f"{title!r} has no revisions on {client.host}")
    step(f"{len(history)} revisions listed")
    domain = searchable(history)
    texts = _Texts(client, reader)
    current = history[-1]
    since_start = None
    if since is not None:
        since_index = resolve_since(history, since)
        # Start from the last searchable revision at or before `since`.
        since_start = max((pos for pos, index in enumerate(domain) if index <= since_index),
                          default=0)
    texts.fetch([current.revid] + ([history[domain[since_start]].revid]
                                   if since_start is not None else []))
    flags_now = texts.flags(current.revid)
    if flags_now is None:
        raise WikiError(f"the text of the current revision {current.revid} of {title!r} "
                        "cannot be read (hidden or unreadable)")
    searches = [_Search(flag, -1, len(domain) - 1) for flag in flags_now]
    if since_start is not None:
        flags_then = texts.flags(history[domain[since_start]].revid) or ()
        still = pair_sightings(flags_then, flags_now)
        searches += [
            _Search(flag, since_start, len(domain) - 1, added=False)
            for number, flag in enumerate(flags_then) if number not in still
        ]
    # Additions and removals bisect together: one request per round for all of them.
    _bisect(searches, domain, history, texts)
    moment = now or datetime.now(timezone.utc)
    origins = tuple(
        FlagOrigin(
            flag=search.flag,
            added=history[domain[search.high]],
            age_days=round(
                (moment - parse_timestamp(history[domain[search.high]].timestamp)).total_seconds()
                / 86400, 2),
            probes=search.probes,
        )
        for search in searches if search.added
    )
    removals = tuple(
        _removal(search, domain, history, texts, reader) for search in searches if not search.added
    )
    return BlameResult(
        title=current.title,
        current=current,
        revisions=len(history),
        searched=len(domain),
        origins=origins,
        since=history[domain[since_start]] if since_start is not None else None,
        removals=removals,
        texts=len(texts.texts),
        content_requests=texts.requests,
    )


def _removal(
    search: _Search,
    domain: list[int],
    history: Sequence[Revision],
    texts: _Texts,
    reader: FlagReader,
) -> FlagRemoval:
    """A finished removal search as a record, with the outcome read from the removing text."""
    removed = history[domain[search.high]]
    before = texts.flags(history[domain[search.low]].revid) or ()
    pairs = pair_sightings([search.flag], before)
    last = before[pairs[0]] if pairs else search.flag
    text = texts.texts.get(removed.revid)
    try:
        claims = reader.claims(text) if text is not None else ()
    except UnreadableText:
        claims = ()
    outcome, cited = judge_end(last, claims)
    return FlagRemoval(last, removed, outcome, cited, search.probes)


# -- output ------------------------------------------------------------------------------------

SCHEMA_VERSION = 1


def _revision_json(revision: Revision) -> dict[str, object]:
    return {"revid": revision.revid, "timestamp": revision.timestamp, "user": revision.user,
            "comment": revision.comment}


def blame_json(result: BlameResult, wiki: str) -> dict[str, object]:
    """The result as JSON-ready data (`audit blame --format json`)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "wiki": wiki,
        "title": result.title,
        "current": _revision_json(result.current),
        "revisions": result.revisions,
        "searched": result.searched,
        "flags": [
            {
                "type": origin.flag.type,
                "template": origin.flag.template,
                "date": origin.flag.date,
                "claim": origin.flag.claim_text,
                "section": origin.flag.section,
                "added": _revision_json(origin.added),
                "age_days": origin.age_days,
                "probes": origin.probes,
            }
            for origin in result.origins
        ],
        "since": _revision_json(result.since) if result.since else None,
        "removed": [
            {
                "type": removal.flag.type,
                "claim": removal.flag.claim_text,
                "section": removal.flag.section,
                "removed": _revision_json(removal.removed),
                "outcome": removal.outcome,
                "citation_added": removal.citation_added,
                "probes": removal.probes,
            }
            for removal in result.removals
        ],
    }


def _short(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def blame_text(result: BlameResult) -> str:
    """The result as aligned text for a terminal (`audit blame`)."""
    lines = [
        f"{result.title} — revision {result.current.revid} ({result.current.timestamp}); "
        f"{len(result.origins)} open flags",
        "",
    ]
    if result.origins:
        lines.append(f"{'flag':<22} {'added':<20} {'revision':>10}  {'by':<20} {'age (d)':>8}  "
                     "claim")
        for origin in result.origins:
            added = origin.added
            lines.append(
                f"{origin.flag.type:<22} {added.timestamp:<20} {added.revid:>10}  "
                f"{_short(added.user or '(hidden)', 20):<20} {origin.age_days:>8.1f}  "
                f"{_short(origin.flag.claim_text, 70)}"
            )
            lines.append(f"{'':<22} summary: {_short(added.comment or '(none)', 100)}")
    if result.since is not None:
        lines += ["", f"Removed since revision {result.since.revid} ({result.since.timestamp}): "
                      f"{len(result.removals)}"]
        if result.removals:
            lines.append(f"{'flag':<22} {'removed':<20} {'revision':>10}  {'by':<20} "
                         f"{'outcome':<9} claim")
        for removal in result.removals:
            removed = removal.removed
            lines.append(
                f"{removal.flag.type:<22} {removed.timestamp:<20} {removed.revid:>10}  "
                f"{_short(removed.user or '(hidden)', 20):<20} {removal.outcome:<9} "
                f"{_short(removal.flag.claim_text, 70)}"
            )
            lines.append(f"{'':<22} summary: {_short(removed.comment or '(none)', 100)}")
    return "\n".join(lines) + "\n"
