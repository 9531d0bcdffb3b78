"""Accuracy of inline-flag and citation detection, per flag type and per input format.

Usage: python benchmarks/flags.py [--data DIR] [--json OUT] [--worst N]

Every real page is read with our reader for its format (`read_text_as` + `split_claims`),
and the flags on its claims are compared with the page's ground truth (benchmarks/truth.py):
per page and type, TP = min(found, truth), FP = found - TP, FN = truth - TP, then summed.
The target (the issue's) is precision and recall >= 0.99 for every flag type, in every format.
This is a measurement: it never fails; it prints "target met" or "below target" per cell.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import corpus
import truth as truth_module
from corpus import FORMATS, Page
from truth import Truth

from audit.claims import split_claims
from audit.errors import AuditError
from audit.readers import read_text_as

SCHEMA_VERSION = 1
TARGET = 0.99
COLUMN_TITLES = {
    "wikitext": "wikitext",
    "parsoid": "Parsoid HTML",
    "html": "legacy HTML",
    "text": "plain-text copy",
}
#: What each format's ground truth is, shown under the column titles.
TRUTH_LABELS = {
    "wikitext": ("truth: wikitext", "templates"),
    "parsoid": ("truth: data-mw", "templates"),
    "html": ("reference: rendered", "labels (no wikitext)"),
    "text": ("truth: that of its", "HTML source"),
}


@dataclass
class PageResult:
    """One page read by our reader, next to its truth."""

    page: Page
    truth: Truth
    found: Counter[str] = field(default_factory=Counter)
    """Inline flags on the page's claims, by type."""
    banners_found: Counter[str] = field(default_factory=Counter)
    citations_found: int = 0
    """Reference markers the reader anchored in the document's blocks."""
    citations_by_kind: Counter[str] = field(default_factory=Counter)
    """The same, by block kind (paragraph, infobox, list-item, table-row, caption, quote)."""
    citations_on_claims: int = 0
    """Citations on claims (a claim lists a citation once, however often it is cited there)."""
    error: str | None = None

    @property
    def banner_truth_known(self) -> bool:
        """Legacy pages have no template record, so their banners have no reference."""
        return self.page.truth != "rendered-labels"


@dataclass
class Score:
    """Summed counts of one (type, format) cell, with precision and recall."""

    truth: int = 0
    found: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def met(self) -> bool:
        """Precision and recall >= TARGET (a side with nothing to count is met)."""
        return all(value is None or value >= TARGET for value in (self.precision, self.recall))

    def add(self, truth: int, found: int) -> None:
        """Add one page's counts: TP = min(found, truth)."""
        hits = min(truth, found)
        self.truth += truth
        self.found += found
        self.tp += hits
        self.fp += found - hits
        self.fn += truth - hits

    def as_dict(self) -> dict[str, object]:
        return {
            "truth": self.truth,
            "found": self.found,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "target_met": self.met,
        }


# --- measuring -------------------------------------------------------------------------------


def page_truth(page: Page, cache: dict[tuple[str, str, str], Truth]) -> Truth:
    """Ground truth of a page (cached: a text copy shares the truth of its HTML page)."""
    key = (page.corpus, page.title, page.truth)
    if key not in cache:
        if page.truth in ("wikitext", "twin-wikitext"):
            cache[key] = truth_module.wikitext_truth(page.truth_content)
        else:
            parsoid = page.truth == "data-mw"
            cache[key] = truth_module.html_truth(page.truth_content, parsoid=parsoid)
    return cache[key]


def measure(page: Page, truth: Truth) -> PageResult:
    """Our reader's flags, banners and citations on one page."""
    result = PageResult(page, truth)
    try:
        document = read_text_as(page.content, format=page.format, title=page.title)
        claims = split_claims(document)
    except AuditError as exc:
        result.error = str(exc)
        return result
    for claim in claims:
        result.found.update(flag.type for flag in claim.flags)
        result.citations_on_claims += len(claim.citations)
    for block in document.blocks:
        result.citations_found += len(block.refs)
        result.citations_by_kind[block.kind] += len(block.refs)
    for banner in getattr(document, "banners", ()):
        result.banners_found[banner.type] += 1
    return result


def score(
    results: list[PageResult], pick: Callable[[PageResult], tuple[Counter[str], Counter[str]]]
) -> dict[str, Score]:
    """Per-type scores over pages (`pick` gives truth and found counts), `*` = all types."""
    scores: dict[str, Score] = defaultdict(Score)
    for result in results:
        expected, found = pick(result)
        for type_id in set(expected) | set(found):
            scores[type_id].add(expected[type_id], found[type_id])
            scores["*"].add(expected[type_id], found[type_id])
    return scores


def flag_counts(result: PageResult) -> tuple[Counter[str], Counter[str]]:
    return result.truth.by_type(), result.found


def banner_counts(result: PageResult) -> tuple[Counter[str], Counter[str]]:
    return result.truth.banners, result.banners_found


def citation_score(results: list[PageResult]) -> Score:
    """Reference markers found vs truth, matched per page."""
    total = Score()
    for result in results:
        total.add(result.truth.citations, result.citations_found)
    return total


# --- printing --------------------------------------------------------------------------------

CELL = 26
TYPE_COLUMN = 31


def _ratio(value: float | None, digits: int = 2) -> str:
    """A ratio rounded DOWN, so that "0.99" always means the 0.99 target is met."""
    if value is None:
        return "-"
    scale = 10**digits
    return f"{math.floor(value * scale + 1e-9) / scale:.{digits}f}"


def _verdict(cell: Score) -> str:
    return "target met" if cell.met else "below target"


def _cell(cell: Score | None) -> str:
    if cell is None or (cell.truth == 0 and cell.found == 0):
        return "·".center(CELL)
    ratios = f"{_ratio(cell.precision)}/{_ratio(cell.recall)}"
    return f"{cell.truth:>4} {ratios} {_verdict(cell)}".ljust(CELL)


def print_matrix(title: str, scores: dict[str, dict[str, Score]], formats: list[str]) -> None:
    """Rows = types present in the truth (then types only found), columns = formats."""
    in_truth = sorted(
        {t for by_type in scores.values() for t, s in by_type.items() if s.truth and t != "*"},
        key=lambda t: (-sum(scores[f][t].truth for f in formats if t in scores[f]), t),
    )
    found_only = sorted(
        {t for by_type in scores.values() for t, s in by_type.items() if s.found and t != "*"}
        - set(in_truth)
    )
    rule = "-" * (TYPE_COLUMN + (CELL + 1) * len(formats))
    print(f"{title} — cell: truth count, precision/recall, verdict (target: both ≥ {TARGET})")
    print("".ljust(TYPE_COLUMN) + "".join(COLUMN_TITLES[f].ljust(CELL + 1) for f in formats))
    for line in (0, 1):
        labels = (TRUTH_LABELS[f][line].ljust(CELL + 1) for f in formats)
        print("".ljust(TYPE_COLUMN) + "".join(labels))
    print(rule)
    for type_id in in_truth + found_only:
        label = type_id if type_id in in_truth else f"{type_id}*"
        cells = [_cell(scores[f].get(type_id)) for f in formats]
        print(label[: TYPE_COLUMN - 1].ljust(TYPE_COLUMN) + " ".join(cells))
    print(rule)
    print("all types".ljust(TYPE_COLUMN) + " ".join(_cell(scores[f].get("*")) for f in formats))
    if found_only:
        print("* found by a reader, but in no page's truth (every one is a false positive)")
    print("ratios are rounded down: 0.99 means at least 0.99")


def _total_line(fmt: str, pages: int, errors: str, cell: Score) -> str:
    return (
        f"{fmt:<9} {pages:>5} {errors:>7} {cell.truth:>7} {cell.found:>6} {cell.tp:>6}"
        f" {cell.fp:>5} {cell.fn:>5} {_ratio(cell.precision, 3):>10} {_ratio(cell.recall, 3):>7}"
        f"  {_verdict(cell)}"
    )


def print_totals(
    results: dict[str, list[PageResult]], scores: dict[str, dict[str, Score]], formats: list[str]
) -> None:
    """Per format: inline-flag totals, then citation markers."""
    header = "format    pages  errors   truth  found     TP    FP    FN  precision  recall  verdict"
    print("\nTotals, inline flags")
    print(header)
    for fmt in formats:
        errors = str(sum(1 for result in results[fmt] if result.error))
        print(_total_line(fmt, len(results[fmt]), errors, scores[fmt].get("*") or Score()))
    print("\nCitations: reference markers per page (wikitext: <ref> without group= and the")
    print("{{sfn}} family; HTML: sup.mw-ref / sup.reference that are not notes; found = the")
    print("references the reader anchored in the document's blocks)")
    print(header)
    for fmt in formats:
        print(_total_line(fmt, len(results[fmt]), "", citation_score(results[fmt])))


def _places(counts: Counter[str]) -> str:
    return ", ".join(f"{count} {place}" for place, count in (+counts).most_common(5)) or "none"


def _where(result: PageResult, type_id: str) -> str:
    return _places(Counter(where for t, where in result.truth.flags if t == type_id))


def _errors(expected: Counter[str], found: Counter[str]) -> tuple[Counter[str], Counter[str]]:
    """(FP, FN) per type."""
    return +(found - expected), +(expected - found)


def print_worst(results: dict[str, list[PageResult]], formats: list[str], limit: int) -> None:
    """Pages with the most misses and false alarms, with where the missed flags sit."""
    print(f"\nWorst pages, inline flags (largest FN + FP, up to {limit} per format). 'truth at' =")
    print("where that type's flags sit on the page: body text, a <ref>, a note, inside a wikitext")
    print("<table>/<poem>, or nested in another template's parameter ('in {{Sfnp}}').")
    for fmt in formats:
        ranked = []
        for result in results[fmt]:
            fp, fn = _errors(*flag_counts(result))
            if result.error or fp or fn:
                ranked.append((sum(fn.values()) + sum(fp.values()), result, fp, fn))
        ranked.sort(key=lambda row: (-row[0], row[1].page.title))
        print(f"\n[{fmt}] {len(ranked)} of {len(results[fmt])} pages with errors")
        for _, result, fp, fn in ranked[:limit]:
            page = result.page
            print(
                f"  {page.title} ({page.corpus}): truth {len(result.truth.flags)}, "
                f"found {sum(result.found.values())}"
            )
            if result.error:
                print(f"      ERROR {result.error}")
            for type_id, count in sorted(fn.items()):
                print(f"      FN {type_id} ×{count} (truth at: {_where(result, type_id)})")
            for type_id, count in sorted(fp.items()):
                print(f"      FP {type_id} ×{count}")


def print_worst_citations(
    results: dict[str, list[PageResult]], formats: list[str], limit: int
) -> None:
    """Pages whose citation count is furthest from the truth."""
    print(f"\nWorst pages, citations (largest gap, up to {limit} per format; truth by place,")
    print("found by block kind; 'on claims' = after split_claims, one per source per claim)")
    for fmt in formats:
        ranked = sorted(
            (r for r in results[fmt] if r.truth.citations != r.citations_found),
            key=lambda r: (-abs(r.truth.citations - r.citations_found), r.page.title),
        )
        print(f"\n[{fmt}] {len(ranked)} of {len(results[fmt])} pages differ")
        for result in ranked[:limit]:
            gap = result.citations_found - result.truth.citations
            print(
                f"  {result.page.title} ({result.page.corpus}): {result.truth.citations} truth, "
                f"{result.citations_found} found ({gap:+d}; {result.citations_on_claims} on claims)"
            )
            print(f"      truth at: {_places(result.truth.citation_places)}")
            print(f"      found on: {_places(result.citations_by_kind)}")


def print_banners(results: dict[str, list[PageResult]], formats: list[str], limit: int) -> None:
    """Banners, scored like flags, on the pages whose source records templates."""
    known = {fmt: [r for r in results[fmt] if r.banner_truth_known] for fmt in formats}
    shown = [fmt for fmt in formats if known[fmt]]
    scores = {fmt: score(known[fmt], banner_counts) for fmt in shown}
    print()
    print_matrix("Banners (not inline; legacy-HTML pages left out: no reference)", scores, shown)
    for fmt in shown:
        wrong = [(r, *_errors(*banner_counts(r))) for r in known[fmt]]
        wrong = [row for row in wrong if row[1] or row[2]]
        if wrong:
            print(f"  [{fmt}] pages with banner errors: {len(wrong)}")
        for result, fp, fn in wrong[:limit]:
            misses = ", ".join(f"FN {t} ×{n}" for t, n in sorted(fn.items()))
            extras = ", ".join(f"FP {t} ×{n}" for t, n in sorted(fp.items()))
            print(f"      {result.page.title}: {'; '.join(filter(None, [misses, extras]))}")


def payload(
    results: dict[str, list[PageResult]], scores: dict[str, dict[str, Score]], seconds: float
) -> dict[str, object]:
    """Everything printed, for machines (`--json`)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "benchmark": "flags",
        "target": TARGET,
        "seconds": round(seconds, 2),
        "formats": {
            fmt: {
                "pages": len(results[fmt]),
                "truth_source": " ".join(TRUTH_LABELS[fmt]),
                "flags": {t: s.as_dict() for t, s in sorted(scores[fmt].items())},
                "citations": citation_score(results[fmt]).as_dict(),
                "banners": {
                    t: s.as_dict()
                    for t, s in sorted(
                        score(
                            [r for r in results[fmt] if r.banner_truth_known], banner_counts
                        ).items()
                    )
                },
                "pages_detail": [
                    {
                        "title": r.page.title,
                        "corpus": r.page.corpus,
                        "truth": dict(r.truth.by_type()),
                        "truth_where": [list(item) for item in r.truth.flags],
                        "found": dict(r.found),
                        "citations_truth": r.truth.citations,
                        "citations_truth_where": dict(r.truth.citation_places),
                        "citations_found": r.citations_found,
                        "citations_found_by_block_kind": dict(+r.citations_by_kind),
                        "citations_on_claims": r.citations_on_claims,
                        "banners_truth": dict(r.truth.banners) if r.banner_truth_known else None,
                        "banners_found": dict(r.banners_found),
                        "error": r.error,
                    }
                    for r in results[fmt]
                ],
            }
            for fmt in results
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    corpus.add_arguments(parser)
    parser.add_argument("--worst", type=int, default=8, help="worst pages shown per format")
    args = parser.parse_args(argv)
    corpus.require_data(args.data)
    started = time.perf_counter()
    pages = corpus.load_pages(args.data)
    cache: dict[tuple[str, str, str], Truth] = {}
    results: dict[str, list[PageResult]] = {}
    for fmt in FORMATS:
        results[fmt] = [measure(page, page_truth(page, cache)) for page in pages[fmt]]
    formats = [fmt for fmt in FORMATS if results[fmt]]
    summary = ", ".join(f"{len(results[fmt])} {COLUMN_TITLES[fmt]}" for fmt in formats)
    print(f"Pages: {summary}\n")
    scores = {fmt: score(results[fmt], flag_counts) for fmt in formats}
    print_matrix("Inline flags", scores, formats)
    print_totals(results, scores, formats)
    print_worst(results, formats, args.worst)
    print_worst_citations(results, formats, max(args.worst // 2, 1))
    print_banners(results, formats, args.worst)
    seconds = time.perf_counter() - started
    print(f"\n{sum(len(r) for r in results.values())} page reads in {seconds:.0f} s")
    if args.json:
        corpus.write_json(args.json, payload(results, scores, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
