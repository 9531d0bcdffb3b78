"""Source reliability end to end: the seed article's current revision, served by the local fake
wiki, checked with the real command line. Known sources must come out classified right in
report.json and the HTML report, and an editor's override in claims.yaml must be honoured,
shown, and survive re-extraction and `check --update`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from audit.claimsfile import load_claims_file
from audit.reliability import default_data
from tests.conftest import SEED
from tests.conftest import run_audit as audit
from tests.wikiserver import FakeWiki, register_seed_article

BLOG = "jihadwatchsyria.blogspot.com"
OVERRIDE = (
    "    reliability:\n"
    "      domain_overrides:\n"
    f"        {BLOG}: {{status: generally-reliable, note: WP:ABOUTSELF use}}\n"
)


@pytest.fixture
def workdir(tmp_path: Path):
    with FakeWiki() as wiki:
        register_seed_article(wiki)
        shutil.copy(SEED, tmp_path / "seed.txt")
        assert audit(tmp_path, "extract", "seed.txt").returncode == 0
        yield tmp_path, wiki


def _check(workdir: Path, wiki: FakeWiki, *extra: str) -> dict[str, Any]:
    result = audit(workdir, "check", "--wiki", wiki.url, *extra)
    assert result.returncode == 0, result.stderr
    return json.loads((workdir / "reports" / "report.json").read_text(encoding="utf-8"))


def _citations(report: dict[str, Any], needle: str) -> list[tuple[dict, dict]]:
    """(claim, citation) pairs whose citation URL contains `needle`."""
    return [
        (claim, citation)
        for claim in report["documents"][0]["claims"]
        for citation in claim.get("citations", ())
        if needle in (citation.get("url") or "")
    ]


def _add_override(claims_path: Path) -> None:
    """Add the editor's override by hand, the way an editor types it, after `wiki:`."""
    lines = claims_path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("    wiki: "))
    lines.insert(at + 1, OVERRIDE)
    claims_path.write_text("".join(lines), encoding="utf-8")


def test_known_sources_are_classified_in_the_report(workdir) -> None:
    path, wiki = workdir
    report = _check(path, wiki)
    document = report["documents"][0]
    assert document["reliability_data"] == default_data().version

    def statuses(needle: str) -> set[str]:
        return {citation["reliability"]["status"] for _, citation in _citations(report, needle)}

    assert statuses("www.rt.com/") == {"deprecated"}
    assert statuses("sputniknews.com/") == {"deprecated"}
    assert statuses("reuters.com/") == {"generally-reliable"}
    blog = [citation["reliability"] for _, citation in _citations(report, f"{BLOG}/")]
    assert blog and all(rel["category"] == "self-published" for rel in blog)
    assert all(rel["status"] == "generally-unreliable" for rel in blog)
    # Sputnik cited in 2015, before its 2020 deprecation, says so.
    sputnik = [citation["reliability"] for _, citation in _citations(report, "sputniknews.com/")]
    assert any(rel.get("before_change") and rel["since"] == "2020" for rel in sputnik)
    # Every citation with a URL carries a reliability record (status unknown when unlisted).
    with_url = [c for claim in document["claims"] for c in claim.get("citations", ()) if c.get("url")]
    assert with_url and all("status" in c["reliability"] for c in with_url)
    # A claim cited only to the blog, with no flag, is listed as weak sourcing.
    blog_claims = [claim for claim, _ in _citations(report, f"{BLOG}/")]
    assert any(claim["grade"] == "only-unreliable" and claim["weak_sourcing"]
               for claim in blog_claims)
    mix = document["source_mix"]
    assert mix["deprecated"] >= 2 and mix["generally-reliable"] > mix["generally-unreliable"]


def test_override_is_honoured_shown_and_survives_reruns(workdir) -> None:
    path, wiki = workdir
    claims_path = path / "claims.yaml"
    _add_override(claims_path)

    for round_ in range(3):
        report = _check(path, wiki, *(["--update"] if round_ == 1 else []))
        blog = _citations(report, f"{BLOG}/")
        assert blog, f"round {round_}: the blog citation vanished"
        for claim, citation in blog:
            reliability = citation["reliability"]
            assert reliability["status"] == "generally-reliable", round_
            assert reliability["overridden"] == "generally-unreliable"  # what the lists say
            assert "ABOUTSELF" in reliability["note"]
            assert not claim["weak_sourcing"]
        # Other blogspot blogs are not covered by this blog's override.
        others = [c for _, c in _citations(report, "blogspot.com/") if BLOG not in c["url"]]
        assert all(c["reliability"]["status"] != "generally-reliable" for c in others)
        html = (path / "reports" / "report.html").read_text(encoding="utf-8")
        assert "ABOUTSELF" in BeautifulSoup(html, "lxml").get_text()
        if round_ == 0:
            assert audit(path, "extract", "seed.txt").returncode == 0  # re-extract onto it
        overrides = load_claims_file(claims_path).documents[0].overrides.domains
        assert BLOG in overrides, f"round {round_}: override lost from claims.yaml"
    # The hand-written line is still there as the editor typed it.
    assert OVERRIDE.strip() in claims_path.read_text(encoding="utf-8")


def test_data_version_is_printed_in_every_report(workdir) -> None:
    path, wiki = workdir
    version = default_data().version
    result = audit(path, "check", "--wiki", wiki.url, "--format", "html", "--format", "json",
                   "--format", "markdown", "--format", "sarif", "--format", "junit")
    assert result.returncode == 0, result.stderr
    for name in ("report.html", "report.json", "report.md", "report.sarif", "report.junit.xml"):
        assert version in (path / "reports" / name).read_text(encoding="utf-8"), name
