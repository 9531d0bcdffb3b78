"""Citations made before a source was deprecated are told apart from fresh ones."""

from __future__ import annotations

import pytest

from audit.model import Citation
from audit.reliability import ReliabilityData, classify_citation, classify_url, date_period


@pytest.mark.parametrize(
    "cited_on", ["2015-03-02", "2 March 2015", "March 2, 2015", "March 2015", "2015"]
)
def test_sputnik_cited_before_its_2020_deprecation(cited_on: str) -> None:
    result = classify_url("https://sputniknews.com/world/1/", cited_on=cited_on)
    assert result is not None
    assert result.status == "deprecated"  # the source is judged as it stands now ...
    assert result.before_change  # ... but the report can tell the old citation apart
    assert result.since == "2020"
    assert result.note == "cited before deprecation (deprecated 2020)"


@pytest.mark.parametrize("cited_on", ["2021-05-01", "2020", "June 2020", None])
def test_sputnik_cited_after_or_undated_is_plain(cited_on: str | None) -> None:
    # "2020" may be before or after the 2020 RfC: not claimed as "before"
    result = classify_url("https://sputniknews.com/world/1/", cited_on=cited_on)
    assert result is not None
    assert (result.before_change, result.note, result.since) == (False, None, "2020")


def test_citation_uses_access_date_then_publication_date() -> None:
    url = "https://www.dailymail.co.uk/news/article-1/story.html"
    accessed = classify_citation(Citation(url=url, date="2014", access_date="2 March 2015"))
    assert accessed is not None and accessed.note == "cited before deprecation (deprecated 2017)"
    late = classify_citation(Citation(url=url, date="2014", access_date="2019-01-01"))
    assert late is not None and not late.before_change
    published = classify_citation(Citation(url=url, date="March 2, 2015"))
    assert published is not None and published.before_change
    assert published.note == "published before deprecation (deprecated 2017)"


def test_blacklisted_source_dates_from_its_deprecation() -> None:
    result = classify_url("https://www.breitbart.com/politics/2015/03/02/x/", cited_on="2015")
    assert result is not None
    assert (result.status, result.since, result.before_change) == ("blacklisted", "2018", True)
    assert result.note == "cited before deprecation (deprecated 2018)"


def test_status_change_other_than_deprecation(mini: ReliabilityData) -> None:
    # Fox News (news): generally reliable on RSP in 2021, no consensus since the 2023 RfC
    result = classify_url("https://www.foxnews.com/us/x", cited_on="2019-04-01")
    assert result is not None
    assert result.before_change and result.previous_status == "generally-reliable"
    assert result.note == "cited before the status change (no-consensus since 2023)"


def test_first_restriction_of_a_source_downgraded_twice(mini: ReliabilityData) -> None:
    url = "https://fakenewsdaily.com/a"
    early = classify_url(url, cited_on="2015", data=mini)
    mid = classify_url(url, cited_on="2017-06-01", data=mini)
    late = classify_url(url, cited_on="2020", data=mini)
    assert early is not None and mid is not None and late is not None
    assert early.before_change and mid.before_change and not late.before_change
    assert mid.note == "cited before deprecation (deprecated 2019)"


def test_month_precision_blacklisting(mini: ReliabilityData) -> None:
    before = classify_url("https://spamfarm.com/x", cited_on="July 2019", data=mini)
    same = classify_url("https://spamfarm.com/x", cited_on="2019", data=mini)
    assert before is not None and before.note == "cited before blacklisting (blacklisted 2019-08)"
    assert same is not None and not same.before_change


def test_undated_change_known_only_from_a_snapshot(mini: ReliabilityData) -> None:
    # generally unreliable in the March 2021 snapshot, deprecated now: a 2019 citation came first
    result = classify_url("https://laterdeprecated.com/x", cited_on="2019-01-01", data=mini)
    assert result is not None
    assert result.before_change and result.since is None
    assert result.previous_status == "generally-unreliable"
    assert result.note == "cited before deprecation (deprecated after 2021-03-17)"
    after = classify_url("https://laterdeprecated.com/x", cited_on="2022", data=mini)
    assert after is not None and not after.before_change


def test_rt_has_no_known_deprecation_date() -> None:
    # RT's row is missing from the 2026 RSP parse; Cite Unseen and the 2021 snapshot only say
    # it was deprecated by March 2021, so nothing is claimed about a 2015 citation.
    result = classify_url("https://www.rt.com/news/1/", cited_on="2015")
    assert result is not None
    assert (result.status, result.since, result.before_change) == ("deprecated", None, False)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2015-03-02", "2015-03-02", "2015-03-03"),
        ("2015-03-02T10:00:00Z", "2015-03-02", "2015-03-03"),
        ("2 March 2015", "2015-03-02", "2015-03-03"),
        ("March 2, 2015", "2015-03-02", "2015-03-03"),
        ("Mar. 2, 2015", "2015-03-02", "2015-03-03"),
        ("March 2015", "2015-03-01", "2015-04-01"),
        ("December 2015", "2015-12-01", "2016-01-01"),
        ("2015", "2015-01-01", "2016-01-01"),
        ("c. 2015", "2015-01-01", "2016-01-01"),
    ],
)
def test_date_forms(text: str, start: str, end: str) -> None:
    period = date_period(text)
    assert period is not None
    assert (period[0].isoformat(), period[1].isoformat()) == (start, end)


@pytest.mark.parametrize("text", [None, "", "n.d.", "undated"])
def test_no_date(text: str | None) -> None:
    assert date_period(text) is None
