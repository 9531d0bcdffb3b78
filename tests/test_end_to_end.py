"""The real CLI, in a real process, against a fake wiki on 127.0.0.1 serving the seed article's
realistic current revision (tests/fixtures/seed_current/), with 503, 429 and maxlag on the way.

Golden: tests/fixtures/seed_current/golden-report.json (volatile fields scrubbed). Regenerate
with `AUDIT_REGEN_GOLDEN=1 pytest tests/test_end_to_end.py` after checking the change is right.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from audit.claims import normalize_text
from tests.conftest import FIXTURES, SEED
from tests.conftest import run_audit as audit
from tests.wikiserver import FakeWiki, register_seed_article

EXPECTED = json.loads((FIXTURES / "seed_current" / "expected.json").read_text(encoding="utf-8"))
GOLDEN = FIXTURES / "seed_current" / "golden-report.json"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Extract the seed, then check it twice (cold, warm) against the fake wiki."""
    workdir = tmp_path_factory.mktemp("e2e")
    shutil.copy(SEED, workdir / "seed.txt")
    with FakeWiki() as wiki:
        register_seed_article(wiki)
        extract = audit(workdir, "extract", "seed.txt")
        wiki.fail_next("503", 2)
        wiki.fail_next("429", retry_after=1)
        wiki.fail_next("maxlag", retry_after=1)
        env = {"AUDIT_CACHE_DIR": str(workdir / "cache")}
        cold = audit(workdir, "check", "--wiki", wiki.url, env=env)
        cold_requests = list(wiki.requests)
        report = json.loads((workdir / "reports" / "report.json").read_text(encoding="utf-8"))
        wiki.clear_requests()
        warm = audit(workdir, "check", "--wiki", wiki.url, env=env)
        warm_requests = list(wiki.requests)
    return {
        "workdir": workdir,
        "extract": extract,
        "cold": cold,
        "warm": warm,
        "report": report,
        "cold_requests": cold_requests,
        "warm_requests": warm_requests,
    }


def test_commands_succeed(run: dict[str, Any]) -> None:
    assert run["extract"].returncode == 0, run["extract"].stderr
    assert "13 flags on 12 claims" in run["extract"].stderr
    assert run["cold"].returncode == 0, run["cold"].stderr
    assert run["warm"].returncode == 0, run["warm"].stderr
    assert "1 article checked" in run["cold"].stderr
    assert "Traceback" not in run["cold"].stderr + run["warm"].stderr


def test_failures_were_retried_and_every_request_identified(run: dict[str, Any]) -> None:
    requests = run["cold_requests"]
    statuses = [request for request in requests if request.path.startswith("/w/api.php")]
    # 2 x 503, 1 x 429 and 1 x maxlag were injected before the successful replies.
    assert len(requests) >= 4 + 3
    assert all(r.headers.get("User-Agent", "").startswith("audit/") for r in requests)
    assert all(r.query.get("maxlag") == "5" for r in statuses)
    assert all("gzip" in r.headers.get("Accept-Encoding", "") for r in requests)


def test_warm_cache_downloads_no_revision_content(run: dict[str, Any]) -> None:
    cold_html = [r for r in run["cold_requests"] if "/rest.php/v1/revision/" in r.path]
    warm_html = [r for r in run["warm_requests"] if "/rest.php/v1/revision/" in r.path]
    assert len(cold_html) >= 1
    assert warm_html == []


def _claims_by_snapshot_text(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    document = report["documents"][0]
    return {
        normalize_text(claim["text"]): claim
        for claim in document["claims"]
        if claim["status"] != "added"
    }


def test_every_edited_claim_has_the_expected_status(run: dict[str, Any]) -> None:
    claims = _claims_by_snapshot_text(run["report"])
    problems = []
    for expected in EXPECTED["claims"]:
        claim = claims.get(normalize_text(expected["snapshot_text"]))
        if claim is None:
            problems.append(f"{expected['id']}: not in report")
            continue
        got = (
            claim["status"],
            claim["moved"],
            [
                (flag["type"], flag["status"], flag["cited"])
                for flag in claim["flags"]
                if flag["status"] != "new"
            ],
        )
        want = (
            expected["status"],
            expected["moved"],
            [(flag["type"], flag["status"], flag["cited"]) for flag in expected["flags"]],
        )
        if got != want:
            problems.append(f"{expected['id']}: got {got}, want {want}")
        still_there = expected.get("current_text") and claim["status"] != "removed"
        if still_there and normalize_text(claim["current_text"]) != normalize_text(
            expected["current_text"]
        ):
            problems.append(f"{expected['id']}: current text {claim['current_text']!r}")
    assert problems == []


def test_new_flags(run: dict[str, Any]) -> None:
    document = run["report"]["documents"][0]
    claims = _claims_by_snapshot_text(run["report"])
    for expected in EXPECTED["new_flags_on_existing"]:
        claim = claims[normalize_text(expected["snapshot_text"])]
        assert (expected["type"], "new") in [(f["type"], f["status"]) for f in claim["flags"]]
    added = {
        normalize_text(claim["current_text"]): claim
        for claim in document["claims"]
        if claim["status"] == "added"
    }
    for expected in EXPECTED["added"]:
        claim = added.get(normalize_text(expected["current_text"]))
        assert claim is not None, expected["current_text"]
        assert [(f["type"], f["status"]) for f in claim["flags"]] == [
            (flag["type"], "new") for flag in expected["flags"]
        ]


def test_report_header(run: dict[str, Any]) -> None:
    document = run["report"]["documents"][0]
    assert document["status"] == "checked"
    assert document["snapshot"] == {
        "timestamp": "2023-12-25T01:18:00Z",
        "revision": EXPECTED["snapshot"]["revid"],
    }
    assert document["current"]["revision"] == EXPECTED["current"]["revid"]
    assert (
        f"diff={EXPECTED['current']['revid']}&oldid={EXPECTED['snapshot']['revid']}"
        in (document["current"]["diff_url"])
    )


def _scrub(report: dict[str, Any], base_url: str) -> dict[str, Any]:
    text = json.dumps(report, ensure_ascii=False, sort_keys=True)
    text = text.replace(base_url, "http://WIKI")
    scrubbed = json.loads(text)
    scrubbed["generated"] = "GENERATED"
    scrubbed["tool_version"] = "VERSION"
    return scrubbed


def test_golden_report(run: dict[str, Any]) -> None:
    report = run["report"]
    base_url = report["documents"][0]["wiki"]
    scrubbed = _scrub(report, base_url)
    if os.environ.get("AUDIT_REGEN_GOLDEN"):
        GOLDEN.write_text(
            json.dumps(scrubbed, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert scrubbed == golden


def test_unknown_page_is_an_error_value_and_exit_2(tmp_path: Path) -> None:
    """A title the wiki does not know: report written (status missing), exit 2, one error line."""
    shutil.copy(SEED, tmp_path / "seed.txt")
    with FakeWiki() as wiki:
        extract = audit(tmp_path, "extract", "seed.txt", "--title", "No such article here")
        assert extract.returncode == 0, extract.stderr
        result = audit(tmp_path, "check", "--wiki", wiki.url, "--no-cache")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "No such article here" in errors[0]
    assert "Traceback" not in result.stderr
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    assert report["documents"][0]["status"] == "missing"
