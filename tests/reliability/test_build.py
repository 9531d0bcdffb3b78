"""scripts/build_reliability.py on small real-shaped inputs (tests/reliability/fixtures/build)."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from audit.reliability import ReliabilityData, classify_url
from tests.reliability.conftest import FIXTURES

INPUTS = FIXTURES / "build"


@pytest.fixture
def data_dir(builder: ModuleType, tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    text = (INPUTS / "rsp-sample.jsonl").read_bytes()
    (folder / builder.RSP_FILE).write_bytes(gzip.compress(text, mtime=0))
    shutil.copy(INPUTS / "rsp-2021-sample.csv", folder / builder.RSP2021_FILE)
    shutil.copy(INPUTS / "citeunseen-sample.json", folder / builder.CITEUNSEEN_FILE)
    return folder


def build(builder: ModuleType, data_dir: Path, out: Path, *extra: str) -> int:
    args = ["--data", str(data_dir), "--out", str(out), "--rsp-date", "2026-04-18"]
    return int(builder.main([*args, "--citeunseen-date", "2025-06", *extra]))


@pytest.fixture
def built(builder: ModuleType, data_dir: Path, tmp_path: Path) -> dict:
    out = tmp_path / "reliability.json"
    assert build(builder, data_dir, out, "--build-date", "2026-01-02") == 0
    return json.loads(out.read_text(encoding="utf-8"))


def source(built: dict, domain: str, position: int = 0) -> dict:
    return built["sources"][built["domains"][domain][position]]


def test_version_and_counts(built: dict) -> None:
    assert built["data_version"] == "rsp-2026-04-18+citeunseen-2025-06"
    assert built["build"] == {"date": "2026-01-02", "builder": 1}
    assert built["stats"]["by_status"]["deprecated"] == 4  # Sputnik, Daily Mail, RT, ruptly.tv


def test_deprecation_dates(built: dict) -> None:
    def since(domain: str) -> list[tuple[str, str, str]]:
        events = source(built, domain).get("history", [])
        return [(e["status"], e["date"], e["basis"]) for e in events if e["kind"] == "since"]

    # "deprecated as in the 2017 RfC of the Daily Mail" is not Sputnik's own date
    assert since("sputniknews.com") == [("deprecated", "2020", "only RfC listed")]
    assert since("dailymail.co.uk") == [("deprecated", "2017", "RSP summary text")]
    assert since("breitbart.com") == [("deprecated", "2018", "RSP summary text")]
    assert since("city-data.com") == [("blacklisted", "2019-04", "{{sbll}} request date")]
    assert source(built, "breitbart.com")["status"] == "blacklisted"


def test_history_from_the_2021_snapshot(built: dict) -> None:
    fox = source(built, "foxnews.com")
    assert fox["scope"] == "news excluding politics and science"
    assert fox["history"] == [
        {
            "status": "generally-reliable",
            "date": "2021-03-17",
            "kind": "as-of",
            "basis": "RSP snapshot 2021-03-17",
        },
        {
            "status": "no-consensus",
            "date": "2023",
            "kind": "since",
            "basis": "only RfC since the 2021 snapshot",
        },
    ]
    talk = source(built, "foxnews.com", 1)
    assert talk["scope"] == "talk shows" and talk["history"][0]["status"] == "generally-unreliable"
    # last discussed in 2020, so the 2021 snapshot's different status is a misread: dropped
    assert "history" not in source(built, "sixthtone.com")
    assert built["stats"]["history"]["dropped_undiscussed_change"] == 1


def test_names_scopes_and_periods(built: dict) -> None:
    cnet = [built["sources"][i] for i in built["domains"]["cnet.com"]]
    assert [(s["name"], s["scope"], s["era"]) for s in cnet] == [
        ("CNET", "November 2022–present", ["2022-11-01", None]),
        ("CNET", "pre–October 2020", [None, "2020-10-01"]),
        ("CNET", "October 2020–October 2022", ["2020-10-01", "2022-11-01"]),
    ]
    assert source(built, "dailymail.co.uk")["name"] == "Daily Mail"
    assert source(built, "reuters.com")["shortcut"] == "WP:REUTERS"
    assert "pressreader.com/uk/daily-mail" in built["domains"]


def test_citeunseen_fills_rows_the_rsp_parse_lost(built: dict) -> None:
    rt = source(built, "rt.com")
    assert (rt["name"], rt["status"], rt["from"]) == ("RT", "deprecated", "citeunseen-2025-06")
    assert [e["date"] for e in rt["history"]] == ["2021-03-17", "2025-06"]
    assert "name" not in source(built, "ruptly.tv")
    assert source(built, "sputniknews.com")["from"] == "rsp-2026-04-18"  # RSP row kept


def test_categories(built: dict) -> None:
    categories = built["categories"]
    assert categories["blogspot.com"] == "self-published"  # hand list
    assert categories["npr.org/blogs"] == "self-published"  # Cite Unseen
    assert categories["imdb.com"] == "user-generated"  # editable, but not a wiki
    assert categories["fandom.com"] == "wiki"
    assert categories["examiner.com"] == "user-generated"
    assert categories["gov.uk/government/news"] == "press-release"
    # the hand list speaks for youtube.com and reddit.com: Cite Unseen's path rules go
    assert categories["youtube.com"] == "video" and "youtube.com/watch" not in categories
    assert "reddit.com/r" not in categories
    assert "apnews.com" not in categories  # Cite Unseen's `news` list is not a category


def test_output_is_usable_and_rebuilds_byte_identically(
    builder: ModuleType, data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reliability.json"
    assert build(builder, data_dir, out) == 0  # no --build-date: today's date
    first = out.read_bytes()
    assert build(builder, data_dir, out) == 0  # unchanged inputs: the file is kept as it was
    assert out.read_bytes() == first
    data = ReliabilityData.load(out)
    result = classify_url("https://radiosputnik.ria.ru/x", cited_on="2015", data=data)
    assert result is not None and result.note == "cited before deprecation (deprecated 2020)"


def test_unknown_snapshot_needs_its_date(
    builder: ModuleType, data_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(SystemExit, match="--rsp-date"):
        builder.main(["--data", str(data_dir), "--out", str(tmp_path / "x.json")])


@pytest.mark.parametrize(
    ("summary", "date"),
    [
        ("''Newsmax'' was deprecated by snowball consensus in the November 2020 RfC.", "2020-11"),
        ("It was deprecated following a 2023 RfC.", "2023"),
        ("The 2022 RfC found a consensus to deprecate Royal Central.", "2022"),
        ("the consensus of editors in the 2023 RfC was to deprecate Healthline", "2023"),
        ("Editors discussed it in 2019. There is no consensus.", None),
        ("It should be deprecated as in the [[WP:RSN#x|2017 RfC]] of the Daily Mail.", None),
    ],
)
def test_deprecation_sentences(builder: ModuleType, summary: str, date: str | None) -> None:
    assert builder.dated_in_summary(summary, "deprecat") == date
