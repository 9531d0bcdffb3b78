"""The seed 'current revision' fixture is real-shaped Parsoid HTML and agrees with expected.json.

Checked with lxml/BeautifulSoup only, never with the project's readers: the fixture must stay
independent of the code it tests.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from tests.fixtures.seed_current.build import build_all

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "seed_current"
SEED = Path(__file__).resolve().parents[2] / "examples" / "russian-intervention-2023-12-25.txt"
REVISIONS = ("snapshot", "intermediate", "current")
LABEL_TYPES = {
    "citation needed": "citation-needed",
    "unreliable source?": "unreliable-source",
    "self-published source?": "self-published-source",
    "undue weight? – discuss": "undue-weight",
    "by whom?": "by-whom",
    "dubious – discuss": "dubious",
    "failed verification": "failed-verification",
    "better source needed": "better-source-needed",
    "when?": "when",
}
TEMPLATE_TYPES = {
    "citation needed": "citation-needed",
    "cn": "citation-needed",
    "unreliable source?": "unreliable-source",
    "sps": "self-published-source",
    "undue weight inline": "undue-weight",
    "by whom": "by-whom",
    "dubious": "dubious",
    "failed verification": "failed-verification",
    "better source needed": "better-source-needed",
    "when": "when",
}
SEED_FLAG_RE = re.compile(
    r"\[(citation needed|unreliable source\?|self-published source\?|undue weight\? |by whom\?)\]"
)
BLOCKS = "p, li, figcaption, td, th, blockquote"


def squash(text: str) -> str:
    """Collapse all whitespace (NBSP included) to single spaces."""
    return re.sub(r"\s+", " ", text).strip()


@cache
def expected() -> dict[str, Any]:
    """The hand-written ground truth."""
    return json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))


@cache
def manifest() -> dict[str, Any]:
    """revisions.json, as written by build.py."""
    return json.loads((FIXTURE / "revisions.json").read_text(encoding="utf-8"))


@cache
def html_of(name: str) -> str:
    """One revision's HTML document."""
    item = next(r for r in manifest()["revisions"] if r["name"] == name)
    data = (FIXTURE / item["file"]).read_bytes()
    return (gzip.decompress(data) if item["file"].endswith(".gz") else data).decode("utf-8")


def soup_of(name: str) -> BeautifulSoup:
    """A fresh parse of one revision (tests may modify it)."""
    return BeautifulSoup(html_of(name), "lxml")


def one(node: object) -> Tag:
    """A lookup result that must be an element (BeautifulSoup lookups are Optional)."""
    assert isinstance(node, Tag), node
    return node


def attr_of(tag: Tag, name: str) -> str:
    """A single-valued attribute."""
    value = tag.get(name)
    assert isinstance(value, str), (name, value)
    return value


def fragment(tag: Tag) -> str:
    """The `#fragment` of a link (or of the first link inside `tag`)."""
    link = tag if tag.name == "a" else one(tag.find("a"))
    return attr_of(link, "href").split("#", 1)[1]


def flag_type(sup: Tag) -> str:
    """The flag type id of a rendered `sup.Inline-Template`, from its label."""
    label = squash(sup.get_text()).strip("[]")
    return LABEL_TYPES[label]


# --------------------------------------------------------------------------- claim location


@dataclass
class Located:
    """A claim found in a revision: the markers (flags, refs) attached to it."""

    flags: list[str]
    ref_targets: list[str]


def marked_text(block: Tag) -> tuple[str, list[tuple[int, str, str]]]:
    """A block's visible text (whitespace squashed, no refs/flags) plus its markers.

    Markers are (offset in the text, "F" flag or "R" ref, flag type or footnote id).
    """
    chars: list[str] = []
    markers: list[tuple[int, str, str]] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                classes: list[str] = list(child.get("class") or [])
                if child.name == "sup" and "Inline-Template" in classes:
                    markers.append((len(chars), "F", flag_type(child)))
                elif child.name == "sup" and "mw-ref" in classes:
                    markers.append((len(chars), "R", fragment(child)))
                elif child.name == "br":
                    add(" ")
                elif child.name not in ("style", "link"):
                    walk(child)
            elif type(child).__name__ == "NavigableString":
                add(str(child))

    def add(text: str) -> None:
        for ch in text:
            if ch.isspace():
                if chars and chars[-1] != " ":
                    chars.append(" ")
            else:
                chars.append(ch)

    walk(block)
    return "".join(chars), markers


@cache
def block_index(name: str) -> list[tuple[Tag, str, list[tuple[int, str, str]]]]:
    """Every text block of a revision with its marked text (parsed once per revision)."""
    soup = BeautifulSoup(html_of(name), "lxml")
    return [(block, *marked_text(block)) for block in soup.select(BLOCKS)]


def locate(name: str, claim: str) -> Located | None:
    """Find `claim` in the innermost block holding it; collect markers inside and right after."""
    hits = [entry for entry in block_index(name) if claim in entry[1]]
    tags = [entry[0] for entry in hits]
    innermost = [e for e in hits if not any(e[0] in list(t.parents) for t in tags)]
    if not innermost:
        return None
    _, text, markers = innermost[0]
    start = text.index(claim)
    end = start + len(claim)
    # markers inside the claim, and those directly after it (no text in between)
    attached = [(kind, value) for pos, kind, value in markers if start < pos <= end]
    return Located(
        flags=[value for kind, value in attached if kind == "F"],
        ref_targets=[value for kind, value in attached if kind == "R"],
    )


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("name", REVISIONS)
def test_document_has_real_parsoid_head_and_body(name: str) -> None:
    item = next(r for r in manifest()["revisions"] if r["name"] == name)
    soup = soup_of(name)
    head = one(soup.head)
    assert attr_of(one(soup.html), "about") == (
        f"https://en.wikipedia.org/wiki/Special:Redirect/revision/{item['revid']}"
    )
    meta = {m.get("property"): m.get("content") for m in head.find_all("meta")}
    assert meta["mw:pageId"] == str(manifest()["pageid"])
    assert meta["mw:revisionSHA1"] == item["sha1"]
    assert meta["dc:modified"] == item["timestamp"].replace("Z", ".000Z")
    assert meta["mw:htmlVersion"] == "2.8.0"
    replaces = one(head.find("link", rel="dc:replaces"))
    assert attr_of(replaces, "resource") == f"mwr:revision/{item['parentid']}"
    assert one(head.title).get_text() == manifest()["title"]
    assert attr_of(one(head.find("base")), "href") == "//en.wikipedia.org/wiki/"
    body_classes = set(one(soup.body).get("class") or [])
    assert {"mw-parser-output", "parsoid-body", "mw-body-content", "sitedir-ltr"} <= body_classes
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "duplicate element ids"


def test_sections_restore_the_article_hierarchy() -> None:
    soup = soup_of("current")

    def heading(text: str) -> Tag:
        found = [h for h in soup.find_all(["h2", "h3", "h4"]) if h.get_text() == text]
        assert len(found) == 1, text
        return found[0]

    def parent_heading(text: str) -> str:
        enclosing = one(one(heading(text).parent).find_parent("section"))
        return one(enclosing.find(["h2", "h3", "h4"])).get_text()

    assert parent_heading("September–October 2015") == "Operations by Russian military forces"
    assert parent_heading("Since October 2020") == "Operations by Russian military forces"
    assert parent_heading("Supranational") == "International"
    assert parent_heading("National governments") == "International"
    assert parent_heading("International") == "Reactions"
    h3 = heading("September–October 2015")
    assert h3.name == "h3" and h3["id"] == "September–October_2015"
    assert h3.find("span", attrs={"typeof": "mw:FallbackId"}) is not None
    lead = one(soup.find("section", attrs={"data-mw-section-id": "0"}))
    assert lead.select_one("table.infobox[typeof='mw:Transclusion'][data-mw]") is not None
    assert lead.select_one("div.shortdescription[typeof='mw:Transclusion']") is not None


def test_page_furniture_is_present() -> None:
    soup = soup_of("current")
    assert soup.select("figure[typeof='mw:File/Thumb'] > figcaption")
    assert soup.select("div.hatnote[role='note']")
    assert soup.select("blockquote")
    assert soup.select("div[role='navigation'].navbox")
    assert soup.select("span.flagicon img")
    cats = [link["href"] for link in soup.select("link[rel='mw:PageProp/Category']")]
    assert "./Category:Wars_involving_Russia" in cats
    assert soup.select("th.infobox-label") and soup.select("td.infobox-data")
    assert soup.select("cite#CITEREFPhillips2016.citation.book")


@pytest.mark.parametrize("name", REVISIONS)
def test_every_flag_has_a_transclusion_with_data_mw(name: str) -> None:
    soup = soup_of(name)
    sups = soup.select("sup.Inline-Template")
    assert sups
    for sup in sups:
        wanted = flag_type(sup)
        about = sup.get("about")
        if isinstance(about, str):
            group = [t for t in soup.select(f'[about="{about}"]') if t.get("data-mw")]
            assert group, f"no transclusion for {about}"
            assert "mw:Transclusion" in attr_of(group[0], "typeof")
            target = json.loads(attr_of(group[0], "data-mw"))["parts"][0]["template"]["target"]
            assert TEMPLATE_TYPES[target["wt"].strip().lower()] == wanted
            assert target["href"].startswith("./Template:")
        else:
            # NOTE: a flag inside another template's output (the infobox) has no data-mw of
            # its own: the call is in the enclosing transclusion's parameter wikitext.
            owner = one(sup.find_parent(attrs={"typeof": re.compile("mw:Transclusion")}))
            params = json.loads(attr_of(owner, "data-mw"))["parts"][0]["template"]["params"]
            calls = re.findall(r"\{\{([^|}]+)\|date=", " ".join(p["wt"] for p in params.values()))
            assert wanted in {TEMPLATE_TYPES[c.strip().lower()] for c in calls}


@pytest.mark.parametrize("name", REVISIONS)
def test_every_reference_resolves_to_a_list_item(name: str) -> None:
    soup = soup_of(name)
    refs = soup.select("sup.mw-ref")
    assert len(refs) > 100
    for sup in refs:
        mw = json.loads(attr_of(sup, "data-mw"))
        note = fragment(sup)
        li = one(soup.find("li", id=note))
        assert li.find_parent("ol", class_="mw-references"), note
        backlinks = [
            fragment(a)
            for a in li.select("a[href*='#cite_ref-']")
            if a.find_parent(attrs={"rel": "mw:referencedBy"}) or a.get("rel")
        ]
        assert sup.get("id") in backlinks, f"{note} does not link back to {sup.get('id')}"
        body = mw.get("body", {}).get("id")
        if body:
            assert li.find(id=body) is not None


def test_references_cover_the_required_shapes() -> None:
    soup = soup_of("current")
    items = soup.select("ol.mw-references > li")
    text = " ".join(li.decode() for li in items)
    for domain in (
        "reuters.com",
        "bbc.com",
        "nytimes.com",
        "theguardian.com",
        "aljazeera.com",
        "tass.com",
        "vz.ru",
        "rt.com",
        "sputniknews.com",
        "syriahr.com",
        "airwars.org",
        "hrw.org",
        "amnesty.org",
        "blogspot.com",
        "twitter.com",
        "web.archive.org",
    ):
        assert domain in text or domain in html_of("snapshot"), domain
    assert soup.select("cite.citation.news") and soup.select("cite.citation.book")
    assert soup.select("a.external.free")  # a bare-URL reference
    assert any('"url-status":{"wt":"dead"}' in li.decode() for li in items)
    assert soup.select("ol.mw-references li sup.Inline-Template")  # a flag inside a ref
    assert soup.select("sup.mw-ref[typeof='mw:Transclusion mw:Extension/ref'] a[data-mw-group]")
    sfn = [s for s in soup.select("sup.mw-ref") if '"sfn"' in attr_of(s, "data-mw")]
    assert sfn and all(attr_of(s, "id").startswith("cite_ref-FOOTNOTE") for s in sfn)
    paragraphs = soup.select("section p")
    with_refs = [p for p in paragraphs if p.select("sup.mw-ref")]
    assert len(with_refs) / len(paragraphs) > 0.8


def test_rebuilding_gives_identical_bytes() -> None:
    files = build_all()
    assert set(files) == {r["file"] for r in manifest()["revisions"]} | {"revisions.json"}
    for name, data in files.items():
        on_disk = (FIXTURE / name).read_bytes()
        if name.endswith(".gz"):
            # gzip bytes depend on the zlib build; the content must be identical
            assert gzip.decompress(data) == gzip.decompress(on_disk), name
        else:
            assert data == on_disk, f"{name} is stale: run tests/fixtures/seed_current/build.py"


# --------------------------------------------------------------------------- ground truth


def seed_text() -> str:
    """The seed with flag labels removed and whitespace squashed."""
    return squash(SEED_FLAG_RE.sub("", SEED.read_text(encoding="utf-8")))


def all_claims() -> list[dict[str, Any]]:
    """Every claim record in expected.json (edited, added, newly flagged)."""
    exp = expected()
    return exp["claims"] + exp["added"] + exp["new_flags_on_existing"]


def test_expected_metadata_matches_the_revisions() -> None:
    exp = expected()
    for name in REVISIONS:
        item = next(r for r in manifest()["revisions"] if r["name"] == name)
        assert exp[name]["revid"] == item["revid"]
        assert exp[name]["timestamp"] == item["timestamp"]
        assert exp[name]["file"] == item["file"]
        assert len(soup_of(name).select("sup.Inline-Template")) == exp[name]["flag_count"]
    assert sorted(exp["intermediate"]["edits"]) == next(
        r["edits"] for r in manifest()["revisions"] if r["name"] == "intermediate"
    )
    flagged = [c for c in exp["claims"] if c["flags"]]
    assert len(flagged) == exp["snapshot"]["flagged_claims"] == 12
    assert sum(len(c["flags"]) for c in flagged) == exp["snapshot"]["flag_count"] == 13


def test_snapshot_texts_are_quoted_exactly_from_the_seed() -> None:
    seed = seed_text()
    for record in all_claims():
        if "snapshot_text" in record:
            assert record["snapshot_text"] in seed, record["id"]
    for record in expected()["added"]:
        assert record["current_text"] not in seed, record["id"]


def visible_text(name: str) -> str:
    """A revision's reader-visible text: no refs, flags, styles; `<br>` as a space."""
    soup = soup_of(name)
    for node in soup.select("sup.mw-ref, sup.Inline-Template, style, link, head"):
        node.decompose()
    for br in soup.find_all("br"):
        br.replace_with(" ")
    return squash(soup.get_text())


def test_current_texts_occur_in_the_current_html() -> None:
    current = visible_text("current")
    for record in all_claims():
        if record.get("current_text"):
            assert record["current_text"] in current, record["id"]
    for claim in expected()["claims"]:
        if claim["status"] in ("removed", "reworded"):
            assert claim["snapshot_text"] not in current, claim["id"]


def test_flagged_claims_carry_their_flags_in_the_snapshot_html() -> None:
    for claim in expected()["claims"]:
        if not claim["flags"]:
            continue
        found = locate("snapshot", claim["snapshot_text"])
        assert found is not None, claim["id"]
        assert found.flags == [f["type"] for f in claim["flags"]], claim["id"]


@pytest.mark.parametrize(
    "claim", [c for c in expected()["claims"] if c["flags"]], ids=lambda c: c["id"]
)
def test_flag_statuses_hold_in_the_current_html(claim: dict[str, Any]) -> None:
    if claim["status"] == "removed":
        assert locate("current", claim["snapshot_text"]) is None
        assert all(f["status"] == "removed" for f in claim["flags"])
        return
    found = locate("current", claim["current_text"])
    assert found is not None, claim["id"]
    for flag in claim["flags"]:
        assert (flag["type"] in found.flags) == (flag["status"] == "open"), flag
        assert bool(found.ref_targets) == flag["cited"], flag


@pytest.mark.parametrize(
    "claim", [c for c in expected()["claims"] if c["flags"]], ids=lambda c: c["id"]
)
def test_intermediate_revision_matches_the_since_fields(claim: dict[str, Any]) -> None:
    changed_early = any(f["since"] == expected()["intermediate"]["revid"] for f in claim["flags"])
    text = claim["current_text"] if changed_early else claim["snapshot_text"]
    if changed_early and claim["status"] == "removed":
        assert locate("intermediate", claim["snapshot_text"]) is None
        return
    found = locate("intermediate", text)
    assert found is not None, claim["id"]
    for flag in claim["flags"]:
        still_open = (
            flag["status"] == "open" or flag["since"] != expected()["intermediate"]["revid"]
        )
        assert (flag["type"] in found.flags) == still_open, (claim["id"], flag)


def test_added_and_newly_flagged_claims_carry_new_flags() -> None:
    soup = soup_of("current")
    for record in expected()["added"]:
        found = locate("current", record["current_text"])
        assert found is not None, record["id"]
        assert found.flags == [f["type"] for f in record["flags"]], record["id"]
        assert bool(found.ref_targets) == record["cited"], record["id"]
    for record in expected()["new_flags_on_existing"]:
        before = locate("snapshot", record["snapshot_text"])
        after = locate("current", record["current_text"])
        assert before is not None and after is not None, record["id"]
        assert record["type"] not in before.flags
        if record["in_reference"]:
            li = one(soup.find("li", id=after.ref_targets[0]))
            assert record["type"] in [flag_type(s) for s in li.select("sup.Inline-Template")]
        else:
            assert record["type"] in after.flags, record["id"]


def test_moved_claim_changed_section() -> None:
    claim = next(c for c in expected()["claims"] if c["moved"])
    soup = soup_of("current")
    block = next(p for p in soup.select("p") if claim["current_text"] in squash(p.get_text()))
    section = one(block.find_parent("section"))
    assert one(section.find(["h2", "h3", "h4"])).get_text() == claim["current_section"]
    old = soup_of("snapshot")
    block = next(p for p in old.select("p") if claim["snapshot_text"] in squash(p.get_text()))
    section = one(block.find_parent("section"))
    assert one(section.find(["h2", "h3", "h4"])).get_text() == claim["section"]
