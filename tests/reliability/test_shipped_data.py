"""The shipped table (audit/data/reliability.json) on the sources editors meet most."""

from __future__ import annotations

import re

import pytest

import audit.reliability as reliability
from audit.model import Citation
from audit.reliability import classify_citation, classify_url

RT_URLS = [
    "https://www.rt.com/news/512345-some-story/",
    "http://rt.com/news/512345-some-story",
    "https://de.rt.com/international/12345-etwas/",
    "https://arabic.rt.com/world/12345/",
    "https://m.rt.com/news/512345/",
    "https://mobile.rt.com/news/512345/",
    "https://amp.rt.com/news/512345/",
    "https://www.rt.com/news/512345-some-story/amp/",
    "https://www.rt.com/amp/news/512345/",
    "https://www.rt.com/news/512345/?amp",
    "https://www.rt.com/news/512345/?outputType=amp",
    "https://www-rt-com.cdn.ampproject.org/c/s/www.rt.com/news/512345/",
    "https://www-rt-com.cdn.ampproject.org/v/s/www.rt.com/news/512345/?amp_js_v=0.1",
    "https://www.google.com/amp/s/www.rt.com/news/512345/",
    "https://web.archive.org/web/20150302000000/http://rt.com/news/512345/",
    "https://web.archive.org/web/20150302000000id_/https://www.rt.com/news/512345/",
    "http://web.archive.org/web/2015/rt.com/news/512345/",
    "https://web.archive.org/web/*/http://www.rt.com/*",
    "https://archive.ph/2020.06.01-101010/https://www.rt.com/news/512345/",
    "https://archive.today/newest/https://arabic.rt.com/x",
    "HTTPS://WWW.RT.COM./news/512345",
    "https://www.rt.com:443/news/512345",
    "//www.rt.com/news/512345",
    "www.rt.com/news/512345",
]


@pytest.mark.parametrize("url", RT_URLS)
def test_rt_is_deprecated_in_every_disguise(url: str) -> None:
    result = classify_url(url)
    assert result is not None
    assert (result.status, result.matched_domain, result.source) == ("deprecated", "rt.com", "RT")


@pytest.mark.parametrize(
    "url",
    [
        "https://sputniknews.com/world/201503021234/",
        "https://sputniknews.com/amp/world/201503021234/",
        "https://m.sputniknews.com/world/201503021234/",
        "https://web.archive.org/web/20160101000000/https://sputniknews.com/x",
        "https://armeniasputnik.am/x",
        "https://sputnikglobe.com/x",
    ],
)
def test_sputnik_is_deprecated(url: str) -> None:
    result = classify_url(url)
    assert result is not None
    assert (result.status, result.source) == ("deprecated", "Sputnik")


def test_listed_subdomain_beats_its_registrable_domain() -> None:
    # radiosputnik.ria.ru is listed under Sputnik, ria.ru itself is not on RSP
    sputnik = classify_url("https://radiosputnik.ria.ru/20150302/123.html")
    assert sputnik is not None and sputnik.source == "Sputnik"
    assert classify_url("https://ria.ru/20150302/123.html") is None


def test_reuters_is_generally_reliable() -> None:
    result = classify_url("https://www.reuters.com/world/europe/some-story-2024-01-01/")
    assert result is not None
    assert (result.status, result.source, result.before_change) == (
        "generally-reliable",
        "Reuters",
        False,
    )


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://someone.blogspot.com/2015/03/post.html", "Blogger"),
        ("https://someone.wordpress.com/2015/03/02/post/", "WordPress.com"),
        ("https://medium.com/@someone/post-123", "Medium"),
        ("https://someone.substack.com/p/post", None),
    ],
)
def test_blogs_are_self_published(url: str, source: str | None) -> None:
    result = classify_url(url)
    assert result is not None
    assert result.category == "self-published"
    # RSP speaks for the platforms it lists; the category list speaks for the others
    assert result.status == ("generally-unreliable" if source else "self-published")
    assert result.source == source


def test_youtube_follows_rsp_and_keeps_its_category() -> None:
    result = classify_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert result is not None
    assert (result.status, result.source, result.category) == (
        "generally-unreliable",
        "YouTube",
        "video",
    )
    assert result.shortcut == "WP:RSPYT"
    short = classify_url("https://youtu.be/dQw4w9WgXcQ")
    assert short is not None and (short.status, short.category) == ("video", "video")


@pytest.mark.parametrize(
    "url", ["https://twitter.com/someone/status/1", "https://x.com/someone/status/1"]
)
def test_twitter_and_x_are_one_unreliable_social_network(url: str) -> None:
    result = classify_url(url)
    assert result is not None
    assert (result.status, result.source, result.category) == (
        "generally-unreliable",
        "X",
        "social-media",
    )


def test_press_release_wires() -> None:
    wire = classify_url("https://www.businesswire.com/news/home/20150302005123/en/")
    assert wire is not None and (wire.status, wire.source) == ("press-release", None)
    rsp = classify_url("https://www.prnewswire.com/news-releases/x-300123.html")
    assert rsp is not None
    assert (rsp.status, rsp.source, rsp.category) == (
        "generally-unreliable",
        "PR Newswire",
        "press-release",
    )


def test_wikipedia_is_circular() -> None:
    result = classify_url("https://en.m.wikipedia.org/wiki/RT_(TV_network)")
    assert result is not None
    assert (result.status, result.category) == ("generally-unreliable", "wiki")


def test_topic_scoped_rows_come_with_their_alternatives() -> None:
    result = classify_url("https://www.foxnews.com/politics/some-story")
    assert result is not None
    assert (result.status, result.scope) == ("no-consensus", "news excluding politics and science")
    assert ("generally-unreliable", "Fox News", "politics and science") in result.alternatives


def test_path_scoped_rows() -> None:
    advisor = classify_url("https://www.forbes.com/advisor/banking/best-banks/")
    assert advisor is not None
    assert (advisor.status, advisor.matched_domain) == (
        "generally-unreliable",
        "forbes.com/advisor",
    )
    staff = classify_url("https://www.forbes.com/sites/someone/2020/01/01/story/")
    assert staff is not None and staff.matched_domain == "forbes.com"


def test_period_scoped_rows_follow_the_publication_date() -> None:
    old = classify_url("https://www.newsweek.com/old-story", published_on="12 May 2009")
    new = classify_url("https://www.newsweek.com/new-story", published_on="2019-05-12")
    assert old is not None and (old.status, old.scope) == ("generally-reliable", "pre-2013")
    assert new is not None and (new.status, new.scope) == ("no-consensus", "2013–present")
    undated = classify_url("https://www.newsweek.com/story")
    assert undated is not None and undated.note and "publication date" in undated.note


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "https://archive.ph/AbCdE",  # archive.today short link: the original is not in the URL
        "https://ghostarchive.org/archive/AbCdE",
        "https://www.example.org/page",
        "mailto:someone@example.org",
        "not a url",
    ],
)
def test_unknown_is_none(url: str | None) -> None:
    assert classify_url(url) is None


def test_citation_with_hidden_archive_is_judged_by_its_original() -> None:
    hidden = Citation(url="https://archive.ph/AbCdE")
    assert classify_citation(hidden) is None
    both = Citation(url="https://www.rt.com/news/1/", archive_url="https://archive.ph/AbCdE")
    result = classify_citation(both)
    assert result is not None and result.status == "deprecated"
    archived_only = Citation(
        url=None, archive_url="https://web.archive.org/web/2015/https://www.rt.com/news/1/"
    )
    result = classify_citation(archived_only)
    assert result is not None and result.matched_domain == "rt.com"


def test_data_version_is_exposed() -> None:
    assert re.fullmatch(r"rsp-\d{4}-\d{2}-\d{2}\+citeunseen-\d{4}-\d{2}", reliability.DATA_VERSION)
