"""MediaWiki HTML in a lexbor DOM: safe selection, transclusion data, inline flags.

Shared by the HTML reader and the footnote reader; both dialects (Parsoid and the legacy
parser) render a flag as an element with class `Inline-Template`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from selectolax.lexbor import LexborNode

from audit.catalogue import lookup_label, lookup_template
from audit.model import Flag
from audit.readers.citations import clean

# NOTE: a JSON string body as an "unrolled loop" (`[^"\\]*(?:\\.[^"\\]*)*`): the same matches as
# `(?:[^"\\]|\\.)*`, but twice as fast in `re` (no alternation tried per character).
_JSON_STRING = r'"([^"\\]*(?:\\.[^"\\]*)*)"'
TEMPLATE_TARGET = re.compile(r'"target":\{"wt":' + _JSON_STRING)
_PARAM = re.compile(r'"([^"\\]{1,40})":\{"wt":' + _JSON_STRING)
_TOOLTIP_DATE = re.compile(r"\((\w+ \d{4})\)\s*$")
_WIKILINK = re.compile(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]")
_EXTLINK = re.compile(r"\[(?:https?:)?//\S+\s+([^\]]*)\]")
_QUOTES_MARKUP = re.compile(r"'{2,}")


def select(node: LexborNode, selector: str) -> list[LexborNode]:
    """`node.css(selector)` without repeats, in document order (`remove_selected` relies on it).

    NOTE: lexbor returns a node once per matching selector of a comma-separated list
    (`"ol.references, ol.mw-references"` lists `<ol class="mw-references references">` twice).
    """
    seen: set[int] = set()
    result = []
    for found in node.css(selector):
        key = found.mem_id
        if key not in seen:
            seen.add(key)
            result.append(found)
    return result


def outermost(nodes: Iterable[LexborNode]) -> list[LexborNode]:
    """The nodes not inside another of them, so each can be removed without touching freed ones.

    NOTE: a node inside a removed or replaced one must not be handled again (with selectolax
    versions that free on `decompose()`, that would touch freed memory). Filter with this
    before removing or replacing a multi-selector match.
    """
    chosen = list(nodes)
    ids = {node.mem_id for node in chosen}
    result = []
    for node in chosen:
        parent = node.parent
        while parent is not None and parent.mem_id not in ids:
            parent = parent.parent
        if parent is None:
            result.append(node)
    return result


def remove(nodes: Iterable[LexborNode]) -> None:
    """Remove nodes (and their subtrees) safely."""
    for node in outermost(nodes):
        detach(node)


def remove_selected(nodes: list[LexborNode]) -> None:
    """Remove nodes listed in document order (as `select` returns them), nested ones included.

    NOTE: last to first, so a node nested in another goes before its ancestor and nothing
    removed is touched again; no `outermost` parent walks for thousands of nodes.
    """
    for node in reversed(nodes):
        detach(node)


def detach(node: LexborNode) -> None:
    """Take a node and its subtree out of the tree.

    NOTE: `decompose(recursive=False)`: unlinking the subtree's root is all it takes (lexbor
    frees nodes with the document, not on removal); the recursive default unlinks every
    descendant one by one, which costs 4x more on navboxes and reference lists.
    """
    node.decompose(recursive=False)


def unescape_json_string(value: str) -> str:
    """Decode a JSON string body taken out of `data-mw` with a regex."""
    if "\\" not in value:
        return value  # nothing escaped (what json.loads would return, or fail on and keep)
    try:
        return str(json.loads(f'"{value}"'))
    except ValueError:
        return value


def wikitext_to_text(value: str) -> str:
    """Cheap wikitext → text for parameter values (links, bold/italic); no full parse needed."""
    if "[" in value:
        value = _EXTLINK.sub(r"\1", _WIKILINK.sub(r"\1", value))
    return _QUOTES_MARKUP.sub("", value) if "''" in value else value


def flat_params(data: str, start: int = 0, wanted: frozenset[str] | None = None) -> dict[str, str]:
    """Template parameters straight from `data-mw` JSON text, without a JSON parse.

    Parsoid keeps every parameter as `"name":{"wt":"value"}`; nested templates only appear
    inside those wikitext strings, so a flat scan is exact for the first template part and
    much cheaper than `json.loads` on hundreds of references per page. With `wanted`, only
    those names are decoded.
    """
    params: dict[str, str] = {}
    seen: set[str] = set()
    for name, value in _PARAM.findall(data, start):
        name = name.lower()
        if name in seen:
            break  # a second template part begins
        seen.add(name)
        if wanted is not None and name not in wanted:
            continue
        if "\\" in value:
            value = unescape_json_string(value)
        params[name] = wikitext_to_text(value)
    return params


def transclusion_data(node: LexborNode) -> str | None:
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


def flag_from_node(node: LexborNode, parsoid: bool) -> Flag | None:
    """The flag an `Inline-Template` element stands for, or None if it is no cleanup flag."""
    label = clean(node.text(deep=True).replace("\u00a0", " ")) or ""
    label = label.strip("[]").strip()
    template = None
    params: dict[str, str] = {}
    data = transclusion_data(node) if parsoid else None
    if data:
        target = TEMPLATE_TARGET.search(data)
        if target:
            template = unescape_json_string(target.group(1)).strip()
            params = flat_params(data, target.end())
    flag_type = lookup_template(template) if template else None
    if flag_type is None or flag_type.scope != "inline":
        # Nested in another template (an infobox parameter, an sfn page): the data-mw is the
        # outer template's, so neither its name nor its parameters describe this flag.
        flag_type = lookup_label(label)
        template, params = None, {}
    if flag_type is None:
        return None
    date = params.get("date")
    if not date:
        tooltip = node.css_first("span[title]")
        match = _TOOLTIP_DATE.search(tooltip.attributes.get("title") or "") if tooltip else None
        date = match.group(1) if match else None
    return Flag(
        type=flag_type.type,
        label=label or flag_type.labels[0],
        offset=0,
        date=clean(date),
        reason=clean(params.get("reason")),
        template=template,
    )
