"""Report rows: one flat, ordered record per claim and the counts, shared by both outputs.

report.json and report.html both read from here, so they can never disagree on a count or an
order. Also the URL rules: links to the wiki, and which URLs are safe to put in an href.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from urllib.parse import quote, urlsplit

from audit.catalogue import canonical_label, flag_age_days, severity_of
from audit.model import (
    SECTION_SEPARATOR,
    Banner,
    Citation,
    Claim,
    ClaimCheck,
    DiffOp,
    DocumentCheck,
    Flag,
    Triage,
)
from audit.ranking import claim_score, flag_score, stale_reason
from audit.reliability import Reliability

#: Claim statuses in report order, as report.json spells them.
CLAIM_STATUSES = ("unchanged", "reworded", "removed", "added", "unchecked")
#: Flag statuses in report order, as report.json spells them.
FLAG_STATUSES = ("open", "resolved", "removed", "new")

# NOTE: browsers drop tabs and newlines inside a URL, so "java\tscript:" would still run.
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class FlagRow:
    """One flag of a claim as both reports show it."""

    type: str
    label: str
    """Canonical label from the catalogue (old labels are folded into the current one)."""
    status: str
    """`open`, `resolved`, `removed` or `new`."""
    cited: bool
    date: str | None
    severity: int
    """1..4, see catalogue.SEVERITY_NAMES."""
    age_days: int | None = None
    """Days from the flag's `date=` to the revision checked (or the snapshot, offline)."""
    hint: str | None = None
    """`likely-resolvable` when the claim's sources now settle a source-quality flag."""
    stale: str | None = None
    """Why the open flag is possibly stale ("check and remove"), or None."""
    triage: Triage | None = None
    """Editors' triage of this very flag, when they gave one."""
    score: int = 0
    """Ranking score (higher first); see audit.ranking."""


@dataclass(frozen=True)
class ClaimRow:
    """One claim of the report: a snapshot claim with its fate, or a claim added since."""

    id: str
    section: str
    """Snapshot section (current section for an added claim): where editors look for it."""
    kind: str
    text: str
    status: str
    current_text: str | None
    current_section: str | None
    similarity: float
    moved: bool
    flags: tuple[FlagRow, ...]
    citations: tuple[Citation, ...]
    """The current claim's citations, or the snapshot's when there is no current claim."""
    diff: tuple[DiffOp, ...]
    in_snapshot: bool
    paragraph_citations: tuple[Citation, ...] = ()
    """Citations later in the paragraph that cover the claim too."""
    uncited: bool = False
    """A statement (outside the lead) that no reference backs, flag or not."""
    banners: tuple[str, ...] = ()
    """Types of the open or new banners whose scope covers the claim."""
    grade: str | None = None
    """Sourcing grade of the claim (well-sourced, mixed, only-unreliable, uncited, unknown)."""
    weak_sourcing: bool = False
    """No flag, yet cited only to unreliable, deprecated or self-published sources."""
    reliabilities: tuple[Reliability | None, ...] = ()
    """Reliability of each citation, citations first, then paragraph_citations."""
    triage: Triage | None = None
    """Editors' triage of the claim (None when the default: open, no note)."""
    score: int = 0
    """Ranking score of the claim's worst finding (higher first)."""
    severity: int = 0
    """1..4 (low, medium, elevated, high) of the worst finding; 0 when nothing to fix."""
    live_url: str | None = None
    """The claim in the live article (a text fragment link), when it still exists."""
    edit_url: str | None = None
    """Edit page of the claim's section on the wiki, when the section number is known."""
    section_index: int | None = None

    @property
    def snapshot_flagged(self) -> bool:
        """The snapshot claim carried at least one flag (new flags do not count)."""
        return self.in_snapshot and any(flag.status != "new" for flag in self.flags)

    @property
    def needs_attention(self) -> bool:
        """Weak or changed: shown in full in the HTML report, not collapsed."""
        return (
            bool(self.flags)
            or self.moved
            or self.uncited
            or self.status in ("reworded", "removed", "added")
        )


@dataclass(frozen=True)
class Counts:
    """Totals of one document (or of the whole run); field names are report.json's."""

    claims: int = 0
    flagged: int = 0
    open_flags: int = 0
    resolved_flags: int = 0
    resolved_cited: int = 0
    removed_flags: int = 0
    new_flags: int = 0
    unchanged: int = 0
    reworded: int = 0
    removed: int = 0
    added: int = 0
    moved: int = 0
    unchecked: int = 0
    uncited: int = 0
    weak_sourcing: int = 0
    likely_resolvable: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def as_dict(self) -> dict[str, int]:
        """The `summary` object of report.json."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --- rows -------------------------------------------------------------------------------------


def _flag_rows(
    check: ClaimCheck, reference: str | None, document: DocumentCheck | None = None
) -> tuple[FlagRow, ...]:
    match = check.match
    grade = check.sourcing.grade if check.sourcing else None
    changed = match.status in ("reworded", "removed")
    snapshot_time = document.snapshot_timestamp if document else None
    either = match.snapshot or match.current
    claim_id = either.id if either is not None else ""
    flag_triage = document.flag_triage if document else {}
    if not check.flags and match.status == "unchecked" and match.snapshot is not None:
        # Offline runs compare nothing, so the checker may leave FlagChecks out; the snapshot's
        # own flags are then still open as far as anyone knows.
        items: list[tuple[Flag, str, bool, str | None]] = [
            (f, "open", False, None) for f in match.snapshot.flags
        ]
    else:
        items = [(fc.flag, fc.status, fc.cited, fc.hint) for fc in check.flags]
    rows = []
    seen: dict[str, int] = {}
    for flag, status, cited, hint in items:
        seen[flag.type] = seen.get(flag.type, 0) + 1
        age = flag_age_days(flag.date, reference)
        stale = stale_reason(flag, status, match, snapshot_time)
        rows.append(
            FlagRow(
                flag.type,
                canonical_label(flag.type),
                status,
                cited,
                flag.date,
                severity_of(flag.type),
                age,
                hint,
                stale,
                flag_triage.get((claim_id, flag.type, seen[flag.type])),
                flag_score(
                    flag.type, age_days=age, changed=changed, grade=grade, stale=stale is not None
                )
                if status in ("open", "new")
                else 0,
            )
        )
    return tuple(rows)


def reference_time(check: DocumentCheck) -> str | None:
    """What flag ages are measured against: the revision checked, else the snapshot."""
    return check.current.timestamp if check.current is not None else check.snapshot_timestamp


def _row(
    check: ClaimCheck,
    reference: str | None = None,
    banners: Sequence[Banner] = (),
    document: DocumentCheck | None = None,
) -> ClaimRow:
    match = check.match
    base = match.snapshot or match.current
    if base is None:
        raise ValueError("a ClaimMatch needs a snapshot or a current claim")
    current = match.current
    return ClaimRow(
        id=base.id,
        section=base.section,
        kind=base.kind,
        text=base.text,
        status=match.status,
        current_text=current.text if current is not None else None,
        current_section=current.section if current is not None else None,
        similarity=round(match.similarity, 3),
        moved=match.moved,
        flags=(flags := _flag_rows(check, reference, document)),
        citations=(current or base).citations,
        diff=match.diff,
        in_snapshot=match.snapshot is not None,
        paragraph_citations=(current or base).paragraph_citations,
        uncited=(current or base).uncited and match.status != "removed",
        banners=tuple(
            dict.fromkeys(
                banner.type for banner in banners if banner.covers((current or base).section)
            )
        ),
        grade=check.sourcing.grade if check.sourcing else None,
        weak_sourcing=bool(check.sourcing and check.sourcing.weak) and match.status != "removed",
        reliabilities=check.sourcing.reliabilities if check.sourcing else (),
        triage=_claim_triage(document, base.id),
        score=(ranked := _rank(check, flags, match.status))[0],
        severity=ranked[1],
        live_url=_live_url(document, current),
        edit_url=_edit_url(document, current),
        section_index=current.section_index if current is not None else None,
    )


def _claim_triage(document: DocumentCheck | None, claim_id: str) -> Triage | None:
    triage = document.triage.get(claim_id) if document else None
    return triage if triage is not None and triage != Triage() else None


def _rank(check: ClaimCheck, flags: tuple[FlagRow, ...], status: str) -> tuple[int, int]:
    sourcing = check.sourcing
    deprecated = (
        sourcing is not None
        and any(
            r is not None and r.status in ("deprecated", "blacklisted") and not r.before_change
            for r in sourcing.reliabilities
        )
        and status != "removed"
    )
    grade = sourcing.grade if sourcing else None
    claim = check.match.current or check.match.snapshot
    if status == "removed" or (grade == "uncited" and claim is not None and not claim.uncited):
        grade = None  # a removed claim, or an uncited lead sentence / infobox line: no finding
    return claim_score(
        [f.score for f in flags if f.score],
        grade=grade,
        deprecated=deprecated,
        changed=status in ("reworded", "removed"),
    )


def _live_url(document: DocumentCheck | None, claim: Claim | None) -> str | None:
    """Link to the claim in the live article, scrolled to its first words (text fragment)."""
    if document is None or claim is None or document.current is None:
        return None
    words = " ".join(claim.text.split()[:6])
    return f"{article_url(document.wiki, document.current.title)}#:~:text={quote(words)}"


def _edit_url(document: DocumentCheck | None, claim: Claim | None) -> str | None:
    if document is None or claim is None or document.current is None:
        return None
    if claim.section_index is None and claim.section.split(SECTION_SEPARATOR)[0] not in (
        "Lead",
        "Infobox",
    ):
        return None
    section = claim.section_index if claim.section_index is not None else 0
    title = quote(document.current.title.replace(" ", "_"), safe="")
    return f"{_wiki_base(document.wiki)}/w/index.php?title={title}&action=edit&section={section}"


def _sections(check: ClaimCheck) -> set[str]:
    return {c.section for c in (check.match.snapshot, check.match.current) if c is not None}


def order_claims(checks: Sequence[ClaimCheck]) -> list[ClaimCheck]:
    """Snapshot order, each added claim after the claim it follows or at the end of its section.

    The checker may emit an added claim in place (right after its predecessor) or at the end;
    an added claim stays where it is only when the entry before it shares its section.
    """
    placed: list[ClaimCheck] = []
    deferred: list[tuple[str, ClaimCheck]] = []
    for check in checks:
        current = check.match.current
        if check.match.snapshot is None and current is not None:
            if placed and current.section in _sections(placed[-1]):
                placed.append(check)
            else:
                deferred.append((current.section, check))
        else:
            placed.append(check)
    for section, check in deferred:
        last = [i for i, other in enumerate(placed) if section in _sections(other)]
        placed.insert(last[-1] + 1 if last else len(placed), check)
    return placed


def claim_rows(check: DocumentCheck) -> tuple[ClaimRow, ...]:
    """Every claim of a document, snapshot and added, in report order."""
    reference = reference_time(check)
    banners = [item.banner for item in check.banners if item.status != "resolved"]
    return tuple(_row(claim, reference, banners, check) for claim in order_claims(check.claims))


def count_rows(rows: Iterable[ClaimRow]) -> Counts:
    """Totals of a document's rows."""
    totals: dict[str, int] = dict.fromkeys(Counts().as_dict(), 0)
    for row in rows:
        totals["claims"] += row.in_snapshot
        totals["flagged"] += row.snapshot_flagged
        totals["moved"] += row.moved
        totals["uncited"] += row.uncited
        totals["weak_sourcing"] += row.weak_sourcing
        totals["likely_resolvable"] += sum(flag.hint == "likely-resolvable" for flag in row.flags)
        if row.status in CLAIM_STATUSES:
            totals[row.status] += 1
        for flag in row.flags:
            key = f"{flag.status}_flags"
            if key in totals:
                totals[key] += 1
            totals["resolved_cited"] += flag.status == "resolved" and flag.cited
    return Counts(**totals)


# --- URLs -------------------------------------------------------------------------------------


def _wiki_base(wiki: str) -> str:
    return wiki.strip().rstrip("/")


def article_url(wiki: str, title: str) -> str:
    """Link to the live article: `{wiki}/wiki/{Title_with_underscores}`, percent-encoded."""
    # NOTE: MediaWiki leaves these characters unescaped in its own links (wfUrlencode).
    path = quote(title.strip().replace(" ", "_"), safe=";@$!*(),/~:")
    return f"{_wiki_base(wiki)}/wiki/{path}"


def revision_url(wiki: str, revision: int) -> str:
    """Permanent link to one revision."""
    return f"{_wiki_base(wiki)}/w/index.php?oldid={revision}"


def diff_url(wiki: str, old: int, new: int) -> str:
    """The wiki's own diff between the snapshot revision and the current one."""
    return f"{_wiki_base(wiki)}/w/index.php?diff={new}&oldid={old}"


def safe_href(url: str | None) -> str | None:
    """`url` if a browser may follow it (absolute http/https), else None: show it as text."""
    if not url or _CONTROL_CHARS.search(url):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def citation_domain(citation: Citation) -> str | None:
    """The domain to show next to a citation: the reader's, or the URL's host without `www.`."""
    if citation.domain:
        return citation.domain
    if not citation.url:
        return None
    try:
        host = urlsplit(citation.url.strip()).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None
