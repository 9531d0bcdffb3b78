"""Small synthetic page histories (wikitext) for the history and blame tests.

`bridge_history()` is a 200-revision article with known events:

* revision index 0: the page starts with two flags, on "Its builder was a local mason."
  (Y) and on "Some say the bridge is haunted." (Z);
* index 57: flag X is added to "The bridge was built in 1850." by user Adder;
* index 90: a vandal (an IP) blanks the page; index 91 reverts it (identical text to 89);
* index 120: a vandal replaces the page with junk; index 121 reverts it;
* index 150: Citer replaces Y's flag by a reference (outcome `cited`);
* index 170: Trimmer deletes the sentence "The river floods every spring." with its flag
  W, which Flagger added at index 100 (outcome `deleted`);
* every revision also changes a counter line, so no two texts are alike except reverts.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from audit.history.trace import HistoryRevision

START = datetime(2020, 1, 1, tzinfo=timezone.utc)
FIRST_REVID = 1000
SIZE = 200
ADD_X, BLANK, JUNK, CITE_Y, ADD_W, DELETE_W = 57, 90, 120, 150, 100, 170


def bridge_text(index: int) -> str:
    """The article as it reads after revision `index` (ignoring vandalism)."""
    built = "The bridge was built in 1850."
    if index >= ADD_X:
        built += "{{citation needed|date=March 2020}}"
    builder = "Its builder was a local mason."
    builder += "<ref>Smith, ''Bridges'' (1901), p. 4.</ref>" if index >= CITE_Y else "{{cn}}"
    floods = ""
    if ADD_W <= index < DELETE_W:
        floods = " The river floods every spring.{{fact}}"
    return (
        "'''Old Bridge''' is a stone bridge over the river Exe.\n\n"
        "== History ==\n"
        f"{built} {builder}{floods} It has three arches.\n\n"
        "== Legends ==\n"
        "Some say the bridge is haunted.{{citation needed}} Others disagree.\n\n"
        f"== Notes ==\nThis article has been revised {index} times.\n"
    )


def bridge_history() -> list[HistoryRevision]:
    """The 200 revisions, oldest first, one hour apart."""
    revisions = []
    for index in range(SIZE):
        user, comment, text = f"Editor{index % 7}", f"edit {index}", bridge_text(index)
        if index == ADD_X:
            user, comment = "Adder", "needs a source"
        elif index == BLANK:
            user, comment, text = "203.0.113.9", "", ""
        elif index == BLANK + 1:
            user, comment, text = "Patroller", "rv blanking", bridge_text(BLANK - 1)
        elif index == JUNK:
            user, comment, text = "198.51.100.7", "lol", "BRIDGES ARE BORING"
        elif index == JUNK + 1:
            user, comment, text = "Patroller", "rv vandalism", bridge_text(JUNK - 1)
        elif index == CITE_Y:
            user, comment = "Citer", "source for the builder"
        elif index == ADD_W:
            user, comment = "Flagger", "floods?"
        elif index == DELETE_W:
            user, comment = "Trimmer", "rm unsourced"
        revisions.append(
            HistoryRevision(
                revid=FIRST_REVID + index,
                timestamp=(START + timedelta(hours=index)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                user=user,
                comment=comment,
                text=text,
            )
        )
    return revisions


def history_xml(
    title: str,
    revisions: list[HistoryRevision],
    *,
    page_id: int = 4242,
    namespace: int = 0,
    base: str = "https://en.wikipedia.org/wiki/Main_Page",
) -> str:
    """A pages-meta-history export (schema 0.10) of one page with these revisions.

    A revision's user None is written as a deleted contributor, a comment None as a deleted
    comment, a text None as deleted text; an IP address as `<ip>`.
    """
    from xml.sax.saxutils import escape

    parts = [
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10" '
        'xml:lang="en">\n',
        f"  <siteinfo>\n    <sitename>Wikipedia</sitename>\n    <dbname>enwiki</dbname>\n"
        f"    <base>{escape(base)}</base>\n    <generator>MediaWiki 1.36</generator>\n"
        '    <case>first-letter</case>\n    <namespaces>\n'
        '      <namespace key="0" case="first-letter" />\n'
        '      <namespace key="1" case="first-letter">Talk</namespace>\n'
        "    </namespaces>\n  </siteinfo>\n",
        f"  <page>\n    <title>{escape(title)}</title>\n    <ns>{namespace}</ns>\n"
        f"    <id>{page_id}</id>\n",
    ]
    for revision in revisions:
        parts.append(f"    <revision>\n      <id>{revision.revid}</id>\n"
                     f"      <timestamp>{revision.timestamp}</timestamp>\n")
        if revision.user is None:
            parts.append('      <contributor deleted="deleted" />\n')
        elif revision.user.replace(".", "").isdigit():
            parts.append(f"      <contributor>\n        <ip>{revision.user}</ip>\n"
                         "      </contributor>\n")
        else:
            parts.append(f"      <contributor>\n        <username>{escape(revision.user)}"
                         "</username>\n        <id>7</id>\n      </contributor>\n")
        if revision.comment is None:
            parts.append('      <comment deleted="deleted" />\n')
        elif revision.comment:
            parts.append(f"      <comment>{escape(revision.comment)}</comment>\n")
        parts.append("      <model>wikitext</model>\n      <format>text/x-wiki</format>\n")
        if revision.text is None:
            parts.append('      <text bytes="-1" deleted="deleted" />\n')
        else:
            size = len(revision.text.encode("utf-8"))
            parts.append(f'      <text bytes="{size}" xml:space="preserve">'
                         f"{escape(revision.text)}</text>\n")
        parts.append("    </revision>\n")
    parts.append("  </page>\n</mediawiki>\n")
    return "".join(parts)
