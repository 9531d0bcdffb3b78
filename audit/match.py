"""Align the claims of a snapshot with those of the current revision, then judge every flag.

Claims are paired in two rounds: identical normalised text first (unchanged), then the best
fuzzy pairs over ALL remaining candidates at once (an optimal assignment, not the first hit)
above a similarity threshold (reworded). What is left is removed (snapshot side) or added
(current side). A pair found under another heading is marked `moved`.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist
from scipy.optimize import linear_sum_assignment

from audit.claims import normalize_text
from audit.model import Banner, BannerCheck, Claim, ClaimCheck, ClaimMatch, DiffOp, FlagCheck

#: Minimum similarity (0..1, rapidfuzz's normalised Indel ratio) for "the same claim, reworded".
REWORD_THRESHOLD = 0.62
#: Lower bar for the one claim left between the same two matched neighbours on both sides
#: (as a line diff aligns one changed line between unchanged ones), e.g. an edited infobox line.
GAP_THRESHOLD = 0.5
#: Above this many candidate pairs the optimal assignment is replaced by a greedy one.
MAX_ASSIGNMENT_CELLS = 4_000_000
_SAME_SECTION_BONUS = 3.0
_WORDS = re.compile(r"\s+|[^\s]+")


def _group(claim: Claim) -> str:
    """Infobox lines only pair with infobox lines; everything else pairs freely."""
    return "infobox" if claim.kind == "infobox" else "prose"


def _leaf(claim: Claim) -> str:
    return normalize_text(claim.leaf_section)


def word_diff(old: str, new: str) -> tuple[DiffOp, ...]:
    """Word-level diff of two texts as runs of equal / delete / insert."""
    old_words = _WORDS.findall(old)
    new_words = _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    ops: list[DiffOp] = []
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(DiffOp("equal", "".join(old_words[a1:a2])))
            continue
        if tag in ("delete", "replace"):
            ops.append(DiffOp("delete", "".join(old_words[a1:a2])))
        if tag in ("insert", "replace"):
            ops.append(DiffOp("insert", "".join(new_words[b1:b2])))
    return tuple(op for op in ops if op.text)


def _exact_pairs(
    snapshot: Sequence[Claim], current: Sequence[Claim], snap_norm: list[str], cur_norm: list[str]
) -> dict[int, int]:
    """Snapshot index → current index for identical normalised texts (same section first)."""
    by_text: dict[str, list[int]] = defaultdict(list)
    for index, text in enumerate(cur_norm):
        by_text[text].append(index)
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for prefer_section in (True, False):
        for s_index, text in enumerate(snap_norm):
            if s_index in pairs or not text:
                continue
            for c_index in by_text.get(text, ()):
                if c_index in used or _group(snapshot[s_index]) != _group(current[c_index]):
                    continue
                if prefer_section and _leaf(snapshot[s_index]) != _leaf(current[c_index]):
                    continue
                pairs[s_index] = c_index
                used.add(c_index)
                break
    _pair_decorated_infobox_lines(snapshot, current, snap_norm, cur_norm, pairs, used)
    return pairs


def _without_leading_words(text: str) -> list[str]:
    """`text` minus its first 1..3 words, while at least two words remain."""
    words = text.split(" ")
    return [" ".join(words[count:]) for count in range(1, 4) if len(words) - count >= 2]


def _pair_decorated_infobox_lines(
    snapshot: Sequence[Claim],
    current: Sequence[Claim],
    snap_norm: list[str],
    cur_norm: list[str],
    pairs: dict[int, int],
    used: set[int],
) -> None:
    """Pair infobox lines that differ only by a short leading label.

    Copies render a flag icon as its alt text ("Russia Vladimir Putin") where the wiki's HTML
    shows only the name ("Vladimir Putin"); the value itself did not change.
    """
    free_current: dict[str, list[int]] = defaultdict(list)
    for index, text in enumerate(cur_norm):
        if index not in used and current[index].kind == "infobox":
            free_current[text].append(index)
    stripped_current: dict[str, list[int]] = defaultdict(list)
    for text, indexes in free_current.items():
        for shorter in _without_leading_words(text):
            stripped_current[shorter].extend(indexes)
    for s_index, text in enumerate(snap_norm):
        if s_index in pairs or snapshot[s_index].kind != "infobox":
            continue
        candidates = [
            *(
                index
                for shorter in _without_leading_words(text)
                for index in free_current.get(shorter, ())
            ),
            *stripped_current.get(text, ()),
        ]
        for c_index in candidates:
            if c_index not in used:
                pairs[s_index] = c_index
                used.add(c_index)
                break


def _fuzzy_pairs(
    snapshot: Sequence[Claim],
    current: Sequence[Claim],
    snap_left: list[int],
    cur_left: list[int],
    snap_norm: list[str],
    cur_norm: list[str],
    threshold: float = REWORD_THRESHOLD,
) -> dict[int, tuple[int, float]]:
    """Best one-to-one pairs among the claims left over, with their similarity (0..1)."""
    if not snap_left or not cur_left:
        return {}
    raw = cdist(
        [snap_norm[i] for i in snap_left],
        [cur_norm[j] for j in cur_left],
        scorer=fuzz.ratio,
        dtype=np.float32,
    )
    codes: dict[str, int] = {}
    snap_group = np.array([codes.setdefault(_group(snapshot[i]), len(codes)) for i in snap_left])
    cur_group = np.array([codes.setdefault(_group(current[j]), len(codes)) for j in cur_left])
    snap_leaf = np.array([codes.setdefault(_leaf(snapshot[i]), len(codes)) for i in snap_left])
    cur_leaf = np.array([codes.setdefault(_leaf(current[j]), len(codes)) for j in cur_left])
    same_group = np.equal.outer(snap_group, cur_group)
    same_leaf = np.equal.outer(snap_leaf, cur_leaf)
    weights = raw.copy()
    weights[same_leaf] += _SAME_SECTION_BONUS
    weights[(raw < threshold * 100) | ~same_group] = -1000.0
    if weights.size <= MAX_ASSIGNMENT_CELLS:
        rows, cols = linear_sum_assignment(weights, maximize=True)
        chosen = list(zip(rows.tolist(), cols.tolist()))
    else:
        chosen = _greedy(weights)
    pairs: dict[int, tuple[int, float]] = {}
    for row, col in chosen:
        if weights[row, col] <= -1000.0 or raw[row, col] < threshold * 100:
            continue
        pairs[snap_left[row]] = (cur_left[col], float(raw[row, col]) / 100.0)
    return pairs


def _gap_pairs(
    snapshot: Sequence[Claim],
    current: Sequence[Claim],
    paired: dict[int, int],
    snap_norm: list[str],
    cur_norm: list[str],
) -> dict[int, tuple[int, float]]:
    """Pairs of lone claims left between the same matched neighbours on both sides."""
    used = set(paired.values())
    gaps: dict[tuple[int, int], list[int]] = defaultdict(list)
    previous = -1
    ordered = sorted(paired.items())
    following = iter(ordered)
    upcoming = next(following, None)
    for s_index in range(len(snapshot)):
        while upcoming is not None and upcoming[0] <= s_index:
            if upcoming[0] == s_index:
                previous = upcoming[1]
            upcoming = next(following, None)
        if s_index in paired:
            continue
        bound = upcoming[1] if upcoming is not None else len(current)
        if previous < bound:
            gaps[(previous, bound)].append(s_index)
    pairs: dict[int, tuple[int, float]] = {}
    for (low, high), snap_left in gaps.items():
        cur_left = [j for j in range(low + 1, high) if j not in used]
        if len(snap_left) == 1 and len(cur_left) == 1:
            pairs.update(
                _fuzzy_pairs(
                    snapshot, current, snap_left, cur_left, snap_norm, cur_norm, GAP_THRESHOLD
                )
            )
    return pairs


def _greedy(weights: np.ndarray) -> list[tuple[int, int]]:
    """Highest-weight pairs first; used only when the optimal assignment would be too big."""
    order = np.argsort(weights, axis=None)[::-1]
    rows_used: set[int] = set()
    cols_used: set[int] = set()
    chosen = []
    for flat in order.tolist():
        row, col = divmod(flat, weights.shape[1])
        if weights[row, col] <= -1000.0:
            break
        if row in rows_used or col in cols_used:
            continue
        rows_used.add(row)
        cols_used.add(col)
        chosen.append((row, col))
    return chosen


def match_claims(snapshot: Sequence[Claim], current: Sequence[Claim]) -> list[ClaimMatch]:
    """Pair snapshot claims with current claims; list them in snapshot order, added ones after
    the claim they now follow."""
    snap_norm = [normalize_text(claim.text) for claim in snapshot]
    cur_norm = [normalize_text(claim.text) for claim in current]
    exact = _exact_pairs(snapshot, current, snap_norm, cur_norm)
    used = set(exact.values())
    snap_left = [i for i in range(len(snapshot)) if i not in exact]
    cur_left = [j for j in range(len(current)) if j not in used]
    fuzzy = _fuzzy_pairs(snapshot, current, snap_left, cur_left, snap_norm, cur_norm)
    paired = {**exact, **{s_index: c_index for s_index, (c_index, _) in fuzzy.items()}}
    fuzzy.update(_gap_pairs(snapshot, current, paired, snap_norm, cur_norm))

    matches: list[ClaimMatch] = []
    current_position: dict[int, int] = {}
    for s_index, claim in enumerate(snapshot):
        if s_index in exact:
            c_index = exact[s_index]
            now = current[c_index]
            match = ClaimMatch("unchanged", claim, now, 1.0, _leaf(claim) != _leaf(now))
        elif s_index in fuzzy:
            c_index, similarity = fuzzy[s_index]
            now = current[c_index]
            match = ClaimMatch(
                "reworded",
                claim,
                now,
                round(similarity, 3),
                _leaf(claim) != _leaf(now),
                word_diff(claim.text, now.text),
            )
        else:
            matches.append(ClaimMatch("removed", claim, None, 0.0))
            continue
        current_position[c_index] = len(matches)
        matches.append(match)

    matched_current = set(exact.values()) | {c for c, _ in fuzzy.values()}
    insertions: dict[int, list[ClaimMatch]] = defaultdict(list)
    anchor = -1
    for c_index, claim in enumerate(current):
        if c_index in matched_current:
            anchor = current_position[c_index]
            continue
        insertions[anchor].append(ClaimMatch("added", None, claim, 0.0))
    # An added claim goes after the claim it now follows, and after the removed claims that
    # came right after that one (as a diff shows deletions before insertions).
    ordered: list[ClaimMatch] = []
    pending = list(insertions.get(-1, ()))
    for position, match in enumerate(matches):
        if match.status != "removed":
            ordered.extend(pending)
            pending = []
        ordered.append(match)
        pending.extend(insertions.get(position, ()))
    ordered.extend(pending)
    return ordered


def check_flags(match: ClaimMatch) -> tuple[FlagCheck, ...]:
    """Fate of each flag on a matched pair: open, resolved (cited or not), removed, or new."""
    snapshot, current = match.snapshot, match.current
    if match.status == "unchecked" and snapshot is not None:
        return tuple(FlagCheck(flag, "open", bool(snapshot.citations)) for flag in snapshot.flags)
    if current is None:
        assert snapshot is not None
        return tuple(FlagCheck(flag, "removed", False) for flag in snapshot.flags)
    # "Cited" means a reference now follows the claim itself; a reference further on in the
    # paragraph (paragraph_citations) may cover it too, and the report shows that separately.
    cited = bool(current.citations)
    if snapshot is None:
        return tuple(FlagCheck(flag, "new", cited) for flag in current.flags)
    remaining = Counter(flag.type for flag in current.flags)
    checks: list[FlagCheck] = []
    for flag in snapshot.flags:
        if remaining[flag.type] > 0:
            remaining[flag.type] -= 1
            checks.append(FlagCheck(flag, "open", cited))
        else:
            checks.append(FlagCheck(flag, "resolved", cited))
    seen_snapshot = Counter(flag.type for flag in snapshot.flags)
    for flag in current.flags:
        if seen_snapshot[flag.type] > 0:
            seen_snapshot[flag.type] -= 1
            continue
        checks.append(FlagCheck(flag, "new", cited))
    return tuple(checks)


def compare_claims(snapshot: Sequence[Claim], current: Sequence[Claim]) -> tuple[ClaimCheck, ...]:
    """Match claims and judge their flags in one step."""
    return tuple(ClaimCheck(match, check_flags(match)) for match in match_claims(snapshot, current))


def unchecked(snapshot: Sequence[Claim]) -> tuple[ClaimCheck, ...]:
    """The snapshot alone, as when the wiki cannot be reached."""
    checks = []
    for claim in snapshot:
        match = ClaimMatch("unchecked", claim, None, 0.0)
        checks.append(ClaimCheck(match, check_flags(match)))
    return tuple(checks)


def compare_banners(
    snapshot: Sequence[Banner], current: Sequence[Banner] | None
) -> tuple[BannerCheck, ...]:
    """Each banner open (still there), resolved (gone) or new; `current=None` when offline."""
    if current is None:
        return tuple(BannerCheck(banner, "open") for banner in snapshot)

    def key(banner: Banner) -> tuple[str, str, str]:
        leaf = normalize_text(banner.section[-1]) if banner.section else ""
        return banner.type, banner.scope, leaf

    remaining = Counter(key(banner) for banner in current)
    checks = []
    for banner in snapshot:
        if remaining[key(banner)] > 0:
            remaining[key(banner)] -= 1
            checks.append(BannerCheck(banner, "open"))
        else:
            checks.append(BannerCheck(banner, "resolved"))
    seen = Counter(key(banner) for banner in snapshot)
    for banner in current:
        if seen[key(banner)] > 0:
            seen[key(banner)] -= 1
        else:
            checks.append(BannerCheck(banner, "new"))
    return tuple(checks)
