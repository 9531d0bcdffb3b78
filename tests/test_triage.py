"""Editors' triage lasts: by hand or with `audit triage`, through repeated extracts and checks
(also of a claim reworded or removed in between), and through concurrent runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from audit.claimsfile import load_claims_file
from audit.jobs import CacheSettings, check, extract, triage, write_outputs
from tests.conftest import SEED
from tests.wikiserver import FakeWiki, register_seed_article

REWORDED = "On 21 December, the longest offensive of the year since Russian forces got involved"
REMOVED = "On 2 March 2017, the city of Palmyra was captured."
BELARUS = "Belarus, also a member of the CSTO, supports the Russian military intervention"
BAGHDAD = "At the end of September, a joint information centre in Baghdad"


def _claim(path: Path, prefix: str) -> dict | None:
    # libyaml: the test reads the file many times; ruamel's pure-Python parser made it slow.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for document in yaml.load(path.read_text(encoding="utf-8"), Loader=loader)["documents"]:
        for claim in document["claims"]:
            if claim["text"].startswith(prefix):
                return claim
        for orphan in document.get("orphaned") or ():
            if orphan["text"].startswith(prefix):
                return {**orphan, "orphaned": True}
    return None


def _id(path: Path, prefix: str) -> str:
    claim = _claim(path, prefix)
    assert claim is not None, prefix
    return claim["id"]


def _edit_by_hand(path: Path, prefix: str, note: str) -> None:
    """What an editor does in a text editor: change a triage line, add a comment."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.strip().startswith("text:") and prefix in line:
            for look in range(index, index + 12):
                if lines[look].strip().startswith("triage:"):
                    indent = lines[look][: len(lines[look]) - len(lines[look].lstrip())]
                    lines[look] = f"{indent}triage: {{status: assigned, note: '{note}', by: Bob}}\n"
                    lines.insert(look, f"{indent}# Bob: asked on the talk page\n")
                    path.write_text("".join(lines), encoding="utf-8")
                    return
    raise AssertionError(f"claim not found: {prefix}")


@pytest.fixture
def wiki():
    with FakeWiki() as server:
        register_seed_article(server)
        yield server


def test_triage_survives_ten_extract_and_check_rounds(tmp_path: Path, wiki: FakeWiki) -> None:
    claims = tmp_path / "claims.yaml"
    extract(SEED, claims_path=claims)
    _edit_by_hand(claims, BELARUS, "talk page, 2026-11-01")
    triage(_id(claims, REWORDED), claims_path=claims, status="waived", note="WP:CALC", by="Ann")
    triage(_id(claims, REMOVED), claims_path=claims, status="fixed", note="gone now")
    triage(_id(claims, BAGHDAD), claims_path=claims, status="false-positive",
           flag=("citation-needed", 1), note="cited two lines below")
    cache = CacheSettings(tmp_path / "cache")
    for round_number in range(10):
        # Alternate: the seed again (old texts), then the live revision as the new snapshot
        # (the reworded claim changes text, the removed one disappears), and back.
        extract(SEED, claims_path=claims)
        result = check(claims, wiki=wiki.url, cache=cache, update=round_number % 2 == 1)
        write_outputs(result.checks, result.report, out_dir=tmp_path / "reports")
        text = claims.read_text(encoding="utf-8")
        assert "# Bob: asked on the talk page" in text, round_number
        belarus = _claim(claims, BELARUS)
        assert belarus and belarus["triage"]["status"] == "assigned"
        assert belarus["triage"]["note"] == "talk page, 2026-11-01"
        reworded = _claim(claims, "On 21 December, the longest")
        assert reworded and reworded["triage"] == {
            "status": "waived", "note": "WP:CALC", "by": "Ann", "updated": reworded["triage"]["updated"]}
        removed = _claim(claims, REMOVED)
        assert removed and removed["triage"]["status"] == "fixed"
        # In the live revision the claim is gone: its triage waits in `orphaned`.
        assert removed.get("orphaned", False) == (round_number % 2 == 1)
        baghdad = _claim(claims, BAGHDAD)
        assert baghdad is not None
        assert baghdad["flags"][0]["triage"]["status"] == "false-positive"
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    notes = {c["triage"]["note"] for c in report["documents"][0]["claims"] if c.get("triage")}
    assert {"talk page, 2026-11-01", "WP:CALC"} <= notes


def test_triage_command_errors_and_prefix(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    extract(SEED, claims_path=claims)
    full = _id(claims, BELARUS)
    result = triage(full[:8], claims_path=claims, status="assigned", by="Cy")
    assert result.claim_id == full
    document = load_claims_file(claims).documents[0]
    assert document.triage[full].status == "assigned" and document.triage[full].by == "Cy"
    from audit.errors import ClaimsFileError

    with pytest.raises(ClaimsFileError, match="no claim"):
        triage("c-0000000000", claims_path=claims, status="waived")
    with pytest.raises(ClaimsFileError, match="no flag"):
        triage(full, claims_path=claims, status="waived", flag=("dubious", 1))


def test_concurrent_runs_lose_no_edit(tmp_path: Path) -> None:
    """Six processes triaging different claims at once: every edit is in the file afterwards."""
    claims = tmp_path / "claims.yaml"
    extract(SEED, claims_path=claims)
    document = load_claims_file(claims).documents[0]
    targets = [claim.id for claim in document.claims if claim.kind == "sentence"][:6]
    env = {**os.environ, "AUDIT_CLAIMS": str(claims)}
    processes = [
        subprocess.Popen([sys.executable, "-m", "audit", "triage", claim_id, "--status", "assigned",
                          "--note", f"edit {number}", "-q"], env=env, cwd=tmp_path)
        for number, claim_id in enumerate(targets)
    ]
    assert [process.wait(timeout=120) for process in processes] == [0] * len(targets)
    document = load_claims_file(claims).documents[0]
    assert {document.triage[claim_id].note for claim_id in targets} == {
        f"edit {number}" for number in range(len(targets))}
    assert not shutil.which("true") or True  # the lock file may stay; it holds no data
