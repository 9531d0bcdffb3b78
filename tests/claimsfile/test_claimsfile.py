"""claims.yaml: round trip, stable output, triage merge, strict and safe loading, atomic saves.

Regenerate the golden file after an intended format change with
    AUDIT_UPDATE_GOLDEN=1 /work/venv/bin/pytest tests/claimsfile -q
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from audit.claimsfile import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    ClaimsFile,
    MergeReport,
    Snapshot,
    Triage,
    dump_claims_file,
    load_claims_file,
    new_claims_file,
    save_claims_file,
    set_snapshot_revision,
    upsert_document,
)
from audit.errors import ClaimsFileError
from audit.model import Citation, Claim, Flag

CLAIMS = Path(__file__).resolve().parents[1] / "fixtures" / "claims"
GOLDEN = CLAIMS / "basic.yaml"
EDITED = CLAIMS / "edited.yaml"
BAD = sorted((CLAIMS / "bad").glob("*.yaml"))

TITLE = "Russian intervention in the Syrian civil war"
WIKI = "https://en.wikipedia.org"
SNAPSHOT = Snapshot("2023-12-25T01:18:00Z", None, "russian-intervention-2023-12-25.txt")
LONG = (
    "At the end of September, Russia deployed Su-34 and Su-25 aircraft to the Khmeimim air "
    "base near Latakia, a build-up that Western officials had watched since August and that "
    "Moscow described as support for the Syrian government in its fight against “terrorism”."
)


def sample_claims() -> list[Claim]:
    return [
        Claim(
            "c-3cd59667e7",
            "Background and preparation phase",
            "sentence",
            LONG,
            flags=(Flag("citation-needed", "citation needed", 149),),
            citations=(
                Citation(
                    url="https://www.bbc.com/news/world-34416519",
                    domain="bbc.com",
                    title="Syria crisis: Russia begins air strikes",
                ),
                Citation(text="Interfax, 30 September 2015", dead=True),
            ),
        ),
        Claim(
            "c-0a1b2c3d4e",
            "Infobox",
            "infobox",
            "Commanders: Vladimir Putin – Sergei Shoigu",
            flags=(Flag("dubious", "dubious", 20, date="October 2017", reason="which date?"),),
        ),
        Claim(
            "c-1945194519",
            "Background › Timeline",
            "list-item",
            "1945",
            anchor="Timeline",
            section_index=3,
        ),
    ]


def sample_file() -> ClaimsFile:
    cf = new_claims_file()
    upsert_document(cf, title=TITLE, wiki=WIKI, snapshot=SNAPSHOT, claims=sample_claims())
    return cf


def error_of(path: Path) -> ClaimsFileError:
    with pytest.raises(ClaimsFileError) as info:
        load_claims_file(path)
    return info.value


# --- round trip and output format ----------------------------------------------------------


def test_output_matches_golden_file() -> None:
    text = dump_claims_file(sample_file())
    if os.environ.get("AUDIT_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


@pytest.mark.parametrize("fixture", [GOLDEN, EDITED], ids=["written-by-audit", "edited"])
def test_load_then_save_is_byte_identical(fixture: Path, tmp_path: Path) -> None:
    target = tmp_path / "claims.yaml"
    save_claims_file(load_claims_file(fixture), target)
    assert target.read_bytes() == fixture.read_bytes()


def test_claims_read_back_as_records(tmp_path: Path) -> None:
    save_claims_file(sample_file(), tmp_path / "claims.yaml")
    document = load_claims_file(tmp_path / "claims.yaml").document(TITLE, WIKI)
    assert document is not None
    assert document.claims == tuple(sample_claims())
    assert document.snapshot == SNAPSHOT
    assert set(document.triage.values()) == {Triage()}


def test_output_is_readable_yaml() -> None:
    text = dump_claims_file(sample_file())
    lines = text.splitlines()
    # Flow maps on one line each; documents and claims in block style.
    assert (
        "    snapshot: {timestamp: '2023-12-25T01:18:00Z', revision: null, "
        "source: russian-intervention-2023-12-25.txt}"
    ) in lines
    assert "          - {type: citation-needed, label: citation needed, offset: 149}" in lines
    assert "        triage: {status: open, note: ''}" in lines
    assert "  - title: Russian intervention in the Syrian civil war" in lines  # unquoted
    assert "      - id: c-3cd59667e7" in lines
    # Long text stays on one line; unicode is written as itself, not escaped.
    assert f"        text: {LONG}" in lines
    assert "– Sergei Shoigu" in text and "Background › Timeline" in text and "\\u" not in text
    # Quotes only where YAML needs them: '1945' would otherwise read back as a number.
    assert "        text: '1945'" in lines
    # Citation keys only when they have a value; flag date/reason only when known.
    assert "- {dead: true, text: 'Interfax, 30 September 2015'}" in text
    assert "offset: 149, date" not in text
    assert "date: October 2017, reason: which date?}" in text


def test_comments_extra_keys_and_order_survive_upsert(tmp_path: Path) -> None:
    cf = load_claims_file(EDITED)
    old = cf.document(TITLE, WIKI)
    assert old is not None
    first = old.claims[0]
    changed = Claim(
        first.id,
        first.section,
        first.kind,
        first.text,
        citations=(Citation(url="https://example.org/a", domain="example.org"),),
    )
    upsert_document(cf, title=TITLE, wiki=WIKI, snapshot=SNAPSHOT, claims=[changed])
    text = dump_claims_file(cf)
    assert "# Syria claims, triaged by the WikiProject Military history team." in text
    assert "project: WikiProject Military history   # an editor's own top-level key" in text
    assert "text: Russia began air strikes on 30 September 2015.   # checked with X" in text
    # The claim map was updated in place: the editor's key stays where it was, before triage.
    block = text[text.index("      - id: c-aaaaaaaaaa") : text.index("    orphaned:")]
    assert re.findall(r"^\s+(?:- )?(\w+):", block, re.M) == [
        "id",
        "section",
        "kind",
        "text",
        "flags",
        "citations",
        "reviewer",
        "triage",
    ]
    assert "  - {url: https://example.org/a, domain: example.org}" in block
    assert 'triage: {status: fixed, note: "source added by Alice"}' in block  # quoting kept
    save_claims_file(cf, tmp_path / "claims.yaml")
    assert load_claims_file(tmp_path / "claims.yaml").documents == cf.documents


# --- triage merge --------------------------------------------------------------------------


def test_upsert_keeps_triage_by_id_text_and_fuzzy_and_orphans_the_rest() -> None:
    cf = load_claims_file(EDITED)
    new = [
        Claim(
            "c-aaaaaaaaaa",
            "Background and preparation phase",
            "sentence",
            "Russia began air strikes on 30 September 2015.",
        ),  # same id
        Claim(
            "c-eeeeeeeee2", "Military operations", "sentence", "Russia said it targeted  terrorists"
        ),  # same normalised text
        Claim(
            "c-ddddddddd2",
            "Military operations",
            "sentence",
            "Khmeimim air base was expanded in late 2015.",
        ),  # reworded
        Claim("c-ffffffffff", "Reactions", "sentence", "The UN condemned the strikes."),  # back
        Claim("c-0000000new", "Reactions", "sentence", "Turkey shot down a Su-24 in November."),
    ]
    report = upsert_document(cf, title=TITLE, wiki=WIKI, snapshot=SNAPSHOT, claims=new)
    assert report == MergeReport(
        kept_by_id=2, kept_by_text=1, orphaned=1, added=2, removed=2, kept_by_fuzzy=1
    )
    document = cf.document(TITLE, WIKI)
    assert document is not None
    assert document.triage["c-aaaaaaaaaa"].status == "fixed"
    assert document.triage["c-eeeeeeeee2"] == Triage("false-positive", "attributed claim")
    assert document.triage["c-ddddddddd2"] == Triage(
        "assigned", "ask the WikiProject", "Alice", "2024-01-05"
    )
    assert document.triage["c-ffffffffff"] == Triage("fixed", "cite added")  # restored orphan
    assert document.triage["c-0000000new"] == Triage()
    # The waived claim is gone: its triage is kept with its old text; the untriaged one is not.
    assert [(o.id, o.text, o.triage.status) for o in document.orphaned] == [
        ("c-bbbbbbbbbb", "The strikes targeted ISIL.", "waived")
    ]
    assert [c.id for c in document.claims] == [c.id for c in new]


def test_upsert_of_the_same_claims_changes_nothing() -> None:
    cf = load_claims_file(EDITED)
    before = dump_claims_file(cf)
    document = cf.document(TITLE, WIKI)
    assert document is not None
    report = upsert_document(
        cf, title=TITLE, wiki=WIKI, snapshot=document.snapshot, claims=document.claims
    )
    assert report == MergeReport(kept_by_id=4, kept_by_text=0, orphaned=0, added=0, removed=0)
    assert dump_claims_file(cf) == before


def test_upsert_of_unrelated_text_does_not_steal_triage() -> None:
    cf = load_claims_file(EDITED)
    new = [Claim("c-9999999999", "Lead", "sentence", "Russia began naval operations in 2016.")]
    report = upsert_document(cf, title=TITLE, wiki=WIKI, snapshot=SNAPSHOT, claims=new)
    assert (report.kept_by_id, report.kept_by_text, report.kept_by_fuzzy) == (0, 0, 0)
    assert report.orphaned == 4 and report.removed == 5 and report.added == 1
    document = cf.document(TITLE, WIKI)
    assert document is not None and len(document.orphaned) == 5  # 1 old + 4 triaged claims


def test_upsert_adds_a_second_document_and_finds_titles_mediawiki_style() -> None:
    cf = sample_file()
    report = upsert_document(
        cf,
        title="Battle of Palmyra",
        wiki="https://en.wikipedia.org",
        snapshot=Snapshot(None, 1, None),
        claims=[],
    )
    assert report == MergeReport(0, 0, 0, 0, 0)
    assert [d.title for d in cf.documents] == [TITLE, "Battle of Palmyra"]
    assert cf.document("battle_of_Palmyra", "https://en.wikipedia.org/") is cf.documents[1]
    assert cf.document("Battle of palmyra", WIKI) is None


def test_upsert_refuses_bad_claims_without_touching_the_file() -> None:
    cf = sample_file()
    before = dump_claims_file(cf)
    bad = [Claim("c-1", "Lead", "paragraph", "Text.")]
    with pytest.raises(ValueError, match="unknown kind"):
        upsert_document(cf, title=TITLE, wiki=WIKI, snapshot=SNAPSHOT, claims=bad)
    assert dump_claims_file(cf) == before


def test_set_snapshot_revision_is_kept_by_a_reextract_of_the_same_copy() -> None:
    cf = sample_file()
    set_snapshot_revision(cf, TITLE, WIKI, 1191570000)
    assert "revision: 1191570000," in dump_claims_file(cf)
    upsert_document(cf, title=TITLE, wiki=WIKI, snapshot=SNAPSHOT, claims=sample_claims())
    document = cf.document(TITLE, WIKI)
    assert document is not None and document.snapshot.revision == 1191570000
    with pytest.raises(ClaimsFileError, match="no document 'Nowhere'"):
        set_snapshot_revision(cf, "Nowhere", WIKI, 1)


# --- strict, safe loading ------------------------------------------------------------------


@pytest.mark.parametrize("fixture", BAD, ids=[p.stem for p in BAD])
def test_bad_file_is_refused_with_path_and_line(fixture: Path) -> None:
    header = fixture.read_text(encoding="utf-8").splitlines()[0]
    line, message = re.fullmatch(r"# expect (\d+): (.+)", header).groups()  # type: ignore[union-attr]
    error = error_of(fixture)
    assert message in error.message
    assert error.path == str(fixture)
    assert error.line == (int(line) or None)


def test_newer_schema_version_has_an_upgrade_hint() -> None:
    error = error_of(CLAIMS / "bad" / "schema-newer.yaml")
    assert str(error).endswith(
        "schema-newer.yaml:2: claims.yaml schema_version 2 is newer than "
        "this audit supports (1); upgrade audit"
    )
    assert error.hint and "upgrade" in error.hint


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "claims.yaml"
    path.write_text(
        f"schema_version: 1\ndocuments: !!python/object/apply:os.system ['touch {marker}']\n",
        encoding="utf-8",
    )
    assert "tags are not allowed" in error_of(path).message
    assert not marker.exists()


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"", None, "claims file is empty"),
        (b"  \n\n", None, "claims file is empty"),
        (b"schema_version: 1\n\x00\x01\x02\x03", 2, "binary content"),
        (b"schema_version: 1\ndocuments: []\ntitle: Caf\xe9\n", 3, "not UTF-8 text"),
        (
            b"schema_version: 1\ndocuments: " + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
            2,
            f"nested more than {MAX_DEPTH} levels deep",
        ),
    ],
)
def test_unusable_bytes_are_refused(
    tmp_path: Path, data: bytes, line: int | None, message: str
) -> None:
    path = tmp_path / "claims.yaml"
    path.write_bytes(data)
    error = error_of(path)
    assert message in error.message and error.line == line and error.path == str(path)


def test_file_over_100_mb_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no 100 MB written to disk
    assert "over 100 MB are refused" in error_of(path).message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    error = error_of(tmp_path / "nope.yaml")
    assert error.message == "no such file" and error.path == str(tmp_path / "nope.yaml")


# --- atomic saves --------------------------------------------------------------------------


def test_failed_dump_leaves_existing_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "claims.yaml"
    save_claims_file(sample_file(), target)
    before = target.read_bytes()
    cf = load_claims_file(target)
    cf.tree["unrepresentable"] = object()  # ruamel cannot write this: the dump fails midway
    with pytest.raises(Exception, match="cannot represent"):
        save_claims_file(cf, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["claims.yaml"]  # no temp file left behind
