"""Trace every inline flag through a page's revisions: who added it, who ended it, and how.

Pure: `trace_flags` takes `HistoryRevision`s in page order (oldest first) and returns one
`FlagLife` per flag. The dump reader (`audit.history.dump`) and the live API (`audit.history.blame`)
feed it; `audit.history.table` writes the result.

**Identity.** A flag is the same flag while its type and its claim persist. Claims are
matched as the checker matches them (`audit.match`): the same normalised text, else the most
similar claim (rapidfuzz ratio >= `REWORD_THRESHOLD`) carrying a flag of the same type, else
a claim that contains the other's text whole (a sentence glued to its neighbour when a
space or full stop goes missing). So a
flag survives edits elsewhere, small rewording of its claim, a new template name (`{{fact}}`
→ `{{citation needed}}`) and a bot adding `date=`.

**Reverts.** A revision that drops a flag does not end it at once. The drop is undone when

1. the flag comes back within `RevertWindow.revisions` (10) revisions or `RevertWindow.hours`
   (24) hours of the drop, whichever lasts longer (blanking and vandalism are usually
   reverted within minutes; an edit war's removals and restorations collapse into one flag);
2. or a later revision's text is identical to an earlier one in which the flag was alive (an
   identity revert, at any distance in time).

Otherwise the flag ended at the revision that dropped it. A revision whose text is hidden
(deleted revisions) or unreadable counts, but neither starts nor ends a flag.

**Outcome**, from the whole text of the revision that ended the flag (see `judge_end`):
`cited` (a reference now directly follows the claim that did not before), `reworded` (the
claim changed, no new reference), `deleted` (the claim went with the flag), `removed` (tag
dropped, claim unchanged, no new reference), or `open` at the end of the history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from rapidfuzz import fuzz, process

from audit.claims import normalize_text
from audit.history.revision_flags import FlagReader, FlagSighting, UnreadableText, text_digest
from audit.match import REWORD_THRESHOLD
from audit.model import Claim

OUTCOMES = ("cited", "reworded", "deleted", "removed", "open")
#: Extra score for a candidate claim under the same heading (as `audit.match` does).
SAME_SECTION_BONUS = 3.0
#: Words a claim needs before "its text is inside the other claim" pairs it (see pair_sightings).
MIN_CONTAINED_WORDS = 5
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class RevertWindow:
    """How long a dropped flag may stay away and still count as the same flag."""

    revisions: int = 10
    """Revisions after the one that dropped it (that one not counted)."""
    hours: float = 24.0
    """Hours after the revision that dropped it."""


@dataclass(frozen=True, slots=True)
class HistoryRevision:
    """One revision of a page, as a dump or the API gives it."""

    revid: int
    timestamp: str
    """ISO 8601 UTC, e.g. `2006-01-23T02:17:50Z`."""
    user: str | None = None
    """User name or IP address; None when hidden (revision-deleted)."""
    comment: str | None = None
    """Edit summary; None when hidden."""
    text: str | None = None
    """Wikitext; `""` for a blanked page, None when the text is hidden or missing."""


@dataclass(frozen=True, slots=True)
class RevisionRef:
    """Where a flag began or ended."""

    revid: int
    timestamp: str
    user: str | None
    comment: str | None
    index: int
    """Position in the page's history, 0 = the first revision."""


@dataclass(frozen=True, slots=True)
class FlagLife:
    """One flag from the revision that added it to the one that ended it (a table row)."""

    flag_type: str
    flag_template: str | None
    """Template name as written when the flag was added."""
    flag_date: str | None
    """First `date=` the flag carried (bots often add it a few edits later)."""
    claim_text: str
    """The flagged claim as it read when the flag was added."""
    section: str
    """Heading path of the claim when the flag was added."""
    added: RevisionRef
    ended: RevisionRef | None
    """None while the flag is open at the end of the history."""
    outcome: str
    """One of OUTCOMES."""
    citation_added: bool
    """A reference directly follows the claim in the revision that ended the flag."""
    lifetime_days: float
    """Days from `added` to `ended` (to the last revision while open)."""
    lifetime_revisions: int
    """Revisions the flag lived through: ended.index - added.index (open: up to the last)."""
    interruptions: int = 0
    """Drops of this flag undone as reverts (vandalism, blanking, edit wars)."""


@dataclass
class HistoryStats:
    """What tracing one page cost and met, for the summary line."""

    revisions: int = 0
    blank: int = 0
    """Revisions with an empty (or whitespace-only) text."""
    hidden: int = 0
    """Revisions whose text is hidden or missing."""
    unreadable: int = 0
    """Revisions the reader failed on (their flags are taken as unchanged)."""
    reverts_undone: int = 0
    """Flag drops undone because the flag came back (window or identity revert)."""


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 timestamp (`Z` or offset) as an aware datetime; the epoch if unreadable."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _EPOCH
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def pair_sightings(
    old: Sequence[FlagSighting], new: Sequence[FlagSighting]
) -> dict[int, int]:
    """Old index → new index for the same flags: same type, claims matched like the checker
    (identical normalised text first, in order; then the most similar above the threshold)."""
    pairs: dict[int, int] = {}
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, sighting in enumerate(new):
        by_key[(sighting.type, sighting.claim_key)].append(index)
    for index, sighting in enumerate(old):
        candidates = by_key.get((sighting.type, sighting.claim_key))
        if candidates:
            pairs[index] = candidates.pop(0)
    if len(pairs) == len(old) or len(pairs) == len(new):
        return pairs
    used = set(pairs.values())
    scored: list[tuple[float, int, int]] = []
    for o_index, o_sighting in enumerate(old):
        if o_index in pairs:
            continue
        for n_index, n_sighting in enumerate(new):
            if n_index in used or n_sighting.type != o_sighting.type:
                continue
            score = fuzz.ratio(o_sighting.claim_key, n_sighting.claim_key)
            if score >= REWORD_THRESHOLD * 100:
                bonus = SAME_SECTION_BONUS if n_sighting.section == o_sighting.section else 0.0
                scored.append((score + bonus, o_index, n_index))
    for _, o_index, n_index in sorted(scored, reverse=True):
        if o_index not in pairs and n_index not in used:
            pairs[o_index] = n_index
            used.add(n_index)
    # Last, a claim glued to its neighbour or split from it ("vegan.Christian anarchy …" when
    # a space goes missing): one text contains the other, which has words enough to be it.
    for o_index, o_sighting in enumerate(old):
        if o_index in pairs:
            continue
        for n_index, n_sighting in enumerate(new):
            if n_index not in used and n_sighting.type == o_sighting.type and _contains(
                o_sighting.claim_key, n_sighting.claim_key
            ):
                pairs[o_index] = n_index
                used.add(n_index)
                break
    return pairs


def _contains(one: str, other: str) -> bool:
    shorter, longer = (one, other) if len(one) <= len(other) else (other, one)
    return shorter.count(" ") >= MIN_CONTAINED_WORDS - 1 and shorter in longer


def judge_end(last: FlagSighting, claims: Sequence[Claim]) -> tuple[str, bool]:
    """(outcome, citation_added) for a flag gone from a revision with these claims.

    `last` is the flag as the revision before showed it. The claim is looked up in the new
    revision as the checker would: same normalised text (→ removed, or cited if a reference
    now directly follows it), else the most similar claim (→ reworded, or cited), else
    nothing (→ deleted).
    """
    keys = [normalize_text(claim.text) for claim in claims]
    exact = [index for index, key in enumerate(keys) if key == last.claim_key]
    if exact:
        same = [index for index in exact if claims[index].section == last.section]
        claim = claims[(same or exact)[0]]
        cited = len(claim.citations) > last.citations
        return ("cited" if cited else "removed"), cited
    best = process.extractOne(
        last.claim_key, keys, scorer=fuzz.ratio, score_cutoff=REWORD_THRESHOLD * 100
    )
    if best is None:
        return "deleted", False
    claim = claims[best[2]]
    cited = len(claim.citations) > last.citations
    return ("cited" if cited else "reworded"), cited


@dataclass
class _Drop:
    """The revision at which a flag went missing, kept until the drop is confirmed."""

    ref: RevisionRef
    when: datetime
    text: str
    digest: bytes


@dataclass
class _Life:
    """A flag being traced (mutable while the history is read)."""

    first: FlagSighting
    added: RevisionRef
    added_when: datetime
    last: FlagSighting
    date: str | None
    drop: _Drop | None = None
    ended: RevisionRef | None = None
    ended_when: datetime | None = None
    outcome: str = "open"
    citation_added: bool = False
    interruptions: int = 0


@dataclass
class FlagTracer:
    """Feeds on one page's revisions in order; `finish()` gives every flag's life."""

    reader: FlagReader = field(default_factory=FlagReader)
    window: RevertWindow = field(default_factory=RevertWindow)
    stats: HistoryStats = field(default_factory=HistoryStats)

    def __post_init__(self) -> None:
        self._open: list[_Life] = []
        self._ended: list[_Life] = []
        self._seen: dict[bytes, int] = {}
        self._sightings: tuple[FlagSighting, ...] = ()
        self._last: tuple[RevisionRef, datetime] | None = None

    def add(self, revision: HistoryRevision) -> None:
        """Take the next revision of the page."""
        index = self.stats.revisions
        self.stats.revisions += 1
        when = parse_timestamp(revision.timestamp)
        ref = RevisionRef(revision.revid, revision.timestamp, revision.user, revision.comment,
                          index)
        self._last = (ref, when)
        self._confirm_drops(index, when)
        text = revision.text
        if text is None:
            self.stats.hidden += 1
            return
        if not text.strip():
            self.stats.blank += 1
        digest = text_digest(text)
        try:
            sightings = self.reader.flags(text, digest)
        except UnreadableText:
            self.stats.unreadable += 1
            return
        earlier = self._seen.get(digest)
        self._seen[digest] = index
        # Most edits leave every flag as it was: nothing to match.
        if sightings != self._sightings:
            self._follow(sightings, ref, when, text, digest, earlier)
        self._sightings = sightings

    def finish(self) -> list[FlagLife]:
        """Every flag of the page, in the order they were added; drops still pending end."""
        if self._last is None:
            return []
        last_ref, last_when = self._last
        for life in [life for life in self._open if life.drop is not None]:
            self._end(life)
        lives = sorted(self._ended + [life for life in self._open if life.drop is None],
                       key=lambda life: life.added.index)
        return [_record(life, last_ref, last_when) for life in lives]

    # -- matching ----------------------------------------------------------------------------

    def _follow(
        self,
        sightings: tuple[FlagSighting, ...],
        ref: RevisionRef,
        when: datetime,
        text: str,
        digest: bytes,
        earlier: int | None,
    ) -> None:
        # Alive flags come first, so they win an exact match over a dropped twin.
        candidates = sorted(self._open, key=lambda life: life.drop is not None)
        pairs = pair_sightings([life.last for life in candidates], sightings)
        for c_index, s_index in pairs.items():
            life = candidates[c_index]
            if life.drop is not None:
                life.drop = None
                life.interruptions += 1
                self.stats.reverts_undone += 1
            self._observe(life, sightings[s_index])
        for c_index, life in enumerate(candidates):
            if c_index not in pairs and life.drop is None:
                life.drop = _Drop(ref, when, text, digest)
        taken = set(pairs.values())
        fresh = [sighting for index, sighting in enumerate(sightings) if index not in taken]
        if fresh and earlier is not None:
            fresh = self._revive(fresh, earlier)
        for sighting in fresh:
            self._open.append(_Life(sighting, ref, when, sighting, sighting.date))

    def _revive(self, fresh: list[FlagSighting], earlier: int) -> list[FlagSighting]:
        """Identity revert to revision `earlier`: flags alive then are the same flags again."""
        alive_then = [
            life for life in self._ended
            if life.added.index <= earlier and life.ended is not None and life.ended.index > earlier
        ]
        if not alive_then:
            return fresh
        pairs = pair_sightings([life.last for life in alive_then], fresh)
        for l_index, f_index in pairs.items():
            life = alive_then[l_index]
            self._ended.remove(life)
            life.ended = life.ended_when = None
            life.outcome, life.citation_added = "open", False
            life.interruptions += 1
            self.stats.reverts_undone += 1
            self._observe(life, fresh[f_index])
            self._open.append(life)
        taken = set(pairs.values())
        return [sighting for index, sighting in enumerate(fresh) if index not in taken]

    @staticmethod
    def _observe(life: _Life, sighting: FlagSighting) -> None:
        life.last = sighting
        if life.date is None and sighting.date:
            life.date = sighting.date

    # -- ending ------------------------------------------------------------------------------

    def _confirm_drops(self, index: int, when: datetime) -> None:
        """End the flags whose drop is now older than the revert window."""
        window = self.window
        for life in [life for life in self._open if life.drop is not None]:
            drop = life.drop
            assert drop is not None
            if (index - drop.ref.index > window.revisions
                    and (when - drop.when).total_seconds() > window.hours * 3600):
                self._end(life)

    def _end(self, life: _Life) -> None:
        drop = life.drop
        assert drop is not None
        try:
            claims = self.reader.claims(drop.text, drop.digest)
        except UnreadableText:
            claims = ()
            self.stats.unreadable += 1
        life.outcome, life.citation_added = judge_end(life.last, claims)
        life.ended, life.ended_when = drop.ref, drop.when
        life.drop = None
        self._open.remove(life)
        self._ended.append(life)


def _record(life: _Life, last_ref: RevisionRef, last_when: datetime) -> FlagLife:
    if life.ended is not None and life.ended_when is not None:
        days = (life.ended_when - life.added_when).total_seconds() / 86400
        revisions = life.ended.index - life.added.index
    else:
        days = (last_when - life.added_when).total_seconds() / 86400
        revisions = last_ref.index - life.added.index + 1
    return FlagLife(
        flag_type=life.first.type,
        flag_template=life.first.template,
        flag_date=life.date,
        claim_text=life.first.claim_text,
        section=life.first.section,
        added=life.added,
        ended=life.ended,
        outcome=life.outcome,
        citation_added=life.citation_added,
        lifetime_days=round(max(days, 0.0), 4),
        lifetime_revisions=revisions,
        interruptions=life.interruptions,
    )


def trace_flags(
    revisions: Iterable[HistoryRevision],
    *,
    reader: FlagReader | None = None,
    window: RevertWindow | None = None,
) -> tuple[list[FlagLife], HistoryStats]:
    """Every flag's life over one page's revisions (oldest first), and what was met."""
    tracer = FlagTracer(reader or FlagReader(), window or RevertWindow())
    for revision in revisions:
        tracer.add(revision)
    return tracer.finish(), tracer.stats
