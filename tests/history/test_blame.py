"""`audit blame` against the local fake wiki: the new WikiClient calls, bisection, its cost."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from audit.cache import RevisionCache
from audit.errors import InputError, PageMissing
from audit.history.blame import blame, blame_text, searchable
from audit.history.trace import HistoryRevision
from audit.model import Revision
from audit.wiki import WikiClient
from tests.conftest import run_audit
from tests.history.synthetic import (
    ADD_W,
    ADD_X,
    BLANK,
    CITE_Y,
    DELETE_W,
    FIRST_REVID,
    JUNK,
    SIZE,
    bridge_history,
)
from tests.wikiserver import FakeRevision, FakeWiki

NOW = datetime(2020, 2, 1, tzinfo=timezone.utc)
CONTENT = {"rvprop": "ids|content"}


def fake(revision: HistoryRevision, **hidden: bool) -> FakeRevision:
    return FakeRevision(revision.revid, revision.timestamp, html="", user=revision.user or "",
                        comment=revision.comment or "", wikitext=revision.text or "", **hidden)


@pytest.fixture(scope="module")
def wiki() -> Iterator[FakeWiki]:
    with FakeWiki() as server:
        server.add_page("Old Bridge", [fake(r) for r in bridge_history()], page_id=4242)
        server.add_redirect("Old bridge over the Exe", "Old Bridge")
        yield server


@pytest.fixture
def client(wiki: FakeWiki) -> Iterator[WikiClient]:
    wiki.clear_requests()
    with WikiClient(wiki.url, user_agent="audit-tests/1.0 (tests@example.org)") as made:
        yield made


# -- WikiClient.revision_history / revision_wikitext -------------------------------------------


def test_history_lists_every_revision_oldest_first_through_continuation() -> None:
    revisions = [
        HistoryRevision(5000 + n, f"2021-01-01T{n // 60 % 24:02d}:{n % 60:02d}:00Z", f"U{n % 3}",
                        f"c{n}", f"Text {n}.")
        for n in range(1200)
    ]
    with FakeWiki() as server:
        server.add_page("Long", [fake(r) for r in revisions])
        with WikiClient(server.url, user_agent="t") as client:
            listed = client.revision_history("Long")
        walks = [r for r in server.requests if r.query.get("rvlimit") == "max"]
    assert [r.revid for r in listed] == [r.revid for r in revisions]
    assert len(walks) == 3  # 500 + 500 + 200
    assert "rvcontinue" in walks[1].query and walks[0].query["rvdir"] == "newer"
    assert listed[7].user == "U1" and listed[7].comment == "c7" and listed[7].sha1


def test_history_follows_redirects_and_reports_missing_pages(client: WikiClient) -> None:
    listed = client.revision_history("Old bridge over the Exe")
    assert len(listed) == SIZE and listed[0].redirected_from == "Old bridge over the Exe"
    with pytest.raises(PageMissing):
        client.revision_history("No such bridge")


def test_hidden_user_comment_and_text() -> None:
    revisions = bridge_history()[:3]
    with FakeWiki() as server:
        server.add_page("Hidden", [fake(revisions[0]),
                                   fake(revisions[1], userhidden=True, commenthidden=True),
                                   fake(revisions[2], texthidden=True)])
        with WikiClient(server.url, user_agent="t") as client:
            listed = client.revision_history("Hidden")
            texts = client.revision_wikitext([r.revid for r in revisions] + [999_999])
    assert (listed[1].user, listed[1].comment) == (None, None)
    assert listed[2].sha1 is None and listed[0].sha1
    assert texts[revisions[0].revid] == revisions[0].text
    assert texts[revisions[2].revid] is None and texts[999_999] is None


def test_wikitext_is_batched_50_a_request_and_cached_forever(wiki: FakeWiki,
                                                             tmp_path: Path) -> None:
    revids = [FIRST_REVID + n for n in range(120)]
    with RevisionCache.open(tmp_path / "cache") as cache:
        with WikiClient(wiki.url, cache=cache, user_agent="t") as client:
            wiki.clear_requests()
            texts = client.revision_wikitext(revids)
            assert wiki.count("/w/api.php", **CONTENT) == 3
            assert texts[FIRST_REVID + 5] == bridge_history()[5].text
            assert all(len(r.query["revids"].split("|")) <= 50 for r in wiki.requests)
        with WikiClient(wiki.url, cache=cache, user_agent="t") as again:
            wiki.clear_requests()
            assert again.revision_wikitext(revids) == texts
            assert wiki.requests == [] and again.stats.cache_hits == 120


def test_wikitext_reply_cut_at_the_size_limit_is_continued(wiki: FakeWiki,
                                                           client: WikiClient) -> None:
    wiki.limit_result_size(1000)  # two or three revisions a reply
    try:
        texts = client.revision_wikitext([FIRST_REVID + n for n in range(10)])
    finally:
        wiki.limit_result_size(None)
    assert all(texts.values())
    continued = [r for r in wiki.requests if "rvcontinue" in r.query]
    assert len(continued) >= 3 and wiki.count("/w/api.php", **CONTENT) == len(continued) + 1


# -- bisection ---------------------------------------------------------------------------------


def test_reverted_empty_and_hidden_revisions_are_not_searched() -> None:
    history = [Revision("T", n, "2020-01-01T00:00:00Z", sha1=f"s{n}", size=10)
               for n in range(8)]
    history[3] = Revision("T", 3, "2020-01-01T00:00:00Z", sha1="empty", size=0)  # blanked
    history[4] = Revision("T", 4, "2020-01-01T00:00:00Z", sha1="s2", size=10)  # reverts to 2
    history[6] = Revision("T", 6, "2020-01-01T00:00:00Z", sha1=None, size=10)  # hidden
    assert searchable(history) == [0, 1, 2, 4, 5, 7]


def test_blame_finds_each_adder_with_log_n_texts(wiki: FakeWiki, client: WikiClient) -> None:
    result = blame(client, "Old Bridge", now=NOW)
    added = {origin.flag.claim_text: origin.added for origin in result.origins}
    assert added["The bridge was built in 1850."].revid == FIRST_REVID + ADD_X
    assert added["The bridge was built in 1850."].user == "Adder"
    assert added["The bridge was built in 1850."].comment == "needs a source"
    # Present since the first revision, through a blanking and a junk page that were reverted:
    # the bisection must not stop at either revert.
    assert added["Some say the bridge is haunted."].revid == FIRST_REVID
    assert result.revisions == SIZE and result.searched == SIZE - 2
    origin = next(o for o in result.origins if o.added.user == "Adder")
    assert origin.age_days == pytest.approx((NOW - datetime(2020, 1, 3, 9, tzinfo=timezone.utc))
                                            .total_seconds() / 86400, abs=0.01)

    # The cost: about log2(N) texts per flag, all flags in lockstep, one request a round.
    bound = math.ceil(math.log2(SIZE)) + 1
    assert all(origin.probes <= bound for origin in result.origins)
    content_requests = wiki.count("/w/api.php", **CONTENT)
    assert content_requests == result.content_requests <= bound + 1
    fetched = {revid for r in wiki.requests if r.query.get("rvprop") == "ids|content"
               for revid in r.query["revids"].split("|")}
    assert len(fetched) == result.texts <= len(result.origins) * bound + 1
    assert wiki.count("/w/api.php", rvlimit="max") == 1  # the history: one listing request


def test_blame_since_finds_who_removed_flags_and_how(client: WikiClient) -> None:
    result = blame(client, "Old Bridge", since=str(FIRST_REVID + 130), now=NOW)
    assert result.since is not None and result.since.revid == FIRST_REVID + 130
    removed = {r.flag.claim_text: r for r in result.removals}
    assert set(removed) == {"Its builder was a local mason.", "The river floods every spring."}
    builder = removed["Its builder was a local mason."]
    assert (builder.removed.revid, builder.removed.user) == (FIRST_REVID + CITE_Y, "Citer")
    assert (builder.outcome, builder.citation_added) == ("cited", True)
    floods = removed["The river floods every spring."]
    assert (floods.removed.revid, floods.outcome) == (FIRST_REVID + DELETE_W, "deleted")
    assert len(result.origins) == 2


def test_since_a_date_and_bad_since_values(client: WikiClient) -> None:
    # 2020-01-05 ends at index 119 (hourly revisions from 2020-01-01T00:00): W is alive then.
    result = blame(client, "Old Bridge", since="2020-01-05", now=NOW)
    assert result.since is not None and result.since.revid == FIRST_REVID + 119
    assert ADD_W < 119 < DELETE_W and len(result.removals) == 2
    with pytest.raises(InputError, match="not in the history"):
        blame(client, "Old Bridge", since="12", now=NOW)
    with pytest.raises(InputError, match="neither a revision id nor a date"):
        blame(client, "Old Bridge", since="last week", now=NOW)


def test_a_second_blame_reads_every_text_from_the_cache(wiki: FakeWiki, tmp_path: Path) -> None:
    with RevisionCache.open(tmp_path / "cache") as cache:
        with WikiClient(wiki.url, cache=cache, user_agent="t") as client:
            first = blame(client, "Old Bridge", now=NOW)
        wiki.clear_requests()
        with WikiClient(wiki.url, cache=cache, user_agent="t") as client:
            second = blame(client, "Old Bridge", now=NOW)
    assert second.origins == first.origins
    assert wiki.count("/w/api.php", **CONTENT) == 0 and second.content_requests == 0
    assert wiki.count("/w/api.php", rvlimit="max") == 1  # the history is never cached


def test_text_report_names_adder_summary_and_age(client: WikiClient) -> None:
    text = blame_text(blame(client, "Old Bridge", since=str(FIRST_REVID + 130), now=NOW))
    assert "Adder" in text and "needs a source" in text and "The bridge was built" in text
    assert f"Removed since revision {FIRST_REVID + 130}" in text and "Citer" in text


def test_cli_blame_text_and_json(wiki: FakeWiki, tmp_path: Path) -> None:
    result = run_audit(tmp_path, "blame", "Old Bridge", "--wiki", wiki.url)
    assert result.returncode == 0, result.stderr
    assert "Adder" in result.stdout and "citation-needed" in result.stdout
    assert "2 flags traced with" in result.stderr and "Traceback" not in result.stderr
    result = run_audit(tmp_path, "blame", "Old Bridge", "--wiki", wiki.url, "--format", "json",
                       "--since", str(FIRST_REVID + JUNK - 1))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and len(data["flags"]) == 2
    assert {flag["added"]["user"] for flag in data["flags"]} == {"Adder", "Editor0"}
    assert {item["outcome"] for item in data["removed"]} == {"cited", "deleted"}
    assert BLANK < JUNK  # (the --since above is the revision before the junk page)


def test_cli_blame_unknown_page_is_an_error(wiki: FakeWiki, tmp_path: Path) -> None:
    result = run_audit(tmp_path, "blame", "No such bridge", "--wiki", wiki.url)
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr
