"""Mark up a rendered article's DOM so that one `text()` call yields the page with its structure.

Two passes with few selector queries (every query walks the whole tree, so they are few):

1. `find_inline` (one query) finds headings, references, inline flags, message boxes and the
   reference lists; the footnote reader reads the lists (`footnotes.collect_footnotes`), then
   `mark_inline` replaces the others by short private-use markers (`\\ue000H3\\ue001`, `R`,
   `F`, `N`) and drops the reference lists and the table of contents.
2. `mark_structure` removes what carries no claims (navigation, hidden text, ...; one query),
   then puts block boundaries around paragraphs, list items, captions, table rows and infobox
   lines (a second query, over what is left).

`html.blocks_from_text` then rebuilds the blocks from the flattened text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import mwparserfromhell
from selectolax.lexbor import LexborNode

from audit.catalogue import is_banner_container, lookup_banner_text, lookup_template
from audit.model import Banner, Citation, Flag
from audit.readers.citations import clean
from audit.readers.footnotes import Footnote
from audit.readers.markup import (
    TEMPLATE_TARGET,
    flag_from_node,
    flat_params,
    outermost,
    remove,
    remove_selected,
    select,
    transclusion_data,
    unescape_json_string,
)

MARK, END = "\ue000", "\ue001"
END_MARK = f"{MARK}E{END}"
LINE_MARK = f"{MARK}L{END}"
CELL_MARK = f"{MARK}S{END}"
KIND_CODES = {
    "paragraph": "p",
    "list-item": "l",
    "quote": "q",
    "caption": "c",
    "infobox": "i",
    "table-row": "t",
}

_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_INLINE_QUERY = ", ".join(
    (
        *_HEADINGS,
        "sup.reference",
        "sup.mw-ref",
        ".Inline-Template",
        ".ambox",
        "#toc",
        ".toc",
        "ol.references",
        "ol.mw-references",
        ".mw-references-wrap",
        ".reflist",
        ".refbegin",
    )
)
_REFERENCE_LISTS = frozenset({"references", "mw-references"})
_DROPPED_CONTAINERS = frozenset(
    {"toc", "references", "mw-references", "mw-references-wrap", "reflist", "refbegin"}
)

# What carries no article claims: page chrome, navigation, maintenance boxes, hidden text.
_NOISE_TAGS = frozenset({"style", "script", "noscript", "link", "meta", "template", "annotation"})
_NOISE_CLASSES = frozenset(
    {
        "mw-editsection",
        "navbox",
        "navbox-styles",
        "vertical-navbox",
        "sidebar",
        "hatnote",
        "dablink",
        "shortdescription",
        "ambox",
        "ombox",
        "tmbox",
        "cmbox",
        "fmbox",
        "mbox-small",
        "metadata",
        "sistersitebox",
        "portalbox",
        "portal-bar",
        "mw-empty-elt",
        "mw-cite-backlink",
        "toc",
        "catlinks",
        "printfooter",
        "mw-jump-link",
        "mw-indicators",
        "noviewer",
        "mwe-math-fallback-image-inline",
        "mwe-math-fallback-image-display",
        "authority-control",
        "navigation-not-searchable",
    }
)
_BLOCK_TAGS = (
    "p",
    "li",
    "dd",
    "dt",
    "blockquote",
    "figcaption",
    "caption",
    "table",
    "tr",
    "td",
    "th",
    "br",
)
_NOISE_QUERY = ", ".join(
    (
        *_NOISE_TAGS,
        *(f".{name}" for name in sorted(_NOISE_CLASSES)),
        "#toc",
        '[style*="display:none"]',
        '[style*="display: none"]',
    )
)
_BLOCK_QUERY = ", ".join((*_BLOCK_TAGS, ".thumbcaption", ".gallerytext"))
_SECTION_PARAM = re.compile(r"[?&;]section=(\d+)")
_NOTE_TEXT = re.compile(r"^\[\s*\d+\s*\]$")
_BOX_CLASS = re.compile(r"\bbox-([A-Za-z0-9_%.'-]+)")


@dataclass
class Marks:
    """What the markers in the flattened text refer to, by index."""

    headings: list[tuple[int, str, int | None, str | None]] = field(default_factory=list)
    """(level, title, edit-section number, anchor)."""
    flags: list[Flag] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    banners: list[list[Banner]] = field(default_factory=list)


def _classes(node: LexborNode) -> set[str]:
    return set((node.attributes.get("class") or "").split())


def _inside(node: LexborNode, ids: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


@dataclass
class InlineNodes:
    """What the one inline query found, sorted by what `mark_inline` does with it."""

    dropped: list[LexborNode] = field(default_factory=list)
    """Reference lists and tables of contents (with their containers)."""
    headings: list[LexborNode] = field(default_factory=list)
    references: list[LexborNode] = field(default_factory=list)
    others: list[LexborNode] = field(default_factory=list)
    """Inline flags and message boxes."""

    @property
    def reference_lists(self) -> list[LexborNode]:
        """The `<ol>` reference lists, in document order (for `collect_footnotes`)."""
        return [
            node
            for node in self.dropped
            if node.tag == "ol" and not _REFERENCE_LISTS.isdisjoint(_classes(node))
        ]


def find_inline(root: LexborNode) -> InlineNodes:
    """Headings, references, flags, message boxes and reference lists: one query, no changes.

    NOTE: the footnote reader takes its lists from here (one whole-page query fewer), so this
    must not touch the DOM; `mark_inline` does that after the footnotes are read.
    """
    found = InlineNodes()
    dropped_ids: set[int] = set()
    for node in select(root, _INLINE_QUERY):
        attributes = node.attributes  # NOTE: builds a dict of all attributes: once per node
        classes = set((attributes.get("class") or "").split())
        if classes & _DROPPED_CONTAINERS or attributes.get("id") == "toc":
            found.dropped.append(node)
            dropped_ids.add(node.mem_id)
        elif dropped_ids and _inside(node, dropped_ids):
            continue  # read by the footnote reader or not part of the article (TOC)
        elif node.tag in _HEADINGS:
            found.headings.append(node)
        elif (
            node.tag == "sup"
            and ("reference" in classes or "mw-ref" in classes)
            and ("Inline-Template" not in classes)
        ):
            found.references.append(node)
        else:
            found.others.append(node)
    return found


def mark_inline(found: InlineNodes, footnotes: dict[str, Footnote], parsoid: bool) -> Marks:
    """Headings, references, flags and message boxes → markers; reference lists and TOC out."""
    marks = Marks()
    remove(found.dropped)
    for node in found.headings:
        _mark_heading(node, parsoid, marks)
    for node in outermost(found.others):
        if "ambox" in _classes(node):
            _mark_banner(node, parsoid, marks)
        else:
            _mark_flag(node, parsoid, marks)
    _mark_references(found.references, footnotes, parsoid, marks)
    return marks


# --- headings ---------------------------------------------------------------------------------


def _mark_heading(node: LexborNode, parsoid: bool, marks: Marks) -> None:
    level = int((node.tag or "h2")[1])
    headline = node.css_first(".mw-headline")
    anchor = (headline or node).attributes.get("id")
    index = _section_index(node, parsoid)
    for edit in node.css(".mw-editsection"):
        edit.decompose()
    text = clean((headline or node).text(deep=True)) or ""
    marks.headings.append((level, text, index, anchor))
    node.replace_with(f"{MARK}H{len(marks.headings) - 1}{END}")


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


# --- flags and banners ------------------------------------------------------------------------


def _mark_flag(node: LexborNode, parsoid: bool, marks: Marks) -> None:
    flag = flag_from_node(node, parsoid)
    if flag is None:
        node.decompose()  # an inline template that is no cleanup flag ({{ISBN missing}}, ...)
        return
    marks.flags.append(flag)
    node.replace_with(f"{MARK}F{len(marks.flags) - 1}{END}")


def _mark_banner(node: LexborNode, parsoid: bool, marks: Marks) -> None:
    found = _banners_of(node, parsoid)
    if found:
        marks.banners.append(found)
        node.replace_with(f"{MARK}N{len(marks.banners) - 1}{END}")


def _banners_of(node: LexborNode, parsoid: bool) -> list[Banner]:
    """The banners one message box stands for ({{Multiple issues}} holds several)."""
    data = transclusion_data(node) if parsoid else None
    if data:
        target = TEMPLATE_TARGET.search(data)
        name = unescape_json_string(target.group(1)) if target else ""
        start = target.end() if target else 0
        if is_banner_container(name):
            inner = flat_params(data, start).get("1", "")
            found = []
            for template in mwparserfromhell.parse(inner).filter_templates(recursive=False):
                args = {str(p.name).strip().lower(): str(p.value).strip() for p in template.params}
                banner = _banner(str(template.name), args)
                if banner:
                    found.append(banner)
            return found
        banner = _banner(name, flat_params(data, start))
        if banner:
            return [banner]
    box = _BOX_CLASS.search(node.attributes.get("class") or "")
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
    return [Banner(flag_type.type, "article", date=date)] if flag_type is not None else []


def _banner(name: str, params: dict[str, str]) -> Banner | None:
    flag_type = lookup_template(name)
    if flag_type is None or flag_type.scope != "banner":
        return None
    # Scope and section are filled in where the box stands, when the text is rebuilt.
    return Banner(
        flag_type.type,
        "article",
        template=name.strip(),
        date=params.get("date") or None,
        reason=params.get("reason") or None,
    )


# --- references -------------------------------------------------------------------------------


def _link_of(node: LexborNode) -> LexborNode | None:
    """The `<a>` inside a reference: its first element child, else the first one anywhere."""
    child = node.child
    while child is not None and child.tag == "-text":
        child = child.next
    if child is not None and child.tag == "a":
        return child
    return node.css_first("a")


def ref_target(link: LexborNode | None) -> str | None:
    """The footnote id a reference links to.

    NOTE: split at the FIRST `#`: titles cannot contain one, but footnote ids made from
    `{{sfnp|…|p={{page needed}}}}` do (`&#91;` survives in them).
    """
    return _href_target(link.attributes if link is not None else {})


def _href_target(link_attributes: dict[str, str | None]) -> str | None:
    href = link_attributes.get("href")
    return href.split("#", 1)[1] if href and "#" in href else None


def _is_note(
    node: LexborNode, link_attributes: dict[str, str | None], parsoid: bool, data_mw: str
) -> bool:
    """Explanatory notes ({{efn}}, group=…) are not citations."""
    if parsoid:
        return link_attributes.get("data-mw-group") is not None or '"group"' in data_mw
    return not _NOTE_TEXT.match(node.text(deep=True).strip())


def _mark_references(
    references: list[LexborNode], footnotes: dict[str, Footnote], parsoid: bool, marks: Marks
) -> None:
    """Each reference → R (+ F for flags written inside it); notes → F for their flags only."""
    # NOTE: `attributes` builds a dict of every attribute; each link's is built once.
    links: list[dict[str, str | None]] = [
        link.attributes if link is not None else {} for link in map(_link_of, references)
    ]
    targets = [_href_target(link) or "" for link in links]
    data = [node.attributes.get("data-mw") or "" for node in references]
    defined = {target for target, mw in zip(targets, data) if '"body"' in mw}
    flagged: set[str] = set()
    for node, link, target, mw in zip(references, links, targets, data):
        if not mw and node.text(deep=True).lstrip().startswith(":"):
            node.decompose()  # {{rp|207}}: a page number after a reference, not a reference
            continue
        footnote = footnotes.get(target)
        markers = []
        note = _is_note(node, link, parsoid, mw)
        if not note:
            if footnote is None:
                citation, _ = Citation(text=clean(node.text(deep=True))), ()
            else:
                citation = footnote.citation
            marks.citations.append(citation)
            markers.append(f"{MARK}R{len(marks.citations) - 1}{END}")
        # Flags inside a reused reference count once: where it is defined (Parsoid marks the
        # defining use with a `body`), else at its first use. Flags in notes count too.
        flag_list = footnote.flags if footnote is not None else ()
        is_definition = '"body"' in mw
        if flag_list and target not in flagged and (is_definition or target not in defined):
            flagged.add(target)
            for flag in flag_list:
                marks.flags.append(flag)
                markers.append(f"{MARK}F{len(marks.flags) - 1}{END}")
        if markers:
            node.replace_with("".join(markers))
        else:
            node.decompose()


# --- blocks -----------------------------------------------------------------------------------


def _begin(kind: str) -> str:
    return f"{MARK}B{KIND_CODES[kind]}{END}"


def _wrap(node: LexborNode, kind: str) -> None:
    node.insert_before(_begin(kind))
    node.insert_after(END_MARK)


def _is_noise(node: LexborNode) -> bool:
    if node.tag in _NOISE_TAGS:
        return True
    attributes = node.attributes
    if attributes.get("id") == "toc":
        return True
    style = attributes.get("style")
    if style and ("display:none" in style or "display: none" in style):
        return True
    classes = attributes.get("class") or ""
    return bool(classes) and not _NOISE_CLASSES.isdisjoint(classes.split())


def mark_structure(root: LexborNode) -> None:
    """Block markers around paragraphs, list items, captions, rows, infobox lines; noise out."""
    # NOTE: noise goes first, then a second query finds the blocks: about half of all block
    # elements sit inside navboxes and other noise, and would be marked only to be removed.
    # Matches are checked with `_is_noise` (lexbor matches classes case-insensitively in
    # quirks mode).
    remove_selected([node for node in select(root, _NOISE_QUERY) if _is_noise(node)])
    infoboxes: list[LexborNode] = []
    handled: set[int] = set()
    for node in select(root, _BLOCK_QUERY):
        if node.mem_id in handled:
            continue
        tag = node.tag
        if tag == "table":
            if "infobox" in (node.attributes.get("class") or ""):
                infoboxes.append(node)
                handled.update(inner.mem_id for inner in node.css("*"))
        elif tag == "tr":
            _wrap(node, "table-row")
        elif tag in ("td", "th"):
            node.insert_before(CELL_MARK)
        elif tag == "br":
            node.replace_with(" ")
        elif tag == "li":
            _wrap(node, "list-item")
        elif tag == "blockquote":
            _wrap(node, "quote")
        elif tag in ("figcaption", "caption", "div"):
            _wrap(node, "caption")
        else:
            _wrap(node, "paragraph")
    for table in infoboxes:
        _mark_infobox(table)


def _mark_infobox(table: LexborNode) -> None:
    """Infobox: labels dropped, every value line (cell, <br>, list item, div) a claim."""
    remove(select(table, "th, caption, .infobox-above, .infobox-title"))
    for node in table.css("td"):
        _wrap(node, "infobox")
    for node in table.css("br"):
        node.replace_with(LINE_MARK)
    for node in select(table, "li, p, div"):
        if "infobox-caption" in (node.attributes.get("class") or ""):
            _wrap(node, "caption")
        else:
            node.insert_before(LINE_MARK)
            node.insert_after(LINE_MARK)
