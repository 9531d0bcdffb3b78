"""Split prose into sentences, returning character spans so flags can be placed by offset.

Why not pysbd or blingfire: pysbd (the rule-based reference) is ~20x slower than a regex scan
and was the bottleneck of whole-page extraction (benchmarks/extract.py); blingfire ships a
40 MB binary and merges sentences after "i.e. ...". This splitter implements the usual rules
(abbreviations, initials, decimals, quotations, parentheses) in one regex pass plus a few
look-backs; tests/extract/test_sentences.py holds the cases it must get right.
"""

from __future__ import annotations

import re

# Words after which a full stop does not end a sentence (compared case-insensitively,
# without the final dot). Multi-dot forms like "e.g" and "U.S" are handled as acronyms.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof st jr sr gen col lt sgt capt cpt maj adm cmdr cdr brig rev hon gov sen rep
    pres supt insp det fr msgr rt ft mt pt ed eds
    approx ca c cf vs etc al est inc ltd co corp bros dept univ assn ave blvd rd
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    sq repr trans transl
    """.split()  # noqa: SIM905 - a word list reads best as words
)

# Abbreviations that only count as such before a number ("No. 5", "p. 12", "Fig. 2").
NUMERIC_ABBREVIATIONS = frozenset("no nos vol vols pp p fig figs ch chap sec art op".split())  # noqa: SIM905

# Words that, after an acronym such as "U.S.", show that a new sentence did begin.
SENTENCE_STARTERS = frozenset(
    """
    a an the this that these those it its he she they we i in on at by for from after before
    during since when while although though however but and or so thus then there here his her
    their our some many most several both all no none one two three four five six seven eight
    nine ten according as if despite following under over
    """.split()  # noqa: SIM905
)

_OPENERS = "\"'“‘«([{"
_CLOSERS = "\"'”’»)]}"

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace,
# then something that can begin a sentence (capital letter or digit, maybe after an opener).
_BOUNDARY = re.compile(
    r"""(?P<end>[.!?\u2026]+[\"'”’»)\]]*)\s+(?=[\"'“‘«(\[]?[A-Z0-9\u00C0-\u00DE\u0400-\u042F])"""
)
_WORD_REVERSED = re.compile(r"[^\s\"'“‘«(\[]+")
_ACRONYM = re.compile(r"^(?:[A-Za-z]\.){1,}[A-Za-z]?$")
_NEXT_WORD = re.compile(r"[\"'“‘«(\[]?([\w']+)")


def _word_before(text: str, end: int) -> str | None:
    """The word (no spaces, quotes or openers) that ends at `end`, at most 40 characters of it.

    NOTE: matched on the reversed window, not with a `$`-anchored search: that tries every
    start in the window (3x slower, and a search from 0 would be quadratic on long paragraphs);
    no word we care about is longer than 40 chars. Like `$`, a final newline is skipped.
    """
    window = text[max(0, end - 40) : end]
    if window.endswith("\n"):
        window = window[:-1]
    match = _WORD_REVERSED.match(window[::-1])
    return match.group()[::-1] if match else None


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at `dot` closes an abbreviation or an initial, not a sentence."""
    word = _word_before(text, dot)
    if not word:
        return False
    lower = word.lower()
    if lower in ABBREVIATIONS:
        return True
    if lower in NUMERIC_ABBREVIATIONS:
        following = text[dot + 1 : dot + 3].lstrip()
        return following[:1].isdigit()
    # An initial ("Vincent R. Stewart") is one capital letter.
    return len(word) == 1 and word.isalpha() and word.isupper()


def _is_acronym_end(text: str, dot: int) -> bool:
    """True for the final dot of an acronym such as `U.S.` or `e.g.`."""
    # An acronym has two dots or more, so a dot two characters back: most sentence ends
    # fail this cheap test before the word is looked up.
    if text[dot - 2 : dot - 1] != ".":
        return False
    word = _word_before(text, dot + 1)
    return bool(word and _ACRONYM.match(word) and word.count(".") >= 2)


def _opens_new_sentence(text: str, start: int) -> bool:
    match = _NEXT_WORD.match(text, start)
    return bool(match and match.group(1).lower() in SENTENCE_STARTERS)


def _inside_parentheses(text: str, start: int, end: int, last_close: int) -> bool:
    """An opening bracket since the sentence start is still open, and closes later on."""
    if end >= last_close:
        return False  # nothing closes later on: no need to count
    return text.count("(", start, end) > text.count(")", start, end)


def _inside_quotation(text: str, start: int, end: int) -> bool:
    """Inside a quotation that opened mid-sentence ("He said "Stop. Now." Then ...").

    A quotation that opens at the start of the sentence (a block quote, a quoted sentence)
    may hold several sentences and is split like any text.
    """
    straight = text.count('"', start, end)
    curly_open = text.count("“", start, end)
    curly_close = text.count("”", start, end)
    if straight % 2 == 0 and curly_open <= curly_close:
        return False
    first = min(
        (index for index in (text.find('"', start, end), text.find("“", start, end)) if index >= 0),
        default=start,
    )
    return bool(text[start:first].strip())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans `(start, end)` of the sentences of `text`; `end` excludes trailing whitespace."""
    spans: list[tuple[int, int]] = []
    if not text.strip():
        return spans
    last_close = text.rfind(")")
    # Without an opening quote mark in the text, no boundary can be inside a quotation.
    quoted = '"' in text or "\u201c" in text
    start = len(text) - len(text.lstrip())
    for match in _BOUNDARY.finditer(text):
        end = match.end("end")
        punct = match.group("end")
        if punct[0] == ".":
            dot = match.start("end")
            if _ends_with_abbreviation(text, dot):
                continue
            if _is_acronym_end(text, dot) and not _opens_new_sentence(text, match.end()):
                continue
        if _inside_parentheses(text, start, end, last_close):
            continue
        closes_quote = '"' in punct or "\u201d" in punct
        if not closes_quote and quoted and _inside_quotation(text, start, match.start("end")):
            continue
        if end - start > 0 and text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    tail_end = len(text.rstrip())
    if tail_end > start:
        spans.append((start, tail_end))
    return _attach_trailing_parentheticals(text, spans)


def _attach_trailing_parentheticals(
    text: str, spans: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """ "It is so. (Smith 1997) Next one." — the parenthetical cites the sentence before it."""
    result: list[tuple[int, int]] = []
    for start, end in spans:
        if result and text.startswith("(", start):
            close = text.find(")", start, end)
            after = close + 1
            rest = text[after:end]
            if close > 0 and rest[:1].isspace() and rest.strip()[:1].isupper():
                previous_start, _ = result[-1]
                result[-1] = (previous_start, after)
                start = after + (len(rest) - len(rest.lstrip()))
        result.append((start, end))
    return result
