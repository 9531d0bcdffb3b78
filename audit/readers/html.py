"""Rendered article HTML → Document: Parsoid HTML (REST API, Enterprise dumps) and legacy
parser output (action=parse, saved pages).

Speed matters (whole-wiki scans), so Python touches as few nodes as possible. The page is
parsed once with lexbor (selectolax); flags, references, headings and block boundaries are
replaced by short private-use markers in the DOM; then ONE call to `text()` flattens the page
and a regex over that string rebuilds the blocks. Per-node Python work is proportional to the
number of references, flags and blocks, not to the size of the markup.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from audit.model import INFOBOX_SECTION, Banner, Document
from audit.readers.citations import clean
from audit.readers.footnotes import collect_footnotes
from audit.readers.inline import BlockBuilder, add_marked_text, strip_invisible
from audit.readers.marking import KIND_CODES, Marks, find_inline, mark_inline, mark_structure
from audit.readers.sections import SectionTracker
from audit.readers.text import snapshot_timestamp

_TOKEN = re.compile("\ue000([BEHLSFRN])([^\ue001]*)\ue001")
_KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}
_REVISION_ABOUT = re.compile(r"/revision/(\d+)")
_LEGACY_REVISION = re.compile(r'"wgRevisionId":\s*(\d+)')


def is_parsoid(content: str) -> bool:
    """Parsoid output marks transclusions with `typeof="mw:…"` and `data-mw`."""
    head = content[:200_000]
    return "data-mw=" in head or "parsoid-body" in head or "mw:Transclusion" in head


def read_html(content: str, *, source: str | None = None, title: str | None = None) -> Document:
    """Read rendered article HTML (either dialect) into a `Document`."""
    if content.count('=\\"', 0, 20_000) > 20:
        # A page stored as a JSON string body (`class=\"infobox\"`): undo the escaping, or
        # every attribute would parse wrong.
        content = content.replace('\\"', '"')
    parsoid = is_parsoid(content)
    tree = LexborHTMLParser(content)
    page_title, revision, timestamp = _page_meta(tree, content, parsoid)
    root = _content_root(tree, parsoid)
    if root is None:
        return Document(
            title or page_title, "parsoid" if parsoid else "html", (), timestamp, revision, source
        )
    inline = find_inline(root)
    footnotes = collect_footnotes(inline.reference_lists, tree, parsoid)
    marks = mark_inline(inline, footnotes, parsoid)
    mark_structure(root)
    flat = strip_invisible(root.text(deep=True, separator=""))
    found_banners: list[Banner] = []
    blocks = blocks_from_text(flat, marks, found_banners)
    return Document(
        title=title or page_title,
        format="parsoid" if parsoid else "html",
        blocks=tuple(blocks),
        timestamp=timestamp,
        revision=revision,
        source=source,
        banners=tuple(found_banners),
    )


# --- page metadata ---------------------------------------------------------------------------


def _page_meta(
    tree: LexborHTMLParser, content: str, parsoid: bool
) -> tuple[str | None, int | None, str | None]:
    """Title, revision id and timestamp, as far as the page tells."""
    title_node = tree.css_first("title")
    page_title = clean(title_node.text()) if title_node is not None else None
    revision = timestamp = None
    if parsoid:
        html = tree.css_first("html")
        about = html.attributes.get("about") if html is not None else None
        match = _REVISION_ABOUT.search(about or "")
        revision = int(match.group(1)) if match else None
        modified = tree.css_first('meta[property="dc:modified"]')
        if modified is not None:
            stamp = modified.attributes.get("content") or ""
            timestamp = stamp.replace(".000Z", "Z") or None
    else:
        if page_title and page_title.endswith(" - Wikipedia"):
            page_title = page_title[: -len(" - Wikipedia")]
        heading = tree.css_first("#firstHeading")
        if heading is not None:
            page_title = clean(heading.text()) or page_title
        match = _LEGACY_REVISION.search(content)
        revision = int(match.group(1)) if match else None
        lastmod = tree.css_first("#footer-info-lastmod")
        if lastmod is not None:
            timestamp = snapshot_timestamp(lastmod.text())
    return page_title, revision, timestamp


def _content_root(tree: LexborHTMLParser, parsoid: bool) -> LexborNode | None:
    if not parsoid:
        for selector in ("#mw-content-text .mw-parser-output", ".mw-parser-output"):
            node = tree.css_first(selector)
            if node is not None:
                return node
    return tree.body


def blocks_from_text(text: str, marks: Marks, found_banners: list[Banner]) -> list:
    """Rebuild blocks from the flattened text and its markers (see marking.py)."""
    headings, flags, citations = marks.headings, marks.flags, marks.citations
    tracker = SectionTracker()
    emitted: list[tuple[str, tuple[str, ...], BlockBuilder, str | None, int | None]] = []
    stack: list[tuple[str, BlockBuilder]] = []

    def flush() -> None:
        if stack and not stack[-1][1].is_empty():
            kind, builder = stack[-1]
            if not tracker.in_end_matter:
                in_infobox = any(outer == "infobox" for outer, _ in stack)
                section = (INFOBOX_SECTION,) if in_infobox else tracker.section
                emitted.append((kind, section, builder, tracker.anchor, tracker.index))
            stack[-1] = (kind, BlockBuilder())

    def current() -> BlockBuilder:
        if not stack:
            stack.append(("paragraph", BlockBuilder()))
        return stack[-1][1]

    def previous_or_current() -> BlockBuilder:
        # A flag or reference right after a block closed belongs to that block.
        if (not stack or stack[-1][1].is_empty()) and emitted:
            return emitted[-1][2]
        return current()

    position = 0
    for match in _TOKEN.finditer(text):
        chunk = text[position : match.start()]
        if chunk.strip() or (stack and chunk):
            # Flags that lost their markup (a mirror stripped the classes) survive as labels.
            add_marked_text(current(), chunk, references=False)
        position = match.end()
        code, value = match.group(1), match.group(2)
        if code == "B":
            flush()
            kind = _KINDS_BY_CODE[value]
            outer = stack[-1][0] if stack else None
            if kind == "paragraph" and outer not in (None, "paragraph"):
                kind = outer  # a <p> inside a list item, quote or caption keeps that kind
            if outer == "infobox" and kind in ("list-item", "caption", "paragraph"):
                kind = "infobox" if kind != "caption" else "caption"
            stack.append((kind, BlockBuilder()))
        elif code == "E":
            flush()
            if stack:
                stack.pop()
            if len(stack) == 1 and stack[0][0] == "paragraph" and stack[0][1].is_empty():
                stack.pop()
        elif code == "L":
            flush()
        elif code == "S":
            if stack:
                stack[-1][1].add_separator(" | ")
        elif code == "H":
            while stack:
                flush()
                stack.pop()
            level, title, index, anchor = headings[int(value)]
            tracker.enter(level, title, index=index, anchor=anchor)
        elif code == "F":
            previous_or_current().add_flag(flags[int(value)])
        elif code == "R":
            previous_or_current().add_citation(citations[int(value)])
        elif code == "N" and not tracker.in_end_matter:
            in_section = bool(tracker.path)
            for banner in marks.banners[int(value)]:
                found_banners.append(
                    Banner(
                        banner.type,
                        "section" if in_section else "article",
                        tracker.section if in_section else (),
                        banner.template,
                        banner.date,
                        banner.reason,
                    )
                )
    tail = text[position:]
    if tail.strip():
        add_marked_text(current(), tail, references=False)
    while stack:
        flush()
        stack.pop()
    return [
        builder.build(kind, section, anchor=anchor, section_index=index)
        for kind, section, builder, anchor, index in emitted
    ]
