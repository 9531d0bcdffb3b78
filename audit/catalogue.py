"""The flag catalogue: every inline cleanup template and article/section banner we recognise.

This is data. Wikitext, HTML and plain-text recognisers all look flags up here, by template
name (`lookup_template`) or by the label readers see (`lookup_label`). To support a new
template, add one `FlagType` row; nothing else changes.

Sources: English Wikipedia template pages and their redirects (Special:WhatLinksHere), the
tracking categories in ../shared/MEDIAWIKI.md §4, and labels seen in real data (old labels
such as "not in citation given", mangled copies such as "undue weight? " without "– discuss").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

#: Severity scale used for ranking: 4 = accuracy disputed / verification failed,
#: 3 = source quality questioned, 2 = unsourced, 1 = vague wording or citation detail.
SEVERITY_NAMES = {4: "high", 3: "elevated", 2: "medium", 1: "low"}


@dataclass(frozen=True, slots=True)
class FlagType:
    """One cleanup template: how it is written, how it renders, how much it matters."""

    type: str
    """Kebab-case id used everywhere in our output, e.g. `citation-needed`."""
    template: str
    """Canonical template name on English Wikipedia."""
    aliases: tuple[str, ...]
    """Redirects and alternative names (as typed; first letter case does not matter)."""
    labels: tuple[str, ...]
    """Labels readers see, current first, then old labels; `–\u00a0discuss` suffixes included."""
    severity: int
    """1..4, see SEVERITY_NAMES."""
    scope: str = "inline"
    """`inline` flags sit after a claim; `banner` templates cover a whole section or article."""


INLINE: tuple[FlagType, ...] = (
    FlagType(
        "citation-needed",
        "Citation needed",
        (
            "Cn",
            "Fact",
            "CN",
            "Citation Needed",
            "Citation-needed",
            "Citationneeded",
            "Citation required",
            "Cite needed",
            "Citeneeded",
            "Needs citation",
            "Source needed",
            "Reference needed",
            "Ref needed",
            "Refneeded",
            "Facts",
            "Cb",
            "Citation needed span",
            "Cn span",
            "Fact span",
            "Citation-needed span",
            "Unsourced-inline",
            "Uncited",
        ),
        ("citation needed",),
        2,
    ),
    FlagType(
        "unreliable-source",
        "Unreliable source?",
        (
            "Unreliable source",
            "Unreliable source inline",
            "Rs?",
            "RS?",
            "Verify credibility",
            "Reliable source?",
            "Unreliable",
            "Unreliable source?",
        ),
        ("unreliable source?",),
        3,
    ),
    FlagType(
        "self-published-source",
        "Self-published inline",
        (
            "Sps",
            "SPS",
            "Self-published source",
            "Self-published source?",
            "Self published inline",
            "Self-published-inline",
        ),
        ("self-published source?",),
        3,
    ),
    FlagType(
        "user-generated-source",
        "User-generated source",
        ("User-generated source?", "User generated source", "Ugc", "UGC"),
        ("user-generated source?", "user-generated source"),
        3,
    ),
    FlagType(
        "undue-weight",
        "Undue weight inline",
        (
            "Undue inline",
            "Undue-inline",
            "Undue weight?",
            "Undue-weight inline",
            "Undue weight inline?",
        ),
        ("undue weight? – discuss", "undue weight?"),
        3,
    ),
    FlagType("by-whom", "By whom?", ("By whom",), ("by whom?",), 1),
    FlagType(
        "according-to-whom",
        "According to whom?",
        ("According to whom", "Atw", "According to who", "According to whom"),
        ("according to whom?",),
        1,
    ),
    FlagType("who", "Who?", ("Who", "Who span"), ("who?",), 1),
    FlagType("whom", "Whom?", ("Whom",), ("whom?",), 1),
    FlagType("which", "Which?", ("Which",), ("which?",), 1),
    FlagType("when", "When?", ("When",), ("when?",), 1),
    FlagType("where", "Where?", ("Where",), ("where?",), 1),
    FlagType("how", "How?", ("How",), ("how?",), 1),
    FlagType("why", "Why?", ("Why",), ("why?",), 1),
    FlagType(
        "dubious",
        "Dubious",
        ("Dubious inline", "Doubtful", "Dubious-inline", "Dubious span", "Dubious - discuss"),
        ("dubious – discuss", "dubious"),
        4,
    ),
    FlagType(
        "disputed",
        "Disputed inline",
        (
            "Disputed-inline",
            "Disputed claim",
            "Dispute inline",
            "Disputed inline span",
            "Disputed span",
        ),
        ("disputed – discuss", "disputed"),
        4,
    ),
    FlagType(
        "failed-verification",
        "Failed verification",
        (
            "Fv",
            "FV",
            "Not in citation given",
            "Not in source",
            "Verification failed",
            "Failed verification span",
            "Nicg",
            "Not in citation",
            "Failedverification",
            "Failed-verification",
        ),
        ("failed verification", "not in citation given"),
        4,
    ),
    FlagType(
        "better-source-needed",
        "Better source needed",
        (
            "Better source",
            "Bsn",
            "Better citation needed",
            "Better source?",
            "Better sources needed",
            "Bettersource",
        ),
        ("better source needed",),
        3,
    ),
    FlagType(
        "clarification-needed",
        "Clarify",
        (
            "Clarification needed",
            "Clarify me",
            "Clarification",
            "Clarify span",
            "Clarification needed span",
            "Clar",
        ),
        ("clarification needed",),
        1,
    ),
    FlagType("vague", "Vague", ("Vague span", "Vague inline"), ("vague",), 1),
    FlagType(
        "weasel-words",
        "Weasel inline",
        ("Weasel-inline", "Weasel word", "Weasel words inline", "Weasel span", "Weasel-word"),
        ("weasel words",),
        1,
    ),
    FlagType(
        "original-research",
        "Original research inline",
        (
            "OR",
            "Or",
            "Original research?",
            "Original research inline?",
            "OR inline",
            "Or inline",
            "Original research span",
        ),
        ("original research?",),
        3,
    ),
    FlagType(
        "full-citation-needed",
        "Full citation needed",
        ("Full", "Fcn", "Full citation", "Full reference", "Full citation required"),
        ("full citation needed",),
        1,
    ),
    FlagType(
        "page-needed",
        "Page needed",
        ("Pn", "Page number", "Pages needed", "Page?", "Page number needed", "Pages?"),
        ("page needed", "pages needed"),
        1,
    ),
    FlagType(
        "verification-needed",
        "Verify source",
        ("Verification needed", "Vs", "Verify-source", "Source verify", "Verify citation"),
        ("verification needed",),
        2,
    ),
    FlagType(
        "non-primary-source-needed",
        "Primary source inline",
        (
            "Primary inline",
            "Primary source?",
            "Non-primary source needed",
            "Primary-source-inline",
            "Primary source-inline",
        ),
        ("non-primary source needed",),
        2,
    ),
    FlagType(
        "third-party-source-needed",
        "Third-party inline",
        (
            "Third-party source needed",
            "3rd-party inline",
            "Third party inline",
            "Third-party-inline",
            "Independent source needed",
        ),
        ("third-party source needed",),
        2,
    ),
    # NOTE: one type for both. {{dead link|fix-attempted=yes}} renders "permanent dead link"
    # while {{permanent dead link}} renders "dead link" (seen in real pages), so a rendered
    # label cannot tell them apart; splitting them would make formats disagree.
    FlagType(
        "dead-link",
        "Dead link",
        (
            "Deadlink",
            "Dl",
            "Dead url",
            "Broken link",
            "Dead-link",
            "Deadurl",
            "Link broken",
            "Permanent dead link",
            "Pdl",
            "Permanently dead link",
            "Deadlink permanent",
            "Permanent deadlink",
        ),
        ("dead link", "permanent dead link"),
        1,
    ),
    FlagType("obsolete-source", "Obsolete source", ("Outdated source",), ("obsolete source",), 2),
    FlagType("quantify", "Quantify", (), ("quantify",), 1),
    FlagType("specify", "Specify", ("Specific",), ("specify",), 1),
    FlagType(
        "needs-update",
        "Update inline",
        ("Update after", "Outdated inline", "Needs update", "Update-inline"),
        ("needs update",),
        1,
    ),
    FlagType(
        "neutrality-disputed",
        "POV statement",
        (
            "Pov statement",
            "POV-statement",
            "NPOV statement",
            "Neutrality disputed inline",
            "POV inline",
            "Pov-statement",
        ),
        ("neutrality is disputed",),
        3,
    ),
    FlagType(
        "promotional-source",
        "Promotional source",
        ("Promotional source?", "Promo source"),
        ("promotional source?",),
        3,
    ),
    FlagType(
        "irrelevant-citation",
        "Irrelevant citation",
        ("Irrelevant source", "Irrelevant reference"),
        ("irrelevant citation",),
        2,
    ),
    FlagType("year-needed", "Year needed", ("Year?",), ("year needed",), 1),
    FlagType(
        "excessive-citations",
        "Excessive citations inline",
        ("Citation overkill inline", "Excessive citations-inline"),
        ("excessive citations",),
        1,
    ),
    FlagType(
        "circular-reference",
        "Circular reference",
        ("Circular", "Circular ref"),
        ("circular reference",),
        3,
    ),
    FlagType(
        "deprecated-source",
        "Deprecated inline",
        ("Deprecated source", "Deprecated source?"),
        ("deprecated source?",),
        4,
    ),
    FlagType(
        "medical-citation-needed",
        "Medical citation needed",
        ("Medcn", "Med cn", "Medical-citation-needed"),
        ("medical citation needed",),
        2,
    ),
    FlagType(
        "unreliable-medical-source",
        "Unreliable medical source",
        ("Unreliable medical source?", "Medrs?", "Unreliable medical source inline"),
        ("unreliable medical source?",),
        3,
    ),
    FlagType(
        "attribution-needed",
        "Attribution needed",
        ("Attribution", "Attribution-needed"),
        ("attribution needed",),
        1,
    ),
    FlagType(
        "definition-needed",
        "Definition needed",
        ("Define", "Definition"),
        ("definition needed",),
        1,
    ),
    FlagType(
        "example-needed",
        "Example needed",
        ("Examples needed", "Example?", "For example?"),
        ("example needed",),
        1,
    ),
    FlagType(
        "contradictory",
        "Contradictory inline",
        ("Contradiction inline", "Contradict-inline", "Self-contradictory inline"),
        ("contradictory",),
        3,
    ),
    FlagType("inconsistent", "Inconsistent", ("Inconsistent inline",), ("inconsistent",), 2),
    FlagType(
        "speculation",
        "Speculation inline",
        ("Speculation?", "Speculation-inline"),
        ("speculation?",),
        2,
    ),
    FlagType(
        "peacock-term",
        "Peacock inline",
        ("Peacock term", "Peacock-inline", "Puffery inline"),
        ("peacock term",),
        1,
    ),
    FlagType(
        "additional-citation-needed",
        "Additional citation needed",
        ("Additional citations needed", "Acn", "More citations needed inline"),
        ("additional citation needed", "additional citations needed"),
        2,
    ),
)

BANNERS: tuple[FlagType, ...] = (
    FlagType(
        "unreferenced",
        "Unreferenced",
        (
            "Unsourced",
            "Unref",
            "No references",
            "Noref",
            "Unreferenced article",
            "No sources",
            "Nosources",
            "Unreferenced stub",
        ),
        ("This article does not cite any sources.",),
        3,
        "banner",
    ),
    FlagType(
        "unreferenced-section",
        "Unreferenced section",
        (
            "Unsourced section",
            "Unref section",
            "Unreferencedsection",
            "Section unreferenced",
            "Unreferenced-section",
        ),
        ("This section does not cite any sources.",),
        3,
        "banner",
    ),
    FlagType(
        "more-citations-needed",
        "More citations needed",
        (
            "Refimprove",
            "Ref improve",
            "Improve references",
            "More sources",
            "Citations needed",
            "Refim",
            "More references",
            "Additional citations",
            "Few references",
            "More citations needed (article)",
        ),
        ("This article needs additional citations for verification.",),
        2,
        "banner",
    ),
    FlagType(
        "more-citations-needed-section",
        "More citations needed section",
        (
            "Refimprove section",
            "Refimprovesect",
            "More sources section",
            "Citations needed section",
            "Ref improve section",
        ),
        ("This section needs additional citations for verification.",),
        2,
        "banner",
    ),
    FlagType(
        "primary-sources",
        "Primary sources",
        ("Primary", "Primarysources", "Primary source", "Primary sources section"),
        ("This article relies excessively on references to primary sources.",),
        2,
        "banner",
    ),
    FlagType(
        "self-published",
        "Self-published",
        ("Self-published sources", "Self published", "Selfpublished"),
        ("This article relies excessively on self-published sources.",),
        3,
        "banner",
    ),
    FlagType(
        "unreliable-sources",
        "Unreliable sources",
        ("Unreliable references", "Unreliable sources section", "Reliable sources"),
        ("Some of this article's listed sources may not be reliable.",),
        3,
        "banner",
    ),
    FlagType(
        "third-party",
        "Third-party",
        ("Third party", "3rd party", "Third-party sources", "Independent sources"),
        ("This article relies excessively on sources too closely associated",),
        2,
        "banner",
    ),
    FlagType(
        "original-research-banner",
        "Original research",
        ("Original Research", "OR section", "Original research section", "Orig research"),
        ("This article possibly contains original research.",),
        3,
        "banner",
    ),
    FlagType(
        "undue-weight-banner",
        "Undue weight",
        ("Undue", "Undue weight section", "UNDUE", "Undue-weight"),
        ("This article may lend undue weight",),
        3,
        "banner",
    ),
    FlagType(
        "pov",
        "POV",
        ("NPOV", "Pov", "Neutrality", "POV check", "Npov", "Neutral point of view"),
        ("The neutrality of this article is disputed.",),
        3,
        "banner",
    ),
    FlagType(
        "disputed-banner",
        "Disputed",
        ("Accuracy", "Disputed section", "Accuracy dispute", "Factual accuracy"),
        ("The factual accuracy of this article is disputed.",),
        4,
        "banner",
    ),
    FlagType(
        "more-footnotes-needed",
        "More footnotes needed",
        ("More footnotes", "Morefootnotes", "Nofootnotes", "No footnotes", "Citations missing"),
        ("This article includes a list of general references",),
        1,
        "banner",
    ),
    FlagType(
        "excessive-citations-banner",
        "Excessive citations",
        ("Citation overkill", "Overcite", "Too many citations"),
        (
            "This article may have an excessive number of citations.",
            "This article may contain an excessive number of citations.",
            "This section may have an excessive number of citations.",
            "This article may have too many citations",
        ),
        1,
        "banner",
    ),
    FlagType(
        "weasel-banner",
        "Weasel",
        ("Weasel words", "Weasel section"),
        ("This article contains weasel words",),
        1,
        "banner",
    ),
    FlagType(
        "update-banner",
        "Update",
        ("Outdated", "Out of date", "Update section"),
        (
            "This article needs to be updated.",
            "This section needs to be updated.",
            "This article's factual accuracy may be compromised due to out-of-date",
            "This section's factual accuracy may be compromised due to out-of-date",
        ),
        1,
        "banner",
    ),
)

CATALOGUE: tuple[FlagType, ...] = INLINE + BANNERS

#: Wrappers that hold several banners in one box ({{Multiple issues|{{Refimprove}}{{POV}}}}).
BANNER_CONTAINERS = frozenset(
    {
        "Multiple issues",
        "Multiple Issues",
        "Multipleissues",
        "Article issues",
        "Issues",
        "Mi",
        "Multiple problems",
    }
)

#: Templates that look like flags in rendered output (`Inline-Template` class) but say
#: nothing about a claim's sourcing; readers skip them silently.
NOT_FLAGS = frozenset({"Sic", "ISBN missing", "Broken anchor", "Lang", "Nbsp", "Snd"})

_DASHES = re.compile(r"[\u2010-\u2015\u2212\-]+")
_SPACES = re.compile(r"\s+")
_DISCUSS = re.compile(r"\s*-\s*discuss$")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def normalize_template_name(name: str) -> str:
    """Fold a template name the way MediaWiki does: `_` is a space, first letter case-blind.

    NOTE: only the *first* letter is case-insensitive on MediaWiki; "Citation Needed" and
    "Citation needed" are different pages (one redirects to the other), so the rest is kept.
    """
    name = _COMMENT.sub("", name).replace("_", " ").translate(_INVISIBLE)
    name = _SPACES.sub(" ", name).strip()
    if name[:9].lower() == "template:":
        name = name[9:].strip()
    return name[:1].upper() + name[1:]


def normalize_label(label: str) -> str:
    """Fold a rendered label so that copies match: NBSP, dash kinds, case, hidden joiners."""
    label = label.translate(_INVISIBLE).replace("\u00a0", " ")
    label = _DASHES.sub("-", label)
    label = _SPACES.sub(" ", label).strip().lower()
    return _DISCUSS.sub("", label).strip()


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, FlagType], dict[str, FlagType]]:
    by_name: dict[str, FlagType] = {}
    by_label: dict[str, FlagType] = {}
    for flag_type in CATALOGUE:
        for name in (flag_type.template, *flag_type.aliases):
            by_name.setdefault(normalize_template_name(name), flag_type)
        if flag_type.scope == "inline":
            for label in flag_type.labels:
                by_label.setdefault(normalize_label(label), flag_type)
    return by_name, by_label


def lookup_template(name: str) -> FlagType | None:
    """The catalogue entry for a template name as typed in wikitext or Parsoid `data-mw`."""
    return _indexes()[0].get(normalize_template_name(name))


def lookup_label(label: str) -> FlagType | None:
    """The inline flag a rendered label (`citation needed`, `undue weight? `) stands for."""
    return _indexes()[1].get(normalize_label(label))


def is_banner_container(name: str) -> bool:
    """True for {{Multiple issues}} and its redirects."""
    return normalize_template_name(name) in BANNER_CONTAINERS


@lru_cache(maxsize=1)
def _banner_sentences() -> tuple[tuple[str, FlagType], ...]:
    return tuple(
        (normalize_label(label), flag_type) for flag_type in BANNERS for label in flag_type.labels
    )


_PARTS_OF = re.compile(r"^parts of this article \(those related to [^)]*\) need ")


def lookup_banner_text(text: str) -> FlagType | None:
    """The banner whose rendered first sentence `text` starts with (plain-text copies)."""
    # {{Update|section=…}} and kin: "Parts of this article (those related to X) need to be …"
    folded = _PARTS_OF.sub("this section needs ", normalize_label(text))
    for sentence, flag_type in _banner_sentences():
        if folded.startswith(sentence.rstrip(".")):
            return flag_type
    return None


_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_FLAG_DATE = re.compile(
    r"^\s*([A-Za-z]+)\.?,?\s+(\d{4})\s*$|^\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*$"
)


def parse_flag_date(value: str | None) -> date | None:
    """The month a flag was dated (`date=March 2025`, `Mar 2025`, `2025-03`), as its 1st day."""
    if not value:
        return None
    match = _FLAG_DATE.match(value)
    if not match:
        return None
    try:
        if match.group(1):
            name = match.group(1).lower()
            month = _MONTHS.get(name) or next(
                (number for full, number in _MONTHS.items() if full.startswith(name[:3])), None
            )
            return date(int(match.group(2)), month, 1) if month else None
        return date(int(match.group(3)), int(match.group(4)), 1)
    except ValueError:
        return None


def flag_age_days(value: str | None, reference: str | None) -> int | None:
    """Days from a flag's `date=` month to `reference` (an ISO timestamp), if both are known."""
    dated = parse_flag_date(value)
    if dated is None or not reference:
        return None
    try:
        then = datetime.fromisoformat(reference.replace("Z", "+00:00")).date()
    except ValueError:
        return None
    return max((then - dated).days, 0)


def by_type(type_id: str) -> FlagType | None:
    """The catalogue entry for a type id such as `citation-needed`."""
    for flag_type in CATALOGUE:
        if flag_type.type == type_id:
            return flag_type
    return None


def canonical_label(type_id: str) -> str:
    """The label to show for a type id (its current rendered label)."""
    flag_type = by_type(type_id)
    return flag_type.labels[0] if flag_type else type_id.replace("-", " ")


def severity_of(type_id: str) -> int:
    """Severity 1..4 of a flag type; unknown types count as medium."""
    flag_type = by_type(type_id)
    return flag_type.severity if flag_type else 2
