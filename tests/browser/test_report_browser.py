"""report.html in a real browser: filters, search, keys, waived findings, and hostile data inert.

Drives headless Chromium (the Debian package, not a Playwright download) through Playwright.
The module is skipped only when no Chromium binary is installed; CI installs one (.ci/run).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, sync_playwright

from audit.model import Citation, ClaimCheck, ClaimMatch, FlagCheck, Sourcing, Triage
from audit.report import render_html
from tests.report.conftest import CN, checked_document, claim, worklist_document


def _chromium() -> str | None:
    """The Chromium to drive: $AUDIT_CHROMIUM, else the distribution's binary."""
    for candidate in (
        os.environ.get("AUDIT_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium binary (apt-get install chromium; CI installs it)"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PWN_CLAIM = "<script>window.__pwned=1</script>"
PWN_NOTE = '"><img src=x onerror="window.__pwned=2">'
PWN_URL = "javascript:window.__pwned=3"
PWN_SECTION = "Reactions <b>bold</b>"


def hostile_worklist():
    """The work-queue article with attacker-controlled text in every place the page prints."""
    document = worklist_document()
    bad = Citation(url=PWN_URL, domain="evil.example", title="evil source")
    trap = claim("c-pwn", PWN_SECTION, f"Before {PWN_CLAIM} after.", CN, citations=(bad,))
    checks = (
        *document.claims,
        ClaimCheck(
            ClaimMatch("unchanged", trap, trap, 1.0),
            (FlagCheck(CN, "open"),),
            Sourcing("unknown", (None,)),
        ),
    )
    return replace(
        document, claims=checks, triage={**document.triage, "c-pwn": Triage("assigned", PWN_NOTE)}
    )


class Expected:
    """What the script should show, read from the static HTML (so ranking rules may change)."""

    def __init__(self, html: str) -> None:
        findings = BeautifulSoup(html, "lxml").select("li.finding")
        active = [li for li in findings if "dismissed" not in li["class"]]
        self.total = len(findings)
        self.dismissed = self.total - len(active)
        self.shown = len(active)
        self.review = sum(li["data-severity"] == "0" for li in active)

    def count(self, shown: int) -> str:
        return f"{shown} of {self.total} findings shown"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Expected]:
    html = render_html(
        [hostile_worklist(), checked_document()],
        generated="2026-03-02T00:00:00Z",
        tool_version="0.0.test",
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path.as_uri(), Expected(html)


@pytest.fixture
def expected(report: tuple[str, Expected]) -> Expected:
    return report[1]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Watched:
    """A page plus everything it complained about or tried to fetch."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.route("**/*", self._route)

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:  # the report must never fetch anything, not even a favicon
            self.requests.append(route.request.url)
            route.abort()

    def count_text(self) -> str:
        return self.page.locator("#filter-count").inner_text()

    def visible_ids(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "li.finding", "els => els.filter(e => e.offsetParent !== null).map(e => e.id)"
        )

    def focused(self) -> str:
        return self.page.evaluate("document.activeElement.id")


@pytest.fixture
def watched(browser: Browser, report: tuple[str, Expected]) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    watched = Watched(page)
    page.goto(report[0])
    yield watched
    assert watched.errors == [], watched.errors  # also catches CSP violations
    assert watched.requests == []
    context.close()


def test_script_runs_and_reveals_the_filters(watched, expected):
    assert watched.page.locator("#filters").is_visible()
    assert watched.page.locator(".keys").is_visible()
    # 7 + 8 findings; the waived c-w4 and the false-positive c-w5 start hidden.
    assert expected.dismissed == 2
    assert watched.count_text() == (
        f"{expected.count(expected.shown)} · 2 waived / false positive hidden"
    )
    assert "doc-1-c-w4" not in watched.visible_ids()


def test_filters_change_the_visible_set_and_the_counts(watched, expected):
    page = watched.page
    page.select_option("#filter-type", "citation-needed")
    shown = watched.visible_ids()
    assert shown and all(
        "citation-needed" in page.get_attribute(f"#{i}", "data-flags") for i in shown
    )
    assert watched.count_text().startswith(expected.count(len(shown)))
    page.select_option("#filter-type", "")
    page.uncheck("#filter-severity-0")
    assert expected.review > 0
    assert watched.count_text().startswith(expected.count(expected.shown - expected.review))
    # The box just unticked still says how many it would bring back.
    assert page.locator("[data-count-for='0']").inner_text() == str(expected.review)
    page.select_option("#filter-sourcing", "weak")
    assert watched.visible_ids() == []  # the weakly sourced claim is waived
    page.check("#filter-dismissed")
    assert watched.visible_ids() == ["doc-1-c-w4"]
    page.select_option("#filter-sourcing", "")
    page.select_option("#filter-triage", "assigned")
    assert watched.visible_ids() == ["doc-1-c-w6", "doc-1-c-pwn"]
    page.click("#filter-reset")
    page.wait_for_function(
        "n => document.getElementById('filter-count').textContent.startsWith(n + ' of')",
        arg=expected.shown,
    )


def test_section_filter_and_by_section_view(watched):
    page = watched.page
    page.select_option("#filter-section", label=f"Worklist article › {PWN_SECTION}")
    assert watched.visible_ids() == ["doc-1-c-pwn"]
    page.select_option("#filter-section", "")
    page.check("#view-section")
    order = watched.visible_ids()
    assert order[:5] == ["doc-1-c-w1", "doc-1-c-w2", "doc-1-c-w3", "doc-1-c-w6", "doc-1-c-pwn"]
    headings = page.locator("#doc-1 .by-section h4:visible").all_inner_texts()
    assert headings == ["Lead", "Background", "Reactions", PWN_SECTION]
    page.check("#view-severity")
    assert watched.visible_ids()[0] == "doc-1-c-w6"  # worst first again (c-w5 is dismissed)


def test_search_narrows_and_escape_clears(watched, expected):
    page = watched.page
    page.keyboard.press("/")
    assert watched.focused() == "filter-search"
    page.keyboard.type("campaign began")
    assert watched.visible_ids() == ["doc-1-c-w1"]
    assert watched.count_text().startswith(expected.count(1))
    page.fill("#filter-search", "nytimes.com")  # a source domain
    assert "doc-1-c-w6" in watched.visible_ids()
    page.fill("#filter-search", "ALICE checks")  # a triage note, any case
    assert watched.visible_ids() == ["doc-1-c-w6"]
    page.keyboard.press("Escape")
    assert page.input_value("#filter-search") == ""
    assert watched.count_text().startswith(expected.count(expected.shown))


def test_j_and_k_move_focus_through_visible_findings(watched):
    page = watched.page
    visible = watched.visible_ids()
    page.keyboard.press("j")
    assert watched.focused() == visible[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert watched.focused() == visible[2]
    page.keyboard.press("k")
    assert watched.focused() == visible[1]
    page.keyboard.press("ArrowDown")
    assert watched.focused() == visible[2]
    page.keyboard.press("ArrowUp")
    assert watched.focused() == visible[1]
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    # Typing in the search box: j is a letter, not a jump.
    page.click("#filter-search")
    page.keyboard.type("jk")
    assert watched.focused() == "filter-search"
    assert page.input_value("#filter-search") == "jk"


def test_waived_hidden_by_default_and_shown_by_the_checkbox(watched, expected):
    page = watched.page
    waived = page.locator("#doc-1-c-w4")
    assert waived.is_hidden()
    page.check("#filter-dismissed")
    assert waived.is_visible()
    assert page.locator("#doc-1-c-w5").is_visible()
    assert watched.count_text() == expected.count(expected.total)
    page.uncheck("#filter-dismissed")
    assert waived.is_hidden()


def test_hostile_data_stays_inert(watched):
    page = watched.page
    # Interact with everything, then look for any trace of the payloads running.
    page.check("#filter-dismissed")
    page.fill("#filter-search", "window")
    page.check("#view-section")
    page.keyboard.press("Escape")
    page.click("body", position={"x": 2, "y": 2})
    for key in ("j", "j", "k", "/"):
        page.keyboard.press(key)
    page.locator("#doc-1 details.quiet summary").click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("script").count() == 1
    assert page.locator("img").count() == 0
    assert page.locator("[onerror], [onclick], [onload]").count() == 0
    assert page.locator("b").count() == 0
    hrefs = page.eval_on_selector_all("[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if "javascript" in h.lower()]
    trap = page.locator("#doc-1-c-pwn")
    assert PWN_CLAIM in trap.inner_text()
    assert PWN_NOTE in trap.inner_text()
    assert PWN_URL in trap.inner_text()  # shown as text, not a link
    assert PWN_SECTION in trap.locator(".section-name").inner_text()
