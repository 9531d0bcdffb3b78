"""Findings for CI: what a run found, which of it is new, and whether the job should fail.

Works on report.json data (the stable machine format), so `audit check`, `audit baseline`
and `audit diff OLD.json NEW.json` all judge the same way. A finding is identified by a
fingerprint of its article, kind, flag type and normalised claim text — not by line numbers —
so edits elsewhere in an article do not turn old findings into new ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.atomic import write_text_atomic
from audit.claims import normalize_text
from audit.errors import InputError

FAIL_ON = ("none", "new", "changed", "any")
SEVERITIES = ("low", "medium", "elevated", "high")
BASELINE_SCHEMA_VERSION = 1
#: Triage that takes a finding out of CI: an editor looked and decided.
SETTLED = frozenset({"waived", "false-positive", "fixed"})
_SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES, start=1)}


@dataclass(frozen=True)
class Finding:
    """One thing a CI job may fail on: a flag, a weakly sourced claim, a banner, a page."""

    fingerprint: str
    title: str
    wiki: str
    claim_id: str | None
    section: str | None
    text: str | None
    """The claim as it reads now (as it read in the snapshot if it is gone)."""
    kind: str
    """`flag`, `reworded-flagged`, `uncited`, `weak-sourcing`, `deprecated-source`, `banner`,
    `page` (the page could not be checked)."""
    flag_type: str | None
    status: str
    """The flag's or claim's status in report.json."""
    change: str
    """`new` (appeared since the snapshot), `changed` (a flagged claim changed, a flag was
    dropped without a citation), or `open` (still there)."""
    severity: str
    """low, medium, elevated or high."""
    message: str
    url: str | None

    @property
    def severity_rank(self) -> int:
        return _SEVERITY_RANK.get(self.severity, 2)

    def as_dict(self) -> dict[str, Any]:
        """The finding as plain data (baseline files, JSON and CSV output)."""
        return {
            "fingerprint": self.fingerprint,
            "title": self.title,
            "wiki": self.wiki,
            "claim_id": self.claim_id,
            "section": self.section,
            "text": self.text,
            "kind": self.kind,
            "flag_type": self.flag_type,
            "status": self.status,
            "change": self.change,
            "severity": self.severity,
            "message": self.message,
            "url": self.url,
        }


def fingerprint(wiki: str, title: str, kind: str, flag_type: str | None, text: str | None) -> str:
    """Stable id of a finding: article, kind, flag type and the claim's normalised text."""
    key = "\x1f".join(
        (wiki.rstrip("/"), normalize_text(title), kind, flag_type or "", normalize_text(text or ""))
    )
    # A report read back with json.loads may hold lone surrogates ("\ud800"): hash them too.
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _severity(label: str | None, default: str = "medium") -> str:
    return label if label in _SEVERITY_RANK else default


def _make(
    document: Mapping[str, Any],
    claim: Mapping[str, Any] | None,
    kind: str,
    flag_type: str | None,
    status: str,
    change: str,
    severity: str,
    message: str,
) -> Finding:
    text = None
    if claim is not None:
        text = claim.get("current_text") or claim.get("text")
    return Finding(
        fingerprint=fingerprint(document["wiki"], document["title"], kind, flag_type, text),
        title=document["title"],
        wiki=document["wiki"],
        claim_id=claim.get("id") if claim else None,
        section=(claim.get("current_section") or claim.get("section")) if claim else None,
        text=text,
        kind=kind,
        flag_type=flag_type,
        status=status,
        change=change,
        severity=severity,
        message=message,
        url=(claim.get("live_url") if claim else None) or document.get("url"),
    )


def _claim_findings(document: Mapping[str, Any], claim: Mapping[str, Any]) -> list[Finding]:
    found: list[Finding] = []
    status = claim.get("status", "unchanged")
    triage = (claim.get("triage") or {}).get("status")
    if triage in SETTLED:
        return found
    snapshot_flags = [flag for flag in claim.get("flags", ()) if flag["status"] != "new"]
    for flag in claim.get("flags", ()):
        if ((flag.get("triage") or {}).get("status")) in SETTLED:
            continue
        label, flag_status = flag.get("label", flag["type"]), flag["status"]
        severity = _severity(flag.get("severity"))
        if flag_status == "new":
            change, what = "new", f"new [{label}] flag"
        elif flag_status == "open":
            change, what = "open", f"[{label}] still open"
            if flag.get("stale"):
                what += f" (possibly stale: {flag['stale']})"
        elif flag_status == "resolved" and not flag.get("cited"):
            change, what = "changed", f"[{label}] removed without a citation"
        else:
            continue  # resolved with a citation, or removed with its claim: nothing to do
        found.append(
            _make(document, claim, "flag", flag["type"], flag_status, change, severity, what)
        )
    if status == "reworded" and snapshot_flags:
        found.append(
            _make(
                document,
                claim,
                "reworded-flagged",
                None,
                status,
                "changed",
                "medium",
                "a flagged claim was reworded; check its flags still fit",
            )
        )
    if status == "removed":
        return found
    fresh = "new" if status == "added" else "open"
    reliabilities = [c.get("reliability") or {} for c in claim.get("citations", ())]
    if any(
        r.get("status") in ("deprecated", "blacklisted") and not r.get("before_change")
        for r in reliabilities
    ):
        found.append(
            _make(
                document,
                claim,
                "deprecated-source",
                None,
                status,
                fresh,
                "high",
                "cited to a deprecated or blacklisted source",
            )
        )
    if claim.get("weak_sourcing"):
        found.append(
            _make(
                document,
                claim,
                "weak-sourcing",
                None,
                status,
                fresh,
                "elevated",
                "cited only to unreliable or self-published sources",
            )
        )
    elif claim.get("uncited") and not claim.get("flags"):
        found.append(
            _make(
                document,
                claim,
                "uncited",
                None,
                status,
                fresh,
                "medium",
                "no reference backs this claim",
            )
        )
    return found


def findings_of(report: Mapping[str, Any]) -> list[Finding]:
    """Every finding of a report.json, in document and article order."""
    found: list[Finding] = []
    for document in report.get("documents", ()):
        if document.get("status") in ("missing", "error"):
            found.append(
                _make(
                    document,
                    None,
                    "page",
                    None,
                    document["status"],
                    "new",
                    "high",
                    document.get("error") or document["status"],
                )
            )
            continue
        for claim in document.get("claims", ()):
            found.extend(_claim_findings(document, claim))
        for banner in document.get("banners", ()):
            if banner.get("status") in ("new", "open"):
                change = "new" if banner["status"] == "new" else "open"
                where = banner.get("section") or "the whole article"
                found.append(
                    _make(
                        document,
                        None,
                        "banner",
                        banner["type"],
                        banner["status"],
                        change,
                        "medium",
                        f"[{banner['type']}] banner over {where}",
                    )
                )
    return found


def select(
    found: Iterable[Finding],
    *,
    baseline: frozenset[str] = frozenset(),
    min_severity: str = "low",
) -> list[Finding]:
    """Findings not in the baseline, at or above the minimum severity."""
    floor = _SEVERITY_RANK.get(min_severity, 1)
    return [f for f in found if f.fingerprint not in baseline and f.severity_rank >= floor]


def failing(found: Iterable[Finding], fail_on: str) -> list[Finding]:
    """The findings that fail the job at level `fail_on` (none/new/changed/any)."""
    wanted = {
        "none": (),
        "new": ("new",),
        "changed": ("new", "changed"),
        "any": ("new", "changed", "open"),
    }[fail_on]
    return [finding for finding in found if finding.change in wanted]


# --- baselines and diffs --------------------------------------------------------------------


def write_baseline(path: str | Path, found: Sequence[Finding], *, generated: str) -> None:
    """Record the current findings, so later runs report only what is new relative to them."""
    data = {
        "schema_version": BASELINE_SCHEMA_VERSION,
        "generated": generated,
        "findings": [finding.as_dict() for finding in found],
    }
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def load_json(path: str | Path, what: str) -> dict[str, Any]:
    """A report.json or baseline file, with a clear error for anything else."""
    target = Path(path)
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"no such {what}", path=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what}: {exc}", path=str(path)) from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not a {what} (invalid JSON: {exc.msg})", path=str(path), line=exc.lineno
        ) from exc
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        raise InputError(f"not a {what} this audit understands (schema_version 1)", path=str(path))
    return data


def load_baseline(path: str | Path) -> frozenset[str]:
    """Fingerprints recorded in a baseline file."""
    data = load_json(path, "baseline file")
    return frozenset(str(item.get("fingerprint")) for item in data.get("findings", ()))


@dataclass(frozen=True)
class ReportDiff:
    """What changed between two runs: findings that appeared and findings that went away."""

    appeared: tuple[Finding, ...]
    disappeared: tuple[Finding, ...]
    still: int


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any]) -> ReportDiff:
    """Compare the findings of two report.json files."""
    before = {finding.fingerprint: finding for finding in findings_of(old)}
    after = {finding.fingerprint: finding for finding in findings_of(new)}
    return ReportDiff(
        appeared=tuple(f for key, f in after.items() if key not in before),
        disappeared=tuple(f for key, f in before.items() if key not in after),
        still=len(set(before) & set(after)),
    )
