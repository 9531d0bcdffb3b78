"""WikiClient: reply parsing against recorded shapes (responses), retries against a local server."""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import types
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from responses import matchers

from audit import __version__
from audit.cache import RevisionCache
from audit.errors import InputError, PageMissing, WikiError, WikiUnreachable
from audit.model import Revision
from audit.wiki import (
    REVISION_AT_TTL,
    WikiClient,
    rest_path,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "api"
WIKI = "https://en.wikipedia.org"
API = f"{WIKI}/w/api.php"
REST = f"{WIKI}/w/rest.php/v1"


def fixture(name: str) -> Any:
    """A recorded reply from tests/fixtures/api (JSON decoded, HTML as text)."""
    path = FIXTURES / name
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """`responses` in strict mode: unregistered requests fail, unused registrations fail."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def warnings_seen() -> list[str]:
    return []


@pytest.fixture
def client(warnings_seen: list[str]) -> Iterator[WikiClient]:
    with WikiClient(WIKI, on_warning=warnings_seen.append) as wiki:
        yield wiki


def query_of(call: Any) -> dict[str, str]:
    """The query string of a recorded request, one value per key."""
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


# -- Action API shapes ---------------------------------------------------------------------


def test_revision_at_sends_the_documented_query_and_ignores_continue(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    rsps.get(
        API,
        json=fixture("revision-at-pet-door.json"),
        match=[
            matchers.query_param_matcher(
                {
                    "action": "query",
                    "prop": "revisions",
                    "titles": "Pet_door",
                    "rvlimit": "1",
                    "rvdir": "older",
                    "rvstart": "2020-03-10T18:00:00Z",
                    "rvprop": "ids|timestamp|user|comment|size|sha1",
                    "redirects": "1",
                    "format": "json",
                    "formatversion": "2",
                    "maxlag": "5",
                }
            )
        ],
    )

    revision = client.revision_at("Pet_door", "2020-03-10T18:00:00Z")

    # Normalisation (Pet_door → Pet door) is not a redirect; the reply's "continue" is ignored.
    assert revision == Revision(
        title="Pet door",
        revid=944912305,
        timestamp="2020-03-10T17:45:04Z",
        page_id=3276454,
        user="112.196.52.43",
        comment="/* References */",
    )
    assert len(rsps.calls) == 1


def test_revision_at_reports_the_redirect_it_followed(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    rsps.get(API, json=fixture("revision-at-sinatra-redirect.json"))

    revision = client.revision_at("sinatra", "2025-09-21T00:00:00Z")

    assert revision is not None
    assert (revision.title, revision.redirected_from) == ("Frank Sinatra", "sinatra")
    assert (revision.revid, revision.size) == (1312498888, 180333)
    assert revision.sha1 == "0b8c3b1f4bd5e3a4e0f6a0d3c1b2a7f5e9d8c6b4"


def test_revision_at_before_the_page_existed_is_none(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    rsps.get(API, json=fixture("revision-at-no-revision-yet.json"))

    assert client.revision_at("Ninja", "2001-01-01T00:00:00Z") is None


def test_revision_at_of_a_missing_page_raises_page_missing(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    rsps.get(API, json=fixture("revision-at-missing.json"))

    with pytest.raises(
        PageMissing, match="'Xyzzy no such page' does not exist on en.wikipedia.org"
    ):
        client.revision_at("Xyzzy no such page", "2020-01-01T00:00:00Z")


def test_api_error_becomes_wiki_error_with_code_and_info(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    rsps.get(
        API,
        json=fixture("error-badtimestamp.json"),
        headers={"MediaWiki-API-Error": "badtimestamp_rvstart"},
    )

    with pytest.raises(WikiError) as raised:
        client.revision_at("Ninja", "yesterday")

    assert not isinstance(raised.value, PageMissing)
    assert "badtimestamp_rvstart" in str(raised.value)
    assert 'Invalid value "yesterday" for timestamp parameter "rvstart".' in str(raised.value)


def test_latest_revisions_maps_every_reply_back_to_the_title_as_asked(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    rsps.get(API, json=fixture("latest-batch.json"))
    asked = ["Ninja", "castor", "P_=_BPP_problem", "Xyzzy no such page", "|", "mw:"]

    results = client.latest_revisions(asked)

    assert list(results) == asked
    ninja = results["Ninja"]
    assert isinstance(ninja, Revision)
    assert (ninja.revid, ninja.user, ninja.size) == (998092778, "Politicsfan4", 263051)
    castor = results["castor"]
    assert isinstance(castor, Revision)
    assert (castor.title, castor.redirected_from) == ("Castor", None)
    bpp = results["P_=_BPP_problem"]
    assert isinstance(bpp, Revision)
    assert (bpp.title, bpp.redirected_from, bpp.revid) == (
        "BPP (complexity)",
        "P_=_BPP_problem",
        741867395,
    )
    assert isinstance(results["Xyzzy no such page"], PageMissing)
    assert "does not exist" in str(results["Xyzzy no such page"])
    assert isinstance(results["|"], PageMissing)
    assert 'contains invalid characters: "|"' in str(results["|"])
    assert isinstance(results["mw:"], PageMissing)
    assert "interwiki" in str(results["mw:"])
    # One request; a title holding "|" switches the list to MediaWiki's U+001F separator.
    assert len(rsps.calls) == 1
    sent = query_of(rsps.calls[0])
    assert sent["titles"] == "\x1f" + "\x1f".join(asked)
    assert "rvlimit" not in sent and "rvstart" not in sent


def test_latest_revisions_asks_fifty_titles_per_request(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    def reply(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        titles = parse_qs(urlsplit(request.url).query)["titles"][0].split("|")
        pages = [
            {
                "pageid": 1000 + int(t[5:]),
                "ns": 0,
                "title": t,
                "revisions": [{"revid": 5000 + int(t[5:]), "timestamp": "2024-01-01T00:00:00Z"}],
            }
            for t in titles
        ]
        return 200, {}, json.dumps({"batchcomplete": True, "query": {"pages": pages}})

    rsps.add_callback(responses.GET, API, callback=reply)
    asked = [f"Page {n}" for n in range(120)]

    results = client.latest_revisions(asked)

    sizes = [len(query_of(call)["titles"].split("|")) for call in rsps.calls]
    assert sizes == [50, 50, 20]
    assert list(results) == asked
    assert all(
        isinstance(r, Revision) and r.revid == 5000 + n for n, r in enumerate(results.values())
    )


def test_latest_revisions_merges_a_continued_batch(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    first = {
        "continue": {"rvcontinue": "22989|998092778", "continue": "||"},
        "query": {
            "pages": [
                {
                    "pageid": 56203,
                    "ns": 0,
                    "title": "Castor",
                    "revisions": [{"revid": 740340773, "timestamp": "2016-09-28T09:11:47Z"}],
                },
                {"pageid": 22989, "ns": 0, "title": "Ninja"},
            ]
        },
    }
    second = {
        "batchcomplete": True,
        "query": {
            "pages": [
                {"pageid": 56203, "ns": 0, "title": "Castor"},
                {
                    "pageid": 22989,
                    "ns": 0,
                    "title": "Ninja",
                    "revisions": [{"revid": 998092778, "timestamp": "2021-01-03T19:49:57Z"}],
                },
            ]
        },
    }
    rsps.get(API, json=first)
    rsps.get(
        API,
        json=second,
        match=[
            matchers.query_param_matcher(
                {"rvcontinue": "22989|998092778", "continue": "||"}, strict_match=False
            )
        ],
    )

    results = client.latest_revisions(["Castor", "Ninja"])

    assert {t: r.revid for t, r in results.items() if isinstance(r, Revision)} == {
        "Castor": 740340773,
        "Ninja": 998092778,
    }


def test_latest_revision_raises_for_a_missing_page(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    rsps.get(API, json=fixture("revision-at-missing.json"))

    with pytest.raises(PageMissing, match="does not exist"):
        client.latest_revision("Xyzzy no such page")


def test_an_empty_title_is_missing_without_asking_the_wiki(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    results = client.latest_revisions(["", "  "])

    assert all(isinstance(r, PageMissing) for r in results.values())
    assert client.stats.requests == 0


def test_api_warnings_are_passed_on_once(
    rsps: responses.RequestsMock, client: WikiClient, warnings_seen: list[str]
) -> None:
    reply = fixture("revision-at-pet-door.json")
    reply["warnings"] = {"main": {"warnings": 'Unrecognized parameter: "foo".'}}
    rsps.get(API, json=reply)
    rsps.get(API, json=reply)

    client.revision_at("Pet_door", "2020-03-10T18:00:00Z")
    client.revision_at("Pet_door", "2020-03-10T18:30:00Z")

    assert warnings_seen == ['warning: en.wikipedia.org API (main): Unrecognized parameter: "foo".']


def test_a_non_json_answer_is_a_wiki_error(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    rsps.get(API, body="<html>captive portal</html>", content_type="text/html")

    with pytest.raises(WikiError, match="not JSON"):
        client.latest_revision("Ninja")


def test_a_403_hints_at_the_user_agent_policy(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    rsps.get(API, status=403, body="Please set a user-agent and respect our robot policy")

    with pytest.raises(WikiError, match="HTTP 403") as raised:
        client.latest_revision("Ninja")

    assert raised.value.hint is not None and "AUDIT_USER_AGENT" in raised.value.hint


def test_a_wiki_address_must_be_an_http_url() -> None:
    with pytest.raises(InputError, match="not an http"):
        WikiClient("en.wikipedia.org")


# -- etiquette -----------------------------------------------------------------------------


def test_every_request_carries_user_agent_gzip_timeout_and_maxlag_only_on_the_action_api(
    rsps: responses.RequestsMock, client: WikiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rsps.get(API, json=fixture("revision-at-pet-door.json"))
    rsps.get(f"{REST}/revision/845493773/html", body=fixture("revision-845493773-dog.html"))

    client.revision_at("Pet_door", "2020-03-10T18:00:00Z")
    client.revision_html(845493773)

    pattern = (
        rf"audit/{re.escape(__version__)} \(\+https://github\.com/wiki-audit/audit; "
        rf"contact: set AUDIT_USER_AGENT\) python-requests/{re.escape(requests.__version__)}"
    )
    for call in rsps.calls:
        assert re.fullmatch(pattern, call.request.headers["User-Agent"])
        assert "gzip" in call.request.headers["Accept-Encoding"]
        assert call.request.req_kwargs["timeout"] == (10, 60)
    api_call, rest_call = rsps.calls
    assert query_of(api_call)["maxlag"] == "5"
    assert "maxlag" not in rest_call.request.url


def test_user_agent_comes_from_the_environment_unless_given(
    rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_USER_AGENT", "AuditCI/1.0 (ops@example.org)")
    rsps.get(API, json=fixture("revision-at-pet-door.json"))
    rsps.get(API, json=fixture("revision-at-pet-door.json"))

    WikiClient(WIKI).revision_at("Pet_door", "2020-03-10T18:00:00Z")
    WikiClient(WIKI, user_agent="Mine/2 (me@example.org)").revision_at("Pet_door", "2020-03-10")

    agents = [call.request.headers["User-Agent"] for call in rsps.calls]
    assert agents == ["AuditCI/1.0 (ops@example.org)", "Mine/2 (me@example.org)"]


# -- REST ----------------------------------------------------------------------------------


def test_revision_html_returns_parsoid_html_decoded_as_utf8(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    html = fixture("revision-845493773-dog.html")
    # No charset on purpose: requests would guess ISO-8859-1 and garble the en dash.
    rsps.get(f"{REST}/revision/845493773/html", body=html.encode("utf-8"), content_type="text/html")

    assert client.revision_html(845493773) == html
    assert "Human–canine bond" in html
    assert client.stats.content_downloads == 1
    assert client.stats.bytes_downloaded == len(html.encode("utf-8"))


def test_a_missing_revision_is_page_missing_with_the_wiki_message(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    rsps.get(
        f"{REST}/revision/99999999999/html", status=404, json=fixture("rest-revision-404.json")
    )

    with pytest.raises(PageMissing, match=r"revision 99999999999 does not exist on en\.wikipedia"):
        client.revision_html(99999999999)


def test_revision_html_follows_http_redirects(
    rsps: responses.RequestsMock, client: WikiClient
) -> None:
    rsps.get(
        f"{REST}/revision/845493773/html",
        status=302,
        headers={"Location": f"{REST}/revision/845493773/html?stash=false"},
    )
    rsps.get(f"{REST}/revision/845493773/html?stash=false", body="<html>moved</html>")

    assert client.revision_html(845493773) == "<html>moved</html>"
    assert client.stats.requests == 2


def test_rest_path_escapes_each_segment_whole() -> None:
    assert rest_path("page", "AC/DC", "html") == "/page/AC%2FDC/html"
    assert rest_path("page", "Who?#100%_Héllo") == "/page/Who%3F%23100%25_H%C3%A9llo"
    assert rest_path("revision", 845493773, "html") == "/revision/845493773/html"


# -- cache ---------------------------------------------------------------------------------


def test_revision_html_is_fetched_once_then_served_from_the_cache(
    rsps: responses.RequestsMock, tmp_path: Path
) -> None:
    rsps.get(f"{REST}/revision/845493773/html", body=fixture("revision-845493773-dog.html"))
    with RevisionCache.open(tmp_path / "cache") as cache:
        wiki = WikiClient(WIKI, cache=cache)

        first = wiki.revision_html(845493773)
        second = wiki.revision_html(845493773)

    assert first == second
    assert len(rsps.calls) == 1
    assert (wiki.stats.requests, wiki.stats.cache_hits, wiki.stats.content_downloads) == (1, 1, 1)


def test_two_clients_sharing_a_cache_directory_share_revision_html(
    rsps: responses.RequestsMock, tmp_path: Path
) -> None:
    rsps.get(f"{REST}/revision/845493773/html", body=fixture("revision-845493773-dog.html"))
    with RevisionCache.open(tmp_path / "cache") as cache:
        WikiClient(WIKI, cache=cache).revision_html(845493773)

    with RevisionCache.open(tmp_path / "cache") as cache:
        later = WikiClient(WIKI, cache=cache)
        html = later.revision_html(845493773)

    assert "Human–canine bond" in html
    assert later.stats.requests == 0 and later.stats.cache_hits == 1
    assert len(rsps.calls) == 1


def test_revision_at_answers_are_cached_per_title_and_timestamp(
    rsps: responses.RequestsMock, tmp_path: Path
) -> None:
    rsps.get(API, json=fixture("revision-at-pet-door.json"))
    rsps.get(API, json=fixture("revision-at-no-revision-yet.json"))
    with RevisionCache.open(tmp_path) as cache:
        wiki = WikiClient(WIKI, cache=cache)

        first = wiki.revision_at("Pet_door", "2020-03-10T18:00:00Z")
        again = wiki.revision_at("Pet_door", "2020-03-10T18:00:00Z")
        before = wiki.revision_at("Ninja", "2001-01-01T00:00:00Z")
        before_again = wiki.revision_at("Ninja", "2001-01-01T00:00:00Z")  # None is cached too

    assert first == again and first is not None
    assert before is None and before_again is None
    assert len(rsps.calls) == 2


class RecordingCache(RevisionCache):
    """A real cache that also records how long each kind of answer is kept."""

    def __init__(self, directory: Path) -> None:
        opened = RevisionCache.open(directory)
        super().__init__(opened._store, directory)
        self.expiries: dict[str, float | None] = {}

    def set(self, key: tuple[Any, ...], value: Any, expire: float | None = None) -> None:
        self.expiries[key[1]] = expire
        super().set(key, value, expire)


def test_content_is_kept_forever_history_for_long_and_latest_only_briefly(
    rsps: responses.RequestsMock, tmp_path: Path
) -> None:
    rsps.get(f"{REST}/revision/845493773/html", body="<html>dog</html>")
    rsps.get(API, json=fixture("revision-at-pet-door.json"))
    rsps.get(API, json=fixture("latest-batch.json"))
    cache = RecordingCache(tmp_path)
    wiki = WikiClient(WIKI, cache=cache, latest_ttl=300)

    wiki.revision_html(845493773)
    wiki.revision_at("Pet_door", "2020-03-10T18:00:00Z")
    wiki.latest_revision("Ninja")
    wiki.latest_revision("Ninja")  # within the TTL: no second request

    assert cache.expiries == {"html": None, "revision_at": REVISION_AT_TTL, "latest": 300}
    assert REVISION_AT_TTL == 30 * 24 * 3600
    assert len(rsps.calls) == 3
    cache.close()


def test_latest_ttl_zero_always_asks_the_wiki(rsps: responses.RequestsMock, tmp_path: Path) -> None:
    rsps.get(API, json=fixture("latest-batch.json"))
    rsps.get(API, json=fixture("latest-batch.json"))
    with RevisionCache.open(tmp_path) as cache:
        wiki = WikiClient(WIKI, cache=cache, latest_ttl=0)
        wiki.latest_revision("Ninja")
        wiki.latest_revision("Ninja")

    assert len(rsps.calls) == 2


# -- retries, against a real local server --------------------------------------------------


@dataclass
class Reply:
    """One scripted answer of the local server."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ScriptedWiki:
    """A tiny HTTP server on 127.0.0.1 that answers from a script and records every request."""

    url: str
    replies: deque[Reply] = field(default_factory=deque)
    requests: list[str] = field(default_factory=list)

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)


class ScriptedHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        wiki: ScriptedWiki = self.server.wiki  # type: ignore[attr-defined]
        wiki.requests.append(self.path)
        # An unscripted request gets a non-retried 418, which the test then sees as an error.
        reply = wiki.replies.popleft() if wiki.replies else Reply(418, b"unscripted request")
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


@pytest.fixture
def local_wiki() -> Iterator[ScriptedWiki]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedHandler)
    host, port = server.server_address[:2]
    wiki = ScriptedWiki(url=f"http://{host}:{port}")
    server.wiki = wiki  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield wiki
    server.shutdown()
    server.server_close()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Seconds urllib3's Retry asked to sleep; nothing actually sleeps."""
    recorded: list[float] = []
    retry_module = sys.modules["urllib3.util.retry"]
    fake_time = types.SimpleNamespace(sleep=recorded.append, time=retry_module.time.time)
    monkeypatch.setattr(retry_module, "time", fake_time)
    return recorded


def ninja_reply() -> Reply:
    reply = fixture("latest-batch.json")
    reply["query"] = {"pages": [p for p in reply["query"]["pages"] if p.get("title") == "Ninja"]}
    return Reply(200, json.dumps(reply).encode(), {"Content-Type": "application/json"})


def maxlag_reply() -> Reply:
    return Reply(
        200,
        json.dumps(fixture("error-maxlag.json")).encode(),
        {
            "Content-Type": "application/json; charset=utf-8",
            "Retry-After": "5",
            "X-Database-Lag": "2",
            "MediaWiki-API-Error": "maxlag",
        },
    )


def test_503_twice_then_success_with_exponential_backoff(
    local_wiki: ScriptedWiki, sleeps: list[float]
) -> None:
    local_wiki.script(Reply(503), Reply(503), ninja_reply())
    wiki = WikiClient(local_wiki.url)

    revision = wiki.latest_revision("Ninja")

    assert revision.revid == 998092778
    assert len(local_wiki.requests) == 3
    assert (wiki.stats.requests, wiki.stats.retries) == (3, 2)
    assert sleeps == [2.0]  # backoff_factor * 2**(n-1): the first retry goes at once


def test_429_waits_as_long_as_retry_after_says(
    local_wiki: ScriptedWiki, sleeps: list[float]
) -> None:
    local_wiki.script(Reply(429, b"Too many requests", {"Retry-After": "1"}), ninja_reply())

    assert WikiClient(local_wiki.url).latest_revision("Ninja").revid == 998092778
    assert sleeps == [1]


def test_retry_after_is_capped_by_retry_after_max(
    local_wiki: ScriptedWiki, sleeps: list[float]
) -> None:
    local_wiki.script(Reply(503, b"", {"Retry-After": "100"}), ninja_reply())

    WikiClient(local_wiki.url, retry_after_max=3).latest_revision("Ninja")

    assert sleeps == [3]


def test_maxlag_reply_is_retried_after_its_retry_after(
    local_wiki: ScriptedWiki, sleeps: list[float]
) -> None:
    local_wiki.script(maxlag_reply(), ninja_reply())
    wiki = WikiClient(local_wiki.url)

    assert wiki.latest_revision("Ninja").revid == 998092778
    assert sleeps == [5]
    assert wiki.stats.retries == 1
    assert all(parse_qs(urlsplit(path).query)["maxlag"] == ["5"] for path in local_wiki.requests)


def test_a_wiki_still_lagged_after_all_retries_is_a_clean_wiki_error(
    local_wiki: ScriptedWiki, sleeps: list[float]
) -> None:
    local_wiki.script(maxlag_reply(), maxlag_reply(), maxlag_reply())

    with pytest.raises(WikiError, match="wiki is lagged") as raised:
        WikiClient(local_wiki.url, max_retries=2).latest_revision("Ninja")

    assert "Waiting for 10.64.48.174: 2.94 seconds lagged." in str(raised.value)
    assert len(local_wiki.requests) == 3
    assert sleeps == [5, 5]


def test_5xx_after_all_retries_is_wiki_unreachable(
    local_wiki: ScriptedWiki, sleeps: list[float]
) -> None:
    local_wiki.script(Reply(503), Reply(502), Reply(504))

    with pytest.raises(WikiUnreachable, match="HTTP 504") as raised:
        WikiClient(local_wiki.url, max_retries=2).latest_revision("Ninja")

    assert "after 2 retries" in str(raised.value)
    assert len(local_wiki.requests) == 3


def test_429_after_all_retries_says_rate_limited_with_a_hint(
    local_wiki: ScriptedWiki, sleeps: list[float]
) -> None:
    local_wiki.script(*[Reply(429, b"", {"Retry-After": "2"})] * 3)

    with pytest.raises(WikiUnreachable, match="rate limited") as raised:
        WikiClient(local_wiki.url, max_retries=2).latest_revision("Ninja")

    assert raised.value.hint is not None and "AUDIT_USER_AGENT" in raised.value.hint
    assert sleeps == [2, 2]


def test_rest_requests_are_retried_too(local_wiki: ScriptedWiki, sleeps: list[float]) -> None:
    local_wiki.script(Reply(502), Reply(200, b"<html>ok</html>", {"Content-Type": "text/html"}))

    assert WikiClient(local_wiki.url).revision_html(1) == "<html>ok</html>"
    assert local_wiki.requests == ["/w/rest.php/v1/revision/1/html"] * 2


def test_connection_refused_is_one_line_wiki_unreachable_naming_the_host(
    sleeps: list[float],
) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and is closed now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(WikiUnreachable) as raised:
        WikiClient(f"http://127.0.0.1:{port}", max_retries=1).latest_revision("Ninja")

    message = str(raised.value)
    assert message == f"cannot reach 127.0.0.1:{port}: connection refused"
    assert "\n" not in message
    assert not isinstance(raised.value, requests.RequestException)


def test_a_read_timeout_is_wiki_unreachable(sleeps: list[float]) -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]

        with pytest.raises(WikiUnreachable, match="timed out"):
            WikiClient(f"http://127.0.0.1:{port}", timeout=0.2, max_retries=0).latest_revision(
                "Ninja"
            )
