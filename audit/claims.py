"""Turn a Document's blocks into claims: split prose into sentences, give each its flags.

The rule for flags (and citations) is positional: a flag belongs to the claim it follows.
Readers anchor a flag right after the last visible character before it, so a flag after a
sentence's full stop has the offset of that sentence's end and a mid-sentence flag an offset
inside it; either way it goes to the last sentence that starts before the flag.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left

from audit.model import SECTION_SEPARATOR, Block, Citation, Claim, Document, Flag
from audit.sentences import split_sentences

# Typographic variants folded for comparison (copies and the wiki differ in these).
_FOLDS = (
    ("“", '"'),
    ("”", '"'),
    ("„", '"'),
    ("«", '"'),
    ("»", '"'),
    ("‘", "'"),
    ("’", "'"),
    ("′", "'"),
    ("″", '"'),
    ("–", "-"),
    ("—", "-"),
    ("‒", "-"),
    ("−", "-"),
    ("\u00a0", " "),
)
_HAS_WORD = re.compile(r"\w")
#: Blocks that are one claim each, never split into sentences.
UNSPLIT_KINDS = frozenset({"infobox", "table-row"})


def normalize_text(text: str) -> str:
    """Fold a claim's text for comparison: Unicode, case, quotes, dashes, spacing, end marks."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        for variant, plain in _FOLDS:
            if variant in text:
                text = text.replace(variant, plain)
    # NOTE: str methods, not a regex with `$`: this runs for every claim of every page.
    text = text.casefold()
    if not _single_spaced(text):
        text = " ".join(text.split())
    return text.lstrip("\"'([").rstrip("\"'.,;:)]")


def _single_spaced(text: str) -> bool:
    """True when `" ".join(text.split())` would return `text` unchanged (most claims).

    NOTE: every whitespace character but " " is unprintable (`isprintable` is one C scan;
    split/join builds a string per word).
    """
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def claim_id(text: str, occurrence: int = 1) -> str:
    """Stable id of a claim: a hash of its normalised text, `-N` for the N-th repeat."""
    return _id_from_digest(_digest(text), occurrence)


def _digest(text: str) -> str:
    return hashlib.blake2b(normalize_text(text).encode("utf-8"), digest_size=5).hexdigest()


def _id_from_digest(digest: str, occurrence: int) -> str:
    return f"c-{digest}" if occurrence == 1 else f"c-{digest}-{occurrence}"


def _is_label(block: Block) -> bool:
    """An infobox sub-heading such as "Supported by:" labels the lines below; it claims nothing."""
    text = block.text.strip()
    return block.kind == "infobox" and text.endswith(":") and len(text) < 60 and not block.flags


def _is_attribution(text: str) -> bool:
    """ "— Name" after a block quote says who spoke; it is not a claim of its own."""
    return text[:1] in "—―" and len(text) < 150


def _spans(block: Block) -> list[tuple[int, int]]:
    if block.kind in UNSPLIT_KINDS:
        return [(0, len(block.text))] if block.text.strip() and not _is_label(block) else []
    spans = split_sentences(block.text)
    if block.kind == "quote":
        spans = [span for span in spans if not _is_attribution(block.text[span[0] : span[1]])]
    return spans


def _owner(starts: list[int], offset: int) -> int:
    """Index of the last span starting before `offset` (the claim a marker follows)."""
    return max(bisect_left(starts, offset) - 1, 0)


_CLAIM_KINDS = {"paragraph": "sentence", "table-row": "list-item"}


def _claim_kind(block_kind: str) -> str:
    return _CLAIM_KINDS.get(block_kind, block_kind)


def split_block(
    block: Block,
) -> list[tuple[str, tuple[Flag, ...], tuple[Citation, ...], tuple[Citation, ...]]]:
    """Claims of one block: (text, flags at claim offsets, own citations, paragraph citations).

    A reference supports the sentence it follows and the sentences before it back to the
    previous reference; those earlier sentences get it as a paragraph citation.
    """
    spans = _spans(block)
    if not spans:
        return []
    # Sentences without a word ("—", "…") cannot be claims; fold them into a neighbour.
    merged: list[tuple[int, int]] = []
    pending_start: int | None = None
    text = block.text
    for start, end in spans:
        if not _HAS_WORD.search(text, start, end):
            if merged:
                merged[-1] = (merged[-1][0], end)
            elif pending_start is None:
                pending_start = start
            continue
        if pending_start is not None:
            start, pending_start = pending_start, None
        merged.append((start, end))
    if not merged:
        return []
    if not block.flags and not block.refs:  # many blocks: nothing to place
        return [(text[start:end], (), (), ()) for start, end in merged]
    starts = [start for start, _ in merged]
    flags: list[list[Flag]] = [[] for _ in merged]
    cites: list[list[Citation]] = [[] for _ in merged]
    for flag in block.flags:
        index = _owner(starts, flag.offset)
        start, end = merged[index]
        offset = min(max(flag.offset, start), end) - start
        flags[index].append(
            Flag(flag.type, flag.label, offset, flag.date, flag.reason, flag.template)
        )
    for ref in block.refs:
        cites[_owner(starts, ref.offset)].append(ref.citation)
    own = [_unique(found) for found in cites]
    inherited: list[tuple[Citation, ...]] = [()] * len(merged)
    carried: tuple[Citation, ...] = ()
    for index in range(len(merged) - 1, -1, -1):
        if own[index]:
            carried = own[index]
        else:
            inherited[index] = carried
    return [
        (text[start:end], tuple(flags[index]), own[index], inherited[index])
        for index, (start, end) in enumerate(merged)
    ]


def _unique(citations: list[Citation]) -> tuple[Citation, ...]:
    """The citations in order, each once."""
    if len(citations) < 2:
        return tuple(citations)  # most claims have one citation or none: nothing to hash
    seen: set[Citation] = set()
    result = []
    for citation in citations:
        if citation not in seen:
            seen.add(citation)
            result.append(citation)
    return tuple(result)


def split_claims(document: Document) -> list[Claim]:
    """All claims of a document in reading order, with stable ids."""
    claims: list[Claim] = []
    # NOTE: a dict, not a Counter: `Counter.__missing__` is a Python call for every new id.
    seen: dict[str, int] = {}
    for block in document.blocks:
        section = SECTION_SEPARATOR.join(block.section)
        kind = _claim_kind(block.kind)
        for text, flags, citations, paragraph_citations in split_block(block):
            digest = _digest(text)
            occurrence = seen[digest] = seen.get(digest, 0) + 1
            claims.append(
                Claim(
                    id=_id_from_digest(digest, occurrence),
                    section=section,
                    kind=kind,
                    text=text,
                    flags=flags,
                    citations=citations,
                    anchor=block.anchor,
                    section_index=block.section_index,
                    paragraph_citations=paragraph_citations,
                )
            )
    return claims
