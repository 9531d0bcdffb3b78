"""Check one document of claims.yaml against the live wiki: fetch, read, match, judge flags.

Failures are values: a missing page, an unreachable wiki or a broken answer gives a
`DocumentCheck` with status `missing`, `offline` or `error` and the reason, so a run over
many articles goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from audit.claims import split_claims
from audit.claimsfile import ClaimsDocument
from audit.errors import AuditError, PageMissing, WikiUnreachable
from audit.match import compare_banners, compare_claims, unchecked
from audit.model import Banner, Claim, DocumentCheck, Revision
from audit.readers import read_text_as
from audit.reliability import default_data
from audit.sourcing import judge_claims
from audit.wiki import WikiClient

Warn = Callable[[str], None]


def offline_check(document: ClaimsDocument, *, reason: str | None = None) -> DocumentCheck:
    """The snapshot alone, marked offline: what a report can say without the wiki."""
    warnings = (reason,) if reason else ()
    return DocumentCheck(
        title=document.title,
        wiki=document.wiki,
        status="offline",
        snapshot_timestamp=document.snapshot.timestamp,
        snapshot_revision=document.snapshot.revision,
        current=None,
        claims=judge_claims(unchecked(document.claims), document.overrides),
        error=reason,
        warnings=warnings,
        banners=compare_banners(document.banners, None),
        reliability_data=default_data().version,
        triage=document.triage,
        flag_triage=document.flag_triage,
    )


def _failed(document: ClaimsDocument, status: str, error: str) -> DocumentCheck:
    return DocumentCheck(
        title=document.title,
        wiki=document.wiki,
        status=status,
        snapshot_timestamp=document.snapshot.timestamp,
        snapshot_revision=document.snapshot.revision,
        current=None,
        claims=judge_claims(unchecked(document.claims), document.overrides),
        error=error,
        banners=compare_banners(document.banners, None),
        reliability_data=default_data().version,
        triage=document.triage,
        flag_triage=document.flag_triage,
    )


def snapshot_revision(document: ClaimsDocument, client: WikiClient) -> int | None:
    """The snapshot's revision id: as recorded, else the revision current at its timestamp."""
    if document.snapshot.revision is not None:
        return document.snapshot.revision
    if not document.snapshot.timestamp:
        return None
    revision = client.revision_at(document.title, document.snapshot.timestamp)
    return revision.revid if revision is not None else None


def check_document(
    document: ClaimsDocument,
    client: WikiClient,
    *,
    current: Revision | None = None,
    warn: Warn | None = None,
) -> DocumentCheck:
    """Compare a document's snapshot claims with the article's current revision.

    `current` is the revision a batched lookup already found; without it, it is fetched.
    When it is the snapshot's own revision, nothing more is downloaded: every claim stands.
    """
    try:
        if current is None:
            current = client.latest_revision(document.title)
        snapshot_id = snapshot_revision(document, client)
        if snapshot_id is not None and snapshot_id == current.revid:
            return _compared(document, current, snapshot_id, document.claims, document.banners)
        html = client.revision_html(current.revid)
    except PageMissing as exc:
        return _failed(document, "missing", exc.message)
    except WikiUnreachable as exc:
        if warn:
            warn(f"warning: {exc.message}; reporting from the snapshot alone (offline)")
        return offline_check(document, reason=exc.message)
    except AuditError as exc:
        return _failed(document, "error", exc.message)
    try:
        current_document = read_text_as(
            html, format="parsoid", title=current.title, source=f"revision {current.revid}"
        )
    except AuditError as exc:
        return _failed(document, "error", f"cannot read revision {current.revid}: {exc.message}")
    return _compared(document, current, snapshot_id, tuple(split_claims(current_document)),
                     current_document.banners)


def _compared(
    document: ClaimsDocument,
    current: Revision,
    snapshot_id: int | None,
    current_claims: tuple[Claim, ...],
    current_banners: tuple[Banner, ...],
) -> DocumentCheck:
    warnings: tuple[str, ...] = ()
    if current.redirected_from:
        warnings = (f"{current.redirected_from!r} redirects to {current.title!r}",)
    return DocumentCheck(
        title=document.title,
        wiki=document.wiki,
        status="checked",
        snapshot_timestamp=document.snapshot.timestamp,
        snapshot_revision=snapshot_id,
        current=current,
        claims=judge_claims(compare_claims(document.claims, current_claims), document.overrides),
        warnings=warnings,
        banners=compare_banners(document.banners, current_banners),
        reliability_data=default_data().version,
        triage=document.triage,
        flag_triage=document.flag_triage,
        current_claims=current_claims,
        current_banners=current_banners,
    )


def check_documents(
    documents: Sequence[ClaimsDocument],
    client: WikiClient | None,
    *,
    offline: bool = False,
    warn: Warn | None = None,
) -> list[DocumentCheck]:
    """Check documents of one wiki: one metadata request per 50 titles, then content only for
    pages whose revision changed since the snapshot. A page that fails is a value; once the
    wiki proves unreachable, the rest go offline without waiting on it."""
    if offline or client is None:
        return [offline_check(document, reason="offline mode (--offline)")
                for document in documents]
    try:
        latest = client.latest_revisions([document.title for document in documents], fresh=True)
    except WikiUnreachable as exc:
        if warn:
            warn(f"warning: {exc.message}; reporting from the snapshots alone (offline)")
        return [offline_check(document, reason=exc.message) for document in documents]
    except AuditError as exc:
        return [_failed(document, "error", exc.message) for document in documents]
    results: list[DocumentCheck] = []
    unreachable: str | None = None
    for document in documents:
        if unreachable is not None:
            results.append(offline_check(document, reason=unreachable))
            continue
        found = latest.get(document.title)
        if isinstance(found, PageMissing):
            results.append(_failed(document, "missing", found.message))
            continue
        if isinstance(found, AuditError) or found is None:
            message = found.message if isinstance(found, AuditError) else "no answer for the page"
            results.append(_failed(document, "error", message))
            continue
        result = check_document(document, client, current=found, warn=warn)
        if result.status == "offline":
            unreachable = result.error
        results.append(result)
    return results
