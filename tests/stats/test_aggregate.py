"""Every aggregate of `audit stats`, checked against numbers worked out by hand from the rows
in conftest.py (directory A: Alpha 40 claims, Beta 10, Gamma 50, Broken failed; directory B:
Delta 100 claims, Epsilon failed, and a flag of Zeta, an article missing from the table)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from audit.jobs import stats
from audit.stats.aggregate import ScanTables, aggregate, quantile
from tests.stats.conftest import HOSTILE, SCAN_A, W


@pytest.fixture
def combined(scans: tuple[Path, Path]):
    return stats(list(scans)).stats


def test_quantile_interpolates_between_order_statistics() -> None:
    # numpy's default: rank (n - 1) * q, linear between neighbours.
    assert quantile([1, 2, 3, 4], [1, 1, 1, 1], 0.5) == 2.5
    assert quantile([0, 10, 75, 100], [1, 1, 1, 1], 0.9) == pytest.approx(75 + 0.7 * 25)
    # counts repeat values: 0, 0, 0, 25
    assert quantile([0, 25], [3, 1], 0.9) == pytest.approx(17.5)
    assert quantile([5], [1], 0.9) == 5
    assert quantile([], [], 0.5) is None


def test_totals_combine_both_directories(combined) -> None:
    t = combined.totals
    assert t.directories == 2
    assert t.articles == 6                      # 4 in A, 2 in B
    assert t.articles_with_claims == 4          # Alpha, Beta, Gamma, Delta
    assert t.claims == 40 + 10 + 50 + 100
    assert t.flagged_claims == 3 + 1 + 2
    assert t.flags == 5 + 3
    assert t.flags_outside_articles == 1        # Zeta's
    assert t.claim_citations == 6 + 6
    assert t.citations_on_flagged == 3 + 3
    assert t.banners == 2 + 1 + 1
    assert t.articles_with_banners == 3
    assert t.errors == 2


def test_flags_per_1000_claims_by_type(combined) -> None:
    rows = {row.flag_type: row for row in combined.rates}
    assert [row.flag_type for row in combined.rates] == [
        "citation-needed", "dubious", "unreliable-source"]  # most flags first, ties by name
    cn = rows["citation-needed"]
    assert (cn.flags, cn.per_1000, cn.articles) == (6, 6 / 200 * 1000, 3)
    # per article: Alpha 3/40 → 75, Beta 1/10 → 100, Gamma 0, Delta 1/100 → 10 (Zeta: no article)
    # sorted 0, 10, 75, 100: median at rank 1.5, p90 at rank 2.7
    assert cn.median == pytest.approx(10 + 0.5 * (75 - 10))
    assert cn.p90 == pytest.approx(75 + 0.7 * (100 - 75))
    dubious = rows["dubious"]  # Alpha 1/40 → 25; 0, 0, 0, 25
    assert (dubious.flags, dubious.per_1000, dubious.articles) == (1, 5.0, 1)
    assert (dubious.median, dubious.p90) == (0.0, pytest.approx(0.7 * 25))
    unreliable = rows["unreliable-source"]  # Delta 1/100 → 10
    assert (unreliable.median, unreliable.p90) == (0.0, pytest.approx(7.0))
    everything = combined.all_types  # Alpha 4/40 → 100, Beta 100, Gamma 0, Delta 2/100 → 20
    assert (everything.flags, everything.per_1000, everything.articles) == (8, 40.0, 3)
    assert everything.median == pytest.approx(20 + 0.5 * (100 - 20))
    assert everything.p90 == pytest.approx(100.0)


def test_flag_ages(combined) -> None:
    ages = combined.ages
    # dated: 100, 365 (exactly one year: 1–2), 1000, 200 (citation needed); 2000; 3000; 2 undated
    assert ages.buckets == (("under 1 year", 2), ("1–2 years", 1), ("2–5 years", 1),
                            ("5+ years", 2), ("undated", 2))
    assert ages.median_days == (365 + 1000) / 2  # of 100 200 365 1000 2000 3000
    by_type = {row.flag_type: row for row in ages.by_type}
    assert by_type["citation-needed"].buckets == (2, 1, 1, 0, 2)
    assert by_type["citation-needed"].median_days == (200 + 365) / 2
    assert by_type["dubious"].buckets == (0, 0, 0, 1, 0)
    assert by_type["dubious"].median_days == 2000
    assert by_type["unreliable-source"].median_days == 3000


def test_resolution_outcomes_from_flag_history(combined) -> None:
    resolution = combined.resolution
    assert resolution.available and resolution.directories == 1 and resolution.total == 7
    outcomes = {row.outcome: (row.count, row.median_lifetime_days) for row in resolution.outcomes}
    assert [row.outcome for row in resolution.outcomes] == [
        "cited", "reworded", "deleted", "removed", "open"]
    assert outcomes == {"cited": (2, 20.0), "reworded": (1, 100.0), "deleted": (1, 5.5),
                        "removed": (1, 400.0), "open": (2, 1000.0)}  # a null lifetime is skipped
    assert resolution.resolved_median_days == 30.0  # of 5.5 10 30 100 400
    assert resolution.by_type == (("citation-needed", (2, 1, 0, 1, 1)),
                                  ("dubious", (0, 0, 1, 0, 0)),
                                  ("unreliable-source", (0, 0, 0, 0, 1)))


def test_resolution_absent_without_flag_history(scans: tuple[Path, Path]) -> None:
    resolution = stats([scans[1]]).stats.resolution
    assert not resolution.available
    assert (resolution.total, resolution.outcomes, resolution.by_type) == (0, (), ())


def test_sourcing_grades_share_of_claims(combined) -> None:
    grades = {g.grade: (g.claims, g.share) for g in combined.grades}
    assert grades == {
        "well-sourced": (20 + 4 + 30 + 60, 114 / 200),
        "mixed": (5 + 1 + 10 + 20, 36 / 200),
        "only-unreliable": (2 + 5, 7 / 200),
        "uncited": (8 + 3 + 10 + 10, 31 / 200),
        "unknown": (200 - 188, 12 / 200),  # cited but not rated: the rest
    }


def test_top_unreliable_domains(scans: tuple[Path, Path]) -> None:
    result = stats(list(scans), top=3).stats
    assert [(d.domain, d.statuses, d.citations, d.on_flagged) for d in result.domains] == [
        ("dailymail.co.uk", ("deprecated",), 3, 1),
        ("youtube.com", ("video",), 2, 2),
        (f"{HOSTILE}.example", ("blacklisted",), 1, 1),  # ties by name: "<" sorts first
    ]
    # reuters (reliable), example.org (unknown) and a domain-less citation are not counted
    assert (result.unreliable_domains, result.unreliable_citations,
            result.unreliable_on_flagged) == (5, 8, 5)
    assert dict(result.status_mix) == {
        "deprecated": 3, "generally-unreliable": 2, "unknown": 2, "video": 2,
        "blacklisted": 1, "generally-reliable": 1, "self-published": 1}


def test_banners_and_errors(combined) -> None:
    assert [(b.label, b.count) for b in combined.banners] == [
        ("more-citations-needed", 2), ("pov", 2)]
    assert [(e.wiki, e.title, e.error) for e in combined.errors] == [
        (W, "Broken", "no article text"), (W, "Epsilon", f"HTTP 404 {HOSTILE}")]


def test_one_directory_alone(scans: tuple[Path, Path]) -> None:
    alone = stats([scans[0]]).stats
    assert (alone.totals.articles, alone.totals.claims, alone.totals.flags) == (4, 100, 5)
    rows = {row.flag_type: row for row in alone.rates}
    assert rows["citation-needed"].per_1000 == 4 / 100 * 1000
    # Alpha 75, Beta 100, Gamma 0: median 75
    assert rows["citation-needed"].median == 75.0
    assert alone.totals.flags_outside_articles == 0


def test_batches_split_anywhere_give_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The streaming merge: one batch per row, its partial counts compacted after every batch,
    gives what one batch for all gives."""
    monkeypatch.setattr("audit.stats.tally._COMPACT_ROWS", 0)
    tables = {name: pa.Table.from_pylist(rows) for name, rows in SCAN_A.items()}

    def scan(batch_rows: int) -> ScanTables:
        return ScanTables(*(tables[n].to_batches(max_chunksize=batch_rows)
                            for n in ("flags", "articles", "citations", "flag_history")))

    assert aggregate([scan(1)]) == aggregate([scan(1000)])


def test_empty_tables(tmp_path: Path) -> None:
    from tests.stats.conftest import write_scan

    empty = stats([write_scan(tmp_path / "empty", {"articles": [], "flags": [],
                                                    "citations": []})]).stats
    assert empty.totals.articles == 0 and empty.rates == ()
    assert empty.all_types.per_1000 is None and empty.all_types.median is None
    assert [g.share for g in empty.grades] == [None] * 5
    assert empty.ages.median_days is None and empty.domains == ()


def test_articles_are_told_apart_by_wiki_and_found_by_title_without_revision(
        tmp_path: Path) -> None:
    from tests.stats.conftest import article, flag, write_scan

    de = "https://de.wikipedia.org"
    saved = {**flag("Saved page", 0, "citation-needed", 10), "revision_id": None}
    german = {**flag("Hund", 5, "citation-needed", 10), "wiki": de}
    tables = {
        "articles": [article("Saved page", None, 20, 1, 1, (0, 0, 0, 20)),
                     article("Dog", 5, 100, 0, 0, (0, 0, 0, 100)),      # same revision id…
                     article("Hund", 5, 50, 1, 1, (0, 0, 0, 50), wiki=de)],  # …other wiki
        "flags": [saved, german],
        "citations": [],
    }
    result = stats([write_scan(tmp_path / "scan", tables)]).stats
    assert result.totals.flags_outside_articles == 0
    # Saved page 1/20 → 50, Dog 0, Hund 1/50 → 20: sorted 0, 20, 50
    (cn,) = result.rates
    assert (cn.articles, cn.median, cn.p90) == (2, 20.0, pytest.approx(20 + 0.8 * 30))
