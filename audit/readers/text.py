"""Plain text as a browser copy or a mirror shows an article (the seed document's form).

What survives copying: bracketed flag labels (`[citation needed]`), reference numbers
(`[12]`, `[b]`) when the copier kept them, headings as short lines, the infobox as lines before
the lead, captions as short lines near paragraphs, and the mirror's own boilerplate (footer,
"Top" links), which we drop after reading the snapshot time from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from audit.catalogue import lookup_banner_text
from audit.model import INFOBOX_SECTION, LEAD_SECTION, Banner, Block, Citation, Document, Flag, Ref
from audit.readers.inline import BlockBuilder, add_marked_text, strip_invisible
from audit.readers.sections import is_end_matter
from audit.sentences import split_sentences

# Footers that date the copy; each gives (regex, strptime format of the captured text).
_FOOTER_TIMESTAMPS = (
    (
        re.compile(r"This page was last updated at (\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}) UTC"),
        "%Y-%m-%d %H:%M",
    ),
    (
        re.compile(r"This page was last edited on (\d{1,2} \w+ \d{4}), at (\d{1,2}:\d{2})"),
        "%d %B %Y %H:%M",
    ),
)

# Lines that belong to the mirror or the browser page around the article, not to it.
_BOILERPLATE = tuple(
    re.compile(pattern)
    for pattern in (
        r"^Top$",
        r"^This page was last (?:updated|edited) ",
        r"^All our content comes from Wikipedia",
        r"^If mathematical, chemical, physical and other formulas",
        r"^From Wikipedia, the free encyclopedia$",
        r"^Jump to (?:navigation|content|search)",
        r"^Text is available under the Creative Commons",
        r"^Retrieved from [\"“]",
        r"^Categories?:",
        r"^Hidden categories:",
        r"^\(Top\)$",
        r"^Contents$",
        r"^hide$",
        r"^Toggle the table of contents$",
        r"^This article is about .{0,120}\. For other uses, see",
        r"^\(?Learn how and when to remove (?:this|these) (?:template )?messages?\)?$",
        r"^Find sources: ",
        r"^Please help (?:improve|update) this (?:article|section)",
        # Hatnotes: navigation between articles, not claims.
        r"^(?:Main articles?|See also|Further information|Further|Related articles?|"
        r"For more details(?: on this topic)?, see|Not to be confused with)\s*:",
    )
)

# Infobox field labels (Template:Infobox military conflict, person, country, ...); a label
# alone on a line is not a claim, and a label glued to its value ("Date30 September") is cut
# off, so the line reads like the value cell an HTML reader sees.
INFOBOX_LABELS = (
    "Casualties and losses",
    "Commanders and leaders",
    "Territorial changes",
    "Units involved",
    "Belligerents",
    "Strength",
    "Location",
    "Result",
    "Status",
    "Date",
    "Born",
    "Died",
    "Nationality",
    "Occupation",
    "Years active",
    "Spouse",
    "Spouses",
    "Children",
    "Parents",
    "Capital",
    "Population",
    "Government",
    "Area",
    "Founded",
    "Headquarters",
    "Website",
    "Type",
    "Industry",
    "Key people",
    "Products",
    "Genre",
    "Genres",
    "Released",
    "Label",
)
_GLUED_LABEL = re.compile(
    r"^(" + "|".join(re.escape(label) for label in INFOBOX_LABELS) + r")(?=[0-9A-Z(])"
)
_LABEL_ONLY = frozenset(label.lower() for label in INFOBOX_LABELS)

_BULLET = re.compile(r"^(?:[•·▪◦‣∙*]|\d{1,2}[.)])\s+")
_ATTRIBUTION = re.compile(r"^[—―–]\s*\S")
_HEADING_MAX_WORDS = 10
_TERMINAL = '.!?:;"”’)]…'
_CAPTION_PREFIX = re.compile(
    r"^(?:Top|Middle|Bottom|Left|Right|Above|Below|Clockwise from (?:top )?(?:left|right)"
    r"|From top(?: left)?|Inset)\b[^:]{0,30}:"
)
_EDIT_LINK = re.compile(r"\[\s*edit(?: source)?\s*\]")


@dataclass(frozen=True)
class _Line:
    number: int
    raw: str
    """The line without its trailing newline."""
    text: str
    """Stripped, NBSP-normalised text (flags still in)."""
    indent_nbsp: bool
    """The line began with a non-breaking space: a flag icon a copy could not show."""


def snapshot_timestamp(text: str) -> str | None:
    """ISO 8601 UTC time from a mirror's or Wikipedia's footer, if the copy has one."""
    for pattern, fmt in _FOOTER_TIMESTAMPS:
        match = pattern.search(text)
        if match:
            stamp = " ".join(match.groups())
            try:
                parsed = datetime.strptime(stamp, fmt)
            except ValueError:
                continue
            return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def read_text(content: str, *, source: str | None = None, title: str | None = None) -> Document:
    """Read a plain-text copy of an article into a `Document`."""
    content = strip_invisible(content)
    timestamp = snapshot_timestamp(content)
    lines, end_matter = _content_lines(content)
    doc_title, lines = _take_title(lines, title)
    lead_index = _first_prose_index(lines)
    infobox_lines = lines[:lead_index] if lead_index is not None else []
    body_lines = lines[lead_index:] if lead_index is not None else lines
    banners: list[Banner] = []
    blocks = _infobox_blocks(infobox_lines, banners) + _body_blocks(body_lines, banners)
    blocks = resolve_reference_list(blocks, end_matter)
    return Document(
        title=doc_title,
        format="text",
        blocks=tuple(blocks),
        timestamp=timestamp,
        source=source,
        banners=tuple(banners),
    )


def _banner_line(visible: str, section: tuple[str, ...] | None, banners: list[Banner]) -> bool:
    """Record a banner's first sentence ("This article needs additional citations …")."""
    starts = visible.startswith(("This ", "Parts of this "))
    flag_type = lookup_banner_text(visible) if starts else None
    if flag_type is None:
        return False
    if section is None:
        banners.append(Banner(flag_type.type, "article"))
    else:
        banners.append(Banner(flag_type.type, "section", section))
    return True


def _content_lines(content: str) -> tuple[list[_Line | None], list[_Line | None]]:
    """Lines of the article (`None` for blank lines, boilerplate removed), and the end matter
    (references, notes, links) that follows them."""
    result: list[_Line | None] = []
    for number, raw in enumerate(content.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        indent_nbsp = raw.lstrip(" \t").startswith("\u00a0")
        text = _EDIT_LINK.sub("", raw.replace("\u00a0", " ")).strip()
        if not text:
            result.append(None)
            continue
        if any(pattern.search(text) for pattern in _BOILERPLATE):
            result.append(None)
            continue
        result.append(_Line(number, raw, text, indent_nbsp))
    # Cut at an end-matter heading that stands alone (blank line before and after it).
    for index, line in enumerate(result):
        if line is None or not is_end_matter(line.text):
            continue
        before = index == 0 or result[index - 1] is None
        after = index + 1 >= len(result) or result[index + 1] is None
        if before and after:
            return result[:index], result[index:]
    return result, []


def _take_title(
    lines: list[_Line | None], title: str | None
) -> tuple[str | None, list[_Line | None]]:
    """Title = the first line when it looks like one; repeats of it (infobox caption) dropped."""
    first = next((index for index, line in enumerate(lines) if line is not None), None)
    if first is None:
        return title, lines
    candidate = lines[first]
    assert candidate is not None
    found = None
    if len(candidate.text) <= 200 and candidate.text[-1:] not in ".!?":
        found = candidate.text
        lines = lines[first + 1 :]
    final_title = title or found
    if final_title:
        lines = [None if line is not None and line.text == final_title else line for line in lines]
    return final_title, lines


def _strip_markers(text: str) -> BlockBuilder:
    """Text with bracketed flags and reference markers taken out and recorded at offsets."""
    builder = BlockBuilder()
    add_marked_text(builder, text, references=True)
    return builder


def _visible(text: str) -> str:
    return _strip_markers(text).text


def _is_prose(line: _Line) -> bool:
    """A lead/body paragraph: long, several sentences, properly ended, not a list item."""
    if _BULLET.match(line.text) or line.indent_nbsp:
        return False
    visible = _visible(line.text)
    if len(visible) < 200 or visible[-1:] not in _TERMINAL:
        return False
    return len(split_sentences(visible)) >= 2


def _first_prose_index(lines: list[_Line | None]) -> int | None:
    for index, line in enumerate(lines):
        if line is not None and _is_prose(line):
            return index
    return None


def _infobox_blocks(lines: list[_Line | None], banners: list[Banner]) -> list[Block]:
    blocks: list[Block] = []
    for line in lines:
        if line is None:
            continue
        text = _BULLET.sub("", line.text)
        text = _GLUED_LABEL.sub("", text)
        builder = _strip_markers(text)
        visible = builder.text
        if not visible or _banner_line(visible, None, banners):
            continue
        is_label = visible.lower() in _LABEL_ONLY or (visible.endswith(":") and len(visible) < 60)
        if is_label and not builder.flags:
            continue
        kind = "caption" if _CAPTION_PREFIX.match(visible) else "infobox"
        section = (INFOBOX_SECTION,)
        blocks.append(builder.build(kind, section))
    return blocks


def _runs(lines: list[_Line | None]) -> list[list[_Line]]:
    """Consecutive non-blank lines."""
    runs: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        if line is None:
            if current:
                runs.append(current)
                current = []
        else:
            current.append(line)
    if current:
        runs.append(current)
    return runs


def _is_heading(visible: str) -> bool:
    words = visible.split()
    return (
        0 < len(words) <= _HEADING_MAX_WORDS
        and len(visible) <= 80
        and visible[-1] not in '.,;:!?"”'
        and "," not in visible
        and (visible[0].isupper() or visible[0].isdigit())
    )


def _is_terminated(builder: BlockBuilder) -> bool:
    text = builder.text
    if builder.flags and builder.flags[-1].offset == len(text):
        return True  # ends with a flag: "…ISIL[citation needed]"
    return text[-1:] in _TERMINAL


def _body_blocks(lines: list[_Line | None], banners: list[Banner]) -> list[Block]:
    blocks: list[Block] = []
    section: tuple[str, ...] = (LEAD_SECTION,)
    runs = _runs(lines)
    previous_was_heading = False
    for run_index, run in enumerate(runs):
        builders = [_strip_markers(_BULLET.sub("", line.text)) for line in run]
        visibles = [builder.text for builder in builders]
        standalone = len(run) == 1 and not builders[0].flags and not run[0].indent_nbsp
        if standalone and _is_heading(visibles[0]) and _BULLET.match(run[0].text) is None:
            section = (visibles[0],)
            previous_was_heading = True
            continue
        next_run = runs[run_index + 1] if run_index + 1 < len(runs) else None
        next_is_attribution = bool(next_run and _ATTRIBUTION.match(next_run[0].text))
        short_run = len(run) > 1 and all(len(visible) < 200 for visible in visibles)
        for line, builder, visible in zip(run, builders, visibles):
            if not visible or _ATTRIBUTION.match(line.text):
                continue
            if _banner_line(visible, None if section == (LEAD_SECTION,) else section, banners):
                continue
            kind = _body_kind(
                line, builder, visible, short_run, previous_was_heading and line is run[0]
            )
            if kind == "paragraph" and (
                next_is_attribution and line is run[-1] or _is_quotation(visible)
            ):
                kind = "quote"
            blocks.append(builder.build(kind, section))
        previous_was_heading = False
    return blocks


def _body_kind(
    line: _Line, builder: BlockBuilder, visible: str, short_run: bool, after_heading: bool
) -> str:
    if _BULLET.match(line.text) or line.indent_nbsp:
        return "list-item"
    if short_run or not _is_terminated(builder):
        return "caption" if len(visible) < 300 else "paragraph"
    if after_heading and len(visible) < 100 and len(split_sentences(visible)) == 1:
        return "caption"
    return "paragraph"


def _is_quotation(visible: str) -> bool:
    return visible[:1] in '"“' and visible[-1:] in '"”'


# A reference-list entry as copies show it: "^ a b Text", "1. ^ Text", "↑ Text", "1 2 3  Text"
# (Parsoid's numbered backlinks), "Jump up to: a b Text".
_REF_ENTRY = re.compile(
    r"^(?:\d{1,4}\.\s*)?"
    r"(?:(?:\^|↑)(?:\s+(?:[a-z]{1,2}|\d+(?:\.\d+)?)(?=\s))*"
    r"|\d{1,3}(?:\s+\d{1,3})+(?=\s\s)"
    r"|Jump up(?: to)?:?(?:\s+[a-z]{1,2}(?=\s))*)"
    r"\s+(?P<text>\S.*)$"
)
_NUMBERED = re.compile(r"^\[(\d{1,4})\]$")


_BARE_BACKLINK = re.compile(r"^(?:\^|↑|\d{1,3}(?:\s+\d{1,3})*|(?:[a-z]\s+)*[a-z])$")


def _reference_lists(end_matter: list[_Line | None]) -> list[list[str]]:
    """Entry texts of every reference list in the end matter, list by list.

    An entry may span lines (a bundle of citations in one reference, or the backlink alone on
    its line): lines that do not start an entry continue the current one, short headings
    ("Sources", "External links") end the list.
    """
    lists: list[list[str]] = []
    current: list[str] = []
    pending_backlink = False
    for line in end_matter:
        if line is None:
            continue
        text = line.text
        match = _REF_ENTRY.match(text)
        if match:
            current.append(match.group("text"))
            pending_backlink = False
        elif _BARE_BACKLINK.match(text):
            pending_backlink = True
        elif pending_backlink:
            current.append(text)
            pending_backlink = False
        elif current and (len(text) < 60 and text[-1:] not in '.)"”'):
            lists.append(current)  # a heading: the next list begins
            current = []
        elif current:
            current[-1] = f"{current[-1]} {text}"
    if current:
        lists.append(current)
    return lists


def resolve_reference_list(blocks: list[Block], end_matter: list[_Line | None]) -> list[Block]:
    """Give `[n]` markers the text of reference n, and its flags to the claim citing it.

    Flags written inside references ({{dead link}}, {{page needed}}) appear in a copy only in
    the reference list at the end; the claim that cites the reference carries them.
    """
    numbers = [
        int(match.group(1))
        for block in blocks
        for ref in block.refs
        if ref.citation.text and (match := _NUMBERED.match(ref.citation.text))
    ]
    lists = _reference_lists(end_matter)
    if not numbers or not lists:
        return blocks
    highest = max(numbers)
    entries = min(lists, key=lambda found: (abs(len(found) - highest), -len(found)))
    if len(entries) < highest * 0.8:
        return blocks
    parsed: list[tuple[str, tuple[Flag, ...]]] = []
    for entry in entries:
        builder = BlockBuilder()
        add_marked_text(builder, entry, references=False)
        parsed.append((builder.text, tuple(builder.flags)))
    flagged: set[int] = set()
    result = []
    for block in blocks:
        refs: list[Ref] = []
        flags = list(block.flags)
        for ref in block.refs:
            match = _NUMBERED.match(ref.citation.text or "")
            number = int(match.group(1)) if match else 0
            if not 1 <= number <= len(parsed):
                refs.append(ref)
                continue
            text, entry_flags = parsed[number - 1]
            refs.append(Ref(ref.offset, Citation(text=text[:300] or None, name=str(number))))
            if entry_flags and number not in flagged:
                flagged.add(number)
                flags.extend(replace(flag, offset=ref.offset) for flag in entry_flags)
        flags.sort(key=lambda flag: flag.offset)
        result.append(replace(block, refs=tuple(refs), flags=tuple(flags)))
    return result
