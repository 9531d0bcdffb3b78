"""The Markdown comment: fits GitHub's limit, failing findings first, hostile text stays text.

The output is rendered with cmarkgfm (GitHub's own cmark-gfm, raw HTML let through) and the
HTML inspected, so "no injected link or HTML" is checked the way GitHub would parse it.
"""

from __future__ import annotations

import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from lxml import html

from audit.formats import markdown
from tests.formats.conftest import VERSION, Run

TAIL = re.compile(r"\u2026 and (\d+) more findings? \(see the full report\)\n\Z")
FINDING_ROW = re.compile(r"^\| [\u25b2\u25c6\u25cf\u25cb] ", re.M)


def as_html(text: str) -> html.HtmlElement:
    """The comment as GitHub's Markdown engine renders it (without GitHub's sanitiser)."""
    rendered = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    return html.fragment_fromstring(rendered, create_parent="div")


def github_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_golden_report_fits_whole_with_failing_findings_first(golden: Run) -> None:
    text = markdown.render(golden.report, golden.findings, golden.failing, tool_version=VERSION)

    assert github_length(text) <= markdown.COMMENT_LIMIT
    assert text.startswith("## \u274c audit: 8 findings fail the check\n")
    assert "more findings" not in text
    rows = FINDING_ROW.findall(text)
    assert len(rows) == len(golden.findings) == 87
    failing_part = text.split("### Failing findings (8)")[1].split("<details>")[0]
    severities = re.findall(r"^\| [^ ]+ (\w+) \|", failing_part, re.M)
    assert severities[0] == "high" and len(severities) == 8
    order = ["high", "elevated", "medium", "low"]
    assert severities == sorted(severities, key=order.index)


def test_summary_table_has_one_row_per_article(golden: Run) -> None:
    text = markdown.render(golden.report, golden.findings, golden.failing, tool_version=VERSION)
    table = as_html(text).xpath("//table")[0]
    cells = [cell.text_content() for cell in table.xpath(".//tbody/tr")[0]]

    assert cells == [
        "Russian intervention in the Syrian civil war",
        "checked",
        "670",
        "5",
        "6",
        "6",
        "43",
        "30",
        "87",
        "8",
    ]


def test_hostile_report_is_cut_below_the_limit_with_a_count_of_the_rest(hostile: Run) -> None:
    text = markdown.render(hostile.report, hostile.findings, hostile.failing, tool_version=VERSION)

    assert len(text) <= markdown.COMMENT_LIMIT
    assert github_length(text) <= markdown.COMMENT_LIMIT
    tail = TAIL.search(text)
    assert tail, text[-300:]
    shown = len(FINDING_ROW.findall(text))
    assert shown > 50
    assert int(tail.group(1)) == len(hostile.findings) - shown


def test_hostile_text_cannot_inject_links_html_or_mentions(hostile: Run) -> None:
    text = markdown.render(hostile.report, hostile.findings, hostile.failing, tool_version=VERSION)
    page = as_html(text)

    assert not page.xpath("//script | //img | //iframe | //style | //del | //code | //h1")
    hrefs = page.xpath("//a/@href")
    assert hrefs and all(href.startswith(("http://", "https://")) for href in hrefs)
    for table in page.xpath("//table"):
        widths = {len(row.xpath("./td | ./th")) for row in table.xpath(".//tr")}
        assert len(widths) == 1, "a cell split a table row"
    for cell in page.xpath("//td"):
        assert {child.tag for child in cell.iterdescendants()} <= {"a"}
    rendered = page.text_content()
    assert "@octocat" not in rendered and "#123" not in rendered
    assert "<script>" in rendered  # shown as text, not run
    assert not re.search(r"(?<!\\)\$", text), "unescaped $ would start GitHub math"
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e]", text)


def test_claims_are_truncated(hostile: Run) -> None:
    text = markdown.render(hostile.report, hostile.findings, hostile.failing, tool_version=VERSION)
    longest = max(len(line) for line in text.splitlines())

    assert longest < 2000
    assert "A very long claim, A very long claim," in text
    assert "\u2026" in text


@pytest.mark.parametrize("limit", [2_000, 10_000])
def test_any_limit_is_kept(hostile: Run, limit: int) -> None:
    text = markdown.render(
        hostile.report, hostile.findings, hostile.failing, tool_version=VERSION, limit=limit
    )
    assert github_length(text) <= limit
    assert TAIL.search(text)


def test_a_clean_run_says_so() -> None:
    report = {"documents": [{"title": "Dog", "status": "checked", "summary": {"claims": 3}}]}
    text = markdown.render(report, [], [], tool_version=VERSION)

    assert text.startswith("## \u2705 audit: passed \u2014 no findings\n")
    assert "Findings" not in text.split("### Articles")[0]


def test_non_failing_findings_are_folded_away(golden: Run) -> None:
    text = markdown.render(golden.report, golden.findings, [], tool_version=VERSION)
    page = as_html(text)

    assert text.startswith("## \u2705 audit: passed \u2014 87 findings to review\n")
    assert page.xpath("//details/summary")[0].text_content() == "Findings (87)"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", r"a\|b"),
        ("[x](javascript:y)", r"\[x\]\(javascript:y\)"),
        ("<b>", r"\<b\>"),
        ("ping @octocat", "ping @\u2060octocat"),
        ("see #12", "see \\#\u206012"),
        ("tab\there\x00\nnext", "tab here next"),
        ("`x`", r"\`x\`"),
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert markdown.escape(raw) == escaped


def test_links_are_only_http() -> None:
    assert markdown.link("x", "javascript:alert(1)") == "x"
    assert markdown.link("x", "https://example.org/a b") == "x"
    assert markdown.link("x", "https://example.org/a|b)") == "[x](https://example.org/a%7Cb%29)"
