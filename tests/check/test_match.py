"""Claim alignment and flag fates, on small hand-made revisions."""

from __future__ import annotations

from audit.claims import split_claims
from audit.match import compare_claims, match_claims, word_diff
from audit.model import Citation, Claim, Flag
from audit.readers.text import read_text


def claim(
    text: str,
    section: str = "Lead",
    flags: tuple[str, ...] = (),
    cited: bool = False,
    kind: str = "sentence",
) -> Claim:
    return Claim(
        id=f"c-{abs(hash(text)) % 10**8}",
        section=section,
        kind=kind,
        text=text,
        flags=tuple(Flag(type_id, type_id, len(text)) for type_id in flags),
        citations=(Citation(url="https://www.reuters.com/x", domain="reuters.com"),)
        if cited
        else (),
    )


def test_statuses_and_order() -> None:
    snapshot = [
        claim("The war began in 2015."),
        claim("Russia sent jets to the base at Latakia in late August."),
        claim("This sentence was deleted later."),
        claim("The last claim stays put."),
    ]
    current = [
        claim("The war began in 2015."),
        claim("Russia sent fighter jets to the air base at Latakia in late August 2015."),
        claim("A brand new sentence appeared."),
        claim("The last claim stays put."),
    ]
    matches = match_claims(snapshot, current)
    assert [(m.status, (m.snapshot or m.current).text[:20]) for m in matches] == [
        ("unchanged", "The war began in 201"),
        ("reworded", "Russia sent jets to "),
        ("removed", "This sentence was de"),
        ("added", "A brand new sentence"),
        ("unchanged", "The last claim stays"),
    ]
    reworded = matches[1]
    assert 0.62 <= reworded.similarity < 1.0
    assert ("insert", "fighter") in [(op.op, op.text.strip()) for op in reworded.diff]


def test_assignment_is_global_not_first_hit() -> None:
    # The first snapshot claim is closer to the second current one; a first-hit matcher would
    # steal it and leave the second snapshot claim unmatched.
    snapshot = [claim("Alpha beta gamma delta epsilon."), claim("Alpha beta gamma delta zeta eta.")]
    current = [
        claim("Alpha beta gamma delta zeta eta theta."),
        claim("Alpha beta gamma delta epsilon!"),
    ]
    matches = match_claims(snapshot, current)
    pairs = {m.snapshot.text: m.current.text for m in matches if m.snapshot and m.current}
    assert pairs == {
        "Alpha beta gamma delta epsilon.": "Alpha beta gamma delta epsilon!",
        "Alpha beta gamma delta zeta eta.": "Alpha beta gamma delta zeta eta theta.",
    }


def test_moved_between_sections() -> None:
    matches = match_claims(
        [claim("Same words here.", "History")], [claim("Same words here.", "Aftermath")]
    )
    assert matches[0].status == "unchanged" and matches[0].moved


def test_infobox_lines_do_not_pair_with_prose() -> None:
    matches = match_claims([claim("Syria", kind="infobox")], [claim("Syria.", kind="sentence")])
    assert [m.status for m in matches] == ["removed", "added"]


def test_flag_fates() -> None:
    snapshot = [
        claim("Open flag claim stays.", flags=("citation-needed",)),
        claim("Resolved with a citation now.", flags=("citation-needed",)),
        claim("Resolved without any citation.", flags=("undue-weight",)),
        claim("This flagged claim is gone.", flags=("citation-needed",)),
        claim("A clean claim gets a new flag."),
    ]
    current = [
        claim("Open flag claim stays.", flags=("citation-needed",)),
        claim("Resolved with a citation now.", cited=True),
        claim("Resolved without any citation."),
        claim("A clean claim gets a new flag.", flags=("dubious",)),
        claim("An added claim has a flag.", flags=("failed-verification",)),
    ]
    result = {
        (check.match.snapshot or check.match.current).text: [
            (flag.flag.type, flag.status, flag.cited) for flag in check.flags
        ]
        for check in compare_claims(snapshot, current)
    }
    assert result == {
        "Open flag claim stays.": [("citation-needed", "open", False)],
        "Resolved with a citation now.": [("citation-needed", "resolved", True)],
        "Resolved without any citation.": [("undue-weight", "resolved", False)],
        "This flagged claim is gone.": [("citation-needed", "removed", False)],
        "A clean claim gets a new flag.": [("dubious", "new", False)],
        "An added claim has a flag.": [("failed-verification", "new", False)],
    }


def test_two_flags_same_type_one_resolved() -> None:
    snapshot = [claim("Claim with two.", flags=("citation-needed", "citation-needed"))]
    current = [claim("Claim with two.", flags=("citation-needed",))]
    statuses = [flag.status for flag in compare_claims(snapshot, current)[0].flags]
    assert statuses == ["open", "resolved"]


def test_word_diff_round_trips() -> None:
    old, new = "The quick brown fox jumps.", "The slow brown fox leaps high."
    diff = word_diff(old, new)
    assert "".join(op.text for op in diff if op.op != "insert") == old
    assert "".join(op.text for op in diff if op.op != "delete") == new


def test_seed_against_itself_is_all_unchanged(seed_text: str) -> None:
    claims = split_claims(read_text(seed_text))
    matches = match_claims(claims, claims)
    assert {match.status for match in matches} == {"unchanged"}
    assert not any(match.moved for match in matches)
