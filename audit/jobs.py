"""One function per subcommand: what a Python user calls, and what the CLI is a shell over.

Each job takes plain arguments, does its I/O at the edges (read the document or claims.yaml,
talk to the wiki through one `WikiClient` per wiki, write files atomically at the end) and
returns a record the caller can print or test. `audit scan` is the exception: its job is
`audit.scan.run.scan_sources`, called directly, so that this module's imports (the checker's
scipy among them) are not copied into every worker process.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit import __version__
from audit.atomic import write_text_atomic
from audit.cache import RevisionCache, default_cache_dir
from audit.check import check_documents
from audit.ci import Finding, failing, findings_of, load_baseline, select
from audit.claims import split_claims
from audit.claimsfile import (
    MergeReport,
    Snapshot,
    Triage,
    editing_claims_file,
    read_claims_documents,
    remove_documents,
    set_triage,
    upsert_document,
)
from audit.errors import AuditError, InputError
from audit.model import Claim, Document, DocumentCheck, Revision
from audit.readers import read_document
from audit.report import build_report_data, utc_now
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
    report: dict[str, Any]
    """The report.json data."""
    requests: int
    """HTTP requests sent to wikis (retries included); 0 offline or with a warm cache."""
    content_downloads: int = 0
    """Revision HTML bodies fetched from the network (not from the cache)."""


#: File names of each output format inside the output directory.
OUTPUT_NAMES = {"html": "report.html", "json": "report.json", "markdown": "report.md",
                "junit": "report.junit.xml", "sarif": "report.sarif", "csv": "report.csv"}


@dataclass(frozen=True)
class Outputs:
    """What was written, and the CI verdict over the findings."""

    paths: tuple[Path, ...]
    findings: tuple[Finding, ...]
    """Findings after the baseline and severity filters."""
    failing: tuple[Finding, ...]
    """The findings that fail the job at the chosen `--fail-on` level."""
    stdout: str | None = None
    """The one output written to stdout (`-o -`), if any."""


def write_outputs(
    checks: Sequence[DocumentCheck],
    report: dict[str, Any],
    *,
    formats: Sequence[str] = ("html", "json"),
    out_dir: str | Path = "reports",
    output: str | None = None,
    baseline: str | Path | None = None,
    min_severity: str = "low",
    fail_on: str = "none",
) -> Outputs:
    """Render every requested format in memory, then write each atomically (or to stdout)."""
    from audit.report import render_html

    known = frozenset(load_baseline(baseline)) if baseline else frozenset()
    found = select(findings_of(report), baseline=known, min_severity=min_severity)
    failed = failing(found, fail_on)
    rendered: dict[str, str] = {}
    for name in dict.fromkeys(formats):
        if name == "html":
            rendered[name] = render_html(checks, generated=report["generated"],
                                         tool_version=report["tool_version"])
        elif name == "json":
            rendered[name] = json.dumps(report, sort_keys=True, ensure_ascii=False,
                                        indent=2) + "\n"
        elif name in OUTPUT_NAMES:
            from audit.formats import render as render_format

            rendered[name] = render_format(name, report, found, failed,
                                           tool_version=report["tool_version"])
        else:
            raise InputError(f"unknown output format {name!r}",
                             hint="choose from " + ", ".join(OUTPUT_NAMES))
    if output is not None and len(rendered) > 1:
        raise InputError("-o/--output takes one format; give --out DIR for several")
    if output == "-":
        return Outputs((), tuple(found), tuple(failed), next(iter(rendered.values())))
    paths = []
    for name, text in rendered.items():
        path = Path(output) if output is not None else Path(out_dir) / OUTPUT_NAMES[name]
        write_text_atomic(path, text)
        paths.append(path)
    return Outputs(tuple(paths), tuple(found), tuple(failed))


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
    wiki: str | None = None,
    offline: bool = False,
    cache: CacheSettings | None = None,
    user_agent: str | None = None,
    warn: Warn | None = None,
    update: bool = False,
) -> CheckResult:
    """Check every document of claims.yaml against its wiki (`write_outputs` writes reports).

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
    checks: list[DocumentCheck] = []
    try:
        by_wiki: dict[str, list[int]] = {}
        for index, document in enumerate(documents):
            by_wiki.setdefault(wiki or document.wiki, []).append(index)
        results: dict[int, DocumentCheck] = {}
        for base, indexes in by_wiki.items():
            client = None
            if not offline:
                clients[base] = client = WikiClient(
                    base, cache=revision_cache, user_agent=user_agent, on_warning=warn
                )
            group = check_documents([documents[i] for i in indexes], client, offline=offline,
                                    warn=warn)
            results.update(zip(indexes, group))
        checks = [results[index] for index in range(len(documents))]
    finally:
        if revision_cache is not None:
            revision_cache.close()
    report = build_report_data(checks, generated=utc_now(), tool_version=__version__)
    if update:
        advance_snapshots(claims_path, checks)
    requests = sum(client.stats.requests for client in clients.values())
    downloads = sum(client.stats.content_downloads for client in clients.values())
    return CheckResult(tuple(checks), report, requests, downloads)


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


@dataclass(frozen=True)
class WatchResult:
    """Articles `audit watch add` added (title, revision, claims) and those it could not."""

    added: tuple[tuple[str, int, int], ...]
    failed: tuple[tuple[str, str], ...]


def read_titles(values: Sequence[str], *, file: str | None = None,
                stdin: Any = None) -> list[str]:
    """Titles from the command line, a file (one per line) or stdin (`-`); blanks and #comments
    skipped, order kept, duplicates dropped."""
    titles: list[str] = []
    lines: list[str] = []
    for value in values:
        if value == "-":
            lines.extend((stdin.read() if stdin is not None else "").splitlines())
        else:
            titles.append(value)
    if file:
        try:
            lines.extend(Path(file).read_text(encoding="utf-8").splitlines())
        except OSError as exc:
            raise InputError(f"cannot read titles: {exc.strerror or exc}", path=file) from exc
    titles.extend(line.strip() for line in lines
                  if line.strip() and not line.lstrip().startswith("#"))
    return list(dict.fromkeys(title.strip() for title in titles if title.strip()))


def watch_add(
    titles: Sequence[str],
    *,
    claims_path: str | Path = "claims.yaml",
    wiki: str = DEFAULT_WIKI,
    cache: CacheSettings | None = None,
    user_agent: str | None = None,
    warn: Warn | None = None,
) -> WatchResult:
    """Add live articles to claims.yaml: each one's current revision becomes its snapshot."""
    from audit.readers import read_text_as

    if not titles:
        raise InputError("no titles given", hint="audit watch add TITLE… (or --file F, or - )")
    settings = cache or CacheSettings()
    revision_cache = (RevisionCache.open(settings.directory or default_cache_dir(),
                                         on_warning=warn)
                      if settings.enabled else RevisionCache.disabled())
    added: list[tuple[str, int, str, tuple[Claim, ...], Document]] = []
    failed: list[tuple[str, str]] = []
    try:
        client = WikiClient(wiki, cache=revision_cache, user_agent=user_agent, on_warning=warn)
        latest = client.latest_revisions(list(titles), fresh=True)
        for title in titles:
            found = latest.get(title)
            if not isinstance(found, Revision):
                failed.append((title, found.message if found is not None else "no answer"))
                continue
            try:
                html = client.revision_html(found.revid)
                document = read_text_as(html, format="parsoid", title=found.title,
                                        source=f"revision {found.revid}")
            except AuditError as exc:
                failed.append((title, exc.message))
                continue
            added.append((found.title, found.revid, found.timestamp,
                          tuple(split_claims(document)), document))
    finally:
        revision_cache.close()
    with editing_claims_file(Path(claims_path), create=True) as claims_file:
        for title, revid, timestamp, claims, document in added:
            upsert_document(claims_file, title=title, wiki=wiki,
                            snapshot=Snapshot(timestamp, revid, f"revision {revid}"),
                            claims=claims, banners=document.banners)
    return WatchResult(
        tuple((title, revid, len(claims)) for title, revid, _, claims, _ in added),
        tuple(failed),
    )


def watch_remove(titles: Sequence[str], *, claims_path: str | Path = "claims.yaml") -> list[str]:
    """Stop watching articles: their documents leave claims.yaml."""
    with editing_claims_file(Path(claims_path)) as claims_file:
        return remove_documents(claims_file, titles)


@dataclass(frozen=True)
class StatsResult:
    """What `audit stats` computed, from which scan directories, and where the page went."""

    stats: Any
    """The `audit.stats.aggregate.Stats` record."""
    scans: tuple[Any, ...]
    """The `audit.stats.inputs.ScanDirectory` records read, in the order given."""
    html: Path | None


def stats(
    directories: Sequence[str | Path],
    *,
    top: int = 20,
    html: str | Path | None = None,
) -> StatsResult:
    """Aggregate `audit scan` output directories into one set of statistics (`audit stats`);
    with `html`, also write the stats page there (atomically, after everything was read)."""
    # Imported here: pyarrow is only needed by this command.
    from audit.report.stats_view import render_stats_html
    from audit.stats.aggregate import ScanTables, aggregate
    from audit.stats.inputs import open_scan, read_batches

    if not directories:
        raise InputError("no scan directory given", hint="audit stats DIR [DIR...] (from "
                                                         "`audit scan --out DIR`)")
    seen: set[Path] = set()
    for directory in directories:
        resolved = Path(directory).resolve()
        if resolved in seen:
            raise InputError("scan directory given twice (its articles would count double)",
                             path=str(directory))
        seen.add(resolved)
    # Every directory is checked (manifest, tables, columns) before any is aggregated.
    scans = tuple(open_scan(directory) for directory in directories)

    def tables(scan: Any) -> ScanTables:
        history = scan.table("flag_history")
        return ScanTables(
            flags=read_batches(scan.required("flags")),
            articles=read_batches(scan.required("articles")),
            citations=read_batches(scan.required("citations")),
            history=read_batches(history) if history is not None else None,
        )

    result = aggregate((tables(scan) for scan in scans), top=top)
    path = None
    if html is not None:
        path = Path(html)
        write_text_atomic(path, render_stats_html(result, scans))
    return StatsResult(result, scans, path)


@dataclass(frozen=True)
class HistoryPageSummary:
    """One page `audit history` traced: counts for the summary (the rows went to the table)."""

    title: str
    revisions: int
    blank: int
    hidden: int
    unreadable: int
    reverts_undone: int
    flag_types: dict[str, int]
    outcomes: dict[str, int]


@dataclass(frozen=True)
class HistoryResult:
    """What `audit history` read and wrote."""

    pages: tuple[HistoryPageSummary, ...]
    paths: tuple[Path, ...]
    rows: int
    texts_read: int
    """Distinct revision texts read (identical texts, i.e. reverts, are read once)."""
    paragraphs_read: int
    """Flagged paragraphs parsed (the rest came from memory)."""
    full_reads: int
    """Whole revisions parsed (to judge how a flag ended)."""


def history(
    dump: str | Path,
    *,
    title: str | None = None,
    out_dir: str | Path = "reports",
    formats: Sequence[str] | str = ("parquet", "csv"),
    all_namespaces: bool = False,
    progress: Callable[[int], None] | None = None,
) -> HistoryResult:
    """Trace every inline flag through a pages-meta-history dump and write the flag_history
    table (`audit history`); `progress` is told the compressed bytes read so far."""
    from collections import Counter

    from audit.history.dump import read_dump
    from audit.history.revision_flags import FlagReader
    from audit.history.table import TABLE_NAME, PageRef, flag_rows, open_outputs, parse_formats
    from audit.history.trace import trace_flags

    chosen = parse_formats(formats)
    reader = FlagReader()
    pages: list[HistoryPageSummary] = []
    # Rows stream to temporary files page by page; they replace the old table only at the end.
    outputs = open_outputs(out_dir, chosen)
    try:
        for page in read_dump(dump, title=title,
                              namespaces=None if all_namespaces else frozenset({0}),
                              progress=progress):
            lives, counts = trace_flags(page.revisions, reader=reader)
            outputs.write(TABLE_NAME, flag_rows(PageRef(page.wiki, page.title, page.page_id),
                                                lives))
            pages.append(HistoryPageSummary(
                page.title, counts.revisions, counts.blank, counts.hidden, counts.unreadable,
                counts.reverts_undone, dict(Counter(life.flag_type for life in lives)),
                dict(Counter(life.outcome for life in lives))))
        if not pages:
            raise InputError(
                f"no page titled {title!r} in the dump" if title else "the dump holds no article",
                path=str(dump),
                hint="titles are case-sensitive after the first letter" if title
                else "pass --title, or --all-namespaces for talk and user pages")
        paths = outputs.commit()
    except BaseException:
        outputs.abort()
        raise
    rows = outputs.rows[TABLE_NAME]
    return HistoryResult(tuple(pages), tuple(paths), rows, reader.texts_read,
                         reader.paragraphs_read, reader.full_reads)


def blame(
    title: str,
    *,
    wiki: str = DEFAULT_WIKI,
    since: str | None = None,
    cache: CacheSettings | None = None,
    user_agent: str | None = None,
    warn: Warn | None = None,
    now: Any = None,
) -> Any:
    """Find who added each flag of a live article (and who removed those gone since
    `since`); returns the `audit.history.blame.BlameResult`. Revision texts are cached forever."""
    from audit.history.blame import blame as blame_article

    settings = cache or CacheSettings()
    revision_cache = (RevisionCache.open(settings.directory or default_cache_dir(),
                                         on_warning=warn)
                      if settings.enabled else RevisionCache.disabled())
    try:
        with WikiClient(wiki, cache=revision_cache, user_agent=user_agent,
                        on_warning=warn) as client:
            return blame_article(client, title, since=since, now=now)
    finally:
        revision_cache.close()
