"""stats.html: one self-contained page, the same numbers as the text, every untrusted string
escaped, charts with names and table fallbacks, nothing that needs JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from audit.jobs import stats
from audit.report.stats_view import render_stats_html
from tests.stats.conftest import HOSTILE


@pytest.fixture
def page(tmp_path: Path, scans: tuple[Path, Path]) -> BeautifulSoup:
    result = stats(list(scans), html=tmp_path / "out" / "stats.html")
    assert result.html == tmp_path / "out" / "stats.html"
    return BeautifulSoup(result.html.read_text(encoding="utf-8"), "lxml")


def words(element) -> str:
    return " ".join(element.get_text(" ").split())


def table_rows(table) -> list[list[str]]:
    return [[words(cell) for cell in row.find_all(["th", "td"])]
            for row in table.find("tbody").find_all("tr")]


def data_table(page: BeautifulSoup, caption: str):
    found = [t for t in page.select("table.data") if words(t.caption).startswith(caption)]
    assert len(found) == 1, caption
    return found[0]


def test_hostile_strings_are_text_only(page: BeautifulSoup) -> None:
    assert page.find_all("script") == []  # not even our own: the page needs none
    assert page.find(attrs={"onerror": True}) is None
    # The hostile domain and error message are shown, as text, wherever they appear.
    text = page.get_text()
    assert text.count(HOSTILE) >= 3  # domain table, domain chart tooltip/table, error table
    errors = table_rows(data_table(page, "Pages the scan could not read"))
    assert errors[1] == ["Epsilon", "https://en.wikipedia.org", f"HTTP 404 {HOSTILE}"]


def test_raw_html_escapes_the_payload(tmp_path: Path, scans: tuple[Path, Path]) -> None:
    result = stats(list(scans))
    html = render_stats_html(result.stats, result.scans)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_self_contained_with_a_strict_csp(page: BeautifulSoup) -> None:
    csp = page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in csp and "script-src 'none'" in csp
    assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+'", csp)
    assert not page.find_all(["link", "img", "iframe"])
    assert not page.find_all(style=True)  # the CSP forbids style attributes
    assert ".chart rect" in page.find("style").string  # report.css, inlined


def test_every_chart_has_a_name_a_description_and_a_table(page: BeautifulSoup) -> None:
    charts = page.select("section.chart")
    assert {c["aria-labelledby"].removesuffix("-heading") for c in charts} == {
        "chart-rates", "chart-age", "chart-outcomes", "chart-grades", "chart-mix",
        "chart-domains", "chart-banners"}
    for chart in charts:
        svg = chart.find("svg")
        assert svg["role"] == "img"
        title, desc = (page.find(id=i) for i in svg["aria-labelledby"].split())
        assert title.name == "title" and desc.name == "desc" and words(desc)
        assert chart.find("details").find("table").find("tbody").find_all("tr")
        # Every bar carries its words, not only a length and a colour.
        for bar in svg.find_all("g"):
            assert words(bar.find("title")) and words(bar.find("text", class_="label"))


def test_rates_chart_prints_rates(page: BeautifulSoup) -> None:
    chart = page.find(id="chart-rates-heading").find_parent("section")
    assert table_rows(chart.find("details").find("table")) == [
        ["citation-needed (6 flags)", "30.00"], ["dubious (1 flag)", "5.00"],
        ["unreliable-source (1 flag)", "5.00"]]
    assert words(page.find(id="chart-rates-desc")).startswith("40.00 flags per 1,000 claims")


def test_tables_show_the_numbers(page: BeautifulSoup) -> None:
    assert table_rows(data_table(page, "Flags per 1,000 claims, overall"))[0] == [
        "citation-needed", "6", "30.00", "3", "42.50", "92.50"]
    assert table_rows(data_table(page, "Flags by type and age"))[-1] == [
        "all types", "2", "1", "1", "2", "2", "682.5 d (1.9 y)"]
    assert table_rows(data_table(page, "Flags by outcome"))[-1] == [
        "resolved (all but still open)", "5", "71.4%", "30 d"]
    assert table_rows(data_table(page, "Share of claims"))[0] == [
        "well sourced", "114", "57.0%"]
    assert table_rows(data_table(page, "The 5 most cited unreliable domains"))[0] == [
        "dailymail.co.uk", "deprecated", "3", "1"]
    assert table_rows(data_table(page, "Articles per banner type")) == [
        ["more-citations-needed", "2"], ["pov", "2"]]


def test_inputs_are_recorded(page: BeautifulSoup, scans: tuple[Path, Path]) -> None:
    import hashlib

    tables = table_rows(data_table(page, "Tables read"))
    path = scans[0] / "flags.parquet"
    assert [str(path), "parquet", f"{path.stat().st_size:,}",
            hashlib.sha256(path.read_bytes()).hexdigest()] in tables
    directories = table_rows(data_table(page, "Scan directories"))
    assert [row[:4] for row in directories] == [
        [str(scans[0]), "1", "0.1.0", "rsp-test-1"], [str(scans[1]), "1", "0.1.0", "rsp-test-1"]]
    assert "rsp-test-1" in words(page.find("footer"))
    assert page.find("meta", attrs={"name": "generator"})["content"].startswith("audit ")


def test_without_history_the_page_says_so(tmp_path: Path, scans: tuple[Path, Path]) -> None:
    result = stats([scans[1]], html=tmp_path / "stats.html")
    page = BeautifulSoup(result.html.read_text(encoding="utf-8"), "lxml")
    section = page.find(id="resolution")
    assert "no flag_history table" in words(section) and not section.find("svg")


def test_headings_are_in_order(page: BeautifulSoup) -> None:
    levels = [int(h.name[1]) for h in page.find_all(re.compile("^h[1-6]$"))]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    assert page.find("html")["lang"] == "en"
    for table in page.select("table.data"):
        assert table.find("caption") and table.find("th", scope="col")
