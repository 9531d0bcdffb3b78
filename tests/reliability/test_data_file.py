"""The shipped data file: versioned, valid, small, and rebuilt byte for byte by its script."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from audit.reliability import CATEGORIES, RSP_STATUSES, STATUSES, ReliabilityData, default_data
from tests.conftest import shared_data
from tests.reliability.conftest import REPO

SHIPPED = REPO / "audit" / "data" / "reliability.json"


@pytest.fixture(scope="module")
def raw() -> dict:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def test_versioned_and_small(raw: dict) -> None:
    assert raw["schema_version"] == 1
    assert raw["data_version"] == default_data().version == "rsp-2026-04-18+citeunseen-2025-06"
    assert raw["build"]["date"] and raw["build"]["builder"] >= 1
    assert SHIPPED.stat().st_size < 300_000


def test_every_value_is_known(raw: dict) -> None:
    assert {s["status"] for s in raw["sources"]} <= set(RSP_STATUSES)
    assert set(raw["categories"].values()) <= set(CATEGORIES)
    for ids in raw["domains"].values():
        assert ids and all(0 <= i < len(raw["sources"]) for i in ids)
    for source in raw["sources"]:
        for event in source.get("history", []):
            assert event["status"] in STATUSES and event["kind"] in ("since", "as-of")


def test_counts_cover_the_well_known_sources(raw: dict) -> None:
    stats = raw["stats"]
    assert stats["by_status"]["deprecated"] >= 50 and stats["by_status"]["blacklisted"] >= 20
    assert stats["history"]["dated_changes"] >= 70


def test_unknown_schema_is_rejected(raw: dict) -> None:
    with pytest.raises(ValueError, match="schema_version 2"):
        ReliabilityData({**raw, "schema_version": 2})


@pytest.mark.shared_data
def test_rebuilt_byte_identically_from_shared_data(
    builder: ModuleType, raw: dict, tmp_path: Path
) -> None:
    folder = shared_data("source-reliability/" + builder.RSP_FILE).parent
    out = tmp_path / "reliability.json"
    code = builder.main(
        ["--data", str(folder), "--out", str(out), "--build-date", raw["build"]["date"]]
    )
    assert code == 0
    assert out.read_bytes() == SHIPPED.read_bytes(), (
        "audit/data/reliability.json is stale: rerun scripts/build_reliability.py "
        "(see audit/data/README.md)"
    )
