"""The HTML report's view model: every label, class, count, URL and diff segment, precomputed.

The jinja2 template only loops over these frozen records and prints their fields (autoescaped);
any decision about what to show or how to word it is made here, where it can be tested.
Per-claim records live in findings.py, the summary charts in charts.py.

The page is the editors' work queue: per article, the findings (flagged, changed, uncited or
weakly sourced claims) worst first; the rest of the claims collapsed below them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from audit.catalogue import canonical_label
from audit.model import TRIAGE_STATUSES, BannerCheck, DocumentCheck
from audit.report.charts import Chart, age_chart, mix_chart, section_chart
from audit.report.findings import (
    DISMISSED,
    FLAG_STATUS_TEXT,
    SEVERITY_TEXT,
    TRIAGE_TEXT,
    Badge,
    ClaimView,
    Link,
    claim_view,
    is_finding,
    severity_badge,
    token,
)
from audit.report.rows import (
    FLAG_STATUSES,
    ClaimRow,
    Counts,
    FlagRow,
    article_url,
    claim_rows,
    count_rows,
    diff_url,
    revision_url,
    safe_href,
)
from audit.sourcing import source_mix

_STATUS_TEXT = {
    "checked": "Checked against the current revision.",
    "offline": "Offline: not compared with the live wiki; claims and flags are as the snapshot "
    "shows them.",
    "missing": "Missing: the page was not found on the wiki (deleted, or renamed without a "
    "redirect).",
    "error": "Error: the check could not be completed.",
}
_NO_CURRENT = {"offline": "not fetched (offline)", "missing": "page not found"}
_DOC_ORDER = {"checked": 0, "offline": 1, "missing": 2, "error": 3}
_SOURCING_OPTIONS = (
    ("uncited", "uncited (no reference)"),
    ("weak", "weak sourcing (unflagged, only unreliable sources)"),
    ("deprecated", "cites a deprecated or blacklisted source"),
    ("grade-only-unreliable", "grade: only unreliable sources"),
    ("grade-mixed", "grade: mixed sources"),
    ("grade-unknown", "grade: sources not rated"),
    ("grade-well-sourced", "grade: well sourced"),
)
KEYS = (
    ("j", "next finding"),
    ("k", "previous finding"),
    ("↓ ↑", "next / previous while a finding has focus"),
    ("/", "search"),
    ("Esc", "clear the search"),
)
RSP_PAGE = "https://en.wikipedia.org/wiki/Wikipedia:Reliable_sources/Perennial_sources"
CITE_UNSEEN_PAGE = "https://en.wikipedia.org/wiki/User:SuperHamster/CiteUnseen"
LICENCE_PAGE = "https://creativecommons.org/licenses/by-sa/4.0/"


@dataclass(frozen=True)
class Stat:
    """One labelled count of a summary."""

    label: str
    value: str
    css: str


@dataclass(frozen=True)
class SectionView:
    """Claims of one section, in article order; `dom_id` names its by-section shell."""

    dom_id: str
    name: str
    claims: tuple[ClaimView, ...]


@dataclass(frozen=True)
class DocumentView:
    """One article: header facts, its findings worst first, the other claims collapsed."""

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
    findings_heading: str
    findings: tuple[ClaimView, ...]
    """Worst first: score descending, then article order."""
    finding_sections: tuple[SectionView, ...]
    """Empty shells, one per section with findings, that the script fills for the by-section
    view (the claims themselves are rendered once, in `findings`)."""
    quiet_summary: str
    quiet: tuple[SectionView, ...]


@dataclass(frozen=True)
class Option:
    """A choice in a filter control."""

    value: str
    text: str


@dataclass(frozen=True)
class Filters:
    """The choices of every filter control (their values are tokens the script compares)."""

    flag_types: tuple[Option, ...]
    flag_statuses: tuple[Option, ...]
    sections: tuple[Option, ...]
    severities: tuple[Option, ...]
    triage: tuple[Option, ...]
    sourcing: tuple[Option, ...]
    dismissed_statuses: str
    """Triage tokens that are hidden by default (for the script)."""


@dataclass(frozen=True)
class ReportView:
    """Everything the template prints."""

    page_title: str
    generated: str
    tool_version: str
    headline: str
    stats: tuple[Stat, ...]
    severity_stats: tuple[Stat, ...]
    charts: tuple[Chart, ...]
    documents: tuple[DocumentView, ...]
    filters: Filters
    findings_total: int
    count_text: str
    keys: tuple[tuple[str, str], ...]
    reliability_data: str
    attribution: tuple[Link, ...]
    """RSP, Cite Unseen and the licence, in the footer's sentence order."""


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
    if counts.uncited:
        stats.append(Stat("uncited", str(counts.uncited), "flag-open"))
    if counts.weak_sourcing:
        stats.append(Stat("weakly sourced", str(counts.weak_sourcing), "flag-open"))
    if counts.likely_resolvable:
        stats.append(Stat("likely resolvable", str(counts.likely_resolvable), "flag-resolved"))
    if counts.unchecked:
        stats.append(Stat("unchecked (offline)", str(counts.unchecked), "st-unchecked"))
    return tuple(stats)


def _rank_key(item: tuple[int, ClaimRow]) -> tuple[int, int]:
    return -item[1].score, item[0]


def _document_view(
    index: int, check: DocumentCheck, rows: tuple[ClaimRow, ...], section_ids: dict[str, str]
) -> DocumentView:
    dom = f"doc-{index}"
    used: dict[str, int] = {}
    views: list[tuple[int, ClaimRow, ClaimView]] = []
    for pos, row in enumerate(rows):
        base = f"{dom}-{token(row.id)}"
        used[base] = used.get(base, 0) + 1
        dom_id = base if used[base] == 1 else f"{base}-{used[base]}"
        section = section_ids.setdefault(row.section, f"{dom}-sec-{len(section_ids) + 1}")
        views.append((pos, row, claim_view(row, dom_id, section, pos)))
    findings = sorted(((p, r) for p, r, _ in views if is_finding(r)), key=_rank_key)
    by_pos = {p: v for p, _, v in views}
    shells: dict[str, SectionView] = {}
    quiet: dict[str, list[ClaimView]] = {}
    for _, row, view in views:
        if is_finding(row):
            shells.setdefault(row.section, SectionView(view.data_section, row.section, ()))
        else:
            quiet.setdefault(row.section, []).append(view)
    n_quiet = sum(len(claims) for claims in quiet.values())
    return DocumentView(
        dom_id=dom,
        title=Link(check.title, safe_href(article_url(check.wiki, check.title))),
        wiki=check.wiki,
        status=check.status,
        status_text=_STATUS_TEXT.get(check.status, check.status),
        status_css=f"doc-status ds-{token(check.status)}",
        error=check.error or None,
        warnings=tuple(check.warnings),
        banners=tuple(_banner_line(item) for item in check.banners),
        snapshot=_snapshot_text(check),
        current=_current_link(check),
        diff=_diff_link(check),
        stats=stats_of(count_rows(rows)),
        findings_heading=f"Findings ({len(findings)})",
        findings=tuple(by_pos[p] for p, _ in findings),
        finding_sections=tuple(shells.values()),
        quiet_summary=f"{_plural(n_quiet, 'other claim')} (unchanged, no findings)",
        quiet=tuple(SectionView("", name, tuple(claims)) for name, claims in quiet.items()),
    )


def _snapshot_text(check: DocumentCheck) -> str:
    rev = check.snapshot_revision
    text = f"revision {rev}" if rev is not None else "revision unknown"
    return text + (f" ({check.snapshot_timestamp})" if check.snapshot_timestamp else "")


def _current_link(check: DocumentCheck) -> Link:
    current = check.current
    if current is None:
        return Link(_NO_CURRENT.get(check.status, "not available"))
    text = f"revision {current.revid} ({current.timestamp})"
    if current.title != check.title:
        text += f", now titled “{current.title}”"
    return Link(text, safe_href(revision_url(check.wiki, current.revid)))


def _diff_link(check: DocumentCheck) -> Link | None:
    current, snap_rev = check.current, check.snapshot_revision
    if current is None or snap_rev is None:
        return None
    label = (
        "no edits since the snapshot"
        if current.revid == snap_rev
        else f"wiki diff {snap_rev} → {current.revid}"
    )
    return Link(label, safe_href(diff_url(check.wiki, snap_rev, current.revid)))


def _banner_line(item: BannerCheck) -> str:
    banner = item.banner
    where = (
        "whole article" if banner.scope == "article" else "section " + " › ".join(banner.section)
    )
    dated = f", tagged {banner.date}" if banner.date else ""
    return f"{canonical_label(banner.type)} ({where}{dated}): {item.status}"


def _filters(
    checks: Sequence[DocumentCheck],
    all_rows: Sequence[tuple[ClaimRow, ...]],
    section_ids: Sequence[dict[str, str]],
) -> Filters:
    seen: dict[str, FlagRow] = {}
    findings = [row for rows in all_rows for row in rows if is_finding(row)]
    for row in findings:
        for flag in row.flags:
            seen.setdefault(flag.type, flag)
    types = sorted(seen.values(), key=lambda f: (-f.severity, f.label, f.type))
    sections = []
    for check, rows, ids in zip(checks, all_rows, section_ids, strict=True):
        with_findings = dict.fromkeys(row.section for row in rows if is_finding(row))
        for name in with_findings:
            text = name if len(checks) == 1 else f"{check.title} › {name}"
            sections.append(Option(ids[name], text))
    severities = sorted({row.severity for row in findings}, reverse=True)
    return Filters(
        flag_types=tuple(Option(token(f.type), f.label) for f in types),
        flag_statuses=tuple(Option(s, FLAG_STATUS_TEXT[s]) for s in FLAG_STATUSES)
        + (Option("none", "no inline flag"),),
        sections=tuple(sections),
        severities=tuple(Option(str(s), SEVERITY_TEXT[s]) for s in severities),
        triage=tuple(
            Option(s, TRIAGE_TEXT.get(s, s) + (" (untriaged)" if s == "open" else ""))
            for s in TRIAGE_STATUSES
        ),
        sourcing=tuple(Option(value, text) for value, text in _SOURCING_OPTIONS),
        dismissed_statuses=" ".join(sorted(DISMISSED)),
    )


def _severity_stats(rows: Sequence[ClaimRow]) -> tuple[Stat, ...]:
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.severity] = counts.get(row.severity, 0) + 1
    stats = []
    for severity in sorted(counts, reverse=True):
        badge: Badge = severity_badge(severity)
        stats.append(Stat(f"{badge.icon} {badge.text}", str(counts[severity]), badge.css))
    return tuple(stats)


def build_view(checks: Sequence[DocumentCheck], *, generated: str, tool_version: str) -> ReportView:
    """The whole HTML report as display records."""
    all_rows = [claim_rows(check) for check in checks]
    total = sum((count_rows(rows) for rows in all_rows), Counts())
    section_ids: list[dict[str, str]] = [{} for _ in checks]
    documents = tuple(
        _document_view(i, c, r, ids)
        for i, (c, r, ids) in enumerate(zip(checks, all_rows, section_ids, strict=True), 1)
    )
    findings = [row for rows in all_rows for row in rows if is_finding(row)]
    mix: dict[str, int] = {}
    for check in checks:
        for status, n in source_mix(check.claims).items():
            mix[status] = mix.get(status, 0) + n
    sections: list[tuple[str, list[ClaimRow]]] = []
    for check, rows in zip(checks, all_rows, strict=True):
        grouped: dict[str, list[ClaimRow]] = {}
        for row in rows:
            grouped.setdefault(row.section, []).append(row)
        prefix = f"{check.title} › " if len(checks) > 1 else ""
        sections += [(prefix + name, group) for name, group in grouped.items()]
    versions = dict.fromkeys(c.reliability_data for c in checks if c.reliability_data)
    title = checks[0].title if len(checks) == 1 else _plural(len(checks), "article")
    n = len(findings)
    return ReportView(
        page_title=f"Citation audit — {title}",
        generated=generated,
        tool_version=tool_version,
        headline=headline(checks),
        stats=stats_of(total),
        severity_stats=_severity_stats(findings),
        charts=(
            age_chart([row for rows in all_rows for row in rows]),
            section_chart(sections),
            mix_chart(mix),
        ),
        documents=documents,
        filters=_filters(checks, all_rows, section_ids),
        findings_total=n,
        count_text=f"{n} of {n} findings shown",
        keys=KEYS,
        reliability_data=", ".join(versions) or "not recorded for this run",
        attribution=(
            Link("Wikipedia:Reliable sources/Perennial sources", RSP_PAGE),
            Link("Cite Unseen", CITE_UNSEEN_PAGE),
            Link("CC BY-SA 4.0", LICENCE_PAGE),
        ),
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
