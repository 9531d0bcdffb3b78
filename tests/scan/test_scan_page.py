"""`scan_page`: one page in, plain row tuples out; never an exception."""

from __future__ import annotations

import pickle

import pytest

from audit.scan import run as scan_module
from audit.scan.dumps import PageInput
from audit.scan.run import iso_utc, scan_page
from audit.scan.tables import ARTICLES, CITATIONS, FLAGS
from tests.scan.helpers import PARSOID_PAGES, parsoid_html

WIKITEXT = """'''Pears''' are fruit.<ref>{{cite web |url=https://www.bbc.co.uk/food/pears |title=Pears}}</ref>
They grow in cold places.{{citation needed|date=March 2014}} Some are red.

== Uses ==
Pears are eaten raw.{{cn|date=January 2010|reason=which pears?}} Cider is made from them.<ref>{{cite web|url=https://someone.blogspot.com/pears|title=Perry}}</ref>
"""


def page(content: str | bytes | None, **fields: object) -> PageInput:
    values: dict[str, object] = {
        "source": "test.xml", "input_format": "xml-dump", "content_format": "wikitext",
        "content": content, "wiki": "https://en.wikipedia.org", "title": "Pear",
        "page_id": 7, "revision_id": 70, "revision_timestamp": "2015-01-01T00:00:00Z",
    }
    values.update(fields)
    return PageInput(**values)  # type: ignore[arg-type]


def as_dicts(rows, table) -> list[dict[str, object]]:
    return [dict(zip(table.names, row)) for row in rows]


def test_rows_follow_the_schema_and_carry_the_findings() -> None:
    article, flags, citations = scan_page(page(WIKITEXT))
    assert len(article) == len(ARTICLES.columns)
    assert all(len(row) == len(FLAGS.columns) for row in flags)
    assert all(len(row) == len(CITATIONS.columns) for row in citations)
    summary = dict(zip(ARTICLES.names, article))
    assert summary["error"] is None and summary["document_format"] == "wikitext"
    assert summary["flags"] == len(flags) == 2 and summary["flagged_claims"] == 2
    grades = ("well_sourced", "mixed", "only_unreliable", "uncited", "sourcing_unknown")
    assert sum(summary[name] for name in grades) == summary["claims"]
    first, second = as_dicts(flags, FLAGS)
    assert (first["flag_type"], first["flag_date"], first["claim_cited"]) == (
        "citation-needed", "March 2014", False)
    assert first["flag_age_days"] == (iso_date(2015, 1, 1) - iso_date(2014, 3, 1))
    assert second["flag_reason"] == "which pears?" and second["section"] == "Uses"
    cited = as_dicts(citations, CITATIONS)
    statuses = {row["domain"]: row["reliability_status"] for row in cited}
    assert statuses["bbc.co.uk"] == "generally-reliable"
    assert statuses["someone.blogspot.com"] in ("self-published", "generally-unreliable")
    assert {row["via"] for row in cited} <= {"follows", "paragraph"}
    assert summary["citations"] == sum(row["via"] == "follows" for row in cited)


def iso_date(year: int, month: int, day: int) -> int:
    import datetime

    return datetime.date(year, month, day).toordinal()


def test_rows_are_plain_values_cheap_to_send_between_processes() -> None:
    rows = scan_page(page(WIKITEXT))
    plain = (str, int, bool, type(None))
    assert all(isinstance(value, plain) for value in rows[0])
    assert all(isinstance(value, plain) for row in rows[1] + rows[2] for value in row)
    assert pickle.loads(pickle.dumps(rows)) == rows


def test_parsoid_page_takes_metadata_from_the_document_when_the_input_has_none() -> None:
    html = parsoid_html(PARSOID_PAGES[1])  # Nephrite
    article, flags, _ = scan_page(page(html, content_format="auto", title=None, page_id=None,
                                       revision_id=None, revision_timestamp=None))
    summary = dict(zip(ARTICLES.names, article))
    assert summary["title"] == "Nephrite" and summary["revision_id"] == 1120803762
    assert summary["revision_timestamp"] == "2022-11-08T22:22:54Z"
    assert summary["document_format"] == "parsoid" and summary["banners"] == 3
    assert summary["banner_types"].count(";") <= 2 and summary["banner_types"]
    assert [dict(zip(FLAGS.names, row))["flag_type"] for row in flags] == ["citation-needed"]


@pytest.mark.parametrize("content, error", [
    (b"\x00\x01binary", "binary"),
    ("", "no article text"),
    (None, "no content"),
])
def test_unreadable_pages_are_error_rows(content: str | bytes | None, error: str) -> None:
    article, flags, citations = scan_page(page(content, content_format="auto"))
    summary = dict(zip(ARTICLES.names, article))
    assert error in (summary["error"] or "") and summary["claims"] == 0
    assert flags == [] and citations == []


def test_an_input_error_value_passes_through() -> None:
    article, _, _ = scan_page(page(None, title=None, error="line 3: not a JSON record"))
    assert dict(zip(ARTICLES.names, article))["error"] == "line 3: not a JSON record"


def test_a_reader_bug_on_one_page_is_that_page_s_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_: PageInput) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(scan_module, "_read", broken)
    article, _, _ = scan_page(page(WIKITEXT))
    assert dict(zip(ARTICLES.names, article))["error"] == (
        "internal error: RecursionError: maximum recursion depth exceeded")


def test_timestamps_are_normalised_to_utc_seconds() -> None:
    assert iso_utc("2022-11-08T22:22:54.000Z") == "2022-11-08T22:22:54Z"
    assert iso_utc("2022-11-08T23:22:54+01:00") == "2022-11-08T22:22:54Z"
    assert iso_utc("2022-11-08T22:22:54") == "2022-11-08T22:22:54Z"
    assert iso_utc("yesterday") is None and iso_utc(None) is None
