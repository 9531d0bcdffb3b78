"""The summary's small bar charts, as display records: geometry and words computed here.

Each chart is drawn by the template as inline SVG (presentation attributes only: the page's
Content-Security-Policy forbids style attributes) with a `<title>`/`<desc>` for screen readers,
and printed again as a plain table, so no number lives only in a picture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from audit.model import SECTION_SEPARATOR
from audit.reliability import CATEGORIES
from audit.report.findings import RELIABILITY_TEXT, token
from audit.report.rows import ClaimRow

#: Age buckets of flags: (label, upper bound in years, exclusive); None = no upper bound.
AGE_BUCKETS = (("under 1 year", 1.0), ("1–2 years", 2.0), ("2–5 years", 5.0), ("5+ years", None))
UNDATED = "undated"
#: Source-mix bars: RSP statuses, then every self-published/user-generated/... host together.
MIX_ORDER = (
    "generally-reliable",
    "no-consensus",
    "generally-unreliable",
    "deprecated",
    "blacklisted",
    "category",
    "unknown",
)
MIX_LABEL = {
    **RELIABILITY_TEXT,
    "category": "self-published, user-generated & co.",
    "unknown": "not rated",
}
TOP_SECTIONS = 10

_LABEL_WIDTH = 230
_BAR_MAX = 220
_ROW = 24
_TOP = 6
_SHORT = 30


@dataclass(frozen=True)
class Bar:
    """One row of a chart: full label (table), short label (picture), count and geometry."""

    label: str
    short: str
    count: float
    """What the bar measures: a count, or a rate (`audit stats`)."""
    detail: str
    """Extra words for the table (the breakdown of a combined bar), or empty."""
    css: str
    y: int
    text_y: int
    width: int
    count_x: int
    value: str = ""
    """`count` as printed (`bar_chart`'s `value_text`)."""


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart with its accessible name, summary and table headings."""

    dom_id: str
    title: str
    summary: str
    """The whole chart in one sentence, for `<desc>` and the caption."""
    label_heading: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_x: int
    bar_x: int
    bar_height: int
    empty: str
    """What to say instead of a picture when there is nothing to count."""


def _short(label: str) -> str:
    """A label that fits the picture; a section path keeps its last heading, the telling part."""
    if len(label) <= _SHORT:
        return label
    if SECTION_SEPARATOR in label:
        leaf = "…" + SECTION_SEPARATOR + label.rsplit(SECTION_SEPARATOR, 1)[1]
        if len(leaf) <= _SHORT:
            return leaf
        label = leaf
    return label[: _SHORT - 1].rstrip() + "…"


def bar_chart(
    dom_id: str,
    title: str,
    label_heading: str,
    items: Sequence[tuple[str, float, str, str]],
    *,
    noun: str,
    empty: str,
    value_text: Callable[[float], str] = str,
) -> Chart:
    """A chart of (label, count, css class, detail) rows, in the given order.

    `value_text` prints a count (e.g. a rate with two decimals); the default prints it as is.
    """
    top = max((count for _, count, _, _ in items), default=0)
    bars = []
    for i, (label, count, css, detail) in enumerate(items):
        y = _TOP + i * _ROW
        width = round(_BAR_MAX * count / top) if top else 0
        width = max(width, 2) if count else 0
        bars.append(
            Bar(
                label,
                _short(label),
                count,
                detail,
                css,
                y,
                y + 13,
                width,
                _LABEL_WIDTH + width + 6,
                value_text(count),
            )
        )
    total = sum(count for _, count, _, _ in items)
    parts = ", ".join(f"{label}: {value_text(count)}" for label, count, _, _ in items)
    summary = f"{value_text(total)} {noun}" + (f" — {parts}." if items else ".")
    return Chart(
        dom_id=dom_id,
        title=title,
        summary=summary,
        label_heading=label_heading,
        bars=tuple(bars),
        width=_LABEL_WIDTH + _BAR_MAX + 50,
        height=_TOP * 2 + len(items) * _ROW,
        label_x=_LABEL_WIDTH - 8,
        bar_x=_LABEL_WIDTH,
        bar_height=16,
        empty=empty if total == 0 else "",
    )


def _open_flags(rows: Iterable[ClaimRow]) -> Iterable[tuple[ClaimRow, int | None]]:
    for row in rows:
        for flag in row.flags:
            if flag.status in ("open", "new"):
                yield row, flag.age_days


def age_chart(rows: Sequence[ClaimRow]) -> Chart:
    """Open and new flags by how long they have been up."""
    counts = dict.fromkeys([label for label, _ in AGE_BUCKETS] + [UNDATED], 0)
    for _, days in _open_flags(rows):
        if days is None:
            counts[UNDATED] += 1
            continue
        years = days / 365  # as age_text counts them
        label = next(lbl for lbl, bound in AGE_BUCKETS if bound is None or years < bound)
        counts[label] += 1
    items = [(label, n, f"bar age-{i}", "") for i, (label, n) in enumerate(counts.items())]
    return bar_chart(
        "chart-age", "Open flags by age", "Age", items, noun="open flags", empty="No open flags."
    )


def section_chart(sections: Sequence[tuple[str, Sequence[ClaimRow]]]) -> Chart:
    """Open and new flags per section, the 10 sections with most, ties in article order."""
    counts: dict[str, int] = {}
    for label, rows in sections:
        n = sum(1 for _ in _open_flags(rows))
        if n:
            counts[label] = counts.get(label, 0) + n
    ranked = sorted(counts.items(), key=lambda item: -item[1])[:TOP_SECTIONS]
    items = [(label, n, "bar section", "") for label, n in ranked]
    title = f"Open flags by section (top {TOP_SECTIONS})"
    return bar_chart(
        "chart-sections",
        title,
        "Section",
        items,
        noun="open flags in these sections",
        empty="No open flags.",
    )


def mix_chart(mix: Mapping[str, int]) -> Chart:
    """Citations per reliability status (each citation once per claim citing it)."""
    counts = dict.fromkeys(MIX_ORDER, 0)
    details: dict[str, int] = {}
    for status, n in mix.items():
        key = "category" if status in CATEGORIES else status
        counts[key if key in counts else "unknown"] += n
        if key == "category":
            details[status] = details.get(status, 0) + n
    breakdown = ", ".join(f"{RELIABILITY_TEXT.get(s, s)} {n}" for s, n in sorted(details.items()))
    items = [
        (MIX_LABEL[key], n, f"bar mix-{token(key)}", breakdown if key == "category" else "")
        for key, n in counts.items()
    ]
    return bar_chart(
        "chart-mix", "Source mix", "Reliability", items, noun="citations", empty="No citations."
    )
