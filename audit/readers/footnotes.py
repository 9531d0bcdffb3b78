"""Reference lists of rendered HTML → one `Citation` (and the flags inside it) per footnote.

Pages carry hundreds of footnotes, so the lists are read in bulk: one selector query finds every
piece we need inside all lists (cite-template data, links, COinS, flags, short-cite links) and
each piece is assigned to its footnote by walking up to the enclosing `<li>`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from selectolax.lexbor import LexborHTMLParser, LexborNode

from audit.model import Citation, Flag
from audit.readers.citations import (
    CITATION_PARAMS,
    citation_from_link,
    citation_from_params,
    marked_dead,
)
from audit.readers.markup import (
    TEMPLATE_TARGET,
    flag_from_node,
    flat_params,
    remove,
    select,
    unescape_json_string,
)

NOTE_ITEMS = "ol.references > li, ol.mw-references > li"
_PIECES = (
    '.Inline-Template, [data-mw], cite, a.external, span.Z3988, a[href*="#CITEREF"], '
    ".mw-reference-text, .reference-text"
)
# Parsoid: a cite template's data sits on the first node of its transclusion, so far fewer
# nodes are needed; footnotes without cite data are looked at one by one afterwards.
_PARSOID_PIECES = '.Inline-Template, [typeof~="mw:Transclusion"], .mw-reference-text'
_FALLBACK_PIECES = 'a.external, cite, span.Z3988, a[href*="#CITEREF"]'
_CITE_TEMPLATE = ("cite", "citation", "vcite", "vancite")
_TEXT_LIMIT = 600


@dataclass(frozen=True, slots=True)
class Footnote:
    """What one footnote holds: its citation and the flags written inside it."""

    citation: Citation
    flags: tuple[Flag, ...]


@dataclass
class _Pieces:
    body: LexborNode | None = None
    params: dict[str, str] | None = None
    cite: LexborNode | None = None
    link: LexborNode | None = None
    coins: str | None = None
    short_target: str | None = None


def note_name(note_id: str) -> str | None:
    """`cite_note-Kornelius-2013-4` → `Kornelius-2013`; anonymous refs have no name."""
    name = note_id.removeprefix("cite_note-")
    name = name.rsplit("-", 1)[0] if "-" in name else ""
    return name or None


def _is_cite_template(data: str) -> tuple[bool, int]:
    target = TEMPLATE_TARGET.search(data)
    if not target:
        return False, 0
    name = unescape_json_string(target.group(1)).strip().lower()
    return name.startswith(_CITE_TEMPLATE), target.end()


def collect_footnotes(
    lists: list[LexborNode], tree: LexborHTMLParser, parsoid: bool
) -> dict[str, Footnote]:
    """Footnote id (`cite_note-…`) → its citation and flags, for the given reference lists.

    The lists (`ol.references, ol.mw-references`) come from the caller's whole-page query.
    """
    # NOTE: everything is queried inside the lists only (a query walks the whole subtree it
    # starts from, and lists are a small part of a page).
    items = [item for found in lists for item in found.iter() if item.tag == "li"]
    if not items:
        return {}
    item_ids = {item.mem_id: item.id or "" for item in items}
    pieces: dict[str, _Pieces] = defaultdict(_Pieces)
    flags: dict[str, list[Flag]] = defaultdict(list)
    flag_nodes: list[LexborNode] = []
    query = _PARSOID_PIECES if parsoid else _PIECES
    nodes = [node for found in lists for node in select(found, query)]
    for node in nodes:
        note_id = _owner(node, item_ids)
        if not note_id:
            continue
        found = pieces[note_id]
        attributes = node.attributes
        classes = attributes.get("class") or ""
        if "Inline-Template" in classes:
            flag = flag_from_node(node, parsoid)
            if flag is not None:
                flags[note_id].append(flag)
            flag_nodes.append(node)  # its label must not end up in the footnote text
            continue
        if "mw-reference-text" in classes or "reference-text" in classes:
            found.body = found.body or node
        data = attributes.get("data-mw")
        if parsoid and data and found.params is None:
            is_cite, start = _is_cite_template(data)
            if is_cite:
                found.params = flat_params(data, start, CITATION_PARAMS)
        tag = node.tag
        if tag == "cite":
            found.cite = found.cite or node
        elif tag == "a":
            href = attributes.get("href") or ""
            if "#CITEREF" in href:
                found.short_target = found.short_target or href.split("#", 1)[1]
            elif "external" in classes and found.link is None:
                found.link = node
        elif tag == "span" and "Z3988" in classes:
            found.coins = found.coins or attributes.get("title")
    remove(flag_nodes)
    bibliography: dict[str, LexborNode] | None = None
    resolved: dict[str, Citation] = {}  # many short cites point at the same full citation
    footnotes: dict[str, Footnote] = {}
    for item in items:
        note_id = item_ids[item.mem_id]
        if not note_id:
            continue
        found = pieces.get(note_id) or _Pieces()
        if parsoid and not found.params:
            _fallback_pieces(found, item)
        citation = _citation(found, item, note_id)
        if citation.url is None and found.short_target:
            if bibliography is None:
                bibliography = _bibliography(tree)
            target = found.short_target
            full = bibliography.get(target)
            if full is not None:
                if target not in resolved:
                    resolved[target] = _full_citation(full, parsoid)
                citation = replace(resolved[target], name=citation.name, text=citation.text)
        note_flags = tuple(flags.get(note_id, ()))
        if any(flag.type == "dead-link" for flag in note_flags):
            citation = marked_dead(citation)
        footnotes[note_id] = Footnote(citation, note_flags)
    return footnotes


def _bibliography(tree: LexborHTMLParser) -> dict[str, LexborNode]:
    """Full citations by id (`CITEREF…`), the targets of short cites (`{{sfn}}`)."""
    # NOTE: `[id^=…]` and a tag check here, not `cite[id^=…]`: lexbor's type selector doubles
    # the cost of this whole-page query. `node.id`, not `attributes` (a dict of all of them,
    # `data-mw` included).
    found = {}
    for node in tree.css('[id^="CITEREF"]'):
        if node.tag == "cite":
            found[node.id or ""] = node
    return found


def _fallback_pieces(found: _Pieces, item: LexborNode) -> None:
    """Links, COinS and short-cite targets of a footnote without cite-template data."""
    for node in select(item, _FALLBACK_PIECES):
        attributes = node.attributes
        classes = attributes.get("class") or ""
        if node.tag == "cite":
            found.cite = found.cite or node
        elif node.tag == "a":
            href = attributes.get("href") or ""
            if "#CITEREF" in href:
                found.short_target = found.short_target or href.split("#", 1)[1]
            elif "external" in classes and found.link is None:
                found.link = node
        elif "Z3988" in classes:
            found.coins = found.coins or attributes.get("title")


def _owner(node: LexborNode, item_ids: dict[int, str]) -> str | None:
    parent = node.parent
    while parent is not None:
        found = item_ids.get(parent.mem_id)
        if found is not None:
            return found
        parent = parent.parent
    return None


def _citation(found: _Pieces, item: LexborNode, note_id: str) -> Citation:
    text = (found.body or item).text(deep=True)[:_TEXT_LIMIT]
    name = note_name(note_id)
    if found.params and any(found.params.values()):
        return citation_from_params(found.params, name=name, text=text)
    link = found.link
    url = link.attributes.get("href") if link is not None else None
    if url and url.startswith("//"):
        url = "https:" + url
    title = link.text(deep=True) if link is not None and found.cite is not None else None
    return citation_from_link(url, title=title, name=name, text=text, coins=found.coins)


def _full_citation(cite: LexborNode, parsoid: bool) -> Citation:
    """The full citation an `{{sfn}}` points at (a `cite#CITEREF…` in the bibliography)."""
    if parsoid:
        data = cite.attributes.get("data-mw") or _sibling_data(cite)
        if data:
            is_cite, start = _is_cite_template(data)
            if is_cite:
                return citation_from_params(flat_params(data, start, CITATION_PARAMS))
    link = cite.css_first("a.external")
    url = link.attributes.get("href") if link is not None else None
    coins = cite.next.attributes.get("title") if cite.next is not None else None
    return citation_from_link(
        url, title=link.text(deep=True) if link is not None else None, coins=coins
    )


def _sibling_data(node: LexborNode) -> str | None:
    """`data-mw` on an earlier sibling of the same transclusion (TemplateStyles `<link>`)."""
    about = node.attributes.get("about")
    sibling = node.prev
    while about and sibling is not None:
        if sibling.tag != "-text" and sibling.attributes.get("about") == about:
            data = sibling.attributes.get("data-mw")
            if data:
                return data
        sibling = sibling.prev
    return None
