"""Domain matching on a handcrafted table: public suffixes, subdomains, paths, IDNs, periods."""

from __future__ import annotations

import pytest

from audit.reliability import ReliabilityData, classify_url, host_chain, original_url


def status(url: str, data: ReliabilityData, **dates: str) -> tuple[str | None, str | None]:
    result = classify_url(url, data=data, **dates)
    return (result.status, result.matched_domain) if result else (None, None)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://portal.com/story", ("no-consensus", "portal.com")),
        ("https://www.portal.com/story", ("no-consensus", "portal.com")),
        ("https://news.portal.com/story", ("generally-reliable", "news.portal.com")),
        ("https://m.news.portal.com/story", ("generally-reliable", "news.portal.com")),
        ("https://eu.news.portal.com/story", ("generally-reliable", "news.portal.com")),
        ("https://portal.com/opinion/piece", ("generally-unreliable", "portal.com/opinion")),
        ("https://portal.com/opinion", ("generally-unreliable", "portal.com/opinion")),
        ("https://portal.com/opinions-desk/x", ("no-consensus", "portal.com")),  # not a segment
        ("https://portal.com/amp/opinion/piece", ("generally-unreliable", "portal.com/opinion")),
        ("https://hub.com/space/ufo-sightings/1", ("generally-reliable", "hub.com/space/ufo")),
        ("https://hub.com/space/other", (None, None)),
    ],
)
def test_most_specific_entry_wins(
    url: str, expected: tuple[str, str], mini: ReliabilityData
) -> None:
    assert status(url, mini) == expected


def test_category_rides_along_and_path_categories(mini: ReliabilityData) -> None:
    blog = classify_url("https://portal.com/blogs/someone/post", data=mini)
    assert blog is not None
    assert (blog.status, blog.category, blog.source) == ("no-consensus", "self-published", "Portal")
    plain = classify_url("https://someone.blogsite.com/post", data=mini)
    assert plain is not None
    assert (plain.status, plain.category, plain.source) == (
        "self-published",
        "self-published",
        None,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # a key in Unicode matches both the Unicode and the punycode host ...
        ("https://пример.рф/статья", ("generally-unreliable", "xn--e1afmkfd.xn--p1ai")),
        ("https://xn--e1afmkfd.xn--p1ai/x", ("generally-unreliable", "xn--e1afmkfd.xn--p1ai")),
        ("https://WWW.ПРИМЕР.РФ/x", ("generally-unreliable", "xn--e1afmkfd.xn--p1ai")),
        # ... and a punycode key matches both as well
        ("https://сайт.рф/x", ("generally-reliable", "xn--80aswg.xn--p1ai")),
        ("http://xn--80aswg.xn--p1ai/x", ("generally-reliable", "xn--80aswg.xn--p1ai")),
    ],
)
def test_idn_both_ways(url: str, expected: tuple[str, str], mini: ReliabilityData) -> None:
    assert status(url, mini) == expected


@pytest.mark.parametrize(
    "url",
    [
        "HTTPS://EXAMPLE-TIMES.COM/A",
        "https://example-times.com./a",
        "https://example-times.com:8443/a",
        "https://user:pw@www.example-times.com/a",
        "https://amp.example-times.com/a?outputType=amp",
        "https://example--times-com.cdn.ampproject.org/c/s/example-times.com/a",
        "https://example--times-com.cdn.ampproject.org/",  # host label decoded
        "https://webcache.googleusercontent.com/search?q=cache:AbC:https://example-times.com/a",
        "https://www.webcitation.org/query?url=http://example-times.com/a",
        "https://wayback.archive-it.org/1234/20150302000000/http://example-times.com/a",
    ],
)
def test_host_spellings(url: str, mini: ReliabilityData) -> None:
    assert status(url, mini) == ("generally-reliable", "example-times.com")


def test_public_suffix_is_never_matched_as_a_parent(mini: ReliabilityData) -> None:
    # gov.uk is a public suffix: its own site matches, hmrc.gov.uk (a registrable domain) not
    assert status("https://www.gov.uk/guidance", mini) == ("generally-reliable", "gov.uk")
    assert status("https://hmrc.gov.uk/x", mini) == (None, None)
    assert host_chain("a.b.bbc.co.uk") == ("a.b.bbc.co.uk", "b.bbc.co.uk", "bbc.co.uk")
    assert host_chain("gov.uk") == ("gov.uk",)
    assert host_chain("127.0.0.1") == ("127.0.0.1",)


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2009", ("generally-reliable", "pre-2013")),
        ("2013-01-01", ("no-consensus", "2013–present")),
        ("December 2012", ("generally-reliable", "pre-2013")),
    ],
)
def test_period_rows(published: str, expected: tuple[str, str], mini: ReliabilityData) -> None:
    result = classify_url("https://periodical.com/x", published_on=published, data=mini)
    assert result is not None and (result.status, result.scope) == expected
    assert result.alternatives == ()  # the other period does not apply to this article


def test_access_date_bounds_the_publication_period(mini: ReliabilityData) -> None:
    # read in 2011, so published before 2013 even though the citation has no date
    result = classify_url("https://periodical.com/x", cited_on="2011-05-05", data=mini)
    assert result is not None and result.scope == "pre-2013"


def test_no_row_for_the_period_means_unknown(mini: ReliabilityData) -> None:
    # RSP rates this source only from March 2014 on (like Lenta.ru)
    assert classify_url("https://oldonly.ru/x", published_on="2010", data=mini) is None
    later = classify_url("https://oldonly.ru/x", published_on="2016", data=mini)
    assert later is not None and later.status == "deprecated"


def test_rsp_wins_over_category_for_the_same_host(mini: ReliabilityData) -> None:
    result = classify_url("https://fakenewsdaily.com/x", data=mini)
    assert result is not None and (result.status, result.category) == ("deprecated", "wiki")


@pytest.mark.parametrize(
    ("url", "original"),
    [
        ("https://web.archive.org/web/2015/http:/rt.com/a", "http://rt.com/a"),
        (
            "https://archive.ph/o/AbCd/https://www.rt.com/a",
            "https://www.rt.com/a",
        ),
        ("https://archive.ph/AbCdE", None),
        ("https://example.org/a", "https://example.org/a"),
    ],
)
def test_original_url(url: str, original: str | None) -> None:
    assert original_url(url) == original
