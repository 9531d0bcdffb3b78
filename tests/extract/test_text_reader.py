"""The plain-text reader on the seed document (a mirror copy) and on small cases."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from audit.catalogue import CATALOGUE
from audit.claims import split_claims
from audit.readers.text import read_text

SEED_FLAGGED = {
    # claim text (prefix) → flag types, exactly as the seed README lists them (13 on 12)
    "Abu Abdollah Jabal (al-Nusra Front senior commander in Aleppo)": ["unreliable-source"],
    "Abu Humam al-Shami (Guardians of Religion)": ["self-published-source"],
    "Abu Ubeidah al-Kansafra (Top military commander of Tahrir al-Sham)": ["unreliable-source"],
    "At the end of September, a joint information centre in Baghdad": ["citation-needed"],
    "The incident followed incremental tensions between Russia and Turkey": ["citation-needed"],
    "On 21 December, the longest offensive of the year": ["citation-needed"],
    "According to pro-government sources and social media accounts": ["undue-weight"],
    "Vzglyad, a media outlet loyal to the Kremlin, reported": ["unreliable-source"],
    "Other ships as well as K-300P Bastion-P were also reported": ["by-whom", "citation-needed"],
    "On 2 March 2017, the city of Palmyra was captured.": ["citation-needed"],
    "On 5 March, a brand new offensive was launched": ["citation-needed"],
    "Belarus, also a member of the CSTO, supports": ["citation-needed"],
}


@pytest.fixture
def seed_claims(seed_text: str):
    return split_claims(read_text(seed_text))


def test_seed_has_exactly_13_flags_on_12_claims(seed_claims) -> None:
    flagged = [claim for claim in seed_claims if claim.flags]
    assert len(flagged) == 12
    assert sum(len(claim.flags) for claim in flagged) == 13
    found = {claim.text: [flag.type for flag in claim.flags] for claim in flagged}
    for prefix, types in SEED_FLAGGED.items():
        matches = [text for text in found if text.startswith(prefix)]
        assert len(matches) == 1, prefix
        assert found[matches[0]] == types
    assert Counter(flag.type for claim in flagged for flag in claim.flags) == {
        "citation-needed": 7,
        "unreliable-source": 3,
        "self-published-source": 1,
        "undue-weight": 1,
        "by-whom": 1,
    }


def test_seed_flag_kinds_and_offsets(seed_claims) -> None:
    by_prefix = {claim.text[:30]: claim for claim in seed_claims if claim.flags}
    infobox = [claim for claim in seed_claims if claim.flags and claim.kind == "infobox"]
    assert len(infobox) == 3
    # Mid-sentence flags keep their offset inside the sentence.
    baghdad = by_prefix["At the end of September, a joi"]
    assert baghdad.text[: baghdad.flags[0].offset].endswith("against ISIL")
    tensions = by_prefix["The incident followed incremen"]
    assert tensions.text[: tensions.flags[0].offset].endswith("one of which Russia admitted")
    ships = by_prefix["Other ships as well as K-300P "]
    assert ships.text[: ships.flags[0].offset].endswith("were also reported")
    assert ships.flags[1].offset == len(ships.text)


def test_no_flag_label_left_in_any_claim(seed_claims) -> None:
    labels = {label for flag_type in CATALOGUE for label in flag_type.labels}
    alternatives = "|".join(re.escape(label.split(" –")[0]) for label in labels)
    pattern = re.compile(rf"\[(?:{alternatives})")
    leftovers = [claim.text for claim in seed_claims if pattern.search(claim.text)]
    assert leftovers == []


def test_seed_snapshot_time_title_and_boilerplate(seed_text: str) -> None:
    document = read_text(seed_text)
    assert document.title == "Russian intervention in the Syrian civil war"
    assert document.timestamp == "2023-12-25T01:18:00Z"
    texts = [block.text for block in document.blocks]
    assert not any(text == "Top" or "This page was last updated" in text for text in texts)
    assert not any("All our content comes from Wikipedia" in text for text in texts)


def test_seed_structure(seed_claims) -> None:
    kinds = Counter(claim.kind for claim in seed_claims)
    assert kinds["infobox"] > 100 and kinds["sentence"] > 350
    assert kinds["caption"] >= 15 and kinds["quote"] >= 10 and kinds["list-item"] >= 20
    sections = {claim.leaf_section for claim in seed_claims}
    assert {
        "Lead",
        "Infobox",
        "Background and preparation phase",
        "National governments",
        "Wagner Group involvement",
    } <= sections
    # Editorial brackets are article text, not flags.
    assert any("[Assad]" in claim.text for claim in seed_claims)
    # The glued infobox label "Date30 September" is cut off; label-only lines are no claims.
    texts = {claim.text for claim in seed_claims}
    assert "30 September 2015 – present" in texts
    assert not texts & {"Date", "Belligerents", "Supported by:", "Humanitarian support:"}


def test_ids_are_stable_and_unique(seed_text: str) -> None:
    first = split_claims(read_text(seed_text))
    second = split_claims(read_text(seed_text))
    assert [claim.id for claim in first] == [claim.id for claim in second]
    assert len({claim.id for claim in first}) == len(first)


def test_wikipedia_browser_copy_footer_and_edit_links() -> None:
    copy = (
        "Example\nFrom Wikipedia, the free encyclopedia\n\n"
        "Example is a thing that exists in many places and has been studied by scholars for "
        "centuries. It is well known. Many people have written about it at length.\n\n"
        "History[edit]\n\nIt began in 1900.[1][citation needed]\n\n"
        "References[edit]\n\n1. ^ Some book.\n\n"
        "This page was last edited on 24 December 2023, at 20:15 (UTC).\n"
    )
    document = read_text(copy)
    claims = split_claims(document)
    assert document.timestamp == "2023-12-24T20:15:00Z"
    history = [claim for claim in claims if claim.leaf_section == "History"]
    assert [claim.text for claim in history] == ["It began in 1900."]
    assert [flag.type for flag in history[0].flags] == ["citation-needed"]
    assert len(history[0].citations) == 1
    assert not any("Some book" in claim.text for claim in claims)
