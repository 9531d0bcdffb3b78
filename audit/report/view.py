"""The HTML report's view model: every label, class, count, URL and diff segment, precomputed.

The jinja2 template only loops over these frozen records and prints their fields (autoescaped);
any decision about what to show or how to word it is made here, where it can be tested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from audit.catalogue import SEVERITY_NAMES, canonical_label
from audit.model import BannerCheck, DocumentCheck
from audit.report.rows import (
    FLAG_STATUSES,
    ClaimRow,
    Counts,
    FlagRow,
    article_url,
    citation_domain,
    claim_rows,
    count_rows,
    diff_url,
    revision_url,
    safe_href,
)

_STATUS_TEXT = {
    "checked": "Checked against the current revision.",
    "offline": "Offline: not compared with the live wiki; claims and flags are as the snapshot "
    "shows them.",
    "missing": "Missing: the page was not found on the wiki (deleted, or renamed without a "
    "redirect).",
    "error": "Error: the check could not be completed.",
}
_FLAG_ICON = {"open": "⚠", "resolved": "✓", "removed": "✕", "new": "✚"}
_FLAG_STATUS_LABEL = {
    "open": "open",
    "resolved": "resolved",
    "removed": "removed with claim",
    "new": "new",
}
_NO_CURRENT = {"offline": "not fetched (offline)", "missing": "page not found"}
_WORD_EDGE = re.compile(r"\w")
_DOC_ORDER = {"checked": 0, "offline": 1, "missing": 2, "error": 3}


@dataclass(frozen=True)
class Link:
    """A piece of text, with an href only when the URL is safe to follow."""

    text: str
    href: str | None = None


@dataclass(frozen=True)
class Stat:
    """One labelled count of a summary."""

    label: str
    value: str
    css: str


@dataclass(frozen=True)
class Badge:
    """A flag badge: colour class plus icon and words, so meaning is never colour-only."""

    icon: str
    text: str
    css: str
    tooltip: str


@dataclass(frozen=True)
class Segment:
    """One run of the word diff: `tag` is `del`, `ins` or empty for unchanged words."""

    tag: str
    text: str


@dataclass(frozen=True)
class CitationView:
    """A cited source: a link (http/https only) and the domain it points to."""

    link: Link
    domain: str
    unlinked_url: str | None
    """A URL that may not become an href (e.g. `javascript:`), shown as text so it is seen."""


@dataclass(frozen=True)
class ClaimView:
    """One claim as the template prints it."""

    dom_id: str
    kind: str
    status_text: str
    status_css: str
    data_flags: str
    """`type:status` pairs for the client-side filters."""
    badges: tuple[Badge, ...]
    segments: tuple[Segment, ...]
    citations: tuple[CitationView, ...]


@dataclass(frozen=True)
class SectionView:
    """Claims of one section, in article order."""

    name: str
    claims: tuple[ClaimView, ...]


@dataclass(frozen=True)
class DocumentView:
    """One article: header facts, weak/changed claims by section, the rest collapsed."""

    dom_id: str
    title: Link
    wiki: str
    status: str
    status_text: str
    status_css: str
    error: str | None
    warnings: tuple[str, ...]
    banners: tuple[str, ...]
    """One line per article/section banner with its scope and fate."""
    snapshot: str
    current: Link
    diff: Link | None
    stats: tuple[Stat, ...]
    attention_heading: str
    attention: tuple[SectionView, ...]
    quiet_summary: str
    quiet: tuple[SectionView, ...]


@dataclass(frozen=True)
class Option:
    """A choice in a filter control."""

    value: str
    text: str


@dataclass(frozen=True)
class ReportView:
    """Everything the template prints."""

    page_title: str
    generated: str
    tool_version: str
    headline: str
    stats: tuple[Stat, ...]
    documents: tuple[DocumentView, ...]
    flag_types: tuple[Option, ...]
    flag_statuses: tuple[Option, ...]
    attention_total: int


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def stats_of(counts: Counts) -> tuple[Stat, ...]:
    """Summary counts as labelled figures, in the order of the stderr summary line."""
    stats = [
        Stat("claims", str(counts.claims), "claims"),
        Stat("flagged", str(counts.flagged), "flagged"),
        Stat("open flags", str(counts.open_flags), "flag-open"),
        Stat(
            "resolved flags",
            f"{counts.resolved_flags} ({counts.resolved_cited} cited)",
            "flag-resolved",
        ),
        Stat("flags removed with their claim", str(counts.removed_flags), "flag-removed"),
        Stat("new flags", str(counts.new_flags), "flag-new"),
        Stat("unchanged", str(counts.unchanged), "st-unchanged"),
        Stat("reworded", str(counts.reworded), "st-reworded"),
        Stat("removed", str(counts.removed), "st-removed"),
        Stat("added", str(counts.added), "st-added"),
        Stat("moved", str(counts.moved), "st-moved"),
    ]
    if counts.unchecked:
        stats.append(Stat("unchecked (offline)", str(counts.unchecked), "st-unchecked"))
    return tuple(stats)


def _badge(flag: FlagRow) -> Badge:
    status = _FLAG_STATUS_LABEL.get(flag.status, flag.status)
    if flag.status == "resolved":
        status += ", cited" if flag.cited else ", no citation"
    tooltip = f"severity: {SEVERITY_NAMES.get(flag.severity, flag.severity)}"
    if flag.date:
        tooltip += f"; tagged {flag.date}"
    return Badge(
        _FLAG_ICON.get(flag.status, "•"),
        f"{flag.label} · {status}",
        f"badge flag-{_token(flag.status)} sev-{flag.severity}",
        tooltip,
    )


def _derived_badges(row: ClaimRow) -> tuple[Badge, ...]:
    """Findings that are not inline flags: no reference at all, banners over the claim."""
    badges = []
    if row.uncited:
        badges.append(
            Badge(
                "∅",
                "uncited · no reference backs this claim",
                "badge flag-open sev-2 uncited",
                "a statement outside the lead with no citation in its paragraph",
            )
        )
    for banner in row.banners:
        badges.append(
            Badge(
                "▤",
                f"{canonical_label(banner)} · banner over this part",
                "badge banner sev-1",
                "a maintenance banner covers this section",
            )
        )
    return tuple(badges)


def _token(text: str) -> str:
    """A value safe to use as a class name or a space-separated data token."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text) or "-"


def _segments(row: ClaimRow) -> tuple[Segment, ...]:
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
    segments: list[Segment] = []
    for seg in ops:
        prev = segments[-1] if segments else None
        if (
            prev
            and prev.text
            and seg.text
            and not (prev.text[-1].isspace() or seg.text[0].isspace())
        ):
            touching = _WORD_EDGE.match(prev.text[-1]) and _WORD_EDGE.match(seg.text[0])
            if touching or {prev.tag, seg.tag} == {"del", "ins"}:
                segments.append(Segment("", " "))
        segments.append(seg)
    return tuple(segments)


def _status_text(row: ClaimRow) -> str:
    text = {
        "reworded": f"reworded (similarity {row.similarity:.2f})",
        "unchecked": "unchecked (offline)",
    }.get(row.status, row.status)
    if row.moved and row.current_section:
        text += f" · moved to {row.current_section}"
    return text


def _claim_view(row: ClaimRow, dom_id: str) -> ClaimView:
    citations = []
    for c in row.citations:
        href = safe_href(c.url)
        text = c.title or c.url or c.text or "(untitled source)"
        unlinked = c.url if c.url and href is None and text != c.url else None
        citations.append(CitationView(Link(text, href), citation_domain(c) or "", unlinked))
    return ClaimView(
        dom_id=dom_id,
        kind=row.kind,
        status_text=_status_text(row),
        status_css=f"status st-{_token(row.status)}" + (" st-moved" if row.moved else ""),
        data_flags=" ".join(
            [f"{_token(f.type)}:{_token(f.status)}" for f in row.flags]
            + (["uncited:open"] if row.uncited else [])
        ),
        badges=tuple(_badge(flag) for flag in row.flags) + _derived_badges(row),
        segments=_segments(row),
        citations=tuple(citations),
    )


def _group(pairs: Iterable[tuple[ClaimRow, ClaimView]]) -> tuple[SectionView, ...]:
    groups: dict[str, list[ClaimView]] = {}
    for row, view in pairs:
        groups.setdefault(row.section, []).append(view)
    return tuple(SectionView(name, tuple(views)) for name, views in groups.items())


def _document_view(index: int, check: DocumentCheck, rows: tuple[ClaimRow, ...]) -> DocumentView:
    dom = f"doc-{index}"
    used: dict[str, int] = {}
    pairs = []
    for row in rows:
        base = f"{dom}-{_token(row.id)}"
        used[base] = used.get(base, 0) + 1
        pairs.append((row, _claim_view(row, base if used[base] == 1 else f"{base}-{used[base]}")))
    attention = [p for p in pairs if p[0].needs_attention]
    quiet = [p for p in pairs if not p[0].needs_attention]
    snap_rev, current = check.snapshot_revision, check.current
    snapshot = f"revision {snap_rev}" if snap_rev is not None else "revision unknown"
    if check.snapshot_timestamp:
        snapshot += f" ({check.snapshot_timestamp})"
    if current is not None:
        current_link = Link(
            f"revision {current.revid} ({current.timestamp})",
            safe_href(revision_url(check.wiki, current.revid)),
        )
        if current.title != check.title:
            current_link = Link(
                f"{current_link.text}, now titled “{current.title}”", current_link.href
            )
    else:
        current_link = Link(_NO_CURRENT.get(check.status, "not available"))
    diff = None
    if current is not None and snap_rev is not None:
        label = (
            "no edits since the snapshot"
            if current.revid == snap_rev
            else f"wiki diff {snap_rev} → {current.revid}"
        )
        diff = Link(label, safe_href(diff_url(check.wiki, snap_rev, current.revid)))
    return DocumentView(
        dom_id=dom,
        title=Link(check.title, safe_href(article_url(check.wiki, check.title))),
        wiki=check.wiki,
        status=check.status,
        status_text=_STATUS_TEXT.get(check.status, check.status),
        status_css=f"doc-status ds-{_token(check.status)}",
        error=check.error or None,
        warnings=tuple(check.warnings),
        banners=tuple(_banner_line(item) for item in check.banners),
        snapshot=snapshot,
        current=current_link,
        diff=diff,
        stats=stats_of(count_rows(rows)),
        attention_heading=f"Weak and changed claims ({len(attention)})",
        attention=_group(attention),
        quiet_summary=f"{_plural(len(quiet), 'unchanged claim')} without flags",
        quiet=_group(quiet),
    )


def _banner_line(item: BannerCheck) -> str:
    banner = item.banner
    where = (
        "whole article" if banner.scope == "article" else "section " + " › ".join(banner.section)
    )
    dated = f", tagged {banner.date}" if banner.date else ""
    return f"{canonical_label(banner.type)} ({where}{dated}): {item.status}"


def build_view(checks: Sequence[DocumentCheck], *, generated: str, tool_version: str) -> ReportView:
    """The whole HTML report as display records."""
    all_rows = [claim_rows(check) for check in checks]
    total = sum((count_rows(rows) for rows in all_rows), Counts())
    documents = tuple(
        _document_view(i, c, r) for i, (c, r) in enumerate(zip(checks, all_rows, strict=True), 1)
    )
    seen: dict[str, FlagRow] = {}
    for rows in all_rows:
        for row in rows:
            for flag in row.flags:
                seen.setdefault(flag.type, flag)
    types = sorted(seen.values(), key=lambda f: (-f.severity, f.label, f.type))
    attention_total = sum(len(s.claims) for d in documents for s in d.attention)
    title = checks[0].title if len(checks) == 1 else _plural(len(checks), "article")
    return ReportView(
        page_title=f"Citation audit — {title}",
        generated=generated,
        tool_version=tool_version,
        headline=headline(checks),
        stats=stats_of(total),
        documents=documents,
        flag_types=tuple(Option(_token(f.type), f.label) for f in types)
        + (
            (Option("uncited", "uncited (no reference)"),)
            if any(row.uncited for rows in all_rows for row in rows)
            else ()
        ),
        flag_statuses=tuple(Option(s, _FLAG_STATUS_LABEL[s]) for s in FLAG_STATUSES)
        + (Option("none", "no flag (text changed)"),),
        attention_total=attention_total,
    )


def headline(checks: Sequence[DocumentCheck]) -> str:
    """`1 article checked`, or `3 articles: 1 checked, 1 offline, 1 missing`."""
    if not checks:
        return "no articles"
    by_status: dict[str, int] = {}
    for check in sorted(checks, key=lambda c: _DOC_ORDER.get(c.status, len(_DOC_ORDER))):
        by_status[check.status] = by_status.get(check.status, 0) + 1
    if len(by_status) == 1:
        ((status, n),) = by_status.items()
        return f"{_plural(n, 'article')} {status}"
    parts = ", ".join(f"{n} {status}" for status, n in by_status.items())
    return f"{_plural(len(checks), 'article')}: {parts}"
