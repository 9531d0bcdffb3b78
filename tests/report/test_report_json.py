"""report.json: golden file, the schema names CI relies on, ordering, counts and URLs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from audit.model import Claim, ClaimCheck, ClaimMatch, DocumentCheck
from audit.report import build_report_data, render_json, write_reports
from audit.report.rows import article_url, order_claims

GOLDEN = Path(__file__).parent / "golden"


def scrub(text: str) -> str:
    """report.json with its volatile fields replaced by placeholders."""
    data = json.loads(text)
    data["generated"] = "<generated>"
    data["tool_version"] = "<tool_version>"
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def test_report_json_matches_golden(checks, tmp_path):
    paths = write_reports(checks, tmp_path)
    actual = scrub(paths.json.read_text(encoding="utf-8"))
    golden = GOLDEN / "report.json"
    if os.environ.get("AUDIT_REGEN_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8"), "regenerate: see golden/README.md"


def test_json_text_is_sorted_unescaped_and_ends_with_newline(checks):
    text = render_json(checks, generated="2024-01-01T00:00:00Z", tool_version="9.9")
    data = json.loads(text)
    assert text.endswith("}\n")
    assert "Café Grumpy" in text  # ensure_ascii=False
    assert text == json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def test_schema_names_ci_relies_on(checks):
    data = build_report_data(checks, generated="g", tool_version="v")
    assert data["schema_version"] == 1
    assert {"generated", "tool_version", "documents"} <= data.keys()
    checked, offline, missing = data["documents"]
    for doc in data["documents"]:
        assert {
            "title",
            "wiki",
            "url",
            "snapshot",
            "current",
            "status",
            "summary",
            "claims",
        } <= doc.keys()
        assert {"timestamp", "revision"} <= doc["snapshot"].keys()
        assert {
            "claims",
            "flagged",
            "open_flags",
            "resolved_flags",
            "new_flags",
            "unchanged",
            "reworded",
            "removed",
            "added",
        } <= doc["summary"].keys()
        for claim in doc["claims"]:
            assert {
                "id",
                "section",
                "kind",
                "text",
                "status",
                "current_text",
                "similarity",
                "moved",
                "flags",
                "citations",
            } <= claim.keys()
            for flag in claim["flags"]:
                assert {"type", "label", "status", "cited"} <= flag.keys()
            for citation in claim["citations"]:
                # The schema's three keys always; more (via, publisher, date, ...) may follow.
                assert {"url", "domain", "title", "via"} <= set(citation)
                assert citation["via"] in ("follows", "paragraph")
    assert {"revision", "timestamp", "url", "diff_url"} <= checked["current"].keys()
    assert offline["current"] is None and missing["current"] is None
    assert "error" not in checked and missing["error"].startswith("page does not exist")
    assert [d["status"] for d in data["documents"]] == ["checked", "offline", "missing"]


def test_urls_of_article_revision_and_diff(checks):
    doc = build_report_data(checks, generated="g", tool_version="v")["documents"][0]
    wiki = "https://en.wikipedia.org"
    assert doc["url"] == f"{wiki}/wiki/Russian_intervention_in_the_Syrian_civil_war"
    assert doc["current"]["url"] == f"{wiki}/w/index.php?oldid=1250000000"
    assert doc["current"]["diff_url"] == f"{wiki}/w/index.php?diff=1250000000&oldid=1191539530"


@pytest.mark.parametrize(
    ("title", "path"),
    [
        ("Café Grumpy", "Caf%C3%A9_Grumpy"),
        ("AC/DC", "AC/DC"),
        ("What? & Why #1", "What%3F_%26_Why_%231"),
        ("100% (song)", "100%25_(song)"),
    ],
)
def test_article_url_percent_encodes_like_mediawiki(title, path):
    assert (
        article_url("https://en.wikipedia.org/", title) == f"https://en.wikipedia.org/wiki/{path}"
    )


def test_claims_in_snapshot_order_with_added_claims_in_their_section(checks):
    doc = build_report_data(checks, generated="g", tool_version="v")["documents"][0]
    assert [c["id"] for c in doc["claims"]] == [
        "c-lead1",
        "c-new1",
        "c-lead2",
        "c-lead3",  # c-new1 was emitted in place
        "c-bg1",
        "c-bg2",
        "c-new2",  # c-new2 was emitted last: moved to the end of Background
        "c-tl1",
        "c-re1",
        "c-re2",
    ]


def test_added_claim_in_a_new_section_goes_last():
    def check(cid: str, section: str, *, added: bool = False) -> ClaimCheck:
        claim = Claim(cid, section, "sentence", f"Text {cid}.")
        if added:
            return ClaimCheck(ClaimMatch("added", None, claim))
        return ClaimCheck(ClaimMatch("unchanged", claim, claim, 1.0))

    ordered = order_claims([check("n1", "New", added=True), check("a", "A"), check("b", "B")])
    assert [c.match.current.id for c in ordered] == ["a", "b", "n1"]


def test_summary_counts_and_claim_fields(checks):
    checked, offline, missing = build_report_data(checks, generated="g", tool_version="v")[
        "documents"
    ]
    summary = checked["summary"]
    assert (summary["claims"], summary["flagged"]) == (8, 4)
    assert (summary["open_flags"], summary["resolved_flags"], summary["new_flags"]) == (1, 2, 2)
    assert (summary["unchanged"], summary["reworded"], summary["removed"], summary["added"]) == (
        5,
        2,
        1,
        2,
    )
    claims = {c["id"]: c for c in checked["claims"]}
    assert claims["c-lead3"]["similarity"] == 0.941
    assert claims["c-lead3"]["citations"][0]["domain"] == "bbc.co.uk"  # the current claim's
    assert claims["c-bg2"]["citations"][0]["domain"] == "tass.com"  # removed: the snapshot's
    assert claims["c-bg2"]["current_text"] is None
    assert claims["c-new2"]["current_text"] == claims["c-new2"]["text"]
    assert claims["c-tl1"]["moved"] is True
    assert [f["status"] for c in checked["claims"] for f in c["flags"]] == [
        "open",
        "resolved",
        "resolved",
        "removed",
        "new",
        "new",
    ]
    # Offline: the snapshot's flag is reported open, nothing was compared.
    assert offline["summary"]["open_flags"] == 1
    assert {c["status"] for c in offline["claims"]} == {"unchecked"}
    assert missing["claims"] == [] and missing["summary"]["claims"] == 0


def test_document_without_claims_or_revisions():
    doc = DocumentCheck(
        "X", "https://de.wikipedia.org", "error", None, None, None, error="boom", warnings=("slow",)
    )
    data = build_report_data([doc], generated="g", tool_version="v")["documents"][0]
    assert data["current"] is None and data["error"] == "boom" and data["warnings"] == ["slow"]
