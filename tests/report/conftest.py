"""DocumentCheck inputs for the report tests: built by hand, one per case the report must show."""

from __future__ import annotations

import pytest

from audit.model import (
    Citation,
    Claim,
    ClaimCheck,
    ClaimMatch,
    DiffOp,
    DocumentCheck,
    Flag,
    FlagCheck,
    Revision,
    Sourcing,
    Triage,
)
from audit.reliability import Reliability

WIKI = "https://en.wikipedia.org"
LEAD = "Lead"
BACKGROUND = "Background"
TIMELINE = "Background › Timeline"
REACTIONS = "Reactions"

REUTERS = Citation(
    url="https://www.reuters.com/article/syria-russia-idUSKCN0RV41O",
    domain="reuters.com",
    title="Russia begins air strikes in Syria",
)
BBC = Citation(
    url="https://www.bbc.co.uk/news/world-middle-east-34416519",
    domain="bbc.co.uk",
    title="Russia's air strikes in Syria",
)
BOOK = Citation(text="Lister, Charles (2016). The Syrian Jihad. Hurst.")
TASS = Citation(url="https://tass.com/defense/824536", domain="tass.com", title="Mission ends")

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = '"><img src=x onerror=alert(1)>'
HOSTILE_URL = "javascript:alert(1)"


def claim(
    cid: str,
    section: str,
    text: str,
    *flags: Flag,
    citations: tuple[Citation, ...] = (),
    kind: str = "sentence",
) -> Claim:
    """A claim with only the fields the report reads."""
    return Claim(id=cid, section=section, kind=kind, text=text, flags=flags, citations=citations)


def flag(type_id: str, label: str, date: str | None = None) -> Flag:
    """A flag at the end of its claim (the report does not use offsets)."""
    return Flag(type=type_id, label=label, offset=0, date=date)


CN = flag("citation-needed", "citation needed", "October 2017")
DUBIOUS = flag("dubious", "dubious – discuss")
FV = flag("failed-verification", "not in citation given")
WHO = flag("who", "who?")


def diff(*ops: tuple[str, str]) -> tuple[DiffOp, ...]:
    """DiffOps from (op, text) pairs."""
    return tuple(DiffOp(op, text) for op, text in ops)


def checked_document() -> DocumentCheck:
    """A checked article with every claim status (incl. moved) and every flag status."""
    s1 = claim("c-lead1", LEAD, "Russia intervened in September 2015.", citations=(REUTERS,))
    s2 = claim("c-lead2", LEAD, "The intervention was requested by the government.", CN)
    s3 = claim("c-lead3", LEAD, "Airstrikes began on 30 September.", CN)
    c3 = claim("c-lead3", LEAD, "Airstrikes began on 30 September 2015.", citations=(BBC,))
    added_lead = claim("c-new1", LEAD, "Naval forces joined later.")
    s4 = claim("c-bg1", BACKGROUND, "Most strikes hit rebel groups.", DUBIOUS)
    c4 = claim("c-bg1", BACKGROUND, "Many strikes hit rebel groups.")
    s5 = claim("c-bg2", BACKGROUND, "The base at Hmeimim was expanded.", FV, citations=(TASS,))
    added_bg = claim("c-new2", BACKGROUND, "Officials said the campaign was a success.", WHO)
    s6 = claim("c-tl1", TIMELINE, "The mission ended in March 2016.", citations=(TASS,))
    c6 = claim("c-tl1", REACTIONS, "The mission ended in March 2016.", citations=(TASS,))
    s7 = claim("c-re1", REACTIONS, "Turkey shot down a Russian jet.", citations=(BOOK,))
    s8 = claim("c-re2", REACTIONS, "Western governments condemned the strikes.")
    c8 = claim("c-re2", REACTIONS, "Western governments condemned the strikes.", CN)
    claims = (
        ClaimCheck(ClaimMatch("unchanged", s1, s1, 1.0)),
        # Emitted in place, right after the claim it follows.
        ClaimCheck(ClaimMatch("added", None, added_lead)),
        ClaimCheck(ClaimMatch("unchanged", s2, s2, 1.0), (FlagCheck(CN, "open"),)),
        ClaimCheck(
            ClaimMatch(
                "reworded",
                s3,
                c3,
                0.9412,
                diff=diff(
                    ("equal", "Airstrikes began on 30 "),
                    ("delete", "September."),
                    ("insert", "September 2015."),
                ),
            ),
            (FlagCheck(CN, "resolved", cited=True),),
        ),
        ClaimCheck(
            ClaimMatch(
                "reworded",
                s4,
                c4,
                0.8333,
                diff=diff(
                    ("delete", "Most"), ("insert", "Many"), ("equal", " strikes hit rebel groups.")
                ),
            ),
            (FlagCheck(DUBIOUS, "resolved", cited=False),),
        ),
        ClaimCheck(ClaimMatch("removed", s5, None), (FlagCheck(FV, "removed"),)),
        ClaimCheck(ClaimMatch("unchanged", s6, c6, 1.0, moved=True)),
        ClaimCheck(ClaimMatch("unchanged", s7, s7, 1.0)),
        ClaimCheck(ClaimMatch("unchanged", s8, c8, 1.0), (FlagCheck(CN, "new"),)),
        # Emitted at the end by the checker: belongs at the end of its own section.
        ClaimCheck(ClaimMatch("added", None, added_bg), (FlagCheck(WHO, "new"),)),
    )
    return DocumentCheck(
        title="Russian intervention in the Syrian civil war",
        wiki=WIKI,
        status="checked",
        snapshot_timestamp="2023-12-25T01:18:00Z",
        snapshot_revision=1191539530,
        current=Revision(
            title="Russian intervention in the Syrian civil war",
            revid=1250000000,
            timestamp="2024-10-01T12:00:00Z",
        ),
        claims=claims,
    )


def offline_document() -> DocumentCheck:
    """An offline run: nothing compared, the snapshot's flags reported as they stand."""
    s1 = claim("c-off1", LEAD, "Café Grumpy opened in 2005.", CN)
    s2 = claim("c-off2", "History", "It moved to Greenpoint in 2009.")
    return DocumentCheck(
        title="Café Grumpy",
        wiki=WIKI,
        status="offline",
        snapshot_timestamp="2024-01-02T03:04:05Z",
        snapshot_revision=None,
        current=None,
        claims=(
            ClaimCheck(ClaimMatch("unchecked", s1, None)),
            ClaimCheck(ClaimMatch("unchecked", s2, None)),
        ),
    )


def missing_document() -> DocumentCheck:
    """A title the wiki does not know: a result with a reason, not an exception."""
    return DocumentCheck(
        title="Deleted article?",
        wiki=WIKI,
        status="missing",
        snapshot_timestamp=None,
        snapshot_revision=1000,
        current=None,
        error="page does not exist on en.wikipedia.org",
    )


def hostile_document() -> DocumentCheck:
    """Article text, title, section, wiki and citation URLs trying to break out of the page."""
    bad = Citation(url=HOSTILE_URL, domain=HOSTILE_IMG, title=HOSTILE_SCRIPT)
    spaced = Citation(url=" jav\tascript:alert(2)", title="tabbed scheme")
    s1 = claim(
        "c-x1",
        HOSTILE_SCRIPT,
        f"Plain {HOSTILE_SCRIPT} text {HOSTILE_IMG}.",
        CN,
        citations=(bad, spaced),
    )
    c1 = claim("c-x1", HOSTILE_IMG, f"Plain {HOSTILE_IMG} text.", citations=(bad,))
    return DocumentCheck(
        title=f"{HOSTILE_SCRIPT}{HOSTILE_IMG}",
        wiki=WIKI,
        status="error",
        snapshot_timestamp=None,
        snapshot_revision=1,
        current=Revision(title=HOSTILE_IMG, revid=2, timestamp="2024-01-01T00:00:00Z"),
        claims=(
            ClaimCheck(
                ClaimMatch(
                    "reworded",
                    s1,
                    c1,
                    0.5,
                    moved=True,
                    diff=diff(
                        ("equal", "Plain "),
                        ("delete", HOSTILE_SCRIPT),
                        ("insert", HOSTILE_IMG),
                        ("equal", " text"),
                        ("delete", f" {HOSTILE_IMG}"),
                        ("equal", "."),
                    ),
                ),
                (FlagCheck(CN, "resolved", cited=True),),
            ),
        ),
        error=HOSTILE_SCRIPT,
        warnings=(HOSTILE_IMG,),
    )


NYT = Citation(
    url="https://www.nytimes.com/2015/09/30/world/syria.html",
    domain="nytimes.com",
    title="Russia Begins Airstrikes in Syria",
)
RT = Citation(
    url="https://www.rt.com/news/317212-russia-syria-strikes/",
    domain="rt.com",
    title="Strikes on terrorists",
    access_date="2016-01-01",
)
BLOG = Citation(
    url="https://warnotes.blogspot.com/2016/fail.html",
    domain="warnotes.blogspot.com",
    title="Why it failed",
)
RELIABLE_NYT = Reliability("generally-reliable", source="The New York Times", shortcut="WP:NYT")
RELIABLE_BBC = Reliability("generally-reliable", source="BBC", shortcut="WP:RSPBBC")
DEPRECATED_RT = Reliability(
    "deprecated",
    source="RT",
    since="2020",
    shortcut="WP:RSPRT",
    note="cited before deprecation (deprecated 2020)",
    before_change=True,
)
OVERRIDDEN_BLOG = Reliability(
    "generally-reliable",
    source="editor override",
    overridden="self-published",
    note="editor override (was self-published)",
    provenance="override",
)
SELF_PUBLISHED = Reliability(
    "self-published",
    category="self-published",
    matched_domain="blogspot.com",
    provenance="category list",
)
UNRELIABLE = flag("unreliable-source", "unreliable source?", "June 2024")
CN_2020 = flag("citation-needed", "citation needed", "March 2020")
FV_2019 = flag("failed-verification", "failed verification", "May 2019")
DUBIOUS_2023 = flag("dubious", "dubious – discuss", "January 2023")
WAIVED_NOTE = '"><b>kept</b> per talk page'


def worklist_document() -> DocumentCheck:
    """An article with everything the work queue shows: stale and likely-resolvable flags, flag
    ages, reliability chips (deprecated before deprecation, editor override), weak sourcing and
    every kind of triage (waived, false positive on a flag, assigned)."""
    w1 = claim("c-w1", LEAD, "The campaign began in 2015.", CN_2020, citations=(NYT,))
    w2 = claim("c-w2", BACKGROUND, "Rebels were hit hardest.", UNRELIABLE, citations=(BBC,))
    w3 = claim("c-w3", BACKGROUND, "State media praised the strikes.", citations=(RT, BLOG))
    w4 = claim("c-w4", REACTIONS, "A blog called it a failure.", citations=(BLOG,))
    w5 = claim("c-w5", REACTIONS, "The jet entered Turkish airspace.", FV_2019, citations=(NYT,))
    w6 = claim("c-w6", REACTIONS, "Casualties were low.", DUBIOUS_2023, citations=(NYT,))
    w7 = claim("c-w7", REACTIONS, "Observers were surprised.", citations=(NYT,))

    def same(c: Claim, *flags: FlagCheck, sourcing: Sourcing) -> ClaimCheck:
        return ClaimCheck(ClaimMatch("unchanged", c, c, 1.0), flags, sourcing)

    claims = (
        same(
            w1,
            FlagCheck(CN_2020, "open", cited=True),
            sourcing=Sourcing("well-sourced", (RELIABLE_NYT,)),
        ),
        same(
            w2,
            FlagCheck(UNRELIABLE, "open", cited=True, hint="likely-resolvable"),
            sourcing=Sourcing("well-sourced", (RELIABLE_BBC,)),
        ),
        same(w3, sourcing=Sourcing("mixed", (DEPRECATED_RT, OVERRIDDEN_BLOG))),
        same(w4, sourcing=Sourcing("only-unreliable", (SELF_PUBLISHED,), weak=True)),
        same(
            w5,
            FlagCheck(FV_2019, "open", cited=True),
            sourcing=Sourcing("well-sourced", (RELIABLE_NYT,)),
        ),
        same(
            w6,
            FlagCheck(DUBIOUS_2023, "open", cited=True),
            sourcing=Sourcing("well-sourced", (RELIABLE_NYT,)),
        ),
        same(w7, sourcing=Sourcing("well-sourced", (RELIABLE_NYT,))),
    )
    return DocumentCheck(
        title="Worklist article",
        wiki=WIKI,
        status="checked",
        snapshot_timestamp="2024-06-01T00:00:00Z",
        snapshot_revision=100,
        current=Revision(title="Worklist article", revid=200, timestamp="2026-03-01T00:00:00Z"),
        claims=claims,
        reliability_data="rsp-test+citeunseen-test",
        triage={
            "c-w4": Triage("waived", WAIVED_NOTE, by="Editor1", updated="2026-02-01"),
            "c-w6": Triage("assigned", "Alice checks the book", by="Alice"),
        },
        flag_triage={
            ("c-w5", "failed-verification", 1): Triage("false-positive", "source says so")
        },
    )


@pytest.fixture
def worklist() -> DocumentCheck:
    """The work-queue document alone."""
    return worklist_document()


@pytest.fixture
def checks() -> list[DocumentCheck]:
    """The standard run: a checked, an offline and a missing document, in that order."""
    return [checked_document(), offline_document(), missing_document()]


@pytest.fixture
def checked() -> DocumentCheck:
    """The checked document alone."""
    return checked_document()


@pytest.fixture
def hostile() -> DocumentCheck:
    """The hostile document alone."""
    return hostile_document()
