"""Scheduled CI audits against a local fake wiki: watchlists, request counts, exit codes for
every --fail-on / --baseline combination, environment and config-file settings, `audit diff`."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEED
from tests.conftest import run_audit as audit
from tests.wikiserver import FakeRevision, FakeWiki, register_seed_article

SEED_TITLE = "Russian intervention in the Syrian civil war"


def page_html(title: str, revid: int, sentences: list[str]) -> str:
    """A small but real-shaped Parsoid page: one section, paragraphs, an optional flag."""
    paragraphs = []
    for number, sentence in enumerate(sentences):
        flag = ""
        if sentence.endswith("{cn}"):
            sentence = sentence[:-4]
            flag = (f'<link rel="mw:PageProp/Category" about="#mwt{number}" typeof="mw:Transclusion"'
                    f' data-mw=\'{{"parts":[{{"template":{{"target":{{"wt":"cn","href":'
                    f'"./Template:Citation_needed"}},"params":{{"date":{{"wt":"May 2024"}}}},'
                    f'"i":0}}}}]}}\'/><sup class="noprint Inline-Template Template-Fact" '
                    f'about="#mwt{number}"><span typeof="mw:Entity">[</span><i><a rel="mw:WikiLink" '
                    f'href="./Wikipedia:Citation_needed"><span title="This claim needs references '
                    f'to reliable sources. (May 2024)">citation needed</span></a></i>'
                    f'<span typeof="mw:Entity">]</span></sup>')
        paragraphs.append(f'<p id="mw{number}">{sentence}{flag}</p>')
    return (f'<!DOCTYPE html><html about="https://en.wikipedia.org/wiki/Special:Redirect/revision/'
            f'{revid}"><head><title>{title}</title></head><body class="mw-content-ltr parsoid-body '
            f'mediawiki mw-parser-output"><section data-mw-section-id="0">{"".join(paragraphs)}'
            f"</section></body></html>")


def add_simple_page(wiki: FakeWiki, title: str, revid: int, sentences: list[str],
                    timestamp: str = "2025-01-01T00:00:00Z") -> None:
    wiki.add_page(title, [FakeRevision(revid, timestamp, page_html(title, revid, sentences))])


def report(workdir: Path, out: str = "reports") -> dict[str, Any]:
    return json.loads((workdir / out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture
def wiki():
    with FakeWiki() as server:
        yield server


def test_watchlist_statuses_and_request_counts(tmp_path: Path, wiki: FakeWiki) -> None:
    titles = [f"Page {number}" for number in range(60)]
    for number, title in enumerate(titles):
        add_simple_page(wiki, title, 5000 + number,
                        ["Alpha is a thing.", f"Beta number {number} exists.{{cn}}"])
    wiki.add_redirect("Old name of page 0", "Page 0")
    (tmp_path / "titles.txt").write_text("\n".join(titles[1:]) + "\n# a comment\n\n")
    added = audit(tmp_path, "watch", "add", "--wiki", wiki.url, "--file", "titles.txt",
                  "Old name of page 0", "-", stdin="No such page\n")
    # The missing title is an error value; the others are watched.
    assert added.returncode == 2
    assert "error: No such page" in added.stderr and "Traceback" not in added.stderr
    listed = audit(tmp_path, "watch", "list")
    watched = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert sorted(watched) == sorted(titles)  # the redirect was followed to "Page 0"

    for run in ("cold", "warm"):
        wiki.clear_requests()
        checked = audit(tmp_path, "check", "--wiki", wiki.url)
        assert checked.returncode == 0, checked.stderr
        # Unchanged pages: one metadata request per 50 titles, no content at all.
        assert len(wiki.requests) == math.ceil(len(titles) / 50), (run, wiki.requests)
        assert wiki.count("/w/rest.php") == 0

    # One page edited since: its content, and only its, is fetched — once.
    add_simple_page(wiki, "Page 7", 9999, ["Alpha is a thing.", "Beta number 7 exists."])
    wiki.clear_requests()
    checked = audit(tmp_path, "check", "--wiki", wiki.url)
    assert checked.returncode == 0
    assert wiki.count("/w/rest.php") == 1 and len(wiki.requests) == 2 + 1
    wiki.clear_requests()
    audit(tmp_path, "check", "--wiki", wiki.url)
    assert wiki.count("/w/rest.php") == 0  # revision content is cached forever

    # A page deleted on the wiki is a value in the report, and the run goes on (exit 2).
    wiki.add_redirect("Page 3", "Nowhere at all")
    checked = audit(tmp_path, "check", "--wiki", wiki.url)
    assert checked.returncode == 2
    statuses = {d["title"]: d["status"] for d in report(tmp_path)["documents"]}
    assert statuses["Page 3"] in ("missing", "error")
    assert sum(status == "checked" for status in statuses.values()) == len(titles) - 1


@pytest.fixture
def seed_workdir(tmp_path: Path, wiki: FakeWiki) -> Path:
    register_seed_article(wiki)
    shutil.copy(SEED, tmp_path / "seed.txt")
    assert audit(tmp_path, "extract", "seed.txt").returncode == 0
    return tmp_path


@pytest.mark.parametrize(
    ("fail_on", "code"), [("none", 0), ("new", 1), ("changed", 1), ("any", 1)]
)
def test_exit_codes_follow_fail_on(seed_workdir: Path, wiki: FakeWiki, fail_on: str,
                                   code: int) -> None:
    result = audit(seed_workdir, "check", "--wiki", wiki.url, "--fail-on", fail_on)
    assert result.returncode == code, result.stderr


def test_min_severity_filters(seed_workdir: Path, wiki: FakeWiki) -> None:
    # The new flags since the snapshot: dubious (high), failed verification (high), citation
    # needed, better source needed, when?, unreliable source? — "high" keeps some.
    high = audit(seed_workdir, "check", "--wiki", wiki.url, "--fail-on", "new",
                 "--min-severity", "high", "--format", "csv", "-o", "-")
    assert high.returncode == 1
    severities = {line.split(",")[1] for line in high.stdout.splitlines()[1:] if line}
    assert severities == {"high"}


def test_baseline_then_only_new_findings_fail(seed_workdir: Path, wiki: FakeWiki) -> None:
    made = audit(seed_workdir, "baseline", "--wiki", wiki.url)
    assert made.returncode == 0 and (seed_workdir / "audit-baseline.json").exists()
    for level in ("new", "changed", "any"):
        result = audit(seed_workdir, "check", "--wiki", wiki.url, "--fail-on", level,
                       "--baseline", "audit-baseline.json")
        assert result.returncode == 0, (level, result.stderr)
    # An unrelated edit elsewhere in the article does not break the baseline; a new flag does.
    current = json.loads((Path(__file__).parent / "fixtures" / "seed_current" /
                          "revisions.json").read_text(encoding="utf-8"))
    html = (Path(__file__).parent / "fixtures" / "seed_current" / "current.parsoid.html").read_text(
        encoding="utf-8")
    edited = html.replace("Weapons used included unguided bombs,",
                          "Weapons used included many unguided bombs,").replace(
        "The intervention polarized governments along predictable lines.",
        'The intervention polarized governments along predictable lines.<link rel="mw:PageProp/'
        'Category" about="#mwt99999" typeof="mw:Transclusion" data-mw=\'{"parts":[{"template":'
        '{"target":{"wt":"dubious","href":"./Template:Dubious"},"params":{},"i":0}}]}\'/>'
        '<sup class="noprint Inline-Template" about="#mwt99999">[dubious – discuss]</sup>')
    assert edited != html
    assert current  # the fixture's revision list exists
    wiki.add_page(SEED_TITLE, [FakeRevision(1400000000, "2026-11-24T00:00:00Z", edited)])
    result = audit(seed_workdir, "check", "--wiki", wiki.url, "--fail-on", "new",
                   "--baseline", "audit-baseline.json", "--format", "json")
    assert result.returncode == 1, result.stderr
    env = audit(seed_workdir, "check", "--wiki", wiki.url, "--baseline", "audit-baseline.json",
                env={"AUDIT_FAIL_ON": "new"})
    assert env.returncode == 1
    flag_wins = audit(seed_workdir, "check", "--wiki", wiki.url, "--fail-on", "none",
                      env={"AUDIT_FAIL_ON": "new"})
    assert flag_wins.returncode == 0


def test_config_file_and_precedence(seed_workdir: Path, wiki: FakeWiki) -> None:
    (seed_workdir / "pyproject.toml").write_text(
        '[tool.audit]\nfail_on = "new"\nformat = ["json", "markdown"]\nout = "ci-out"\n')
    from_file = audit(seed_workdir, "check", "--wiki", wiki.url)
    assert from_file.returncode == 1
    assert (seed_workdir / "ci-out" / "report.md").exists()
    env_wins = audit(seed_workdir, "check", "--wiki", wiki.url, env={"AUDIT_FAIL_ON": "none"})
    assert env_wins.returncode == 0
    (seed_workdir / "audit.toml").write_text('fail_on = "sometimes"\n')
    bad = audit(seed_workdir, "check", "--wiki", wiki.url)
    assert bad.returncode == 2 and "error:" in bad.stderr


def test_diff_between_two_runs(seed_workdir: Path, wiki: FakeWiki) -> None:
    offline = audit(seed_workdir, "check", "--offline", "--out", "old")
    assert offline.returncode == 0
    live = audit(seed_workdir, "check", "--wiki", wiki.url, "--out", "new")
    assert live.returncode == 0
    result = audit(seed_workdir, "diff", "old/report.json", "new/report.json", "--fail-on", "new")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("+ [high]") and "dubious" in line for line in lines)
    assert any(line.startswith("- ") for line in lines)
    same = audit(seed_workdir, "diff", "new/report.json", "new/report.json", "--fail-on", "new")
    assert same.returncode == 0 and same.stdout == ""
    broken = audit(seed_workdir, "diff", "seed.txt", "new/report.json")
    assert broken.returncode == 2 and broken.stderr.startswith("error: ")


def test_stdout_output_and_quiet(seed_workdir: Path, wiki: FakeWiki) -> None:
    result = audit(seed_workdir, "check", "--wiki", wiki.url, "--format", "json", "-o", "-", "-q")
    assert result.returncode == 0
    assert json.loads(result.stdout)["schema_version"] == 1
    assert result.stderr == ""
    two = audit(seed_workdir, "check", "--wiki", wiki.url, "--format", "json", "--format", "csv",
                "-o", "-")
    assert two.returncode == 2 and "--out DIR" in two.stderr
