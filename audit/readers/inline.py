"""Build block text piece by piece, recording flags and references at offsets.

Every reader appends visible text, flags and citations in document order to a `BlockBuilder`;
it collapses whitespace and anchors each flag or reference right after the last visible
non-space character, so "claim.[citation needed]" and "claim. {{cn}}" give the same offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from audit.catalogue import lookup_label
from audit.model import Block, Citation, Flag, Ref

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def _has_odd_spaces(text: str) -> bool:
    """A double space or a space character other than " ": the chunk needs `_fold_spaces`."""
    # NOTE: chained `in` tests: `any()` over a tuple costs a generator, 3x slower per chunk.
    return (
        "  " in text
        or "\n" in text
        or "\t" in text
        or "\r" in text
        or "\u00a0" in text
        or "\u2009" in text
        or "\u202f" in text
        or "\x0b" in text
        or "\x0c" in text
    )


def _fold_spaces(text: str) -> str:
    """Every run of whitespace in non-empty `text` as one space (leading and trailing too)."""
    # NOTE: str.split/join, 2x faster than `re.sub(r"\s+", " ", text)`; `\s`, `split()` and
    # `isspace()` agree on what whitespace is (\u00a0, \u2009 and \u202f included).
    words = text.split()
    if not words:
        return " "
    folded = " ".join(words)
    if text[0].isspace():
        folded = " " + folded
    if text[-1].isspace():
        folded += " "
    return folded


_INVISIBLE_CHARACTERS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def strip_invisible(text: str) -> str:
    """Remove zero-width characters and soft hyphens; readers do it once per document."""
    # NOTE: str.translate with a mapping costs ~70 ns a character and a regex scan ~8 ns; six
    # `in` tests (and `replace` for the few present) are ~20x faster still.
    for character in _INVISIBLE_CHARACTERS:
        if character in text:
            text = text.replace(character, "")
    return text


_SENTENCE_END = ".!?\u2026"
_CLOSING_PUNCTUATION = ".,;:!?)]\u2026"
_BRACKET = re.compile(r"\[([^\[\]\n]{1,80})\]")
_NUMBER_MARKER = re.compile(r"^\d{1,4}$")
# Explanatory-note markers ([a], [note 1], [lower-alpha 4]): removed, but no citation.
_NOTE_MARKER = re.compile(
    r"^(?:[a-z]{1,2}|(?:note|nb|n|lower-alpha|upper-alpha|lower-roman|upper-roman|lower-greek)"
    r" ?[0-9a-z]{1,3})$"
)


@dataclass
class BlockBuilder:
    """Accumulates one block's text with flags and references anchored at offsets."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    pending_space: bool = False
    flags: list[Flag] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)
    last_char: str = ""
    after_marker: bool = False
    pending_separator: str = ""

    def add_text(self, text: str) -> None:
        """Append visible text; runs of whitespace become one space, leading space is dropped."""
        if not text:
            return
        # NOTE: readers strip invisible characters once per document (strip_invisible); here
        # only whitespace runs are folded, and only when the chunk has any (most have none).
        if _has_odd_spaces(text):
            text = _fold_spaces(text)
        if text[0] == " ":
            self.pending_space = True
            text = text[1:]
        if not text:
            return
        if self.length and self.pending_separator:
            self.parts.append(self.pending_separator)
            self.length += len(self.pending_separator)
        elif self.after_marker and self.pending_space and text[0] in _CLOSING_PUNCTUATION:
            pass  # "green {{cn}}." → "green." : the space belonged to the removed flag
        elif self.length and (self.pending_space or self._needs_space_after_marker(text)):
            self.parts.append(" ")
            self.length += 1
        self.pending_space = False
        self.pending_separator = ""
        self.after_marker = False
        if text.endswith(" "):
            text = text[:-1]
            self.pending_space = True
        self.parts.append(text)
        self.length += len(text)
        self.last_char = text[-1]

    def _needs_space_after_marker(self, text: str) -> bool:
        # "gains.[citation needed]According" lost its space in the copy; put it back so the
        # sentence splitter still sees the boundary.
        return self.after_marker and self.last_char in _SENTENCE_END and text[0].isupper()

    def add_separator(self, separator: str) -> None:
        """Separate what follows (the next table cell) from what came before, if both exist."""
        if self.length:
            self.pending_separator = separator

    def add_flag(self, flag: Flag) -> None:
        """Record a flag right after the text written so far."""
        self.flags.append(_at(flag, self.length))
        self.after_marker = True

    def add_citation(self, citation: Citation) -> None:
        """Record a citation right after the text written so far."""
        self.refs.append(Ref(self.length, citation))
        self.after_marker = True

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def is_empty(self) -> bool:
        return not self.length and not self.flags

    def build(
        self,
        kind: str,
        section: tuple[str, ...],
        *,
        anchor: str | None = None,
        section_index: int | None = None,
    ) -> Block:
        """Freeze what was collected into a `Block`."""
        return Block(
            kind=kind,
            section=section,
            text=self.text,
            flags=tuple(self.flags),
            refs=tuple(self.refs),
            anchor=anchor,
            section_index=section_index,
        )


def _at(flag: Flag, offset: int) -> Flag:
    return Flag(flag.type, flag.label, offset, flag.date, flag.reason, flag.template)


def add_marked_text(builder: BlockBuilder, text: str, *, references: bool) -> None:
    """Add text in which flags survive only as bracketed labels (`[citation needed]`).

    Plain-text copies keep flags that way, and so does HTML whose markup a mirror mangled;
    with `references`, bracketed numbers (`[12]`, `[b]`) count as citation markers too.
    """
    if "[" not in text:
        builder.add_text(text)
        return
    position = 0
    for match in _BRACKET.finditer(text):
        inner = match.group(1).strip()
        flag_type = lookup_label(inner)
        is_ref = references and flag_type is None and _NUMBER_MARKER.match(inner)
        is_note = references and flag_type is None and not is_ref and _NOTE_MARKER.match(inner)
        if flag_type is None and not is_ref and not is_note:
            continue
        builder.add_text(text[position : match.start()])
        if flag_type is not None:
            builder.add_flag(Flag(flag_type.type, inner, 0))
        elif is_ref:
            builder.add_citation(Citation(text=match.group(0)))
        else:
            builder.after_marker = True  # a note marker: gone from the text, nothing recorded
        position = match.end()
    builder.add_text(text[position:])
