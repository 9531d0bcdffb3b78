"""Unit tests of audit.ci: fingerprints, selection and fail levels over plain Finding records."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from audit.ci import Finding, failing, fingerprint, load_baseline, select, write_baseline
from audit.errors import InputError


def _finding(change: str = "new", severity: str = "medium", text: str = "A claim.") -> Finding:
    return Finding(
        fingerprint=fingerprint("https://en.wikipedia.org", "T", "flag", "dubious", text),
        title="T", wiki="https://en.wikipedia.org", claim_id="c-1", section=None, text=text,
        kind="flag", flag_type="dubious", status="open", change=change, severity=severity,
        message="m", url=None,
    )


def test_fingerprint_ignores_spacing_and_trailing_slash_but_not_words() -> None:
    one = fingerprint("https://en.wikipedia.org/", "Moon", "flag", "dubious", "The  Moon is  cheese.")
    two = fingerprint("https://en.wikipedia.org", "Moon", "flag", "dubious", "The Moon is cheese.")
    other = fingerprint("https://en.wikipedia.org", "Moon", "flag", "dubious", "The Moon is rock.")
    assert one == two != other
    assert len(one) == 16


def test_fingerprint_accepts_lone_surrogates_from_json() -> None:
    text = json.loads('"broken \\ud800 text"')
    first = fingerprint("https://en.wikipedia.org", "T", "flag", None, text)
    assert first == fingerprint("https://en.wikipedia.org", "T", "flag", None, text)
    assert first != fingerprint("https://en.wikipedia.org", "T", "flag", None, "broken text")


@pytest.mark.parametrize(("fail_on", "fails"), [
    ("none", set()),
    ("new", {"new"}),
    ("changed", {"new", "changed"}),
    ("any", {"new", "changed", "open"}),
])
def test_fail_levels(fail_on: str, fails: set[str]) -> None:
    found = [_finding(change) for change in ("new", "changed", "open")]
    assert {f.change for f in failing(found, fail_on)} == fails


def test_select_applies_baseline_and_severity_floor() -> None:
    low = _finding(severity="low", text="Low claim.")
    high = _finding(severity="high", text="High claim.")
    known = replace(_finding(severity="high", text="Known claim."))
    kept = select([low, high, known], baseline=frozenset({known.fingerprint}),
                  min_severity="medium")
    assert kept == [high]


def test_baseline_round_trip_and_bad_file(tmp_path) -> None:
    found = [_finding(text="One."), _finding(text="Two.")]
    path = tmp_path / "baseline.json"
    write_baseline(path, found, generated="2026-01-01T00:00:00Z")
    assert load_baseline(path) == frozenset(f.fingerprint for f in found)
    path.write_text("{not json")
    with pytest.raises(InputError):
        load_baseline(path)
