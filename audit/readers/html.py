"""Rendered article HTML → Document: Parsoid HTML (REST API, Enterprise dumps) and legacy
parser output (action=parse, saved pages).

Speed matters (whole-wiki scans), so Python touches as few nodes as possible. The page is
parsed once with lexbor (selectolax); flags, references, headings and block boundaries are
replaced by short private-use markers in the DOM; then ONE call to `text()` flattens the page
and a regex over that string rebuilds the blocks. Per-node Python work is proportional to the
number of references, flags and blocks, not to the size of the markup.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from audit.catalogue import lookup_label, lookup_template
from audit.model import INFOBOX_SECTION, Citation, Document, Flag
from audit.readers.citations import (
    citation_from_link,
    citation_from_params,
    clean,
    marked_dead,
)
from audit.readers.inline import BlockBuilder
from audit.readers.sections import SectionTracker
from audit.readers.text import snapshot_timestamp

MARK, END = "\ue000", "\ue001"
_TOKEN = re.compile("\ue000([BEHLSFR])([^\ue001]*)\ue001")

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

_TEMPLATE_TARGET = re.compile(r'"target":\{"wt":"((?:[^"\\]|\\.)*)"')
_TOOLTIP_DATE = re.compile(r"\((\w+ \d{4})\)\s*$")
_SECTION_PARAM = re.compile(r"[?&;]section=(\d+)")
_REVISION_ABOUT = re.compile(r"/revision/(\d+)")
_LEGACY_REVISION = re.compile(r'"wgRevisionId":\s*(\d+)')
_WIKILINK = re.compile(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]")
_EXTLINK = re.compile(r"\[(?:https?:)?//\S+\s+([^\]]*)\]")
_QUOTES_MARKUP = re.compile(r"'{2,}")
_NOTE_TEXT = re.compile(r"^\[\s*\d+\s*\]$")
_PARAM = re.compile(r'"([^"\\]{1,40})":\{"wt":"((?:[^"\\]|\\.)*)"')
_CITE_TEMPLATE = re.compile(r"^\s*(?:cite|citation|vcite|vancite)\b", re.I)


def select(node: LexborNode, selector: str) -> list[LexborNode]:
    """`node.css(selector)` without repeats.

    NOTE: lexbor returns a node once per matching selector of a comma-separated list
    (`"ol.references, ol.mw-references"` lists `<ol class="mw-references references">` twice);
    touching a node twice after decomposing it would crash, so every query goes through here.
    """
    seen: set[int] = set()
    result = []
    for found in node.css(selector):
        key = found.mem_id
        if key not in seen:
            seen.add(key)
            result.append(found)
    return result


@dataclass(frozen=True, slots=True)
class _Footnote:
    citation: Citation
    flags: tuple[Flag, ...]


def is_parsoid(content: str) -> bool:
    """Parsoid output marks transclusions with `typeof="mw:…"` and `data-mw`."""
    head = content[:200_000]
    return "data-mw=" in head or "parsoid-body" in head or "mw:Transclusion" in head


def read_html(content: str, *, source: str | None = None, title: str | None = None) -> Document:
    """Read rendered article HTML (either dialect) into a `Document`."""
    parsoid = is_parsoid(content)
    tree = LexborHTMLParser(content)
    page_title, revision, timestamp = _page_meta(tree, content, parsoid)
    root = _content_root(tree, parsoid)
    if root is None:
        return Document(
            title or page_title, "parsoid" if parsoid else "html", (), timestamp, revision, source
        )
    headings = _mark_headings(root, parsoid)
    footnotes = _collect_footnotes(root, tree, parsoid)
    for node in select(root, _REFERENCE_LISTS):
        node.decompose()
    flags: list[Flag] = []
    citations: list[Citation] = []
    _mark_references(root, footnotes, parsoid, flags, citations)
    _mark_flags(root, parsoid, flags)
    for node in select(root, _NOISE):
        node.decompose()
    _mark_blocks(root)
    blocks = _blocks_from_text(root.text(deep=True, separator=""), headings, flags, citations)
    return Document(
        title=title or page_title,
        format="parsoid" if parsoid else "html",
        blocks=tuple(blocks),
        timestamp=timestamp,
        revision=revision,
        source=source,
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


# --- references ------------------------------------------------------------------------------


def _collect_footnotes(
    root: LexborNode, tree: LexborHTMLParser, parsoid: bool
) -> dict[str, _Footnote]:
    """Footnote id (`cite_note-…`) → its citation and the flags written inside it."""
    footnotes: dict[str, _Footnote] = {}
    bibliography: dict[str, LexborNode] | None = None
    for item in select(root, "ol.references > li, ol.mw-references > li"):
        note_id = item.attributes.get("id")
        if not note_id:
            continue
        body = item.css_first(".mw-reference-text") or item.css_first(".reference-text") or item
        flags = tuple(
            flag
            for flag in (_flag_from_node(node, parsoid) for node in body.css(".Inline-Template"))
            if flag is not None
        )
        for node in body.css(".Inline-Template"):
            node.decompose()
        citation = _citation_from_node(body, parsoid, note_id)
        if citation.url is None:
            target = _short_cite_target(body)
            if target:
                if bibliography is None:
                    bibliography = {
                        node.attributes.get("id") or "": node
                        for node in tree.css('cite[id^="CITEREF"]')
                    }
                full = bibliography.get(target)
                if full is not None and full.parent is not None:
                    resolved = _citation_from_node(full.parent, parsoid, note_id, cite=full)
                    citation = Citation(
                        url=resolved.url,
                        domain=resolved.domain,
                        title=resolved.title,
                        publisher=resolved.publisher,
                        date=resolved.date,
                        access_date=resolved.access_date,
                        archive_url=resolved.archive_url,
                        dead=resolved.dead,
                        name=citation.name,
                        text=citation.text,
                    )
        if any(flag.type in ("dead-link", "permanent-dead-link") for flag in flags):
            citation = marked_dead(citation)
        footnotes[note_id] = _Footnote(citation, flags)
    return footnotes


def _short_cite_target(body: LexborNode) -> str | None:
    link = body.css_first('a[href*="#CITEREF"]')
    if link is None:
        return None
    return (link.attributes.get("href") or "").rsplit("#", 1)[-1] or None


def _note_name(note_id: str) -> str | None:
    """`cite_note-Kornelius-2013-4` → `Kornelius-2013`; anonymous refs have no name."""
    name = note_id.removeprefix("cite_note-")
    name = name.rsplit("-", 1)[0] if "-" in name else ""
    return name or None


def _citation_from_node(
    body: LexborNode, parsoid: bool, note_id: str, cite: LexborNode | None = None
) -> Citation:
    """Citation of a footnote: cite-template params (Parsoid), else the rendered citation."""
    text = body.text(deep=True)[:600]
    name = _note_name(note_id)
    if parsoid:
        params = _cite_params(body, cite)
        if params is not None and any(params.values()):
            return citation_from_params(params, name=name, text=text)
    cite = cite or body.css_first("cite")
    scope = cite or body
    link = scope.css_first("a.external") or body.css_first("a.external")
    url = link.attributes.get("href") if link is not None else None
    if url and url.startswith("//"):
        url = "https:" + url
    coins_node = body.css_first("span.Z3988")
    coins = coins_node.attributes.get("title") if coins_node is not None else None
    link_title = link.text(deep=True) if link is not None and cite is not None else None
    return citation_from_link(url, title=link_title, name=name, text=text, coins=coins)


def _cite_params(body: LexborNode, cite: LexborNode | None) -> dict[str, str] | None:
    """Parameters of the first cite template transcluded in a footnote (Parsoid `data-mw`)."""
    candidates = [cite] if cite is not None else []
    candidates += body.css("[data-mw]")
    if cite is not None:
        about = cite.attributes.get("about")
        if about:
            candidates += (body.parent or body).css(f'[about="{about}"][data-mw]')
    for node in candidates:
        data = node.attributes.get("data-mw") or ""
        target = _TEMPLATE_TARGET.search(data)
        if target and _CITE_TEMPLATE.match(_unescape(target.group(1))):
            return _flat_params(data, target.end())
    return None


def _flat_params(data: str, start: int) -> dict[str, str]:
    """Template parameters straight from the `data-mw` JSON text, without a JSON parse.

    Cite templates keep every parameter as `"name":{"wt":"value"}`; nested templates only
    appear inside the wikitext strings, so a flat scan is exact and much cheaper than
    `json.loads` on a few hundred references per page.
    """
    params: dict[str, str] = {}
    for match in _PARAM.finditer(data, start):
        name = match.group(1).lower()
        if name in params:
            break  # a second template part begins
        value = match.group(2)
        if "\\" in value:
            value = _unescape(value)
        if "[" in value or "''" in value:
            value = _wikitext_to_text(value)
        params[name] = value
    return params


def _wikitext_to_text(value: str) -> str:
    """Cheap wikitext → text for parameter values (links, bold/italic); full parse not needed."""
    value = _WIKILINK.sub(r"\1", value)
    value = _EXTLINK.sub(r"\1", value)
    return _QUOTES_MARKUP.sub("", value)


def _unescape(json_string: str) -> str:
    try:
        return str(json.loads(f'"{json_string}"'))
    except ValueError:
        return json_string


def _mark_references(
    root: LexborNode,
    footnotes: dict[str, _Footnote],
    parsoid: bool,
    flags: list[Flag],
    citations: list[Citation],
) -> None:
    """Replace each reference marker by R (and F for flags written inside the reference)."""
    nodes = select(root, "sup.reference, sup.mw-ref")
    defined = {
        _ref_target(node) for node in nodes if '"body"' in (node.attributes.get("data-mw") or "")
    }
    flagged: set[str] = set()
    for node in nodes:
        target = _ref_target(node)
        if _is_note(node, parsoid):
            node.decompose()
            continue
        footnote = footnotes.get(target or "")
        markers = []
        if footnote is None:
            citation = Citation(text=clean(node.text(deep=True)))
            flag_list: tuple[Flag, ...] = ()
        else:
            citation, flag_list = footnote.citation, footnote.flags
        citations.append(citation)
        markers.append(f"{MARK}R{len(citations) - 1}{END}")
        is_definition = target in defined and '"body"' in (node.attributes.get("data-mw") or "")
        if flag_list and target not in flagged and (is_definition or target not in defined):
            flagged.add(target or "")
            for flag in flag_list:
                flags.append(flag)
                markers.append(f"{MARK}F{len(flags) - 1}{END}")
        node.replace_with("".join(markers))


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


# --- flags -----------------------------------------------------------------------------------


def _mark_flags(root: LexborNode, parsoid: bool, flags: list[Flag]) -> None:
    """Replace each inline cleanup flag by an F marker; drop non-flag inline templates."""
    for node in root.css(".Inline-Template"):
        if node.parent is None:
            continue
        flag = _flag_from_node(node, parsoid)
        if flag is None:
            node.decompose()
            continue
        flags.append(flag)
        node.replace_with(f"{MARK}F{len(flags) - 1}{END}")


def _transclusion_data(node: LexborNode) -> str | None:
    """`data-mw` of the transclusion a node belongs to (Parsoid puts it on the first sibling)."""
    data = node.attributes.get("data-mw")
    if data:
        return data
    about = node.attributes.get("about")
    if not about:
        return None
    sibling = node.prev
    while sibling is not None:
        if sibling.tag != "-text":
            if sibling.attributes.get("about") != about:
                return None
            data = sibling.attributes.get("data-mw")
            if data:
                return data
        sibling = sibling.prev
    return None


def _flag_from_node(node: LexborNode, parsoid: bool) -> Flag | None:
    """The flag an `Inline-Template` element stands for, or None if it is not a cleanup flag."""
    label = clean(node.text(deep=True).replace("\u00a0", " ")) or ""
    label = label.strip("[]").strip()
    template = params = None
    data = _transclusion_data(node) if parsoid else None
    if data:
        target = _TEMPLATE_TARGET.search(data)
        template = _unescape(target.group(1)).strip() if target else None
        if '"params"' in data:
            params = _template_params(data)
    flag_type = lookup_template(template) if template else None
    if flag_type is None or flag_type.scope != "inline":
        flag_type = lookup_label(label)
    if flag_type is None:
        return None
    date = (params or {}).get("date")
    if not date:
        tooltip = node.css_first("span[title]")
        match = _TOOLTIP_DATE.search(tooltip.attributes.get("title") or "") if tooltip else None
        date = match.group(1) if match else None
    return Flag(
        type=flag_type.type,
        label=label or flag_type.labels[0],
        offset=0,
        date=clean(date),
        reason=clean((params or {}).get("reason")),
        template=template,
    )


def _template_params(data: str) -> dict[str, str] | None:
    try:
        parts = json.loads(data).get("parts", [])
    except (ValueError, AttributeError):
        return None
    for part in parts:
        template = part.get("template") if isinstance(part, dict) else None
        if template:
            return {
                str(key).strip().lower(): str(value.get("wt", ""))
                for key, value in template.get("params", {}).items()
                if isinstance(value, dict)
            }
    return None


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
    for node in select(table, "th, caption, .infobox-above, .infobox-title"):
        if node.parent is not None:
            node.decompose()
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
            current().add_text(chunk)
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
    tail = text[position:]
    if tail.strip():
        current().add_text(tail)
    while stack:
        flush()
        stack.pop()
    return [
        builder.build(kind, section, anchor=anchor, section_index=index)
        for kind, section, builder, anchor, index in emitted
    ]
