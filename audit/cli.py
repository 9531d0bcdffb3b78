"""Command line: parse arguments, build objects, call one job per subcommand, map errors.

stdout carries results, stderr carries people-talk (summary, warnings, errors). Every option
a CI job would set has an `AUDIT_*` environment twin; the command line wins over it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from audit import __version__
from audit.errors import AuditError
from audit.wiki import DEFAULT_WIKI

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

READ_FORMATS = ("auto", "text", "html", "parsoid", "wikitext")


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_flag(name: str) -> bool:
    return (_env(name) or "").strip().lower() in ("1", "true", "yes", "on")


class _Console:
    """Where people-talk goes: stderr, silenced by -q."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._warned: set[str] = set()

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr)

    def warn(self, message: str) -> None:
        # Warnings are printed even with -q: they say something went wrong. Once each.
        if message in self._warned:
            return
        self._warned.add(message)
        text = message if message.startswith("warning:") else f"warning: {message}"
        print(text, file=sys.stderr)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=_env_flag("AUDIT_QUIET"),
        help="no summary on stderr (warnings and errors still shown)",
    )


def _add_check_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "claims",
        nargs="?",
        default=_env("AUDIT_CLAIMS", "claims.yaml"),
        help="claims file (default: claims.yaml; env AUDIT_CLAIMS)",
    )
    parser.add_argument(
        "--wiki",
        default=_env("AUDIT_WIKI"),
        help="wiki base URL for every document, overriding the one recorded "
        "in claims.yaml (env AUDIT_WIKI)",
    )
    parser.add_argument(
        "--out",
        default=_env("AUDIT_OUT", "reports"),
        help="directory for report.html and report.json (default: reports; env AUDIT_OUT)",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        default=_env_flag("AUDIT_OFFLINE"),
        help="do not contact the wiki; report from the snapshot alone (env AUDIT_OFFLINE=1)",
    )
    parser.add_argument(
        "--cache-dir",
        default=_env("AUDIT_CACHE_DIR"),
        help="where fetched revisions are cached (default: the per-user cache "
        "directory; env AUDIT_CACHE_DIR)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        default=_env_flag("AUDIT_NO_CACHE"),
        help="neither read nor write the cache (env AUDIT_NO_CACHE=1)",
    )
    parser.add_argument(
        "--user-agent",
        default=_env("AUDIT_USER_AGENT"),
        help="User-Agent for wiki requests; include your contact (env AUDIT_USER_AGENT)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="audit",
        description="Audit the sourcing of a Wikipedia article: extract its claims and inline "
        "flags, compare them with the live article, and report what is weak or "
        "changed.",
    )
    parser.add_argument("--version", action="version", version=f"audit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    extract = commands.add_parser(
        "extract",
        help="split an article copy into claims and write claims.yaml",
        description="Read an article (plain-text copy, saved HTML, Parsoid HTML or wikitext), "
        "split it into claims with their flags and citations, and write them to "
        "claims.yaml. Editors' triage in an existing claims.yaml is kept.",
    )
    extract.add_argument("document", help="the article file")
    extract.add_argument(
        "-o",
        "--output",
        default=_env("AUDIT_CLAIMS", "claims.yaml"),
        help="claims file to write (default: claims.yaml; env AUDIT_CLAIMS)",
    )
    extract.add_argument("--title", help="article title (default: read from the document)")
    extract.add_argument(
        "--wiki",
        default=_env("AUDIT_WIKI", DEFAULT_WIKI),
        help=f"wiki the article lives on (default: {DEFAULT_WIKI}; env AUDIT_WIKI)",
    )
    extract.add_argument(
        "--format", choices=READ_FORMATS, default="auto", help="input format (default: auto-detect)"
    )
    _add_common(extract)
    extract.set_defaults(handler=_run_extract)

    check = commands.add_parser(
        "check",
        help="compare claims.yaml with the live article and write the report",
        description="Fetch the current revision of every article in the claims file, match "
        "its claims with the snapshot's, and write reports/report.html and "
        "reports/report.json.",
    )
    _add_check_options(check)
    _add_common(check)
    check.set_defaults(handler=_run_check)

    run = commands.add_parser(
        "run",
        help="the main job: (re-)extract if asked, then check and report",
        description="The main job. With --document, first (re-)extract that article into the "
        "claims file (keeping triage); then check every document and write the "
        "report.",
    )
    _add_check_options(run)
    run.add_argument("--document", help="article file to (re-)extract into the claims file first")
    run.add_argument("--title", help="article title for --document")
    run.add_argument(
        "--format", choices=READ_FORMATS, default="auto", help="input format of --document"
    )
    _add_common(run)
    run.set_defaults(handler=_run_run)

    triage = commands.add_parser(
        "triage",
        help="record an editor's verdict on a claim or one of its flags",
        description="Set the triage of a claim (or of one flag of it) in the claims file: "
        "status, note, who and when. Comments and everything else in the file stay "
        "as they are; the triage survives every later extract and check.",
    )
    triage.add_argument(
        "claim_id", help="claim id from claims.yaml or the report (a unique prefix is enough)"
    )
    triage.add_argument(
        "claims",
        nargs="?",
        default=_env("AUDIT_CLAIMS", "claims.yaml"),
        help="claims file (default: claims.yaml; env AUDIT_CLAIMS)",
    )
    triage.add_argument(
        "--status", required=True, choices=("open", "fixed", "waived", "false-positive", "assigned")
    )
    triage.add_argument("--note", help="why (e.g. 'WP:ABOUTSELF'); default: keep the old note")
    triage.add_argument(
        "--by", default=_env("AUDIT_TRIAGE_BY"), help="who decided (env AUDIT_TRIAGE_BY)"
    )
    triage.add_argument(
        "--flag",
        metavar="TYPE[:N]",
        help="triage one flag of the claim instead, e.g. citation-needed or "
        "citation-needed:2 for the second one",
    )
    triage.add_argument("--title", help="the article, when the id is in several")
    _add_common(triage)
    triage.set_defaults(handler=_run_triage)
    return parser


def _run_extract(args: argparse.Namespace, console: _Console) -> int:
    from audit.jobs import extract

    result = extract(
        args.document, claims_path=args.output, title=args.title, wiki=args.wiki, format=args.format
    )
    flagged = sum(1 for claim in result.claims if claim.flags)
    flags = sum(len(claim.flags) for claim in result.claims)
    console.say(
        f"audit: extracted {len(result.claims)} claims ({flags} flags on {flagged} claims) "
        f"from {args.document} [{result.document.format}] → {result.claims_path}"
    )
    if result.merge.kept_by_id or result.merge.kept_by_text or result.merge.orphaned:
        console.say(
            f"audit: triage kept for {result.merge.kept_by_id + result.merge.kept_by_text} claims"
            f", {result.merge.orphaned} moved to orphaned"
        )
    if not result.document.timestamp and result.document.revision is None:
        console.warn(
            "the document does not say when it was copied; `check` will only compare "
            "it with the current revision"
        )
    return EXIT_OK


def _run_check(args: argparse.Namespace, console: _Console) -> int:
    from audit.jobs import CacheSettings, check
    from audit.report import summary_line

    cache = CacheSettings(Path(args.cache_dir) if args.cache_dir else None, not args.no_cache)
    result = check(
        args.claims,
        out_dir=args.out,
        wiki=args.wiki,
        offline=args.offline,
        cache=cache,
        user_agent=args.user_agent,
        warn=console.warn,
    )
    if any(item.status == "offline" for item in result.checks) and not args.offline:
        console.warn(
            "the wiki could not be reached; the report is from the snapshot alone (status: offline)"
        )
    console.say(summary_line(result.checks))
    console.say(f"audit: wrote {result.reports.html} and {result.reports.json}")
    failed = [item for item in result.checks if item.status in ("missing", "error")]
    for item in failed:
        print(f"error: {item.title}: {item.error}", file=sys.stderr)
    return EXIT_ERROR if failed else EXIT_OK


def _run_run(args: argparse.Namespace, console: _Console) -> int:
    if args.document:
        from audit.jobs import extract

        extract(
            args.document,
            claims_path=args.claims,
            title=args.title,
            wiki=args.wiki or _env("AUDIT_WIKI", DEFAULT_WIKI) or DEFAULT_WIKI,
            format=args.format,
        )
    return _run_check(args, console)


def _run_triage(args: argparse.Namespace, console: _Console) -> int:
    from audit.errors import InputError
    from audit.jobs import triage

    flag = None
    if args.flag:
        flag_type, _, number = args.flag.partition(":")
        if number and not number.isdigit():
            raise InputError(f"--flag {args.flag!r}: the part after ':' must be a number")
        flag = (flag_type, int(number or 1))
    result = triage(
        args.claim_id,
        claims_path=args.claims,
        status=args.status,
        note=args.note,
        by=args.by,
        flag=flag,
        title=args.title,
    )
    what = f"flag {flag[0]} of claim {result.claim_id}" if flag else f"claim {result.claim_id}"
    console.say(
        f"audit: {what} ({result.title}) → {result.triage.status}"
        + (f": {result.triage.note}" if result.triage.note else "")
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `audit` and `python -m audit`; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    console = _Console(args.quiet)
    try:
        return int(args.handler(args, console))
    except AuditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
