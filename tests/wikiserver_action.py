"""The fake wiki's Action API (`/w/api.php?action=query&prop=revisions`), real reply shapes.

formatversion=2 (page lists, real booleans) and 1 (pages keyed by id, `""` booleans); errors
are HTTP 200 with an `error` object and a `MediaWiki-API-Error` header. See MEDIAWIKI.md §1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.wikiserver_store import (
    JSON_CONTENT_TYPE,
    FakeRevision,
    Page,
    Reply,
    WikiStore,
    json_bytes,
    normalize_title,
    parse_timestamp,
    ts14,
    user_id,
)

DOCREF = (
    "See https://en.wikipedia.org/w/api.php for API usage. Subscribe to the "
    "mediawiki-api-announce mailing list at &lt;https://lists.wikimedia.org/postorius/lists/"
    "mediawiki-api-announce.lists.wikimedia.org/&gt; for notice of API deprecations and "
    "breaking changes."
)
MAX_TITLES = 50
DEFAULT_RVPROP = ("ids", "timestamp", "flags", "comment", "user")
# Parameters that switch prop=revisions into "enumeration" (history walk) mode, which the real
# API allows on a single page only.
ENUMERATION_PARAMS = ("rvlimit", "rvstart", "rvend", "rvdir", "rvcontinue", "rvstartid", "rvendid")


class ApiError(Exception):
    """An Action API error: becomes HTTP 200 with an `error` object, like the real API."""

    def __init__(self, code: str, info: str, **extra: Any) -> None:
        super().__init__(f"{code}: {info}")
        self.code = code
        self.info = info
        self.extra = extra


@dataclass
class _PageSet:
    """The pages a query names, resolved the way ApiPageSet does it."""

    leading: list[dict[str, Any]] = field(default_factory=list)  # missing/invalid, in order
    found: dict[int, tuple[Page, list[FakeRevision] | None]] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)  # normalized, redirects, badrevids


def action_api(store: WikiStore, params: dict[str, str], servedby: str) -> Reply:
    """Answer one api.php request."""
    fv2 = params.get("formatversion", "1") in ("2", "latest")
    action = params.get("action")
    if action is None:
        body = b"<!DOCTYPE html><html><head><title>MediaWiki API help</title></head>"
        body += b"<body><h1>Main module</h1></body></html>"
        return Reply(200, body, "text/html; charset=utf-8")
    try:
        if action != "query":
            raise ApiError("badvalue", f'Unrecognized value for parameter "action": {action}.')
        with store.lock:
            result = _query(store, params, fv2)
    except ApiError as err:
        error: dict[str, Any] = {"code": err.code, "info": err.info, **err.extra}
        error["docref" if fv2 else "*"] = DOCREF
        payload = {"error": error, "servedby": servedby}
        headers = {"MediaWiki-API-Error": err.code}
        return Reply(200, json_bytes(payload), JSON_CONTENT_TYPE, headers)
    return Reply(200, json_bytes(result), JSON_CONTENT_TYPE)


def _query(store: WikiStore, params: dict[str, str], fv2: bool) -> dict[str, Any]:
    given = [p for p in ("titles", "pageids", "revids") if p in params]
    if len(given) > 1:
        names = " and ".join(f'"{p}"' for p in given)
        raise ApiError("invalidparammix", f"The parameters {names} can not be used together.")
    kind = given[0] if given else ""
    values = params[kind].split("|") if kind and params[kind] else []
    if len(values) > MAX_TITLES:
        raise ApiError(
            "toomanyvalues",
            f'Too many values supplied for parameter "{kind}". The limit is {MAX_TITLES}.',
            limit=MAX_TITLES,
            lowlimit=MAX_TITLES,
            highlimit=500,
        )
    pageset = _PageSet()
    if kind == "revids":
        _resolve_revids(store, values, pageset, fv2)
    elif kind == "pageids":
        _resolve_pageids(store, values, pageset)
    elif kind == "titles":
        follow = params.get("redirects") not in (None, "0", "false")
        _resolve_titles(store, values, pageset, follow)

    want_revisions = "revisions" in params.get("prop", "").split("|")
    # NOTE: in revids mode `rvcontinue` is a plain revision id, not a history walk.
    enumeration = any(
        p in params for p in ENUMERATION_PARAMS if not (kind == "revids" and p == "rvcontinue")
    )
    if want_revisions and enumeration and len(pageset.found) + len(pageset.leading) > 1:
        raise ApiError(
            "invalidparammix",
            "titles, pageids or a generator was used to supply multiple pages, but the "
            '"rvlimit", "rvstartid", "rvendid", "rvdir=newer", "rvuser", "rvexcludeuser", '
            '"rvstart", and "rvend" parameters may only be used on a single page.',
        )
    rvprop = tuple(filter(None, params.get("rvprop", "|".join(DEFAULT_RVPROP)).split("|")))
    entries: list[dict[str, Any]] = []
    continuation: str | None = None
    if kind == "revids" and want_revisions:
        continuation = _cut_revids(store, pageset, params, "content" in rvprop)
    for pageid in sorted(pageset.found):
        page, chosen = pageset.found[pageid]
        entry: dict[str, Any] = {"pageid": page.pageid, "ns": 0, "title": page.title}
        if want_revisions:
            if chosen is None and enumeration:
                chosen, continuation = _walk(page, params)
            elif chosen is None:
                chosen = [page.revisions[-1]]
            if chosen:
                entry["revisions"] = [_revision_json(r, rvprop, params, fv2) for r in chosen]
        entries.append(entry)

    query = pageset.query
    if kind:
        pages = pageset.leading + entries
        query["pages"] = pages if fv2 else _pages_fv1(pages)
    result: dict[str, Any] = {}
    if continuation is not None:
        result["continue"] = {"rvcontinue": continuation, "continue": "||"}
    else:
        result["batchcomplete"] = True if fv2 else ""
    result["query"] = query
    return result


def _cut_revids(
    store: WikiStore, pageset: _PageSet, params: dict[str, str], content: bool
) -> str | None:
    """revids mode: skip revisions below `rvcontinue`; cut the reply (by revision id, as
    ApiQueryRevisions does) where its content would pass the store's size limit."""
    start = _integer(params["rvcontinue"], "rvcontinue") if "rvcontinue" in params else None
    chosen = sorted(
        (rev.revid, pageid) for pageid, (_, revs) in pageset.found.items() for rev in revs or ()
    )
    keep: set[int] = set()
    size = 0
    cut: int | None = None
    for revid, _ in chosen:
        if start is not None and revid < start:
            continue
        rev = store.revisions[revid][1]
        cost = len(rev.wikitext.encode("utf-8")) if content and not rev.texthidden else 0
        if store.max_result_bytes is not None and keep and size + cost > store.max_result_bytes:
            cut = revid
            break
        size += cost
        keep.add(revid)
    for pageid, (page, revs) in list(pageset.found.items()):
        pageset.found[pageid] = (page, [rev for rev in revs or () if rev.revid in keep])
    return str(cut) if cut is not None else None


def _integer(value: str, param: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ApiError(
            "badinteger", f'Invalid value "{value}" for integer parameter "{param}".'
        ) from None


def _resolve_revids(store: WikiStore, values: list[str], pageset: _PageSet, fv2: bool) -> None:
    bad: list[int] = []
    for value in values:
        revid = _integer(value, "revids")
        hit = store.revisions.get(revid)
        if hit is None:
            bad.append(revid)
            continue
        page, rev = hit
        revs = pageset.found.setdefault(page.pageid, (page, []))[1]
        assert revs is not None
        if rev not in revs:
            revs.append(rev)
            revs.sort(key=lambda r: r.revid)
    if bad:
        missing: bool | str = True if fv2 else ""
        pageset.query["badrevids"] = {str(r): {"revid": r, "missing": missing} for r in bad}


def _resolve_pageids(store: WikiStore, values: list[str], pageset: _PageSet) -> None:
    by_id = {p.pageid: p for p in store.pages.values()}
    for value in dict.fromkeys(values):
        pageid = _integer(value, "pageids")
        page = by_id.get(pageid)
        if page is None:
            pageset.leading.append({"pageid": pageid, "missing": True})
        else:
            pageset.found[page.pageid] = (page, None)


def _resolve_titles(store: WikiStore, values: list[str], pageset: _PageSet, follow: bool) -> None:
    normalized: list[dict[str, Any]] = []
    redirects: list[dict[str, Any]] = []
    seen: set[str] = set()
    for raw in dict.fromkeys(values):
        title, error = normalize_title(raw)
        if title is None:
            pageset.leading.append({"title": raw, "invalidreason": error, "invalid": True})
            continue
        if title != raw:
            normalized.append({"fromencoded": False, "from": raw, "to": title})
        if follow and title in store.redirects:
            target = store.redirects[title]
            redirects.append({"from": title, "to": target})
            title = target
        if title in seen:
            continue
        seen.add(title)
        page = store.pages.get(title)
        if page is None:
            pageset.leading.append({"ns": 0, "title": title, "missing": True})
        else:
            pageset.found[page.pageid] = (page, None)
    if normalized:
        pageset.query["normalized"] = normalized
    if redirects:
        pageset.query["redirects"] = redirects


def _walk(page: Page, params: dict[str, str]) -> tuple[list[FakeRevision], str | None]:
    """History walk for one page (`rvlimit/rvdir/rvstart/rvend/rvcontinue`)."""
    direction = params.get("rvdir", "older")
    if direction not in ("older", "newer"):
        raise ApiError("badvalue", f'Unrecognized value for parameter "rvdir": {direction}.')
    max_limit = 50 if "content" in params.get("rvprop", "") else 500
    raw_limit = params.get("rvlimit", "10")
    if raw_limit == "max":
        limit = max_limit
    else:
        limit = max(1, min(_integer(raw_limit, "rvlimit"), max_limit))
    bounds: dict[str, str] = {}
    for name in ("rvstart", "rvend"):
        if name in params:
            stamp = parse_timestamp(params[name])
            if stamp is None:
                raise ApiError(
                    f"badtimestamp_{name}",
                    f'Invalid value "{params[name]}" for timestamp parameter "{name}".',
                )
            bounds[name] = stamp.strftime("%Y%m%d%H%M%S")
    older = direction == "older"
    revs = [(ts14(r.timestamp), r.revid, r) for r in page.revisions]
    if older:
        revs.reverse()
    # `older` walks backwards from rvstart down to rvend, `newer` forwards: rvstart is an upper
    # bound when walking older and a lower bound when walking newer (rvend the opposite).
    if "rvstart" in bounds:
        revs = [x for x in revs if _within(x[0], bounds["rvstart"], upper=older)]
    if "rvend" in bounds:
        revs = [x for x in revs if _within(x[0], bounds["rvend"], upper=not older)]
    if "rvcontinue" in params:
        try:
            cont_ts, cont_id = params["rvcontinue"].split("|")
            key = (cont_ts, int(cont_id))
        except ValueError:
            raise ApiError(
                "badcontinue",
                "Invalid continue param. You should pass the original value returned by the "
                "previous query.",
            ) from None
        revs = [x for x in revs if _within((x[0], x[1]), key, upper=older)]
    chosen = [x[2] for x in revs[:limit]]
    cont = f"{revs[limit][0]}|{revs[limit][1]}" if len(revs) > limit else None
    return chosen, cont


def _within(value: Any, bound: Any, *, upper: bool) -> bool:
    """`value <= bound` for an upper bound, `value >= bound` for a lower one."""
    return bool(value <= bound if upper else value >= bound)


def _revision_json(
    rev: FakeRevision, rvprop: Iterable[str], params: dict[str, str], fv2: bool
) -> dict[str, Any]:
    props = set(rvprop)
    out: dict[str, Any] = {}
    if "ids" in props:
        out["revid"] = rev.revid
        out["parentid"] = rev.parentid
    if "flags" in props:
        if fv2:
            out["minor"] = rev.minor
        elif rev.minor:
            out["minor"] = ""
    hidden: bool | str = True if fv2 else ""
    if "user" in props:
        if rev.userhidden:
            out["userhidden"] = hidden
        else:
            out["user"] = rev.user
            if user_id(rev.user) is None:
                out["anon"] = hidden
    if "userid" in props and not rev.userhidden:
        out["userid"] = user_id(rev.user) or 0
    if "timestamp" in props:
        out["timestamp"] = rev.timestamp
    if "size" in props:
        out["size"] = rev.byte_size
    if "sha1" in props:
        if rev.texthidden:
            out["sha1hidden"] = hidden
        else:
            out["sha1"] = rev.sha1_hex
    if "comment" in props:
        if rev.commenthidden:
            out["commenthidden"] = hidden
        else:
            out["comment"] = rev.comment
    if "content" in props:
        key = "content" if fv2 else "*"
        content: dict[str, Any] = {"contentmodel": "wikitext", "contentformat": "text/x-wiki"}
        if rev.texthidden:
            content["texthidden"] = hidden
        else:
            content[key] = rev.wikitext
        if "rvslots" in params:
            out["slots"] = {"main": content}
        else:
            out.update(content)
    if rev.texthidden or rev.userhidden or rev.commenthidden:
        out["suppressed"] = hidden
    return out


def _pages_fv1(pages: list[dict[str, Any]]) -> dict[str, Any]:
    """formatversion=1: pages keyed by id ("-1", "-2"… for missing/invalid), booleans as ""."""
    out: dict[str, Any] = {}
    negative = 0
    for page in pages:
        fixed = {k: ("" if v is True else v) for k, v in page.items()}
        if "pageid" in page and "missing" not in page:
            out[str(page["pageid"])] = fixed
        else:
            negative -= 1
            out[str(page.get("pageid", negative))] = fixed
    return out
