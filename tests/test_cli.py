"""The command line as a user meets it: exit codes, one-line errors, nothing clobbered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audit.cli import EXIT_ERROR, EXIT_OK, build_parser, main
from tests.conftest import SEED


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("AUDIT_WIKI", "AUDIT_OFFLINE", "AUDIT_CLAIMS", "AUDIT_OUT", "AUDIT_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    shutil.copy(SEED, tmp_path / "seed.txt")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def test_extract_seed(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "extract", "seed.txt")
    assert code == EXIT_OK
    assert "13 flags on 12 claims" in err
    text = (workdir / "claims.yaml").read_text(encoding="utf-8")
    assert text.count("type: citation-needed") == 7
    assert "timestamp: '2023-12-25T01:18:00Z'" in text


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (lambda d: None, ["extract", "nope.txt"], "nope.txt: no such file"),
        (lambda d: (d / "e.txt").write_text(""), ["extract", "e.txt"], "document is empty"),
        (
            lambda d: (d / "b.bin").write_bytes(b"\x00\x01\x02" * 100),
            ["extract", "b.bin"],
            "looks binary",
        ),
        (
            lambda d: (d / "claims.yaml").write_text("schema_version: 1\ndocuments: [\n"),
            ["check", "--offline"],
            "claims.yaml:",
        ),
        (
            lambda d: (d / "claims.yaml").write_text("schema_version: 7\ndocuments: []\n"),
            ["check", "--offline"],
            "newer than this audit supports",
        ),
        (
            lambda d: (d / "claims.yaml").write_text(
                "schema_version: 1\ndocuments: !!python/object/apply:os.system ['touch pwned']\n"
            ),
            ["check", "--offline"],
            "claims.yaml",
        ),
        (lambda d: None, ["check", "missing.yaml", "--offline"], "missing.yaml"),
    ],
)
def test_bad_inputs_exit_2_with_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], setup, args: list[str], message: str
) -> None:
    setup(workdir)
    code, err = run(capsys, *args)
    assert code == EXIT_ERROR
    assert err.startswith("error: ")
    assert message in err.splitlines()[0]
    assert "Traceback" not in err
    assert not (workdir / "pwned").exists()


def test_malformed_claims_file_is_never_overwritten(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = "schema_version: 1\ndocuments:\n  - title: [unclosed\n"
    (workdir / "claims.yaml").write_text(broken)
    code, err = run(capsys, "extract", "seed.txt")
    assert code == EXIT_ERROR and "claims.yaml:" in err
    assert (workdir / "claims.yaml").read_text() == broken


def test_failed_extract_keeps_existing_claims_file(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "extract", "seed.txt")[0] == EXIT_OK
    before = (workdir / "claims.yaml").read_bytes()
    (workdir / "empty.txt").write_text("\n")
    assert run(capsys, "extract", "empty.txt")[0] == EXIT_ERROR
    assert (workdir / "claims.yaml").read_bytes() == before


def test_offline_check_writes_report(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "extract", "seed.txt")[0] == EXIT_OK
    code, err = run(capsys, "check", "--offline")
    assert code == EXIT_OK
    report = (workdir / "reports" / "report.json").read_text(encoding="utf-8")
    assert '"status": "offline"' in report
    assert (workdir / "reports" / "report.html").exists()


def test_unreachable_wiki_goes_offline_with_warning(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "extract", "seed.txt")[0] == EXIT_OK
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    code, err = run(capsys, "run", "--wiki", "http://127.0.0.1:9", "--no-cache")
    assert code == EXIT_OK
    assert "warning:" in err and "offline" in err
    assert '"status": "offline"' in (workdir / "reports" / "report.json").read_text()


def test_env_twins(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_OFFLINE", "1")
    monkeypatch.setenv("AUDIT_OUT", "elsewhere")
    assert run(capsys, "run", "--document", "seed.txt")[0] == EXIT_OK
    assert (workdir / "elsewhere" / "report.json").exists()


def test_every_command_is_documented_in_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert f"audit {name}" in readme, name
