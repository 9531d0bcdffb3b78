"""Editors' overrides from claims.yaml, and the sourcing grade of a claim."""

from __future__ import annotations

import pytest

from audit.errors import ClaimsFileError
from audit.reliability import GRADES, Reliability, apply_overrides, classify_url, sourcing_grade
from audit.sourcing import mix_key

BLOG = "https://example.blogspot.com/2015/03/about-us.html"
DOMAINS = {"example.blogspot.com": {"status": "generally-reliable", "note": "WP:ABOUTSELF"}}


def test_domain_override_applies_to_that_blog_only() -> None:
    result = apply_overrides(classify_url(BLOG), url=BLOG, domain_overrides=DOMAINS)
    assert result is not None
    assert (result.status, result.source, result.overridden, result.note) == (
        "generally-reliable",
        "editor override",
        "generally-unreliable",
        "WP:ABOUTSELF",
    )
    assert result.category == "self-published"  # still shown for what it is
    other = "https://other.blogspot.com/x"
    assert apply_overrides(classify_url(other), url=other, domain_overrides=DOMAINS) == (
        classify_url(other)
    )


def test_citation_override_beats_domain_override_and_follows_archives() -> None:
    citations = {"https://example.blogspot.com/2015/03/about-us.html": "no-consensus"}
    archived = "https://web.archive.org/web/2016/" + BLOG
    for url in (BLOG, BLOG.replace("https://", "http://www."), archived):
        result = apply_overrides(
            classify_url(url), url=url, domain_overrides=DOMAINS, citation_overrides=citations
        )
        assert result is not None
        assert (result.status, result.note) == (
            "no-consensus",
            "editor override (was generally-unreliable)",
        )


def test_override_of_an_unknown_source() -> None:
    url = "https://www.example.org/report.pdf"
    result = apply_overrides(
        classify_url(url), url=url, domain_overrides={"example.org": "generally-reliable"}
    )
    assert result is not None
    assert (result.status, result.overridden, result.matched_domain) == (
        "generally-reliable",
        None,
        "example.org",
    )


def test_no_override_changes_nothing() -> None:
    url = "https://www.rt.com/news/1/"
    assert apply_overrides(classify_url(url), url=url) == classify_url(url)
    assert apply_overrides(None, url=None, domain_overrides=DOMAINS) is None


@pytest.mark.parametrize("value", ["reliable", "", None, {"note": "no status"}])
def test_unknown_override_status_is_a_claims_file_error(value: object) -> None:
    with pytest.raises(ClaimsFileError, match="unknown reliability status") as caught:
        apply_overrides(None, url=BLOG, domain_overrides={"blogspot.com": value})
    assert caught.value.hint and "generally-reliable" in caught.value.hint


GOOD = Reliability(status="generally-reliable")
MARGINAL = Reliability(status="no-consensus")
BAD = Reliability(status="deprecated")
BLOGGY = Reliability(status="self-published")


@pytest.mark.parametrize(
    ("reliabilities", "cited", "grade"),
    [
        ([], False, "uncited"),
        ([GOOD], False, "uncited"),
        ([], True, "unknown"),
        ([None, None], True, "unknown"),
        ([GOOD], True, "well-sourced"),
        ([GOOD, MARGINAL, None], True, "well-sourced"),
        ([GOOD, BAD], True, "mixed"),
        ([MARGINAL], True, "mixed"),
        ([BAD, None], True, "mixed"),
        ([BAD], True, "only-unreliable"),
        ([BAD, BLOGGY, Reliability(status="generally-unreliable")], True, "only-unreliable"),
    ],
)
def test_sourcing_grades(reliabilities: list[Reliability | None], cited: bool, grade: str) -> None:
    assert sourcing_grade(reliabilities, cited=cited) == grade
    assert grade in GRADES


def test_override_counts_in_the_grade() -> None:
    blog = apply_overrides(classify_url(BLOG), url=BLOG, domain_overrides=DOMAINS)
    assert sourcing_grade([classify_url(BLOG)], cited=True) == "only-unreliable"
    assert sourcing_grade([blog], cited=True) == "well-sourced"


@pytest.mark.parametrize(("reliability", "bucket"), [
    (None, "unknown"),
    (Reliability("generally-unreliable", "Blogger", category="self-published"), "self-published"),
    (Reliability("generally-unreliable", "Daily Mail"), "generally-unreliable"),
    (Reliability("deprecated", "Some video host", category="video"), "deprecated"),
    (Reliability("user-generated"), "user-generated"),
    (Reliability("generally-reliable", "Reuters"), "generally-reliable"),
])
def test_source_mix_puts_self_published_hosts_in_their_category(
    reliability: Reliability | None, bucket: str
) -> None:
    assert mix_key(reliability) == bucket
