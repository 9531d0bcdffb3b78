"""The fast flag reader gives what the full read gives (audit.history.revision_flags)."""

from __future__ import annotations

import pytest

from audit.history.revision_flags import (
    FlagReader,
    modernize_footnotes,
    read_claims,
    sightings_of,
)

CASES = {
    "plain": "Alpha is a letter.{{cn}} Beta follows it.\n\nGamma is third.{{fact|date=May 2007}}",
    "headings": (
        "Lead text here.\n\n== History ==\nOld times were hard.{{citation needed}}\n\n"
        "=== Early ===\nEarly days.{{who?}}\n\n== Later ==\nLater days.{{dubious}}"
    ),
    "end matter skipped like the full read": (
        "Body claim.{{cn}}\n\n== References ==\nA book.{{dead link}}\n\n"
        "== External links ==\n* A link.{{cn}}"
    ),
    "infobox across blank lines": (
        "{{Infobox person\n| name = Ann\n\n| born = 1900{{cn}}\n\n| died = 1990\n}}\n"
        "Ann was a painter.{{cn}}"
    ),
    "table across blank lines": (
        '{| class="wikitable"\n|-\n| Row one{{cn}}\n\n|-\n| Row two\n|}\n\nAfter the table.{{cn}}'
    ),
    "comment across blank lines": (
        "Visible claim.{{cn}}\n\n<!-- hidden\n\nStill hidden.{{cn}}\n\n-->\n\nShown again.{{cn}}"
    ),
    "flag inside a reference": (
        "Cited claim.<ref>{{cite web|url=http://example.org|title=X}} {{dead link}}</ref> "
        "Next claim.{{cn}}"
    ),
    "reference across blank lines": (
        "Claim one.<ref>A long note\n\nwith a blank line.</ref>{{cn}} Claim two."
    ),
    "old footnotes": "Claim with a note. {{ref|x}} Another claim.{{fact}}",
    "list items": "* First item.{{cn}}\n* Second item.\n\n# Third.{{cn}}",
    "no flags": "Nothing to see here. {{cite book|title=Y}}",
    "a stray closing brace": "}} Broken start.{{cn}}\n\nSecond paragraph.{{cn}}",
}


def key(sightings: tuple) -> list[tuple]:
    return [(s.type, s.claim_key, s.section, s.citations, s.template, s.date) for s in sightings]


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_read_equals_full_read(name: str) -> None:
    text = CASES[name]
    assert key(FlagReader().flags(text)) == key(sightings_of(read_claims(text)))


def test_flag_outside_a_flagged_paragraph_is_not_missed_by_headings() -> None:
    found = FlagReader().flags(CASES["headings"])
    assert [(s.type, s.section) for s in found] == [
        ("citation-needed", "History"),
        ("who", "History › Early"),
        ("dubious", "Later"),
    ]


def test_texts_and_paragraphs_are_read_once() -> None:
    reader = FlagReader()
    first = CASES["plain"]
    edited = first.replace("Beta follows it.", "Beta follows it closely.")
    reader.flags(first)
    reader.flags(first)  # a revert: the same text
    reader.flags(edited)  # the second paragraph is unchanged
    assert reader.texts_read == 2
    assert reader.paragraphs_read == 3


def test_text_without_flag_templates_is_not_parsed() -> None:
    reader = FlagReader()
    assert reader.flags("Only {{cite web|url=x}} and {{Infobox person|name=Ann}} here.") == ()
    assert reader.paragraphs_read == 0


def test_blank_and_junk_texts_have_no_flags() -> None:
    reader = FlagReader()
    assert reader.flags("") == ()
    assert reader.flags("{{cn}}") == ()  # a flag on no claim at all
    assert reader.claims("") == ()


def test_old_footnotes_become_named_reference_reuses() -> None:
    assert modernize_footnotes("A.{{ref|Smith-1990}} B.{{Ref label|n1|1}}") == (
        'A.<ref name="fn-Smith-1990" /> B.<ref name="fn-n1" />'
    )
    claims = read_claims("A claim here. {{ref|x}} Another one.")
    assert [len(claim.citations) for claim in claims] == [1, 0]
