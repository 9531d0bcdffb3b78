"""mwparserfromhell's token stream, with the structure the wikitext reader needs.

Why tokens and not `mwparserfromhell.parse()`: the C tokenizer reads a page about six times
faster than the pure-Python tree builder that `parse()` runs after it (benchmarks/extract.py),
and the reader only walks the page once. So we keep the field's tokenizer — it decides what is
a template, a link, a tag — and skip the tree: one pass pairs every opening token with its
closing token, and the reader jumps over or descends into spans by index.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass

from mwparserfromhell.parser import tokens as T
from mwparserfromhell.parser import use_c

if use_c:
    from mwparserfromhell.parser import CTokenizer as _Tokenizer
else:  # pragma: no cover - the pure-Python tokenizer, when the C extension is missing
    from mwparserfromhell.parser.tokenizer import Tokenizer as _Tokenizer

Text = T.Text

_PAIRS = {
    T.TemplateOpen: T.TemplateClose,
    T.ArgumentOpen: T.ArgumentClose,
    T.WikilinkOpen: T.WikilinkClose,
    T.ExternalLinkOpen: T.ExternalLinkClose,
    T.HeadingStart: T.HeadingEnd,
    T.CommentStart: T.CommentEnd,
    T.HTMLEntityStart: T.HTMLEntityEnd,
    T.TagOpenOpen: None,
}
_CLOSERS = frozenset(
    {
        T.TemplateClose,
        T.ArgumentClose,
        T.WikilinkClose,
        T.ExternalLinkClose,
        T.HeadingEnd,
        T.CommentEnd,
        T.HTMLEntityEnd,
        T.TagCloseSelfclose,
        T.TagCloseClose,
    }
)


@dataclass
class TokenStream:
    """Tokens of one page plus, for every opening token, where its span ends."""

    tokens: list[T.Token]
    close: list[int]
    """For an opening token: index of its closing token (for tags, the final close)."""
    body_start: dict[int, int]
    """For a tag with content: index of its `TagCloseOpen` (content starts after it)."""
    body_end: dict[int, int]
    """For a tag with content: index of its `TagOpenClose` (content ends before it)."""


def tokenize(text: str) -> TokenStream:
    """Tokenize wikitext (bold/italic quotes left as text) and pair the tokens."""
    tokens = _Tokenizer().tokenize(text, 0, True)
    size = len(tokens)
    close = [-1] * size
    body_start: dict[int, int] = {}
    body_end: dict[int, int] = {}
    stack: list[int] = []
    for index, token in enumerate(tokens):
        kind = type(token)
        if kind is Text:
            continue
        if kind in _PAIRS:
            stack.append(index)
        elif kind in _CLOSERS:
            if stack:
                close[stack.pop()] = index
        elif kind is T.TagCloseOpen:
            if stack:
                body_start[stack[-1]] = index
        elif kind is T.TagOpenClose and stack:
            body_end[stack[-1]] = index
    return TokenStream(tokens, close, body_start, body_end)


def end_of(stream: TokenStream, index: int) -> int:
    """Index just past the span that starts at `index` (itself + 1 for a lone token)."""
    closing = stream.close[index]
    return closing + 1 if closing >= 0 else index + 1


@dataclass(frozen=True, slots=True)
class Param:
    """One template parameter: its name (`1`, `2`, … when positional) and value token span."""

    name: str
    start: int
    end: int


def template_parts(stream: TokenStream, index: int) -> tuple[str, list[Param]]:
    """Name and parameters of the template opening at `index`."""
    tokens = stream.tokens
    stop = stream.close[index] if stream.close[index] >= 0 else len(tokens)
    name_end = stop
    params: list[Param] = []
    position = 0
    segment_start = -1
    equals = -1
    cursor = index + 1
    while cursor < stop:
        kind = type(tokens[cursor])
        if kind is T.TemplateParamSeparator:
            if segment_start < 0:
                name_end = cursor
            else:
                position = _add_param(stream, params, segment_start, equals, cursor, position)
            segment_start, equals = cursor + 1, -1
            cursor += 1
        elif kind is T.TemplateParamEquals and equals < 0 and segment_start >= 0:
            equals = cursor
            cursor += 1
        elif kind in _PAIRS:
            cursor = end_of(stream, cursor)
        else:
            cursor += 1
    if segment_start >= 0:
        _add_param(stream, params, segment_start, equals, stop, position)
    name = plain(stream, index + 1, name_end)
    return name, params


def _add_param(
    stream: TokenStream, params: list[Param], start: int, equals: int, stop: int, position: int
) -> int:
    if equals >= 0:
        params.append(Param(plain(stream, start, equals).strip().lower(), equals + 1, stop))
        return position
    position += 1
    params.append(Param(str(position), start, stop))
    return position


def param_text(stream: TokenStream, params: list[Param], *names: str) -> str | None:
    """Plain text of the first named parameter present and non-empty."""
    for name in names:
        for param in params:
            if param.name == name:
                value = plain(stream, param.start, param.end).strip()
                if value:
                    return value
    return None


@dataclass(frozen=True, slots=True)
class TagInfo:
    """An HTML-like or wiki-markup tag: name, attributes, content span, its wiki markup."""

    name: str
    attrs: dict[str, str]
    content: tuple[int, int] | None
    """Token span of the content, or None for a self-closing tag."""
    markup: str | None
    """`*`, `#`, `:`, `;`, `{|`, `|-`, `|`, `!`, … for wiki markup; None for <tags>."""


def tag_info(stream: TokenStream, index: int) -> TagInfo:
    """Describe the tag opening at `index`."""
    tokens = stream.tokens
    opening = tokens[index]
    name_token = tokens[index + 1] if index + 1 < len(tokens) else None
    name = name_token.text.strip().lower() if isinstance(name_token, Text) else ""
    attrs_end = stream.body_start.get(index, stream.close[index])
    attrs: dict[str, str] = {}
    cursor = index + 2
    while 0 <= cursor < attrs_end:
        if type(tokens[cursor]) is T.TagAttrStart:
            key_start = cursor + 1
            cursor = key_start
            while cursor < attrs_end and type(tokens[cursor]) not in (
                T.TagAttrEquals,
                T.TagAttrStart,
            ):
                cursor += 1
            key = plain(stream, key_start, cursor).strip().lower()
            value = ""
            if cursor < attrs_end and type(tokens[cursor]) is T.TagAttrEquals:
                value_start = cursor + 1
                cursor = value_start
                while cursor < attrs_end and type(tokens[cursor]) is not T.TagAttrStart:
                    cursor += 1
                value = plain(stream, value_start, cursor).strip().strip("\"'").strip()
            if key:
                attrs[key] = value
        else:
            cursor += 1
    content = None
    if index in stream.body_start:
        content = (stream.body_start[index] + 1, stream.body_end.get(index, stream.close[index]))
    return TagInfo(name, attrs, content, getattr(opening, "wiki_markup", None))


def plain(stream: TokenStream, start: int, stop: int) -> str:
    """Visible text of a token span: text, link labels, entities; templates and comments out."""
    if stop == start + 1:
        token = stream.tokens[start]
        if type(token) is Text:
            return token["text"]  # NOTE: tokens are dicts; item access skips __getattr__
    return "".join(_plain_pieces(stream, start, stop))


def _plain_pieces(stream: TokenStream, start: int, stop: int) -> Iterator[str]:
    tokens = stream.tokens
    cursor = start
    while cursor < stop:
        token = tokens[cursor]
        kind = type(token)
        if kind is Text:
            yield token["text"]
            cursor += 1
        elif kind is T.WikilinkOpen:
            closing = stream.close[cursor]
            separator = _last_separator(stream, cursor, T.WikilinkSeparator)
            label_start = separator + 1 if separator >= 0 else cursor + 1
            if closing > label_start:
                yield from _plain_pieces(stream, label_start, closing)
            cursor = end_of(stream, cursor)
        elif kind is T.ExternalLinkOpen:
            separator = _last_separator(stream, cursor, T.ExternalLinkSeparator)
            if separator >= 0:
                yield from _plain_pieces(stream, separator + 1, stream.close[cursor])
            elif not token.brackets:
                yield from _plain_pieces(stream, cursor + 1, stream.close[cursor])
            cursor = end_of(stream, cursor)
        elif kind is T.HTMLEntityStart:
            yield entity_text(stream, cursor)
            cursor = end_of(stream, cursor)
        elif kind is T.TagOpenOpen:
            content = stream.body_start.get(cursor)
            if content is not None:
                yield from _plain_pieces(
                    stream, content + 1, stream.body_end.get(cursor, stream.close[cursor])
                )
            cursor = end_of(stream, cursor)
        elif kind in _PAIRS:
            cursor = end_of(stream, cursor)
        else:
            cursor += 1


def _last_separator(stream: TokenStream, index: int, separator: type) -> int:
    """The first separator at depth 0 inside the span (links have one: target|label)."""
    tokens = stream.tokens
    stop = stream.close[index]
    cursor = index + 1
    while 0 <= cursor < stop:
        kind = type(tokens[cursor])
        if kind is separator:
            return cursor
        cursor = end_of(stream, cursor) if kind in _PAIRS else cursor + 1
    return -1


def entity_text(stream: TokenStream, index: int) -> str:
    """The character an `&…;` entity stands for."""
    tokens = stream.tokens
    stop = stream.close[index]
    raw = "".join(
        "#"
        if type(token) is T.HTMLEntityNumeric
        else ("x" if type(token) is T.HTMLEntityHex else getattr(token, "text", ""))
        for token in tokens[index + 1 : stop]
    )
    return html.unescape(f"&{raw};")
