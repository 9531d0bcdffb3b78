"""Text hygiene shared by the CI formats: control characters, truncation, safe URLs, order.

Every string that reaches an output format comes from a wiki article or from report.json, so it
is untrusted: the formats call these helpers instead of writing text straight through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from audit.ci import Finding

#: Characters XML 1.0 cannot carry (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF),
#: plus DEL and the C1 controls, which are legal XML but garbage in a CI dashboard.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
#: Characters left as they are when a URL is re-quoted: RFC 3986 reserved and unreserved ones
#: and `%` (so existing escapes survive). NOTE: `(`, `)`, `'`, `|` and `\` are *not* here, so
#: they come out %-encoded and cannot end a Markdown link or split a table row.
_URL_SAFE = "/:?#@!$&*+,;=%-._~"
ARROW = " \u203a "
"""Separator of article, section and claim in display paths ("Title › Section")."""


def strip_control(text: str) -> str:
    """`text` without control characters (tab, newline and carriage return are kept)."""
    return _CONTROL.sub("", text)


def one_line(text: str | None) -> str:
    """`text` on one line: control characters removed, runs of whitespace made one space."""
    return _SPACES.sub(" ", strip_control(text or "")).strip()


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis when it was longer."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "\u2026"


def safe_url(url: str | None) -> str | None:
    """An absolute http(s) URL fit to print as a link, %-encoding what could break out; or None.

    Anything else (javascript:, data:, relative, malformed, with control characters) is None,
    so the caller shows no link at all.
    """
    if not url or _CONTROL.search(url) or any(ch.isspace() for ch in url.strip()):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return quote(url, safe=_URL_SAFE)


def article_urls(report: Mapping[str, Any]) -> dict[str, str]:
    """Each document's article URL by title (the page, not a claim's text fragment)."""
    urls: dict[str, str] = {}
    for document in report.get("documents", ()):
        title, url = document.get("title"), document.get("url")
        if isinstance(title, str) and isinstance(url, str):
            urls.setdefault(title, url)
    return urls


def reliability_data(report: Mapping[str, Any]) -> str:
    """The source-reliability data version(s) the report's grades came from, comma-separated."""
    versions = dict.fromkeys(
        str(doc["reliability_data"]) for doc in report.get("documents", ())
        if doc.get("reliability_data")
    )
    return ", ".join(versions)


def rule_id(finding: Finding) -> str:
    """The finding's rule: its kind, plus the flag or banner type (`flag/citation-needed`)."""
    return f"{finding.kind}/{finding.flag_type}" if finding.flag_type else finding.kind


def location_path(finding: Finding) -> str:
    """Where the finding is, for people: `Title › Section › claim id` (parts that exist)."""
    parts = [finding.title, finding.section, finding.claim_id]
    return ARROW.join(one_line(part) for part in parts if part)


def in_display_order(
    findings: Sequence[Finding], failing: Sequence[Finding]
) -> list[tuple[Finding, bool]]:
    """Findings with a failing mark: failing ones first, then most severe first, else as given."""
    # NOTE: by value, not fingerprint: two findings may share a fingerprint (the same sentence
    # twice in one article) while only one of them fails.
    failed = set(failing)
    marked = [(finding, finding in failed) for finding in findings]
    order = sorted(
        range(len(marked)),
        key=lambda i: (not marked[i][1], -marked[i][0].severity_rank, i),
    )
    return [marked[i] for i in order]
