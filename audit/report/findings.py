"""One claim of the HTML report as display records: severity, flags, triage, diff, sources, links.

Part of the view model (see view.py): every word, class, token and URL the template prints for a
claim is decided here. Filter tokens (`data-*` attributes) are built only from `token()`, so no
article text ever reaches an attribute the page script reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.catalogue import SEVERITY_NAMES, canonical_label
from audit.model import Triage
from audit.reliability import CATEGORIES, Reliability
from audit.report.rows import ClaimRow, FlagRow, citation_domain, safe_href

#: Severity of a finding (0 = only a change to review), in words, icon and class.
SEVERITY_TEXT = {4: "high", 3: "elevated", 2: "medium", 1: "low", 0: "review"}
SEVERITY_ICON = {4: "▲", 3: "◆", 2: "●", 1: "○", 0: "◇"}
#: Triage statuses that take a finding off the work queue (shown again on request).
DISMISSED = frozenset(("waived", "false-positive"))
TRIAGE_TEXT = {
    "open": "open",
    "fixed": "fixed",
    "waived": "waived",
    "false-positive": "false positive",
    "assigned": "assigned",
}
FLAG_STATUS_TEXT = {
    "open": "open",
    "resolved": "resolved",
    "removed": "removed with claim",
    "new": "new",
}
FLAG_ICON = {"open": "⚠", "resolved": "✓", "removed": "✕", "new": "✚"}
GRADE_TEXT = {
    "well-sourced": "well sourced",
    "mixed": "mixed sources",
    "only-unreliable": "only unreliable sources",
    "uncited": "uncited",
    "unknown": "sources not rated",
}
GRADE_ICON = {
    "well-sourced": "✓",
    "mixed": "◐",
    "only-unreliable": "✗",
    "uncited": "∅",
    "unknown": "?",
}
RELIABILITY_TEXT = {
    "generally-reliable": "generally reliable",
    "no-consensus": "no consensus",
    "generally-unreliable": "generally unreliable",
    "deprecated": "deprecated",
    "blacklisted": "blacklisted",
    "self-published": "self-published",
    "user-generated": "user-generated",
    "social-media": "social media",
    "video": "video",
    "press-release": "press release",
    "wiki": "wiki",
    "predatory": "predatory publisher",
    "sponsored": "sponsored content",
    "unknown": "not rated",
}
RELIABILITY_ICON = {
    "generally-reliable": "✓",
    "no-consensus": "?",
    "generally-unreliable": "✗",
    "deprecated": "⊘",
    "blacklisted": "⊗",
    "unknown": "·",
}
#: WP:RSP shortcuts live on English Wikipedia whatever wiki the article is on.
RSP_WIKI = "https://en.wikipedia.org/wiki/"
_WORD_EDGE = re.compile(r"\w")


def token(text: str) -> str:
    """A value safe to use as a class name or a space-separated data token."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text) or "-"


@dataclass(frozen=True)
class Link:
    """A piece of text, with an href only when the URL is safe to follow."""

    text: str
    href: str | None = None


@dataclass(frozen=True)
class Badge:
    """A marker: colour class plus icon and words, so meaning is never colour-only."""

    icon: str
    text: str
    css: str
    tooltip: str = ""


@dataclass(frozen=True)
class Fact:
    """A short line of people-talk under a badge (`tagged March 2020 · 6 years`)."""

    text: str
    css: str = "fact"


@dataclass(frozen=True)
class FlagView:
    """One inline flag of a claim: its badge and what we know about it."""

    badge: Badge
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class TriageView:
    """An editor's verdict as printed: status chip, note (escaped by the template), who/when."""

    badge: Badge
    note: str
    meta: str


@dataclass(frozen=True)
class ReliabilityView:
    """The reliability chip of one citation, the WP:RSP shortcut link and a note."""

    badge: Badge
    shortcut: Link | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class CitationView:
    """A cited source: a link (http/https only), its domain and how reliable it is."""

    link: Link
    domain: str
    unlinked_url: str | None
    """A URL that may not become an href (e.g. `javascript:`), shown as text so it is seen."""
    via: str
    """Empty for a reference right after the claim; else how it covers the claim."""
    reliability: ReliabilityView
    archive: Link | None
    dead: bool


@dataclass(frozen=True)
class Segment:
    """One run of the word diff: `tag` is `del`, `ins` or empty for unchanged words."""

    tag: str
    text: str


@dataclass(frozen=True)
class ClaimView:
    """One claim as the template prints it: a finding of the work queue, or a quiet claim."""

    dom_id: str
    css: str
    """Classes of the list item: finding edge colour, dismissed."""
    kind: str
    section: str
    status_text: str
    status_css: str
    severity: Badge
    flags: tuple[FlagView, ...]
    badges: tuple[Badge, ...]
    """Findings that are not inline flags: uncited, banner over the claim, weak sourcing."""
    grade: Badge | None
    triage: TriageView | None
    head_triage: Badge | None
    """The triage chip next to the severity: the claim's, else its flags' when all are waived."""
    dismissed: bool
    """Waived or marked false positive: hidden by the page script until asked for."""
    segments: tuple[Segment, ...]
    citations: tuple[CitationView, ...]
    links: tuple[Link, ...]
    """`view in article` and `edit section`, when the wiki has them."""
    # Filter tokens (space-separated, each from token()):
    data_flags: str
    """`type:status` pairs."""
    data_section: str
    data_severity: str
    data_triage: str
    data_sourcing: str
    data_pos: int
    """Article order, for the by-section view."""


def is_finding(row: ClaimRow) -> bool:
    """Belongs on the work queue: flagged, changed, uncited, or resting on weak sources."""
    return row.needs_attention or row.severity > 0 or row.weak_sourcing


def age_text(days: int) -> str:
    """`6 years`, `4 months`, `12 days`: how long a flag has been up."""
    if days >= 365:
        years = days // 365  # leap days never add up to a year within a flag's lifetime
        return f"{years} year" if years == 1 else f"{years} years"
    if days >= 31:
        months = days // 30
        return f"{months} month" if months == 1 else f"{months} months"
    return f"{days} day" if days == 1 else f"{days} days"


def severity_badge(severity: int) -> Badge:
    """The severity chip of a finding: icon, word and colour."""
    text = SEVERITY_TEXT.get(severity, "review")
    tooltip = (
        "nothing to fix: the text or its flags changed, review it"
        if severity == 0
        else f"severity {severity} of 4"
    )
    return Badge(SEVERITY_ICON.get(severity, "◇"), text, f"sev sev-{severity}", tooltip)


def triage_view(triage: Triage) -> TriageView:
    """How an editor's triage reads on the page."""
    meta = " · ".join(
        part for part in (f"by {triage.by}" if triage.by else "", triage.updated or "") if part
    )
    return TriageView(
        Badge(
            "✎",
            f"triage: {TRIAGE_TEXT.get(triage.status, triage.status)}",
            f"triage tr-{token(triage.status)}",
        ),
        triage.note,
        meta,
    )


def _flag_view(flag: FlagRow) -> FlagView:
    status = FLAG_STATUS_TEXT.get(flag.status, flag.status)
    facts = []
    if flag.status in ("open", "resolved"):
        facts.append(Fact("cited" if flag.cited else "no citation"))
    if flag.date and flag.age_days is not None:
        facts.append(Fact(f"tagged {flag.date} · {age_text(flag.age_days)}"))
    elif flag.date:
        facts.append(Fact(f"tagged {flag.date}"))
    else:
        facts.append(Fact("undated"))
    if flag.stale:
        facts.append(Fact(f"possibly stale — check and remove: {flag.stale}", "fact stale"))
    if flag.hint == "likely-resolvable":
        facts.append(Fact("likely resolvable: the sources are now rated reliable", "fact hint"))
    if flag.triage is not None:
        verdict = f"triage: {TRIAGE_TEXT.get(flag.triage.status, flag.triage.status)}"
        facts.append(
            Fact(f"{verdict} — {flag.triage.note}" if flag.triage.note else verdict, "fact triaged")
        )
    tooltip = f"severity: {SEVERITY_NAMES.get(flag.severity, flag.severity)}"
    badge = Badge(
        FLAG_ICON.get(flag.status, "•"),
        f"{flag.label} · {status}",
        f"badge flag-{token(flag.status)} fsev-{flag.severity}",
        tooltip,
    )
    return FlagView(badge, tuple(facts))


def _deprecated(row: ClaimRow) -> bool:
    return row.status != "removed" and any(
        r is not None and r.status in ("deprecated", "blacklisted") and not r.before_change
        for r in row.reliabilities
    )


def _derived_badges(row: ClaimRow) -> tuple[Badge, ...]:
    badges = []
    if row.uncited:
        badges.append(
            Badge(
                "∅",
                "uncited · no reference backs this claim",
                "badge flag-open fsev-2 uncited",
                "a statement outside the lead with no citation in its paragraph",
            )
        )
    if row.weak_sourcing:
        badges.append(
            Badge(
                "✗",
                "weak sourcing · only unreliable sources, no flag",
                "badge flag-open fsev-3 weak",
                "cited only to unreliable, deprecated or self-published sources",
            )
        )
    if _deprecated(row):
        badges.append(
            Badge(
                "⊘",
                "cites a deprecated or blacklisted source",
                "badge flag-open fsev-4 deprecated",
                "WP:DEPS: replace the source or remove the claim",
            )
        )
    for banner in row.banners:
        badges.append(
            Badge(
                "▤",
                f"{canonical_label(banner)} · banner over this part",
                "badge banner fsev-1",
                "a maintenance banner covers this section",
            )
        )
    return tuple(badges)


def reliability_view(reliability: Reliability | None) -> ReliabilityView:
    """The chip of one citation: status words (+ source, since), RSP shortcut link, notes."""
    if reliability is None:
        return ReliabilityView(Badge("·", "not rated", "rel rel-unknown"), None, ())
    status = reliability.status
    words = RELIABILITY_TEXT.get(status, status)
    if status in ("deprecated", "blacklisted") and reliability.since:
        words += f" since {reliability.since}"
    parts = [words]
    overridden = reliability.provenance == "override" or reliability.source == "editor override"
    if reliability.source and not overridden:
        parts.append(reliability.source)
    if reliability.category and reliability.category != status:
        parts.append(RELIABILITY_TEXT.get(reliability.category, reliability.category))
    notes: list[str] = []
    if overridden:
        was = RELIABILITY_TEXT.get(reliability.overridden or "", reliability.overridden)
        parts.append(f"editor override (was {was})" if was else "editor override")
        if reliability.note and not reliability.note.startswith("editor override"):
            notes.append(reliability.note)
    elif reliability.note:
        notes.append(reliability.note)
    if reliability.scope:
        notes.append(f"rating for {reliability.scope}")
    css = f"rel rel-{token('category' if status in CATEGORIES else status)}"
    if reliability.before_change:
        css += " rel-before"
    shortcut = None
    if reliability.shortcut and re.fullmatch(r"WP:[A-Za-z0-9_./-]+", reliability.shortcut):
        shortcut = Link(reliability.shortcut, safe_href(RSP_WIKI + reliability.shortcut))
    icon = RELIABILITY_ICON.get(status, "◐")
    return ReliabilityView(Badge(icon, " · ".join(parts), css), shortcut, tuple(notes))


def _citation_views(row: ClaimRow) -> tuple[CitationView, ...]:
    judged = list(row.reliabilities)
    judged += [None] * (len(row.citations) + len(row.paragraph_citations) - len(judged))
    views = []
    for i, c in enumerate(row.citations + row.paragraph_citations):
        href = safe_href(c.url)
        text = c.title or c.url or c.text or "(untitled source)"
        unlinked = c.url if c.url and href is None and text != c.url else None
        archive_href = safe_href(c.archive_url)
        views.append(
            CitationView(
                Link(text, href),
                citation_domain(c) or "",
                unlinked,
                "" if i < len(row.citations) else "reference later in the paragraph",
                reliability_view(judged[i]),
                Link("archived copy", archive_href) if archive_href else None,
                c.dead,
            )
        )
    return tuple(views)


def segments(row: ClaimRow) -> tuple[Segment, ...]:
    """The claim text as word-diff runs (snapshot → current)."""
    tags = {"delete": "del", "insert": "ins"}
    if row.diff:
        ops = [Segment(tags.get(op.op, ""), op.text) for op in row.diff]
    elif row.status == "removed":
        ops = [Segment("del", row.text)]
    elif row.status == "added":
        ops = [Segment("ins", row.text)]
    elif row.status == "reworded" and row.current_text is not None:
        ops = [Segment("del", row.text), Segment("ins", row.current_text)]
    else:
        ops = [Segment("", row.current_text or row.text)]
    # A word diff may hand over bare words: put a space back where two words would touch, and
    # between a deletion and the insertion replacing it, so "September.September" cannot occur.
    result: list[Segment] = []
    for seg in ops:
        prev = result[-1] if result else None
        if (
            prev
            and prev.text
            and seg.text
            and not (prev.text[-1].isspace() or seg.text[0].isspace())
        ):
            touching = _WORD_EDGE.match(prev.text[-1]) and _WORD_EDGE.match(seg.text[0])
            if touching or {prev.tag, seg.tag} == {"del", "ins"}:
                result.append(Segment("", " "))
        result.append(seg)
    return tuple(result)


def _status_text(row: ClaimRow) -> str:
    text = {
        "reworded": f"reworded (similarity {row.similarity:.2f})",
        "unchecked": "unchecked (offline)",
    }.get(row.status, row.status)
    if row.moved and row.current_section:
        text += f" · moved to {row.current_section}"
    return text


def _dismissed(row: ClaimRow) -> bool:
    if row.triage is not None:
        return row.triage.status in DISMISSED
    return (
        bool(row.flags)
        and not (row.uncited or row.weak_sourcing)
        and all(f.triage is not None and f.triage.status in DISMISSED for f in row.flags)
    )


def _sourcing_tokens(row: ClaimRow) -> str:
    tokens = [f"grade-{token(row.grade)}"] if row.grade else []
    if row.uncited:
        tokens.append("uncited")
    if row.weak_sourcing:
        tokens.append("weak")
    if _deprecated(row):
        tokens.append("deprecated")
    return " ".join(tokens)


def _head_triage(row: ClaimRow, dismissed: bool) -> Badge | None:
    if row.triage is not None:
        return triage_view(row.triage).badge
    if not dismissed:
        return None
    verdicts = dict.fromkeys(TRIAGE_TEXT.get(f.triage.status, "") for f in row.flags if f.triage)
    noun = "flag" if len(row.flags) == 1 else "flags"
    return Badge("✎", f"triage: {noun} {' / '.join(verdicts)}", "triage tr-waived")


def claim_view(row: ClaimRow, dom_id: str, section_token: str, pos: int) -> ClaimView:
    """Everything the template prints for one claim."""
    links = []
    if href := safe_href(row.live_url):
        links.append(Link("view in article", href))
    if href := safe_href(row.edit_url):
        links.append(Link("edit section", href))
    triage_tokens = [row.triage.status if row.triage else "open"]
    triage_tokens += [f.triage.status for f in row.flags if f.triage is not None]
    dismissed = _dismissed(row)
    return ClaimView(
        dom_id=dom_id,
        css=f"claim finding edge-{row.severity}" + (" dismissed" if dismissed else ""),
        kind=row.kind,
        section=row.section,
        status_text=_status_text(row),
        status_css=f"status st-{token(row.status)}" + (" st-moved" if row.moved else ""),
        severity=severity_badge(row.severity),
        flags=tuple(_flag_view(flag) for flag in row.flags),
        badges=_derived_badges(row),
        grade=Badge(
            GRADE_ICON.get(row.grade, "?"),
            f"sourcing: {GRADE_TEXT.get(row.grade, row.grade)}",
            f"grade gr-{token(row.grade)}",
        )
        if row.grade
        else None,
        triage=triage_view(row.triage) if row.triage is not None else None,
        head_triage=_head_triage(row, dismissed),
        dismissed=dismissed,
        segments=segments(row),
        citations=_citation_views(row),
        links=tuple(links),
        data_flags=" ".join(f"{token(f.type)}:{token(f.status)}" for f in row.flags),
        data_section=section_token,
        data_severity=str(row.severity),
        data_triage=" ".join(dict.fromkeys(token(t) for t in triage_tokens)),
        data_sourcing=_sourcing_tokens(row),
        data_pos=pos,
    )
