"""The language checks' reading of a page: its main text, its language and its reading ease,
on shop texts kept in tests/data/texts/ (their verdicts in expected.yml) and small pages.

These run the family's own code on pages parsed as the crawler parses them; the crawl
itself is tested by the rule cases (tests/rules/LNG*.yml) and on the demo shop.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import lxml.html
import pytest
import textstat
import yaml
from textstat.backend import metrics

from checks import language
from checks.context import CheckContext
from checks.main_text import main_blocks
from checks.page import Page
from checks.readability import BANDS, score, split_sentences
from checks.text_language import detected_language, language_of_tag
from ground.errors import ConfigError
from ground.html.extract import page_facts, parse_html
from ground.model import Fetch, Finding, Outcome
from shoplint.config import parse_config

TEXTS = Path(__file__).parent / "data" / "texts"
EXPECTED = yaml.safe_load((TEXTS / "expected.yml").read_text(encoding="utf-8"))
VERDICTS = {language.VERY_DIFFICULT: "error", language.DIFFICULT: "warning"}
URL = "https://shop.example/page/"


def _page(html: str | bytes, url: str = URL) -> Page:
    body = html.encode() if isinstance(html, str) else html
    doc = parse_html(body, "utf-8")
    fetch = Fetch(url, 0, Outcome.RESPONSE, 200, is_page=True, lang=page_facts(doc).lang)
    return Page(fetch, doc)


def _findings(page: Page) -> list[Finding]:
    ctx = CheckContext({}, URL, dt.date(2026, 5, 1))
    return [f for f in language.check_page(page, ctx) if f is not None]


def _text(name: str) -> Page:
    return _page((TEXTS / name).read_bytes())


# -- the fixture texts --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shop_texts_are_judged_as_expected(name: str):
    findings = _findings(_text(name))
    verdicts = [VERDICTS[f.code] for f in findings if f.code in VERDICTS]
    assert verdicts == ([] if EXPECTED[name]["verdict"] == "pass" else [EXPECTED[name]["verdict"]])
    assert not [f for f in findings if f.code == language.MISMATCH]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shop_texts_languages_are_detected(name: str):
    text = " ".join(main_blocks(_text(name).doc))
    assert detected_language(text) == language_of_tag(EXPECTED[name]["lang"])


def test_a_text_of_bullet_lists_is_scored_fairly():
    """textstat on the plain text runs the list items together into one long sentence and
    calls it difficult; scored block by block it is plain."""
    page = _text("nl_features_list.html")
    textstat.set_lang("nl")
    naive = textstat.flesch_reading_ease(page.doc.find(".//main").text_content())
    fair = score(main_blocks(page.doc), "nl").score
    assert naive < 45 and fair >= 60


def test_the_hardest_sentences_are_quoted_with_the_score_and_the_target():
    (finding,) = _findings(_text("nl_terms_convoluted.html"))
    assert finding.code == language.VERY_DIFFICULT and finding.severity == "error"
    assert finding.message.startswith("Very difficult to read: reading ease 26 (Flesch-Douma")
    assert finding.message.endswith("aim for at least 60: short sentences, everyday words")
    assert finding.evidence.startswith("3 of 4 sentences have more than 25 words. Hardest: “4.")
    assert finding.evidence.count("“") == 3 and "Artikel 4" not in finding.evidence


# -- scoring ----------------------------------------------------------------------------------

PLAIN = (
    "De fiets is licht en sterk. Je rijdt er makkelijk mee naar je werk. "
    "Het frame is van aluminium en de banden zijn breed. Zo rijd je comfortabel over elke weg."
)


@pytest.mark.parametrize("lang", ["nl", "de", "fr", "es", "it"])
def test_scores_are_textstats_on_text_it_splits_correctly(lang: str):
    """Where textstat's own splitting is right, the score is textstat's, to the decimal.
    (English too uses textstat's formula and its syllable source, CMUdict; textstat itself
    cannot run English here: it downloads CMUdict through NLTK.)"""
    textstat_function = getattr(metrics, BANDS[lang]["textstat"])
    assert score([PLAIN], lang).score == pytest.approx(textstat_function(PLAIN, lang))


def test_languages_scored_in_one_run_never_share_a_setting():
    english = "The bike is light and strong. You ride it to work with ease. It has seven gears."
    first = score([PLAIN], "nl").score
    score([english], "en")
    textstat.set_lang("de")  # textstat's global setting is not ours
    assert score([PLAIN], "nl").score == first
    assert score([PLAIN], "de").score != first


@pytest.mark.parametrize(
    ("block", "lang", "sentences"),
    [
        (
            "Wij leveren o.a. Gazelle en Sparta, bijv. de Esprit. Prijs € 1.099,00 excl. BTW. "
            "Kijk ook bij J. Jansen.",
            "nl",
            [
                "Wij leveren o.a. Gazelle en Sparta, bijv. de Esprit.",
                "Prijs € 1.099,00 excl. BTW.",
                "Kijk ook bij J. Jansen.",
            ],
        ),
        (
            "Fits most racks, e.g. Thule and Topeak. Weighs approx. 2 kg. Open Mon. to Sat.",
            "en",
            [
                "Fits most racks, e.g. Thule and Topeak.",
                "Weighs approx. 2 kg.",
                "Open Mon. to Sat.",
            ],
        ),
        (
            "Passt z.B. an Thule. Ca. 2 kg inkl. Halter.",
            "de",
            ["Passt z.B. an Thule.", "Ca. 2 kg inkl. Halter."],
        ),
        (
            "Echt? Ja! Zie hieronder... Of niet.",
            "nl",
            ["Echt?", "Ja!", "Zie hieronder...", "Of niet."],
        ),
        ('Hij zei: "Kom morgen." Dan gaan we.', "nl", ['Hij zei: "Kom morgen."', "Dan gaan we."]),
    ],
)
def test_abbreviations_and_numbers_do_not_end_sentences(block, lang, sentences):
    assert split_sentences(block, lang) == sentences


def test_list_items_are_sentences_and_labels_are_left_out():
    page = _page(
        "<main><h2>Kenmerken</h2><ul><li>Drie versnellingen in de naaf</li>"
        "<li>Lampen op de dynamo</li></ul><table><tr><th>Gewicht</th><td>18 kg</td></tr>"
        "</table><p>Gratis bezorgd.</p></main>"
    )
    blocks = main_blocks(page.doc)
    assert blocks == [
        "Kenmerken",
        "Drie versnellingen in de naaf",
        "Lampen op de dynamo",
        "Gewicht",
        "18 kg",
        "Gratis bezorgd.",
    ]
    counted = score(blocks, "nl")
    assert [s.text for s in counted.sentences] == [
        "Drie versnellingen in de naaf",
        "Lampen op de dynamo",
        "Gratis bezorgd.",
    ]
    assert counted.words == 11


# -- the main text ----------------------------------------------------------------------------

FURNISHED = """<html lang="nl"><body>
<div id="CybotCookiebotDialog"><p>Wij gebruiken cookies.</p></div>
<header><p>Gratis verzending vanaf 50 euro</p><nav><a href="/">Home</a></nav></header>
<div class="content">
  <nav class="breadcrumbs"><a href="/">Home</a></nav>
  <h1>Over ons</h1>
  <p>Wij zijn een <b>fietsenwinkel</b> in Utrecht.</p>
  <p hidden>Verborgen tekst.</p>
  <p style="display: none">Ook verborgen.</p>
  <div aria-hidden="true">Voor schermlezers verborgen.</div>
  <form><label>E-mail</label><button>Aanmelden</button></form>
  <aside><p>Bekijk ook onze acties.</p></aside>
  <div role="dialog"><p>Meld je aan voor de nieuwsbrief.</p></div>
  <p class="product-description">Deze fiets is licht.</p>
  <script>var x = "geen tekst";</script>
</div>
<footer><p>© 2026 De Spaak</p></footer>
</body></html>"""


def test_without_main_the_body_is_read_without_furniture_and_the_tree_is_left_alone():
    page = _page(FURNISHED)
    before = lxml.html.tostring(page.doc)
    assert main_blocks(page.doc) == [
        "Over ons",
        "Wij zijn een fietsenwinkel in Utrecht.",
        "Deze fiets is licht.",
    ]
    assert lxml.html.tostring(page.doc) == before


def test_main_article_and_description_are_found_in_that_order():
    description = '<div itemprop="description"><p>Beschrijving.</p></div>'
    article = f"<article><h1>Titel</h1>{description}</article>"
    assert main_blocks(_page(f"<main><p>Hoofd.</p>{article}</main>").doc)[0] == "Hoofd."
    assert main_blocks(_page(f"<p>Buiten.</p>{article}").doc) == ["Titel", "Beschrijving."]
    assert main_blocks(_page(f"<p>Buiten.</p>{description}").doc) == ["Beschrijving."]


def test_configured_selectors_pick_the_main_text_per_kind_of_page():
    page = _page(FURNISHED)
    assert main_blocks(page.doc, [".product-description", "h1"]) == ["Deze fiets is licht."]
    assert main_blocks(page.doc, [".absent", "h1"]) == ["Over ons"]


def test_a_long_text_is_read_up_to_max_words():
    paragraphs = "".join(f"<p>Zin nummer {i} gaat over fietsen.</p>" for i in range(100))
    blocks = main_blocks(_page(f"<main>{paragraphs}</main>").doc, max_words=50)
    assert len(blocks) == 9  # 6 words each: the block that passes 50 is the last


NESTED = (
    "<main><div>Intro words here<p>One two three</p>after p<ul><li>four five</li><li>six</li>"
    "</ul>after list</div>after div <span>inline</span><p>seven eight</p>end of main</main>"
    "<article><p>Second root</p></article>"
)


@pytest.mark.parametrize("full_first", [False, True])
def test_max_words_gives_what_a_walk_stopping_there_gives_whatever_was_read_before(full_first):
    """The page is walked once for every reader; one wanting the first words gets what a
    walk that stopped there always gave: the text and tails it passed on its way out."""
    doc = _page(NESTED).doc
    if full_first:
        assert main_blocks(doc, ["main", "article"]) == [
            "Intro words here",
            "One two three",
            "after p",
            "four five",
            "six",
            "after list",
            "after div inline",
            "seven eight",
            "end of main",
        ]
    assert main_blocks(doc, ["main", "article"], 1) == [
        "Intro words here",
        "One two three",  # a block without children, begun as the words ran out
        "after pafter div",
    ]
    other = _page("<main><p>Another page.</p></main>").doc
    assert main_blocks(other, max_words=1) == main_blocks(other) == ["Another page."]
    assert main_blocks(doc, ["main", "article"], 9) == [
        "Intro words here",
        "One two three",
        "after p",
        "four five",
        "after list",
        "after div",
    ]


# -- declared and detected language -----------------------------------------------------------


def test_a_dutch_text_under_an_english_template_is_reported_and_scored_as_dutch():
    page = _page(
        (TEXTS / "nl_terms_convoluted.html").read_text().replace('lang="nl"', 'lang="en-GB"')
    )
    by_code = {f.code: f for f in _findings(page)}
    mismatch = by_code[language.MISMATCH]
    assert (mismatch.severity, mismatch.owner) == ("info", "it")
    assert mismatch.message == "The page declares English (en), but its text is Dutch (nl)"
    assert mismatch.evidence.startswith('<html lang="en-GB">; text: “Algemene voorwaarden')
    assert "Flesch-Douma, Dutch" in by_code[language.VERY_DIFFICULT].message


def test_pages_that_declare_nothing_use_the_detected_language_or_the_default():
    body = (TEXTS / "nl_terms_convoluted.html").read_text().replace(' lang="nl"', "")
    assert [f.code for f in _findings(_page(body))] == [language.VERY_DIFFICULT]
    assert language_of_tag("x-default") is None and language_of_tag("nl_BE").code == "nl"


def test_short_texts_are_not_judged():
    page = _page(
        "<html lang='en'><main><p>Deze tekst is veel te kort om iets over te zeggen, "
        "ook al is hij Nederlands.</p></main></html>"
    )
    assert _findings(page) == []


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (
            {"LNG001": {"content_selectors": {"*/product/*": ["div["]}}},
            "LNG001.options.content_selectors.*/product/*: 'div[' is not a CSS selector",
        ),
        ({"LNG002": {"below": {"nl": "hoog"}}}, "LNG002.options.below.nl: a score"),
        ({"LNG001": {"min_words": 0}}, "LNG001.options.min_words: a number of words"),
    ],
)
def test_options_that_would_fail_on_every_page_fail_when_the_configuration_is_loaded(
    options, error
):
    checks = {code: {"options": values} for code, values in options.items()}
    with pytest.raises(ConfigError, match=re.escape(error)):
        parse_config({"checks": checks}, "shoplint.yml")
