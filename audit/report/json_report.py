"""report.json: the machine-readable report other tools and CI read (schema_version 1)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from audit.catalogue import SEVERITY_NAMES
from audit.model import SECTION_SEPARATOR, BannerCheck, Citation, DocumentCheck
from audit.report.rows import (
    ClaimRow,
    article_url,
    claim_rows,
    count_rows,
    diff_url,
    revision_url,
)

#: Bump when a key is renamed or removed or its meaning changes; adding keys does not.
SCHEMA_VERSION = 1


def _citation(citation: Citation, via: str = "follows") -> dict[str, Any]:
    item: dict[str, Any] = {
        "url": citation.url,
        "domain": citation.domain,
        "title": citation.title,
        "via": via,
    }
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
        "citations": [_citation(c) for c in row.citations]
        + [_citation(c, "paragraph") for c in row.paragraph_citations],
        "uncited": row.uncited,
        "banners": list(row.banners),
    }


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
        "claims": [_claim(row) for row in rows],
    }
    if check.error:
        document["error"] = check.error
    if check.warnings:
        document["warnings"] = list(check.warnings)
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
