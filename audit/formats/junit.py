"""JUnit XML, so CI dashboards (GitHub, GitLab, Jenkins) list findings as test results.

One `<testsuite>` per article and one `<testcase>` per finding: a finding that fails the job is a
`<failure>`, a page that could not be checked is an `<error>`, anything else passes. Built with
ElementTree, so article text is always escaped; characters XML 1.0 cannot hold are dropped.
Valid against the Jenkins xUnit plugin's `junit-10.xsd` (vendored in `schemas/`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from audit.ci import Finding
from audit.formats._text import (
    ARROW,
    one_line,
    reliability_data,
    rule_id,
    strip_control,
    truncate,
)

#: Longest `message` attribute: dashboards show it on one line; the body has the rest.
MESSAGE_CHARS = 300
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _text(value: str | None) -> str:
    return strip_control(value or "")


def _case_name(finding: Finding) -> str:
    what = one_line(rule_id(finding))
    if finding.kind == "page":
        return f"{what}: could not be checked"
    return f"{what} [{one_line(finding.claim_id)}]" if finding.claim_id else what


def _class_name(finding: Finding) -> str:
    return ARROW.join(one_line(part) for part in (finding.title, finding.section) if part)


def _details(finding: Finding) -> str:
    """The body of a failure or error: everything someone needs to find and judge the claim."""
    lines = [
        f"{finding.message}",
        f"severity: {finding.severity} · change: {finding.change} · status: {finding.status}",
        f"article: {finding.title}",
    ]
    if finding.section:
        lines.append(f"section: {finding.section}")
    if finding.claim_id:
        lines.append(f"claim: {finding.claim_id}")
    if finding.text:
        lines.append(f"text: {finding.text}")
    if finding.url:
        lines.append(f"url: {finding.url}")
    lines.append(f"fingerprint: {finding.fingerprint}")
    return _text("\n".join(lines))


def _suite_order(report: Mapping[str, Any], findings: Sequence[Finding]) -> list[str]:
    titles: list[str] = []
    for document in report.get("documents", ()):
        if isinstance(document.get("title"), str) and document["title"] not in titles:
            titles.append(document["title"])
    for finding in findings:
        if finding.title not in titles:
            titles.append(finding.title)
    return titles


def build(
    report: Mapping[str, Any],
    findings: Sequence[Finding],
    failing: Sequence[Finding],
    *,
    tool_version: str,
) -> ET.Element:
    """The `<testsuites>` element of the run (for callers that want the tree)."""
    failed = set(failing)
    by_title: dict[str, list[Finding]] = {}
    for finding in findings:
        by_title.setdefault(finding.title, []).append(finding)

    version = _text(reliability_data(report))
    root = ET.Element("testsuites", name=f"audit {_text(tool_version)}".strip(), time="0")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for title in _suite_order(report, findings):
        cases = by_title.get(title, [])
        suite = ET.SubElement(root, "testsuite", name=one_line(title))
        if version:
            properties = ET.SubElement(suite, "properties")
            ET.SubElement(properties, "property", name="reliability_data", value=version)
        counts = {"tests": len(cases), "failures": 0, "errors": 0}
        for finding in cases:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=_class_name(finding),
                name=_case_name(finding),
                time="0",
            )
            if finding.kind == "page":
                # NOTE: an unchecked page is an error of the audit itself, whatever --fail-on
                # says: its findings are unknown, not absent.
                tag, key = "error", "errors"
            elif finding in failed:
                tag, key = "failure", "failures"
            else:
                continue
            outcome = ET.SubElement(
                case,
                tag,
                message=truncate(one_line(finding.message), MESSAGE_CHARS),
                type=_text(finding.kind),
            )
            outcome.text = _details(finding)
            counts[key] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("skipped", "0")
        suite.set("time", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    return root


def render(
    report: Mapping[str, Any],
    findings: Sequence[Finding],
    failing: Sequence[Finding],
    *,
    tool_version: str,
) -> str:
    """The run as a JUnit XML document (UTF-8, XML 1.0)."""
    root = build(report, findings, failing, tool_version=tool_version)
    ET.indent(root, space="  ")
    # NOTE: not xml_declaration=True: with encoding="unicode" it declares the *locale's*
    # encoding, while the file is always written as UTF-8.
    return _DECLARATION + ET.tostring(root, encoding="unicode") + "\n"
