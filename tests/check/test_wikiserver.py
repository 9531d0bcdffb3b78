"""The fake MediaWiki answers with real reply shapes, injects failures and records requests."""

from __future__ import annotations

import gzip
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.wikiserver import FakeRevision, FakeWiki, normalize_title, register_seed_article

TITLE = "Russian intervention in the Syrian civil war"
SNAPSHOT, INTERMEDIATE, CURRENT = 1191512345, 1262000001, 1305123456
WIKISERVER = Path(__file__).resolve().parents[1] / "wikiserver.py"


@pytest.fixture
def wiki() -> Iterator[FakeWiki]:
    """A running fake wiki holding the seed article (three revisions) and its redirect."""
    fake = FakeWiki()
    register_seed_article(fake)
    with fake:
        yield fake


def query(wiki: FakeWiki, **params: str) -> requests.Response:
    """GET api.php with format=json&formatversion=2 unless overridden."""
    params = {"action": "query", "format": "json", "formatversion": "2", **params}
    return requests.get(wiki.api_url, params=params, timeout=10)


def history_page(n: int) -> list[FakeRevision]:
    """`n` small revisions, one a day from 2020-01-01 (ids 100…)."""
    return [
        FakeRevision(
            100 + i, f"2020-01-{i + 1:02d}T00:00:00Z", f"<p>v{i}</p>", parentid=99 + i if i else 0
        )
        for i in range(n)
    ]


# --------------------------------------------------------------------------- Action API


def test_latest_revision_reply_has_the_real_formatversion_2_shape(wiki: FakeWiki) -> None:
    reply = query(wiki, prop="revisions", titles=TITLE)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
    body = reply.json()
    assert body["batchcomplete"] is True
    page = body["query"]["pages"][0]
    assert page == {
        "pageid": 47875102,
        "ns": 0,
        "title": TITLE,
        "revisions": [
            {
                "revid": CURRENT,
                "parentid": INTERMEDIATE,
                "minor": False,
                "user": "Example editor 3",
                "timestamp": "2026-11-20T08:15:42Z",
                "comment": "/* Since October 2020 */ sourcing; tag claims per talk",
            }
        ],
    }


def test_rvprop_selects_fields(wiki: FakeWiki) -> None:
    body = query(wiki, prop="revisions", titles=TITLE, rvprop="ids|timestamp|size|sha1").json()
    revision = body["query"]["pages"][0]["revisions"][0]
    assert list(revision) == ["revid", "parentid", "timestamp", "size", "sha1"]
    assert revision["size"] == 245212
    assert len(revision["sha1"]) == 40


def test_titles_are_normalized_and_redirects_followed(wiki: FakeWiki) -> None:
    body = query(
        wiki, prop="revisions", redirects="1", titles="russian_military_intervention_in_Syria"
    ).json()
    assert body["query"]["normalized"] == [
        {
            "fromencoded": False,
            "from": "russian_military_intervention_in_Syria",
            "to": "Russian military intervention in Syria",
        }
    ]
    assert body["query"]["redirects"] == [
        {"from": "Russian military intervention in Syria", "to": TITLE}
    ]
    assert [p["title"] for p in body["query"]["pages"]] == [TITLE]


def test_redirect_is_a_missing_page_without_redirects_param(wiki: FakeWiki) -> None:
    body = query(wiki, prop="revisions", titles="Russian military intervention in Syria").json()
    assert body["query"]["pages"] == [
        {"ns": 0, "title": "Russian military intervention in Syria", "missing": True}
    ]


def test_missing_and_invalid_titles_come_first(wiki: FakeWiki) -> None:
    body = query(wiki, prop="revisions", titles=f"{TITLE}|No such page|A[b]").json()
    pages = body["query"]["pages"]
    assert pages[0] == {"ns": 0, "title": "No such page", "missing": True}
    assert pages[1] == {
        "title": "A[b]",
        "invalidreason": 'The requested page title contains invalid characters: "[".',
        "invalid": True,
    }
    assert pages[2]["title"] == TITLE


def test_formatversion_1_keys_pages_by_id(wiki: FakeWiki) -> None:
    body = query(wiki, formatversion="1", prop="revisions", titles=f"{TITLE}|Nope").json()
    assert body["batchcomplete"] == ""
    pages = body["query"]["pages"]
    assert pages["-1"] == {"ns": 0, "title": "Nope", "missing": ""}
    assert pages["47875102"]["revisions"][0]["revid"] == CURRENT
    assert "minor" not in pages["47875102"]["revisions"][0]


@pytest.mark.parametrize(
    ("rvstart", "revid", "rvcontinue"),
    [
        ("2023-12-25T01:18:00Z", SNAPSHOT, None),
        ("2025-01-01T00:00:00Z", INTERMEDIATE, f"20231224180211|{SNAPSHOT}"),
        ("2030-01-01T00:00:00Z", CURRENT, f"20241209100000|{INTERMEDIATE}"),
        ("2026-11-20T08:15:42Z", CURRENT, f"20241209100000|{INTERMEDIATE}"),
    ],
)
def test_revision_current_at_a_time(
    wiki: FakeWiki, rvstart: str, revid: int, rvcontinue: str | None
) -> None:
    body = query(
        wiki,
        prop="revisions",
        titles=TITLE,
        rvlimit="1",
        rvdir="older",
        rvstart=rvstart,
        rvprop="ids|timestamp",
    ).json()
    assert body["query"]["pages"][0]["revisions"][0]["revid"] == revid
    if rvcontinue is None:
        assert "continue" not in body and body["batchcomplete"] is True
    else:
        assert body["continue"] == {"rvcontinue": rvcontinue, "continue": "||"}


def test_no_revision_before_the_first_edit(wiki: FakeWiki) -> None:
    body = query(
        wiki,
        prop="revisions",
        titles=TITLE,
        rvlimit="1",
        rvdir="older",
        rvstart="2015-01-01T00:00:00Z",
    ).json()
    assert body["query"]["pages"] == [{"pageid": 47875102, "ns": 0, "title": TITLE}]


def test_history_walk_follows_rvcontinue(wiki: FakeWiki) -> None:
    seen: list[int] = []
    params = {"prop": "revisions", "titles": TITLE, "rvlimit": "1", "rvprop": "ids"}
    while True:
        body = query(wiki, **params).json()
        seen += [r["revid"] for r in body["query"]["pages"][0]["revisions"]]
        if "continue" not in body:
            break
        params.update(body["continue"])
    assert seen == [CURRENT, INTERMEDIATE, SNAPSHOT]
    newer = query(
        wiki, prop="revisions", titles=TITLE, rvlimit="max", rvdir="newer", rvprop="ids"
    ).json()
    assert [r["revid"] for r in newer["query"]["pages"][0]["revisions"]] == [
        SNAPSHOT,
        INTERMEDIATE,
        CURRENT,
    ]


def test_revids_and_bad_revids(wiki: FakeWiki) -> None:
    body = query(wiki, prop="revisions", revids=f"{SNAPSHOT}|42").json()
    assert body["query"]["pages"][0]["revisions"][0]["revid"] == SNAPSHOT
    assert body["query"]["badrevids"] == {"42": {"revid": 42, "missing": True}}


def test_errors_are_http_200_with_error_object_and_header(wiki: FakeWiki) -> None:
    two = query(wiki, prop="revisions", titles=f"{TITLE}|Other", rvlimit="1")
    assert two.status_code == 200
    assert two.headers["MediaWiki-API-Error"] == "invalidparammix"
    assert "may only be used on a single page" in two.json()["error"]["info"]

    many = query(wiki, prop="revisions", titles="|".join(f"T{i}" for i in range(51)))
    error = many.json()["error"]
    assert error["code"] == "toomanyvalues"
    assert error["info"] == 'Too many values supplied for parameter "titles". The limit is 50.'
    assert (error["limit"], error["lowlimit"], error["highlimit"]) == (50, 50, 500)
    assert error["docref"].startswith("See https://en.wikipedia.org/w/api.php")
    assert many.json()["servedby"] == "mw1288"
    assert many.headers["MediaWiki-API-Error"] == "toomanyvalues"

    bad = query(wiki, action="frobnicate")
    assert bad.json()["error"]["code"] == "badvalue"
    assert bad.json()["error"]["info"] == 'Unrecognized value for parameter "action": frobnicate.'

    stamp = query(wiki, prop="revisions", titles=TITLE, rvlimit="1", rvstart="yesterday")
    assert stamp.json()["error"]["code"] == "badtimestamp_rvstart"


def test_fifty_titles_are_fine(wiki: FakeWiki) -> None:
    body = query(wiki, prop="revisions", titles="|".join(f"T{i}" for i in range(50))).json()
    assert len(body["query"]["pages"]) == 50


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("foo_bar", "Foo bar"),
        ("  spaced   out ", "Spaced out"),
        ("Page#Section", "Page"),
        ("A|B", None),
        ("#", None),
        ("", None),
    ],
)
def test_normalize_title(raw: str, title: str | None) -> None:
    assert normalize_title(raw)[0] == title


def test_post_form_requests_work(wiki: FakeWiki) -> None:
    reply = requests.post(
        wiki.api_url,
        data={
            "action": "query",
            "format": "json",
            "formatversion": "2",
            "prop": "revisions",
            "titles": TITLE,
        },
        timeout=10,
    )
    assert reply.json()["query"]["pages"][0]["revisions"][0]["revid"] == CURRENT
    assert wiki.requests[-1].method == "POST"
    assert wiki.requests[-1].query["titles"] == TITLE


# --------------------------------------------------------------------------- REST


def test_rest_revision_html(wiki: FakeWiki) -> None:
    reply = requests.get(f"{wiki.rest_url}/revision/{CURRENT}/html", timeout=10)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == (
        'text/html; charset=utf-8; profile="https://www.mediawiki.org/wiki/Specs/HTML/2.8.0"'
    )
    assert reply.text.startswith("<!DOCTYPE html>")
    assert f"Special:Redirect/revision/{CURRENT}" in reply.text[:400]
    etag = reply.headers["ETag"]
    assert etag.startswith(f'W/"{CURRENT}/')
    again = requests.get(
        f"{wiki.rest_url}/revision/{CURRENT}/html", headers={"If-None-Match": etag}, timeout=10
    )
    assert again.status_code == 304 and again.content == b""
    old = requests.get(f"{wiki.rest_url}/revision/{SNAPSHOT}/html", timeout=10)
    assert f"Special:Redirect/revision/{SNAPSHOT}" in old.text[:400]


def test_rest_unknown_revision_is_a_json_404(wiki: FakeWiki) -> None:
    reply = requests.get(f"{wiki.rest_url}/revision/99999999999/html", timeout=10)
    assert reply.status_code == 404
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.json() == {
        "errorKey": "rest-nonexistent-revision",
        "messageTranslations": {"en": "The specified revision (99999999999) does not exist"},
        "httpCode": 404,
        "httpReason": "Not Found",
    }
    nowhere = requests.get(f"{wiki.rest_url}/nowhere", timeout=10)
    assert nowhere.status_code == 404 and nowhere.json()["errorKey"] == "rest-no-match"


def test_rest_revision_metadata(wiki: FakeWiki) -> None:
    body = requests.get(f"{wiki.rest_url}/revision/{CURRENT}/bare", timeout=10).json()
    assert body["id"] == CURRENT
    assert body["timestamp"] == "2026-11-20T08:15:42Z"
    assert body["page"] == {"id": 47875102, "key": TITLE.replace(" ", "_"), "title": TITLE}
    assert body["user"]["name"] == "Example editor 3" and isinstance(body["user"]["id"], int)
    assert body["delta"] == 245212 - 243560
    assert body["content_model"] == "wikitext" and body["minor"] is False
    assert body["license"]["url"] == "https://creativecommons.org/licenses/by-sa/4.0/deed.en"
    assert body["html_url"] == f"{wiki.rest_url}/revision/{CURRENT}/html"
    full = requests.get(f"{wiki.rest_url}/revision/{SNAPSHOT}", timeout=10).json()
    assert "source" in full and "html_url" not in full
    assert full["delta"] is None  # its parent is not stored


def test_rest_history_pages_of_twenty_newest_first() -> None:
    with FakeWiki() as fake:
        fake.add_page("Long history", history_page(25))
        base = f"{fake.rest_url}/page/Long_history/history"
        first = requests.get(base, timeout=10).json()
        ids = [r["id"] for r in first["revisions"]]
        assert ids == list(range(124, 104, -1))
        assert first["latest"] == base
        assert first["older"] == f"{base}?older_than=105"
        assert "newer" not in first
        second = requests.get(first["older"], timeout=10).json()
        assert [r["id"] for r in second["revisions"]] == [104, 103, 102, 101, 100]
        assert "older" not in second
        assert second["newer"] == f"{base}?newer_than=104"
        back = requests.get(second["newer"], timeout=10).json()
        assert [r["id"] for r in back["revisions"]] == list(range(124, 104, -1))
        revision = second["revisions"][-1]
        assert set(revision) == {"id", "timestamp", "minor", "size", "comment", "user", "delta"}


def test_rest_page_routes(wiki: FakeWiki) -> None:
    key = TITLE.replace(" ", "_")
    history = requests.get(f"{wiki.rest_url}/page/{key}/history", timeout=10).json()
    assert [r["id"] for r in history["revisions"]] == [CURRENT, INTERMEDIATE, SNAPSHOT]
    spaced = requests.get(
        f"{wiki.rest_url}/page/{TITLE}/history", allow_redirects=False, timeout=10
    )
    assert spaced.status_code == 301
    assert spaced.headers["Location"] == f"{wiki.rest_url}/page/{key}/history"
    redirect = requests.get(
        f"{wiki.rest_url}/page/Russian_military_intervention_in_Syria/html",
        allow_redirects=False,
        timeout=10,
    )
    assert redirect.status_code == 307
    assert redirect.headers["Location"] == f"{wiki.rest_url}/page/{key}/html?redirect=no"
    latest = requests.get(
        f"{wiki.rest_url}/page/Russian_military_intervention_in_Syria/html", timeout=10
    )
    assert f"Special:Redirect/revision/{CURRENT}" in latest.text[:400]
    missing = requests.get(f"{wiki.rest_url}/page/No_such_page/history", timeout=10)
    assert missing.status_code == 404
    assert missing.json()["errorKey"] == "rest-nonexistent-title"


# --------------------------------------------------------------------------- failures


def test_503_then_success(wiki: FakeWiki) -> None:
    wiki.fail_next("503", count=2, retry_after=3)
    for _ in range(2):
        reply = query(wiki, prop="revisions", titles=TITLE)
        assert reply.status_code == 503
        assert reply.headers["Retry-After"] == "3"
        assert reply.headers["Content-Type"].startswith("text/html")
        assert "Error: 503" in reply.text
    assert query(wiki, prop="revisions", titles=TITLE).status_code == 200
    assert wiki.count("/w/api.php") == 3


def test_429_carries_retry_after(wiki: FakeWiki) -> None:
    wiki.fail_next("429", retry_after=7)
    reply = requests.get(f"{wiki.rest_url}/revision/{CURRENT}/html", timeout=10)
    assert reply.status_code == 429 and reply.headers["Retry-After"] == "7"


def test_500(wiki: FakeWiki) -> None:
    wiki.fail_next("500")
    assert query(wiki, prop="revisions", titles=TITLE).status_code == 500


def test_maxlag_is_http_200_with_error_and_headers(wiki: FakeWiki) -> None:
    wiki.fail_next("maxlag", retry_after=5)
    reply = query(wiki, prop="revisions", titles=TITLE, maxlag="5")
    assert reply.status_code == 200
    assert reply.headers["Retry-After"] == "5"
    assert reply.headers["X-Database-Lag"] == "2"
    assert reply.headers["MediaWiki-API-Error"] == "maxlag"
    body: dict[str, Any] = reply.json()
    assert body["error"]["code"] == "maxlag"
    assert body["error"]["info"] == "Waiting for 10.64.48.174: 2.94 seconds lagged."
    assert (body["error"]["host"], body["error"]["lag"], body["error"]["type"]) == (
        "10.64.48.174",
        2.94,
        "db",
    )
    assert body["servedby"] == "mw1288"


def test_failures_can_target_one_path(wiki: FakeWiki) -> None:
    wiki.fail_next("503", path="/w/rest.php")
    assert query(wiki, prop="revisions", titles=TITLE).status_code == 200
    assert requests.get(f"{wiki.rest_url}/revision/{CURRENT}/html", timeout=10).status_code == 503
    assert requests.get(f"{wiki.rest_url}/revision/{CURRENT}/html", timeout=10).status_code == 200


def test_fail_next_rejects_unknown_kinds(wiki: FakeWiki) -> None:
    with pytest.raises(ValueError):
        wiki.fail_next("404")


# --------------------------------------------------------------------------- transport


def test_gzip_when_asked(wiki: FakeWiki) -> None:
    url = f"{wiki.rest_url}/revision/{CURRENT}/html"
    zipped = requests.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
    assert zipped.headers["Content-Encoding"] == "gzip"
    raw = zipped.raw.read(decode_content=False)
    assert gzip.decompress(raw).startswith(b"<!DOCTYPE html>")
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "Content-Encoding" not in plain.headers
    assert len(plain.content) > len(raw)


def test_requests_are_recorded_in_order_with_headers(wiki: FakeWiki) -> None:
    session = requests.Session()
    session.headers["User-Agent"] = "AuditTool/0.3 (test)"
    session.get(wiki.api_url, params={"action": "query", "titles": TITLE}, timeout=10)
    session.get(f"{wiki.rest_url}/revision/{SNAPSHOT}/html", timeout=10)
    recorded = wiki.requests
    assert [r.path for r in recorded] == ["/w/api.php", f"/w/rest.php/v1/revision/{SNAPSHOT}/html"]
    assert recorded[0].method == "GET"
    assert recorded[0].query == {"action": "query", "titles": TITLE}
    assert recorded[0].headers["User-Agent"] == "AuditTool/0.3 (test)"
    assert wiki.count("/w/api.php", titles=TITLE) == 1
    assert wiki.count("/w/rest.php/v1/revision/") == 1
    assert wiki.count(titles="other") == 0
    wiki.clear_requests()
    assert wiki.requests == []


def test_concurrent_requests_are_all_recorded(wiki: FakeWiki) -> None:
    def fetch() -> None:
        requests.get(f"{wiki.rest_url}/revision/{CURRENT}", timeout=10)

    threads = [threading.Thread(target=fetch) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wiki.count("/w/rest.php/v1/revision/") == 16


def test_add_page_validates_and_url_needs_a_running_server() -> None:
    fake = FakeWiki()
    with pytest.raises(ValueError):
        fake.add_page("A[b]", history_page(1))
    with pytest.raises(ValueError):
        fake.add_page("Empty", [])
    with pytest.raises(RuntimeError):
        _ = fake.url
    with pytest.raises(ValueError):
        FakeWiki(host="0.0.0.0")


def test_command_line_serves_the_seed_article() -> None:
    process = subprocess.Popen(
        [sys.executable, str(WIKISERVER), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("FakeWiki serving the seed article at http://127.0.0.1:")
        base = line.rsplit(" ", 1)[1].strip()
        reply = requests.get(f"{base}/w/rest.php/v1/revision/{CURRENT}/html", timeout=10)
        assert reply.status_code == 200 and TITLE in reply.text[:2000]
    finally:
        process.terminate()
        process.wait(timeout=10)
