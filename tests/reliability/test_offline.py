"""The public-suffix lookup never goes to the network (tldextract's bundled snapshot only)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import tldextract

import audit.reliability as reliability


class NetworkUsed(BaseException):
    """Raised by the guard; a BaseException so no library can swallow it as a fetch error."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise NetworkUsed(f"network use: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.delenv("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", raising=False)
    reliability.host_chain.cache_clear()
    reliability._extractor.cache_clear()  # a fresh extractor, as on first use in a run
    yield attempts
    reliability.host_chain.cache_clear()
    reliability._extractor.cache_clear()


def test_classifying_never_touches_the_network(no_network: list[object]) -> None:
    for url in (
        "https://de.rt.com/x",
        "https://news.bbc.co.uk/x",
        "https://someone.blogspot.com/x",
        "https://пример.рф/x",
        "https://www.example.invalid/x",
    ):
        reliability.classify_url(url)
    assert reliability.host_chain("a.b.bbc.co.uk")[-1] == "bbc.co.uk"
    assert no_network == []


def test_the_guard_does_catch_a_fetching_extractor(no_network: list[object]) -> None:
    # Proves the test above can fail: tldextract's default extractor fetches the PSL.
    fetching = tldextract.TLDExtract(cache_dir=None)
    with pytest.raises(NetworkUsed):
        fetching("news.bbc.co.uk")
    assert no_network
