"""HTML reader details that the data-driven cases do not pin down."""

from __future__ import annotations

import gzip

import pytest

from audit.claims import split_claims
from audit.readers.html import read_html
from tests.conftest import shared_data

INFOBOX = """<html><body class="parsoid-body"><section data-mw-section-id="0">
<table class="infobox vevent" about="#mwt1" typeof="mw:Transclusion" data-mw='{"parts":[]}'>
<tbody><tr><th colspan="2" class="infobox-above">Example war</th></tr>
<tr><th class="infobox-label">Date</th><td class="infobox-data">30 September 2015 – present<br/>(8 years)</td></tr>
<tr><td colspan="2" class="infobox-image"><img src="x.png"/><div class="infobox-caption">Map of the war</div></td></tr>
<tr><th colspan="2" class="infobox-header">Commanders</th></tr>
<tr><td><span class="flagicon"><img alt="" src="f.png"/></span> Vladimir Putin<br/>Sergey Shoygu<sup class="noprint Inline-Template" about="#mwt2" typeof="mw:Transclusion" data-mw='{"parts":[{"template":{"target":{"wt":"Dubious","href":"./Template:Dubious"},"params":{},"i":0}}]}'>[<i>dubious – discuss</i>]</sup></td></tr>
</tbody></table>
<p>Lead text here. More text<span style="display:none">hidden words</span> follows.</p>
</section></body></html>"""


def test_infobox_lines_and_caption() -> None:
    claims = split_claims(read_html(INFOBOX))
    infobox = [
        (claim.kind, claim.text, [flag.type for flag in claim.flags])
        for claim in claims
        if claim.kind == "infobox"
    ]
    assert infobox == [
        ("infobox", "30 September 2015 – present", []),
        ("infobox", "(8 years)", []),
        ("infobox", "Vladimir Putin", []),
        ("infobox", "Sergey Shoygu", ["dubious"]),
    ]
    # An image caption inside the infobox belongs to the infobox, as in plain-text copies.
    assert ("caption", "Map of the war", "Infobox") in [
        (claim.kind, claim.text, claim.section) for claim in claims
    ]
    assert not any(claim.text == "Example war" or claim.text == "Date" for claim in claims)


def test_hidden_text_is_not_a_claim() -> None:
    texts = [claim.text for claim in split_claims(read_html(INFOBOX))]
    assert "More text follows." in texts
    assert not any("hidden words" in text for text in texts)


def test_parsoid_metadata() -> None:
    html = (
        '<!DOCTYPE html><html about="https://en.wikipedia.org/wiki/Special:Redirect/revision/42">'
        '<head><title>My Page</title><meta property="dc:modified" '
        'content="2024-01-02T03:04:05.000Z"/></head><body data-mw="x"><p>Text.</p></body></html>'
    )
    document = read_html(html)
    assert (document.format, document.title, document.revision, document.timestamp) == (
        "parsoid",
        "My Page",
        42,
        "2024-01-02T03:04:05Z",
    )


def test_legacy_section_index_from_edit_link() -> None:
    html = (
        '<div class="mw-parser-output"><p>Lead.</p><div class="mw-heading mw-heading2">'
        '<h2 id="History">History</h2><span class="mw-editsection"><a href="/w/index.php?'
        'title=X&amp;action=edit&amp;section=3">edit</a></span></div><p>Old times.</p></div>'
    )
    claims = split_claims(read_html(html))
    history = [claim for claim in claims if claim.section == "History"]
    assert history[0].text == "Old times." and history[0].section_index == 3
    assert history[0].anchor == "History"


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "flags"),
    [
        ("enterprise-parsoid/Switzerland.html.gz", 21),
        ("mcs-parsoid-enwiki-Dog-rev845493773.html.gz", 8),
        ("readability-enwiki-Mozilla-rev746574460-2016.html.gz", 2),
        ("enterprise-parsoid/Body_mass_index.html.gz", 5),
    ],
)
def test_real_pages_flag_counts(name: str, flags: int) -> None:
    with gzip.open(shared_data(f"html/{name}"), "rt", encoding="utf-8") as handle:
        html = handle.read()
    claims = split_claims(read_html(html))
    assert sum(len(claim.flags) for claim in claims) == flags
    assert not any("citation needed]" in claim.text for claim in claims)
