"""Grouped counts over a stream of record batches, and exact quantiles read off them.

`audit stats` folds tables of millions of rows batch by batch: each batch is reduced at once
to one row per distinct key (pyarrow `group_by`), and the partial results are merged now and
then, so memory grows with the number of distinct keys, not with the number of rows. A
quantile is then computed from (value, count) pairs, with linear interpolation between order
statistics (numpy's default), so a test can work it out by hand.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_COMPACT_ROWS = 250_000
"""Partial rows held before they are merged (at least; see `Tally.add`)."""


def quantile(values: Sequence[float], counts: Sequence[int], q: float) -> float | None:
    """The q-quantile of a histogram (values ascending): linear interpolation between order
    statistics at rank (n - 1) * q, as numpy's default; None when it is empty."""
    cumulative = np.cumsum(counts).tolist() if len(counts) else []
    total = cumulative[-1] if cumulative else 0
    if total == 0:
        return None
    rank = (total - 1) * q
    low = math.floor(rank)

    def at(position: int) -> float:
        return float(values[bisect.bisect_right(cumulative, position)])

    below, above = at(low), at(min(low + 1, total - 1))
    return below + (above - below) * (rank - low)


class Tally:
    """Grouped sums merged across batches; memory grows with distinct keys, not rows."""

    def __init__(self, keys: dict[str, pa.DataType], sums: Sequence[str] = ("n",)) -> None:
        self.keys, self.sums = list(keys), list(sums)
        self._empty = pa.schema([*keys.items(), *((name, pa.int64()) for name in sums)])
        self._parts: list[pa.Table] = []
        self._rows = 0
        self._limit = _COMPACT_ROWS

    def add(self, table: pa.Table) -> None:
        """Fold in a table holding the key and sum columns."""
        part = reduce_groups(table, self.keys, self.sums)
        self._parts.append(part)
        self._rows += part.num_rows
        if self._rows > self._limit and len(self._parts) > 1:
            merged = self.table()
            self._parts, self._rows = [merged], merged.num_rows
            # Many distinct keys: merge again only when the parts have doubled, or every batch
            # would re-group everything seen so far.
            self._limit = max(_COMPACT_ROWS, 2 * merged.num_rows)

    def table(self) -> pa.Table:
        """The merged sums, one row per key."""
        if not self._parts:
            return self._empty.empty_table()
        return reduce_groups(pa.concat_tables(self._parts), self.keys, self.sums)


def reduce_groups(table: pa.Table, keys: Sequence[str], sums: Sequence[str]) -> pa.Table:
    """One row per distinct key with each sum column summed (group_by, columns renamed back)."""
    # One thread: less memory than per-thread hash tables, and a stable group order.
    grouped = table.group_by(list(keys), use_threads=False).aggregate(
        [(name, "sum") for name in sums])
    return pa.table({**{k: grouped[k] for k in keys}, **{s: grouped[f"{s}_sum"] for s in sums}})


def ones(rows: int) -> pa.Array:
    """A column of 1s: each row counted once."""
    return pa.array(np.ones(rows, dtype=np.int64))


def codes(column: pa.Array | pa.ChunkedArray, seen: dict[str, int]) -> pa.Array:
    """Small integer codes for a text column with few values (wikis, flag types), the same
    across every batch of a run; `seen` maps each value to its code and grows as needed."""
    filled = pc.fill_null(column, "")
    for value in pc.unique(filled).to_pylist():
        seen.setdefault(value, len(seen))
    return pc.index_in(filled, value_set=pa.array(list(seen), pa.string()))


def histogram(table: pa.Table, value: str) -> tuple[list[float], list[int]]:
    """(values ascending, counts) of a tally's value column, nulls left out."""
    table = table.filter(pc.is_valid(table[value])).sort_by(value)
    return table[value].to_pylist(), table["n"].to_pylist()
