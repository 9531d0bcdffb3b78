"""report.html as the editors' work page: queue order, flag facts, triage, sources, charts, a11y."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from audit.reliability import Reliability
from audit.report import render_html
from audit.report.findings import age_text, reliability_view
from audit.report.html_report import template_asset
from tests.report.conftest import WAIVED_NOTE


def render(*checks) -> BeautifulSoup:
    html = render_html(list(checks), generated="2026-03-02T00:00:00Z", tool_version="0.0.test")
    return BeautifulSoup(html, "lxml")


@pytest.fixture
def page(worklist) -> BeautifulSoup:
    return render(worklist)


def finding(page: BeautifulSoup, cid: str):
    return page.find("li", id=f"doc-1-{cid}")


def words(element) -> str:
    return element.get_text(" ", strip=True)


def test_queue_is_sorted_worst_first(page):
    queue = page.find("ol", class_="queue")
    assert [li["id"].removeprefix("doc-1-") for li in queue.find_all("li", recursive=False)] == [
        "c-w5",  # failed verification, 6 years old
        "c-w6",  # dubious
        "c-w2",  # unreliable source?
        "c-w4",  # only a self-published source, no flag
        "c-w1",  # citation needed, but possibly stale
        "c-w3",  # mixed sources
    ]
    assert finding(page, "c-w7").find_parent("details")  # nothing to do: collapsed
    assert words(finding(page, "c-w5").select_one(".sev")) == "▲ high"
    assert "sev-4" in finding(page, "c-w5").select_one(".sev")["class"]


def test_stale_likely_resolvable_and_age_are_spelled_out(page):
    stale = words(finding(page, "c-w1").select_one(".flags li"))
    assert "tagged March 2020 · 6 years" in stale
    assert "possibly stale — check and remove: a reference now directly follows this claim" in stale
    assert "likely resolvable" in words(finding(page, "c-w2").select_one(".flags"))
    assert finding(page, "c-w1").select_one(".fact.stale")


def test_reliability_chips_with_shortcut_note_and_override(page):
    rt, blog = finding(page, "c-w3").select("ul.citations > li")
    assert words(rt.select_one(".rel")) == "⊘ deprecated since 2020 · RT"
    assert rt.find("a", string="WP:RSPRT")["href"] == "https://en.wikipedia.org/wiki/WP:RSPRT"
    assert "cited before deprecation (deprecated 2020)" in words(rt)
    assert "(rt.com)" in words(rt)
    assert words(blog.select_one(".rel")) == (
        "✓ generally reliable · editor override (was self-published)"
    )
    assert words(finding(page, "c-w3").select_one(".grade")) == "◐ sourcing: mixed sources"
    weak = finding(page, "c-w4")
    assert words(weak.select_one(".rel")) == "◐ self-published"
    assert "weak sourcing" in words(weak.select_one(".badges"))


def test_triage_shown_escaped_and_waived_marked_not_hidden(page):
    waived = finding(page, "c-w4")
    assert "dismissed" in waived["class"]
    assert words(waived.select_one(".finding-head .triage")) == "✎ triage: waived"
    assert waived.select_one(".triage-note .note").get_text() == WAIVED_NOTE
    assert not waived.select_one(".triage-note b")
    assert "by Editor1 · 2026-02-01" in words(waived.select_one(".triage-note"))
    false_positive = finding(page, "c-w5")
    assert "dismissed" in false_positive["class"]  # its only flag is a false positive
    assert "triage: false positive — source says so" in words(false_positive)
    assert words(false_positive.select_one(".finding-head .triage")) == (
        "✎ triage: flag false positive"
    )
    assigned = finding(page, "c-w6")
    assert "dismissed" not in assigned["class"]
    assert assigned["data-triage"] == "assigned"
    # Static HTML: nothing is hidden; only the script hides waived findings.
    assert not page.select("li[hidden]")
    show = page.find("input", id="filter-dismissed")
    assert not show.has_attr("checked")
    assert page.find("label", attrs={"for": "filter-dismissed"}).get_text() == (
        "show waived / false positive"
    )


def test_links_into_the_live_article_and_edit_section(page):
    links = {a.get_text(): a["href"] for a in finding(page, "c-w1").select(".actions a")}
    assert links["view in article"].startswith(
        "https://en.wikipedia.org/wiki/Worklist_article#:~:text=The%20campaign"
    )
    assert links["edit section"] == (
        "https://en.wikipedia.org/w/index.php?title=Worklist_article&action=edit&section=0"
    )


def test_filter_data_are_tokens_only(page):
    for li in page.select("li.finding"):
        for name, value in li.attrs.items():
            if name.startswith("data-"):
                assert re.fullmatch(r"[A-Za-z0-9_: -]*", value), (name, value)
    assert finding(page, "c-w4")["data-sourcing"] == "grade-only-unreliable weak"
    assert finding(page, "c-w1")["data-flags"] == "citation-needed:open"


def test_filter_controls_and_counts(page):
    form = page.find("form", id="filters")
    assert form.has_attr("hidden")
    assert words(form.find(id="filter-count")) == "6 of 6 findings shown"
    severities = [i["value"] for i in form.find_all("input", attrs={"name": "severity"})]
    assert severities == ["4", "3", "2", "1"]
    assert [o["value"] for o in form.find("select", id="filter-section").find_all("option")] == [
        "",
        "doc-1-sec-1",
        "doc-1-sec-2",
        "doc-1-sec-3",
    ]
    triage = [o["value"] for o in form.find("select", id="filter-triage").find_all("option")]
    assert {"waived", "false-positive", "assigned"} <= set(triage)
    sourcing = [o["value"] for o in form.find("select", id="filter-sourcing").find_all("option")]
    assert {"uncited", "weak"} <= set(sourcing)
    assert form.find("input", id="filter-search", type="search")
    assert "/" in words(form.find(class_="keys")) and "j" in words(form.find(class_="keys"))


def chart(page, dom_id):
    return page.find(id=f"{dom_id}-heading").find_parent("section")


def test_charts_have_accessible_names_and_tables(page):
    for dom_id in ("chart-age", "chart-sections", "chart-mix"):
        section = chart(page, dom_id)
        svg = section.find("svg")
        assert svg["role"] == "img"
        ids = svg["aria-labelledby"].split()
        assert [page.find(id=i).name for i in ids] == ["title", "desc"]
        bars = [int(t.get_text()) for t in svg.select("text.count")]
        rows = [int(td.get_text()) for td in section.select("table td")]
        assert bars == rows and sum(rows) > 0
    age = chart(page, "chart-age")
    assert [words(th) for th in age.select("tbody th")] == [
        "under 1 year",
        "1–2 years",
        "2–5 years",
        "5+ years",
        "undated",
    ]
    assert "4 open flags — under 1 year: 0, 1–2 years: 1, 2–5 years: 1, 5+ years: 2" in (
        age.find("desc").get_text()
    )
    mix = chart(page, "chart-mix")
    table = {words(tr.th): int(tr.td.get_text()) for tr in mix.select("tbody tr")}
    assert table["generally reliable"] == 6 and table["deprecated"] == 1
    assert table["self-published, user-generated & co. (self-published 1)"] == 1
    assert list(table)[-1] == "not rated"
    sections = chart(page, "chart-sections")
    assert [words(th) for th in sections.select("tbody th")] == ["Reactions", "Lead", "Background"]


def test_chart_without_data_says_so(checks):
    page = render(checks[2])  # a missing page: nothing counted
    assert words(chart(page, "chart-age")) == "Open flags by age No open flags."
    assert not page.find("svg")


def test_footer_attribution_and_data_version(page):
    footer = " ".join(page.find("footer").get_text().split())
    assert (
        "Source reliability from Wikipedia:Reliable sources/Perennial sources and Cite "
        "Unseen (CC BY-SA 4.0)"
    ) in footer
    assert "Reliability data: rsp-test+citeunseen-test" in footer


def test_hostile_section_names_stay_text_in_filters(hostile):
    page = render(hostile)
    options = page.find("select", id="filter-section").find_all("option")
    assert options[1].get_text() == "<script>alert(1)</script>"
    assert options[1]["value"] == "doc-1-sec-1"
    assert len(page.find_all("script")) == 1


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "0 days"),
        (1, "1 day"),
        (45, "1 month"),
        (200, "6 months"),
        (365, "1 year"),
        (2191, "6 years"),
        (3652, "10 years"),
    ],
)
def test_age_text(days, text):
    assert age_text(days) == text


def test_odd_shortcut_is_not_linked():
    view = reliability_view(Reliability("deprecated", shortcut="javascript:alert(1)"))
    assert view.shortcut is None
    assert reliability_view(None).badge.text == "not rated"


# --- accessibility of the stylesheet ------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_have_enough_contrast():
    css = template_asset("report.css")
    variables = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})", css))
    checked = 0
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        body = re.sub(r"var\((--[\w-]+)\)", lambda m: variables[m.group(1)], body)
        colour = re.search(r"(?:^|;)\s*(?:color|fill):\s*(#[0-9a-fA-F]{3,6})", body)
        if colour is None or "rect" in selector:  # bars are graphics, labelled in text
            continue
        background = re.search(r"background:\s*(#[0-9a-fA-F]{3,6})", body)
        # Without its own background, text may sit on the palest grey the page uses.
        behind = [background.group(1)] if background else ["#ffffff", "#f4f4f4"]
        for back in behind:
            ratio = contrast(colour.group(1), back)
            assert ratio >= 4.5, (selector.strip(), colour.group(1), back, round(ratio, 2))
            checked += 1
    assert checked > 40


def test_focus_is_visible_and_print_hides_controls():
    css = template_asset("report.css")
    assert re.search(r"li\.finding:focus \{[^}]*outline: 3px solid", css)
    print_rules = css[css.index("@media print") :]
    for selector in (".filters", ".keys", ".skip"):
        assert selector in print_rules
    assert "details > *" in print_rules
    assert "beforeprint" in template_asset("report.js")  # closed <details> opened for printing
