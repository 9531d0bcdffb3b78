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

import mwparserfromhell
from selectolax.lexbor import LexborHTMLParser, LexborNode

from audit.catalogue import is_banner_container, lookup_banner_text, lookup_template
from audit.model import INFOBOX_SECTION, Banner, Citation, Document, Flag
from audit.readers.citations import clean
from audit.readers.footnotes import Footnote, collect_footnotes
from audit.readers.inline import BlockBuilder, add_marked_text, strip_invisible
from audit.readers.markup import (
    TEMPLATE_TARGET,
    flag_from_node,
    flat_params,
    outermost,
    remove,
    select,
    transclusion_data,
    unescape_json_string,
)
from audit.readers.sections import SectionTracker
from audit.readers.text import snapshot_timestamp

MARK, END = "\ue000", "\ue001"
_TOKEN = re.compile("\ue000([BEHLSFRN])([^\ue001]*)\ue001")

# Elements that carry no article claims: page chrome, navigation, maintenance boxes,
# hidden text, and reference lists (read before they are removed).
_NOISE = ", ".join(
    (
        "style",
        "script",
        "noscript",
        "link",
        "meta",
        "template",
        "annotation",
        ".mw-editsection",
        ".navbox",
        ".navbox-styles",
        ".vertical-navbox",
        ".sidebar",
        ".hatnote",
        ".dablink",
        ".shortdescription",
        ".ambox",
        ".ombox",
        ".tmbox",
        ".cmbox",
        ".fmbox",
        ".mbox-small",
        ".metadata",
        ".sistersitebox",
        ".portalbox",
        ".portal-bar",
        ".mw-empty-elt",
        ".mw-cite-backlink",
        "#toc",
        ".toc",
        ".catlinks",
        ".printfooter",
        ".mw-jump-link",
        ".mw-indicators",
        ".mwe-math-fallback-image-inline",
        ".mwe-math-fallback-image-display",
        '[style*="display:none"]',
        '[style*="display: none"]',
        ".noviewer",
        ".authority-control",
        ".navigation-not-searchable",
    )
)
_REFERENCE_LISTS = "ol.references, ol.mw-references, .mw-references-wrap, .reflist, .refbegin"
_BLOCKS = (
    "p, li, dd, dt, blockquote, figcaption, .thumbcaption, .gallerytext, caption, table, tr, "
    "td, th, br"
)
_KIND_CODES = {
    "paragraph": "p",
    "list-item": "l",
    "quote": "q",
    "caption": "c",
    "infobox": "i",
    "table-row": "t",
}
_KINDS_BY_CODE = {code: kind for kind, code in _KIND_CODES.items()}

_SECTION_PARAM = re.compile(r"[?&;]section=(\d+)")
_REVISION_ABOUT = re.compile(r"/revision/(\d+)")
_LEGACY_REVISION = re.compile(r'"wgRevisionId":\s*(\d+)')
_NOTE_TEXT = re.compile(r"^\[\s*\d+\s*\]$")


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
    headings = _mark_headings(root, parsoid)
    footnotes = collect_footnotes(root, tree, parsoid)
    remove(select(root, _REFERENCE_LISTS))
    flags: list[Flag] = []
    citations: list[Citation] = []
    banners: list[list[Banner]] = []
    _mark_banners(root, parsoid, banners)
    _mark_references_and_flags(root, footnotes, parsoid, flags, citations)
    remove(select(root, _NOISE))
    _mark_blocks(root)
    flat = strip_invisible(root.text(deep=True, separator=""))
    found_banners: list[Banner] = []
    blocks = _blocks_from_text(flat, headings, flags, citations, banners, found_banners)
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


# --- headings --------------------------------------------------------------------------------


def _mark_headings(
    root: LexborNode, parsoid: bool
) -> list[tuple[int, str, int | None, str | None]]:
    """Replace h2..h6 by markers; return (level, title, edit-section number, anchor) each."""
    headings: list[tuple[int, str, int | None, str | None]] = []
    for node in select(root, "h2, h3, h4, h5, h6"):
        level = int(node.tag[1])
        headline = node.css_first(".mw-headline")
        anchor = (headline or node).attributes.get("id")
        for edit in node.css(".mw-editsection"):
            edit.decompose()
        text = clean((headline or node).text(deep=True)) or ""
        index = _section_index(node, parsoid)
        headings.append((level, text, index, anchor))
        node.replace_with(f"{MARK}H{len(headings) - 1}{END}")
    return headings


def _section_index(heading: LexborNode, parsoid: bool) -> int | None:
    """Edit-section number: Parsoid's `data-mw-section-id`, legacy's edit link `section=N`."""
    parent = heading.parent
    if parsoid:
        value = parent.attributes.get("data-mw-section-id") if parent is not None else None
        return int(value) if value and value.lstrip("-").isdigit() and int(value) > 0 else None
    for scope in (heading, parent):
        if scope is None:
            continue
        link = scope.css_first('.mw-editsection a[href*="section="]')
        if link is not None:
            match = _SECTION_PARAM.search(link.attributes.get("href") or "")
            if match:
                return int(match.group(1))
    return None


# --- banners --------------------------------------------------------------------------------

_BOX_CLASS = re.compile(r"\bbox-([A-Za-z0-9_%.'-]+)")


def _mark_banners(root: LexborNode, parsoid: bool, banners: list[list[Banner]]) -> None:
    """Replace each article/section message box by an N marker listing its banners."""
    for node in outermost(select(root, ".ambox")):
        found = _banners_of(node, parsoid)
        if found:
            banners.append(found)
            node.replace_with(f"{MARK}N{len(banners) - 1}{END}")


def _banners_of(node: LexborNode, parsoid: bool) -> list[Banner]:
    """The banners one box stands for ({{Multiple issues}} holds several)."""
    data = transclusion_data(node) if parsoid else None
    if data:
        target = TEMPLATE_TARGET.search(data)
        name = unescape_json_string(target.group(1)) if target else ""
        if is_banner_container(name):
            inner = flat_params(data, target.end() if target else 0).get("1", "")
            return [
                banner
                for template in mwparserfromhell.parse(inner).filter_templates(recursive=False)
                if (banner := _banner(str(template.name), _template_args(template)))
            ]
        banner = _banner(name, flat_params(data, target.end() if target else 0))
        if banner:
            return [banner]
    classes = node.attributes.get("class") or ""
    box = _BOX_CLASS.search(classes)
    if box and is_banner_container(box.group(1).replace("_", " ")):
        return [
            banner
            for inner in select(node, ".ambox")
            if inner.mem_id != node.mem_id
            for banner in _banners_of(inner, False)
        ]
    date_node = node.css_first(".date")
    date = date_node.text().strip() if date_node is not None else None
    if box:
        banner = _banner(box.group(1).replace("_", " "), {"date": date or ""})
        if banner:
            return [banner]
    text_node = node.css_first(".mbox-text") or node
    flag_type = lookup_banner_text(text_node.text(deep=True).strip())
    if flag_type is not None:
        return [Banner(flag_type.type, "article", date=date)]
    return []


def _template_args(template: mwparserfromhell.nodes.Template) -> dict[str, str]:
    return {str(param.name).strip().lower(): str(param.value).strip() for param in template.params}


def _banner(name: str, params: dict[str, str]) -> Banner | None:
    flag_type = lookup_template(name)
    if flag_type is None or flag_type.scope != "banner":
        return None
    # Scope and section are filled in where the box stands, when the page text is rebuilt.
    return Banner(
        flag_type.type,
        "article",
        template=name.strip(),
        date=params.get("date") or None,
        reason=params.get("reason") or None,
    )


# --- references and flags ----------------------------------------------------------------


def _mark_references_and_flags(
    root: LexborNode,
    footnotes: dict[str, Footnote],
    parsoid: bool,
    flags: list[Flag],
    citations: list[Citation],
) -> None:
    """Replace each reference by an R marker (plus F for flags written inside it) and each
    inline flag by an F marker; drop explanatory notes and non-flag inline templates."""
    nodes = outermost(select(root, "sup.reference, sup.mw-ref, .Inline-Template"))
    references = [node for node in nodes if node.tag == "sup" and _is_reference(node)]
    defined = {
        _ref_target(node)
        for node in references
        if '"body"' in (node.attributes.get("data-mw") or "")
    }
    flagged: set[str] = set()
    for node in nodes:
        if not (node.tag == "sup" and _is_reference(node)):
            flag = flag_from_node(node, parsoid)
            if flag is None:
                node.decompose()
            else:
                flags.append(flag)
                node.replace_with(f"{MARK}F{len(flags) - 1}{END}")
            continue
        if _is_note(node, parsoid):
            node.decompose()
            continue
        target = _ref_target(node) or ""
        footnote = footnotes.get(target)
        if footnote is None:
            citation, flag_list = Citation(text=clean(node.text(deep=True))), ()
        else:
            citation, flag_list = footnote.citation, footnote.flags
        citations.append(citation)
        markers = [f"{MARK}R{len(citations) - 1}{END}"]
        # Flags inside a reused reference count once: where it is defined (Parsoid marks the
        # defining use with a `body`), else at its first use.
        is_definition = '"body"' in (node.attributes.get("data-mw") or "")
        if flag_list and target not in flagged and (is_definition or target not in defined):
            flagged.add(target)
            for flag in flag_list:
                flags.append(flag)
                markers.append(f"{MARK}F{len(flags) - 1}{END}")
        node.replace_with("".join(markers))


def _is_reference(node: LexborNode) -> bool:
    classes = node.attributes.get("class") or ""
    return ("reference" in classes or "mw-ref" in classes) and "Inline-Template" not in classes


def _ref_target(node: LexborNode) -> str | None:
    link = node.css_first("a")
    href = link.attributes.get("href") if link is not None else None
    return href.rsplit("#", 1)[-1] if href and "#" in href else None


def _is_note(node: LexborNode, parsoid: bool) -> bool:
    """Explanatory notes ({{efn}}, group=…) are not citations."""
    if parsoid:
        link = node.css_first("a[data-mw-group]")
        return link is not None or '"group"' in (node.attributes.get("data-mw") or "")
    return not _NOTE_TEXT.match(node.text(deep=True).strip())


# --- blocks ----------------------------------------------------------------------------------


def _begin(kind: str) -> str:
    return f"{MARK}B{_KIND_CODES[kind]}{END}"


_END_MARK = f"{MARK}E{END}"
_LINE_MARK = f"{MARK}L{END}"
_CELL_MARK = f"{MARK}S{END}"


def _wrap(node: LexborNode, kind: str) -> None:
    node.insert_before(_begin(kind))
    node.insert_after(_END_MARK)


def _mark_blocks(root: LexborNode) -> None:
    """Put block boundary markers around paragraphs, list items, captions, table rows."""
    handled: set[int] = set()
    for node in select(root, _BLOCKS):
        if node.mem_id in handled:
            continue
        tag = node.tag
        if tag == "table":
            classes = node.attributes.get("class") or ""
            if "infobox" in classes:
                _mark_infobox(node, handled)
            continue
        if tag == "tr":
            _wrap(node, "table-row")
        elif tag in ("td", "th"):
            node.insert_before(_CELL_MARK)
        elif tag == "br":
            node.replace_with(" ")
        elif tag == "li":
            _wrap(node, "list-item")
        elif tag == "blockquote":
            _wrap(node, "quote")
        elif tag in ("figcaption", "caption") or tag == "div":
            _wrap(node, "caption")
        else:
            _wrap(node, "paragraph")


def _mark_infobox(table: LexborNode, handled: set[int]) -> None:
    """Infobox: labels dropped, every value line (cell, <br>, list item, div) a claim."""
    for node in table.css("*"):
        handled.add(node.mem_id)
    remove(select(table, "th, caption, .infobox-above, .infobox-title"))
    for node in table.css("td"):
        _wrap(node, "infobox")
    for node in table.css("br"):
        node.replace_with(_LINE_MARK)
    for node in select(table, "li, p, div"):
        classes = node.attributes.get("class") or ""
        if "infobox-caption" in classes:
            _wrap(node, "caption")
        else:
            node.insert_before(_LINE_MARK)
            node.insert_after(_LINE_MARK)


def _blocks_from_text(
    text: str,
    headings: list[tuple[int, str, int | None, str | None]],
    flags: list[Flag],
    citations: list[Citation],
    banners: list[list[Banner]],
    found_banners: list[Banner],
) -> list:
    """Rebuild blocks from the flattened text and its markers."""
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
        elif code == "N":
            in_section = bool(tracker.path)
            for banner in banners[int(value)]:
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
