"""`audit scan`: every article of a dump, a folder or a title list → flags, articles, citations.

One pure function, `scan_page`, turns one `PageInput` into plain row tuples (the same reader,
claim splitter and sourcing judge as `audit extract` and `audit check`). Three executors run it
and all yield rows in input order, so their tables are identical:

* serial, in this process (`--jobs 1`);
* a multiprocessing pool (`--jobs N`): this process only reads the input and writes rows;
  workers get page text and send back tuples (cheap to pickle). Reading is throttled to a
  bounded number of pages in flight, so memory stays flat whatever the dump size;
* a Dask cluster (`--dask ADDRESS` or `--dask local`): `dask.bag` over batches of pages,
  a few batches in flight.

`run_scan` streams the rows into `audit.scan.tables` writers and writes `manifest.json` last.
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from audit import __version__
from audit.atomic import write_text_atomic
from audit.catalogue import flag_age_days
from audit.claims import split_claims
from audit.errors import AuditError, InputError
from audit.model import Claim, Document
from audit.scan.dumps import InputFile, PageInput, fetch_titles, plan_inputs
from audit.scan.tables import (
    ARTICLES,
    CITATIONS,
    FLAGS,
    SCHEMA_VERSION,
    TABLES,
    Row,
    Table,
    TableOutputs,
    manifest_columns,
)
from audit.sourcing import judge_claim

#: What `scan_page` returns: the article row, its flag rows, its citation rows.
PageRows = tuple[Row, list[Row], list[Row]]
MANIFEST_NAME = "manifest.json"
_FLAG_TYPE = FLAGS.names.index("flag_type")
_ERROR = ARTICLES.names.index("error")
_GRADE_COLUMNS = {"well-sourced": "well_sourced", "mixed": "mixed",
                  "only-unreliable": "only_unreliable", "uncited": "uncited",
                  "unknown": "sourcing_unknown"}


def _row(table: Table, values: dict[str, Any]) -> Row:
    """A row tuple in the table's column order (a missing or extra name is a bug here)."""
    if len(values) != len(table.columns):
        raise KeyError(sorted(set(values) ^ set(table.names)))
    return tuple(values[name] for name in table.names)


def iso_utc(value: str | None) -> str | None:
    """`YYYY-MM-DDTHH:MM:SSZ` (UTC) of an ISO 8601 timestamp; None when it is not one."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:  # MediaWiki timestamps are UTC even when they do not say so
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _read(page: PageInput) -> Document:
    """The page's Document (raises AuditError when it holds no readable article)."""
    from audit.readers import decode_document, read_text_as

    content = page.content
    if isinstance(content, bytes):
        content = decode_document(content, path=page.source)
    if content is None:
        raise InputError("no content")
    return read_text_as(content, format=page.content_format, title=page.title,
                        source=page.source)


def _fallback_title(source: str) -> str:
    name = Path(source.rsplit(":", 1)[-1]).name
    for suffix in (".gz", ".html", ".htm", ".txt", ".wikitext", ".wiki"):
        name = name.removesuffix(suffix)
    return name.replace("_", " ")


def scan_page(page: PageInput) -> PageRows:
    """Rows of one page; never raises: a page that cannot be read is an article row with
    `error` set (a million-page scan must not stop at one odd page)."""
    document: Document | None = None
    claims: list[Claim] = []
    error = page.error
    if error is None:
        try:
            document = _read(page)
            claims = split_claims(document)
        except AuditError as exc:
            error = exc.message
        except Exception as exc:  # noqa: BLE001 - a reader bug on one page is that page's error
            error = f"internal error: {type(exc).__name__}: {exc}"
            document, claims = None, []
    title = page.title or (document.title if document else None)
    if title is None and document is not None:
        title = _fallback_title(page.source)
    revision_id = page.revision_id or (document.revision if document else None)
    timestamp = iso_utc(page.revision_timestamp or (document.timestamp if document else None))
    page_values = {"wiki": page.wiki, "title": title, "page_id": page.page_id,
                   "revision_id": revision_id, "revision_timestamp": timestamp}

    flag_rows: list[Row] = []
    citation_rows: list[Row] = []
    grades = dict.fromkeys(_GRADE_COLUMNS.values(), 0)
    direct = uncited_claims = flagged = 0
    for index, claim in enumerate(claims):
        sourcing = judge_claim(claim)
        grades[_GRADE_COLUMNS.get(sourcing.grade, "sourcing_unknown")] += 1
        direct += len(claim.citations)
        uncited_claims += claim.uncited
        flagged += bool(claim.flags)
        for flag in claim.flags:
            flag_rows.append(_row(FLAGS, {
                **page_values, "claim_id": claim.id, "claim_index": index,
                "section": claim.section, "claim_kind": claim.kind, "claim_text": claim.text,
                "flag_type": flag.type, "flag_label": flag.label,
                "flag_template": flag.template, "flag_date": flag.date,
                "flag_reason": flag.reason, "flag_age_days": flag_age_days(flag.date, timestamp),
                "claim_cited": bool(claim.citations), "claim_citations": len(claim.citations),
                "sourcing_grade": sourcing.grade,
            }))
        for position, citation in enumerate(claim.supporting):
            reliability = (sourcing.reliabilities[position]
                           if position < len(sourcing.reliabilities) else None)
            citation_rows.append(_row(CITATIONS, {
                "wiki": page.wiki, "title": title, "revision_id": revision_id,
                "claim_id": claim.id, "url": citation.url or citation.archive_url,
                "domain": citation.domain,
                "reliability_status": reliability.status if reliability else "unknown",
                "reliability_category": reliability.category if reliability else None,
                "claim_flagged": bool(claim.flags),
                "via": "follows" if position < len(claim.citations) else "paragraph",
            }))
    banners = document.banners if document else ()
    article = _row(ARTICLES, {
        **page_values, "source": page.source, "input_format": page.input_format,
        "document_format": document.format if document else None,
        "claims": len(claims), "flagged_claims": flagged, "flags": len(flag_rows),
        "citations": direct, "uncited_claims": uncited_claims, **grades,
        "banners": len(banners),
        "banner_types": ";".join(dict.fromkeys(banner.type for banner in banners)),
        "error": error,
    })
    return article, flag_rows, citation_rows


# --- executors -------------------------------------------------------------------------------


def scan_serial(pages: Iterable[PageInput]) -> Generator[PageRows, None, None]:
    """Rows of every page, computed in this process."""
    for page in pages:
        yield scan_page(page)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool and cleans up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _warm_up() -> None:
    """Load the lookup tables before forking, so every worker shares them instead of
    loading its own copy on its first page."""
    from audit.catalogue import lookup_template
    from audit.reliability import classify_url

    lookup_template("citation needed")
    classify_url("https://www.example.org/")


def scan_batch(batch: list[PageInput]) -> list[PageRows]:
    """Rows of a few pages: one pool task, so that stubs travel together and big pages alone."""
    return [scan_page(page) for page in batch]


def scan_pool(pages: Iterable[PageInput], jobs: int, *, batch_chars: int = 100_000,
              batch_pages: int = 32, in_flight: int | None = None,
              ) -> Generator[PageRows, None, None]:
    """Rows of every page from a pool of `jobs` processes, in input order.

    Pages go out in batches of about `batch_chars` characters (at most `batch_pages` pages):
    a fixed count per task would give one worker a run of long articles while the other idles.
    NOTE: `Pool.imap` pulls its input as fast as it can; a semaphore (taken per batch read,
    given back per batch written) keeps at most `in_flight` batches in memory.
    """
    slots = threading.Semaphore(in_flight or jobs * 4)
    stop = threading.Event()
    failure: list[BaseException] = []

    def feed() -> Iterator[list[PageInput]]:
        # Runs in the pool's task thread: a broken input is kept and re-raised in order.
        try:
            for batch in _batches(pages, max_pages=batch_pages, max_chars=batch_chars):
                while not slots.acquire(timeout=0.2):
                    if stop.is_set():
                        return
                if stop.is_set():
                    return
                yield batch
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread below
            failure.append(exc)

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    _warm_up()
    # Objects that exist now are shared with the forked workers; frozen, their garbage
    # collector never writes to them, so those pages stay shared instead of being copied.
    gc.freeze()
    try:
        pool = context.Pool(jobs, initializer=_ignore_interrupts)
    finally:
        gc.unfreeze()
    finished = False
    try:
        for rows in pool.imap(scan_batch, feed()):
            slots.release()
            yield from rows
        if failure:
            raise failure[0]
        finished = True
    finally:
        stop.set()
        if finished:
            pool.close()
        else:
            pool.terminate()
        pool.join()


def _batches(pages: Iterable[PageInput], *, max_pages: int,
             max_chars: int) -> Iterator[list[PageInput]]:
    batch: list[PageInput] = []
    size = 0
    for page in pages:
        batch.append(page)
        size += page.size
        if len(batch) >= max_pages or size >= max_chars:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def scan_dask(pages: Iterable[PageInput], address: str, *, workers: int = 0,
              batch_chars: int = 32_000_000,
              in_flight: int = 2) -> Generator[PageRows, None, None]:
    """Rows of every page from a Dask cluster (`local` starts a LocalCluster), in input order:
    a `dask.bag` per batch of pages, `in_flight` batches computing while the next is read."""
    try:
        import dask.bag as db
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise InputError("--dask needs dask and distributed",
                         hint="pip install 'wiki-audit[cluster]'") from exc
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                   threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        # The connect timeout is Dask's own setting (distributed.comm.timeouts.connect, 30 s;
        # env DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT).
        client = Client(cluster if cluster is not None else address)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise AuditError(f"cannot reach the Dask scheduler at {address}: {exc}",
                         hint="give its address as tcp://HOST:8786, or --dask local") from exc
    try:
        count = max(len(client.scheduler_info().get("workers", {})), 1)
        pending: deque[Any] = deque()
        for batch in _batches(pages, max_pages=max(32, 8 * count), max_chars=batch_chars):
            bag = db.from_sequence(batch, npartitions=min(len(batch), 2 * count))
            pending.append(client.compute(bag.map(scan_page)))
            if len(pending) >= in_flight:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def resolve_jobs(jobs: int) -> int:
    """`--jobs`: 0 means every core this process may use."""
    if jobs < 0:
        raise InputError(f"--jobs {jobs}: give 1 or more, or 0 for all cores")
    if jobs == 0:
        try:
            return len(os.sched_getaffinity(0)) or 1
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1
    return jobs


# --- the run ---------------------------------------------------------------------------------


@dataclass
class ScanSummary:
    """What a scan read and wrote."""

    out_dir: Path
    paths: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    errors: int = 0
    flag_types: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    manifest: dict[str, Any] = field(default_factory=dict)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Progress:
    """A tqdm bar on stderr (bytes read, or titles fetched), with pages and pages/s."""

    def __init__(self, inputs: Sequence[InputFile], enabled: bool) -> None:
        self.inputs = inputs
        self.by_pages = all(item.kind == "titles" for item in inputs)
        self.bar = None
        self.started = time.perf_counter()
        self._last = 0.0
        if enabled:
            from tqdm import tqdm

            total = (sum(int(item.extra.get("titles", 0)) for item in inputs) if self.by_pages
                     else sum(item.size for item in inputs))
            self.bar = tqdm(total=total or None, unit="page" if self.by_pages else "B",
                            unit_scale=not self.by_pages, unit_divisor=1024, file=sys.stderr,
                            desc="audit scan", dynamic_ncols=True, mininterval=0.5)

    def update(self, pages: int, final: bool = False) -> None:
        if self.bar is None:
            return
        now = time.perf_counter()
        if not final and now - self._last < 0.5:
            return
        self._last = now
        position = pages if self.by_pages else sum(item.read for item in self.inputs)
        self.bar.update(max(position - self.bar.n, 0))
        rate = pages / max(now - self.started, 1e-9)
        self.bar.set_postfix_str(f"{pages:,} pages, {rate:.1f} pages/s", refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_scan(
    pages: Iterable[PageInput],
    inputs: Sequence[InputFile],
    *,
    out_dir: str | Path = "scan",
    formats: Sequence[str] = ("parquet", "csv"),
    jobs: int = 1,
    dask: str | None = None,
    progress: bool = False,
    options: dict[str, Any] | None = None,
) -> ScanSummary:
    """Scan every page into the tables under `out_dir`, then write manifest.json.

    Tables are replaced only when the whole scan succeeded; on any error (or Ctrl-C) the
    temporary files are removed and the previous outputs stay as they were.
    """
    from audit.reliability import default_data

    workers = resolve_jobs(jobs)
    started = _now()
    clock = time.perf_counter()
    summary = ScanSummary(Path(out_dir))
    outputs = TableOutputs(out_dir, formats)
    bar = _Progress(inputs, progress)
    rows_iter: Generator[PageRows, None, None]
    if dask:
        rows_iter = scan_dask(pages, dask, workers=workers if jobs else 0)
    elif workers > 1:
        rows_iter = scan_pool(pages, workers)
    else:
        rows_iter = scan_serial(pages)
    try:
        with contextlib.closing(rows_iter):
            for article, flag_rows, citation_rows in rows_iter:
                outputs.write("articles", [article])
                outputs.write("flags", flag_rows)
                outputs.write("citations", citation_rows)
                summary.pages += 1
                summary.errors += article[_ERROR] is not None
                summary.flag_types.update(row[_FLAG_TYPE] for row in flag_rows)
                bar.update(summary.pages)
        bar.update(summary.pages, final=True)
        summary.paths = outputs.commit()
    except BaseException:
        outputs.abort()
        raise
    finally:
        bar.close()
    summary.rows = dict(outputs.rows)
    summary.seconds = time.perf_counter() - clock
    summary.manifest = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "audit", "version": __version__},
        "reliability_data_version": default_data().version,
        "started": started,
        "finished": _now(),
        "seconds": round(summary.seconds, 3),
        "inputs": [item.manifest() for item in inputs],
        "options": {"formats": list(outputs.formats), "jobs": jobs, "dask": dask,
                    **(options or {})},
        "pages": {"read": summary.pages, "errors": summary.errors},
        "tables": {
            table.name: {"rows": outputs.rows[table.name],
                         "files": outputs.files()[table.name],
                         "columns": manifest_columns(table)}
            for table in TABLES
        },
    }
    manifest_path = Path(out_dir) / MANIFEST_NAME
    write_text_atomic(manifest_path, json.dumps(summary.manifest, indent=2,
                                                ensure_ascii=False) + "\n")
    summary.paths.append(manifest_path)
    return summary



def scan_sources(
    inputs: Sequence[str | Path] = (),
    *,
    titles_file: str | None = None,
    stdin: Any = None,
    wiki: str | None = None,
    out_dir: str | Path = "scan",
    formats: Sequence[str] = ("parquet", "csv"),
    namespaces: Sequence[int] = (0,),
    jobs: int = 1,
    dask: str | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    user_agent: str | None = None,
    warn: Callable[[str], None] | None = None,
    progress: bool = False,
) -> ScanSummary:
    """The `audit scan` job: input files (dumps, folders) or a title list → tables."""
    if bool(inputs) == (titles_file is not None):
        raise InputError("give input files or --titles, not both" if inputs
                         else "nothing to scan",
                         hint="audit scan DUMP.xml.bz2 | DUMP.ndjson | DIRECTORY… "
                              "or audit scan --titles FILE")
    options: dict[str, Any] = {"namespaces": list(namespaces), "wiki": wiki}
    if titles_file is None:
        records, pages = plan_inputs(inputs, namespaces=namespaces, wiki=wiki)
        return run_scan(pages, records, out_dir=out_dir, formats=formats, jobs=jobs, dask=dask,
                        progress=progress, options=options)
    with fetch_titles(titles_file, stdin=stdin, wiki=wiki, cache_dir=cache_dir,
                      use_cache=use_cache, user_agent=user_agent, warn=warn) as (record, pages):
        return run_scan(pages, [record], out_dir=out_dir, formats=formats, jobs=jobs, dask=dask,
                        progress=progress, options=options)
