"""A fake MediaWiki on 127.0.0.1 for end-to-end tests: real Action API and REST response shapes.

Dependency-free (stdlib only): a `ThreadingHTTPServer` on port 0 in a daemon thread.

    with FakeWiki() as wiki:
        register_seed_article(wiki)
        requests.get(f"{wiki.url}/w/api.php", params={...})

Endpoints (shapes copied from real enwiki replies; see ../shared/MEDIAWIKI.md §1-2):

* ``GET|POST /w/api.php?action=query&prop=revisions`` with ``titles``, ``pageids`` or ``revids``;
  ``formatversion=2`` (lists, real booleans) or 1 (objects keyed by page id, ``""`` booleans);
  ``redirects=1``; ``rvprop``; ``rvslots``; one-page history walks with ``rvlimit``, ``rvdir``,
  ``rvstart``, ``rvend`` and ``rvcontinue``; wikitext by ``revids`` (cut and continued with
  ``rvcontinue=<revid>`` past ``limit_result_size``); revision-deleted users, comments and
  texts (``userhidden``, ``commenthidden``, ``texthidden``/``sha1hidden``). Errors are HTTP
  200 + ``MediaWiki-API-Error`` (tests/wikiserver_action.py).
* ``GET /w/rest.php/v1/revision/{id}/html`` (Parsoid HTML, ETag, 304 on ``If-None-Match``),
  ``/v1/revision/{id}`` and ``/bare`` (metadata), ``/v1/page/{title}/history`` (20 a page,
  ``older_than``/``newer_than``) and ``/v1/page/{title}/html`` (latest revision)
  (tests/wikiserver_rest.py).
* Failure injection: ``fail_next("503"|"429"|"500"|"maxlag", count, retry_after=, path=)``.
* gzip when the request sends ``Accept-Encoding: gzip``.

Run ``python tests/wikiserver.py --port 8765`` to serve the seed article for manual demos.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

if not __package__:  # run as a script: make the `tests` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.wikiserver_action import DOCREF, action_api  # noqa: E402
from tests.wikiserver_rest import rest_api  # noqa: E402
from tests.wikiserver_store import (  # noqa: E402
    JSON_CONTENT_TYPE,
    FakeRevision,
    Reply,
    WikiStore,
    json_bytes,
    normalize_title,
)

__all__ = [
    "SEED_FIXTURE_DIR",
    "FakeRevision",
    "FakeWiki",
    "RecordedRequest",
    "normalize_title",
    "register_seed_article",
]

SEED_FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures" / "seed_current"
FAILURE_KINDS = ("503", "429", "500", "maxlag")


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake wiki received (POST form fields are merged into `query`)."""

    method: str
    """HTTP method."""
    path: str
    """URL path without the query string, still percent-encoded."""
    query: dict[str, str]
    """Decoded query parameters (last value wins)."""
    headers: dict[str, str]
    """Request headers as sent."""


@dataclass
class _FailureRule:
    kind: str
    remaining: int
    retry_after: int
    path: str


class FakeWiki:
    """A fake MediaWiki serving real-shaped Action API and REST replies on 127.0.0.1."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, servedby: str = "mw1288"):
        if host not in ("127.0.0.1", "localhost"):
            raise ValueError("FakeWiki only listens on 127.0.0.1")
        self._host = host
        self._port = port
        self.servedby = servedby
        """The `servedby` value of Action API error replies."""
        self._store = WikiStore()
        self._lock = threading.Lock()  # guards the request log and the failure rules
        self._failures: list[_FailureRule] = []
        self._requests: list[RecordedRequest] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeWiki:
        """Start serving in a daemon thread (idempotent); returns self."""
        if self._server is not None:
            return self
        server = _Server((self._host, self._port), _Handler)
        server.wiki = self
        self._server = server
        # A short poll interval keeps close() (and so each test's teardown) fast.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="FakeWiki",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeWiki:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:54321` (the server must be started)."""
        if self._server is None:
            raise RuntimeError("FakeWiki is not running; use `with FakeWiki() as wiki:`")
        return f"http://{self._host}:{self._server.server_port}"

    @property
    def api_url(self) -> str:
        """The Action API endpoint."""
        return f"{self.url}/w/api.php"

    @property
    def rest_url(self) -> str:
        """The REST API root (`…/w/rest.php/v1`)."""
        return f"{self.url}/w/rest.php/v1"

    # -- content ------------------------------------------------------------------------------

    def add_page(
        self, title: str, revisions: list[FakeRevision], page_id: int | None = None
    ) -> None:
        """Add (or replace) a page with its revisions, in any order."""
        self._store.add_page(title, revisions, page_id)

    def add_redirect(self, source: str, target: str) -> None:
        """Make `source` a wiki redirect to `target` (followed with `redirects=1`)."""
        self._store.add_redirect(source, target)

    def limit_result_size(self, max_bytes: int | None) -> None:
        """Cut `revids` content replies after `max_bytes` of wikitext and continue them with
        `rvcontinue=<revid>`, as the real API does at $wgAPIMaxResultSize; None = no limit."""
        self._store.max_result_bytes = max_bytes

    # -- failure injection and request log ----------------------------------------------------

    def fail_next(self, kind: str, count: int = 1, *, retry_after: int = 0, path: str = "") -> None:
        """Answer the next `count` requests (whose path starts with `path`) with a failure."""
        if kind not in FAILURE_KINDS:
            raise ValueError(f"kind must be one of {FAILURE_KINDS}, not {kind!r}")
        if count < 1:
            raise ValueError("count must be >= 1")
        with self._lock:
            self._failures.append(_FailureRule(kind, count, retry_after, path))

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in order (a copy)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the request log."""
        with self._lock:
            self._requests.clear()

    def count(self, path_prefix: str = "", **query_filter: str) -> int:
        """How many recorded requests match a path prefix and exact query values."""
        return sum(
            1
            for req in self.requests
            if req.path.startswith(path_prefix)
            and all(req.query.get(k) == v for k, v in query_filter.items())
        )

    # -- request handling (called from handler threads) ---------------------------------------

    def respond(self, request: RecordedRequest) -> Reply:
        """Record a request and answer it (an injected failure, or the API's reply)."""
        with self._lock:
            self._requests.append(request)
            failure = next(
                (r for r in self._failures if r.remaining > 0 and request.path.startswith(r.path)),
                None,
            )
            if failure is not None:
                failure.remaining -= 1
                self._failures = [r for r in self._failures if r.remaining > 0]
        if failure is not None:
            return _failure_reply(failure.kind, failure.retry_after, self.servedby)
        if request.path == "/w/api.php":
            return action_api(self._store, request.query, self.servedby)
        if request.path.startswith("/w/rest.php/"):
            path = request.path[len("/w/rest.php") :]
            return rest_api(self._store, path, request.query, request.headers, self.rest_url)
        return Reply(404, b"Not Found\n", "text/plain; charset=utf-8")


# --------------------------------------------------------------------------- failures


def _failure_reply(kind: str, retry_after: int, servedby: str) -> Reply:
    """The reply for an injected failure, shaped like Wikimedia's real ones."""
    retry = {"Retry-After": str(retry_after)}
    if kind == "503":
        body = _wikimedia_error_page(503, "Backend fetch failed")
        return Reply(503, body, "text/html; charset=utf-8", retry if retry_after else {})
    if kind == "429":
        return Reply(429, _wikimedia_error_page(429, "Too many requests"), "text/html", retry)
    if kind == "500":
        return Reply(500, _internal_error_page(), "text/html; charset=UTF-8")
    payload = {
        "error": {
            "code": "maxlag",
            "info": "Waiting for 10.64.48.174: 2.94 seconds lagged.",
            "host": "10.64.48.174",
            "lag": 2.94,
            "type": "db",
            "docref": DOCREF,
        },
        "servedby": servedby,
    }
    headers = {**retry, "X-Database-Lag": "2", "MediaWiki-API-Error": "maxlag"}
    return Reply(200, json_bytes(payload), JSON_CONTENT_TYPE, headers)


def _wikimedia_error_page(status: int, reason: str) -> bytes:
    """The HTML error page Wikimedia's edge serves for 429/5xx (shape of the real one)."""
    now = datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<meta charset="utf-8">\n'
        "<title>Wikimedia Error</title>\n"
        "<style>\n* { margin: 0; padding: 0; }\n"
        "body { background: #fff; font: 15px/1.6 sans-serif; color: #333; }\n"
        ".content { margin: 7% auto 0; padding: 2em 1em 1em; max-width: 640px; }\n"
        ".footer { clear: both; margin-top: 14%; border-top: 1px solid #e5e5e5; }\n</style>\n"
        '<div class="content" role="main">\n<a href="https://www.wikimedia.org"><img '
        'src="https://www.wikimedia.org/static/images/wmf-logo.png" alt="Wikimedia" width="135" '
        'height="101"></a>\n<h1>Error</h1>\n<p>Our servers are currently under maintenance or '
        'experiencing a technical issue. Please <a href="" title="Reload this page" '
        'onclick="window.location.reload(false); return false">try again</a> in a few&nbsp;'
        "minutes.</p><p>See the error message at the bottom of this page for more&nbsp;"
        "information.</p>\n</div>\n"
        '<div class="footer"><p>If you report this error to the Wikimedia System Administrators, '
        'please include the details below.</p><p class="text-muted"><code>Request from 127.0.0.1 '
        "via cp3066 cp3066, Varnish XID 861382457<br>Upstream caches: cp3066 int<br>"
        f"Error: {status}, {reason} at {now}</code></p>\n</div>\n</html>\n"
    )
    return page.encode("utf-8")


def _internal_error_page() -> bytes:
    """MediaWiki's own fatal-error page (HTTP 500)."""
    return (
        b'<!DOCTYPE html>\n<html><head><meta charset="UTF-8"/><title>Internal error - '
        b'Wikipedia</title></head><body><div class="mw-body"><h1>Internal error</h1>'
        b"<p>[c0ffee00-0000-4000-8000-000000000500] 2026-11-20 08:15:42: Fatal exception of "
        b'type "Wikimedia\\Rdbms\\DBQueryError"</p></div></body></html>\n'
    )


# --------------------------------------------------------------------------- HTTP


class _Server(ThreadingHTTPServer):
    """One thread per request; a deep listen queue so bursts of clients do not stall."""

    daemon_threads = True
    request_queue_size = 128
    wiki: FakeWiki


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into FakeWiki calls; keeps connections alive like a real server."""

    protocol_version = "HTTP/1.1"
    server_version = "mw-web.eqiad.main"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._handle(b"")

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle(b"", head=True)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length) if length else b"")

    def _handle(self, body: bytes, head: bool = False) -> None:
        wiki = self.server.wiki  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if body and self.headers.get("Content-Type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            query.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        recorded = RecordedRequest(self.command, parts.path, query, dict(self.headers.items()))
        try:
            reply = wiki.respond(recorded)
        except Exception as exc:  # a bug in the fake must not hang the client
            reply = Reply(500, f"FakeWiki bug: {exc!r}\n".encode(), "text/plain")
        payload = reply.body
        headers = dict(reply.headers)
        if payload and "gzip" in self.headers.get("Accept-Encoding", "").lower():
            payload = gzip.compress(payload, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if not head and payload:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Stay quiet; tests read `FakeWiki.requests` instead."""


# --------------------------------------------------------------------------- seed article


def register_seed_article(wiki: FakeWiki, fixture_dir: Path = SEED_FIXTURE_DIR) -> None:
    """Register the seed article's three revisions and its redirect on `wiki`."""
    manifest = json.loads((fixture_dir / "revisions.json").read_text(encoding="utf-8"))
    revisions = [
        FakeRevision(
            revid=item["revid"],
            timestamp=item["timestamp"],
            html=_read_fixture_html(fixture_dir / item["file"]),
            user=item["user"],
            comment=item["comment"],
            parentid=item["parentid"],
            size=item["size"],
            sha1=item["sha1"],
            minor=item.get("minor", False),
        )
        for item in manifest["revisions"]
    ]
    wiki.add_page(manifest["title"], revisions, page_id=manifest["pageid"])
    for source in manifest["redirects"]:
        wiki.add_redirect(source, manifest["title"])


def _read_fixture_html(path: Path) -> str:
    if path.suffix == ".gz":
        return gzip.decompress(path.read_bytes()).decode("utf-8")
    return path.read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Serve the seed article on 127.0.0.1 until interrupted (for manual demos)."""
    parser = argparse.ArgumentParser(description="Serve the seed article from a fake MediaWiki.")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0 = any)")
    args = parser.parse_args(argv)
    wiki = FakeWiki(port=args.port)
    register_seed_article(wiki)
    with wiki:
        print(f"FakeWiki serving the seed article at {wiki.url}", flush=True)
        print(
            f"  try {wiki.api_url}?action=query&prop=revisions&format=json&formatversion=2"
            "&redirects=1&titles=Russian_military_intervention_in_Syria",
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
