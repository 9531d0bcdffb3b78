"""Data-driven reader cases: tests/fixtures/readers/*.yaml (input + expected claims)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from audit.claims import split_claims
from audit.readers import read_text_as

CASES = sorted((Path(__file__).parent.parent / "fixtures" / "readers").glob("*.yaml"))


def _load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case_path", CASES, ids=[path.stem for path in CASES])
def test_reader_case(case_path: Path) -> None:
    _check(_load(case_path))


def _check(case: dict) -> None:
    document = read_text_as(case["input"], format=case["format"], title="Example")
    claims = split_claims(document)
    expected = case["expected"]
    if "claim_count" in expected:
        assert len(claims) == expected["claim_count"], [claim.text for claim in claims]
    by_text = {claim.text: claim for claim in claims}
    for wanted in expected["claims"]:
        assert wanted["text"] in by_text, f"missing claim {wanted['text']!r}; got {list(by_text)}"
        claim = by_text[wanted["text"]]
        if "kind" in wanted:
            assert claim.kind == wanted["kind"]
        if "section" in wanted:
            assert claim.leaf_section == wanted["section"]
        if "flags" in wanted:
            assert [flag.type for flag in claim.flags] == wanted["flags"]
        if "citations" in wanted:
            citations = wanted["citations"]
            if isinstance(citations, int):
                assert len(claim.citations) == citations
            else:
                assert [citation.domain for citation in claim.citations] == citations


def test_every_case_is_checked() -> None:
    assert len(CASES) >= 6
