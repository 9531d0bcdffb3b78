"""Judge each claim's sources: reliability per citation, a sourcing grade, and the cross-check
of flags against sources (an [unreliable source?] now cited only to reliable sources is
likely resolvable; an unflagged claim cited only to unreliable sources is weak).

Pure functions over the check records; the data lookups live in `audit.reliability`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from audit.model import Claim, ClaimCheck, ReliabilityOverrides, Sourcing
from audit.reliability import (
    UNRELIABLE,
    Reliability,
    apply_overrides,
    classify_citation,
    sourcing_grade,
)

#: Flags that question a source; resolvable when every source is now generally reliable.
SOURCE_FLAGS = frozenset(
    {
        "unreliable-source",
        "self-published-source",
        "better-source-needed",
        "user-generated-source",
        "deprecated-source",
        "promotional-source",
    }
)


def judge_claim(claim: Claim, overrides: ReliabilityOverrides | None = None) -> Sourcing:
    """Reliability of every citation backing `claim`, and the grade they add up to."""
    overrides = overrides or ReliabilityOverrides()
    reliabilities: list[Reliability | None] = []
    for citation in claim.supporting:
        reliability = classify_citation(citation)
        reliabilities.append(
            apply_overrides(
                reliability,
                url=citation.url or citation.archive_url,
                domain_overrides=overrides.domains,
                citation_overrides=overrides.citations,
            )
        )
    grade = sourcing_grade(reliabilities, cited=bool(claim.supporting))
    weak = not claim.flags and grade == "only-unreliable"
    return Sourcing(grade, tuple(reliabilities), weak)


def _only_reliable(sourcing: Sourcing, claim: Claim) -> bool:
    own = sourcing.reliabilities[: len(claim.citations)]
    return bool(own) and all(r is not None and r.status == "generally-reliable" for r in own)


def judge_claims(
    checks: Iterable[ClaimCheck], overrides: ReliabilityOverrides | None = None
) -> tuple[ClaimCheck, ...]:
    """Attach sourcing to every claim check and flag hints where sources settle a flag."""
    judged = []
    for check in checks:
        claim = check.match.current or check.match.snapshot
        if claim is None:
            judged.append(check)
            continue
        sourcing = judge_claim(claim, overrides)
        flags = tuple(
            replace(flag, hint="likely-resolvable")
            if flag.status in ("open", "new")
            and flag.flag.type in SOURCE_FLAGS
            and _only_reliable(sourcing, claim)
            else flag
            for flag in check.flags
        )
        judged.append(replace(check, flags=flags, sourcing=sourcing))
    return tuple(judged)


def source_mix(checks: Iterable[ClaimCheck]) -> dict[str, int]:
    """Citations per reliability status (each citation once per claim that cites it).

    A host that RSP rates generally unreliable *because* it is self-published or user-generated
    (Blogger, YouTube, Twitter, …) counts under its category: that is what editors act on.
    Deprecated and blacklisted sources stay under those statuses whatever their category.
    """
    mix: dict[str, int] = {}
    for check in checks:
        if check.sourcing is None or check.match.status == "removed":
            continue
        for reliability in check.sourcing.reliabilities:
            status = mix_key(reliability)
            mix[status] = mix.get(status, 0) + 1
    return dict(sorted(mix.items()))


def mix_key(reliability: Reliability | None) -> str:
    """The source-mix bucket of one citation's reliability (see `source_mix`)."""
    if reliability is None:
        return "unknown"
    if reliability.status == "generally-unreliable" and reliability.category:
        return reliability.category
    return reliability.status


def is_unreliable(reliability: Reliability | None) -> bool:
    """True for statuses that undermine a claim (unreliable, deprecated, self-published...)."""
    return reliability is not None and reliability.status in UNRELIABLE
