"""Throughput and memory of `audit history` over the real 15,180-revision Anarchism history.

Usage: python benchmarks/history.py [--data DIR] [--json OUT] [--sample N]

Three passes over `xml-dumps/pages-meta-history/wikiwho-enwiki-Anarchism-history-2001-2010.xml.lzma`
(1.9 MB LZMA-alone, 1,053 MB of XML):

1. **history** — what `audit history` does: stream (lzma + mwxml), read each revision's flags
   (`FlagReader`: per-text and per-paragraph memory, template-name prefilter), trace them
   (`trace_flags`). Timed; the process's peak RSS (`ru_maxrss`) is read right after it, so
   it is the peak of this pass (the later passes cannot raise it much: they hold one
   revision at a time).
2. **decompress only** — the same stream, `lzma.open` read in 1 MiB pieces and discarded:
   the floor no parser can go under.
3. **full read, sampled** — every N-th revision (`--sample`, default 100) read the naive way,
   `read_text_as` + `split_claims` on the whole text, to estimate what a history without the
   fast path would cost (extrapolated to all revisions).

A measurement: it prints numbers and never fails. Without the data it prints
`skipped: ../shared/data not found (…)` and exits 0.
"""

from __future__ import annotations

import argparse
import lzma
import resource
import sys
import time
from collections import Counter
from pathlib import Path

import corpus

from audit.history.dump import read_dump
from audit.history.revision_flags import FlagReader, read_claims, sightings_of
from audit.history.trace import FlagLife, HistoryStats, trace_flags

SCHEMA_VERSION = 1
DUMP = Path("xml-dumps/pages-meta-history/wikiwho-enwiki-Anarchism-history-2001-2010.xml.lzma")
RSS_TARGET_MB = 300
ENDINGS = ("cited", "reworded", "deleted", "removed")


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 2**20


def history_pass(path: Path) -> tuple[list[FlagLife], HistoryStats, FlagReader, float, int]:
    """Pass 1: the real thing. Returns the lives, stats, reader, seconds, text bytes."""
    reader = FlagReader()
    text_bytes = 0
    lives: list[FlagLife] = []
    stats = HistoryStats()

    def counted(revisions):  # type: ignore[no-untyped-def]
        nonlocal text_bytes
        for revision in revisions:
            text_bytes += len(revision.text or "")
            yield revision

    start = time.perf_counter()
    for page in read_dump(path):
        found, stats = trace_flags(counted(page.revisions), reader=reader)
        lives.extend(found)
    return lives, stats, reader, time.perf_counter() - start, text_bytes


def decompress_pass(path: Path) -> tuple[float, int]:
    """Pass 2: decompression alone; (seconds, XML bytes)."""
    start = time.perf_counter()
    size = 0
    with lzma.open(path, "rb") as stream:
        while piece := stream.read(1 << 20):
            size += len(piece)
    return time.perf_counter() - start, size


def sampled_full_reads(path: Path, every: int) -> tuple[int, float]:
    """Pass 3: every `every`-th revision read whole; (revisions read, seconds spent reading)."""
    spent = 0.0
    count = 0
    for page in read_dump(path):
        for index, revision in enumerate(page.revisions):
            if index % every or revision.text is None:
                continue
            start = time.perf_counter()
            sightings_of(read_claims(revision.text))
            spent += time.perf_counter() - start
            count += 1
    return count, spent


def main(argv: list[str] | None = None) -> int:
    """Run the three passes, print the tables, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    corpus.add_arguments(parser)
    parser.add_argument("--sample", type=int, default=100, metavar="N",
                        help="read every N-th revision whole in pass 3 (default: 100)")
    args = parser.parse_args(argv)
    path = args.data / DUMP
    if not path.exists():
        print(f"skipped: ../shared/data not found (looked for {path})")
        return 0

    lives, stats, reader, seconds, text_bytes = history_pass(path)
    rss = peak_rss_mb()
    unzip_seconds, xml_bytes = decompress_pass(path)
    sampled, sample_seconds = sampled_full_reads(path, args.sample)
    naive_seconds = sample_seconds / max(sampled, 1) * stats.revisions
    compressed_mb = path.stat().st_size / 1e6

    print(f"History of Anarchism: {stats.revisions:,} revisions, {xml_bytes / 1e6:,.0f} MB of XML "
          f"({compressed_mb:.1f} MB LZMA), {text_bytes / 1e6:,.0f} MB of wikitext\n")
    header = f"{'pass':<34} {'seconds':>8} {'revisions/s':>12} {'XML MB/s':>9}"
    print(header)
    print("-" * len(header))
    print(f"{'audit history (stream + trace)':<34} {seconds:>8.1f} "
          f"{stats.revisions / seconds:>12,.0f} {xml_bytes / 1e6 / seconds:>9.1f}")
    print(f"{'decompress only (lzma)':<34} {unzip_seconds:>8.1f} "
          f"{stats.revisions / unzip_seconds:>12,.0f} {xml_bytes / 1e6 / unzip_seconds:>9.1f}")
    print(f"{'full read of every revision (est.)':<34} {naive_seconds:>8.1f} "
          f"{stats.revisions / naive_seconds:>12,.0f} {xml_bytes / 1e6 / naive_seconds:>9.1f}"
          f"   ← {sampled} revisions read whole, {sample_seconds / max(sampled, 1) * 1000:.1f} ms "
          "each")
    verdict = "target met" if rss <= RSS_TARGET_MB else "below target"
    print(f"\nPeak RSS of the history pass: {rss:.0f} MB (target ≤ {RSS_TARGET_MB} MB: {verdict})")
    print(f"Fast path: {reader.texts_read:,} distinct texts of {stats.revisions:,} revisions "
          f"({stats.revisions - reader.texts_read:,} were identical to an earlier one); "
          f"{reader.paragraphs_read:,} flagged paragraphs parsed; {reader.full_reads:,} whole "
          "revisions parsed to judge how a flag ended")

    by_type = Counter(life.flag_type for life in lives)
    outcomes = Counter(life.outcome for life in lives)
    ended = sum(1 for life in lives if life.ended is not None)
    print(f"\nFlag events: {len(lives):,} additions, {ended:,} endings "
          f"({', '.join(f'{outcomes.get(name, 0)} {name}' for name in ENDINGS)}), "
          f"{outcomes.get('open', 0)} open at the end; {stats.reverts_undone:,} drops undone as "
          f"reverts; {stats.blank:,} blank and {stats.hidden:,} hidden revisions")
    print(f"{'flag type':<24} {'flags':>6} {'cited':>6} {'reworded':>9} {'deleted':>8} "
          f"{'removed':>8} {'open':>5}")
    for name, count in sorted(by_type.items(), key=lambda item: (-item[1], item[0])):
        per = Counter(life.outcome for life in lives if life.flag_type == name)
        print(f"{name:<24} {count:>6} {per['cited']:>6} {per['reworded']:>9} {per['deleted']:>8} "
              f"{per['removed']:>8} {per['open']:>5}")

    if args.json:
        corpus.write_json(args.json, {
            "schema_version": SCHEMA_VERSION,
            "dump": str(DUMP),
            "revisions": stats.revisions,
            "xml_bytes": xml_bytes,
            "text_bytes": text_bytes,
            "seconds": round(seconds, 3),
            "revisions_per_second": round(stats.revisions / seconds, 1),
            "xml_mb_per_second": round(xml_bytes / 1e6 / seconds, 2),
            "decompress_seconds": round(unzip_seconds, 3),
            "full_read_estimate_seconds": round(naive_seconds, 1),
            "peak_rss_mb": round(rss, 1),
            "texts_read": reader.texts_read,
            "paragraphs_read": reader.paragraphs_read,
            "full_reads": reader.full_reads,
            "flags": len(lives),
            "flags_by_type": dict(by_type),
            "outcomes": dict(outcomes),
            "reverts_undone": stats.reverts_undone,
        })
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
