"""claims.yaml, the editors' working file: load it safely, validate it, merge new claims, save it.

The file round-trips. We keep ruamel's CommentedMap tree and edit it in place, so editors'
comments, key order and extra keys survive a re-extract; `ClaimsFile.documents` is the
validated, read-only view (`Claim`, `Flag`, `Citation` records) the other stages use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import yaml as pyyaml
from filelock import FileLock, Timeout
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
)

from audit.atomic import write_text_atomic
from audit.claims import normalize_text
from audit.errors import ClaimsFileError
from audit.model import (  # noqa: F401 - Triage and TRIAGE_STATUSES are re-exported
    CLAIM_KINDS,
    SECTION_SEPARATOR,
    TRIAGE_STATUSES,
    Banner,
    Citation,
    Claim,
    Flag,
    ReliabilityOverrides,
    Triage,
)

SCHEMA_VERSION = 1

#: Bigger files are refused before parsing: ruamel's pure-Python parser would take minutes.
MAX_FILE_BYTES = 100 * 1024 * 1024
#: A claims file nests 7 levels deep; far deeper input is hostile and would exhaust recursion.
MAX_DEPTH = 64
#: rapidfuzz `ratio` (0..100) from which a reworded claim keeps the old claim's triage.
FUZZY_MIN_RATIO = 90

_HEADER = (
    "claims.yaml: the claims `audit` extracted, with the editors' triage of each.\n"
    "Edit `triage` (status: open | fixed | waived | false-positive | assigned, note: ...);\n"
    "comments and extra keys are kept when claims are re-extracted."
)


@dataclass(frozen=True)
class Snapshot:
    """Which copy of the article the claims were extracted from."""

    timestamp: str | None
    """When the copy was taken (ISO 8601 UTC)."""
    revision: int | None
    """Revision id of the copy, once known (`set_snapshot_revision`)."""
    source: str | None
    """File name or URL the copy was read from."""


@dataclass(frozen=True)
class OrphanedClaim:
    """Triage of a claim that is gone from the article, kept so editors' work is never lost."""

    id: str
    section: str | None
    text: str
    triage: Triage


@dataclass(frozen=True)
class ClaimsDocument:
    """One article of claims.yaml as validated records."""

    title: str
    wiki: str
    snapshot: Snapshot
    claims: tuple[Claim, ...]
    triage: Mapping[str, Triage]
    """Triage of every claim, by claim id (the default `Triage()` where the file has none)."""
    orphaned: tuple[OrphanedClaim, ...] = ()
    banners: tuple[Banner, ...] = ()
    """Article and section banners of the snapshot (they cover every claim in scope)."""
    overrides: ReliabilityOverrides = ReliabilityOverrides()
    """Editors' verdicts on sources (`reliability: {domain_overrides, citation_overrides}`)."""
    flag_triage: Mapping[tuple[str, str, int], Triage] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )
    """Triage of single flags: (claim id, flag type, n-th flag of that type) → triage."""


@dataclass(frozen=True)
class MergeReport:
    """What `upsert_document` did, for the summary line editors read."""

    kept_by_id: int
    """Claims whose (non-default) triage was found under the same id."""
    kept_by_text: int
    """Claims whose triage was found by identical normalised text under another id."""
    orphaned: int
    """Removed claims whose triage moved to `orphaned`."""
    added: int
    """Claims not matched to any previous claim."""
    removed: int
    """Previous claims not matched to any new claim."""
    kept_by_fuzzy: int = 0
    """Reworded claims that inherited triage by similar text (ratio ≥ FUZZY_MIN_RATIO): check."""


class ClaimsFile:
    """A claims.yaml in memory: ruamel's round-trip tree plus the validated `documents` view."""

    def __init__(self, tree: CommentedMap, path: Path | None = None) -> None:
        self.path = path
        self.tree = tree
        self.documents: list[ClaimsDocument] = _read_tree(tree, path)

    def document(self, title: str, wiki: str) -> ClaimsDocument | None:
        """The document for an article, matching titles MediaWiki-style."""
        key = _doc_key(title, wiki)
        return next((d for d in self.documents if _doc_key(d.title, d.wiki) == key), None)

    def refresh(self) -> None:
        """Re-validate the tree after an edit, so `documents` always shows what will be saved."""
        self.documents = _read_tree(self.tree, self.path)


# --- loading -------------------------------------------------------------------------------


def _yaml() -> YAML:
    """The one ruamel configuration for reading and writing, so load → save is byte-stable."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True  # an editor's quoting style survives a save
    yaml.allow_unicode = True
    yaml.width = 1_000_000  # never fold long claim texts or flow maps
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load_claims_file(path: str | Path) -> ClaimsFile:
    """Read and validate a claims.yaml; any problem is a `ClaimsFileError` with file and line."""
    target = Path(path)
    where = str(target)
    text = _read_text(target)
    if text.strip():
        _check_events(text, where)
    try:
        tree = _yaml().load(text)
    except MarkedYAMLError as exc:
        raise _syntax_error(exc, where) from exc
    except (YAMLError, RecursionError) as exc:  # depth is bounded already; belt and braces
        raise ClaimsFileError(f"not valid YAML: {exc}", path=where) from exc
    if tree is None:
        raise ClaimsFileError(
            "claims file is empty",
            path=where,
            hint="extract the claims again to write a fresh claims.yaml",
        )
    if not isinstance(tree, CommentedMap):
        raise ClaimsFileError(
            f"top level must be a mapping (schema_version, documents), not {_describe(tree)}",
            path=where,
            line=_line(tree) or 1,
        )
    return ClaimsFile(tree, target)


def read_claims_documents(path: str | Path) -> list[ClaimsDocument]:
    """The validated documents of a claims.yaml, read-only (what `check` needs), fast.

    ruamel's round-trip parser is pure Python (~1 s for the seed's 670 claims); reading only
    needs plain data, which libyaml parses in a tenth of that. Anything unusual (a tag, an
    alias, a YAML 1.1 reading such as `no` → false that fails validation) falls back to the
    exact round-trip path, which then accepts the file or explains the problem with a line.
    """
    target = Path(path)
    text = _read_text(target)
    tree = _fast_tree(text)
    if isinstance(tree, dict):
        try:
            return _read_tree(tree, target)
        except ClaimsFileError:
            pass
    return load_claims_file(target).documents


def _fast_tree(text: str) -> Any:
    """Plain data via libyaml, or None when the text needs the careful path."""
    loader = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
    try:
        depth = 0
        for event in pyyaml.parse(text, Loader=loader):
            if isinstance(event, pyyaml.AliasEvent) or getattr(event, "anchor", None):
                return None
            if getattr(event, "tag", None) is not None:
                return None  # an explicit tag: let the careful path refuse it with a line
            if isinstance(event, pyyaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return None
            elif isinstance(event, pyyaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, pyyaml.DocumentStartEvent) and event.explicit:
                return None
        return pyyaml.load(text, Loader=loader)
    except (pyyaml.YAMLError, RecursionError, ValueError):
        return None


def _read_text(target: Path) -> str:
    """The file as text, refusing what is too big, binary or not UTF-8 before YAML sees it."""
    where = str(target)
    try:
        if target.is_dir():
            raise ClaimsFileError("is a directory, not a claims file", path=where)
        size = target.stat().st_size
        data = b""
        if size <= MAX_FILE_BYTES:
            with target.open("rb") as handle:
                # NOTE: read one byte past the limit; a size can lie (pipes, growing files).
                data = handle.read(MAX_FILE_BYTES + 1)
                size = len(data)
    except FileNotFoundError as exc:
        raise ClaimsFileError("no such file", path=where) from exc
    except OSError as exc:
        raise ClaimsFileError(f"cannot read: {exc.strerror or exc}", path=where) from exc
    if size > MAX_FILE_BYTES:
        raise ClaimsFileError(
            f"file is {size / 2**20:.0f} MB; claims files over "
            f"{MAX_FILE_BYTES // 2**20} MB are refused",
            path=where,
            hint="split the articles over several claims files",
        )
    if b"\0" in data:
        raise ClaimsFileError(
            "binary content (NUL byte): not a YAML text file",
            path=where,
            line=data.count(b"\n", 0, data.index(b"\0")) + 1,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ClaimsFileError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
            path=where,
            line=data.count(b"\n", 0, exc.start) + 1,
            hint="save the file as UTF-8",
        ) from exc


def _syntax_error(exc: MarkedYAMLError, where: str) -> ClaimsFileError:
    mark = exc.problem_mark or exc.context_mark
    return ClaimsFileError(
        f"not valid YAML{f' (column {mark.column + 1})' if mark else ''}: "
        f"{exc.problem or exc.context or 'syntax error'}",
        path=where,
        line=mark.line + 1 if mark else None,
        hint="check indentation and quoting near that line (text with ': ' or ' #' needs quotes)",
    )


def _check_events(text: str, where: str) -> None:
    """Refuse tags, anchors/aliases, several documents and deep nesting before anything is built.

    Explicit tags are how YAML asks a loader to build objects (`!!python/object/apply`), and
    aliases are how a few lines expand to gigabytes (billion laughs); claims.yaml needs neither.
    """
    depth = documents = 0
    try:
        for event in _yaml().parse(io.StringIO(text)):
            tag = getattr(event, "tag", None)
            problem = hint = None
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
                problem = "YAML anchors and aliases (&name, *name) are not allowed"
                hint = "write the value out in full"
            elif tag is not None:
                tag = str(tag).replace("tag:yaml.org,2002:", "!!", 1)
                problem = f"explicit YAML tags are not allowed (found {tag})"
                hint = "claims.yaml holds plain data only; remove the tag"
            elif isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    problem = "more than one YAML document ('---')"
            elif isinstance(event, (CollectionStartEvent, CollectionEndEvent)):
                depth += 1 if isinstance(event, CollectionStartEvent) else -1
                if depth > MAX_DEPTH:
                    problem = f"nested more than {MAX_DEPTH} levels deep"
            if problem:
                raise ClaimsFileError(
                    problem, path=where, line=event.start_mark.line + 1, hint=hint
                )
    except MarkedYAMLError as exc:
        raise _syntax_error(exc, where) from exc
    except YAMLError as exc:
        raise ClaimsFileError(f"not valid YAML: {exc}", path=where) from exc


# --- validation: tree → records ------------------------------------------------------------

_TYPE_NAMES = {
    bool: "true or false",
    str: "a string",
    int: "an integer",
    list: "a list",
    dict: "a mapping",
}
_SNAPSHOT_KEYS = {"timestamp": str, "revision": int, "source": str}
_CLAIM_KEYS = {
    "id": str,
    "section": str,
    "kind": str,
    "text": str,
    "anchor": str,
    "section_index": int,
}
_FLAG_KEYS = {"type": str, "label": str, "offset": int, "date": str, "reason": str, "template": str}
_CITATION_KEYS = {f.name: bool if f.name == "dead" else str for f in dataclasses.fields(Citation)}
_ORPHAN_KEYS = {"id": str, "section": str, "text": str}
_BANNER_KEYS = {
    "type": str,
    "scope": str,
    "section": str,
    "template": str,
    "date": str,
    "reason": str,
}


def _describe(value: Any) -> str:
    if value is None:
        return "null (empty)"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date (quote it to keep it text)"
    return next(
        (name for kind, name in _TYPE_NAMES.items() if isinstance(value, kind)),
        f"a {type(value).__name__}",
    )


def _is(value: Any, kind: type) -> bool:
    return isinstance(value, kind) and (kind is not int or not isinstance(value, bool))


def _line(node: Any, key: Any = None) -> int | None:
    """1-based line of `node`, or of `node[key]`, when ruamel recorded one (not for new nodes)."""
    try:
        if key is None:
            line = node.lc.line
        elif isinstance(node, CommentedSeq):
            line = node.lc.item(key)[0]
        else:
            line = node.lc.value(key)[0]
    except (AttributeError, KeyError, TypeError, IndexError):
        return None
    return None if line is None else line + 1


class _Checker:
    """Type checks that fail with a `ClaimsFileError` naming the key path and line."""

    def __init__(self, path: Path | None) -> None:
        self.where = str(path) if path is not None else None

    def fail(self, message: str, node: Any, key: Any = None, hint: str | None = None) -> NoReturn:
        raise ClaimsFileError(message, path=self.where, line=_line(node, key), hint=hint)

    def take(self, node: Any, key: str, kind: type, label: str, *, required: bool = True) -> Any:
        """`node[key]` checked to be of `kind`; an optional key may be absent or null (None)."""
        if key not in node and required:
            self.fail(f"{label}: missing key '{key}'", node)
        value = node.get(key)
        if value is None and not required:
            return None
        if not _is(value, kind):
            self.fail(
                f"{label}.{key} must be {_TYPE_NAMES[kind]}, not {_describe(value)}", node, key
            )
        return value

    def fields(
        self, node: Any, kinds: Mapping[str, type], label: str, required: Iterable[str] = ()
    ) -> dict[str, Any]:
        """Every key of `kinds` checked (unknown keys are editors' own and stay untouched)."""
        return {
            key: self.take(node, key, kind, label, required=key in required)
            for key, kind in kinds.items()
        }

    def items(self, node: Any, key: str, label: str, *, required: bool = True) -> list[Any]:
        """A list of mappings under `key` (an absent or null optional list is empty)."""
        values = self.take(node, key, list, label, required=required) or []
        for index, item in enumerate(values):
            if not isinstance(item, dict):
                self.fail(
                    f"{label}.{key}[{index}] must be a mapping, not {_describe(item)}",
                    values,
                    index,
                )
        return values


def _read_tree(tree: Any, path: Path | None) -> list[ClaimsDocument]:
    """Validate the whole tree and build the record view of it."""
    check = _Checker(path)
    if "schema_version" not in tree:
        check.fail(
            "missing schema_version",
            tree,
            hint=f"the file should start with 'schema_version: {SCHEMA_VERSION}'",
        )
    version = check.take(tree, "schema_version", int, "top level")
    if version > SCHEMA_VERSION:
        check.fail(
            f"claims.yaml schema_version {version} is newer than this audit supports "
            f"({SCHEMA_VERSION}); upgrade audit",
            tree,
            "schema_version",
            hint="a newer audit wrote this file: pip install --upgrade wiki-audit",
        )
    if version != SCHEMA_VERSION:
        check.fail(
            f"claims.yaml schema_version {version} is not supported (this audit reads "
            f"{SCHEMA_VERSION})",
            tree,
            "schema_version",
        )
    documents = []
    seen: dict[tuple[str, str], int | None] = {}
    for index, node in enumerate(check.items(tree, "documents", "top level")):
        document = _read_document(check, node, f"documents[{index}]")
        key = _doc_key(document.title, document.wiki)
        if key in seen:
            check.fail(
                f"document '{document.title}' ({document.wiki}) appears twice "
                f"(first at line {seen[key]})",
                node,
            )
        seen[key] = _line(node)
        documents.append(document)
    return documents


def _read_document(check: _Checker, node: CommentedMap, label: str) -> ClaimsDocument:
    title = check.take(node, "title", str, label)
    wiki = check.take(node, "wiki", str, label)
    snapshot_node = check.take(node, "snapshot", dict, label)
    snapshot = Snapshot(**check.fields(snapshot_node, _SNAPSHOT_KEYS, f"{label}.snapshot"))
    claims: list[Claim] = []
    triage: dict[str, Triage] = {}
    flag_triage: dict[tuple[str, str, int], Triage] = {}
    first_line: dict[str, int | None] = {}
    for index, item in enumerate(check.items(node, "claims", label)):
        claim = _read_claim(check, item, f"{label}.claims[{index}]")
        if claim.id in first_line:
            check.fail(
                f"duplicate claim id {claim.id} (first at line {first_line[claim.id]})",
                item,
                "id",
                hint="claim ids must be unique within a document",
            )
        first_line[claim.id] = _line(item, "id")
        claims.append(claim)
        triage[claim.id] = _read_triage(check, item, f"{label}.claims[{index}]")
        for key, value in _read_flag_triage(check, item, claim, f"{label}.claims[{index}]"):
            flag_triage[key] = value
    orphaned = tuple(
        OrphanedClaim(
            **check.fields(
                item, _ORPHAN_KEYS, f"{label}.orphaned[{index}]", required=("id", "text")
            ),
            triage=_read_triage(check, item, f"{label}.orphaned[{index}]"),
        )
        for index, item in enumerate(check.items(node, "orphaned", label, required=False))
    )
    banners = tuple(
        _read_banner(check, item, f"{label}.banners[{index}]")
        for index, item in enumerate(check.items(node, "banners", label, required=False))
    )
    return ClaimsDocument(
        title,
        wiki,
        snapshot,
        tuple(claims),
        MappingProxyType(triage),
        orphaned,
        banners,
        _read_overrides(check, node, label),
        MappingProxyType(flag_triage),
    )


def _read_flag_triage(
    check: _Checker, node: CommentedMap, claim: Claim, label: str
) -> list[tuple[tuple[str, str, int], Triage]]:
    """Triage written on single flags (`flags: [{type: …, triage: {status: waived}}]`)."""
    found = []
    seen: Counter[str] = Counter()
    for index, item in enumerate(node.get("flags") or ()):
        if not isinstance(item, dict):
            continue
        seen[str(item.get("type"))] += 1
        if item.get("triage") is not None:
            value = _read_triage(check, item, f"{label}.flags[{index}]")
            found.append(((claim.id, str(item.get("type")), seen[str(item.get("type"))]), value))
    return found


def _read_overrides(check: _Checker, node: CommentedMap, label: str) -> ReliabilityOverrides:
    """`reliability: {domain_overrides: {domain: status}, citation_overrides: {url: status}}`;
    a status may also be `{status: ..., note: ...}` (e.g. note: WP:ABOUTSELF)."""
    from audit.reliability import parse_override

    section = check.take(node, "reliability", dict, label, required=False)
    if not section:
        return ReliabilityOverrides()
    found: dict[str, dict[str, Any]] = {}
    for key in ("domain_overrides", "citation_overrides"):
        mapping = check.take(section, key, dict, f"{label}.reliability", required=False) or {}
        for name, value in mapping.items():
            where = f"{label}.reliability.{key}[{name!r}]"
            try:
                parse_override(value, where)
            except ClaimsFileError as exc:
                check.fail(exc.message, mapping, name, hint=exc.hint)
            found.setdefault(key, {})[str(name)] = dict(value) if isinstance(value, dict) else value
    return ReliabilityOverrides(
        MappingProxyType(found.get("domain_overrides", {})),
        MappingProxyType(found.get("citation_overrides", {})),
    )


def _read_banner(check: _Checker, node: CommentedMap, label: str) -> Banner:
    values = check.fields(node, _BANNER_KEYS, label, required=("type", "scope"))
    if values["scope"] not in ("article", "section"):
        check.fail(f"{label}.scope must be 'article' or 'section'", node, "scope")
    section = tuple(values.pop("section").split(SECTION_SEPARATOR)) if values["section"] else ()
    return Banner(section=section, **values)


def _read_claim(check: _Checker, node: CommentedMap, label: str) -> Claim:
    values = check.fields(node, _CLAIM_KEYS, label, required=("id", "section", "kind", "text"))
    if values["kind"] not in CLAIM_KINDS:
        check.fail(
            f"{label}: unknown claim kind {values['kind']!r} (expected one of "
            f"{', '.join(CLAIM_KINDS)})",
            node,
            "kind",
        )
    flags = []
    for index, item in enumerate(check.items(node, "flags", label, required=False)):
        where = f"{label}.flags[{index}]"
        flag = check.fields(item, _FLAG_KEYS, where, required=("type", "label", "offset"))
        if flag["offset"] < 0:
            check.fail(f"{where}.offset must not be negative", item, "offset")
        flags.append(Flag(**flag))
    citations = _read_citations(check, node, "citations", label)
    paragraph_citations = _read_citations(check, node, "paragraph_citations", label)
    return Claim(
        **values, flags=tuple(flags), citations=citations, paragraph_citations=paragraph_citations
    )


def _read_citations(
    check: _Checker, node: CommentedMap, key: str, label: str
) -> tuple[Citation, ...]:
    citations = []
    for index, item in enumerate(check.items(node, key, label, required=False)):
        citation = check.fields(item, _CITATION_KEYS, f"{label}.{key}[{index}]")
        citations.append(Citation(**{**citation, "dead": bool(citation["dead"])}))
    return tuple(citations)


def _read_triage(check: _Checker, node: Mapping[str, Any], label: str) -> Triage:
    triage = check.take(node, "triage", dict, label, required=False)
    if triage is None:
        return Triage()
    where = f"{label}.triage"
    values = check.fields(triage, {"status": str, "note": str, "by": str}, where)
    if (values["status"] or "open") not in TRIAGE_STATUSES:
        check.fail(
            f"{where}: unknown triage status {values['status']!r} (expected one of "
            f"{', '.join(TRIAGE_STATUSES)})",
            triage,
            "status",
        )
    updated = triage.get("updated")
    if isinstance(updated, (dt.date, dt.datetime)):  # editors type dates unquoted; that is fine
        updated = updated.isoformat()
    elif updated is not None:
        updated = check.take(triage, "updated", str, where)
    return Triage(values["status"] or "open", values["note"] or "", values["by"], updated)


def _doc_key(title: str, wiki: str) -> tuple[str, str]:
    """Identity of an article. NOTE: MediaWiki titles ignore first-letter case and `_` vs space."""
    title = " ".join(title.replace("_", " ").split())
    return title[:1].upper() + title[1:], wiki.rstrip("/")


# --- writing: records → tree ---------------------------------------------------------------


def new_claims_file() -> ClaimsFile:
    """An empty claims file (not yet on disk) to upsert documents into."""
    tree = CommentedMap([("schema_version", SCHEMA_VERSION), ("documents", CommentedSeq())])
    tree.yaml_set_start_comment(_HEADER)
    return ClaimsFile(tree)


def _flow(pairs: Iterable[tuple[str, Any]]) -> CommentedMap:
    """A mapping written on one line (`{a: 1, b: 2}`): flags, citations, snapshot, triage."""
    node = CommentedMap(pairs)
    node.fa.set_flow_style()
    return node


def _claim_values(claim: Claim) -> dict[str, Any]:
    """The keys audit owns in a claim map, in file order; None means "leave the key out"."""
    flags = CommentedSeq(
        _flow(
            [("type", f.type), ("label", f.label), ("offset", f.offset)]
            + [(k, getattr(f, k)) for k in ("date", "reason", "template") if getattr(f, k)]
        )
        for f in claim.flags
    )
    citations = _citation_seq(claim.citations)
    return {
        "id": claim.id,
        "section": claim.section,
        "kind": claim.kind,
        "text": claim.text,
        "flags": flags,
        "citations": citations,
        "paragraph_citations": (
            _citation_seq(claim.paragraph_citations) if claim.paragraph_citations else None
        ),
        "anchor": claim.anchor,
        "section_index": claim.section_index,
    }


def _citation_seq(citations: Iterable[Citation]) -> CommentedSeq:
    # Only citation keys with a value: copies lose most fields, and empty keys are noise.
    return CommentedSeq(
        _flow(
            (f.name, getattr(c, f.name))
            for f in dataclasses.fields(Citation)
            if getattr(c, f.name) not in (None, "", False)
        )
        for c in citations
    )


def _banner_seq(banners: Iterable[Banner]) -> CommentedSeq:
    return CommentedSeq(
        _flow(
            [("type", b.type), ("scope", b.scope)]
            + ([("section", SECTION_SEPARATOR.join(b.section))] if b.section else [])
            + [(key, getattr(b, key)) for key in ("template", "date", "reason") if getattr(b, key)]
        )
        for b in banners
    )


def _set(node: CommentedMap, key: str, value: Any, *, before: str | None = None) -> None:
    """Set `node[key]` only if it changed, so an unchanged value keeps its quoting and comments."""
    if key in node:
        if node[key] != value:
            old = node[key]
            node[key] = value
            _keep_trailing_comments(node, key, old)
    elif before in node:
        node.insert(list(node).index(before), key, value)
    else:
        node[key] = value


def _comment_lines(token: Any) -> list[Any]:
    """Full-line comments of a ruamel comment token, as tokens that can precede a key."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    lines = [line.strip() for line in str(getattr(token, "value", "")).split("\n")]
    column = getattr(token, "column", 0) or 0
    return [CommentToken(line + "\n", CommentMark(column), None)
            for line in lines if line.startswith("#")]


def _delete(node: CommentedMap, key: str) -> None:
    """Remove `node[key]`, handing the comment lines hung on it to the next key.

    NOTE: ruamel stores comment lines that follow a scalar value in that key's post-comment
    (a token starting with a newline); deleting the key would drop them with it.
    """
    keys = list(node)
    old = node[key]
    position = keys.index(key)
    item = list(node.ca.items.get(key) or [None, None, None, None]) + [None] * 4
    comments = list(item[1] or [])
    if item[2] is not None:
        comments += _comment_lines(item[2])
    comments += list(getattr(getattr(old, "ca", None), "end", None) or [])
    del node[key]
    node.ca.items.pop(key, None)
    if comments and position + 1 < len(keys):
        following = node.ca.items.setdefault(keys[position + 1], [None, None, None, None])
        following[1] = comments + list(following[1] or [])


def _keep_trailing_comments(node: CommentedMap, key: str, old: Any) -> None:
    """Comment lines an editor wrote after a block list (e.g. above `triage:`) belong to the
    replaced list in ruamel's tree; move them onto the next key so they survive."""
    end = getattr(getattr(old, "ca", None), "end", None)
    keys = list(node)
    if not end or keys.index(key) + 1 >= len(keys):
        return
    item = node.ca.items.setdefault(keys[keys.index(key) + 1], [None, None, None, None])
    item[1] = list(item[1] or []) + list(end)


def _flag_triage_maps(flags: Any) -> dict[tuple[str, int], Any]:
    """Editors' triage maps of a claim's flags, by (type, n-th flag of that type)."""
    found: dict[tuple[str, int], Any] = {}
    seen: Counter[str] = Counter()
    for item in flags or ():
        if isinstance(item, dict):
            seen[str(item.get("type"))] += 1
            if item.get("triage") is not None:
                found[(str(item.get("type")), seen[str(item.get("type"))])] = item["triage"]
    return found


def _write_claim(
    claim: Claim,
    node: CommentedMap | None = None,
    triage: CommentedMap | None = None,
    old_flags: Any = None,
) -> CommentedMap:
    """Write audit's keys into a claim's map in place (editors' keys and comments stay).

    A flag's own triage follows it by type and position among flags of that type.
    """
    kept_flag_triage = _flag_triage_maps(node.get("flags") if node is not None else old_flags)
    if node is None:
        if triage is None:
            triage = _flow([("status", "open"), ("note", "")])
        node = CommentedMap([("triage", triage)])
    for key, value in _claim_values(claim).items():
        if key == "flags" and kept_flag_triage:
            seen: Counter[str] = Counter()
            for item in value:
                seen[item["type"]] += 1
                kept = kept_flag_triage.get((item["type"], seen[item["type"]]))
                if kept is not None:
                    item["triage"] = kept
        if value is not None:
            _set(node, key, value, before="triage")
        elif key in node:
            _delete(node, key)
    return node


@dataclass
class _Previous:
    """A claim map or orphaned entry whose place (and triage) a new claim may take."""

    node: CommentedMap
    id: str
    norm: str
    triage: Triage
    orphan: bool


def _match(
    claims: Sequence[Claim],
    previous: list[_Previous],
    lineage: Mapping[str, str] | None = None,
) -> dict[int, tuple[_Previous, str]]:
    """Pair new claims (by index) with previous ones: by known lineage (`check --update` knows
    which claim became which), by id, by normalised text, then as the checker matches claims
    (best fuzzy pairs over all candidates at once, audit.match)."""
    matched: dict[int, tuple[_Previous, str]] = {}
    free = dict(enumerate(previous))  # claims before orphans, so a live claim wins a tie
    norms = [normalize_text(claim.text) for claim in claims]
    old_ids = [(lineage or {}).get(c.id, "") for c in claims]
    for how, new_key, old_key in (
        ("id", old_ids, "id"),
        ("id", [c.id for c in claims], "id"),
        ("text", norms, "norm"),
    ):
        index_of: dict[str, list[int]] = {}
        for number, candidate in free.items():
            index_of.setdefault(getattr(candidate, old_key), []).append(number)
        for index, key in enumerate(new_key):
            numbers = [n for n in index_of.get(key, []) if n in free]
            if key and index not in matched and numbers:
                matched[index] = (free.pop(numbers[0]), how)
    left = [index for index in range(len(claims)) if index not in matched]
    if left and free:
        from audit.match import match_claims

        numbers = list(free)
        old_claims = [_as_claim(free[number]) for number in numbers]
        new_claims = [claims[index] for index in left]
        position = {id(claim): number for claim, number in zip(old_claims, numbers)}
        new_position = {id(claim): index for claim, index in zip(new_claims, left)}
        for pair in match_claims(old_claims, new_claims):
            if pair.status == "reworded" and pair.snapshot and pair.current:
                index = new_position[id(pair.current)]
                matched[index] = (free.pop(position[id(pair.snapshot)]), "fuzzy")
    return matched


def _as_claim(candidate: _Previous) -> Claim:
    """A previous claim (or orphan) as a record the matcher compares."""
    node = candidate.node
    section = str(node.get("section") or "")
    kind = str(node.get("kind") or ("infobox" if section == "Infobox" else "sentence"))
    return Claim(id=candidate.id, section=section, kind=kind, text=str(node.get("text") or ""))


def _document_node(cf: ClaimsFile, title: str, wiki: str) -> CommentedMap | None:
    key = _doc_key(title, wiki)
    return next((d for d in cf.tree["documents"] if _doc_key(d["title"], d["wiki"]) == key), None)


def upsert_document(
    cf: ClaimsFile,
    *,
    title: str,
    wiki: str,
    snapshot: Snapshot,
    claims: Sequence[Claim],
    banners: Sequence[Banner] = (),
    lineage: Mapping[str, str] | None = None,
) -> MergeReport:
    """Write (or replace) one document's claims, keeping every non-default triage editors made.

    Triage follows a claim by `lineage` (new id → old id, when the caller knows it), by id,
    by identical normalised text, else as the checker pairs reworded claims. Triage of claims
    that are gone moves to `orphaned` with the old text, and comes back if the claim does.
    """
    _check_claims(claims)
    old, node = cf.document(title, wiki), _document_node(cf, title, wiki)
    if node is None:
        node = CommentedMap(
            [("title", title), ("wiki", wiki), ("snapshot", _flow([])), ("claims", CommentedSeq())]
        )
        cf.tree["documents"].append(node)
    _set_snapshot(node, snapshot)
    if banners:
        _set(node, "banners", _banner_seq(banners), before="claims")
    elif "banners" in node:
        del node["banners"]
    if node.get("orphaned") is None:
        node["orphaned"] = CommentedSeq()
    previous = (
        []
        if old is None
        else [
            _Previous(n, c.id, normalize_text(c.text), old.triage[c.id], False)
            for n, c in zip(node["claims"], old.claims, strict=True)
        ]
        + [
            _Previous(n, o.id, normalize_text(o.text), o.triage, True)
            for n, o in zip(node["orphaned"], old.orphaned, strict=True)
        ]
    )

    matched = _match(claims, previous, lineage)
    kept: Counter[str] = Counter()
    new_nodes = []
    for index, claim in enumerate(claims):
        before, how = matched.get(index, (None, ""))
        if before is None or before.orphan:
            triage = before.node.get("triage") if before is not None else None
            old_flags = before.node.get("flags") if before is not None else None
            new_nodes.append(_write_claim(claim, triage=triage, old_flags=old_flags))
        else:
            new_nodes.append(_write_claim(claim, before.node))
        if before is not None and before.triage != Triage():
            kept[how] += 1
    used = {id(before) for before, _ in matched.values()}
    removed = [p for p in previous if not p.orphan and id(p) not in used]
    triaged = [p for p in removed if p.triage != Triage() or _flag_triage_maps(p.node.get("flags"))]
    orphans = [p.node for p in previous if p.orphan and id(p) not in used] + [
        CommentedMap(
            [
                ("id", p.id),
                ("section", p.node["section"]),
                ("text", p.node["text"]),
                ("triage", p.node.get("triage") or _flow([("status", "open"), ("note", "")])),
            ]
            # Flags with triage of their own go along, so it comes back with the claim.
            + (
                [
                    (
                        "flags",
                        CommentedSeq(
                            item
                            for item in p.node.get("flags") or ()
                            if isinstance(item, dict) and item.get("triage") is not None
                        ),
                    )
                ]
                if _flag_triage_maps(p.node.get("flags"))
                else []
            )
        )
        for p in triaged
    ]
    for key, items in (("claims", new_nodes), ("orphaned", orphans)):
        node[key].clear()  # refill the existing sequences: comments hang on them
        node[key].extend(items)
    cf.refresh()
    added = sum(
        1 for index in range(len(claims)) if index not in matched or matched[index][0].orphan
    )
    return MergeReport(
        kept_by_id=kept["id"],
        kept_by_text=kept["text"],
        orphaned=len(triaged),
        added=added,
        removed=len(removed),
        kept_by_fuzzy=kept["fuzzy"],
    )


def _check_claims(claims: Sequence[Claim]) -> None:
    """Refuse bad input before touching the tree, so a failed upsert leaves the file as it was."""
    seen: set[str] = set()
    for claim in claims:
        if claim.kind not in CLAIM_KINDS:
            raise ValueError(f"claim {claim.id}: unknown kind {claim.kind!r}")
        if claim.id in seen:
            raise ValueError(f"duplicate claim id {claim.id}")
        seen.add(claim.id)


def _set_snapshot(node: CommentedMap, snapshot: Snapshot) -> None:
    current = node["snapshot"]
    same_copy = (current.get("timestamp"), current.get("source")) == (
        snapshot.timestamp,
        snapshot.source,
    )
    for key in ("timestamp", "revision", "source"):
        value = getattr(snapshot, key)
        # A re-extract of the same copy does not know the revision; keep the one recorded.
        if not (key == "revision" and value is None and same_copy and key in current):
            _set(current, key, value)


def set_snapshot_revision(cf: ClaimsFile, title: str, wiki: str, revision: int) -> None:
    """Record the revision id of a document's snapshot once it is known."""
    if not _is(revision, int):
        raise TypeError(f"revision must be an int, not {type(revision).__name__}")
    node = _document_node(cf, title, wiki)
    if node is None:
        raise ClaimsFileError(
            f"no document '{title}' ({wiki}) in the claims file",
            path=str(cf.path) if cf.path else None,
        )
    _set(node["snapshot"], "revision", revision)
    cf.refresh()


# --- saving --------------------------------------------------------------------------------


def dump_claims_file(cf: ClaimsFile) -> str:
    """The claims file as YAML text, exactly as `save_claims_file` would write it."""
    buffer = io.StringIO()
    _yaml().dump(cf.tree, buffer)
    return buffer.getvalue()


def save_claims_file(cf: ClaimsFile, path: str | Path) -> None:
    """Write the claims file atomically; nothing is touched unless the whole dump succeeded."""
    text = dump_claims_file(cf)
    write_text_atomic(path, text)
    cf.path = Path(path)


# --- editing under a lock -----------------------------------------------------------------

#: How long a run waits for another run that is writing the same claims file.
LOCK_TIMEOUT = 60.0


@contextmanager
def editing_claims_file(path: str | Path, *, create: bool = False) -> Iterator[ClaimsFile]:
    """Load claims.yaml under an exclusive lock, let the caller change it, save it atomically.

    Two runs cannot interleave load → change → save, so neither loses the other's edits
    (e.g. an editor's `audit triage` while a scheduled `audit extract` runs). The lock is a
    `claims.yaml.lock` file next to it. Nothing is written if the caller raises.
    """
    target = Path(path)
    lock = FileLock(f"{target}.lock", timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout as exc:
        raise ClaimsFileError(
            f"another audit run has held the lock for {LOCK_TIMEOUT:.0f} s",
            path=str(target),
            hint=f"if no run is active, delete {target}.lock",
        ) from exc
    except OSError as exc:
        raise ClaimsFileError(f"cannot lock: {exc.strerror or exc}", path=str(target)) from exc
    try:
        if target.exists() or not create:
            claims_file = load_claims_file(target)
        else:
            claims_file = new_claims_file()
        yield claims_file
        save_claims_file(claims_file, target)
    finally:
        lock.release()


def _triage_map(node: CommentedMap) -> CommentedMap:
    if not isinstance(node.get("triage"), CommentedMap):
        node["triage"] = _flow([("status", "open"), ("note", "")])
    return node["triage"]


def set_triage(
    cf: ClaimsFile,
    claim_id: str,
    triage: Triage,
    *,
    flag: tuple[str, int] | None = None,
    title: str | None = None,
) -> tuple[str, str]:
    """Record an editor's triage of a claim (or of one of its flags); returns (title, id).

    `claim_id` may be a unique prefix of an id. Comments and other keys stay as they are.
    """
    if triage.status not in TRIAGE_STATUSES:
        raise ClaimsFileError(
            f"unknown triage status {triage.status!r}",
            hint="use one of: " + ", ".join(TRIAGE_STATUSES),
        )
    hits = []
    for doc_node in cf.tree.get("documents") or ():
        if (
            title is not None
            and _doc_key(doc_node["title"], doc_node["wiki"])[0]
            != _doc_key(title, doc_node["wiki"])[0]
        ):
            continue
        for claim_node in doc_node.get("claims") or ():
            claim = str(claim_node.get("id", ""))
            if claim == claim_id or claim.startswith(claim_id):
                hits.append((doc_node, claim_node))
    exact = [hit for hit in hits if hit[1].get("id") == claim_id]
    hits = exact or hits
    if not hits:
        raise ClaimsFileError(
            f"no claim with id {claim_id!r}",
            path=str(cf.path or ""),
            hint="ids are in claims.yaml and in the report",
        )
    if len(hits) > 1:
        raise ClaimsFileError(
            f"{claim_id!r} matches {len(hits)} claims",
            path=str(cf.path or ""),
            hint="give more of the id, or --title for one article",
        )
    doc_node, claim_node = hits[0]
    target = claim_node
    if flag is not None:
        flag_type, occurrence = flag
        matching = [
            item
            for item in claim_node.get("flags") or ()
            if isinstance(item, dict) and item.get("type") == flag_type
        ]
        if len(matching) < occurrence:
            raise ClaimsFileError(
                f"claim {claim_node['id']} has no flag {flag_type!r}"
                + (f" #{occurrence}" if occurrence > 1 else ""),
                path=str(cf.path or ""),
            )
        target = matching[occurrence - 1]
    triage_node = _triage_map(target)
    for key, value in (
        ("status", triage.status),
        ("note", triage.note),
        ("by", triage.by),
        ("updated", triage.updated),
    ):
        if value is None:
            triage_node.pop(key, None)
        else:
            _set(triage_node, key, value)
    cf.refresh()
    return str(doc_node["title"]), str(claim_node["id"])


def remove_documents(cf: ClaimsFile, titles: Sequence[str]) -> list[str]:
    """Drop the documents of these articles (titles compared MediaWiki-style); returns them."""
    wanted = {_doc_key(title, "")[0] for title in titles}
    removed = []
    documents = cf.tree.get("documents") or []
    for node in list(documents):
        if _doc_key(node["title"], node["wiki"])[0] in wanted:
            documents.remove(node)
            removed.append(str(node["title"]))
    cf.refresh()
    return removed
