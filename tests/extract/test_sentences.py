"""Sentence splitting: the rules that decide claim boundaries."""

from __future__ import annotations

import pytest

from audit.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two.", ["One.", "Two."]),
        ("Is it? Yes! Fine.", ["Is it?", "Yes!", "Fine."]),
        ("Mr. Smith met Dr. Jones.", ["Mr. Smith met Dr. Jones."]),
        (
            "Vincent R. Stewart said so. Then he left.",
            ["Vincent R. Stewart said so.", "Then he left."],
        ),
        ("It rose 3.5 percent. It fell.", ["It rose 3.5 percent.", "It fell."]),
        (
            "The U.S. Army came. In the U.S. The end.",
            ["The U.S. Army came.", "In the U.S.", "The end."],
        ),
        ("e.g. apples, i.e. fruit. Next.", ["e.g. apples, i.e. fruit.", "Next."]),
        ("See No. 5 here. Oh, no. They left.", ["See No. 5 here.", "Oh, no.", "They left."]),
        (
            "It grew (see Fig. 2. Really.) fast. Next.",
            ["It grew (see Fig. 2. Really.) fast.", "Next."],
        ),
        ('He said "Stop. Now." Then left.', ['He said "Stop. Now."', "Then left."]),
        ('"Who? Why? No." He left.', ['"Who?', "Why?", 'No."', "He left."]),
        ("On 2 Jan. 2020 it began.", ["On 2 Jan. 2020 it began."]),
        ("Trailing text without stop", ["Trailing text without stop"]),
        ("  Leading space. Two.  ", ["Leading space.", "Two."]),
        ("", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_spans_point_into_the_text() -> None:
    text = "First one. Second one."
    spans = split_sentences(text)
    assert spans == [(0, 10), (11, 22)]
