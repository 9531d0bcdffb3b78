"""Rank findings for editors: how severe, how old, how stale.

A finding's score puts the worst first: the flag type's severity (failed verification, dubious,
deprecated source › unreliable source › citation needed › by whom/when), then the flag's age,
whether the claim changed since the snapshot, and how the claim is sourced now. Stale flags
(a reference now follows the claim, or the claim was reworded after the flag was added) are
ranked up too: they are the cheapest to settle.
"""

from __future__ import annotations

from datetime import datetime

from audit.catalogue import parse_flag_date, severity_of
from audit.model import ClaimMatch, Flag

#: Flags that ask for a citation; a reference directly after the claim may settle them.
CITATION_FLAGS = frozenset(
    {
        "citation-needed",
        "medical-citation-needed",
        "additional-citation-needed",
        "verification-needed",
        "non-primary-source-needed",
        "third-party-source-needed",
    }
)
#: Severity of a finding that is not a flag: a claim resting on sources of this kind.
GRADE_SEVERITY = {"only-unreliable": 3, "uncited": 2, "mixed": 1}
DEPRECATED_SEVERITY = 4
SEVERITY_LABELS = {4: "high", 3: "elevated", 2: "medium", 1: "low"}


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def stale_reason(
    flag: Flag, status: str, match: ClaimMatch, snapshot_time: str | None
) -> str | None:
    """Why an open flag may be stale ("possibly stale — check and remove"), or None."""
    if status != "open" or match.current is None:
        return None
    if flag.type in CITATION_FLAGS and match.current.citations:
        return "a reference now directly follows this claim"
    if match.status == "reworded":
        dated = parse_flag_date(flag.date)
        snapshot = _timestamp(snapshot_time)
        if dated is None or snapshot is None or dated <= snapshot.date():
            return "the claim was reworded after the flag was added"
    return None


def flag_score(
    flag_type: str, *, age_days: int | None, changed: bool, grade: str | None, stale: bool
) -> int:
    """Ranking score of one flag finding (higher first)."""
    score = severity_of(flag_type) * 100
    if age_days:
        score += min(age_days // 73, 50)  # one point per ~2.4 months, at most 50 (10 years)
    if changed:
        score += 20
    score += {"only-unreliable": 30, "uncited": 15, "mixed": 5}.get(grade or "", 0)
    if stale:
        score += 40
    return score


def claim_score(
    flag_scores: list[int], *, grade: str | None, deprecated: bool, changed: bool
) -> tuple[int, int]:
    """(score, severity 1..4) of a claim: its worst flag, or its sourcing when unflagged."""
    severity = GRADE_SEVERITY.get(grade or "", 0)
    if deprecated:
        severity = DEPRECATED_SEVERITY
    score = severity * 100 + (20 if changed else 0) if severity else 0
    if flag_scores:
        score = max(score, max(flag_scores))
        severity = max(severity, max(flag_scores) // 100)
    return score, min(max(severity, 0), 4)
