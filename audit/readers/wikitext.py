"""Wikitext → Document, from mwparserfromhell's token stream (see wikitokens.py for why).

Templates are not expanded (that needs the wiki): we read flags, infoboxes, quotes and
references, render the common text-producing templates (`{{lang}}`, `{{convert}}`,
`{{nowrap}}`, ...) and drop the rest, so claim text is close to what readers see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mwparserfromhell.parser import tokens as T

from audit.catalogue import is_banner_container, lookup_template, normalize_template_name
from audit.model import INFOBOX_SECTION, Banner, Block, Citation, Document, Flag
from audit.readers.citations import citation_from_link, citation_from_params, marked_dead
from audit.readers.inline import BlockBuilder, strip_invisible
from audit.readers.sections import SectionTracker
from audit.readers.wikitokens import (
    Param,
    TagInfo,
    Text,
    TokenStream,
    end_of,
    entity_text,
    param_text,
    plain,
    tag_info,
    template_parts,
    tokenize,
)

_INFOBOX = re.compile(r"^(?:Infobox|Taxobox|Speciesbox|Automatic taxobox|Geobox)\b", re.I)
_QUOTE_TEMPLATES = frozenset(
    {"Quote", "Blockquote", "Cquote", "Quotation", "Quote box", "Rquote", "Quote frame"}
)
_LIST_TEMPLATES = frozenset(
    {
        "Hlist",
        "Ublist",
        "Unbulleted list",
        "Vunblist",
        "Bulleted list",
        "Ubl",
        "Hlist-comma",
        "Plainlist",
        "Flatlist",
        "Unbulleted",
        "Collapsible list",
        "Bulleted",
        "Nobold list",
    }
)
_SHORT_CITES = frozenset(
    {
        "Sfn",
        "Sfnp",
        "Harvnb",
        "Harv",
        "Harvp",
        "Harvtxt",
        "Sfnm",
        "Harvcol",
        "Harvcolnb",
        "Sfnmp",
        "Harvard citation no brackets",
    }
)
_CITE = re.compile(r"^(?:Cite|Citation|Vcite|Vancite)\b", re.I)
# Parameters that configure the box rather than state anything: images, maps, colours,
# codes for other databases, layout switches. (`labelN` pairs with `dataN` in {{Infobox}};
# a plain `label` is a record label in {{Infobox musical artist}} and is kept.)
_SKIP_PARAMS = re.compile(
    r"^(?:image\d*|img\w*|logo\w*|map\w*|alt\d*|\w*size|width|upright|coordinates|coord"
    r"|signature\w*|module\d*|embed|name|title|native_name|conflict|image_\w+|pushpin\w*"
    r"|relief|partof|label\d+|header\d*|above|below|bodyclass|\w*style|\w*colou?r\w*"
    r"|onlysourced|data\d*style|child|subbox|qid|fetchwikidata|suppressfields|background"
    r"|glotto\w*|iso\d\w*|lingua|linglist|ref|wikidata\w*|dia\d*|altname\d*|nativename"
    r"|boxwidth|\w*_type|type)$",
    re.I,
)
_CAPTION_PARAMS = re.compile(
    r"^(?:caption\d*|image_caption|img_capt\w*|map_?caption\d*|mapcaption)$", re.I
)
# Only real images have captions; an `img_capt` without an image is a leftover.
_IMAGE_PARAMS = re.compile(r"^(?:image\d*|img|map\w*?)$", re.I)
# References and notes for the value above them (`Gini_ref`, `area_footnote`): they render
# next to that value, so they continue its line.
_REF_PARAMS = re.compile(r"^(?:\w+_ref|\w+_footnotes?|\w+_note|footnotes|ref\d+)$", re.I)
_FILE_LINK = re.compile(r"^\s*:?\s*(?:File|Image|Media)\s*:", re.I)
_SKIP_LINK = re.compile(r"^\s*(?:Category|[a-z]{2,3}(?:-[a-z]+)?)\s*:", re.I)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Bold/italic quotes are tokenized as text (style tags skipped: unbalanced ones make the
# tokenizer backtrack badly); dropping them gives the visible text.
_STYLE_QUOTES = re.compile(r"'{2,}")
_YEAR = re.compile(r"\d{4}[a-z]?")
_FILE_OPTIONS = re.compile(
    r"^(?:thumb\w*|frame\w*|frameless|border|upright(?:=.*)?|left|right|center|centre|none"
    r"|\d+(?:x\d+)?px|alt=.*|link=.*|class=.*|lang=.*|page=.*|baseline|middle|sub|super|top"
    r"|text-top|bottom|text-bottom)$",
    re.I,
)
_IGNORED_TAGS = frozenset(
    {
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
        "gallery",
        "imagemap",
        "hiero",
        "ce",
        "inputbox",
    }
)

# Templates whose visible text we can render without the wiki: name → parameter to show.
_TEXT_TEMPLATES = {
    "Sigfig": "1",
    "Formatnum": "1",
    "Val": "1",
    "Small caps": "1",
    "Smallcaps": "1",
    "Lang": "2",
    "Nowrap": "1",
    "Nobr": "1",
    "Small": "1",
    "Smaller": "1",
    "Big": "1",
    "Em": "1",
    "Strong": "1",
    "Abbr": "1",
    "Visible anchor": "1",
    "Vanchor": "1",
    "Ill": "1",
    "Interlanguage link": "1",
    "Flag": "1",
    "Flagcountry": "1",
    "Transl": "2",
    "Transliteration": "2",
    "Nihongo": "1",
    "Keypress": "1",
    "Ship": "2",
    "Sortname": "1",
    "Not a typo": "1",
    "Sic": "1",
    "Text": "1",
    "Linktext": "1",
    "Lang-rus": "1",
    "Noitalic": "1",
    "Nowrap begin": "1",
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
    "Okina": "ʻ",
}


@dataclass
class _Context:
    """Walk state: the block being written, its kind, the section, and what was emitted."""

    stream: TokenStream
    tracker: SectionTracker = field(default_factory=SectionTracker)
    kind: str = "paragraph"
    builder: BlockBuilder = field(default_factory=BlockBuilder)
    blocks: list[Block] = field(default_factory=list)
    named_refs: dict[str, tuple[Citation, tuple[Flag, ...]]] = field(default_factory=dict)
    flagged_refs: set[str] = field(default_factory=set)
    bibliography: dict[str, Citation] | None = None
    """Full citations by CITEREF key, built on the first `{{sfn}}` (most pages have none)."""
    in_list_item: bool = False
    in_infobox: bool = False
    banners: list[Banner] = field(default_factory=list)

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
    stream = tokenize(strip_invisible(text))
    context = _Context(stream)
    _prescan(context)
    _walk(context, 0, len(stream.tokens))
    context.flush()
    return Document(
        title=title,
        format="wikitext",
        blocks=tuple(context.blocks),
        source=source,
        banners=tuple(context.banners),
    )


# --- references ------------------------------------------------------------------------------


def _prescan(context: _Context) -> None:
    """Named reference definitions, also list-defined ones (`{{reflist|refs=…}}`)."""
    stream = context.stream
    tokens = stream.tokens
    last = len(tokens) - 1
    for index, token in enumerate(tokens):
        if type(token) is not T.TagOpenOpen or index == last:
            continue
        name_token = tokens[index + 1]
        if type(name_token) is not Text or name_token["text"].strip().lower() != "ref":
            continue
        info = tag_info(stream, index)
        name = info.attrs.get("name")
        if name and info.content and name not in context.named_refs:
            context.named_refs[name] = _ref_content(context, info)


def _bibliography(context: _Context) -> dict[str, Citation]:
    """Full citations of the page by CITEREF key (author surnames + year), for `{{sfn}}`."""
    if context.bibliography is not None:
        return context.bibliography
    stream = context.stream
    tokens = stream.tokens
    result: dict[str, Citation] = {}
    for index, token in enumerate(tokens[:-1]):
        name_token = tokens[index + 1]
        if type(token) is not T.TemplateOpen or type(name_token) is not Text:
            continue
        if not _CITE.match(name_token["text"].strip()):
            continue
        _, params = template_parts(stream, index)
        values = _param_values(stream, params)
        surnames = _citeref_names(values)
        key = _citeref_key(surnames, values.get("year") or values.get("date") or "")
        if key:
            result.setdefault(key, citation_from_params(values))
    context.bibliography = result
    return result


_AUTHOR_KEYS = tuple(
    key for n in ("", "1", "2", "3", "4")
    for key in (f"last{n}", f"surname{n}", f"author{n}", f"author{n}-last")
)
_EDITOR_KEYS = tuple(
    key for n in ("", "1", "2", "3", "4")
    for key in (f"editor{n}-last", f"editor-last{n}", f"editor{n}-surname", f"editor{n}")
)


def _citeref_names(values: dict[str, str]) -> list[str]:
    """Surnames in the CITEREF id MediaWiki gives a citation: authors, else editors."""
    authors = [values[key] for key in _AUTHOR_KEYS if values.get(key)]
    return authors or [values[key] for key in _EDITOR_KEYS if values.get(key)]


def _param_values(stream: TokenStream, params: list[Param]) -> dict[str, str]:
    return {param.name: plain(stream, param.start, param.end).strip() for param in params}


def _citeref_key(surnames: list[str], year: str) -> str:
    match = re.search(r"\d{4}", year)
    if not surnames or not match:
        return ""
    return "".join(surnames[:4]).replace(" ", "") + match.group(0)


def _short_cite(context: _Context, params: list[Param]) -> Citation:
    stream = context.stream
    positional = [plain(stream, p.start, p.end).strip() for p in params if p.name.isdigit()]
    names = [value for value in positional if not _YEAR.fullmatch(value)]
    year = next((value for value in positional if _YEAR.fullmatch(value)), "")
    page = param_text(stream, params, "p", "pp", "page", "pages", "loc")
    label = " ".join(filter(None, [" & ".join(names[:3]), year])) + (f", p. {page}" if page else "")
    full = _bibliography(context).get(_citeref_key(names, year))
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


def _ref_content(context: _Context, info: TagInfo) -> tuple[Citation, tuple[Flag, ...]]:
    """Citation and flags written inside one `<ref>…</ref>`."""
    stream = context.stream
    tokens = stream.tokens
    start, stop = info.content or (0, 0)
    name = info.attrs.get("name") or None
    flags: list[Flag] = []
    citation: Citation | None = None
    first_url = link_title = None
    cursor = start
    while cursor < stop:
        token = tokens[cursor]
        kind = type(token)
        if kind is T.TemplateOpen:
            template, params = template_parts(stream, cursor)
            folded = normalize_template_name(template)
            flag_type = lookup_template(folded)
            if flag_type is not None and flag_type.scope == "inline":
                flags.append(_flag(context, template, params, flag_type.type, flag_type.labels[0]))
            elif citation is None and _CITE.match(folded):
                citation = citation_from_params(
                    _param_values(stream, params), name=name, text=plain(stream, start, stop)
                )
            elif citation is None and folded in _SHORT_CITES:
                citation = _short_cite(context, params)
            # Flags can nest in parameters ({{sfn|…|p={{page needed}}}}): look inside.
            for param in params:
                flags.extend(_nested_flags(context, param.start, param.end))
            cursor = end_of(stream, cursor)
        elif kind is T.ExternalLinkOpen:
            if first_url is None:
                url_stop = stream.close[cursor]
                separator = next(
                    (
                        i
                        for i in range(cursor + 1, url_stop)
                        if type(tokens[i]) is T.ExternalLinkSeparator
                    ),
                    url_stop,
                )
                first_url = plain(stream, cursor + 1, separator).strip()
                link_title = plain(stream, separator + 1, url_stop).strip() or None
            cursor = end_of(stream, cursor)
        elif kind in (T.CommentStart, T.WikilinkOpen, T.TagOpenOpen):
            cursor = end_of(stream, cursor)
        else:
            cursor += 1
    if citation is None:
        citation = citation_from_link(
            first_url, title=link_title, name=name, text=plain(stream, start, stop)
        )
    if any(flag.type == "dead-link" for flag in flags):
        citation = marked_dead(citation)
    return citation, tuple(flags)


def _nested_flags(context: _Context, start: int, stop: int) -> list[Flag]:
    """Flags written inside a parameter value of another template."""
    stream = context.stream
    tokens = stream.tokens
    found: list[Flag] = []
    for cursor in range(start, stop):
        if type(tokens[cursor]) is not T.TemplateOpen:
            continue
        template, params = template_parts(stream, cursor)
        flag_type = lookup_template(template)
        if flag_type is not None and flag_type.scope == "inline":
            found.append(_flag(context, template, params, flag_type.type, flag_type.labels[0]))
    return found


def _add_ref(context: _Context, index: int) -> None:
    info = tag_info(context.stream, index)
    if info.attrs.get("group"):
        # An explanatory note, not a citation; flags written inside it still count (once,
        # also for a note defined in the list at the end: {{reflist|group=note|refs=…}}).
        name = info.attrs.get("name") or None
        found = context.named_refs.get(name or "")
        if found is None and info.content and info.content[0] < info.content[1]:
            found = _ref_content(context, info)
        if found and (name is None or name not in context.flagged_refs):
            if name:
                context.flagged_refs.add(name)
            for flag in found[1]:
                context.builder.add_flag(flag)
        return
    name = info.attrs.get("name") or None
    found = context.named_refs.get(name or "")
    if found is not None:
        citation, flags = found  # read once by _prescan, definition or reuse alike
    elif info.content is None or info.content[0] >= info.content[1]:
        citation, flags = Citation(name=name), ()
    else:
        citation, flags = _ref_content(context, info)
    context.builder.add_citation(citation)
    # Flags inside a reused reference count once, where the reference is defined.
    if flags and (name is None or name not in context.flagged_refs):
        if name:
            context.flagged_refs.add(name)
        for flag in flags:
            context.builder.add_flag(flag)


# --- walking ---------------------------------------------------------------------------------


def _flag(context: _Context, template: str, params: list[Param], type_id: str, label: str) -> Flag:
    stream = context.stream
    return Flag(
        type=type_id,
        label=label,
        offset=0,
        date=param_text(stream, params, "date"),
        reason=param_text(stream, params, "reason"),
        template=template.strip(),
    )


def _walk(context: _Context, start: int, stop: int) -> None:
    stream = context.stream
    tokens = stream.tokens
    cursor = start
    while cursor < stop:
        token = tokens[cursor]
        kind = type(token)
        if kind is Text:
            _text(token["text"], context)  # NOTE: item access; tokens are dicts
            cursor += 1
            continue
        if kind is T.TemplateOpen:
            _template(context, cursor)
        elif kind is T.WikilinkOpen:
            _wikilink(context, cursor)
        elif kind is T.TagOpenOpen:
            _tag(context, cursor)
        elif kind is T.HeadingStart:
            context.flush()
            context.in_list_item = False
            context.kind = "paragraph"
            title = _STYLE_QUOTES.sub("", plain(stream, cursor + 1, stream.close[cursor]))
            context.tracker.enter(token.level, " ".join(title.split()))
        elif kind is T.ExternalLinkOpen:
            separator = next(
                (
                    i
                    for i in range(cursor + 1, stream.close[cursor])
                    if type(tokens[i]) is T.ExternalLinkSeparator
                ),
                None,
            )
            if separator is not None:
                _walk(context, separator + 1, stream.close[cursor])
            elif not token.brackets:
                context.builder.add_text(plain(stream, cursor + 1, stream.close[cursor]))
        elif kind is T.HTMLEntityStart:
            context.builder.add_text(entity_text(stream, cursor))
        cursor = end_of(stream, cursor)


def _text(text: str, context: _Context) -> None:
    """Text with wiki paragraph rules: blank line ends a paragraph, newline ends a list item."""
    if "''" in text:
        text = _STYLE_QUOTES.sub("", text)
    if "\n" not in text:
        context.builder.add_text(text)
        return
    pieces = _BLANK_LINE.split(text)
    for index, piece in enumerate(pieces):
        if index:
            context.flush()
            context.in_list_item = False
            if context.kind != "infobox":
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


def _template(context: _Context, index: int) -> None:
    stream = context.stream
    raw_name, params = template_parts(stream, index)
    name = normalize_template_name(raw_name)
    flag_type = lookup_template(name)
    if flag_type is not None:
        if flag_type.scope == "inline":
            context.builder.add_flag(
                _flag(context, raw_name, params, flag_type.type, flag_type.labels[0])
            )
            span = next((param for param in params if param.name == "text"), None)
            if span is not None:
                _walk(context, span.start, span.end)
        else:
            _add_banner(context, raw_name, params, flag_type.type)
        return
    if is_banner_container(name):
        for param in params:
            for cursor in range(param.start, param.end):
                if type(stream.tokens[cursor]) is T.TemplateOpen:
                    inner, inner_params = template_parts(stream, cursor)
                    inner_type = lookup_template(inner)
                    if inner_type is not None and inner_type.scope == "banner":
                        _add_banner(context, inner, inner_params, inner_type.type)
        return
    if _INFOBOX.match(name):
        _infobox(context, params)
    elif name in _QUOTE_TEMPLATES:
        quote = next((p for p in params if p.name in ("text", "quote", "1")), None)
        if quote is not None:
            outer = context.kind
            context.start("quote")
            _walk(context, quote.start, quote.end)
            context.start(outer if outer != "quote" else "paragraph")
    elif name in _SHORT_CITES:
        context.builder.add_citation(_short_cite(context, params))
        # Identical {{sfn}}s make ONE footnote (the wiki merges them), so flags written in
        # them ({{sfnp|…|p={{page needed}}}}) count once, like a reused named reference.
        key = "sfn:" + "|".join(
            f"{p.name}={plain(stream, p.start, p.end).strip()}" for p in params
        )
        if key not in context.flagged_refs:
            context.flagged_refs.add(key)
            _add_nested_flags(context, params)
    elif name == "Refn":
        body = next((p for p in params if p.name == "1"), None)
        group = param_text(stream, params, "group")
        if body is not None:
            attrs = {"name": param_text(stream, params, "name") or ""}
            citation, flags = _ref_content(
                context, TagInfo("ref", attrs, (body.start, body.end), None)
            )
            if not group:
                context.builder.add_citation(citation)
            for flag in flags:
                context.builder.add_flag(flag)
    elif name in _LIST_TEMPLATES:
        _list_template(context, params)
    elif name in _LITERAL_TEMPLATES:
        context.builder.add_text(_LITERAL_TEMPLATES[name])
    elif name in _TEXT_TEMPLATES:
        shown = next((p for p in params if p.name == _TEXT_TEMPLATES[name]), None)
        if shown is not None:
            _walk(context, shown.start, shown.end)
    elif name in ("Convert", "Cvt"):
        values = [plain(stream, p.start, p.end).strip() for p in params if p.name.isdigit()][:2]
        context.builder.add_text(" ".join(values))
    elif name in ("As of", "Asof"):
        year = param_text(stream, params, "1")
        context.builder.add_text(f"As of {year}" if year else "")
    elif name.startswith("Lang-"):
        shown = next((p for p in params if p.name == "1"), None)
        if shown is not None:
            _walk(context, shown.start, shown.end)
    else:
        # A template we cannot render still shows the flags written inside it.
        _add_nested_flags(context, params)


def _list_template(context: _Context, params: list[Param]) -> None:
    """{{hlist|a|b}}, {{ublist|…}}: each item a line of the infobox, or a list item."""
    items = [param for param in params if param.name.isdigit()]
    if context.kind == "infobox":
        for index, item in enumerate(items):
            if index:
                context.flush()
            _walk(context, item.start, item.end)
        return
    outer = context.kind
    for item in items:
        context.start("list-item")
        _walk(context, item.start, item.end)
    context.start(outer)


def _add_nested_flags(context: _Context, params: list[Param]) -> None:
    for param in params:
        for flag in _nested_flags(context, param.start, param.end):
            context.builder.add_flag(flag)


def _add_banner(context: _Context, template: str, params: list[Param], type_id: str) -> None:
    """A banner covers the article (above the first heading) or the section it opens."""
    tracker = context.tracker
    if tracker.in_end_matter:
        return  # a banner over "Sources" or "External links" covers no claims
    in_section = bool(tracker.path)
    context.banners.append(
        Banner(
            type=type_id,
            scope="section" if in_section else "article",
            section=tracker.section if in_section else (),
            template=template.strip(),
            date=param_text(context.stream, params, "date"),
            reason=param_text(context.stream, params, "reason"),
        )
    )


def _infobox(context: _Context, params: list[Param]) -> None:
    """Each value line of an infobox is a claim; labels (parameter names) are not."""
    outer = context.kind
    context.flush()
    context.in_infobox = True
    has_image = any(
        _IMAGE_PARAMS.match(p.name) and plain(context.stream, p.start, p.end).strip()
        for p in params
    )
    for param in params:
        if _CAPTION_PARAMS.match(param.name):
            if has_image:
                context.start("caption")
                _walk(context, param.start, param.end)
            continue
        if param.name.isdigit() or _SKIP_PARAMS.match(param.name):
            continue
        if _REF_PARAMS.match(param.name):
            _walk(context, param.start, param.end)
            continue
        context.start("infobox")
        _walk(context, param.start, param.end)
    context.flush()
    context.in_infobox = False
    context.start(outer if outer != "infobox" else "paragraph")


def _wikilink(context: _Context, index: int) -> None:
    stream = context.stream
    tokens = stream.tokens
    stop = stream.close[index]
    separator = next(
        (i for i in range(index + 1, stop) if type(tokens[i]) is T.WikilinkSeparator), None
    )
    target = plain(stream, index + 1, separator if separator is not None else stop)
    if _FILE_LINK.match(target):
        if separator is None:
            return
        # [[File:x.jpg|thumb|upright|The caption]]: the caption is the last non-option part;
        # options arrive as text, so split the raw text and walk only the caption tokens.
        caption_start = separator + 1
        cursor = separator + 1
        while cursor < stop:
            token = tokens[cursor]
            if type(token) is Text and "|" in token.text:
                tail = token.text.rsplit("|", 1)[1]
                if not _FILE_OPTIONS.match(tail.strip()):
                    caption_start = cursor
            cursor = end_of(stream, cursor) if type(token) is not Text else cursor + 1
        caption = plain(stream, caption_start, stop).rsplit("|", 1)[-1].strip()
        if caption and not _FILE_OPTIONS.match(caption):
            outer = context.kind
            context.start("caption")
            _walk_caption(context, caption_start, stop)
            context.start(outer)
        return
    if _SKIP_LINK.match(target):
        return
    if separator is not None:
        _walk(context, separator + 1, stop)
    else:
        context.builder.add_text(target.split("#")[0].lstrip(":"))


def _walk_caption(context: _Context, start: int, stop: int) -> None:
    """Walk a file caption, skipping the `option|` text before its last `|`."""
    tokens = context.stream.tokens
    first = tokens[start]
    if type(first) is Text and "|" in first.text:
        context.builder.add_text(first.text.rsplit("|", 1)[1])
        start += 1
    _walk(context, start, stop)


def _tag(context: _Context, index: int) -> None:
    stream = context.stream
    info = tag_info(stream, index)
    name = info.name
    if name == "ref":
        _add_ref(context, index)
    elif info.markup in ("*", "#") or (name == "li" and info.markup):
        context.start("list-item")
        context.in_list_item = True
    elif info.markup in (":", ";"):
        context.start("paragraph")
        context.in_list_item = True
    elif name == "br":
        if context.kind == "infobox":
            context.flush()
        else:
            context.builder.add_text(" ")
    elif name == "table":
        _table(context, info)
    elif name in ("blockquote", "poem"):
        outer = context.kind
        context.start("quote")
        if info.content:
            _walk(context, *info.content)
        context.start(outer if outer != "quote" else "paragraph")
    elif name in _IGNORED_TAGS or info.content is None:
        return
    elif name == "nowiki":
        context.builder.add_text(plain(stream, *info.content))
    else:
        _walk(context, *info.content)


def _table(context: _Context, table: TagInfo) -> None:
    """Wiki tables: each row is one claim, cells separated; `|+` is the caption.

    NOTE: cells before the first `|-` come as direct children of the table (no row), and the
    tokenizer gives a `|+` caption as a cell whose text starts with "+".
    """
    stream = context.stream
    tokens = stream.tokens
    outer = context.kind
    context.flush()
    if table.content is None:
        return
    cursor, stop = table.content
    in_implicit_row = False
    while cursor < stop:
        if type(tokens[cursor]) is not T.TagOpenOpen:
            cursor += 1
            continue
        child = tag_info(stream, cursor)
        if child.name == "tr" and child.content:
            in_implicit_row = False
            _table_row(context, child)
        elif child.name == "caption" and child.content:
            in_implicit_row = False
            context.start("caption")
            _walk(context, *child.content)
        elif child.name in ("td", "th") and child.content:
            first = tokens[child.content[0]] if child.content[0] < child.content[1] else None
            if isinstance(first, Text) and first["text"].startswith("+"):
                in_implicit_row = False
                context.start("caption")
                context.builder.add_text(first["text"][1:])
                _walk(context, child.content[0] + 1, child.content[1])
            else:
                if not in_implicit_row:
                    context.start("table-row")
                    in_implicit_row = True
                _cell(context, child)
        cursor = end_of(stream, cursor)
    context.start(outer if outer != "table-row" else "paragraph")


def _cell(context: _Context, cell: TagInfo) -> None:
    context.builder.add_separator(" | ")
    if cell.content:
        _walk(context, *cell.content)


def _table_row(context: _Context, row: TagInfo) -> None:
    stream = context.stream
    tokens = stream.tokens
    context.start("table-row")
    cursor, stop = row.content or (0, 0)
    while cursor < stop:
        if type(tokens[cursor]) is T.TagOpenOpen:
            cell = tag_info(stream, cursor)
            if cell.name in ("td", "th") and cell.content:
                _cell(context, cell)
            cursor = end_of(stream, cursor)
        else:
            cursor += 1
    context.flush()
