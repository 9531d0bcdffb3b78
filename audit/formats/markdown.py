"""Markdown for a pull-request or issue comment: verdict, one row per article, then findings.

GitHub refuses comments over 65,536 characters, so the text is measured while it is built and
ends with "… and N more findings (see the full report)" when it had to stop. All article text is
escaped: it cannot open a link, an image, HTML, a code span, math, a mention (`@user`) or an
issue reference (`#123`), and cannot break a table row.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from audit.ci import Finding
from audit.formats._text import (
    in_display_order,
    one_line,
    reliability_data,
    rule_id,
    safe_url,
    truncate,
)

#: GitHub's limit for the body of an issue or pull-request comment.
COMMENT_LIMIT = 65_536
CLAIM_CHARS = 200
TITLE_CHARS = 80
SECTION_CHARS = 60
MESSAGE_CHARS = 160
#: At most this many article rows, and never more than a quarter of the comment.
ARTICLE_ROWS = 50
#: Room kept free for the closing lines (`</details>`, the "… and N more" tail).
_RESERVE = 300

SEVERITY_ICON = {"high": "\u25b2", "elevated": "\u25c6", "medium": "\u25cf", "low": "\u25cb"}

# Markdown/HTML-significant ASCII punctuation; each is printed backslash-escaped. `$` is GitHub
# math, `~` strikethrough, `|` a table cell, `&` an entity, `!`/`[` an image or link.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|!~&$^])")
# An `@name` mention or `#123` reference is linked by GitHub *after* rendering, so escaping
# does not stop it; a word joiner (U+2060, invisible) right after the sign does.
_REFERENCE = re.compile(r"([@#])(?=\w)")
# Bidirectional overrides could make a row read differently from what it says.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def escape(text: str | None, limit: int | None = None) -> str:
    """Article text made inert for Markdown: one line, optionally shortened, all markup escaped."""
    plain = _BIDI.sub("", one_line(text))
    if limit is not None:
        plain = truncate(plain, limit)
    return _REFERENCE.sub("\\1\u2060", _SPECIAL.sub(r"\\\1", plain))


def link(label: str, url: str | None) -> str:
    """`[label](url)` for an http(s) URL, else just the label (`label` is already escaped)."""
    href = safe_url(url)
    return f"[{label}]({href})" if href else label


def _cost(line: str) -> int:
    # NOTE: counted as UTF-16 code units plus a CRLF line end — the most GitHub could count
    # for the same text — so the comment stays under the limit however it is measured.
    return len(line.encode("utf-16-le")) // 2 + 2


class _Comment:
    """Lines of a comment, with a running size so it stops growing before the limit."""

    def __init__(self, limit: int) -> None:
        self.lines: list[str] = []
        self.used = 0
        self.limit = limit

    def fits(self, *lines: str, reserve: int = _RESERVE) -> bool:
        return self.used + sum(_cost(line) for line in lines) + reserve <= self.limit

    def add(self, *lines: str) -> None:
        for line in lines:
            self.lines.append(line)
            self.used += _cost(line)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _number(summary: Mapping[str, Any], key: str) -> str:
    value = summary.get(key)
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "\u2014"


def _heading(findings: Sequence[Finding], failing: Sequence[Finding]) -> str:
    if failing:
        return f"## \u274c audit: {_plural(len(failing), 'finding')} fail the check"
    if findings:
        return f"## \u2705 audit: passed \u2014 {_plural(len(findings), 'finding')} to review"
    return "## \u2705 audit: passed \u2014 no findings"


def _overview(
    report: Mapping[str, Any],
    findings: Sequence[Finding],
    failing: Sequence[Finding],
    tool_version: str,
) -> str:
    documents = report.get("documents", ())
    changes = Counter(finding.change for finding in failing)
    parts = [f"{_plural(len(findings), 'finding')} in {_plural(len(documents), 'article')}"]
    if failing:
        detail = ", ".join(f"{changes[c]} {c}" for c in ("new", "changed", "open") if changes[c])
        parts[0] += f" ({len(failing)} failing: {detail})"
    unchecked = sum(1 for doc in documents if doc.get("status") in ("missing", "error"))
    if unchecked:
        parts.append(f"**{_plural(unchecked, 'page')} could not be checked**")
    parts.append(f"audit {escape(tool_version, 40)}")
    if reliability_data(report):
        parts.append(f"reliability data {escape(reliability_data(report), 80)}")
    if report.get("generated"):
        parts.append(f"report of {escape(str(report['generated']), 40)}")
    return " \u00b7 ".join(parts)


def _article_rows(
    report: Mapping[str, Any], findings: Sequence[Finding], failing: Sequence[Finding]
) -> list[str]:
    found = Counter(finding.title for finding in findings)
    failed = Counter(finding.title for finding in failing)
    documents = list(report.get("documents", ()))
    # Articles that fail come first, then those with most findings; otherwise report order.
    order = sorted(
        range(len(documents)),
        key=lambda i: (
            -failed[documents[i].get("title")],
            -found[documents[i].get("title")],
            i,
        ),
    )
    rows = []
    for i in order:
        document = documents[i]
        title = document.get("title")
        summary = document.get("summary") or {}
        cells = [
            link(escape(title, TITLE_CHARS), document.get("url")),
            escape(document.get("status"), 20),
            _number(summary, "claims"),
            _number(summary, "open_flags"),
            _number(summary, "resolved_flags"),
            _number(summary, "new_flags"),
            _number(summary, "weak_sourcing"),
            _number(summary, "uncited"),
            str(found[title]),
            str(failed[title]),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


_ARTICLE_HEADER = (
    "| Article | Status | Claims | Open flags | Resolved flags | New flags | Weak claims "
    "| Uncited | Findings | Failing |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
)
_FINDING_HEADER = (
    "| Severity | Change | Article | Section | Finding | Claim | Link |",
    "|---|---|---|---|---|---|---|",
)


def _finding_row(finding: Finding) -> str:
    severity = f"{SEVERITY_ICON.get(finding.severity, '')} {escape(finding.severity, 12)}".strip()
    cells = [
        severity,
        escape(finding.change, 12),
        escape(finding.title, TITLE_CHARS),
        escape(finding.section, SECTION_CHARS) or "\u2014",
        f"{escape(rule_id(finding), 60)}: {escape(finding.message, MESSAGE_CHARS)}",
        escape(finding.text, CLAIM_CHARS) or "\u2014",
        link(escape(finding.claim_id, 30) or "page", finding.url),
    ]
    return "| " + " | ".join(cells) + " |"


def render(
    report: Mapping[str, Any],
    findings: Sequence[Finding],
    failing: Sequence[Finding],
    *,
    tool_version: str,
    limit: int = COMMENT_LIMIT,
) -> str:
    """The run as a GitHub comment (at most `limit` characters), failing findings first."""
    comment = _Comment(limit)
    comment.add(_heading(findings, failing), "", _overview(report, findings, failing, tool_version))

    rows = _article_rows(report, findings, failing)
    opening = ["", "### Articles", "", *_ARTICLE_HEADER]
    if rows and comment.fits(*opening, rows[0]):
        comment.add(*opening)
        listed = 0
        for row in rows[:ARTICLE_ROWS]:
            # The article table may take a quarter of the comment; the findings need the rest.
            if listed and (comment.used + _cost(row) > limit // 4 or not comment.fits(row)):
                break
            comment.add(row)
            listed += 1
        if listed < len(rows):
            comment.add("", f"\u2026 and {_plural(len(rows) - listed, 'more article')}.")

    ordered = in_display_order(findings, failing)
    failed = [finding for finding, fails in ordered if fails]
    others = [finding for finding, fails in ordered if not fails]
    shown = 0
    for group, fails in ((failed, True), (others, False)):
        if not group:
            continue
        closing: list[str] = []
        if fails:
            opening = ["", f"### Failing findings ({len(group)})", "", *_FINDING_HEADER]
        else:
            # Findings that do not fail the job fold away, so the failing ones stay in view.
            label = "Other findings" if failed else "Findings"
            opening = [
                "",
                "<details>",
                f"<summary>{label} ({len(group)})</summary>",
                "",
                *_FINDING_HEADER,
            ]
            closing = ["", "</details>"]
        first = _finding_row(group[0])
        if not comment.fits(*opening, first):
            break
        comment.add(*opening)
        complete = True
        for finding in group:
            row = _finding_row(finding)
            if not comment.fits(row):
                complete = False
                break
            comment.add(row)
            shown += 1
        comment.add(*closing)
        if not complete:
            break
    if shown < len(findings):
        rest = len(findings) - shown
        comment.add("", f"\u2026 and {_plural(rest, 'more finding')} (see the full report)")
    return comment.text()
