"""SARIF 2.1.0: valid against the vendored OASIS schema, one result per finding at the claim."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

import pytest
from jsonschema import Draft7Validator

from audit.ci import Finding
from audit.formats import SCHEMAS, sarif
from tests.formats.conftest import VERSION, Run


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    # The format checker checks "uri"/"uri-reference" when rfc3986-validator is installed.
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def errors_of(validator: Draft7Validator, log: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def render(run: Run, failing: list[Finding] | None = None) -> dict[str, Any]:
    failed = run.failing if failing is None else failing
    return json.loads(sarif.render(run.report, run.findings, failed, tool_version=VERSION))


def test_golden_report_validates_with_one_result_per_finding(
    golden: Run, validator: Draft7Validator
) -> None:
    log = render(golden)

    assert errors_of(validator, log) == []
    assert log["version"] == "2.1.0" and log["$schema"] == sarif.SCHEMA_URI
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("audit", VERSION)
    assert len(run["results"]) == len(golden.findings) == 87
    assert run["originalUriBaseIds"] == {"WIKI": {"uri": "http://WIKI/"}}
    rules = driver["rules"]
    assert len({rule["id"] for rule in rules}) == len(rules)
    for finding, result in zip(golden.findings, run["results"]):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["partialFingerprints"] == {sarif.FINGERPRINT_KEY: finding.fingerprint}
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {
            "uri": "wiki/Russian_intervention_in_the_Syrian_civil_war",
            "uriBaseId": "WIKI",
        }
        assert result["hostedViewerUri"] == finding.url
        assert physical["region"]["snippet"]["text"] == finding.text
        (logical,) = location["logicalLocations"]
        assert logical["name"] == finding.claim_id
        assert logical["fullyQualifiedName"] == (
            f"{finding.title} \u203a {finding.section} \u203a {finding.claim_id}"
        )


def test_rules_link_to_the_template_or_guideline(golden: Run) -> None:
    rules = {rule["id"]: rule for rule in render(golden)["runs"][0]["tool"]["driver"]["rules"]}

    assert set(rules) >= {"flag/citation-needed", "uncited", "weak-sourcing", "deprecated-source"}
    assert rules["flag/citation-needed"]["helpUri"] == (
        "https://en.wikipedia.org/wiki/Template:Citation_needed"
    )
    assert rules["flag/citation-needed"]["shortDescription"]["text"] == (
        "Claim tagged [citation needed]"
    )
    assert rules["uncited"]["helpUri"] == "https://en.wikipedia.org/wiki/Wikipedia:Verifiability"
    assert rules["weak-sourcing"]["helpUri"].endswith("/Wikipedia:Reliable_sources")


@pytest.mark.parametrize(
    ("severity", "level"),
    [("high", "error"), ("elevated", "error"), ("medium", "warning"), ("low", "note")],
)
def test_severity_maps_to_level(golden: Run, severity: str, level: str) -> None:
    results = render(golden)["runs"][0]["results"]
    levels = {r["level"] for f, r in zip(golden.findings, results) if f.severity == severity}

    assert levels == {level}


def test_baseline_state_and_failing_mark(golden: Run) -> None:
    results = render(golden)["runs"][0]["results"]
    failed = set(golden.failing)

    for finding, result in zip(golden.findings, results):
        assert result["properties"]["failing"] is (finding in failed)
        assert (
            result["baselineState"]
            == {"new": "new", "changed": "updated", "open": "unchanged"}[finding.change]
        )


def test_the_artifact_resolves_to_the_article_url(golden: Run) -> None:
    (run,) = render(golden)["runs"]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    base = run["originalUriBaseIds"][artifact["uriBaseId"]]["uri"]

    assert urljoin(base, artifact["uri"]) == golden.report["documents"][0]["url"]


def test_hostile_report_validates_and_never_locates_at_a_foreign_scheme(
    hostile: Run, validator: Draft7Validator
) -> None:
    log = render(hostile)

    assert errors_of(validator, log) == []
    (run,) = log["runs"]
    results = run["results"]
    assert len(results) == len(hostile.findings) == 502
    for result in results:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        # Relative, so GitHub accepts it; its base (if any) is an http(s) wiki root.
        assert ":" not in artifact["uri"].split("/", 1)[0], artifact
        if "uriBaseId" in artifact:
            base = run["originalUriBaseIds"][artifact["uriBaseId"]]["uri"]
            assert base.startswith(("http://", "https://")) and base.endswith("/")
        assert result.get("hostedViewerUri", "https://").startswith(("http:", "https:"))
    snippets = [
        r["locations"][0]["physicalLocation"]["region"].get("snippet", {}).get("text", "")
        for r in results
    ]
    assert max(len(s) for s in snippets) > 10_000  # the whole claim is the snippet


def test_lone_surrogates_and_controls_still_give_utf8_json(validator: Draft7Validator) -> None:
    finding = Finding(
        fingerprint="0123456789abcdef",
        title="Lone \ud800 surrogate",
        wiki="https://en.wikipedia.org",
        claim_id="c-1",
        section=None,
        text="a\x00b",
        kind="flag",
        flag_type="no-such-template",
        status="open",
        change="open",
        severity="low",
        message="[x] still open",
        url="https://en.wikipedia.org/wiki/Lone#:~:text=a",
    )
    text = sarif.render({"documents": []}, [finding], [], tool_version=VERSION)
    log = json.loads(text.encode("utf-8"))

    assert errors_of(validator, log) == []
    result = log["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] == "ab"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "wiki/Lone",
        "uriBaseId": "en.wikipedia.org",
    }
