"""Wikitext → Document, with mwparserfromhell (the field's lossless wikitext parser).

Templates are not expanded (that needs the wiki); we render the common text-producing ones
(`{{lang}}`, `{{convert}}`, `{{nowrap}}`, ...), read flags, infoboxes, quotes and references,
and drop the rest, so the claim text is close to what readers see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import mwparserfromhell
from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from audit.catalogue import lookup_template, normalize_template_name
from audit.model import INFOBOX_SECTION, Block, Citation, Document, Flag
from audit.readers.citations import citation_from_link, citation_from_params, marked_dead
from audit.readers.inline import BlockBuilder
from audit.readers.sections import SectionTracker

_INFOBOX = re.compile(r"^(?:Infobox|Taxobox|Speciesbox|Automatic taxobox|Geobox)\b", re.I)
_QUOTE_TEMPLATES = frozenset({"Quote", "Blockquote", "Cquote", "Quotation", "Quote box", "Rquote"})
_NOTE_TEMPLATES = frozenset(
    {
        "Efn",
        "Efn-ua",
        "Efn-lr",
        "Efn-la",
        "NoteTag",
        "Refn",
        "Ref label",
        "Note label",
        "Notelist",
        "Reflist",
        "References",
        "Efn-lg",
    }
)
_SHORT_CITES = frozenset(
    {"Sfn", "Sfnp", "Harvnb", "Harv", "Harvp", "Harvtxt", "Sfnm", "Harvcol", "Harvcolnb", "Rp"}
)
_CITE = re.compile(r"^(?:Cite|Citation|Vcite|Vancite)\b", re.I)
_SKIP_PARAMS = re.compile(
    r"^(?:image\d*|img|logo|map\w*|alt\d*|\w*size|width|upright|coordinates|coord|signature"
    r"|module\d*|embed|name|title|native_name|conflict|image_\w+|pushpin\w*|relief|\w*_ref"
    r"|footnotes|partof|label\d*|header\d*|above|below|bodyclass|\w*style|colou?r\w*)$",
    re.I,
)
_CAPTION_PARAMS = re.compile(r"^(?:caption\d*|image_caption|map_caption)$", re.I)
_FILE_LINK = re.compile(r"^\s*:?\s*(?:File|Image|Media)\s*:", re.I)
_SKIP_LINK = re.compile(r"^\s*(?:Category|[a-z]{2,3}(?:-[a-z]+)?)\s*:", re.I)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Bold/italic quotes: parsed as plain text (skip_style_tags) because unbalanced ones make
# mwparserfromhell backtrack badly; dropping them gives the visible text.
_STYLE_QUOTES = re.compile(r"'{2,}")
_FILE_OPTIONS = re.compile(
    r"^(?:thumb\w*|frame\w*|frameless|border|upright(?:=.*)?|left|right|center|centre|none"
    r"|\d+(?:x\d+)?px|alt=.*|link=.*|class=.*|lang=.*|page=.*|baseline|middle|sub|super|top"
    r"|text-top|bottom|text-bottom)$",
    re.I,
)

# Templates whose visible text we can render without the wiki: name → parameter to show.
_TEXT_TEMPLATES = {
    "Lang": 2,
    "Nowrap": 1,
    "Nobr": 1,
    "Small": 1,
    "Smaller": 1,
    "Big": 1,
    "Em": 1,
    "Strong": 1,
    "Abbr": 1,
    "Visible anchor": 1,
    "Vanchor": 1,
    "Ill": 1,
    "Interlanguage link": 1,
    "Flag": 1,
    "Flagcountry": 1,
    "Flagdeco": 0,
    "Flagicon": 0,
    "Transl": 2,
    "Transliteration": 2,
    "Nihongo": 1,
    "Keypress": 1,
    "Ship": 2,
    "Sortname": 1,
    "Not a typo": 1,
    "Sic": 1,
    "Text": 1,
    "Linktext": 1,
    "Plainlist": 1,
    "Unbulleted list": 1,
}
_LITERAL_TEMPLATES = {
    "Snd": " – ",
    "Spnd": " – ",
    "Ndash": "–",
    "Mdash": "—",
    "Nbsp": " ",
    "'": "'",
    "\"'": "\"'",
    "Circa": "c.",
    "C.": "c.",
    "Bull": "•",
    "Shy": "",
    "Zwsp": "",
    "Thinsp": " ",
    "-": "",
}


@dataclass
class _Context:
    """Walk state: the block being written, its kind, the section, and what was emitted."""

    tracker: SectionTracker = field(default_factory=SectionTracker)
    kind: str = "paragraph"
    builder: BlockBuilder = field(default_factory=BlockBuilder)
    blocks: list[Block] = field(default_factory=list)
    named_refs: dict[str, tuple[Citation, tuple[Flag, ...]]] = field(default_factory=dict)
    flagged_refs: set[str] = field(default_factory=set)
    short_cites: dict[str, Citation] = field(default_factory=dict)
    in_list_item: bool = False
    in_infobox: bool = False

    def flush(self) -> None:
        if not self.builder.is_empty() and not self.tracker.in_end_matter:
            in_infobox = self.in_infobox or self.kind == "infobox"
            section = (INFOBOX_SECTION,) if in_infobox else self.tracker.section
            self.blocks.append(
                self.builder.build(
                    self.kind, section, anchor=self.tracker.anchor, section_index=self.tracker.index
                )
            )
        self.builder = BlockBuilder()

    def start(self, kind: str) -> None:
        self.flush()
        self.kind = kind


def read_wikitext(text: str, *, source: str | None = None, title: str | None = None) -> Document:
    """Read an article's wikitext into a `Document`."""
    code = mwparserfromhell.parse(text, skip_style_tags=True)
    context = _Context()
    context.named_refs = _named_ref_definitions(code, context)
    context.short_cites = _bibliography(code)
    _walk(code.nodes, context)
    context.flush()
    return Document(title=title, format="wikitext", blocks=tuple(context.blocks), source=source)


def _template_name(template: Template) -> str:
    return normalize_template_name(str(template.name))


def _param(template: Template, *names: str | int) -> str | None:
    for name in names:
        if template.has(str(name)):
            value = str(template.get(str(name)).value).strip()
            if value:
                return value
    return None


def _params(template: Template) -> dict[str, str]:
    return {str(param.name).strip().lower(): _plain(param.value) for param in template.params}


def _plain(code: Wikicode) -> str:
    return code.strip_code(normalize=True, collapse=True).strip()


# --- references ------------------------------------------------------------------------------


def _ref_name(tag: Tag) -> str | None:
    if tag.has("name"):
        value = str(tag.get("name").value).strip().strip('"').strip()
        return value or None
    return None


def _is_note_ref(tag: Tag) -> bool:
    return tag.has("group") and bool(str(tag.get("group").value).strip())


def _ref_content(tag: Tag, context: _Context) -> tuple[Citation, tuple[Flag, ...]]:
    """Citation and flags written inside one `<ref>…</ref>`."""
    contents = tag.contents if tag.contents is not None else mwparserfromhell.parse("")
    flags: list[Flag] = []
    citation: Citation | None = None
    text = _plain(contents)
    for template in contents.filter_templates(recursive=True):
        name = _template_name(template)
        flag_type = lookup_template(name)
        if flag_type is not None and flag_type.scope == "inline":
            flags.append(_flag(template, flag_type.type, flag_type.labels[0]))
        elif citation is None and _CITE.match(name):
            citation = citation_from_params(_params(template), name=_ref_name(tag), text=text)
        elif citation is None and name in _SHORT_CITES:
            citation = _short_cite(template, context)
    if citation is None:
        links = contents.filter_external_links(recursive=True)
        url = str(links[0].url).strip() if links else None
        link_title = _plain(links[0].title) if links and links[0].title else None
        citation = citation_from_link(url, title=link_title, name=_ref_name(tag), text=text)
    if any(flag.type in ("dead-link", "permanent-dead-link") for flag in flags):
        citation = marked_dead(citation)
    return citation, tuple(flags)


def _named_ref_definitions(
    code: Wikicode, context: _Context
) -> dict[str, tuple[Citation, tuple[Flag, ...]]]:
    """`<ref name=x>…</ref>` anywhere (also list-defined in `{{reflist|refs=}}`)."""
    definitions: dict[str, tuple[Citation, tuple[Flag, ...]]] = {}
    for tag in code.filter_tags(recursive=True, matches=lambda node: str(node.tag) == "ref"):
        name = _ref_name(tag)
        if name and not tag.self_closing and name not in definitions and tag.contents:
            definitions[name] = _ref_content(tag, context)
    return definitions


def _bibliography(code: Wikicode) -> dict[str, Citation]:
    """Full citations by their CITEREF key (author surnames + year), for `{{sfn}}` short refs."""
    result: dict[str, Citation] = {}
    for template in code.filter_templates(recursive=True):
        if not _CITE.match(_template_name(template)):
            continue
        params = _params(template)
        key = _citeref_key(
            [
                params.get(name, "")
                for name in (
                    "last",
                    "last1",
                    "surname",
                    "author",
                    "author1",
                    "last2",
                    "last3",
                    "last4",
                )
                if params.get(name)
            ],
            params.get("year") or params.get("date") or "",
        )
        if key:
            result.setdefault(key, citation_from_params(params))
    return result


def _citeref_key(surnames: list[str], year: str) -> str:
    match = re.search(r"\d{4}", year)
    if not surnames or not match:
        return ""
    return "".join(surnames[:4]).replace(" ", "") + match.group(0)


def _short_cite(template: Template, context: _Context) -> Citation:
    positional = [str(param.value).strip() for param in template.params if not param.showkey]
    names = [value for value in positional if not re.fullmatch(r"\d{4}[a-z]?", value)]
    year = next((value for value in positional if re.fullmatch(r"\d{4}[a-z]?", value)), "")
    page = _param(template, "p", "pp", "page", "pages", "loc")
    label = " ".join(filter(None, [" & ".join(names[:3]), year])) + (f", p. {page}" if page else "")
    full = context.short_cites.get(_citeref_key(names, year))
    if full is None:
        return Citation(text=label or None)
    return Citation(
        url=full.url,
        domain=full.domain,
        title=full.title,
        publisher=full.publisher,
        date=full.date,
        access_date=full.access_date,
        archive_url=full.archive_url,
        dead=full.dead,
        text=label or None,
    )


def _add_ref(tag: Tag, context: _Context) -> None:
    if _is_note_ref(tag):
        return
    name = _ref_name(tag)
    if tag.self_closing or not tag.contents:
        found = context.named_refs.get(name or "")
        citation, flags = found if found else (Citation(name=name), ())
    else:
        citation, flags = _ref_content(tag, context)
    context.builder.add_citation(citation)
    # Flags inside a reused reference count once, where the reference is defined.
    if flags and (name is None or name not in context.flagged_refs):
        if name:
            context.flagged_refs.add(name)
        for flag in flags:
            context.builder.add_flag(flag)


# --- walking ---------------------------------------------------------------------------------


def _flag(template: Template, type_id: str, label: str) -> Flag:
    return Flag(
        type=type_id,
        label=label,
        offset=0,
        date=_param(template, "date"),
        reason=_param(template, "reason"),
        template=str(template.name).strip(),
    )


def _walk(nodes: Iterable[Node], context: _Context) -> None:
    for node in nodes:
        if isinstance(node, Text):
            _text(str(node), context)
        elif isinstance(node, Heading):
            context.flush()
            context.in_list_item = False
            context.kind = "paragraph"
            context.tracker.enter(node.level, _plain(node.title))
        elif isinstance(node, Template):
            _template(node, context)
        elif isinstance(node, Wikilink):
            _wikilink(node, context)
        elif isinstance(node, ExternalLink):
            if node.title is not None:
                _walk(node.title.nodes, context)
            elif not node.brackets:
                context.builder.add_text(str(node.url))
        elif isinstance(node, Tag):
            _tag(node, context)
        elif isinstance(node, HTMLEntity):
            context.builder.add_text(node.normalize())
        elif isinstance(node, (Comment, Argument)):
            continue


def _text(text: str, context: _Context) -> None:
    """Text with wiki paragraph rules: blank line ends a paragraph, newline ends a list item."""
    if "''" in text:
        text = _STYLE_QUOTES.sub("", text)
    pieces = _BLANK_LINE.split(text)
    for index, piece in enumerate(pieces):
        if index:
            context.flush()
            context.in_list_item = False
            if context.kind not in ("infobox",):
                context.kind = "paragraph"
        if context.in_list_item and "\n" in piece:
            before, _, after = piece.partition("\n")
            context.builder.add_text(before)
            context.flush()
            context.in_list_item = False
            context.kind = "paragraph"
            piece = after
        if context.kind == "infobox" and "\n" in piece:
            for line_index, line in enumerate(piece.split("\n")):
                if line_index:
                    context.flush()
                context.builder.add_text(line.lstrip("*# "))
            continue
        context.builder.add_text(piece)


def _template(template: Template, context: _Context) -> None:
    name = _template_name(template)
    flag_type = lookup_template(name)
    if flag_type is not None:
        if flag_type.scope == "inline":
            context.builder.add_flag(_flag(template, flag_type.type, flag_type.labels[0]))
            span_text = _param(template, "text")
            if span_text:
                context.builder.add_text(mwparserfromhell.parse(span_text).strip_code())
        return
    if _INFOBOX.match(name):
        _infobox(template, context)
    elif name in _QUOTE_TEMPLATES:
        quote = (
            template.get("text").value
            if template.has("text")
            else (template.get("1").value if template.has("1") else None)
        )
        if quote is not None:
            outer = context.kind
            context.start("quote")
            _walk(quote.nodes, context)
            context.start(outer if outer != "quote" else "paragraph")
    elif name in _SHORT_CITES:
        context.builder.add_citation(_short_cite(template, context))
    elif name in _LITERAL_TEMPLATES:
        context.builder.add_text(_LITERAL_TEMPLATES[name])
    elif name in _TEXT_TEMPLATES:
        index = _TEXT_TEMPLATES[name]
        if index and template.has(str(index)):
            _walk(template.get(str(index)).value.nodes, context)
    elif name == "Convert" or name == "Cvt":
        values = [str(p.value).strip() for p in template.params if not p.showkey][:2]
        context.builder.add_text(" ".join(values))
    elif name in ("As of", "Asof"):
        year = _param(template, 1)
        context.builder.add_text(f"As of {year}" if year else "")
    elif name.startswith("Lang-") and template.has("1"):
        _walk(template.get("1").value.nodes, context)


def _infobox(template: Template, context: _Context) -> None:
    """Each value line of an infobox is a claim; labels (parameter names) are not."""
    outer = context.kind
    context.flush()
    context.in_infobox = True
    for param in template.params:
        name = str(param.name).strip()
        if _SKIP_PARAMS.match(name):
            continue
        context.start("caption" if _CAPTION_PARAMS.match(name) else "infobox")
        _walk(param.value.nodes, context)
    context.flush()
    context.in_infobox = False
    context.start(outer if outer != "infobox" else "paragraph")


def _wikilink(link: Wikilink, context: _Context) -> None:
    target = str(link.title)
    if _FILE_LINK.match(target):
        if link.text is not None:
            parts = str(link.text).split("|")
            caption = next(
                (
                    part
                    for part in reversed(parts)
                    if part.strip() and not _FILE_OPTIONS.match(part.strip())
                ),
                None,
            )
            if caption:
                outer = context.kind
                context.start("caption")
                _walk(mwparserfromhell.parse(caption).nodes, context)
                context.start(outer)
        return
    if _SKIP_LINK.match(target):
        return
    if link.text is not None:
        _walk(link.text.nodes, context)
    else:
        context.builder.add_text(target.split("#")[0].lstrip(":"))


def _tag(tag: Tag, context: _Context) -> None:
    name = str(tag.tag).lower()
    if name == "ref":
        _add_ref(tag, context)
    elif name in ("li", "dd", "dt") and tag.wiki_markup:
        context.start("list-item" if name == "li" else "paragraph")
        context.in_list_item = True
    elif name == "br":
        if context.kind == "infobox":
            context.flush()
        else:
            context.builder.add_text(" ")
    elif name == "table":
        _table(tag, context)
    elif name == "blockquote" or name == "poem":
        outer = context.kind
        context.start("quote")
        if tag.contents is not None:
            _walk(tag.contents.nodes, context)
        context.start(outer if outer != "quote" else "paragraph")
    elif name == "gallery" or name in (
        "math",
        "chem",
        "score",
        "timeline",
        "templatestyles",
        "references",
        "syntaxhighlight",
        "source",
        "graph",
        "mapframe",
        "maplink",
        "categorytree",
    ):
        return
    elif name == "nowiki":
        if tag.contents is not None:
            context.builder.add_text(str(tag.contents))
    elif tag.contents is not None:
        _walk(tag.contents.nodes, context)


def _table(table: Tag, context: _Context) -> None:
    """Wiki tables: each row one claim, cells separated; infobox-like tables too."""
    outer = context.kind
    context.flush()
    if table.contents is None:
        return
    for row in table.contents.nodes:
        if not isinstance(row, Tag) or str(row.tag).lower() != "tr":
            continue
        context.start("table-row")
        if row.contents is None:
            continue
        for cell in row.contents.nodes:
            if isinstance(cell, Tag) and str(cell.tag).lower() in ("td", "th"):
                context.builder.add_separator(" | ")
                if cell.contents is not None:
                    _walk(cell.contents.nodes, context)
    context.start(outer if outer != "table-row" else "paragraph")
