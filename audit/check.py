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
from audit.model import DocumentCheck, Revision
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
    document: ClaimsDocument, client: WikiClient, *, warn: Warn | None = None
) -> DocumentCheck:
    """Compare a document's snapshot claims with the article's current revision."""
    try:
        current: Revision = client.latest_revision(document.title)
        snapshot_id = snapshot_revision(document, client)
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
    current_claims = split_claims(current_document)
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
        banners=compare_banners(document.banners, current_document.banners),
        reliability_data=default_data().version,
        triage=document.triage,
        flag_triage=document.flag_triage,
        current_claims=tuple(current_claims),
        current_banners=current_document.banners,
    )


def check_documents(
    documents: Sequence[ClaimsDocument],
    client: WikiClient | None,
    *,
    offline: bool = False,
    warn: Warn | None = None,
) -> list[DocumentCheck]:
    """Check every document; once the wiki proves unreachable, the rest go offline too."""
    results: list[DocumentCheck] = []
    unreachable: str | None = "--offline given" if offline or client is None else None
    for document in documents:
        if unreachable is not None:
            results.append(offline_check(document, reason=unreachable))
            continue
        assert client is not None
        result = check_document(document, client, warn=warn)
        if result.status == "offline":
            unreachable = result.error
        results.append(result)
    return results
