"""RevisionCache: stores and expires answers, and any failure means one warning and no cache."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import platformdirs
import pytest
import responses

from audit.cache import RevisionCache, default_cache_dir
from audit.wiki import WikiClient

WIKI = "https://en.wikipedia.org"
HTML_URL = f"{WIKI}/w/rest.php/v1/revision/845493773/html"


def test_default_cache_dir_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AUDIT_CACHE_DIR", str(tmp_path / "here"))
    assert default_cache_dir() == tmp_path / "here"

    monkeypatch.delenv("AUDIT_CACHE_DIR")
    assert default_cache_dir() == Path(platformdirs.user_cache_dir("audit", appauthor=False))


def test_values_survive_reopening_and_expire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RevisionCache.open(tmp_path) as cache:
        cache.set(("html", 1), "<html>kept</html>")
        cache.set(("latest", "Dog"), {"revid": 2}, expire=60)
        cache.set(("latest", "Cat"), {"revid": 3}, expire=-1)  # already stale

    with RevisionCache.open(tmp_path) as cache:
        assert cache.enabled
        assert cache.get(("html", 1)) == "<html>kept</html>"
        assert cache.get(("latest", "Dog")) == {"revid": 2}
        assert cache.get(("latest", "Cat")) is None
        assert cache.get(("html", 404)) is None


def test_the_default_directory_is_used_when_none_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_CACHE_DIR", str(tmp_path / "env-cache"))
    with RevisionCache.open(None) as cache:
        cache.set(("k",), "v")

    assert (tmp_path / "env-cache" / "cache.db").is_file()


def test_a_disabled_cache_stores_nothing() -> None:
    cache = RevisionCache.disabled()
    cache.set(("html", 1), "x")

    assert not cache.enabled
    assert cache.get(("html", 1)) is None


def warm_client_run(cache: RevisionCache) -> tuple[str, WikiClient]:
    """Fetch one revision's HTML twice through a client on `cache`, the network mocked."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(HTML_URL, body="<html>dog</html>")
        wiki = WikiClient(WIKI, cache=cache)
        html = wiki.revision_html(845493773)
        assert wiki.revision_html(845493773) == html
    return html, wiki


def test_a_corrupt_cache_db_warns_once_and_the_run_goes_on_uncached(tmp_path: Path) -> None:
    (tmp_path / "cache.db").write_bytes(b"this is not an sqlite database, just garbage " * 64)
    warnings: list[str] = []

    cache = RevisionCache.open(tmp_path, on_warning=warnings.append)
    html, wiki = warm_client_run(cache)

    assert html == "<html>dog</html>"
    assert not cache.enabled
    assert wiki.stats.requests == 2  # no cache: both calls went to the network
    assert len(warnings) == 1
    assert warnings[0].startswith(f"warning: cache at {tmp_path} unusable (")
    assert "DatabaseError" in warnings[0]
    assert warnings[0].endswith("; continuing without cache")


def test_a_cache_path_that_is_a_file_warns_once(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "cache"
    not_a_dir.write_text("I am a file")
    warnings: list[str] = []

    cache = RevisionCache.open(not_a_dir, on_warning=warnings.append)
    html, _ = warm_client_run(cache)

    assert html == "<html>dog</html>"
    assert not cache.enabled
    assert len(warnings) == 1 and str(not_a_dir) in warnings[0]


def test_a_failing_set_warns_once_and_the_client_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    cache = RevisionCache.open(tmp_path, on_warning=warnings.append)
    assert cache.enabled

    def broken_set(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(cache._store, "set", broken_set)
    html, wiki = warm_client_run(cache)
    cache.set(("more",), "still no second warning")

    assert html == "<html>dog</html>"
    assert wiki.stats.content_downloads == 2
    assert not cache.enabled
    assert warnings == [
        f"warning: cache at {tmp_path} unusable (OperationalError: disk I/O error); "
        "continuing without cache"
    ]


def test_an_unpicklable_value_turns_the_cache_off(tmp_path: Path) -> None:
    warnings: list[str] = []
    cache = RevisionCache.open(tmp_path, on_warning=warnings.append)

    cache.set(("lock",), threading.Lock())

    assert not cache.enabled
    assert len(warnings) == 1 and "lock" in warnings[0].lower()


def test_a_failing_get_answers_none_and_warns_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    cache = RevisionCache.open(tmp_path, on_warning=warnings.append)
    cache.set(("html", 1), "x")

    def broken_get(*args: object, **kwargs: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(cache._store, "get", broken_get)

    assert cache.get(("html", 1)) is None
    assert cache.get(("html", 1)) is None
    assert len(warnings) == 1 and "malformed" in warnings[0]
