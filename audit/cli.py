"""Command line: parse arguments, build objects, call one job per subcommand, map errors.

stdout carries results (`-o -`, `audit diff`), stderr carries people-talk (summary, warnings,
errors). Every option a CI job sets has an `AUDIT_*` environment twin and a config-file key
(`[tool.audit]` in pyproject.toml, or audit.toml): flag > environment > file > default.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from audit import __version__
from audit.ci import FAIL_ON, SEVERITIES
from audit.config import setting
from audit.errors import AuditError
from audit.wiki import DEFAULT_WIKI

EXIT_OK = 0
"""Nothing to report at the chosen --fail-on level."""
EXIT_FINDINGS = 1
"""Findings at the chosen --fail-on level (never with the default --fail-on none)."""
EXIT_ERROR = 2
"""Bad input, a page that could not be checked, or an internal error."""

READ_FORMATS = ("auto", "text", "html", "parsoid", "wikitext")
OUTPUT_FORMATS = ("html", "json", "markdown", "junit", "sarif", "csv")


class _Console:
    """Where people-talk goes: stderr, silenced by -q (warnings and errors always shown)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._warned: set[str] = set()

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr)

    def warn(self, message: str) -> None:
        if message in self._warned:
            return
        self._warned.add(message)
        print(message if message.startswith("warning:") else f"warning: {message}",
              file=sys.stderr)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", default=setting("quiet", False),
                        help="no summary on stderr (warnings and errors still shown; "
                             "env AUDIT_QUIET)")


def _add_claims(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("claims", nargs="?", default=setting("claims", "claims.yaml"),
                        help="claims file (default: claims.yaml; env AUDIT_CLAIMS)")


def _add_wiki_access(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", default=setting("cache_dir"),
                        help="where fetched revisions are cached (default: the per-user cache "
                             "directory; env AUDIT_CACHE_DIR)")
    parser.add_argument("--no-cache", action="store_true", default=setting("no_cache", False),
                        help="neither read nor write the cache (env AUDIT_NO_CACHE=1)")
    parser.add_argument("--user-agent", default=setting("user_agent"),
                        help="User-Agent for wiki requests; include your contact "
                             "(env AUDIT_USER_AGENT)")


def _add_check_options(parser: argparse.ArgumentParser) -> None:
    _add_claims(parser)
    parser.add_argument("--wiki", default=setting("wiki"),
                        help="wiki base URL for every document, overriding the one recorded "
                             "in claims.yaml (env AUDIT_WIKI)")
    parser.add_argument("--offline", action="store_true", default=setting("offline", False),
                        help="do not contact the wiki; report from the snapshot alone "
                             "(env AUDIT_OFFLINE=1)")
    _add_wiki_access(parser)
    parser.add_argument("--update", action="store_true", default=setting("update", False),
                        help="after checking, make each article's current revision its new "
                             "snapshot in the claims file (triage kept; env AUDIT_UPDATE=1)")
    ci = parser.add_argument_group("CI")
    ci.add_argument("--fail-on", choices=FAIL_ON, default=setting("fail_on", "none", FAIL_ON),
                    help="exit 1 when there are findings: new (since the snapshot or "
                         "baseline), changed (also rewordings of flagged claims, flags dropped "
                         "without a citation), any (every open flag); default none "
                         "(env AUDIT_FAIL_ON)")
    ci.add_argument("--min-severity", choices=SEVERITIES,
                    default=setting("min_severity", "low", SEVERITIES),
                    help="ignore findings below this severity (env AUDIT_MIN_SEVERITY)")
    ci.add_argument("--baseline", default=setting("baseline"),
                    help="report only findings not in this baseline file (from `audit "
                         "baseline`; env AUDIT_BASELINE)")
    ci.add_argument("--format", dest="formats", action="append", choices=OUTPUT_FORMATS,
                    help="output format, repeatable: html, json, markdown, junit, sarif, csv "
                         "(default: html and json; env AUDIT_FORMAT=html,sarif)")
    ci.add_argument("--out", default=setting("out", "reports"),
                    help="directory for the outputs (default: reports; env AUDIT_OUT)")
    ci.add_argument("-o", "--output", metavar="PATH",
                    help="write the (single) format to PATH instead; '-' for stdout")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="audit",
        description="Audit the sourcing of a Wikipedia article: extract its claims and inline "
                    "flags, compare them with the live article, and report what is weak or "
                    "changed.",
        epilog="Exit codes: 0 nothing to report, 1 findings (with --fail-on), 2 error.",
    )
    parser.add_argument("--version", action="version", version=f"audit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    extract = commands.add_parser(
        "extract", help="split an article copy into claims and write claims.yaml",
        description="Read an article (plain-text copy, saved HTML, Parsoid HTML or wikitext), "
                    "split it into claims with their flags and citations, and write them to "
                    "claims.yaml. Editors' triage in an existing claims.yaml is kept.")
    extract.add_argument("document", help="the article file")
    extract.add_argument("-o", "--output", default=setting("claims", "claims.yaml"),
                         help="claims file to write (default: claims.yaml; env AUDIT_CLAIMS)")
    extract.add_argument("--title", help="article title (default: read from the document)")
    extract.add_argument("--wiki", default=setting("wiki", DEFAULT_WIKI),
                         help=f"wiki the article lives on (default: {DEFAULT_WIKI}; "
                              "env AUDIT_WIKI)")
    extract.add_argument("--format", choices=READ_FORMATS, default="auto",
                         help="input format (default: auto-detect)")
    _add_common(extract)
    extract.set_defaults(handler=_run_extract)

    check = commands.add_parser(
        "check", help="compare claims.yaml with the live articles and write the report",
        description="Fetch the current revision of every article in the claims file (one "
                    "request per 50 articles; content only for articles edited since their "
                    "snapshot), match claims and flags, and write the outputs.")
    _add_check_options(check)
    _add_common(check)
    check.set_defaults(handler=_run_check)

    run = commands.add_parser(
        "run", help="the main job: (re-)extract if asked, then check and report",
        description="The main job. With --document, first (re-)extract that article into the "
                    "claims file (keeping triage); then check every document and write the "
                    "report.")
    _add_check_options(run)
    run.add_argument("--document", help="article file to (re-)extract into the claims file first")
    run.add_argument("--title", help="article title for --document")
    run.add_argument("--read-format", choices=READ_FORMATS, default="auto",
                     help="input format of --document")
    _add_common(run)
    run.set_defaults(handler=_run_run)

    baseline = commands.add_parser(
        "baseline", help="record today's findings, so CI fails only on what comes later",
        description="Check every document and write its findings to a baseline file; later "
                    "runs with --baseline report only findings not in it (matched by "
                    "article, claim text and flag type, not by position).")
    _add_check_options(baseline)
    baseline.add_argument("--baseline-file", default="audit-baseline.json",
                          help="where to write it (default: audit-baseline.json)")
    _add_common(baseline)
    baseline.set_defaults(handler=_run_baseline)

    diff = commands.add_parser(
        "diff", help="what changed between two runs (two report.json files)",
        description="Print the findings that appeared and went away between two report.json "
                    "files.")
    diff.add_argument("old", help="the earlier report.json")
    diff.add_argument("new", help="the later report.json")
    diff.add_argument("--fail-on", choices=FAIL_ON, default=setting("fail_on", "none", FAIL_ON),
                      help="exit 1 if findings appeared at this level (env AUDIT_FAIL_ON)")
    _add_common(diff)
    diff.set_defaults(handler=_run_diff)

    watch = commands.add_parser(
        "watch", help="a watchlist of live articles in claims.yaml",
        description="Keep a list of live articles in the claims file: `watch add` takes each "
                    "article's current revision as its snapshot; `audit check` checks them all.")
    watch_commands = watch.add_subparsers(dest="watch_command", metavar="ACTION", required=True)
    add = watch_commands.add_parser("add", help="add articles (titles, --file, or - for stdin)")
    add.add_argument("titles", nargs="*", help="article titles; '-' reads them from stdin")
    add.add_argument("--file", help="a file with one title per line")
    add.add_argument("--claims", default=setting("claims", "claims.yaml"),
                     help="claims file (default: claims.yaml; env AUDIT_CLAIMS)")
    add.add_argument("--wiki", default=setting("wiki", DEFAULT_WIKI),
                     help=f"the wiki (default: {DEFAULT_WIKI}; env AUDIT_WIKI)")
    _add_wiki_access(add)
    _add_common(add)
    add.set_defaults(handler=_run_watch_add)
    listing = watch_commands.add_parser("list", help="the watched articles")
    listing.add_argument("--claims", default=setting("claims", "claims.yaml"))
    _add_common(listing)
    listing.set_defaults(handler=_run_watch_list)
    drop = watch_commands.add_parser("remove", help="stop watching articles")
    drop.add_argument("titles", nargs="+")
    drop.add_argument("--claims", default=setting("claims", "claims.yaml"))
    _add_common(drop)
    drop.set_defaults(handler=_run_watch_remove)

    triage = commands.add_parser(
        "triage", help="record an editor's verdict on a claim or one of its flags",
        description="Set the triage of a claim (or of one flag of it) in the claims file: "
                    "status, note, who and when. Comments and everything else in the file stay "
                    "as they are; the triage survives every later extract and check.")
    triage.add_argument("claim_id", help="claim id from claims.yaml or the report (a unique "
                                         "prefix is enough)")
    _add_claims(triage)
    triage.add_argument("--status", required=True,
                        choices=("open", "fixed", "waived", "false-positive", "assigned"))
    triage.add_argument("--note", help="why (e.g. 'WP:ABOUTSELF'); default: keep the old note")
    triage.add_argument("--by", default=setting("triage_by"),
                        help="who decided (env AUDIT_TRIAGE_BY)")
    triage.add_argument("--flag", metavar="TYPE[:N]",
                        help="triage one flag of the claim instead, e.g. citation-needed or "
                             "citation-needed:2 for the second one")
    triage.add_argument("--title", help="the article, when the id is in several")
    _add_common(triage)
    triage.set_defaults(handler=_run_triage)
    _add_scan(commands)
    _add_stats(commands)
    _add_history(commands)
    _add_blame(commands)
    return parser


def _add_history(commands: Any) -> None:
    """`audit history`: every flag's life over a history dump, for researchers."""
    history = commands.add_parser(
        "history", help="trace every inline flag through a pages-meta-history dump",
        description="Stream a MediaWiki pages-meta-history dump (.xml, .bz2, .gz, .xz, .lzma) "
                    "and follow every inline flag from the revision that added it to the one "
                    "that resolved or removed it: by whom, with what summary, whether a "
                    "citation came with it, the outcome (cited, reworded, deleted, removed, "
                    "open) and its lifetime. Reverted blankings and vandalism do not end a "
                    "flag. Writes the flag_history table (Parquet and/or CSV) to --out.")
    history.add_argument("dump", help="the history dump file")
    history.add_argument("--title", help="only this page (default: every article in the dump)")
    history.add_argument("--out", default=setting("out", "reports"), metavar="DIR",
                         help="output directory (default: reports; env AUDIT_OUT)")
    history.add_argument("--format", default="parquet,csv", metavar="parquet,csv",
                         help="table formats, comma-separated (default: parquet,csv)")
    history.add_argument("--all-namespaces", action="store_true",
                         help="also trace talk, user and other non-article pages")
    _add_common(history)
    history.set_defaults(handler=_run_history)


def _add_blame(commands: Any) -> None:
    """`audit blame`: who added each flag of a live article."""
    blame = commands.add_parser(
        "blame", help="who added each flag of a live article (and who removed the others)",
        description="List the article's revision history, then find the revision that added "
                    "each inline flag of its current revision by bisection (about log2 of the "
                    "history in revision texts per flag, fetched 50 to a request and cached "
                    "forever): who, when, with what summary, and the flag's age. With --since, "
                    "also the flags of that revision that are gone now: who removed them and "
                    "how (cited, reworded, deleted, removed).")
    blame.add_argument("title", help="the article title")
    blame.add_argument("--wiki", default=setting("wiki", DEFAULT_WIKI),
                       help=f"the wiki (default: {DEFAULT_WIKI}; env AUDIT_WIKI)")
    blame.add_argument("--since", metavar="REV|DATE",
                       help="also report the flags of this revision (id, or the last revision "
                            "by a date such as 2024-01-31) that are gone now")
    blame.add_argument("--format", choices=("text", "json"), default="text",
                       help="stdout format (default: text)")
    _add_wiki_access(blame)
    _add_common(blame)
    blame.set_defaults(handler=_run_blame)


def _add_scan(commands: Any) -> None:
    """`audit scan`: many articles at once, for researchers."""
    scan = commands.add_parser(
        "scan", help="audit every article of a dump, a folder or a title list into tables",
        description="Read every article of MediaWiki XML dumps (.xml, .bz2, .gz, .lzma, .xz), "
                    "Wikimedia Enterprise HTML dumps (.ndjson, .ndjson.gz, .tar.gz), folders "
                    "of saved pages, or a title list fetched from the wiki, and write the "
                    "tables flags, articles and citations (Parquet and/or CSV) plus "
                    "manifest.json to --out. Streams: memory stays flat whatever the size. "
                    "A page that cannot be read is a row with an error, not a stop.")
    scan.add_argument("inputs", nargs="*", metavar="INPUT",
                      help="dump files or directories of saved pages")
    scan.add_argument("--titles", metavar="FILE",
                      help="fetch the current revision of these titles from --wiki instead "
                           "(one per line, # comments; '-' reads stdin)")
    scan.add_argument("--wiki", default=setting("wiki"),
                      help=f"wiki for --titles (default: {DEFAULT_WIKI}); for saved pages, "
                           "the wiki they come from (env AUDIT_WIKI)")
    _add_wiki_access(scan)
    scan.add_argument("--out", default="scan", metavar="DIR",
                      help="output directory (default: scan)")
    scan.add_argument("--format", default="parquet,csv", metavar="parquet,csv",
                      help="table formats, comma-separated (default: parquet,csv)")
    scan.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                      help="worker processes (default 1; 0 = every core)")
    scan.add_argument("--dask", metavar="ADDRESS",
                      help="run on a Dask cluster: its scheduler address (tcp://host:8786), "
                           "or 'local' to start one here with --jobs workers")
    scan.add_argument("--namespace", type=int, action="append", metavar="N",
                      help="namespace ids to read from dumps, repeatable (default: 0, "
                           "articles)")
    _add_common(scan)
    scan.set_defaults(handler=_run_scan)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return number


def _add_stats(commands: Any) -> None:
    """`audit stats`: aggregates over `audit scan` tables, for researchers."""
    stats = commands.add_parser(
        "stats", help="aggregate scan tables: flag rates, ages, outcomes, sourcing, domains",
        description="Read the tables `audit scan --out DIR` wrote (Parquet or CSV; several "
                    "directories are combined) and print flags per 1,000 claims by type, "
                    "flag ages, resolution outcomes (from flag_history, when present), "
                    "sourcing grades, the most cited unreliable domains, banners and failed "
                    "pages; also write them as an HTML page. Tables are read in batches, so "
                    "memory stays modest for millions of rows.")
    stats.add_argument("directories", nargs="+", metavar="DIR",
                       help="scan output directories (with manifest.json)")
    stats.add_argument("--format", choices=("text", "json"), default="text",
                       help="stdout format: aligned text tables (default) or JSON "
                            "(schema_version 1)")
    stats.add_argument("-o", "--output", metavar="PATH",
                       help="write the text or JSON to PATH instead of stdout")
    stats.add_argument("--html", metavar="PATH", default="reports/stats.html",
                       help="where to write the HTML page (default: reports/stats.html)")
    stats.add_argument("--no-html", action="store_true", help="do not write the HTML page")
    stats.add_argument("--top", type=_positive, default=20, metavar="N",
                       help="how many unreliable domains to list (default: 20)")
    _add_common(stats)
    stats.set_defaults(handler=_run_stats)


def _cache(args: argparse.Namespace) -> Any:
    from audit.jobs import CacheSettings

    return CacheSettings(Path(args.cache_dir) if args.cache_dir else None, not args.no_cache)


def _run_extract(args: argparse.Namespace, console: _Console) -> int:
    from audit.jobs import extract

    result = extract(args.document, claims_path=args.output, title=args.title, wiki=args.wiki,
                     format=args.format)
    flagged = sum(1 for claim in result.claims if claim.flags)
    flags = sum(len(claim.flags) for claim in result.claims)
    console.say(
        f"audit: extracted {len(result.claims)} claims ({flags} flags on {flagged} claims) "
        f"from {args.document} [{result.document.format}] → {result.claims_path}"
    )
    if result.merge.kept_by_id or result.merge.kept_by_text or result.merge.orphaned:
        kept = result.merge.kept_by_id + result.merge.kept_by_text + result.merge.kept_by_fuzzy
        console.say(f"audit: triage kept for {kept} claims, {result.merge.orphaned} moved to "
                    "orphaned")
    if not result.document.timestamp and result.document.revision is None:
        console.warn("the document does not say when it was copied; `check` will only compare "
                     "it with the current revision")
    return EXIT_OK


def _check(args: argparse.Namespace, console: _Console) -> Any:
    from audit.jobs import check

    warnings: list[str] = []

    def warn(message: str) -> None:
        warnings.append(message)
        console.warn(message)

    result = check(args.claims, wiki=args.wiki, offline=args.offline, cache=_cache(args),
                   user_agent=args.user_agent, warn=warn, update=args.update)
    went_offline = any(item.status == "offline" for item in result.checks)
    if went_offline and not args.offline and not any("offline" in text for text in warnings):
        console.warn("the wiki could not be reached; the report is from the snapshot alone "
                     "(status: offline)")
    return result


def _run_check(args: argparse.Namespace, console: _Console) -> int:
    from audit.jobs import write_outputs
    from audit.report import summary_line

    result = _check(args, console)
    formats = args.formats or setting("format", ["html", "json"], OUTPUT_FORMATS)
    outputs = write_outputs(result.checks, result.report, formats=formats, out_dir=args.out,
                            output=args.output, baseline=args.baseline,
                            min_severity=args.min_severity, fail_on=args.fail_on)
    if outputs.stdout is not None:
        sys.stdout.write(outputs.stdout)
    console.say(summary_line(result.checks))
    if outputs.paths:
        console.say("audit: wrote " + ", ".join(str(path) for path in outputs.paths))
    if args.fail_on != "none" or args.baseline:
        console.say(f"audit: {len(outputs.findings)} findings, {len(outputs.failing)} failing "
                    f"at --fail-on {args.fail_on}"
                    + (f" (baseline {args.baseline})" if args.baseline else ""))
    failed = [item for item in result.checks if item.status in ("missing", "error")]
    for item in failed:
        print(f"error: {item.title}: {item.error}", file=sys.stderr)
    if failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if outputs.failing else EXIT_OK


def _run_run(args: argparse.Namespace, console: _Console) -> int:
    if args.document:
        from audit.jobs import extract

        extract(args.document, claims_path=args.claims, title=args.title,
                wiki=args.wiki or setting("wiki", DEFAULT_WIKI), format=args.read_format)
    return _run_check(args, console)


def _run_baseline(args: argparse.Namespace, console: _Console) -> int:
    from audit.ci import findings_of, select, write_baseline

    result = _check(args, console)
    found = select(findings_of(result.report), min_severity=args.min_severity)
    write_baseline(args.baseline_file, found, generated=result.report["generated"])
    console.say(f"audit: baseline of {len(found)} findings → {args.baseline_file}")
    failed = [item for item in result.checks if item.status in ("missing", "error")]
    for item in failed:
        print(f"error: {item.title}: {item.error}", file=sys.stderr)
    return EXIT_ERROR if failed else EXIT_OK


def _run_diff(args: argparse.Namespace, console: _Console) -> int:
    from audit.ci import diff_reports, failing, load_json

    old = load_json(args.old, "report.json")
    new = load_json(args.new, "report.json")
    changes = diff_reports(old, new)
    for sign, items in (("+", changes.appeared), ("-", changes.disappeared)):
        for finding in items:
            where = " › ".join(part for part in (finding.title, finding.section) if part)
            text = (finding.text or "")[:120]
            print(f"{sign} [{finding.severity}] {where}: {finding.message}"
                  + (f" — {text}" if text else ""))
    console.say(f"audit: {len(changes.appeared)} findings appeared, "
                f"{len(changes.disappeared)} went away, {changes.still} unchanged")
    return EXIT_FINDINGS if failing(changes.appeared, args.fail_on) else EXIT_OK


def _run_watch_add(args: argparse.Namespace, console: _Console) -> int:
    from audit.jobs import read_titles, watch_add

    titles = read_titles(args.titles, file=args.file, stdin=sys.stdin)
    result = watch_add(titles, claims_path=args.claims, wiki=args.wiki, cache=_cache(args),
                       user_agent=args.user_agent, warn=console.warn)
    for title, revid, count in result.added:
        console.say(f"audit: watching {title} (revision {revid}, {count} claims)")
    for title, reason in result.failed:
        print(f"error: {title}: {reason}", file=sys.stderr)
    return EXIT_ERROR if result.failed else EXIT_OK


def _run_watch_list(args: argparse.Namespace, console: _Console) -> int:
    from audit.claimsfile import read_claims_documents

    for document in read_claims_documents(args.claims):
        revision = document.snapshot.revision
        print(f"{document.title}\t{document.wiki}\t"
              f"{revision if revision is not None else document.snapshot.timestamp or '-'}")
    return EXIT_OK


def _run_watch_remove(args: argparse.Namespace, console: _Console) -> int:
    from audit.jobs import watch_remove

    removed = watch_remove(args.titles, claims_path=args.claims)
    for title in removed:
        console.say(f"audit: no longer watching {title}")
    missing = set(args.titles) - set(removed)
    for title in sorted(missing):
        print(f"error: {title}: not in {args.claims}", file=sys.stderr)
    return EXIT_ERROR if missing else EXIT_OK


def _run_triage(args: argparse.Namespace, console: _Console) -> int:
    from audit.errors import InputError
    from audit.jobs import triage

    flag = None
    if args.flag:
        flag_type, _, number = args.flag.partition(":")
        if number and not number.isdigit():
            raise InputError(f"--flag {args.flag!r}: the part after ':' must be a number")
        flag = (flag_type, int(number or 1))
    result = triage(args.claim_id, claims_path=args.claims, status=args.status, note=args.note,
                    by=args.by, flag=flag, title=args.title)
    what = f"flag {flag[0]} of claim {result.claim_id}" if flag else f"claim {result.claim_id}"
    console.say(f"audit: {what} ({result.title}) → {result.triage.status}"
                + (f": {result.triage.note}" if result.triage.note else ""))
    return EXIT_OK


def _run_scan(args: argparse.Namespace, console: _Console) -> int:
    # NOTE: not through audit.jobs (whose check/report imports, scipy among them, cost 45 MB
    # and would be copied into every worker); `scan_sources` is the same call for Python.
    from audit.scan.run import scan_sources

    formats = [name.strip() for name in args.format.split(",") if name.strip()]
    summary = scan_sources(
        args.inputs, titles_file=args.titles, stdin=sys.stdin, wiki=args.wiki,
        out_dir=args.out, formats=formats, namespaces=args.namespace or [0], jobs=args.jobs,
        dask=args.dask, cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        use_cache=not args.no_cache, user_agent=args.user_agent, warn=console.warn,
        progress=sys.stderr.isatty() and not args.quiet)
    from audit.report.stats_output import plural  # after the scan: workers stay small

    rate = summary.pages / summary.seconds if summary.seconds else 0.0
    cited = summary.flag_types.get("citation-needed", 0)
    console.say(f"audit: scanned {plural(summary.pages, 'article')} in {summary.seconds:.1f} s "
                f"({rate:.1f}/s): {summary.rows['flags']:,} flags ({cited:,} citation "
                f"needed), {summary.rows['citations']:,} citations → {summary.out_dir}/ "
                f"({', '.join(summary.manifest['options']['formats'])})")
    if summary.errors:
        console.warn(f"{plural(summary.errors, 'page')} could not be read; see the error "
                     "column of "
                     f"{summary.out_dir}/articles.*")
    return EXIT_OK


def _run_stats(args: argparse.Namespace, console: _Console) -> int:
    from audit.atomic import write_text_atomic
    from audit.jobs import stats
    from audit.report.stats_output import (
        reliability_versions,
        render_stats_json,
        render_stats_text,
    )

    result = stats(args.directories, top=args.top, html=None if args.no_html else args.html)
    render = render_stats_json if args.format == "json" else render_stats_text
    text = render(result.stats, result.scans)
    if args.output and args.output != "-":
        write_text_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    versions = reliability_versions(result.scans)
    if len(versions) > 1:
        console.warn("the scans were rated with different reliability data ("
                     + ", ".join(versions) + "); domain verdicts may differ between them")
    totals = result.stats.totals
    written = [path for path in (args.output if args.output != "-" else None, result.html)
               if path]
    console.say(f"audit: statistics over {totals.articles:,} articles from "
                f"{totals.directories} scan director{'y' if totals.directories == 1 else 'ies'}"
                + (" → " + ", ".join(str(path) for path in written) if written else ""))
    return EXIT_OK


def _run_history(args: argparse.Namespace, console: _Console) -> int:
    from audit.history.dump import file_size
    from audit.jobs import history
    from audit.report.stats_output import plural

    bar = None
    if sys.stderr.isatty() and not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=file_size(args.dump), unit="B", unit_scale=True, unit_divisor=1024,
                   desc=Path(args.dump).name, file=sys.stderr, leave=False)

    def advance(position: int) -> None:
        if bar is not None:
            bar.update(position - bar.n)

    try:
        result = history(args.dump, title=args.title, out_dir=args.out, formats=args.format,
                         all_namespaces=args.all_namespaces, progress=advance)
    finally:
        if bar is not None:
            bar.close()
    for page in result.pages:
        flags = sum(page.flag_types.values())
        types = ", ".join(f"{name} {count:,}" for name, count in
                          sorted(page.flag_types.items(), key=lambda item: (-item[1], item[0])))
        outcomes = ", ".join(f"{page.outcomes.get(name, 0):,} {name}"
                             for name in ("cited", "reworded", "deleted", "removed", "open"))
        console.say(f"audit: {page.title}: {plural(page.revisions, 'revision')} "
                    f"({page.blank:,} blank, "
                    f"{page.hidden:,} hidden) → {flags:,} flags"
                    + (f" ({types})" if types else "") + f": {outcomes}; "
                    f"{page.reverts_undone:,} drops undone as reverts")
        if page.unreadable:
            console.warn(f"{page.title}: {page.unreadable:,} revisions could not be read; "
                         "their flags were taken as unchanged")
    console.say(f"audit: {result.rows:,} rows → " + ", ".join(str(p) for p in result.paths))
    return EXIT_OK


def _run_blame(args: argparse.Namespace, console: _Console) -> int:
    import json

    from audit.history.blame import blame_json, blame_text
    from audit.jobs import blame

    result = blame(args.title, wiki=args.wiki, since=args.since, cache=_cache(args),
                   user_agent=args.user_agent, warn=console.warn)
    if args.format == "json":
        sys.stdout.write(json.dumps(blame_json(result, args.wiki), ensure_ascii=False,
                                    indent=2) + "\n")
    else:
        sys.stdout.write(blame_text(result))
    most = max((origin.probes for origin in result.origins), default=0)
    console.say(f"audit: {result.title}: {result.revisions:,} revisions "
                f"({result.revisions - result.searched:,} reverted, empty or hidden skipped); "
                f"{len(result.origins)} flags traced with {result.texts:,} revision texts in "
                f"{result.content_requests:,} requests (at most {most} per flag)"
                + (f"; {len(result.removals)} removed since {result.since.revid}"
                   if result.since is not None else ""))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `audit` and `python -m audit`; returns the exit code."""
    try:
        parser = build_parser()  # reads the config file: its errors are user errors too
        args = parser.parse_args(argv)
        console = _Console(args.quiet)
        return int(args.handler(args, console))
    except AuditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
