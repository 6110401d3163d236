"""The Dutch report in a real headless Chromium, as tests/test_report_browser.py checks the
English one: no English sentence of the catalogue is left on any page, the team page's
filter speaks Dutch, no script error, and the pages lay out on a phone without scrolling
sideways. Screenshots are saved (`pytest -s` prints their paths)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import test_report_browser
from babel.messages.pofile import read_po
from playwright.sync_api import expect
from stored_runs import finding, store_run
from test_report_browser import open_report

from reports.i18n.translator import LOCALE_DIR

browser = test_report_browser.browser  # the English report's Chromium fixture, shared


@pytest.fixture(scope="module")
def dutch_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stored run with findings of several families, compared with an earlier one."""
    from shoplint.cli import main

    tmp = tmp_path_factory.mktemp("dutch-report")
    db, out, config = tmp / "shoplint.db", tmp / "report", tmp / "shoplint.yml"
    store_run(db, [finding("LNK001", "/fietsen/", "/weg/")], pages=1200)
    store_run(
        db,
        [finding("LNK001", f"/pagina-{n}/", "/weg/") for n in range(5)]
        + [
            finding("PAG006", "/kapot/", message="Page answers a server error (500)"),
            finding(
                "FRS001",
                "/acties/",
                message="Promotion ended on 15 March 2025, 630 days ago",
                evidence="Actie geldig t/m 15 maart 2025",
            ),
            finding("IMG004", "/fietsen/", "/img/fiets.jpg", message="Image without alt text"),
        ],
        pages=1234,
    )
    config.write_text("report: {language: nl}\n", encoding="utf-8")
    code = main(["gate", "--config", str(config), "--db", str(db), "--out", str(out)])
    assert code == 1
    return out


def _english_sentences() -> list[str]:
    """The catalogue's English messages of three words or more whose Dutch differs."""
    with (LOCALE_DIR / "nl" / "LC_MESSAGES" / "shoplint.po").open("rb") as file:
        catalogue = read_po(file)
    sentences = []
    for message in catalogue:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for english in ids:
            words = re.sub(r"%\(\w+\)s|\{\w+\}", "|", english).split("|")
            for part in (w.strip(" .,:;()") for w in words):
                if len(part.split()) >= 3 and all(part not in s for s in strings):
                    sentences.append(part)
    return sentences


def test_no_english_is_left_on_any_page(browser, dutch_report):
    english = _english_sentences()
    assert len(english) > 100
    for path in sorted(dutch_report.glob("*.html")):
        page, incidents = open_report(browser, path)
        assert page.get_attribute("html", "lang") == "nl"
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        text = " ".join(page.inner_text("body").split())
        left = [sentence for sentence in english if sentence in text]
        assert not left, f"{path.name}: {left[:5]}"
        assert incidents == []
        page.close()


def test_the_dutch_team_page_filters_and_reads_dutch(browser, dutch_report):
    page, incidents = open_report(browser, dutch_report / "owner-content.html")
    body = page.inner_text("body")
    assert "1.234 pagina's gecontroleerd" in body
    expect(page.locator("#shown")).to_have_text(re.compile(r"^\d+ van \d+ bevindingen getoond$"))
    page.fill("#q", "pagina-3")
    expect(page.locator("#shown")).to_have_text(re.compile(r"^5 van "))  # one row: 5 pages
    assert incidents == []
    page.close()
    page, _ = open_report(browser, dutch_report / "owner-marketing.html")
    assert "Actie afgelopen op 15 maart 2025, 630 dagen geleden" in page.inner_text("body")
    page.close()


def test_the_dutch_pages_fit_a_phone(browser, dutch_report, tmp_path):
    """Longer Dutch words must not push a page sideways on a 390 px screen."""
    shots = []
    for name in ("index.html", "owner-content.html"):
        page, _ = open_report(browser, dutch_report / name, 390)
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name} is {overflow} px too wide"
        path = tmp_path / f"nl-{Path(name).stem}-390.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)
        page.close()
    print("\nScreenshots:", *shots, sep="\n  ")
