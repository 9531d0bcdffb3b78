"""The format registry, its file names, and the vendored schemas it ships."""

from __future__ import annotations

import hashlib
import re

import pytest

from audit import formats, jobs
from audit.errors import InputError
from tests.conftest import REPO
from tests.formats.conftest import VERSION, Run


def test_registry_holds_the_four_ci_formats() -> None:
    assert set(formats.FORMATS) == {"markdown", "junit", "sarif", "csv"}
    assert set(formats.FILENAMES) == set(formats.FORMATS)


def test_file_names_agree_with_the_writer() -> None:
    for name, filename in formats.FILENAMES.items():
        assert jobs.OUTPUT_NAMES[name] == filename


@pytest.mark.parametrize("name", sorted(formats.FORMATS))
def test_render_dispatches_by_name(name: str, golden: Run) -> None:
    text = formats.render(
        name, golden.report, golden.findings, golden.failing, tool_version=VERSION
    )
    direct = formats.FORMATS[name](
        golden.report, golden.findings, golden.failing, tool_version=VERSION
    )

    assert text == direct and text.endswith("\n")


def test_unknown_format_is_an_input_error(golden: Run) -> None:
    with pytest.raises(InputError) as caught:
        formats.render("yaml", golden.report, golden.findings, [], tool_version=VERSION)

    assert "yaml" in str(caught.value)
    assert caught.value.hint == "choose from: csv, junit, markdown, sarif"


def test_vendored_schemas_match_their_recorded_checksums() -> None:
    readme = (formats.SCHEMAS / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"## `([^`]+)`.*?SHA-256\s+`([0-9a-f]{64})`", readme, re.S))

    assert set(recorded) == {"sarif-schema-2.1.0.json", "junit-10.xsd"}
    for name, digest in recorded.items():
        assert hashlib.sha256((formats.SCHEMAS / name).read_bytes()).hexdigest() == digest, name


def test_schemas_are_package_data() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"formats/schemas/*"' in pyproject
