"""report.json: the machine-readable report other tools and CI read (schema_version 1)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from audit.catalogue import SEVERITY_NAMES
from audit.model import SECTION_SEPARATOR, BannerCheck, Citation, DocumentCheck, Triage
from audit.ranking import SEVERITY_LABELS
from audit.reliability import Reliability
from audit.report.rows import (
    ClaimRow,
    article_url,
    claim_rows,
    count_rows,
    diff_url,
    revision_url,
)
from audit.sourcing import source_mix

#: Bump when a key is renamed or removed or its meaning changes; adding keys does not.
SCHEMA_VERSION = 1


#: What a citation's URL gets when no list knows its source: still a record, so every
#: citation with a URL carries `reliability.status`.
UNKNOWN_RELIABILITY = {"status": "unknown", "source": None, "since": None}


def _reliability(reliability: Reliability | None) -> dict[str, Any]:
    if reliability is None:
        return dict(UNKNOWN_RELIABILITY)
    item: dict[str, Any] = {
        "status": reliability.status,
        "source": reliability.source,
        "since": reliability.since,
    }
    for key in ("category", "note", "overridden", "shortcut", "matched_domain", "scope"):
        value = getattr(reliability, key)
        if value:
            item[key] = value
    if reliability.before_change:
        item["before_change"] = True
    return item


def _citation(
    citation: Citation, via: str = "follows", reliability: Reliability | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "url": citation.url,
        "domain": citation.domain,
        "title": citation.title,
        "via": via,
    }
    if reliability is not None or citation.url:
        item["reliability"] = _reliability(reliability)
    for key in ("publisher", "date", "access_date", "archive_url", "text"):
        value = getattr(citation, key)
        if value:
            item[key] = value
    if citation.dead:
        item["dead"] = True
    return item


def _claim(row: ClaimRow) -> dict[str, Any]:
    flags = []
    for flag in row.flags:
        item: dict[str, Any] = {
            "type": flag.type,
            "label": flag.label,
            "status": flag.status,
            "cited": flag.cited,
            "severity": SEVERITY_NAMES.get(flag.severity, "medium"),
        }
        if flag.date:
            item["date"] = flag.date
        if flag.age_days is not None:
            item["age_days"] = flag.age_days
        if flag.hint:
            item["hint"] = flag.hint
        if flag.stale:
            item["stale"] = flag.stale
        if flag.triage is not None:
            item["triage"] = _triage(flag.triage)
        if flag.score:
            item["score"] = flag.score
        flags.append(item)
    return {
        "id": row.id,
        "section": row.section,
        "kind": row.kind,
        "text": row.text,
        "status": row.status,
        "current_text": row.current_text,
        "current_section": row.current_section,
        "similarity": row.similarity,
        "moved": row.moved,
        "flags": flags,
        "citations": _citations(row),
        "uncited": row.uncited,
        "grade": row.grade,
        "weak_sourcing": row.weak_sourcing,
        "score": row.score,
        "severity": SEVERITY_LABELS.get(row.severity),
        "triage": _triage(row.triage) if row.triage is not None else None,
        "live_url": row.live_url,
        "edit_url": row.edit_url,
        "banners": list(row.banners),
    }


def _triage(triage: Triage) -> dict[str, Any]:
    item: dict[str, Any] = {"status": triage.status, "note": triage.note}
    if triage.by:
        item["by"] = triage.by
    if triage.updated:
        item["updated"] = triage.updated
    return item


def _citations(row: ClaimRow) -> list[dict[str, Any]]:
    judged = list(row.reliabilities) + [None] * (
        len(row.citations) + len(row.paragraph_citations) - len(row.reliabilities)
    )
    own = [_citation(c, "follows", judged[i]) for i, c in enumerate(row.citations)]
    start = len(row.citations)
    inherited = [
        _citation(c, "paragraph", judged[start + i]) for i, c in enumerate(row.paragraph_citations)
    ]
    return own + inherited


def _banner(item: BannerCheck) -> dict[str, Any]:
    banner = item.banner
    result: dict[str, Any] = {
        "type": banner.type,
        "scope": banner.scope,
        "status": item.status,
        "section": SECTION_SEPARATOR.join(banner.section) or None,
    }
    if banner.date:
        result["date"] = banner.date
    return result


def _document(check: DocumentCheck) -> dict[str, Any]:
    rows = claim_rows(check)
    current = None
    if check.current is not None:
        current = {
            "revision": check.current.revid,
            "timestamp": check.current.timestamp,
            "title": check.current.title,
            "url": revision_url(check.wiki, check.current.revid),
        }
        if check.snapshot_revision is not None:
            current["diff_url"] = diff_url(check.wiki, check.snapshot_revision, check.current.revid)
    document: dict[str, Any] = {
        "title": check.title,
        "wiki": check.wiki,
        "url": article_url(check.wiki, check.title),
        "snapshot": {"timestamp": check.snapshot_timestamp, "revision": check.snapshot_revision},
        "current": current,
        "status": check.status,
        "summary": count_rows(rows).as_dict(),
        "banners": [_banner(item) for item in check.banners],
        "source_mix": source_mix(check.claims),
        "claims": [_claim(row) for row in rows],
    }
    if check.error:
        document["error"] = check.error
    if check.warnings:
        document["warnings"] = list(check.warnings)
    if check.reliability_data:
        document["reliability_data"] = check.reliability_data
    return document


def build_report_data(
    checks: Sequence[DocumentCheck], *, generated: str, tool_version: str
) -> dict[str, Any]:
    """The report.json structure: one entry per document, in input order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generated": generated,
        "tool_version": tool_version,
        "documents": [_document(check) for check in checks],
    }


def render_json(checks: Sequence[DocumentCheck], *, generated: str, tool_version: str) -> str:
    """report.json as text: sorted keys, UTF-8 as is, indent 2, trailing newline."""
    data = build_report_data(checks, generated=generated, tool_version=tool_version)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
