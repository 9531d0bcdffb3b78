"""The same revision read as wikitext and as Parsoid HTML yields the same flags on the same
claims and the same citations per claim (real pages: tests/fixtures/real/)."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

from audit.claims import split_claims
from audit.match import match_claims
from audit.readers import read_text_as

REAL = Path(__file__).parent.parent / "fixtures" / "real"
PAIRS = sorted(path.name.removesuffix(".wikitext.gz") for path in REAL.glob("*.wikitext.gz"))


def _read(name: str, suffix: str, fmt: str):
    with gzip.open(REAL / f"{name}{suffix}", "rt", encoding="utf-8") as handle:
        return split_claims(read_text_as(handle.read(), format=fmt, title=name))


@pytest.fixture(scope="module", params=PAIRS)
def pair(request: pytest.FixtureRequest):
    return _read(request.param, ".wikitext.gz", "wikitext"), _read(
        request.param, ".parsoid.html.gz", "parsoid")


def test_there_is_a_real_pair() -> None:
    assert PAIRS, "tests/fixtures/real/ holds at least one wikitext + Parsoid pair"


def test_same_flags_on_the_same_claims(pair) -> None:
    wikitext, parsoid = pair
    assert Counter(f.type for c in wikitext for f in c.flags) == Counter(
        f.type for c in parsoid for f in c.flags)
    matches = {m.snapshot.id: m for m in match_claims(wikitext, parsoid)
               if m.snapshot is not None}
    for claim in wikitext:
        if not claim.flags:
            continue
        match = matches[claim.id]
        assert match.current is not None, f"flagged claim not found in Parsoid: {claim.text!r}"
        assert [f.type for f in claim.flags] == [f.type for f in match.current.flags], claim.text


def test_same_citations_per_claim(pair) -> None:
    wikitext, parsoid = pair
    total_w = sum(len(c.citations) for c in wikitext)
    total_p = sum(len(c.citations) for c in parsoid)
    assert abs(total_w - total_p) <= 0.01 * max(total_w, total_p)
    agree = disagree = 0
    for match in match_claims(wikitext, parsoid):
        if match.snapshot is None or match.current is None or match.snapshot.kind == "infobox":
            continue
        ours = sorted(c.domain or "" for c in match.snapshot.citations)
        theirs = sorted(c.domain or "" for c in match.current.citations)
        if ours == theirs:
            agree += 1
        else:
            disagree += 1
    assert agree > 100
    assert disagree <= 0.01 * (agree + disagree), (agree, disagree)
