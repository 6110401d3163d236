"""The HTML report in a real headless Chromium: a shop whose titles, URLs, anchor texts and
sentences carry script payloads is crawled and reported, and no script of theirs runs: the
payloads show as text. Also: the team page's filter and sort work, and screenshots of the
overview and a team page are saved (their paths are printed; `pytest -s` shows them).

Chromium is Debian's package (/usr/bin/chromium; .ci/run installs it), driven by playwright."""

from __future__ import annotations

import os
import re
from html import escape
from pathlib import Path

import pytest
import yaml
from conftest import CRAWLED, shoplint_in
from fixture_server import FixtureServer, html_page
from stored_runs import finding

from store import SqliteStore

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
if not os.environ.get("CI"):  # in CI a missing browser fails the tests instead
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
        )
    pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

SCRIPT = "<script>window.__pwned = 'script'</script>"
IMAGE = "<img src=x onerror=\"window.__pwned = 'img'\">"
BREAKOUT = "\"'><svg onload=\"window.__pwned='svg'\">"
PAYLOADS = (SCRIPT, IMAGE, BREAKOUT)
TEAM = "Content <b onmouseover=\"window.__pwned='team'\">team</b>"


def evil_shop() -> dict:
    """Pages whose title, anchor texts, alt texts, sentences and link addresses carry the
    payloads (as text, the way a CMS would store what an editor typed)."""
    body = f"""
<h1>{escape(SCRIPT)}</h1>
<p>Lorem ipsum dolor sit amet, {escape(IMAGE)} consectetur adipiscing elit.</p>
<a href="/weg/{escape(BREAKOUT)}">{escape(IMAGE)}</a>
<a href="/kapot/?q=%3Cscript%3E">{escape(SCRIPT)}</a>
<a href="javascript:window.__pwned='href'">{escape(BREAKOUT)}</a>
<img src="/ontbreekt.png" alt="{escape(BREAKOUT)}">
"""
    return {
        "/": html_page(body, title=SCRIPT, links=["/over/"]),
        "/over/": html_page(f"<p>{escape(BREAKOUT)}</p>", title=IMAGE, links=["/gone/"]),
    }


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def evil_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A crawl of the evil shop, plus findings carrying the payloads in every field (so
    every field is proven, whichever rules find what), reported again by `shoplint gate`."""
    tmp = tmp_path_factory.mktemp("evil-shop")
    db, out, config = tmp / "shoplint.db", tmp / "report", tmp / "shoplint-test.yml"
    teams = {
        "content": {"name": TEAM},
        "marketing": {"name": "Marketing"},
        "it": {"name": "IT"},
        "inventory": {"name": "Inventory"},
        "customer-service": {"name": "Customer service"},
    }
    config.write_text(yaml.safe_dump({"crawl": {"retries": 0}, "teams": teams}), encoding="utf-8")
    common = ["--db", str(db), "--out", str(out), "--config", str(config)]
    with FixtureServer(evil_shop()) as site:
        crawled = shoplint_in(tmp, "run", site.url, *common)
    assert crawled.returncode in CRAWLED, crawled.stderr
    injected = [
        finding("PAG010", f"/tekst/{n}/", None, f"Filler text in: {p}", p, site=site.url)
        for n, p in enumerate(PAYLOADS)
    ] + [
        finding("LNK001", f"/?q={BREAKOUT}", f"javascript:{SCRIPT}", SCRIPT, IMAGE, site=site.url),
        finding("LNK001", "/a/", f"/b/?{IMAGE}", BREAKOUT, SCRIPT, site=site.url),
    ]
    store = SqliteStore(str(db))
    store.add_findings(1, injected)
    store.close()
    gate = shoplint_in(tmp, "gate", *common)
    assert gate.returncode == 1, gate.stdout + gate.stderr
    return out


def open_report(browser: Browser, path: Path, width: int = 1280) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    incidents: list[str] = []
    page.on(
        "dialog", lambda dialog: (incidents.append(f"dialog {dialog.message}"), dialog.dismiss())
    )
    page.on("console", lambda message: incidents.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: incidents.append(f"page error {error}"))
    page.on(
        "request",
        lambda request: (
            incidents.append(f"request {request.url}")
            if not request.url.startswith("file:")
            else None
        ),
    )
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, incidents


def test_no_crawled_text_runs_as_script_and_it_shows_literally(browser, evil_report):
    pages = sorted(evil_report.glob("*.html"))
    assert len(pages) == 6  # the overview and five teams
    shown = ""
    for path in pages:
        page, incidents = open_report(browser, path)
        page.mouse.move(300, 300)  # hover handlers, had any slipped through
        page.mouse.move(600, 700)
        assert page.evaluate("window.__pwned") is None, path.name
        assert incidents == [], (path.name, incidents)  # no alert, CSP refusal, error or fetch
        assert page.evaluate("document.scripts.length") == 1, path.name  # the report's own
        handlers = page.evaluate(
            "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
            ".filter(a => a.name.startsWith('on')).map(a => a.name)"
        )
        assert handlers == [], path.name
        hrefs = page.evaluate("[...document.links].map(a => a.getAttribute('href'))")
        assert all(not href.lower().lstrip().startswith("javascript") for href in hrefs)
        assert all(
            href.startswith(
                (
                    "http://",
                    "https://",
                    "owner-",
                    "index.html",
                    "findings.",
                    "junit.",
                    "summary.",
                    "mailto:",
                )
            )
            for href in hrefs
        ), hrefs
        text = page.inner_text("body")
        shown += text
        assert TEAM in text, path.name  # the team's name, in the navigation of every page
        page.close()
    for payload in PAYLOADS:
        assert payload in shown  # as text, character for character
    assert f"javascript:{SCRIPT}" in shown  # a javascript: address is shown, never a link


def test_team_page_filters_and_sorts(browser, evil_report):
    page, incidents = open_report(browser, evil_report / "owner-content.html")
    assert page.is_visible("#toolbar")
    total = page.inner_text("#shown")
    rows = page.locator("section.rule tbody tr")
    everything = rows.count()
    assert everything > 2
    page.fill("#q", "ontbreekt.png")
    expect(page.locator("#shown")).to_have_text(re.compile(r"^1 of "))
    visible = [row for row in rows.all() if row.is_visible()]
    assert len(visible) == 1 and "ontbreekt.png" in visible[0].inner_text()
    assert page.locator("section.family:not([hidden])").count() == 1
    page.fill("#q", "")
    page.select_option("#sort", "page")
    expect(page.locator("#shown")).to_have_text(total)
    first_rule = page.locator("section.rule").first.locator("tbody tr")
    addresses = [row.get_attribute("data-page") for row in first_rule.all()]
    assert addresses == sorted(addresses)
    page.select_option("#severity", "warning")
    expect(page.locator("#shown")).not_to_have_text(total)
    assert all(
        s.get_attribute("data-severity") == "warning"
        for s in page.locator("section.rule:not([hidden])").all()
    )
    assert incidents == []
    page.close()


def test_screenshots_of_the_overview_and_a_team_page(browser, evil_report, tmp_path):
    shots = []
    for name, width in (
        ("index.html", 1280),
        ("owner-content.html", 1280),
        ("owner-content.html", 390),
    ):
        page, _ = open_report(browser, evil_report / name, width)
        path = tmp_path / f"{Path(name).stem}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        page.close()
        assert path.stat().st_size > 10_000
        shots.append(path)
    print("\nScreenshots:", *shots, sep="\n  ")


def test_every_report_page_prints(browser, evil_report, tmp_path):
    """Printing opens every collapsed list, so paper has every page address."""
    page, _ = open_report(browser, evil_report / "owner-content.html")
    page.emulate_media(media="print")
    page.evaluate("dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("[...document.querySelectorAll('details')].every(d => d.open)")
    assert not page.is_visible("#toolbar")
    pdf = tmp_path / "owner-content.pdf"
    page.pdf(path=str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    page.close()
