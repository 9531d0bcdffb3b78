"""Aggregates over `audit scan` tables (issue point 4): how flagged, how old, how resolved,
how well sourced a set of articles is, which unreliable domains it leans on.

Each table arrives as a stream of record batches, and every batch is folded at once into
`audit.stats.tally.Tally` counts, so memory grows with the number of distinct keys (flag types, ages
in days, domains, flagged articles), not with the number of rows; medians and 90th percentiles
are exact, read off those counts. Reading the files is `audit/stats/inputs.py`'s job; this
module never opens one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from audit.reliability import UNRELIABLE
from audit.report.charts import AGE_BUCKETS, UNDATED  # one definition for report and stats
from audit.stats.tally import Tally, codes, histogram, ones, quantile, reduce_groups

DEFAULT_TOP = 20
ERRORS_LISTED = 100
"""Failed pages listed by name (all are counted)."""
AGE_LABELS = tuple(label for label, _ in AGE_BUCKETS) + (UNDATED,)
OUTCOMES = ("cited", "reworded", "deleted", "removed", "open")
"""`flag_history.outcome` values, resolved first, in the order they are shown."""
#: Sourcing grades shown as shares of claims, with the `articles` column that counts each.
GRADE_COLUMNS = (
    ("well-sourced", "well_sourced"),
    ("mixed", "mixed"),
    ("only-unreliable", "only_unreliable"),
    ("uncited", "uncited"),
)
UNKNOWN = "unknown"
_SUMMED = ("claims", "flagged_claims", "banners") + tuple(c for _, c in GRADE_COLUMNS)
_S, _I, _F = pa.string(), pa.int64(), pa.float64()
#: What identifies an article in both `flags` and `articles`: the wiki (as a small code), the
#: revision id, and the title only when there is no revision id. Mostly integers, so the
#: per-article state of millions of flags stays small.
ARTICLE = {"wiki_code": pa.int32(), "revision": _I, "bare_title": _S}


@dataclass(frozen=True)
class Totals:
    """Counts over every article read."""

    directories: int
    articles: int
    articles_with_claims: int
    """Articles with at least one claim: the population of the per-article distributions."""
    claims: int
    flagged_claims: int
    flags: int
    """Rows of the `flags` table (one per inline flag)."""
    flags_outside_articles: int
    """Flags whose article is missing from `articles` (or has no claims): in the overall rates,
    not in the per-article distribution."""
    claim_citations: int
    """Rows of the `citations` table (one per claim and citation)."""
    citations_on_flagged: int
    banners: int
    articles_with_banners: int
    errors: int


@dataclass(frozen=True)
class TypeRate:
    """Flags of one type per 1,000 claims, overall and over articles."""

    flag_type: str
    flags: int
    per_1000: float | None
    """Flags per 1,000 claims over all articles (None when there are no claims)."""
    articles: int
    """Articles with at least one flag of this type."""
    median: float | None
    """Median over articles with claims (articles without such a flag count as 0)."""
    p90: float | None


@dataclass(frozen=True)
class TypeAge:
    """How old the flags of one type are."""

    flag_type: str
    buckets: tuple[int, ...]
    """Counts in `AGE_LABELS` order (the last is undated)."""
    median_days: float | None
    """Median age of the dated flags, in days."""


@dataclass(frozen=True)
class Ages:
    """Flag ages: bucket counts overall and per type."""

    buckets: tuple[tuple[str, int], ...]
    median_days: float | None
    by_type: tuple[TypeAge, ...]


@dataclass(frozen=True)
class OutcomeRow:
    """How many flags ended one way, and how long they had been up."""

    outcome: str
    count: int
    median_lifetime_days: float | None


@dataclass(frozen=True)
class Resolution:
    """What became of flags, from `flag_history` (absent unless `audit history` ran)."""

    directories: int
    """Scan directories that had a flag_history table."""
    total: int
    outcomes: tuple[OutcomeRow, ...]
    resolved_median_days: float | None
    """Median lifetime of every flag that is no longer open."""
    by_type: tuple[tuple[str, tuple[int, ...]], ...]
    """Per flag type, counts in `outcomes` order."""

    @property
    def available(self) -> bool:
        """Whether any directory had a flag_history table."""
        return self.directories > 0


@dataclass(frozen=True)
class GradeShare:
    """Claims of one sourcing grade and their share of all claims."""

    grade: str
    claims: int
    share: float | None


@dataclass(frozen=True)
class DomainRow:
    """An unreliable domain: citations to it, and how many sit on flagged claims."""

    domain: str
    statuses: tuple[str, ...]
    """Its reliability status(es), most cited first."""
    citations: int
    on_flagged: int


@dataclass(frozen=True)
class CountRow:
    """A label and a count: a banner type and the articles that carry it."""

    label: str
    count: int


@dataclass(frozen=True)
class ErrorRow:
    """A page the scan could not read."""

    wiki: str
    title: str
    error: str


@dataclass(frozen=True)
class Stats:
    """Everything `audit stats` reports."""

    totals: Totals
    rates: tuple[TypeRate, ...]
    """Per flag type, most flags first."""
    all_types: TypeRate
    ages: Ages
    resolution: Resolution
    grades: tuple[GradeShare, ...]
    status_mix: tuple[tuple[str, int], ...]
    """Claim-citations per reliability status, most first."""
    domains: tuple[DomainRow, ...]
    """The `top` unreliable domains by citations."""
    unreliable_domains: int
    unreliable_citations: int
    unreliable_on_flagged: int
    banners: tuple[CountRow, ...]
    errors: tuple[ErrorRow, ...]
    """The first `ERRORS_LISTED` failed pages by wiki and title."""
    top: int


@dataclass(frozen=True)
class ScanTables:
    """One scan directory's tables as record-batch streams, consumed once in field order."""

    flags: Iterable[pa.RecordBatch]
    articles: Iterable[pa.RecordBatch]
    citations: Iterable[pa.RecordBatch]
    history: Iterable[pa.RecordBatch] | None = None


def _label(column: pa.Array | pa.ChunkedArray, default: str = UNKNOWN) -> pa.Array:
    """A text column with null and empty values replaced by `default`."""
    filled = pc.fill_null(column, "")
    return pc.if_else(pc.equal(filled, ""), default, filled)


def article_keys(batch: pa.RecordBatch, wikis: dict[str, int]) -> dict[str, pa.Array]:
    """The `ARTICLE` columns of a flags or articles batch."""
    revision = batch.column("revision_id")
    # NOTE: joins never match null keys, hence -1 and "" for "none".
    title = pc.if_else(pc.is_valid(revision), "", pc.fill_null(batch.column("title"), ""))
    return {"wiki_code": codes(batch.column("wiki"), wikis),
            "revision": pc.fill_null(revision, -1), "bare_title": title}


def _sum(column: pa.Array | pa.ChunkedArray) -> int:
    return int(pc.sum(column).as_py() or 0)


@dataclass
class _Running:
    """State of one `aggregate` run (private: callers only ever see the frozen `Stats`)."""

    directories: int = 0
    history_directories: int = 0
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_SUMMED, 0))
    articles: int = 0
    articles_with_claims: int = 0
    articles_with_banners: int = 0
    flags: int = 0
    matched_flags: int = 0
    errors: int = 0
    error_rows: list[ErrorRow] = field(default_factory=list)
    wikis: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    ages: Tally = field(default_factory=lambda: Tally({"flag_type": _S, "age": _I}))
    rates: Tally = field(default_factory=lambda: Tally({"flag_type": _S, "rate": _F}))
    all_rates: Tally = field(default_factory=lambda: Tally({"rate": _F}))
    banner_types: Tally = field(default_factory=lambda: Tally({"banner_type": _S}))
    statuses: Tally = field(default_factory=lambda: Tally({"status": _S}, ["n", "flagged"]))
    domains: Tally = field(
        default_factory=lambda: Tally({"domain": _S, "status": _S}, ["n", "flagged"]))
    outcomes: Tally = field(default_factory=lambda: Tally({"flag_type": _S, "outcome": _S}))
    lifetimes: Tally = field(default_factory=lambda: Tally({"outcome": _S, "lifetime": _F}))


def _add_flags(run: _Running, batch: pa.RecordBatch, per_article: Tally) -> None:
    types = _label(batch.column("flag_type"))
    counted = ones(batch.num_rows)
    run.flags += batch.num_rows
    run.ages.add(pa.table({"flag_type": types, "age": batch.column("flag_age_days"), "n": counted}))
    per_article.add(pa.table({**article_keys(batch, run.wikis),
                              "type_code": codes(types, run.types), "n": counted}))


def _rates(joined: pa.Table) -> dict[str, pa.Array]:
    """Flags per 1,000 claims of each joined row, counted once each."""
    rate = pc.divide(pc.multiply(pc.cast(joined["n"], _F), 1000.0), pc.cast(joined["claims"], _F))
    return {"rate": rate, "n": ones(joined.num_rows)}


def _add_articles(run: _Running, batch: pa.RecordBatch, by_type: pa.Table,
                  by_article: pa.Table) -> None:
    run.articles += batch.num_rows
    for name in _SUMMED:
        run.sums[name] += _sum(batch.column(name))
    claims = pc.fill_null(batch.column("claims"), 0)
    with_claims = pc.greater(claims, 0)
    run.articles_with_claims += _sum(with_claims)
    run.articles_with_banners += _sum(pc.greater(pc.fill_null(batch.column("banners"), 0), 0))
    population = pa.table({**article_keys(batch, run.wikis), "claims": claims}).filter(
        with_claims)
    if by_type.num_rows:
        # The big per-article table probes the batch's small one (the build side).
        joined = by_type.join(population, list(ARTICLE), join_type="inner")
        run.matched_flags += _sum(joined["n"])
        names = pa.array(list(run.types), _S).take(joined["type_code"])
        run.rates.add(pa.table({"flag_type": names, **_rates(joined)}))
        run.all_rates.add(pa.table(_rates(by_article.join(population, list(ARTICLE),
                                                          join_type="inner"))))
    banner_types = pc.utf8_trim_whitespace(pc.list_flatten(pc.split_pattern(
        pc.fill_null(batch.column("banner_types"), ""), ";")))
    banner_types = banner_types.filter(pc.not_equal(banner_types, ""))
    run.banner_types.add(pa.table({"banner_type": banner_types, "n": ones(len(banner_types))}))
    failed = pc.not_equal(pc.fill_null(batch.column("error"), ""), "")
    run.errors += _sum(failed)
    if _sum(failed):
        rows = batch.filter(failed).select(["wiki", "title", "error"]).to_pylist()
        run.error_rows.extend(ErrorRow(r["wiki"] or "", r["title"] or "", r["error"]) for r in rows)
        run.error_rows.sort(key=lambda row: (row.wiki, row.title, row.error))
        del run.error_rows[ERRORS_LISTED:]


def _add_citations(run: _Running, batch: pa.RecordBatch) -> None:
    status = _label(batch.column("reliability_status"))
    flagged = pc.cast(pc.fill_null(batch.column("claim_flagged"), False), pa.int64())
    run.statuses.add(pa.table({"status": status, "n": ones(batch.num_rows), "flagged": flagged}))
    domain = pc.fill_null(batch.column("domain"), "")
    weak = pc.and_(pc.is_in(status, value_set=pa.array(sorted(UNRELIABLE))),
                   pc.not_equal(domain, ""))
    table = pa.table({"domain": domain, "status": status, "n": ones(batch.num_rows),
                      "flagged": flagged})
    run.domains.add(table.filter(weak))


def _add_history(run: _Running, batch: pa.RecordBatch) -> None:
    outcome = _label(batch.column("outcome"))
    counted = ones(batch.num_rows)
    run.outcomes.add(pa.table({"flag_type": _label(batch.column("flag_type")),
                               "outcome": outcome, "n": counted}))
    run.lifetimes.add(pa.table({"outcome": outcome, "lifetime": batch.column("lifetime_days"),
                                "n": counted}))


def aggregate(scans: Iterable[ScanTables], *, top: int = DEFAULT_TOP) -> Stats:
    """The aggregates over one or more scan directories, combined as one set of articles."""
    run = _Running()
    for scan in scans:
        run.directories += 1
        per_article = Tally({**ARTICLE, "type_code": pa.int32()})
        for batch in scan.flags:
            _add_flags(run, batch, per_article)
        by_type = per_article.table()
        by_article = reduce_groups(by_type.select([*ARTICLE, "n"]), list(ARTICLE), ["n"])
        for batch in scan.articles:
            _add_articles(run, batch, by_type, by_article)
        for batch in scan.citations:
            _add_citations(run, batch)
        if scan.history is not None:
            run.history_directories += 1
            for batch in scan.history:
                _add_history(run, batch)
    return _finish(run, top)


def _type_rate(flag_type: str, flags: int, claims: int, population: int,
               values: list[float], counts: list[int]) -> TypeRate:
    # Articles with claims but no flag of this type are zeros of the distribution.
    zeros = population - sum(counts)
    values, counts = [0.0, *values], [zeros, *counts]
    return TypeRate(
        flag_type=flag_type,
        flags=flags,
        per_1000=flags * 1000 / claims if claims else None,
        articles=sum(counts[1:]),
        median=quantile(values, counts, 0.5),
        p90=quantile(values, counts, 0.9),
    )


def _bucket(days: int) -> int:
    years = days / 365  # as the report's age chart counts them
    return next(i for i, (_, bound) in enumerate(AGE_BUCKETS) if bound is None or years < bound)


def _median_of(table: pa.Table, value: str) -> float | None:
    """Median of a tally's value column, its rows merged over the other keys first."""
    merged = reduce_groups(table.select([value, "n"]), [value], ["n"])
    return quantile(*histogram(merged, value), 0.5)


def _ages(ages: pa.Table, order: Sequence[str]) -> Ages:
    buckets: dict[str, list[int]] = {t: [0] * len(AGE_LABELS) for t in order}
    for row in ages.to_pylist():
        index = len(AGE_BUCKETS) if row["age"] is None else _bucket(row["age"])
        buckets[row["flag_type"]][index] += row["n"]
    overall = [sum(counts[i] for counts in buckets.values()) for i in range(len(AGE_LABELS))]
    return Ages(
        buckets=tuple(zip(AGE_LABELS, overall)),
        median_days=_median_of(ages, "age"),
        by_type=tuple(
            TypeAge(t, tuple(buckets[t]), _median_of(ages.filter(pc.equal(ages["flag_type"], t)),
                                                     "age"))
            for t in order
        ),
    )


def _resolution(run: _Running) -> Resolution:
    outcomes = run.outcomes.table()
    counts = reduce_groups(outcomes.select(["outcome", "n"]), ["outcome"], ["n"])
    count = dict(zip(counts["outcome"].to_pylist(), counts["n"].to_pylist()))
    # Every known outcome is shown when there is history (a 0 says something); odd values after.
    order = [*(OUTCOMES if run.history_directories else ()),
             *sorted(o for o in count if o not in OUTCOMES)]
    lifetimes = run.lifetimes.table()
    per_type: dict[str, dict[str, int]] = {}
    for row in outcomes.to_pylist():
        per_type.setdefault(row["flag_type"], {})[row["outcome"]] = row["n"]
    return Resolution(
        directories=run.history_directories,
        total=sum(count.values()),
        outcomes=tuple(
            OutcomeRow(o, count.get(o, 0),
                       _median_of(lifetimes.filter(pc.equal(lifetimes["outcome"], o)), "lifetime"))
            for o in order
        ),
        resolved_median_days=_median_of(
            lifetimes.filter(pc.not_equal(lifetimes["outcome"], "open")), "lifetime"),
        by_type=tuple(
            (t, tuple(per_type[t].get(o, 0) for o in order))
            for t in sorted(per_type, key=lambda t: (-sum(per_type[t].values()), t))
        ),
    )


def _domains(run: _Running, top: int) -> tuple[tuple[DomainRow, ...], int, int, int]:
    table = run.domains.table()
    rows: dict[str, list[tuple[int, int, str]]] = {}
    for row in table.to_pylist():
        rows.setdefault(row["domain"], []).append((row["n"], row["flagged"], row["status"]))
    ranked = sorted(
        (
            DomainRow(domain, tuple(s for _, _, s in sorted(parts, key=lambda p: (-p[0], p[2]))),
                      sum(p[0] for p in parts), sum(p[1] for p in parts))
            for domain, parts in rows.items()
        ),
        key=lambda d: (-d.citations, d.domain),
    )
    return (tuple(ranked[:top]), len(ranked), sum(d.citations for d in ranked),
            sum(d.on_flagged for d in ranked))


def _ranked(table: pa.Table, key: str) -> list[tuple[str, int]]:
    pairs = zip(table[key].to_pylist(), table["n"].to_pylist())
    return sorted(pairs, key=lambda item: (-item[1], item[0]))


def _finish(run: _Running, top: int) -> Stats:
    claims = run.sums["claims"]
    ages = run.ages.table()
    type_counts = _ranked(reduce_groups(ages.select(["flag_type", "n"]), ["flag_type"], ["n"]),
                          "flag_type")
    rates = run.rates.table()
    rate_rows = []
    for flag_type, flags in type_counts:
        mine = rates.filter(pc.equal(rates["flag_type"], flag_type))
        rate_rows.append(_type_rate(flag_type, flags, claims, run.articles_with_claims,
                                    *histogram(mine, "rate")))
    statuses = run.statuses.table()
    domains, domain_count, weak_citations, weak_on_flagged = _domains(run, top)
    graded = [GradeShare(grade, run.sums[column], run.sums[column] / claims if claims else None)
              for grade, column in GRADE_COLUMNS]
    rest = claims - sum(g.claims for g in graded)
    # The rest are graded `unknown`: cited, but no source could be rated.
    graded.append(GradeShare(UNKNOWN, rest, rest / claims if claims else None))
    return Stats(
        totals=Totals(
            directories=run.directories,
            articles=run.articles,
            articles_with_claims=run.articles_with_claims,
            claims=claims,
            flagged_claims=run.sums["flagged_claims"],
            flags=run.flags,
            flags_outside_articles=max(0, run.flags - run.matched_flags),
            claim_citations=_sum(statuses["n"]) if statuses.num_rows else 0,
            citations_on_flagged=_sum(statuses["flagged"]) if statuses.num_rows else 0,
            banners=run.sums["banners"],
            articles_with_banners=run.articles_with_banners,
            errors=run.errors,
        ),
        rates=tuple(rate_rows),
        all_types=_type_rate("all types", run.flags, claims, run.articles_with_claims,
                             *histogram(run.all_rates.table(), "rate")),
        ages=_ages(ages, [t for t, _ in type_counts]),
        resolution=_resolution(run),
        grades=tuple(graded),
        status_mix=tuple(_ranked(statuses, "status")) if statuses.num_rows else (),
        domains=domains,
        unreliable_domains=domain_count,
        unreliable_citations=weak_citations,
        unreliable_on_flagged=weak_on_flagged,
        banners=tuple(CountRow(label, n) for label, n in _ranked(run.banner_types.table(),
                                                                 "banner_type")),
        errors=tuple(run.error_rows),
        top=top,
    )
