"""JUnit XML: valid against the vendored junit-10.xsd, counts that match, clean XML 1.0."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from audit.ci import Finding
from audit.formats import SCHEMAS, junit
from tests.formats.conftest import VERSION, Run

XML_UNFIT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-10.xsd")))


def parse(text: str) -> etree._Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return etree.fromstring(text.encode("utf-8"))


def assert_counts_add_up(root: etree._Element) -> None:
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root.iter("testsuite"):
        counted = {
            "tests": len(suite.findall("testcase")),
            "failures": len(suite.findall("testcase/failure")),
            "errors": len(suite.findall("testcase/error")),
        }
        assert {key: int(suite.get(key)) for key in counted} == counted, suite.get("name")
        for key, value in counted.items():
            totals[key] += value
    assert {key: int(root.get(key)) for key in totals} == totals


def test_golden_report_validates_and_counts_match(golden: Run, schema: etree.XMLSchema) -> None:
    root = parse(junit.render(golden.report, golden.findings, golden.failing, tool_version=VERSION))

    schema.assertValid(root)
    assert_counts_add_up(root)
    assert root.get("tests") == str(len(golden.findings)) == "87"
    assert root.get("failures") == str(len(golden.failing)) == "8"
    assert root.get("errors") == "0"
    suite = root.find("testsuite")
    assert suite.get("name") == "Russian intervention in the Syrian civil war"
    failure = root.find(".//failure")
    case = failure.getparent()
    assert case.get("classname") == "Russian intervention in the Syrian civil war \u203a Lead"
    assert case.get("name") == "flag/dubious [c-bfd2b82830]"
    assert failure.get("type") == "flag"
    assert failure.get("message") == "new [dubious \u2013 discuss] flag"
    assert "In 2016 alone, more than 80% of Russian aerial attacks" in failure.text


def test_hostile_report_validates_with_failures_and_errors(
    hostile: Run, schema: etree.XMLSchema
) -> None:
    text = junit.render(hostile.report, hostile.findings, hostile.failing, tool_version=VERSION)
    root = parse(text)

    schema.assertValid(root)
    assert_counts_add_up(root)
    assert not XML_UNFIT.search(text)
    pages = [f for f in hostile.findings if f.kind == "page"]
    assert root.get("tests") == str(len(hostile.findings)) == "502"
    assert root.get("errors") == str(len(pages)) == "2"
    assert root.get("failures") == str(len([f for f in hostile.failing if f.kind != "page"]))
    assert len(root.findall("testsuite")) == 27
    assert root.find(".//error").get("type") == "page"
    long_failure = max(root.iter("failure"), key=lambda node: len(node.text))
    assert len(long_failure.text) > 10_000  # the whole claim, not a truncated one
    assert max(len(node.get("message")) for node in root.iter("failure")) <= junit.MESSAGE_CHARS


def test_nothing_fails_at_fail_on_none_but_unchecked_pages_stay_errors(
    hostile: Run, schema: etree.XMLSchema
) -> None:
    root = parse(junit.render(hostile.report, hostile.findings, [], tool_version=VERSION))

    schema.assertValid(root)
    assert root.get("failures") == "0"
    assert root.get("errors") == "2"


def test_characters_xml_cannot_hold_are_dropped(schema: etree.XMLSchema) -> None:
    finding = Finding(
        fingerprint="0123456789abcdef",
        title="Lone \ud800 surrogate\x00",
        wiki="https://en.wikipedia.org",
        claim_id="c-1\x1b",
        section="S\ufffe",
        text="a\x01b\x0bc",
        kind="uncited",
        flag_type=None,
        status="unchanged",
        change="new",
        severity="medium",
        message="no reference\x7f",
        url=None,
    )
    text = junit.render({"documents": []}, [finding], [finding], tool_version=VERSION)
    root = parse(text)

    schema.assertValid(root)
    assert root.find("testsuite").get("name") == "Lone surrogate"
    assert "abc" in root.find(".//failure").text
