"""Plain, frozen records shared by every stage: what a document holds and what a check found.

Readers produce a `Document` of `Block`s; `claims.split_claims` turns blocks into `Claim`s;
`match` pairs snapshot and current claims into `ClaimMatch`es; `check` wraps them in a
`DocumentCheck`. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # records only; the classifier lives in audit.reliability
    from audit.reliability import Reliability

#: Kinds of claim a document yields (the `kind` field of claims.yaml).
CLAIM_KINDS = ("sentence", "infobox", "list-item", "caption", "quote")

#: Block kinds; a `paragraph` block becomes `sentence` claims, a `table-row` one `list-item`
#: claim, the others keep their kind.
BLOCK_KINDS = ("paragraph", "infobox", "list-item", "caption", "quote", "table-row")

LEAD_SECTION = "Lead"
INFOBOX_SECTION = "Infobox"
SECTION_SEPARATOR = " › "


@dataclass(frozen=True, slots=True)
class Citation:
    """A reference as readers see it; every field is optional because copies lose most of it."""

    url: str | None = None
    """First external URL of the reference (the archived original when an archive link is all)."""
    domain: str | None = None
    """Host of `url`, lower-case, without a leading `www.`."""
    title: str | None = None
    """Title of the cited work."""
    publisher: str | None = None
    """Publisher, website or work the source appeared in."""
    date: str | None = None
    """Publication date as written in the citation."""
    access_date: str | None = None
    """When the editor read the source (`access-date`)."""
    archive_url: str | None = None
    """Archived copy of the source, when the citation names one."""
    dead: bool = False
    """The citation is marked as a dead link (`url-status=dead` or a dead-link flag)."""
    name: str | None = None
    """Reference name (`<ref name=...>`), so reuses can be told apart from new references."""
    text: str | None = None
    """The reference as rendered plain text, for citations without a URL."""


@dataclass(frozen=True, slots=True)
class Flag:
    """An inline cleanup flag (`{{citation needed}}` and kin) at a position in its container."""

    type: str
    """Catalogue type id, e.g. `citation-needed`."""
    label: str
    """The label readers see, e.g. `citation needed`."""
    offset: int
    """Character offset in the container text (block or claim) right after the flagged words."""
    date: str | None = None
    """The template's `date=` (e.g. `October 2017`), when the source shows it."""
    reason: str | None = None
    """The template's `reason=`, when the source shows it."""
    template: str | None = None
    """Template name as written in the source, when the source shows it."""


@dataclass(frozen=True, slots=True)
class Banner:
    """A maintenance banner ({{More citations needed}}, {{Unreferenced section}}, ...).

    Not an inline flag: it covers every claim of its scope, the article or one section.
    """

    type: str
    """Catalogue type id, e.g. `more-citations-needed`."""
    scope: str
    """`article` or `section`."""
    section: tuple[str, ...] = ()
    """Heading path of the section it covers (empty for the article)."""
    template: str | None = None
    """Template name as written, when the source shows it."""
    date: str | None = None
    reason: str | None = None

    def covers(self, section: str) -> bool:
        """True if a claim in `section` (heading path joined by ' › ') is in this banner's scope."""
        if self.scope == "article":
            return True
        path = SECTION_SEPARATOR.join(self.section)
        return section == path or section.startswith(path + SECTION_SEPARATOR)


@dataclass(frozen=True, slots=True)
class Ref:
    """A citation anchored at a character offset of its block's text."""

    offset: int
    citation: Citation


@dataclass(frozen=True, slots=True)
class Block:
    """One run of text that readers agree on: a paragraph, an infobox line, a list item, ..."""

    kind: str
    """One of BLOCK_KINDS."""
    section: tuple[str, ...]
    """Heading path from the top of the article; `("Lead",)` before the first heading."""
    text: str
    """Visible text with flag labels and reference markers removed, whitespace collapsed."""
    flags: tuple[Flag, ...] = ()
    """Flags with offsets into `text`."""
    refs: tuple[Ref, ...] = ()
    """Citations with offsets into `text`."""
    anchor: str | None = None
    """HTML id of the element the block came from, for links to the live paragraph."""
    section_index: int | None = None
    """Edit-section number (`action=edit&section=N`) when the source tells it."""


@dataclass(frozen=True, slots=True)
class Document:
    """An article as one reader understood it, whatever format it came in."""

    title: str | None
    format: str
    """`text`, `html` (legacy parser / saved page), `parsoid` or `wikitext`."""
    blocks: tuple[Block, ...]
    timestamp: str | None = None
    """When the copy was taken (ISO 8601 UTC), if the document says."""
    revision: int | None = None
    """Revision id, if the document says (Parsoid and saved pages do)."""
    source: str | None = None
    """File name or URL the document was read from."""
    banners: tuple[Banner, ...] = ()
    """Article and section banners, in document order."""


#: Claim kinds that make a checkable statement needing a citation of its own (infobox lines
#: and captions repeat cited body text; WP:LEADCITE exempts the lead).
CITABLE_KINDS = ("sentence", "list-item", "quote")


@dataclass(frozen=True, slots=True)
class Claim:
    """One checkable assertion: a sentence, an infobox line, a list item, a caption or a quote."""

    id: str
    """Stable id derived from section and text (same document → same ids)."""
    section: str
    """Heading path joined with ' › ', or 'Infobox'."""
    kind: str
    """One of CLAIM_KINDS."""
    text: str
    """Claim text with flag labels removed."""
    flags: tuple[Flag, ...] = ()
    """Flags on this claim, offsets into `text`."""
    citations: tuple[Citation, ...] = ()
    """Citations that directly follow this claim."""
    anchor: str | None = None
    """HTML id of the paragraph the claim sits in, when known."""
    section_index: int | None = None
    """Edit-section number, when known."""
    paragraph_citations: tuple[Citation, ...] = ()
    """Citations later in the same paragraph that cover this claim too (a reference supports
    the sentences before it back to the previous reference)."""

    @property
    def supporting(self) -> tuple[Citation, ...]:
        """Every citation that backs this claim: its own first, then the paragraph's."""
        return self.citations + self.paragraph_citations

    @property
    def uncited(self) -> bool:
        """A statement outside the lead that no reference backs."""
        return (
            self.kind in CITABLE_KINDS
            and not self.citations
            and not self.paragraph_citations
            and self.section != LEAD_SECTION
        )

    @property
    def leaf_section(self) -> str:
        """Last heading of the path: plain-text copies only know this one."""
        return self.section.rsplit(SECTION_SEPARATOR, 1)[-1]


@dataclass(frozen=True, slots=True)
class Revision:
    """Metadata of one revision of a page, as the wiki reports it."""

    title: str
    """Canonical title after normalisation and redirects."""
    revid: int
    timestamp: str
    page_id: int | None = None
    user: str | None = None
    comment: str | None = None
    size: int | None = None
    sha1: str | None = None
    redirected_from: str | None = None
    """The title asked for, when the wiki followed a redirect to reach `title`."""


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One run of a word diff: `equal`, `delete` (only in the snapshot) or `insert` (only now)."""

    op: str
    text: str


@dataclass(frozen=True, slots=True)
class ClaimMatch:
    """How one snapshot claim fares in the current revision (or a claim added since)."""

    status: str
    """`unchanged`, `reworded`, `removed`, `added` or `unchecked` (offline)."""
    snapshot: Claim | None
    current: Claim | None
    similarity: float = 0.0
    """0..1 similarity of the normalised texts (1.0 when unchanged)."""
    moved: bool = False
    """The claim is now found in another section."""
    diff: tuple[DiffOp, ...] = ()


@dataclass(frozen=True, slots=True)
class FlagCheck:
    """What became of one flag: `open`, `resolved`, `removed` (with its claim) or `new`."""

    flag: Flag
    status: str
    cited: bool = False
    """For resolved/open flags: the current claim now carries at least one citation."""
    hint: str | None = None
    """`likely-resolvable`: an [unreliable source?] now cited only to reliable sources."""


#: Editors' triage statuses (claims.yaml `triage.status`).
TRIAGE_STATUSES = ("open", "fixed", "waived", "false-positive", "assigned")


@dataclass(frozen=True)
class Triage:
    """An editor's verdict on a claim or a flag; the default (open, no note) says nothing."""

    status: str = "open"
    """One of TRIAGE_STATUSES."""
    note: str = ""
    by: str | None = None
    """Who triaged it (free text, e.g. a user name)."""
    updated: str | None = None
    """When it was last triaged (ISO date or timestamp)."""


@dataclass(frozen=True)
class ReliabilityOverrides:
    """Editors' reliability verdicts from claims.yaml (a document's `reliability:` key)."""

    domains: Mapping[str, Any] = field(default_factory=dict)
    """Domain → status (or {status, note}), e.g. a blog allowed under WP:ABOUTSELF."""
    citations: Mapping[str, Any] = field(default_factory=dict)
    """Citation URL → status (or {status, note})."""


@dataclass(frozen=True, slots=True)
class Sourcing:
    """How well a claim is sourced: a grade and the reliability of each citation."""

    grade: str
    """`well-sourced`, `mixed`, `only-unreliable`, `uncited` or `unknown`."""
    reliabilities: tuple[Reliability | None, ...] = ()
    """One per supporting citation (own first, then the paragraph's), None if unknown."""
    weak: bool = False
    """Unflagged, yet cited only to unreliable, deprecated or self-published sources."""


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """A claim match plus the fate of every flag on either side of it."""

    match: ClaimMatch
    flags: tuple[FlagCheck, ...] = ()
    sourcing: Sourcing | None = None
    """Judged on the current claim (the snapshot's when offline or removed)."""


@dataclass(frozen=True, slots=True)
class BannerCheck:
    """What became of an article/section banner: `open`, `resolved` or `new`."""

    banner: Banner
    status: str


@dataclass(frozen=True)
class DocumentCheck:
    """Result of checking one document of claims.yaml; failures are values, not exceptions."""

    title: str
    wiki: str
    status: str
    """`checked`, `offline`, `missing` or `error`."""
    snapshot_timestamp: str | None
    snapshot_revision: int | None
    current: Revision | None
    claims: tuple[ClaimCheck, ...] = ()
    error: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    banners: tuple[BannerCheck, ...] = ()
    """Banners of the snapshot and the current revision, with their fate."""
    reliability_data: str | None = None
    """Version of the source-reliability data the citations were judged with."""
    triage: Mapping[str, Triage] = field(default_factory=dict)
    """Editors' triage by snapshot claim id."""
    flag_triage: Mapping[tuple[str, str, int], Triage] = field(default_factory=dict)
    """Editors' triage of single flags: (claim id, flag type, n-th flag of that type) → triage."""
    current_claims: tuple[Claim, ...] = ()
    """The current revision's claims (for `check --update`); not part of the report."""
    current_banners: tuple[Banner, ...] = ()
