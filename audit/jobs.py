"""One function per subcommand: what a Python user calls, and what the CLI is a shell over.

Each job takes plain arguments, does its I/O at the edges (read the document or claims.yaml,
talk to the wiki through one `WikiClient` per wiki, write files atomically at the end) and
returns a record the caller can print or test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from audit.cache import RevisionCache, default_cache_dir
from audit.check import check_documents
from audit.claims import split_claims
from audit.claimsfile import (
    MergeReport,
    Snapshot,
    Triage,
    editing_claims_file,
    read_claims_documents,
    set_triage,
    upsert_document,
)
from audit.errors import InputError
from audit.model import Claim, Document, DocumentCheck
from audit.readers import read_document
from audit.report import ReportPaths, write_reports
from audit.wiki import DEFAULT_WIKI, WikiClient

Warn = Callable[[str], None]


@dataclass(frozen=True)
class ExtractResult:
    """What `audit extract` read and wrote."""

    document: Document
    claims: tuple[Claim, ...]
    merge: MergeReport
    claims_path: Path


@dataclass(frozen=True)
class CheckResult:
    """What `audit check` found and where the reports went."""

    checks: tuple[DocumentCheck, ...]
    reports: ReportPaths
    requests: int
    """HTTP requests sent to wikis (retries included); 0 offline or with a warm cache."""


@dataclass(frozen=True)
class CacheSettings:
    """Where revision content is cached; `enabled=False` for `--no-cache`."""

    directory: Path | None = None
    enabled: bool = True


def extract(
    document_path: str | Path,
    *,
    claims_path: str | Path = "claims.yaml",
    title: str | None = None,
    wiki: str = DEFAULT_WIKI,
    format: str = "auto",
) -> ExtractResult:
    """Read an article, split it into claims and write them to claims.yaml, keeping triage."""
    document = read_document(document_path, format=format, title=title)
    if not document.title:
        raise InputError(
            "cannot tell the article's title from the document",
            path=str(document_path),
            hint="pass --title 'Article title'",
        )
    claims = tuple(split_claims(document))
    path = Path(claims_path)
    # Under the lock: load (a malformed claims.yaml stops the run and stays untouched),
    # merge keeping triage, save atomically.
    with editing_claims_file(path, create=True) as claims_file:
        merge = upsert_document(
            claims_file,
            title=document.title,
            wiki=wiki,
            snapshot=Snapshot(document.timestamp, document.revision, document.source),
            claims=claims,
            banners=document.banners,
        )
    return ExtractResult(document, claims, merge, path)


@dataclass(frozen=True)
class TriageResult:
    """Which claim `audit triage` changed."""

    title: str
    claim_id: str
    triage: Triage
    flag: tuple[str, int] | None


def triage(
    claim_id: str,
    *,
    claims_path: str | Path = "claims.yaml",
    status: str,
    note: str | None = None,
    by: str | None = None,
    flag: tuple[str, int] | None = None,
    title: str | None = None,
    today: str | None = None,
) -> TriageResult:
    """Record an editor's triage of a claim or of one of its flags in claims.yaml."""
    from datetime import datetime, timezone

    updated = today or datetime.now(timezone.utc).strftime("%Y-%m-%d")
    with editing_claims_file(Path(claims_path)) as claims_file:
        old = None
        if flag is None:
            old = next(
                (
                    doc.triage.get(claim_id)
                    for doc in claims_file.documents
                    if claim_id in doc.triage
                ),
                None,
            )
        value = Triage(status, note if note is not None else (old.note if old else ""), by, updated)
        found_title, found_id = set_triage(claims_file, claim_id, value, flag=flag, title=title)
    return TriageResult(found_title, found_id, value, flag)


def check(
    claims_path: str | Path = "claims.yaml",
    *,
    out_dir: str | Path = "reports",
    wiki: str | None = None,
    offline: bool = False,
    cache: CacheSettings | None = None,
    user_agent: str | None = None,
    warn: Warn | None = None,
    update: bool = False,
) -> CheckResult:
    """Check every document of claims.yaml against its wiki and write the HTML + JSON report.

    `wiki` overrides the wiki of every document (e.g. a mirror or a local test server). With
    `update`, each checked document's current revision becomes its new snapshot in
    claims.yaml (triage kept), after the report is written.
    """
    documents = read_claims_documents(Path(claims_path))
    if not documents:
        raise InputError(
            "claims file has no documents",
            path=str(claims_path),
            hint="run `audit extract DOCUMENT` first",
        )
    clients: dict[str, WikiClient] = {}
    revision_cache = None
    if not offline:
        settings = cache or CacheSettings()
        revision_cache = (
            RevisionCache.open(settings.directory or default_cache_dir(), on_warning=warn)
            if settings.enabled
            else RevisionCache.disabled()
        )
    checks = []
    try:
        for document in documents:
            base = wiki or document.wiki
            client = None
            if not offline:
                if base not in clients:
                    clients[base] = WikiClient(
                        base, cache=revision_cache, user_agent=user_agent, on_warning=warn
                    )
                client = clients[base]
            checks.extend(check_documents([document], client, offline=offline, warn=warn))
            if checks[-1].status == "offline" and not offline:
                offline = True  # the wiki is down: do not wait on it for every document
    finally:
        if revision_cache is not None:
            revision_cache.close()
    reports = write_reports(checks, Path(out_dir))
    if update:
        advance_snapshots(claims_path, checks)
    requests = sum(client.stats.requests for client in clients.values())
    return CheckResult(tuple(checks), reports, requests)


def advance_snapshots(claims_path: str | Path, checks: list[DocumentCheck]) -> int:
    """Make each checked document's current revision its snapshot (`check --update`)."""
    updated = 0
    with editing_claims_file(Path(claims_path)) as claims_file:
        for item in checks:
            if item.status != "checked" or item.current is None:
                continue
            upsert_document(
                claims_file,
                title=item.title,
                wiki=item.wiki,
                snapshot=Snapshot(
                    item.current.timestamp, item.current.revid, f"revision {item.current.revid}"
                ),
                claims=item.current_claims,
                banners=item.current_banners,
                # The check knows which snapshot claim each current claim is.
                lineage={
                    claim.match.current.id: claim.match.snapshot.id
                    for claim in item.claims
                    if claim.match.current is not None and claim.match.snapshot is not None
                },
            )
            updated += 1
    return updated
