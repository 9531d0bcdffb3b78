"""Ground truth for the flag benchmark, read independently of the readers under test.

* wikitext: every template (mwparserfromhell, recursive) that the catalogue knows;
* Parsoid HTML: every template recorded in `data-mw` (`parts[].template.target.wt`) plus the
  templates nested in its parameter values (`params.*.wt`, re-parsed with mwparserfromhell);
* legacy HTML: the rendered `sup.Inline-Template` labels (no wikitext exists for those).

Everything after the first end-matter heading (References, External links, ...) is left out,
except the contents of a reference that a body claim cites: a flag inside a `<ref>` belongs
to the claim the reference supports, wherever the reference list is printed.

Each flag is recorded with where it sits (`body`, `ref`, `note`, or `in {{Template}}` for a
flag nested in another template's parameter) so that the worst pages can say what to fix.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

import lxml.html
import mwparserfromhell
from lxml.html import HtmlElement
from mwparserfromhell.nodes import ExternalLink, Heading, Tag, Template, Wikilink
from mwparserfromhell.wikicode import Wikicode

from audit.catalogue import lookup_label, lookup_template, normalize_template_name

# MOS:LAYOUT appendix headings (and common variants); nothing after the first one is a claim.
END_MATTER_HEADINGS = frozenset(
    {
        "see also",
        "notes",
        "footnotes",
        "notes and references",
        "references and notes",
        "references",
        "reference",
        "citations",
        "sources",
        "works cited",
        "bibliography",
        "further reading",
        "external links",
        "external link",
        "explanatory notes",
        "general references",
    }
)
#: Templates that produce a numbered footnote marker of their own (short citations).
SHORT_REF_TEMPLATES = frozenset({"Sfn", "Sfnp", "Sfnm", "Sfnmp"})
#: Templates that produce an explanatory note (its marker is not a citation).
NOTE_TEMPLATES = frozenset({"Efn", "Efn-ua", "Efn-lr", "Efn-la", "Efn-lg", "NoteTag", "Notetag"})
#: Wikitext tags whose content readers treat specially; a flag inside one says so.
STRUCTURE_TAGS = frozenset({"table", "poem", "blockquote", "gallery", "div", "center", "small"})
_WHITESPACE = re.compile(r"\s+")
_FILE_LINK = re.compile(r"^\s*:?\s*(?:File|Image)\s*:", re.I)
_EDIT_LINK = re.compile(r"\[\s*edit(?: source)?\s*\]\s*$")
_NUMBERED_MARKER = re.compile(r"^\[\s*\d+\s*\]$")


@dataclass
class Truth:
    """What a page holds: inline flags by type and place, banners, citation markers."""

    flags: list[tuple[str, str]] = field(default_factory=list)
    """(type id, where) per inline flag; where = body, ref, note, in {{Template}}, <table>..."""
    banners: Counter[str] = field(default_factory=Counter)
    citation_places: Counter[str] = field(default_factory=Counter)
    """Reference markers a reader sees in the body (notes excluded), by where they sit."""

    def by_type(self) -> Counter[str]:
        """Inline flags counted per type id."""
        return Counter(type_id for type_id, _ in self.flags)

    @property
    def citations(self) -> int:
        """Number of reference markers."""
        return sum(self.citation_places.values())


def is_end_matter(heading: str) -> bool:
    """True for References, External links, See also, Notes, Further reading, ..."""
    heading = _EDIT_LINK.sub("", _WHITESPACE.sub(" ", heading)).strip().strip(":").casefold()
    return heading in END_MATTER_HEADINGS


# --- wikitext --------------------------------------------------------------------------------


@dataclass
class _WikitextWalk:
    truth: Truth = field(default_factory=Truth)
    body_ref_names: set[str] = field(default_factory=set)
    # Flags inside named references defined after the first end-matter heading (list-defined
    # references, `{{reflist|refs=…}}`): they count if the body cites that name.
    deferred: list[tuple[str, str, str]] = field(default_factory=list)
    seen_short_refs: set[tuple[str, tuple[tuple[str, str], ...]]] = field(default_factory=set)


def _attribute(tag: Tag, name: str) -> str:
    if tag.has(name):
        return str(tag.get(name).value).strip().strip("\"'").strip()
    return ""


def _param(template: Template, name: str) -> str:
    return str(template.get(name).value).strip() if template.has(name) else ""


def _inside(where: str, container: str) -> str:
    """Where a flag sits, one container deeper (references and notes say enough)."""
    if where in ("ref", "note"):
        return where
    return container if where == "body" else f"{where} {container}"


def _visit(code: Wikicode, walk: _WikitextWalk, where: str, end: bool, ref: str = "") -> None:
    """Record flags and markers under `code`; `end` = after the first end-matter heading."""
    for node in code.nodes:
        if isinstance(node, Template):
            name = normalize_template_name(str(node.name))
            flag_type = lookup_template(name)
            if flag_type is not None:
                if flag_type.scope == "banner":
                    if not end:
                        walk.truth.banners[flag_type.type] += 1
                elif not end:
                    walk.truth.flags.append((flag_type.type, where))
                elif ref:
                    walk.deferred.append((flag_type.type, where, ref))
            inner = where
            # {{refn|…}} and {{#tag:ref|…}} are <ref>s written as templates.
            as_ref = name == "Refn" or name.lower().replace(" ", "") == "#tag:ref"
            if name in NOTE_TEMPLATES or (as_ref and _param(node, "group")):
                inner = "note"
            elif as_ref:
                inner = "ref"
                if not end and where not in ("ref", "note"):
                    walk.truth.citation_places[f"{where} via {{{{{name}}}}}"] += 1
            elif name in SHORT_REF_TEMPLATES:
                if not end and where not in ("ref", "note"):
                    walk.truth.citation_places[f"{where} via {{{{{name}}}}}"] += 1
                inner = f"in {{{{{name}}}}}"
                # Identical short refs are one footnote on the rendered page (the wiki merges
                # them), so a flag written in them shows once: count it once.
                key = (name, tuple(sorted((str(p.name).strip(), str(p.value).strip())
                                          for p in node.params)))
                if key in walk.seen_short_refs:
                    continue
                walk.seen_short_refs.add(key)
            elif "in {{" not in where:
                inner = _inside(where, f"in {{{{{name}}}}}")
            for param in node.params:
                _visit(param.value, walk, inner, end, ref)
        elif isinstance(node, Tag):
            tag = str(node.tag).strip().lower()
            if tag == "ref":
                name = _attribute(node, "name")
                note = bool(_attribute(node, "group"))
                if not end and not note and where not in ("ref", "note"):
                    walk.truth.citation_places[where] += 1
                if not end and name:
                    walk.body_ref_names.add(name)
                if node.contents is not None:
                    _visit(node.contents, walk, "note" if note else "ref", end, name)
            elif node.contents is not None:
                inner = _inside(where, f"<{tag}>") if tag in STRUCTURE_TAGS else where
                _visit(node.contents, walk, inner, end, ref)
        elif isinstance(node, Wikilink):
            if node.text is not None:
                file_link = _FILE_LINK.match(str(node.title))
                inner = _inside(where, "[[File:]] caption") if file_link else where
                _visit(node.text, walk, inner, end, ref)
        elif isinstance(node, ExternalLink):
            if node.title is not None:
                _visit(node.title, walk, where, end, ref)
        elif isinstance(node, Heading):
            _visit(node.title, walk, where, end, ref)


def wikitext_truth(text: str) -> Truth:
    """Inline flags, banners and citation markers of an article's wikitext."""
    # NOTE: skip_style_tags: with '' and ''' parsed as tags, one unbalanced italic inside a
    # <ref> makes mwparserfromhell stretch that ref over the rest of the section (Angola:
    # 23 refs swallowed), where MediaWiki closes it at the first </ref>.
    code = mwparserfromhell.parse(text, skip_style_tags=True)
    walk = _WikitextWalk()
    end = False
    for node in code.nodes:
        if isinstance(node, Heading) and is_end_matter(node.title.strip_code()):
            end = True
        _visit(Wikicode([node]), walk, "body", end)
    for type_id, where, ref in walk.deferred:
        if ref in walk.body_ref_names:
            walk.truth.flags.append((type_id, where))
    return walk.truth


# --- HTML (Parsoid and legacy) ---------------------------------------------------------------


def _classes(element: HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def _marker_target(sup: HtmlElement) -> str:
    for link in sup.iter("a"):
        href = link.get("href") or ""
        if "#" in href:
            return href.split("#", 1)[1]
    return ""


def _ref_attributes(sup: HtmlElement) -> dict[str, object]:
    try:
        attributes = json.loads(sup.get("data-mw") or "{}").get("attrs") or {}
    except (ValueError, AttributeError):
        return {}
    return attributes if isinstance(attributes, dict) else {}


def _ref_name(sup: HtmlElement) -> str:
    return str(_ref_attributes(sup).get("name") or "").strip()


def _is_note_marker(sup: HtmlElement, parsoid: bool) -> bool:
    if parsoid:
        group = str(_ref_attributes(sup).get("group") or "").strip()
        return bool(group) or any(link.get("data-mw-group") for link in sup.iter("a"))
    return not _NUMBERED_MARKER.match(_WHITESPACE.sub("", sup.text_content()))


@dataclass
class _HtmlWalk:
    parsoid: bool
    truth: Truth = field(default_factory=Truth)
    end: bool = False
    items: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Flags per reference-list item (`cite_note-…` id), counted if a body marker cites it."""
    cited: dict[str, str] = field(default_factory=dict)
    """Reference-list item id → `ref` or `note`, for items a body marker points at."""
    body_ref_names: set[str] = field(default_factory=set)
    deferred: list[tuple[str, str, str]] = field(default_factory=list)
    """(type, where, ref name) of flags in list-defined references (see `_WikitextWalk`)."""


def _record_data_mw(
    element: HtmlElement, walk: _HtmlWalk, flags: list[tuple[str, str]], place: str, end: bool
) -> None:
    """Flags of one transclusion: its template parts and templates nested in their params.

    In end matter only references defined there count (`{{reflist|refs=<ref name=x>…}}`),
    and only if the body cites them.
    """
    try:
        data = json.loads(element.get("data-mw") or "")
    except ValueError:
        return
    parts = data.get("parts") if isinstance(data, dict) else None
    for part in parts or ():
        template = part.get("template") if isinstance(part, dict) else None
        if not isinstance(template, dict):
            continue
        target = str(template.get("target", {}).get("wt", ""))
        flag_type = lookup_template(target) if target.strip() else None
        if flag_type is not None and not end:
            if flag_type.scope == "banner":
                walk.truth.banners[flag_type.type] += 1
            else:
                flags.append((flag_type.type, place))
        outer = normalize_template_name(target) if target.strip() else "?"
        for value in (template.get("params") or {}).values():
            wikitext = value.get("wt") if isinstance(value, dict) else None
            if not wikitext or "{{" not in wikitext:
                continue
            nested = _WikitextWalk()
            where = _inside(place, f"in {{{{{outer}}}}}")
            _visit(mwparserfromhell.parse(wikitext, skip_style_tags=True), nested, where, end)
            flags.extend(nested.truth.flags)
            walk.truth.banners.update(nested.truth.banners)
            walk.deferred.extend(nested.deferred)


def _place(element: HtmlElement, tag: str, classes: set[str], place: str) -> str:
    """Where content inside `element` sits: infobox, caption, <table>, <li>, ... or body."""
    if place in ("infobox", "ref", "note"):
        return place
    if tag == "table" and "infobox" in classes:
        return "infobox"
    if tag == "figcaption" or classes & {"thumbcaption", "gallerytext"}:
        return "caption"
    if tag in ("table", "blockquote") and place == "body":
        return f"<{tag}>"
    if tag in ("li", "dd") and place == "body":
        return f"<{tag}>"
    return place


def _walk_html(element: HtmlElement, walk: _HtmlWalk, item: str, place: str) -> None:
    """Depth-first in document order; `item` = the reference-list item we are inside, if any."""
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if not tag:
            continue  # comments, processing instructions
        # NOTE: no skipping <style>: TemplateStyles puts the transclusion's data-mw on it
        # (Nephrite's {{More citations needed}}).
        classes = _classes(child)
        if not item and tag in ("h2", "h3", "h4", "h5", "h6"):
            walk.end = walk.end or is_end_matter(child.text_content())
        if tag == "li" and (child.get("id") or "").startswith("cite_note"):
            note_id = child.get("id") or ""
            walk.items.setdefault(note_id, [])
            _walk_html(child, walk, note_id, "ref")
            continue
        flags = walk.items[item] if item else walk.truth.flags
        counts = bool(item) or not walk.end
        inner = _place(child, tag, classes, place)
        if walk.parsoid and child.get("data-mw"):
            _record_data_mw(child, walk, flags, inner, not counts)
        if not walk.parsoid and tag == "sup" and "Inline-Template" in classes and counts:
            flag_type = lookup_label(child.text_content().strip().strip("[]"))
            if flag_type is not None:
                flags.append((flag_type.type, inner))
        if tag == "sup" and classes & {"mw-ref", "reference"}:
            if not item and not walk.end:
                note = _is_note_marker(child, walk.parsoid)
                target = _marker_target(child)
                if not note:
                    walk.truth.citation_places[place] += 1
                if target:
                    walk.cited[target] = "note" if note else walk.cited.get(target, "ref")
                name = _ref_name(child) if walk.parsoid else ""
                if name:
                    walk.body_ref_names.add(name)
            continue
        _walk_html(child, walk, item, inner)


def html_truth(html: str, *, parsoid: bool) -> Truth:
    """Truth of a rendered page: `data-mw` templates (Parsoid) or rendered labels (legacy)."""
    tree = lxml.html.document_fromstring(html)
    walk = _HtmlWalk(parsoid)
    for node in tree.xpath('//*[contains(@class, "mw-editsection")]'):
        node.drop_tree()
    _walk_html(tree.body, walk, "", "body")
    for item, kind in walk.cited.items():
        walk.truth.flags.extend((type_id, kind) for type_id, _ in walk.items.get(item, []))
    for type_id, _, name in walk.deferred:
        if name in walk.body_ref_names:
            walk.truth.flags.append((type_id, "ref"))
    return walk.truth
