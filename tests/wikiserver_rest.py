"""The fake wiki's REST API (`/w/rest.php/v1/…`), real reply shapes (MEDIAWIKI.md §2).

`revision/{id}/html` (Parsoid HTML, ETag, 304), `revision/{id}` and `/bare` (metadata),
`page/{title}/history` (20 a page, `older_than`/`newer_than`), `page/{title}/html` (latest;
301 for non-canonical titles, 307 for wiki redirects). Errors are JSON with `errorKey`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, unquote

from tests.wikiserver_store import (
    JSON_CONTENT_TYPE,
    FakeRevision,
    Page,
    Reply,
    WikiStore,
    db_key,
    header,
    json_bytes,
    normalize_title,
    parse_timestamp,
    user_id,
)

PARSOID_CONTENT_TYPE = (
    'text/html; charset=utf-8; profile="https://www.mediawiki.org/wiki/Specs/HTML/2.8.0"'
)
LICENSE = {
    "url": "https://creativecommons.org/licenses/by-sa/4.0/deed.en",
    "title": "Creative Commons Attribution-Share Alike 4.0",
}
HISTORY_PAGE_SIZE = 20


def rest_api(
    store: WikiStore, path: str, query: Mapping[str, str], headers: Mapping[str, str], root: str
) -> Reply:
    """Answer one request below `/w/rest.php`; `root` is the public `…/w/rest.php/v1` URL."""
    match = re.fullmatch(r"/v1/revision/([^/]+)(/bare|/html)?", path)
    if match:
        return _revision(store, match.group(1), match.group(2) or "", headers, root)
    match = re.fullmatch(r"/v1/page/([^/]+)/(history|html)", path)
    if match:
        return _page(store, match.group(1), match.group(2), query, headers, root)
    return rest_error(
        404,
        "rest-no-match",
        f"The requested relative path ({path}) did not match any known handler",
    )


def rest_error(status: int, key: str, message: str) -> Reply:
    """The JSON error body of MediaWiki's REST framework (LocalizedHttpException)."""
    reasons = {400: "Bad Request", 404: "Not Found"}
    body = {
        "errorKey": key,
        "messageTranslations": {"en": message},
        "httpCode": status,
        "httpReason": reasons.get(status, "Error"),
    }
    return Reply(status, json_bytes(body), JSON_CONTENT_TYPE)


def etag(rev: FakeRevision) -> str:
    """A stable ETag per revision content (real Parsoid ETags are `W/"<revid>/<uuid>"`)."""
    render = uuid.uuid5(uuid.NAMESPACE_URL, f"{rev.revid}:{rev.sha1_hex}")
    return f'W/"{rev.revid}/{render}"'


def _revision(
    store: WikiStore, raw_id: str, suffix: str, headers: Mapping[str, str], root: str
) -> Reply:
    if not raw_id.isdigit():
        return rest_error(
            400,
            "paramvalidator-badinteger",
            f'Invalid value "{raw_id}" for integer parameter "id".',
        )
    with store.lock:
        hit = store.revisions.get(int(raw_id))
    if hit is None:
        return rest_error(
            404, "rest-nonexistent-revision", f"The specified revision ({raw_id}) does not exist"
        )
    page, rev = hit
    if suffix == "/html":
        return _html(rev, headers)
    body = _metadata(store, page, rev)
    if suffix == "/bare":
        body["html_url"] = f"{root}/revision/{rev.revid}/html"
    else:
        body["source"] = rev.wikitext
    return Reply(200, json_bytes(body), JSON_CONTENT_TYPE, {"ETag": etag(rev)})


def _metadata(store: WikiStore, page: Page, rev: FakeRevision) -> dict[str, Any]:
    return {
        "id": rev.revid,
        "size": rev.byte_size,
        "minor": rev.minor,
        "timestamp": rev.timestamp,
        "content_model": "wikitext",
        "page": {"id": page.pageid, "key": db_key(page.title), "title": page.title},
        "license": dict(LICENSE),
        "user": {"id": user_id(rev.user), "name": rev.user},
        "comment": rev.comment,
        "delta": store.delta(rev),
    }


def _html(rev: FakeRevision, headers: Mapping[str, str]) -> Reply:
    tag = etag(rev)
    stamp = parse_timestamp(rev.timestamp) or datetime(2001, 1, 15, tzinfo=timezone.utc)
    reply_headers = {
        "ETag": tag,
        "Content-Language": "en",
        "Cache-Control": "s-maxage=1209600, max-age=0, must-revalidate",
        "Last-Modified": stamp.strftime("%a, %d %b %Y %H:%M:%S GMT"),
    }
    if header(headers, "If-None-Match") == tag:
        return Reply(304, b"", "", reply_headers)
    return Reply(200, rev.html.encode("utf-8"), PARSOID_CONTENT_TYPE, reply_headers)


def _page(
    store: WikiStore,
    raw_title: str,
    what: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    root: str,
) -> Reply:
    decoded = unquote(raw_title)
    title, error = normalize_title(decoded)
    if title is None:
        return rest_error(400, "rest-invalid-title", error or "Invalid title")
    key = db_key(title)
    if decoded != key:
        # Non-canonical spelling: the real REST API answers 301 to the canonical URL.
        location = f"{root}/page/{quote(key, safe='')}/{what}"
        if query:
            location += "?" + "&".join(f"{k}={quote(v)}" for k, v in query.items())
        return Reply(301, b"", "", {"Location": location})
    with store.lock:
        target = store.redirects.get(title)
        page = store.pages.get(title)
        if what == "html" and target is not None and query.get("redirect") != "no":
            location = f"{root}/page/{quote(db_key(target), safe='')}/html?redirect=no"
            return Reply(307, b"", "", {"Location": location})
        if page is None:
            return rest_error(
                404, "rest-nonexistent-title", f"The specified page ({key}) does not exist"
            )
        if what == "html":
            return _html(page.revisions[-1], headers)
        return _history(store, page, query, root)


def _history(store: WikiStore, page: Page, query: Mapping[str, str], root: str) -> Reply:
    if "older_than" in query and "newer_than" in query:
        return rest_error(
            400,
            "rest-pagehistory-incompatible-params",
            "Parameters older_than and newer_than cannot both be specified",
        )
    newest_first = list(reversed(page.revisions))
    base = f"{root}/page/{quote(db_key(page.title), safe='')}/history"
    if "older_than" in query:
        pivot = int(query["older_than"]) if query["older_than"].isdigit() else -1
        older = [r for r in newest_first if r.revid < pivot]
        chunk = older[:HISTORY_PAGE_SIZE]
        has_older = len(older) > HISTORY_PAGE_SIZE
        has_newer = any(r.revid >= pivot for r in newest_first)
    elif "newer_than" in query:
        pivot = int(query["newer_than"]) if query["newer_than"].isdigit() else -1
        newer = [r for r in page.revisions if r.revid > pivot]  # oldest first
        chunk = list(reversed(newer[:HISTORY_PAGE_SIZE]))
        has_newer = len(newer) > HISTORY_PAGE_SIZE
        has_older = any(r.revid <= pivot for r in page.revisions)
    else:
        chunk = newest_first[:HISTORY_PAGE_SIZE]
        has_older = len(newest_first) > HISTORY_PAGE_SIZE
        has_newer = False
    body: dict[str, Any] = {
        "revisions": [
            {
                "id": r.revid,
                "timestamp": r.timestamp,
                "minor": r.minor,
                "size": r.byte_size,
                "comment": r.comment,
                "user": {"id": user_id(r.user), "name": r.user},
                "delta": store.delta(r),
            }
            for r in chunk
        ],
        "latest": base,
    }
    if has_older and chunk:
        body["older"] = f"{base}?older_than={chunk[-1].revid}"
    if has_newer and chunk:
        body["newer"] = f"{base}?newer_than={chunk[0].revid}"
    return Reply(200, json_bytes(body), JSON_CONTENT_TYPE)
