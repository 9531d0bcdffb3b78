"""SARIF 2.1.0, so code-scanning UIs (GitHub, Azure DevOps, IDE viewers) list the findings.

One run; one rule per finding kind or flag type (`flag/citation-needed`, `uncited`, …) with a
link to the Wikipedia template or guideline it stands for; one result per finding, located at
the claim: the article's URL as the artifact (relative to the wiki's root, see
`_artifact_location`), the claim text as the region's snippet and the claim id as a logical
location. Valid against the OASIS schema vendored in `schemas/`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from audit.catalogue import SEVERITY_NAMES, by_type, canonical_label
from audit.ci import Finding
from audit.formats._text import (
    ARROW,
    article_urls,
    location_path,
    one_line,
    reliability_data,
    rule_id,
    safe_url,
    strip_control,
    truncate,
)

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/wiki-audit/audit"
WIKIPEDIA = "https://en.wikipedia.org/wiki/"
#: The key of our fingerprint in `partialFingerprints` (versioned, as SARIF recommends).
FINGERPRINT_KEY = "auditFinding/v1"
LEVELS = {"high": "error", "elevated": "error", "medium": "warning", "low": "note"}
BASELINE_STATES = {"new": "new", "changed": "updated", "open": "unchanged"}
MESSAGE_CLAIM_CHARS = 200

#: Rules that are not a template: what they mean, their guideline page, their usual severity.
KIND_RULES: dict[str, tuple[str, str | None, str]] = {
    "uncited": ("No reference backs this claim", "Wikipedia:Verifiability", "medium"),
    "weak-sourcing": (
        "Claim cited only to unreliable or self-published sources",
        "Wikipedia:Reliable_sources",
        "elevated",
    ),
    "deprecated-source": (
        "Claim cited to a deprecated or blacklisted source",
        "Wikipedia:Deprecated_sources",
        "high",
    ),
    "reworded-flagged": (
        "A flagged claim was reworded; check that its flags still fit",
        "Help:Maintenance_template_removal",
        "medium",
    ),
    "page": ("The page could not be checked (missing, or the wiki failed)", None, "high"),
}


def _wiki_page(name: str) -> str:
    return WIKIPEDIA + quote(name.replace(" ", "_"), safe=":/_")


def rule_for(finding: Finding) -> dict[str, Any]:
    """The SARIF rule (reportingDescriptor) a finding reports against."""
    rid = rule_id(finding)
    help_page: str | None
    if finding.flag_type and finding.kind in ("flag", "banner"):
        entry = by_type(finding.flag_type)
        label = canonical_label(finding.flag_type)
        if finding.kind == "banner":
            name = entry.template if entry else label
            short = f"Article or section carries the [{one_line(name)}] banner"
        else:
            short = f"Claim tagged [{one_line(label)}]"
        help_page = f"Template:{entry.template}" if entry else "Help:Maintenance_templates"
        severity = SEVERITY_NAMES.get(entry.severity, "medium") if entry else finding.severity
    else:
        short, help_page, severity = KIND_RULES.get(
            finding.kind, (one_line(finding.kind), None, finding.severity)
        )
    rule: dict[str, Any] = {
        "id": strip_control(rid),
        "shortDescription": {"text": short},
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
        "properties": {"tags": ["wikipedia", "verifiability"]},
    }
    if help_page:
        rule["helpUri"] = _wiki_page(help_page)
    return rule


def _claim_lines(report: Mapping[str, Any]) -> dict[tuple[str, str], int]:
    """(title, claim id) → the claim's 1-based position in its article, its stand-in line."""
    lines: dict[tuple[str, str], int] = {}
    live: set[tuple[str, str]] = set()
    for document in report.get("documents", ()):
        for number, claim in enumerate(document.get("claims") or (), start=1):
            key = (document.get("title"), claim.get("id"))
            # A removed claim and the one added in its place may share an id: the live one wins.
            is_live = claim.get("status") != "removed"
            if key not in lines or (is_live and key not in live):
                lines[key] = number
                if is_live:
                    live.add(key)
    return lines


def _artifact_location(finding: Finding, urls: Mapping[str, str]) -> tuple[dict[str, str], str]:
    """The article as an artifactLocation, and the absolute URL its base id stands for.

    NOTE: GitHub code scanning rejects the whole upload when a location is an absolute https URI
    ("SARIF URI scheme did not match the checkout URI scheme"). So the article URL is split the
    SARIF way: a relative `uri` ("wiki/Title") on a `uriBaseId` named after the wiki's host,
    which `run.originalUriBaseIds` resolves to the wiki's root ("https://en.wikipedia.org/").
    """
    page = safe_url(urls.get(finding.title) or (finding.url or "").split("#", 1)[0])
    if page:
        parts = urlsplit(page)
        relative = parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
        if ":" in relative.split("/", 1)[0]:
            relative = "./" + relative  # a colon in the first segment would read as a scheme
        return {"uri": relative, "uriBaseId": parts.netloc}, f"{parts.scheme}://{parts.netloc}/"
    # No http(s) address: a relative reference by title still names the article.
    return {"uri": quote(one_line(finding.title).replace(" ", "_"), safe="")}, ""


def _result(
    finding: Finding,
    index: int,
    failing: bool,
    artifact: Mapping[str, str],
    lines: Mapping[tuple[str, str], int],
) -> dict[str, Any]:
    where = ARROW.join(one_line(part) for part in (finding.title, finding.section) if part)
    text = f"{one_line(finding.message)} ({where})"
    if finding.text:
        text += f": \u201c{truncate(one_line(finding.text), MESSAGE_CLAIM_CHARS)}\u201d"
    # NOTE: an article has no lines, but code-scanning UIs want a region with a start line; the
    # claim's position in the article keeps results in reading order.
    region: dict[str, Any] = {"startLine": lines.get((finding.title, finding.claim_id or ""), 1)}
    if finding.text:
        region["snippet"] = {"text": strip_control(finding.text)}
    name = finding.claim_id or finding.section or finding.title
    result: dict[str, Any] = {
        "ruleId": strip_control(rule_id(finding)),
        "ruleIndex": index,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": dict(artifact),
                    "region": region,
                },
                "logicalLocations": [
                    {"name": one_line(name), "fullyQualifiedName": location_path(finding)}
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "baselineState": BASELINE_STATES.get(finding.change, "unchanged"),
        "properties": {
            "severity": finding.severity,
            "change": finding.change,
            "status": strip_control(finding.status),
            "failing": failing,
            "article": strip_control(finding.title),
            "wiki": strip_control(finding.wiki),
        },
    }
    if finding.section:
        result["properties"]["section"] = strip_control(finding.section)
    claim_url = safe_url(finding.url)
    if claim_url:
        # The claim itself, highlighted in the live article (a text fragment link).
        result["hostedViewerUri"] = claim_url
    return result


def build(
    report: Mapping[str, Any],
    findings: Sequence[Finding],
    failing: Sequence[Finding],
    *,
    tool_version: str,
) -> dict[str, Any]:
    """The SARIF log as plain data (for callers that want to add to it)."""
    failed = set(failing)
    rules: list[dict[str, Any]] = []
    index_of: dict[str, int] = {}
    for finding in findings:
        rid = rule_id(finding)
        if rid not in index_of:
            index_of[rid] = len(rules)
            rules.append(rule_for(finding))
    urls, lines = article_urls(report), _claim_lines(report)
    bases: dict[str, dict[str, str]] = {}
    results = []
    for finding in findings:
        artifact, base = _artifact_location(finding, urls)
        if base:
            bases.setdefault(artifact["uriBaseId"], {"uri": base})
        results.append(
            _result(finding, index_of[rule_id(finding)], finding in failed, artifact, lines)
        )
    driver: dict[str, Any] = {
        "name": "audit",
        "version": strip_control(tool_version),
        "informationUri": INFORMATION_URI,
        "rules": rules,
    }
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": bases,
                "results": results,
                "properties": {"reliabilityData": strip_control(reliability_data(report))},
            }
        ],
    }


def render(
    report: Mapping[str, Any],
    findings: Sequence[Finding],
    failing: Sequence[Finding],
    *,
    tool_version: str,
) -> str:
    """The run as a SARIF 2.1.0 log (JSON text)."""
    log = build(report, findings, failing, tool_version=tool_version)
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
