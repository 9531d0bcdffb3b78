"""The README's two commands are the ones that work: CI runs the test command, the main job runs."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, SEED
from tests.wikiserver import FakeWiki, register_seed_article


def readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert block, "README must open with a sh block holding the two commands"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_opens_with_two_commands() -> None:
    main_job, tests = readme_commands()
    assert main_job.endswith("audit run")
    assert "pytest" in tests and "pip install" in tests and "pip install" in main_job


def test_ci_runs_the_readme_test_command() -> None:
    _, tests = readme_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_repository_claims_file_is_the_seed_extraction(tmp_path: Path) -> None:
    from audit.jobs import extract

    extract(SEED, claims_path=tmp_path / "claims.yaml")
    assert (tmp_path / "claims.yaml").read_text(encoding="utf-8") == (
        REPO / "claims.yaml"
    ).read_text(encoding="utf-8"), (
        "regenerate: audit extract examples/russian-intervention-2023-12-25.txt"
    )


def test_main_job_runs_on_the_default_claims_file(tmp_path: Path) -> None:
    """`audit run` as the README's first command ends, on a copy of the repo's claims.yaml;
    the wiki is the local fake (AUDIT_WIKI), never the network."""
    shutil.copy(REPO / "claims.yaml", tmp_path / "claims.yaml")
    with FakeWiki() as wiki:
        register_seed_article(wiki)
        env = {**os.environ, "AUDIT_WIKI": wiki.url, "AUDIT_CACHE_DIR": str(tmp_path / "cache")}
        result = subprocess.run(
            [sys.executable, "-m", "audit", "run"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    assert "1 article checked" in result.stderr
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    assert report["documents"][0]["status"] == "checked"
    assert (tmp_path / "reports" / "report.html").stat().st_size > 10_000


def test_every_command_is_documented_in_the_readme() -> None:
    from audit.cli import build_parser

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.search(r"## Commands\n\n```\n(.*?)```", readme, re.S)
    assert commands, "README needs a ## Commands block"
    documented = set(re.findall(r"^audit (\w+)", commands.group(1), re.M))
    parser = build_parser()
    subparsers = next(action for action in parser._actions
                      if isinstance(action, argparse._SubParsersAction))
    assert set(subparsers.choices) == documented


def test_table_docs_match_the_schema_in_code() -> None:
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "write_table_docs.py"),
                             "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
