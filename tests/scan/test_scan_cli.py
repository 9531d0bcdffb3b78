"""`audit scan` end to end, through the real command line."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_audit, shared_data
from tests.scan.helpers import (
    GENSIM_DUMP,
    PARSOID_PAGES,
    PEAR,
    TABLE_NAMES,
    WIKIPEDIA2VEC,
    ndjson_lines,
    parsoid_html,
    read_csv,
    read_parquet,
    table_files,
)
from tests.wikiserver import FakeRevision, FakeWiki


@pytest.fixture
def inputs(tmp_path: Path) -> list[str]:
    """Every kind of input at once: an XML export, a bz2 dump, Enterprise NDJSON, a folder."""
    ndjson = tmp_path / "enterprise.ndjson"
    ndjson.write_text("\n".join(ndjson_lines()) + "\n", encoding="utf-8")
    folder = tmp_path / "saved"
    folder.mkdir()
    shutil.copy(PARSOID_PAGES[0], folder / "Matryoshka_doll.html.gz")
    return [str(PEAR), str(WIKIPEDIA2VEC), str(ndjson), str(folder)]


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_scan_writes_agreeing_parquet_and_csv_and_a_manifest(tmp_path: Path,
                                                            inputs: list[str]) -> None:
    result = run_audit(tmp_path, "scan", *inputs, "--out", "out")
    assert result.returncode == 0, result.stderr
    assert "audit: scanned 7 articles" in result.stderr
    assert "\r" not in result.stderr  # no progress bar when stderr is not a terminal
    out = tmp_path / "out"
    data = manifest(out)
    for name in TABLE_NAMES:
        parquet = read_parquet(out / f"{name}.parquet")
        assert len(parquet) == len(read_csv(out / f"{name}.csv")) == data["tables"][name]["rows"]
    articles = read_parquet(out / "articles.parquet")
    assert [row["title"] for row in articles] == [
        "Pear", "Computer accessibility", "Accessibility", "Matryoshka doll", "Nephrite",
        "Organic acid anhydride", "Matryoshka doll"]
    assert [row["input_format"] for row in articles] == [
        "xml-dump", "xml-dump", "xml-dump", "enterprise-html", "enterprise-html",
        "enterprise-html", "saved-page"]
    assert all(row["error"] is None for row in articles)
    flags = read_parquet(out / "flags.parquet")
    assert {row["flag_type"] for row in flags if row["title"] == "Pear"} == {
        "citation-needed", "vague"}
    assert data["schema_version"] == 1 and data["tool"]["name"] == "audit"
    assert data["reliability_data_version"]
    assert data["inputs"][1]["sha256"] == hashlib.sha256(WIKIPEDIA2VEC.read_bytes()).hexdigest()
    assert data["inputs"][1]["bytes"] == WIKIPEDIA2VEC.stat().st_size
    assert data["options"]["namespaces"] == [0] and data["pages"] == {"read": 7, "errors": 0}
    assert data["started"] <= data["finished"]
    assert [c["name"] for c in data["tables"]["citations"]["columns"]][:3] == [
        "wiki", "title", "revision_id"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["manifest.json", *(f"{n}.{f}" for n in TABLE_NAMES for f in ("parquet", "csv"))])


def test_jobs_2_gives_identical_rows(tmp_path: Path, inputs: list[str]) -> None:
    one = run_audit(tmp_path, "scan", *inputs, "--out", "one", "-q")
    two = run_audit(tmp_path, "scan", *inputs, "--out", "two", "--jobs", "2", "-q")
    assert one.returncode == two.returncode == 0, two.stderr
    assert table_files(tmp_path / "one") == table_files(tmp_path / "two")
    assert manifest(tmp_path / "two")["options"]["jobs"] == 2


def test_dask_cluster_gives_identical_rows(tmp_path: Path, inputs: list[str]) -> None:
    distributed = pytest.importorskip("distributed")
    serial = run_audit(tmp_path, "scan", *inputs, "--out", "serial", "-q")
    assert serial.returncode == 0, serial.stderr
    # Workers are threads of this test process; the CLI connects over TCP like to a real one.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        result = run_audit(tmp_path, "scan", *inputs, "--out", "dask", "-q",
                           "--dask", cluster.scheduler_address)
    assert result.returncode == 0, result.stderr
    assert table_files(tmp_path / "dask") == table_files(tmp_path / "serial")


def test_unreachable_dask_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    result = run_audit(tmp_path, "scan", str(PEAR), "--dask", "tcp://127.0.0.1:9",
                       env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert result.returncode == 2
    assert "error: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "scan").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_truncated_dump_fails_cleanly_and_keeps_old_outputs(tmp_path: Path, jobs: str) -> None:
    data = bz2.compress(PEAR.read_bytes() * 1)
    cut = tmp_path / "cut.xml.bz2"
    cut.write_bytes(data[: len(data) // 2])
    out = tmp_path / "scan"
    out.mkdir()
    (out / "flags.csv").write_text("from an earlier run\n")
    result = run_audit(tmp_path, "scan", str(WIKIPEDIA2VEC), str(cut), "--jobs", jobs)
    assert result.returncode == 2
    assert "error: " in result.stderr and "ends early" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["flags.csv"]  # no temp files left
    assert (out / "flags.csv").read_text() == "from an earlier run\n"


def test_bad_xml_is_an_error_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(PEAR.read_text(encoding="utf-8").replace("</title>", "</titel>", 1),
                   encoding="utf-8")
    result = run_audit(tmp_path, "scan", str(bad))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"error: {bad}:" in result.stderr and "malformed XML" in result.stderr
    assert not (tmp_path / "scan").exists()


def test_bad_ndjson_line_is_a_page_error_not_a_stop(tmp_path: Path) -> None:
    lines = ndjson_lines()
    dump = tmp_path / "dump.ndjson.gz"
    dump.write_bytes(gzip.compress("\n".join([lines[0], '{"name": "Broken', lines[2]]).encode()))
    result = run_audit(tmp_path, "scan", str(dump), "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert "1 page could not be read" in result.stderr
    rows = read_csv(tmp_path / "scan" / "articles.csv")
    assert [row["error"] for row in rows] == [
        "", rows[1]["error"], ""] and rows[1]["error"].startswith("line 2: not a JSON record")
    assert not (tmp_path / "scan" / "articles.parquet").exists()


def test_titles_are_fetched_through_the_api(tmp_path: Path) -> None:
    html = parsoid_html(PARSOID_PAGES[1])  # Nephrite, revision 1120803762
    with FakeWiki() as wiki:
        wiki.add_page("Nephrite", [FakeRevision(1120803762, "2022-11-08T22:22:54Z", html)],
                      page_id=1010971)
        (tmp_path / "titles.txt").write_text("# wanted\nNephrite\nNo such page\n")
        result = run_audit(tmp_path, "scan", "--titles", "titles.txt", "--wiki", wiki.url)
        metadata = wiki.count("/w/api.php")
        content = wiki.count("/w/rest.php")
    assert result.returncode == 0, result.stderr
    assert (metadata, content) == (1, 1)  # one batched metadata request, one page of HTML
    articles = read_parquet(tmp_path / "scan" / "articles.parquet")
    assert [row["title"] for row in articles] == ["Nephrite", "No such page"]
    assert articles[0]["revision_id"] == 1120803762 and articles[0]["page_id"] == 1010971
    assert articles[0]["input_format"] == "api" and articles[0]["error"] is None
    assert articles[1]["error"]
    flags = read_parquet(tmp_path / "scan" / "flags.parquet")
    assert [row["flag_type"] for row in flags] == ["citation-needed"]
    data = manifest(tmp_path / "scan")
    assert data["inputs"][0]["kind"] == "titles" and data["inputs"][0]["titles"] == 2


def test_titles_from_stdin(tmp_path: Path) -> None:
    html = parsoid_html(PARSOID_PAGES[2])
    with FakeWiki() as wiki:
        wiki.add_page("Organic acid anhydride", [FakeRevision(5, "2022-05-22T06:16:07Z", html)])
        result = run_audit(tmp_path, "scan", "--titles", "-", "--wiki", wiki.url, "-q",
                           "--format", "csv", stdin="Organic acid anhydride\n")
    assert result.returncode == 0, result.stderr
    assert [row["title"] for row in read_csv(tmp_path / "scan" / "articles.csv")] == [
        "Organic acid anhydride"]


@pytest.mark.parametrize("args, message", [
    ((), "nothing to scan"),
    (("missing.xml.bz2",), "no such file"),
    ((str(PEAR), "--format", "xlsx"), "unknown table format"),
    ((str(PEAR), "--jobs", "-1"), "--jobs -1"),
])
def test_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run_audit(tmp_path, "scan", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.shared_data
def test_citation_needed_count_matches_mwparserfromhell_on_the_enwiki_sample(
    tmp_path: Path,
) -> None:
    import mwparserfromhell
    import mwxml

    from audit.catalogue import lookup_template

    dump = shared_data(GENSIM_DUMP)
    expected = 0
    with bz2.open(dump, "rb") as handle:
        for page in mwxml.Dump.from_file(handle):
            text = next(iter(page)).text or ""
            if page.namespace != 0 or page.redirect:
                continue
            for template in mwparserfromhell.parse(text).filter_templates(recursive=True):
                found = lookup_template(str(template.name))
                expected += found is not None and found.type == "citation-needed"
    assert expected > 100  # the data README counts 126 over the whole dump

    one = run_audit(tmp_path, "scan", str(dump), "--out", "one")
    two = run_audit(tmp_path, "scan", str(dump), "--out", "two", "--jobs", "2", "-q")
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert f"({expected} citation needed)" in one.stderr
    flags = read_parquet(tmp_path / "one" / "flags.parquet")
    assert sum(row["flag_type"] == "citation-needed" for row in flags) == expected
    for name in TABLE_NAMES:
        assert len(read_parquet(tmp_path / "one" / f"{name}.parquet")) == len(
            read_csv(tmp_path / "one" / f"{name}.csv"))
    assert table_files(tmp_path / "one") == table_files(tmp_path / "two")


def test_dask_local_cluster_started_by_the_command(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    serial = run_audit(tmp_path, "scan", str(PEAR), str(WIKIPEDIA2VEC), "--out", "serial", "-q")
    local = run_audit(tmp_path, "scan", str(PEAR), str(WIKIPEDIA2VEC), "--out", "local", "-q",
                      "--dask", "local", "--jobs", "2")
    assert serial.returncode == local.returncode == 0, local.stderr
    assert table_files(tmp_path / "local") == table_files(tmp_path / "serial")
    assert manifest(tmp_path / "local")["options"]["dask"] == "local"


def test_progress_bar_counts_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from audit.scan.run import scan_sources

    scan_sources([str(PEAR), str(WIKIPEDIA2VEC)], out_dir=tmp_path / "out", progress=True)
    err = capsys.readouterr().err
    assert "audit scan" in err and "3 pages" in err and "pages/s" in err
