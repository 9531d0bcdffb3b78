"""Report data for the CI-format tests: the golden seed report and a hostile synthetic one.

The hostile report is built in code (not a fixture file) so the 500 findings, the very long
claims and the control characters are plain to see: every piece of text a wiki could hold that
might break out of Markdown, XML, JSON or a spreadsheet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from audit.ci import Finding, failing, findings_of
from tests.conftest import FIXTURES

GOLDEN = FIXTURES / "seed_current" / "golden-report.json"
VERSION = "0.1.0"

#: Text a hostile or careless editor could put in an article title, section or claim.
#: (A lone surrogate is tested on hand-made findings: `audit.ci.fingerprint` cannot hash one.)
HOSTILE_TEXT = (
    "<script>alert('x')</script> runs?",
    "cell | with | pipes || and a trailing \\|",
    "`code` and ``double`` and ```fence```",
    "[link](javascript:alert(1)) and [ok](http://example.org)",
    "![image](http://evil.example/pixel.png) <img src=x onerror=alert(1)>",
    "control\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85 chars",
    "@octocat and #123 and GH-7 and someone@example.org",
    "# Heading\n===\n- list item\n> quote",
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(A1:A9)",
    "-2+3",
    "@SUM(1)",
    "\ttab first",
    "$x^2$ and $$y$$ math",
    "&lt;b&gt;entity&lt;/b&gt; &amp; &#x3C;",
    "\u202ereversed\u202c text",
    "<!-- comment --> <details open> ~~strike~~ **bold** _em_",
    "www.example.com/path and https://example.org/(x)",
    "line one\r\nline two\nline three",
)
HOSTILE_URLS = (
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "http://example.org/a|b)c d<e>\"f'",
    "https://example.org/wiki/Caf\u00e9#:~:text=x",
    "//example.org/protocol-relative",
    "http://exa\x00mple.org/",
    None,
)
LONG_CLAIM = "A very long claim, " * 600  # ~11,400 characters


def _flag(index: int) -> dict[str, Any]:
    kind = ("citation-needed", "dubious", "when", "better-source-needed")[index % 4]
    status = ("new", "open", "resolved")[index % 3]
    return {
        "type": kind,
        "label": f"{kind.replace('-', ' ')} | `{index}` <b>",
        "status": status,
        "severity": ("medium", "high", "low", "elevated")[index % 4],
        "cited": False,
    }


def hostile_report(articles: int = 25, claims: int = 10) -> dict[str, Any]:
    """A report whose every string is hostile: `articles` × `claims` × 2 findings, plus 2 pages."""
    documents: list[dict[str, Any]] = []
    serial = 0
    for a in range(articles):
        title = f"{HOSTILE_TEXT[a % len(HOSTILE_TEXT)]} article {a}"
        url = HOSTILE_URLS[a % len(HOSTILE_URLS)] or f"https://en.wikipedia.org/wiki/A{a}"
        document: dict[str, Any] = {
            "title": title,
            "wiki": "https://en.wikipedia.org",
            "url": url,
            "status": "checked",
            "summary": {"claims": claims, "open_flags": 1, "new_flags": 2, "weak_sourcing": 3},
            "banners": [],
            "claims": [],
        }
        for _ in range(claims):
            serial += 1
            text = HOSTILE_TEXT[serial % len(HOSTILE_TEXT)] + f" claim {serial}"
            if serial % 37 == 0:
                text = LONG_CLAIM + text
            document["claims"].append(
                {
                    "id": f"c-{serial:010x}",
                    "section": HOSTILE_TEXT[(serial + 3) % len(HOSTILE_TEXT)],
                    "text": text,
                    "current_text": text,
                    "status": "added" if serial % 5 == 0 else "unchanged",
                    "live_url": HOSTILE_URLS[serial % len(HOSTILE_URLS)],
                    "flags": [_flag(serial)],
                    "citations": [],
                    "weak_sourcing": True,
                    "uncited": False,
                }
            )
        documents.append(document)
    documents.append(
        {
            "title": "Missing <page> | one",
            "wiki": "https://en.wikipedia.org",
            "url": "https://en.wikipedia.org/wiki/Missing",
            "status": "missing",
            "error": "page does not exist <script>x</script>",
        }
    )
    documents.append(
        {
            "title": "Broken `page` two",
            "wiki": "https://en.wikipedia.org",
            "url": "javascript:alert(2)",
            "status": "error",
            "error": "HTTP 503 \x1b[31m [retry](javascript:x)",
        }
    )
    return {
        "schema_version": 1,
        "generated": "2026-01-02T03:04:05Z <b>",
        "tool_version": VERSION,
        "documents": documents,
    }


@dataclass(frozen=True)
class Run:
    """What a format renders: the report, its findings and the failing subset."""

    report: Mapping[str, Any]
    findings: list[Finding]
    failing: list[Finding]


@pytest.fixture(scope="session")
def golden() -> Run:
    """The seed article's golden report.json, failing at --fail-on new."""
    report = json.loads(GOLDEN.read_text(encoding="utf-8"))
    found = findings_of(report)
    return Run(report, found, failing(found, "new"))


@pytest.fixture(scope="session")
def hostile() -> Run:
    """502 findings over 27 articles of hostile text, failing at --fail-on changed."""
    report = hostile_report()
    found = findings_of(report)
    return Run(report, found, failing(found, "changed"))
