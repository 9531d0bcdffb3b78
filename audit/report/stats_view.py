"""stats.html: the `audit stats` aggregates as one self-contained page, from a view model.

Python computes every string here (the same formatting as the text output); the template only
loops over sections, charts and tables. Charts come from `charts.bar_chart`, so they look and
read like the report's: inline SVG with a title and a description, and a table fallback.
The page has no script at all: everything is readable without JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from audit import __version__
from audit.report.charts import Chart, bar_chart, mix_chart
from audit.report.findings import GRADE_TEXT, RELIABILITY_TEXT
from audit.report.html_report import csp_hash, template_asset, template_environment
from audit.report.stats_output import (
    NO_HISTORY,
    OUTCOME_TEXT,
    count,
    days,
    decimal,
    headline,
    history_note,
    percent,
    plural,
    reliability_versions,
    resolved_count,
)
from audit.stats.aggregate import AGE_LABELS, Stats, TypeRate
from audit.stats.inputs import ScanDirectory

_TEMPLATE = "stats.html.j2"
CHART_ROWS = 15
"""Bars per chart at most; the tables list every row."""


@dataclass(frozen=True)
class Cell:
    """One table cell: its text and its column's class (`num` right-aligned, `hash` mono)."""

    text: str
    css: str = ""


@dataclass(frozen=True)
class Table:
    """A data table: caption, headings and rows; the first cell of a row is its header."""

    caption: str
    headings: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Section:
    """One part of the page: heading, words, charts, tables."""

    dom_id: str
    title: str
    notes: tuple[str, ...]
    charts: tuple[Chart, ...]
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class Fact:
    """A headline number with its label."""

    value: str
    label: str


@dataclass(frozen=True)
class StatsView:
    """Everything the stats template prints."""

    page_title: str
    headline: str
    facts: tuple[Fact, ...]
    sections: tuple[Section, ...]
    tool_version: str
    reliability_data: str


def _table(caption: str, headings: Sequence[str], rows: Sequence[Sequence[str]],
           css: Sequence[str] | None = None) -> Table:
    """A table whose columns have the classes `css` (default: a name, then numbers)."""
    classes = list(css) if css is not None else ["", *(["num"] * (len(headings) - 1))]
    return Table(
        caption,
        tuple(Cell(h, c) for h, c in zip(headings, classes)),
        tuple(tuple(Cell(text, c) for text, c in zip(row, classes)) for row in rows),
    )


def _rate_row(row: TypeRate) -> list[str]:
    return [row.flag_type, count(row.flags), decimal(row.per_1000), count(row.articles),
            decimal(row.median), decimal(row.p90)]


def _rates(stats: Stats) -> Section:
    t = stats.totals
    rated = [row for row in stats.rates if row.per_1000 is not None][:CHART_ROWS]
    chart = bar_chart(
        "chart-rates", f"Flags per 1,000 claims by type (top {CHART_ROWS})", "Flag type",
        [(row.flag_type, row.per_1000 or 0.0, "bar", plural(row.flags, "flag"))
         for row in rated],
        noun="flags per 1,000 claims", empty="No flags.", value_text=decimal)
    notes = [f"Per 1,000 claims over all {count(t.claims)} claims; median and 90th percentile "
             f"over the {count(t.articles_with_claims)} articles with claims, an article without "
             "the flag counting as 0."]
    if t.flags_outside_articles:
        notes.append(f"{plural(t.flags_outside_articles, 'flag')} of no article with claims in "
                     "the articles table left out of the per-article figures.")
    table = _table("Flags per 1,000 claims, overall and per article",
                   ["Flag type", "Flags", "Per 1,000 claims", "Articles with it",
                    "Median per article", "90th percentile"],
                   [*(_rate_row(row) for row in stats.rates), _rate_row(stats.all_types)])
    return Section("rates", "Flags per 1,000 claims", tuple(notes), (chart,), (table,))


def _ages(stats: Stats) -> Section:
    ages = stats.ages
    chart = bar_chart(
        "chart-age", "Flags by age", "Age",
        [(label, n, f"bar age-{i}", "") for i, (label, n) in enumerate(ages.buckets)],
        noun="flags", empty="No flags.")
    rows = [[row.flag_type, *(count(n) for n in row.buckets), days(row.median_days)]
            for row in ages.by_type]
    rows.append(["all types", *(count(n) for _, n in ages.buckets), days(ages.median_days)])
    table = _table("Flags by type and age, with the median age of the dated ones",
                   ["Flag type", *AGE_LABELS, "Median age"], rows)
    notes = ("Age: from the date written in the flag to the scanned revision; a year is 365 "
             "days.",)
    return Section("ages", "Flag age", notes, (chart,), (table,))


def _resolution(stats: Stats) -> Section:
    resolution = stats.resolution
    if not resolution.available:
        return Section("resolution", "Resolution outcomes", (NO_HISTORY + ".",), (), ())
    total = resolution.total
    chart = bar_chart(
        "chart-outcomes", "What became of the flags", "Outcome",
        [(OUTCOME_TEXT.get(row.outcome, row.outcome), row.count, "bar", "")
         for row in resolution.outcomes],
        noun="flags in the history", empty="No flags in the history.")
    outcomes = _table(
        "Flags by outcome, with their median lifetime",
        ["Outcome", "Flags", "Share", "Median lifetime"],
        [[OUTCOME_TEXT.get(row.outcome, row.outcome), count(row.count),
          percent(row.count / total if total else None), days(row.median_lifetime_days)]
         for row in resolution.outcomes]
        + [["resolved (all but still open)", count(resolved_count(stats)),
            percent(resolved_count(stats) / total if total else None),
            days(resolution.resolved_median_days)]])
    by_type = _table(
        "Outcomes by flag type",
        ["Flag type", *(OUTCOME_TEXT.get(r.outcome, r.outcome) for r in resolution.outcomes)],
        [[flag_type, *(count(n) for n in counts)] for flag_type, counts in resolution.by_type])
    notes = ("From flag_history (audit history, audit blame): lifetime is from the edit "
             "that added a flag to the one that ended it (for open flags, to the last revision "
             "read).",
             *((history_note(stats),) if history_note(stats) else ()))
    return Section("resolution", "Resolution outcomes", notes, (chart,), (outcomes, by_type))


def _sourcing(stats: Stats) -> Section:
    grades = bar_chart(
        "chart-grades", "Claims by sourcing grade", "Grade",
        [(GRADE_TEXT.get(g.grade, g.grade), g.claims, "bar", percent(g.share))
         for g in stats.grades],
        noun="claims", empty="No claims.")
    table = _table("Share of claims by sourcing grade", ["Grade", "Claims", "Share"],
                   [[GRADE_TEXT.get(g.grade, g.grade), count(g.claims), percent(g.share)]
                    for g in stats.grades])
    mix = mix_chart(dict(stats.status_mix))
    notes = ("Grades from the articles table; \u201csources not rated\u201d are claims that are "
             "cited, but to no source the reliability lists know. The source mix counts each "
             "citation once per claim citing it.",)
    return Section("sourcing", "Sourcing", notes, (grades, mix), (table,))


def _domains(stats: Stats) -> Section:
    chart = bar_chart(
        "chart-domains", f"Unreliable domains by citations (top {min(stats.top, CHART_ROWS)})",
        "Domain",
        [(d.domain, d.citations, "bar", f"{count(d.on_flagged)} on flagged claims")
         for d in stats.domains[:CHART_ROWS]],
        noun="citations to these domains", empty="No citations to unreliable domains.")
    table = _table(
        f"The {len(stats.domains)} most cited unreliable domains",
        ["Domain", "Status", "Citations", "On flagged claims"],
        [[d.domain, ", ".join(RELIABILITY_TEXT.get(s, s) for s in d.statuses),
          count(d.citations), count(d.on_flagged)] for d in stats.domains],
        ["", "", "num", "num"])
    notes = (f"{count(stats.unreliable_citations)} citations to "
             f"{count(stats.unreliable_domains)} domains rated generally unreliable, "
             "deprecated, blacklisted, or self-published, user-generated & co.; "
             f"{count(stats.unreliable_on_flagged)} of them sit on flagged claims.",)
    return Section("domains", "Top unreliable domains", notes, (chart,),
                   (table,) if stats.domains else ())


def _banners(stats: Stats) -> Section:
    t = stats.totals
    chart = bar_chart(
        "chart-banners", f"Articles per banner type (top {CHART_ROWS})", "Banner type",
        [(b.label, b.count, "bar", "") for b in stats.banners[:CHART_ROWS]],
        noun="article-banner types", empty="No banners.")
    table = _table("Articles per banner type", ["Banner type", "Articles"],
                   [[b.label, count(b.count)] for b in stats.banners])
    notes = (f"{count(t.banners)} maintenance banners on {count(t.articles_with_banners)} of "
             f"{count(t.articles)} articles; an article with two banners of one type counts "
             "once for that type.",)
    return Section("banners", "Banners", notes, (chart,), (table,) if stats.banners else ())


def _errors(stats: Stats) -> Section:
    t = stats.totals
    if not t.errors:
        return Section("errors", "Errors", ("None: every page was read.",), (), ())
    listed = "" if len(stats.errors) == t.errors else f" The first {len(stats.errors)} are listed."
    table = _table("Pages the scan could not read", ["Title", "Wiki", "Error"],
                   [[e.title, e.wiki, e.error] for e in stats.errors], ["", "", ""])
    return Section("errors", "Errors", (f"{count(t.errors)} pages failed.{listed}",), (), (table,))


def _inputs(scans: Sequence[ScanDirectory]) -> Section:
    tables = _table(
        "Tables read, with their SHA-256",
        ["File", "Format", "Bytes", "SHA-256"],
        [[str(t.path), t.format, count(t.size), t.sha256] for scan in scans for t in scan.tables],
        ["", "", "num", "hash"])
    scanned = _table(
        "Files the scans read (from their manifests)",
        ["File", "Bytes", "SHA-256", "Scan directory"],
        [[f.path, count(f.size) if f.size is not None else "–", f.sha256 or "–", str(scan.path)]
         for scan in scans for f in scan.inputs], ["", "num", "hash", ""])
    directories = _table(
        "Scan directories",
        ["Directory", "Manifest schema", "Scanned by audit", "Reliability data",
         "Manifest SHA-256"],
        [[str(s.path), str(s.schema_version), s.tool_version or "–", s.reliability_data or "–",
          s.manifest_sha256] for s in scans], ["", "", "", "", "hash"])
    return Section("inputs", "Inputs", (), (), (directories, tables, scanned))


def build_stats_view(stats: Stats, scans: Sequence[ScanDirectory]) -> StatsView:
    """The page's view model: every string the template prints."""
    t = stats.totals
    facts = (
        Fact(count(t.articles), "articles"),
        Fact(count(t.claims), "claims"),
        Fact(count(t.flags), "flags"),
        Fact(decimal(stats.all_types.per_1000), "flags per 1,000 claims"),
        Fact(count(t.claim_citations), "claim-citations"),
        Fact(count(t.errors), "failed pages"),
    )
    return StatsView(
        page_title="Flag and citation statistics",
        headline=headline(stats).removeprefix("audit stats: "),
        facts=facts,
        sections=(_rates(stats), _ages(stats), _resolution(stats), _sourcing(stats),
                  _domains(stats), _banners(stats), _errors(stats), _inputs(scans)),
        tool_version=__version__,
        reliability_data=", ".join(reliability_versions(scans)) or "not recorded",
    )


def render_stats_html(stats: Stats, scans: Sequence[ScanDirectory]) -> str:
    """stats.html as text: inline CSS, no script, a CSP that allows nothing else."""
    style = template_asset("report.css") + template_asset("stats.css")
    csp = (f"default-src 'none'; style-src {csp_hash(style)}; script-src 'none'; "
           "base-uri 'none'; form-action 'none'")
    return (
        template_environment()
        .get_template(_TEMPLATE)
        # Markup: our own package stylesheet, not data; it must not be entity-escaped.
        .render(page=build_stats_view(stats, scans), csp=csp, style=Markup(style))
    )
