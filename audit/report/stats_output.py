"""`audit stats` for tools and terminals: stats.json (versioned, stable) and aligned text tables.

Both are drawn from the same `Stats` record and the same provenance (what was read, by which
tool, with which reliability data), so a number in the terminal is the number in the JSON and
in stats.html. Neither carries a timestamp: the same inputs give byte-identical output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from audit import __version__
from audit.report.findings import RELIABILITY_TEXT
from audit.stats.aggregate import AGE_LABELS, Stats, TypeRate
from audit.stats.inputs import ScanDirectory

STATS_SCHEMA_VERSION = 1
OUTCOME_TEXT = {
    "cited": "cited (a citation was added)",
    "reworded": "reworded",
    "deleted": "deleted with its claim",
    "removed": "removed (no citation)",
    "open": "still open",
}
NO_HISTORY = ("no flag_history table in the scan directories: run audit history (or audit "
              "blame) on the same articles to see what became of flags")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def reliability_versions(scans: Sequence[ScanDirectory]) -> list[str]:
    """The distinct reliability data versions the scans were rated with (more than one is
    worth a warning: their domain verdicts may differ)."""
    return sorted({scan.reliability_data for scan in scans if scan.reliability_data})


def history_note(stats: Stats) -> str:
    """What the resolution numbers rest on, in words."""
    resolution, directories = stats.resolution, stats.totals.directories
    if not resolution.available:
        return NO_HISTORY
    if resolution.directories < directories:
        return (f"flag_history present in {resolution.directories} of {directories} scan "
                "directories: outcomes cover those only")
    return ""


def resolved_count(stats: Stats) -> int:
    """Flags in the history that are no longer open."""
    resolution = stats.resolution
    return resolution.total - sum(r.count for r in resolution.outcomes if r.outcome == "open")


def plural(n: int, word: str, words: str | None = None) -> str:
    """`1 flag`, `2 flags` (with the count as `count` prints it)."""
    return f"{count(n)} {word if n == 1 else (words or word + 's')}"


def _number(value: float | None) -> float | None:
    """Rounded for a stable JSON (no platform float noise in the last digits)."""
    return None if value is None else round(value, 4)


def _rate(row: TypeRate) -> dict[str, Any]:
    return {"flag_type": row.flag_type, "flags": row.flags, "per_1000": _number(row.per_1000),
            "articles": row.articles, "median": _number(row.median), "p90": _number(row.p90)}


def _inputs(scans: Sequence[ScanDirectory]) -> list[dict[str, Any]]:
    return [
        {
            "directory": str(scan.path),
            "schema_version": scan.schema_version,
            "scan_tool_version": scan.tool_version,
            "reliability_data": scan.reliability_data,
            "manifest_sha256": scan.manifest_sha256,
            "input_files": [{"path": f.path, "size": f.size, "sha256": f.sha256}
                            for f in scan.inputs],
            "tables": [{"name": t.name, "path": str(t.path), "format": t.format, "size": t.size,
                        "sha256": t.sha256} for t in scan.tables],
        }
        for scan in scans
    ]


def stats_data(stats: Stats, scans: Sequence[ScanDirectory]) -> dict[str, Any]:
    """stats.json as a dict (`schema_version` 1)."""
    totals, ages, resolution = stats.totals, stats.ages, stats.resolution
    claims = totals.claims
    return {
        "schema_version": STATS_SCHEMA_VERSION,
        "kind": "audit-stats",
        "tool_version": __version__,
        "reliability_data": reliability_versions(scans),
        "inputs": _inputs(scans),
        "totals": {name: getattr(totals, name) for name in totals.__dataclass_fields__},
        "flags_per_1000_claims": {
            "note": "per_1000 over all claims; median and p90 over articles with claims, "
                    "an article without the flag counting as 0",
            "all_types": _rate(stats.all_types),
            "by_type": [_rate(row) for row in stats.rates],
        },
        "flag_ages": {
            "buckets": [{"label": label, "flags": n} for label, n in ages.buckets],
            "median_days": _number(ages.median_days),
            "by_type": [{"flag_type": row.flag_type,
                         "buckets": dict(zip(AGE_LABELS, row.buckets)),
                         "median_days": _number(row.median_days)} for row in ages.by_type],
        },
        "resolution": {
            "available": resolution.available,
            "note": history_note(stats),
            "directories": resolution.directories,
            "flags": resolution.total,
            "outcomes": [{"outcome": row.outcome, "flags": row.count,
                          "share": _number(row.count / resolution.total) if resolution.total
                          else None,
                          "median_lifetime_days": _number(row.median_lifetime_days)}
                         for row in resolution.outcomes],
            "resolved_median_lifetime_days": _number(resolution.resolved_median_days),
            "by_type": [{"flag_type": flag_type,
                         "outcomes": dict(zip((r.outcome for r in resolution.outcomes), counts))}
                        for flag_type, counts in resolution.by_type],
        },
        "sourcing_grades": {
            "claims": claims,
            "grades": [{"grade": g.grade, "claims": g.claims, "share": _number(g.share)}
                       for g in stats.grades],
        },
        "citation_statuses": [{"status": status, "citations": n}
                              for status, n in stats.status_mix],
        "unreliable_domains": {
            "top": stats.top,
            "domains": stats.unreliable_domains,
            "citations": stats.unreliable_citations,
            "on_flagged_claims": stats.unreliable_on_flagged,
            "rows": [{"domain": d.domain, "statuses": list(d.statuses), "citations": d.citations,
                      "on_flagged_claims": d.on_flagged} for d in stats.domains],
        },
        "banners": {
            "banners": totals.banners,
            "articles_with_banners": totals.articles_with_banners,
            "by_type": [{"banner_type": row.label, "articles": row.count}
                        for row in stats.banners],
        },
        "errors": {
            "pages": totals.errors,
            "listed": [{"wiki": e.wiki, "title": e.title, "error": e.error}
                       for e in stats.errors],
        },
    }


def render_stats_json(stats: Stats, scans: Sequence[ScanDirectory]) -> str:
    """stats.json as text: two-space indent, UTF-8 as is, a final newline."""
    return json.dumps(stats_data(stats, scans), indent=2, ensure_ascii=False) + "\n"


# ---- text ---------------------------------------------------------------------------------


def plain(text: str, limit: int = 80) -> str:
    """Untrusted text made safe for a terminal (no control characters) and cut to `limit`."""
    text = _CONTROL.sub("\ufffd", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def count(n: int) -> str:
    """1,234."""
    return f"{n:,}"


def decimal(value: float | None, places: int = 2) -> str:
    """A rate or a median; an en dash when there is nothing to measure."""
    return "–" if value is None else f"{value:,.{places}f}"


def percent(share: float | None) -> str:
    """A share of a whole, as 25.0%."""
    return "–" if share is None else f"{share * 100:.1f}%"


def days(value: float | None) -> str:
    """A median age or lifetime in days, with years for the long ones."""
    if value is None:
        return "–"
    shown = f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return f"{shown} d ({value / 365:.1f} y)" if value >= 365 else f"{shown} d"


def text_table(headings: Sequence[str], rows: Sequence[Sequence[str]], *,
               left: int = 1) -> list[str]:
    """Aligned columns: the first `left` left-aligned (names), the rest right-aligned (numbers)."""
    widths = [max(len(cells[i]) for cells in [headings, *rows]) for i in range(len(headings))]

    def line(cells: Sequence[str]) -> str:
        parts = [c.ljust(w) if i < left else c.rjust(w)
                 for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(parts).rstrip()

    return [line(headings), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _section(title: str, body: list[str]) -> list[str]:
    return ["", title, *body]


def _rate_cells(row: TypeRate) -> list[str]:
    return [plain(row.flag_type, 40), count(row.flags), decimal(row.per_1000),
            count(row.articles), decimal(row.median), decimal(row.p90)]


def headline(stats: Stats) -> str:
    """One line: how much was read."""
    t = stats.totals
    directories = "1 scan directory" if t.directories == 1 else f"{t.directories} scan directories"
    return (f"audit stats: {count(t.articles)} articles, {count(t.claims)} claims, "
            f"{count(t.flags)} flags on {count(t.flagged_claims)} claims, "
            f"{count(t.claim_citations)} claim-citations, {count(t.errors)} failed pages "
            f"({directories})")


def render_stats_text(stats: Stats, scans: Sequence[ScanDirectory]) -> str:
    """The aggregates as aligned plain-text tables, for stdout."""
    t, ages, resolution = stats.totals, stats.ages, stats.resolution
    out = [headline(stats)]
    note = (f"median and p90 over the {count(t.articles_with_claims)} articles with claims; an "
            "article without the flag counts as 0")
    if t.flags_outside_articles:
        note += (f"; {plural(t.flags_outside_articles, 'flag')} of no article with claims "
                 "left out of them")
    out += _section("Flags per 1,000 claims", text_table(
        ["flag type", "flags", "per 1,000 claims", "articles", "median", "p90"],
        [*(_rate_cells(row) for row in stats.rates), _rate_cells(stats.all_types)]) + [f"({note})"])
    age_rows = [[plain(row.flag_type, 40), *(count(n) for n in row.buckets),
                 days(row.median_days)] for row in ages.by_type]
    age_rows.append(["all types", *(count(n) for _, n in ages.buckets), days(ages.median_days)])
    out += _section("Flag age", text_table(["flag type", *AGE_LABELS, "median age"], age_rows))
    if not resolution.available:
        out += _section("Resolution outcomes", [f"({NO_HISTORY})"])
    else:
        rows = [[OUTCOME_TEXT.get(row.outcome, plain(row.outcome, 40)), count(row.count),
                 percent(row.count / resolution.total if resolution.total else None),
                 days(row.median_lifetime_days)] for row in resolution.outcomes]
        resolved = resolved_count(stats)
        rows.append(["resolved (all but still open)", count(resolved),
                     percent(resolved / resolution.total if resolution.total else None),
                     days(resolution.resolved_median_days)])
        body = text_table(["outcome", "flags", "share", "median lifetime"], rows)
        body += [""] + text_table(
            ["flag type", *(row.outcome for row in resolution.outcomes)],
            [[plain(flag_type, 40), *(count(n) for n in counts)]
             for flag_type, counts in resolution.by_type])
        if history_note(stats):
            body.append(f"({history_note(stats)})")
        out += _section("Resolution outcomes (flag_history)", body)
    out += _section(f"Sourcing grades of {count(t.claims)} claims", text_table(
        ["grade", "claims", "share"],
        [[g.grade, count(g.claims), percent(g.share)] for g in stats.grades]))
    out += _section(
        f"Top unreliable domains ({len(stats.domains)} of {count(stats.unreliable_domains)}; "
        f"{count(stats.unreliable_citations)} citations, {count(stats.unreliable_on_flagged)} "
        "on flagged claims)",
        text_table(["domain", "status", "citations", "on flagged claims"],
                   [[plain(d.domain, 50), ", ".join(RELIABILITY_TEXT.get(s, plain(s, 30))
                                                    for s in d.statuses),
                     count(d.citations), count(d.on_flagged)] for d in stats.domains], left=2)
        if stats.domains else ["(no citations to unreliable domains)"])
    out += _section(
        f"Banners ({count(t.banners)} on {count(t.articles_with_banners)} articles): articles "
        "per banner type",
        text_table(["banner type", "articles"],
                   [[plain(b.label, 50), count(b.count)] for b in stats.banners])
        if stats.banners else ["(no banners)"])
    if t.errors:
        listed = "" if len(stats.errors) == t.errors else f", first {len(stats.errors)} listed"
        out += _section(f"Errors ({count(t.errors)} pages failed{listed})", text_table(
            ["title", "wiki", "error"],
            [[plain(e.title, 50), plain(e.wiki, 40), plain(e.error, 80)] for e in stats.errors],
            left=3))
    else:
        out += _section("Errors", ["(none: every page was read)"])
    out += _section("Inputs", [
        f"{plain(str(scan.path), 120)}: schema {scan.schema_version}, scanned by audit "
        f"{plain(scan.tool_version or '?', 20)}, reliability data "
        f"{plain(scan.reliability_data or '?', 60)}; "
        + ", ".join(f"{t.path.name} sha256:{t.sha256[:12]}" for t in scan.tables)
        for scan in scans
    ] + [f"audit {__version__}; full hashes in --format json and the HTML page"])
    return "\n".join(out) + "\n"
