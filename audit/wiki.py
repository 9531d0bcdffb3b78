"""The one HTTP client of the project: revision metadata from the Action API, HTML from REST.

Also page histories (`revision_history`) and revision wikitext by id (`revision_wikitext`,
batched 50 a request) for `audit blame`.

`WikiClient` owns the User-Agent, timeouts, retries with backoff (429, 5xx and MediaWiki's
`maxlag`, honouring `Retry-After`), title batching and the cache, and turns every failure into
the `errors` tree. No other module imports `requests`.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util.retry import Retry

from audit import __version__
from audit.cache import RevisionCache
from audit.errors import AuditError, InputError, PageMissing, WikiError, WikiUnreachable
from audit.model import Revision

DEFAULT_WIKI = "https://en.wikipedia.org"
USER_AGENT_ENV = "AUDIT_USER_AGENT"

#: Titles per Action API request; the limit for clients without `apihighlimits`.
BATCH_SIZE = 50
#: Seconds a `revision_at` answer stays cached: old history rarely changes (deletions aside).
REVISION_AT_TTL = 30 * 24 * 3600
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REVISION_PROPS = "ids|timestamp|user|comment|size|sha1"
#: Bump when the shape of cached values changes, so old entries are simply not found.
CACHE_FORMAT = 1
#: Rounds of Action API continuation accepted before the reply is considered broken.
MAX_CONTINUATIONS = 20
#: Requests of 500 revisions one history listing may take (5 million revisions).
MAX_HISTORY_REQUESTS = 10_000


def default_user_agent() -> str:
    """The User-Agent sent unless overridden: tool, version, where to complain, library."""
    return (
        f"audit/{__version__} (+https://github.com/wiki-audit/audit; "
        f"contact: set {USER_AGENT_ENV}) python-requests/{requests.__version__}"
    )


def rest_path(*segments: str | int) -> str:
    """A REST path from raw segments, each percent-encoded whole (`AC/DC` → `AC%2FDC`)."""
    # NOTE: safe="" matters: quote() keeps "/" by default, which would split a title like
    # "AC/DC" into two path segments; "?", "#" and "%" must be escaped for the same reason.
    return "".join("/" + quote(str(segment), safe="") for segment in segments)


@dataclass
class RequestStats:
    """What a client did on the network and in its cache, for the end-of-run summary."""

    requests: int = 0
    """HTTP requests sent, every retry and redirect hop included."""
    retries: int = 0
    """Requests that repeated an earlier one after a 429, 5xx, maxlag or network error."""
    cache_hits: int = 0
    """Answers served from the cache instead of the network."""
    content_downloads: int = 0
    """Revision contents (Parsoid HTML or wikitext) fetched from the network."""
    bytes_downloaded: int = 0
    """Bytes of response bodies received (after gzip decoding)."""


class _WikiRetry(Retry):
    """urllib3's Retry, extended to MediaWiki's maxlag replies and reporting each retry."""

    def __init__(self, *args: Any, on_retry: Callable[[], None] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.on_retry = on_retry

    def new(self, **kw: Any) -> _WikiRetry:
        # Retry.new() rebuilds the object from its known parameters only; carry ours over.
        retry = super().new(**kw)
        retry.on_retry = self.on_retry
        return retry

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if super().is_retry(method, status_code, has_retry_after):
            return True
        # NOTE: MediaWiki answers `maxlag` with HTTP 200 + {"error": {"code": "maxlag"}} and the
        # headers Retry-After (max(maxlag, 5) seconds), X-Database-Lag and MediaWiki-API-Error
        # (ApiMain::checkMaxLag; 200 rather than 503 since T33156). urllib3's connection pool
        # only hands is_retry() the method, the status and whether Retry-After is present
        # (connectionpool.urlopen: `retries.is_retry(method, response.status, has_retry_after)`),
        # so "a 200 that carries Retry-After" is how maxlag can be recognised there. We know of
        # no other MediaWiki 200 with Retry-After; one would merely be fetched again after the
        # wait. The pool then calls increment() (counting against total/status) and sleep(),
        # which honours Retry-After capped by retry_after_max; when retries run out,
        # raise_on_status=False hands back the last maxlag reply, which WikiClient turns into
        # "wiki is lagged". (`responses` replays this same is_retry/increment loop, minus sleep.)
        return bool(
            status_code == 200
            and has_retry_after
            and self.total
            and self.respect_retry_after_header
            and self._is_method_retryable(method)
        )

    def increment(self, *args: Any, **kwargs: Any) -> _WikiRetry:
        retry = super().increment(*args, **kwargs)  # raises MaxRetryError when exhausted
        if self.on_retry is not None:
            self.on_retry()
        return retry


class _CountingAdapter(HTTPAdapter):
    """HTTPAdapter that counts the requests it sends (first attempts and redirect hops)."""

    def __init__(self, stats: RequestStats, max_retries: Retry) -> None:
        super().__init__(max_retries=max_retries)
        self._stats = stats

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        self._stats.requests += 1
        return super().send(request, *args, **kwargs)


def _warn_on_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _innermost_reason(error: BaseException) -> BaseException:
    """The urllib3/OS error hidden inside requests' and urllib3's wrappers."""
    seen: set[int] = set()
    while id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, MaxRetryError) and error.reason is not None:
            error = error.reason
        elif isinstance(error, requests.RequestException) and error.args:
            inner = error.args[0]
            if not isinstance(inner, BaseException):
                break
            error = inner
        else:
            break
    return error


def _describe_network_error(error: requests.RequestException) -> str:
    """A short, one-line reason for a failed connection (no reprs, no tracebacks)."""
    reason = _innermost_reason(error)
    # NOTE: urllib3's NewConnectionError subclasses ConnectTimeoutError, so a refused
    # connection must be recognised before timeouts or it would read "timed out".
    if isinstance(reason, NameResolutionError):
        return "host name not found"
    if isinstance(reason, NewConnectionError):
        # "HTTPConnection(host=..., port=...): Failed to establish a new connection: [Errno 111]
        # Connection refused" → keep the OS error's words.
        text = str(reason)
        detail = text.rsplit("] ", 1)[-1] if "] " in text else text.rsplit(": ", 1)[-1]
        return detail.strip().lower() or "connection failed"
    if isinstance(error, requests.Timeout) or isinstance(
        reason, (ReadTimeoutError, ConnectTimeoutError, TimeoutError)
    ):
        return "timed out"
    if isinstance(reason, SSLError) or isinstance(error, requests.exceptions.SSLError):
        return "TLS error"
    text = " ".join(str(reason).split())
    return text or type(reason).__name__


def _rest_message(response: requests.Response) -> str | None:
    """The English message of a REST error body (`messageTranslations`), if there is one."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    translations = body.get("messageTranslations")
    if isinstance(translations, dict) and translations:
        message = translations.get("en") or next(iter(translations.values()))
        return str(message)
    for key in ("message", "httpReason"):
        if body.get(key):
            return str(body[key])
    return None


def _multi_value(values: Sequence[str]) -> str:
    """Join values for a multi-value Action API parameter."""
    # NOTE: a "|" inside a value would split it. MediaWiki's escape (API:Data formats) is to
    # start the parameter with U+001F and use U+001F as the separator; the wiki then reports
    # such a title as invalid instead of silently looking up two other pages.
    if any("|" in value for value in values):
        return "\x1f" + "\x1f".join(values)
    return "|".join(values)


def _main_slot_text(rev: Mapping[str, Any]) -> str | None:
    """A revision's wikitext from `rvslots=main` (fv2 `content`, fv1 `*`), or the legacy
    shape without slots; None when hidden (`texthidden`) or missing (`textmissing`)."""
    slot = (rev.get("slots") or {}).get("main") if isinstance(rev.get("slots"), dict) else None
    holder = slot if isinstance(slot, dict) else rev
    if holder.get("texthidden") or holder.get("textmissing") or rev.get("texthidden"):
        return None
    content = holder.get("content", holder.get("*"))
    return content if isinstance(content, str) else None


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class WikiClient:
    """Serial, polite, cached access to one MediaWiki wiki (Wikipedia by default)."""

    def __init__(
        self,
        wiki: str = DEFAULT_WIKI,
        *,
        cache: RevisionCache | None = None,
        user_agent: str | None = None,
        timeout: float | tuple[float, float] = (10, 60),
        max_retries: int = 5,
        backoff_factor: float = 1.0,
        retry_after_max: int = 120,
        latest_ttl: int = 300,
        session: requests.Session | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        parts = urlsplit(wiki.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(
                f"wiki address {wiki!r} is not an http(s) URL",
                hint=f"give the site root, e.g. {DEFAULT_WIKI}",
            )
        self.wiki = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.host = parts.netloc
        self.api_url = f"{self.wiki}/w/api.php"
        self.rest_url = f"{self.wiki}/w/rest.php/v1"
        self.cache = cache if cache is not None else RevisionCache.disabled()
        self.user_agent = (
            user_agent or os.environ.get(USER_AGENT_ENV, "").strip() or default_user_agent()
        )
        self.timeout = timeout
        self.max_retries = max_retries
        self.latest_ttl = latest_ttl
        self.stats = RequestStats()
        self._on_warning = on_warning or _warn_on_stderr
        self._seen_warnings: set[tuple[str, str]] = set()

        retry = _WikiRetry(
            total=max_retries,
            # A read timeout already cost `timeout` seconds; do not pay it six times over.
            read=min(max_retries, 2),
            # A refused connection or a failed DNS lookup rarely heals within seconds: try
            # twice more, then report the wiki unreachable (offline) instead of waiting ~30 s.
            connect=min(max_retries, 2),
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD"}),
            backoff_factor=backoff_factor,
            raise_on_status=False,  # the last 429/5xx/maxlag reply comes back; we explain it
            respect_retry_after_header=True,
            retry_after_max=retry_after_max,
            on_retry=self._count_retry,
        )
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        # Mounted on this wiki only, so a caller's shared session keeps its other adapters.
        self._session.mount(f"{self.wiki}/", _CountingAdapter(self.stats, retry))

    # -- public API ------------------------------------------------------------------------

    def revision_at(self, title: str, timestamp: str) -> Revision | None:
        """The revision current at `timestamp` (last edit <= T); None if the page had none then.

        Redirects are followed as they are *now*; `redirected_from` says when that happened.
        """
        key = self._key("revision_at", title, timestamp)
        cached = self.cache.get(key)
        if isinstance(cached, dict) and "revision" in cached:
            # None is a cached answer ("no revision then"); an unreadable entry is a miss.
            revision = self._revision_from_cache(cached["revision"])
            if revision is not None or cached["revision"] is None:
                self.stats.cache_hits += 1
                return revision
        self._check_title(title)
        # NOTE: a one-page rvlimit=1 reply always carries "continue" (older revisions exist);
        # we asked for exactly one revision, so it is ignored on purpose.
        reply = self._api(
            {
                "action": "query",
                "prop": "revisions",
                "titles": _multi_value([title]),
                "rvlimit": "1",
                "rvdir": "older",
                "rvstart": timestamp,
                "rvprop": REVISION_PROPS,
                "redirects": "1",
            }
        )
        page, redirected = self._page_for(title, reply.get("query") or {})
        revisions = page.get("revisions") or []
        revision = None
        if revisions:
            revision = self._revision(page, revisions[0], title if redirected else None)
        stored = dataclasses.asdict(revision) if revision is not None else None
        self.cache.set(key, {"revision": stored}, expire=REVISION_AT_TTL)
        return revision

    def latest_revision(self, title: str) -> Revision:
        """The current revision of `title`; raises PageMissing for missing or invalid titles."""
        result = self.latest_revisions([title])[title]
        if isinstance(result, AuditError):
            raise result
        return result

    def latest_revisions(
        self, titles: Sequence[str], *, fresh: bool = False
    ) -> dict[str, Revision | AuditError]:
        """Current revision of many titles, 50 per request, keyed by the titles *as asked*.

        Missing and invalid titles come back as PageMissing values, not exceptions, so one bad
        title does not sink a 500-article run; network failures still raise. `fresh` asks the
        wiki even when a recent answer is cached (a check must see edits made a minute ago).
        """
        results: dict[str, Revision | AuditError] = {}
        wanted: list[str] = []
        for title in dict.fromkeys(titles):  # de-duplicated, order kept
            use_cache = self.latest_ttl > 0 and not fresh
            cached = self.cache.get(self._key("latest", title)) if use_cache else None
            if isinstance(cached, dict):
                revision = self._revision_from_cache(cached)
                if revision is not None:
                    self.stats.cache_hits += 1
                    results[title] = revision
                    continue
            try:
                self._check_title(title)
            except PageMissing as missing:
                results[title] = missing
                continue
            wanted.append(title)

        for batch in _chunks(wanted, BATCH_SIZE):
            query = self._latest_query(batch)
            for title in batch:
                try:
                    page, redirected = self._page_for(title, query)
                    revisions = page.get("revisions") or []
                    if not revisions:
                        raise WikiError(f"{self.host} sent no revision for {title!r}")
                    revision = self._revision(page, revisions[0], title if redirected else None)
                except WikiError as error:
                    results[title] = error
                    continue
                results[title] = revision
                if self.latest_ttl > 0:
                    self.cache.set(
                        self._key("latest", title),
                        dataclasses.asdict(revision),
                        expire=self.latest_ttl,
                    )
        return {title: results[title] for title in dict.fromkeys(titles)}

    def revision_html(self, revid: int) -> str:
        """Parsoid HTML of a revision (REST `revision/{id}/html`), cached forever by revid."""
        revid = int(revid)
        key = self._key("html", revid)
        cached = self.cache.get(key)
        if isinstance(cached, str):
            self.stats.cache_hits += 1
            return cached
        url = self.rest_url + rest_path("revision", revid, "html")
        response = self._get(url, headers={"Accept": "text/html"})
        if response.status_code == 404:
            detail = _rest_message(response) or "not found"
            raise PageMissing(
                f"revision {revid} does not exist on {self.host} ({detail})",
                hint="the revision id may be wrong, or the revision was deleted",
            )
        if response.status_code == 403:
            detail = _rest_message(response) or "permission denied"
            raise WikiError(
                f"revision {revid} on {self.host} cannot be read ({detail})",
                hint="deleted or suppressed revisions are not public",
            )
        self._raise_for_status(response, f"the HTML of revision {revid}")
        # NOTE: decode as UTF-8 ourselves: for a text/* reply without charset requests falls
        # back to ISO-8859-1 and would garble every non-ASCII character. MediaWiki is UTF-8.
        html = response.content.decode("utf-8", errors="replace")
        if not html.strip():
            raise WikiError(f"{self.host} sent an empty page for revision {revid}")
        self.stats.content_downloads += 1
        self.cache.set(key, html)  # revision content is immutable: no expiry
        return html

    def revision_history(self, title: str) -> list[Revision]:
        """Every revision of a page, oldest first: ids, timestamp, user, comment, size, sha1.

        `rvlimit=max` (500 a request; 5,000 with `apihighlimits`), following `continue`.
        Not cached: it grows with every edit. Hidden (revision-deleted) users and comments
        come back as None, hidden content as `sha1=None`.
        """
        self._check_title(title)
        params: dict[str, str] = {
            "action": "query",
            "prop": "revisions",
            "titles": _multi_value([title]),
            "rvprop": REVISION_PROPS,
            "rvlimit": "max",
            "rvdir": "newer",
            "redirects": "1",
        }
        revisions: list[Revision] = []
        for _ in range(MAX_HISTORY_REQUESTS):
            reply = self._api(params)
            page, redirected = self._page_for(title, reply.get("query") or {})
            revisions.extend(
                self._revision(page, rev, title if redirected else None)
                for rev in page.get("revisions") or []
            )
            more = reply.get("continue")
            if not isinstance(more, dict):
                return revisions
            params = {**params, **{key: str(value) for key, value in more.items()}}
        raise WikiError(f"the history of {title!r} on {self.host} has more than "
                        f"{MAX_HISTORY_REQUESTS} pages of revisions; giving up")

    def revision_wikitext(self, revids: Sequence[int]) -> dict[int, str | None]:
        """Wikitext of revisions by id, cached forever; 50 ids per request (`revids=`).

        None for a revision whose text is hidden (revision-deleted) or that does not exist.
        """
        wanted = list(dict.fromkeys(int(revid) for revid in revids))
        texts: dict[int, str | None] = {}
        missing = []
        for revid in wanted:
            cached = self.cache.get(self._key("wikitext", revid))
            if isinstance(cached, str):
                self.stats.cache_hits += 1
                texts[revid] = cached
            else:
                missing.append(revid)
        for batch in _chunks([str(revid) for revid in missing], BATCH_SIZE):
            fetched = self._wikitext_batch(batch)
            for value in batch:
                revid = int(value)
                text = fetched.get(revid)
                texts[revid] = text
                if text is not None:
                    self.stats.content_downloads += 1
                    self.cache.set(self._key("wikitext", revid), text)  # immutable: no expiry
        return {revid: texts.get(revid) for revid in wanted}

    def _wikitext_batch(self, revids: Sequence[str]) -> dict[int, str]:
        """Texts of up to 50 revisions, following `continue` (big texts overflow a reply)."""
        params: dict[str, str] = {
            "action": "query",
            "prop": "revisions",
            "revids": "|".join(revids),
            "rvprop": "ids|content",
            "rvslots": "main",
        }
        texts: dict[int, str] = {}
        for _ in range(MAX_CONTINUATIONS):
            reply = self._api(params)
            for page in (reply.get("query") or {}).get("pages") or []:
                for rev in page.get("revisions") or []:
                    text = _main_slot_text(rev)
                    if text is not None and rev.get("revid") is not None:
                        texts[int(rev["revid"])] = text
            more = reply.get("continue")
            if not isinstance(more, dict):
                return texts
            params = {**params, **{key: str(value) for key, value in more.items()}}
        raise WikiError(f"{self.host} kept asking to continue a revision content query")

    def close(self) -> None:
        """Close the HTTP session if this client created it (the cache belongs to the caller)."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> WikiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- Action API ------------------------------------------------------------------------

    def _latest_query(self, batch: Sequence[str]) -> dict[str, Any]:
        """The `query` part for one batch of titles, continuation merged in."""
        params: dict[str, str] = {
            "action": "query",
            "prop": "revisions",
            "titles": _multi_value(batch),
            "rvprop": REVISION_PROPS,
            "redirects": "1",
        }
        reply = self._api(params)
        query: dict[str, Any] = dict(reply.get("query") or {})
        # Without rvlimit the wiki returns one (the latest) revision per page and no continuation
        # in practice; should a big batch be cut anyway, the rest of its pages follow here.
        for _ in range(MAX_CONTINUATIONS):
            more = reply.get("continue")
            if not isinstance(more, dict):
                break
            reply = self._api({**params, **{k: str(v) for k, v in more.items()}})
            self._merge_pages(query, reply.get("query") or {})
        else:
            raise WikiError(f"{self.host} kept asking to continue a revision query")
        return query

    @staticmethod
    def _merge_pages(into: dict[str, Any], more: Mapping[str, Any]) -> None:
        pages = {page.get("title"): page for page in into.get("pages") or []}
        for page in more.get("pages") or []:
            known = pages.get(page.get("title"))
            if known is None:
                pages[page.get("title")] = page
            elif page.get("revisions") and not known.get("revisions"):
                known["revisions"] = page["revisions"]
        into["pages"] = list(pages.values())

    def _api(self, params: Mapping[str, str]) -> dict[str, Any]:
        """One Action API GET (format=json, formatversion=2, maxlag=5) → the decoded reply."""
        full = {"format": "json", "formatversion": "2", "maxlag": "5", **params}
        response = self._get(self.api_url, params=full)
        self._raise_for_status(response, "an API query")
        try:
            reply = response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "unknown type")
            raise WikiError(
                f"{self.host} answered the API with something that is not JSON ({kind})",
                hint=f"check that {self.api_url} is a MediaWiki API",
            ) from None
        if not isinstance(reply, dict):
            raise WikiError(f"{self.host} answered the API with an unexpected shape")
        error = reply.get("error")
        if isinstance(error, dict):
            raise self._api_error(error)
        self._report_api_warnings(reply.get("warnings"))
        return reply

    def _api_error(self, error: Mapping[str, Any]) -> AuditError:
        code = str(error.get("code", "unknown"))
        info = " ".join(str(error.get("info", "")).split())
        if code == "maxlag":
            return WikiError(
                f"wiki is lagged: {self.host} still reports database lag after "
                f"{self.max_retries} retries ({info})",
                hint="Wikipedia's database replicas are behind; try again in a few minutes",
            )
        if code == "ratelimited":
            return WikiUnreachable(
                f"rate limited by {self.host} (API error ratelimited: {info})",
                hint=self._rate_limit_hint(),
            )
        return WikiError(f"{self.host} API error {code}: {info}")

    def _report_api_warnings(self, warnings: Any) -> None:
        """Pass API warnings (deprecations, unknown parameters) on, each text once per client."""
        if not isinstance(warnings, dict):
            return
        for module, body in warnings.items():
            # fv2 nests the text under "warnings", fv1 under "*".
            raw = body.get("warnings", body.get("*", "")) if isinstance(body, dict) else body
            text = " ".join(str(raw).split())
            if text and (module, text) not in self._seen_warnings:
                self._seen_warnings.add((module, text))
                self._on_warning(f"warning: {self.host} API ({module}): {text}")

    def _page_for(self, title: str, query: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """The page entry answering `title` as asked, and whether a wiki redirect led there."""
        normalized = {n.get("from"): n.get("to") for n in query.get("normalized") or []}
        converted = {c.get("from"): c.get("to") for c in query.get("converted") or []}
        redirects = {r.get("from"): r.get("to") for r in query.get("redirects") or []}
        interwiki = {i.get("title"): i.get("iw") for i in query.get("interwiki") or []}
        pages = {p.get("title"): p for p in query.get("pages") or []}

        # NOTE: the reply speaks of the title it ended up at ("castor" → "Castor" → maybe a
        # redirect target), so walk the same path: normalisation, variant conversion, then
        # redirects, which can chain (A → B → C) and, on a broken wiki, loop.
        current = normalized.get(title, title)
        current = converted.get(current, current)
        redirected = False
        seen = {current}
        while current in redirects:
            current = redirects[current]
            redirected = True
            if current in seen:
                raise WikiError(f"{title!r} is part of a redirect loop on {self.host}")
            seen.add(current)

        if current in interwiki or title in interwiki:
            prefix = interwiki.get(current, interwiki.get(title))
            raise PageMissing(
                f"{title!r} is an interwiki link ({prefix}:), not a page on {self.host}"
            )
        page = pages.get(current)
        if page is None:
            raise PageMissing(f"{title!r} is not a valid page title on {self.host}")
        if page.get("invalid"):
            reason = page.get("invalidreason") or "invalid title"
            raise PageMissing(f"{title!r} is not a valid title on {self.host}: {reason}")
        if page.get("missing"):
            raise PageMissing(
                f"{title!r} does not exist on {self.host}",
                hint="check the spelling: after the first letter, titles are case-sensitive",
            )
        if page.get("special"):
            raise PageMissing(f"{title!r} is a special page, which has no revisions")
        return page, redirected

    def _revision(
        self, page: Mapping[str, Any], rev: Mapping[str, Any], redirected_from: str | None
    ) -> Revision:
        try:
            return Revision(
                title=str(page["title"]),
                revid=int(rev["revid"]),
                timestamp=str(rev["timestamp"]),
                page_id=int(page["pageid"]) if page.get("pageid") is not None else None,
                user=rev.get("user"),
                comment=rev.get("comment"),
                size=int(rev["size"]) if rev.get("size") is not None else None,
                sha1=rev.get("sha1"),
                redirected_from=redirected_from,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise WikiError(
                f"{self.host} sent a revision without {error} for {page.get('title')!r}"
            ) from None

    @staticmethod
    def _revision_from_cache(stored: Any) -> Revision | None:
        """Rebuild a cached Revision; entries of an older shape count as absent."""
        if not isinstance(stored, dict):
            return None
        try:
            return Revision(**stored)
        except TypeError:
            return None

    @staticmethod
    def _check_title(title: str) -> None:
        if not title or not title.strip():
            raise PageMissing("an empty title is not a page")

    # -- HTTP ------------------------------------------------------------------------------

    def _get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """GET with our User-Agent and timeout; network failures become WikiUnreachable."""
        try:
            response = self._session.get(
                url,
                params=params,
                headers={"User-Agent": self.user_agent, **(headers or {})},
                timeout=self.timeout,
            )
            body = response.content  # reading the body can fail too (reset, bad gzip)
        except requests.RequestException as error:
            raise WikiUnreachable(
                f"cannot reach {self.host}: {_describe_network_error(error)}",
                hint="check the network connection and the wiki address",
            ) from error
        self.stats.bytes_downloaded += len(body)
        return response

    def _raise_for_status(self, response: requests.Response, what: str) -> None:
        """Explain a non-200 answer (after urllib3 has used up its retries)."""
        status = response.status_code
        if status == 200:
            return
        reason = f"HTTP {status} {response.reason or ''}".strip()
        if status == 429:
            raise WikiUnreachable(
                f"rate limited by {self.host} ({reason}) after {self.max_retries} retries",
                hint=self._rate_limit_hint(),
            )
        if status >= 500:
            raise WikiUnreachable(
                f"{self.host} answered {reason} to {what} after {self.max_retries} retries",
                hint="the wiki may be down or overloaded; try again later",
            )
        detail = _rest_message(response)
        hint = None
        if status == 403:
            hint = (
                f"Wikimedia refuses clients without a descriptive User-Agent; set {USER_AGENT_ENV}"
            )
        raise WikiError(
            f"{self.host} answered {reason} to {what}" + (f": {detail}" if detail else ""),
            hint=hint,
        )

    @staticmethod
    def _rate_limit_hint() -> str:
        return (
            f"wait a while before running again, and set {USER_AGENT_ENV} to a User-Agent "
            "with your contact address (identified clients get higher limits)"
        )

    def _count_retry(self) -> None:
        self.stats.retries += 1
        self.stats.requests += 1

    def _key(self, kind: str, *parts: str | int) -> tuple[str | int, ...]:
        return (CACHE_FORMAT, kind, self.wiki, *parts)
