"""report.html, parsed: layout, diff markup, filters, hostile data escaped, nothing external."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from audit.report import render_html
from audit.report.html_report import template_asset
from audit.report.rows import safe_href

TEMPLATES = Path(__file__).resolve().parents[2] / "audit" / "report" / "templates"


def render(checks) -> BeautifulSoup:
    """The HTML report of `checks`, parsed."""
    html = render_html(checks, generated="2024-01-01T00:00:00Z", tool_version="0.0.test")
    return BeautifulSoup(html, "lxml")


@pytest.fixture
def soup(checks) -> BeautifulSoup:
    return render(checks)


@pytest.fixture
def doc(soup) -> BeautifulSoup:
    """The checked document's article element."""
    return soup.find("article", id="doc-1")


def claim_ids(element) -> list[str]:
    return [li["id"].removeprefix("doc-1-") for li in element.select("li.claim")]


def test_summary_at_top_with_revision_and_diff_links(soup):
    summary = soup.find("main").find(True, recursive=False)
    assert summary.find("h2").get_text() == "Summary: 3 articles: 1 checked, 1 offline, 1 missing"
    assert "3 (2 cited)" not in summary.get_text()  # sanity: our fixture has 1 cited
    assert "2 (1 cited) resolved flags" in summary.get_text(" ", strip=True)
    hrefs = [a["href"] for a in summary.find_all("a")]
    assert "https://en.wikipedia.org/w/index.php?oldid=1250000000" in hrefs
    assert "https://en.wikipedia.org/w/index.php?diff=1250000000&oldid=1191539530" in hrefs


def test_statuses_offline_and_missing_are_explained(soup):
    offline = soup.find("article", id="doc-2").find(class_="notice").get_text()
    missing = soup.find("article", id="doc-3").find(class_="notice").get_text()
    assert "not compared with the live wiki" in offline
    assert "not found on the wiki" in missing and "page does not exist" in missing


def test_findings_worst_first_then_article_order(doc):
    queue = doc.find("ol", class_="queue")
    assert claim_ids(queue) == [
        "c-lead2",  # open citation needed, 6 years old
        "c-re2",  # the same flag, new since the snapshot
        "c-new2",  # new [who?], low severity
        # Nothing left to fix, only changes to review: article order.
        "c-new1",
        "c-lead3",
        "c-bg1",
        "c-bg2",
        "c-tl1",
    ]
    severities = [
        li.select_one(".finding-head .sev").get_text(" ", strip=True)
        for li in queue.select("li.claim")
    ]
    assert severities[:3] == ["● medium", "● medium", "○ low"]
    assert set(severities[3:]) == {"◇ review"}


def test_by_section_view_is_prepared_but_empty_without_js(doc):
    shells = doc.find("div", class_="by-section")
    assert shells.has_attr("hidden")
    assert [h.get_text() for h in shells.find_all("h4")] == [
        "Lead",
        "Background",
        "Background › Timeline",
        "Reactions",
    ]
    assert not shells.select("li")  # the script moves the findings in; nothing is duplicated
    tokens = {li["data-section"] for li in doc.select("li.finding")}
    assert tokens == {ol["id"] for ol in shells.find_all("ol")}


def test_word_diff_uses_del_and_ins(doc):
    reworded = doc.find("li", id="doc-1-c-bg1").find(class_="claim-text")
    assert [d.get_text() for d in reworded.find_all("del")] == ["Most"]
    assert [i.get_text() for i in reworded.find_all("ins")] == ["Many"]
    assert reworded.get_text() == "Most Many strikes hit rebel groups."
    removed = doc.find("li", id="doc-1-c-bg2")
    assert removed.find("del").get_text() == "The base at Hmeimim was expanded."
    assert doc.find("li", id="doc-1-c-new1").find("ins").get_text() == "Naval forces joined later."


def test_badges_say_status_in_words_not_only_colour(doc):
    def badges(cid: str) -> list[str]:
        return [b.get_text(" ", strip=True) for b in doc.find("li", id=cid).select(".badge")]

    def facts(cid: str) -> list[str]:
        return [li.get_text(" ", strip=True) for li in doc.find("li", id=cid).select(".flags li")]

    assert badges("doc-1-c-lead2") == ["⚠ citation needed · open"]
    assert facts("doc-1-c-lead2") == [
        "⚠ citation needed · open no citation tagged October 2017 · 7 years"
    ]
    assert badges("doc-1-c-lead3") == ["✓ citation needed · resolved"]
    assert "cited" in facts("doc-1-c-lead3")[0].split()
    # Resolved without a citation, in a body section: the claim is now uncited, and says so.
    assert badges("doc-1-c-bg1") == [
        "✓ dubious – discuss · resolved",
        "∅ uncited · no reference backs this claim",
    ]
    assert facts("doc-1-c-bg1") == ["✓ dubious – discuss · resolved no citation undated"]
    assert badges("doc-1-c-bg2") == ["✕ failed verification · removed with claim"]
    assert badges("doc-1-c-new2") == ["✚ who? · new", "∅ uncited · no reference backs this claim"]
    assert "flag-open" in doc.find("li", id="doc-1-c-lead2").select_one(".badge")["class"]


def test_claim_status_moved_and_citations(doc):
    moved = doc.find("li", id="doc-1-c-tl1")
    assert moved.find(class_="status").get_text() == "unchanged · moved to Reactions"
    cite = doc.find("li", id="doc-1-c-lead3").select_one("ul.citations li")
    assert cite.find("a")["href"] == "https://www.bbc.co.uk/news/world-middle-east-34416519"
    assert "(bbc.co.uk)" in cite.get_text()


def test_filters_present_labelled_and_hidden_without_js(soup):
    form = soup.find("form", id="filters")
    assert form.has_attr("hidden")  # the script reveals it; without JS nothing is filtered
    controls = form.find_all(["select", "input"])
    assert {c.name for c in controls} == {"select", "input"}
    for control in controls:
        assert soup.find("label", attrs={"for": control["id"]}), control
    types = [o["value"] for o in form.find("select", id="filter-type").find_all("option")]
    assert types[0] == "" and {"citation-needed", "dubious", "who"} <= set(types)
    statuses = [i["value"] for i in form.find_all("input", attrs={"name": "flag-status"})]
    assert statuses == ["open", "resolved", "removed", "new", "none"]
    assert not soup.select(".claim[hidden]")
    tokens = soup.find("li", id="doc-1-c-lead3")["data-flags"]
    assert tokens == "citation-needed:resolved"
    assert soup.find(class_="keys").find_parent("form") is form  # keys do nothing without JS


def test_semantic_headings_landmarks_and_language(soup):
    assert soup.find("html")["lang"] == "en"
    assert len(soup.find_all("h1")) == 1
    assert soup.find("article", id="doc-1").find("h2")
    assert soup.find("header") and soup.find("main") and soup.find("footer")
    assert soup.find("footer").find_parent("main") is None
    levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels  # no skipped level


def test_print_css_expands_details_and_hides_filters():
    css = template_asset("report.css")
    print_rules = css[css.index("@media print") :]
    assert ".filters" in print_rules and "display: none" in print_rules
    assert "details > *" in print_rules


def test_self_contained_no_external_resources(soup, checks):
    assert not soup.find_all(src=True)  # no img/script/iframe loads at all
    assert not soup.find_all("link")
    allowed = ("https://en.wikipedia.org/", "#", "https://creativecommons.org/licenses/by-sa/4.0/")
    cited = {
        c.url
        for d in checks
        for cc in d.claims
        for m in (cc.match.snapshot, cc.match.current)
        if m
        for c in m.citations
        if c.url
    }
    for a in soup.find_all("a"):
        assert a["href"].startswith(allowed) or a["href"] in cited, a["href"]
    style = soup.find("style").string
    assert "@import" not in style and "url(" not in style


def test_csp_allows_exactly_the_inline_script_and_style(soup):
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    scripts = soup.find_all("script")
    assert len(scripts) == 1

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()

    assert f"script-src 'sha256-{digest(scripts[0].string)}'" in csp
    assert f"style-src 'sha256-{digest(soup.find('style').string)}'" in csp
    assert "default-src 'none'" in csp


def test_hostile_text_is_only_ever_text(hostile, checks):
    html = render_html([hostile, *checks], generated="g", tool_version="v")
    soup = BeautifulSoup(html, "lxml")
    assert len(soup.find_all("script")) == 1 and "alert" not in soup.find("script").string
    assert not soup.find_all("img")
    for tag in soup.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag.name
    hrefs = [a["href"] for a in soup.find_all(href=True)]
    assert not [h for h in hrefs if not re.match(r"(https?://|#)", h)]
    text = soup.get_text()
    assert "<script>alert(1)</script>" in text
    assert '"><img src=x onerror=alert(1)>' in text
    assert "javascript:alert(1)" in text  # shown, not linked
    doc = soup.find("article", id="doc-1")
    assert doc.find("h4").get_text() == "<script>alert(1)</script>"
    assert doc.find("del").get_text() == "<script>alert(1)</script>"


def test_template_never_marks_data_safe():
    template = (TEMPLATES / "report.html.j2").read_text(encoding="utf-8")
    assert "|safe" not in template.replace(" ", "") and "autoescape false" not in template
    assert not re.search(r"\son\w+=", template)  # no inline event handlers at all


def test_renders_with_no_documents():
    soup = render([])
    assert soup.find("h2").get_text() == "Summary: no articles"


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2"),
        (" HTTP://example.org/ ", "HTTP://example.org/"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//evil.example/x", None),
        ("http:///nohost", None),
        ("https://en.wikipedia.org\n/wiki/X", None),
        (None, None),
    ],
)
def test_only_http_and_https_urls_become_links(url, href):
    assert safe_href(url) == href


def test_hostile_wiki_base_is_not_linked(checked):
    doc = replace(checked, wiki="javascript:alert(1)//")
    soup = render([doc])
    assert not [a for a in soup.find_all(href=True) if not a["href"].startswith(("http", "#"))]
    assert "javascript:alert(1)//" in soup.find("dl", class_="revisions").get_text()
