"""normalize_text: the single-spacing shortcut must fold whitespace like `str.split` does."""

import pytest

from audit.claims import normalize_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It rained.", "it rained"),
        ("It  rained.", "it rained"),
        (" It rained. ", "it rained"),
        ("It\trained\n", "it rained"),
        ("It\u2009rained\u3000today\u2028", "it rained today"),
        ("It\u00a0rained\x1c", "it rained"),
        ("A “quoted” – text", 'a "quoted" - text'),
        ("", ""),
    ],
)
def test_whitespace_folds_as_split(text: str, expected: str) -> None:
    assert normalize_text(text) == expected
