"""The spelling family's parts: the words judged, the verdicts, the team's text on a page,
the `spelling:` section and `shoplint spelling add`; and the labelled sentences of
tests/data/spelling/, on which precision and recall must stay above their floors."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import lxml.html
import pytest

from checks.context import CheckContext
from checks.page import Page
from checks.spelling.config import SpellingConfig, SpellingSettings
from checks.spelling.dictionaries import dictionaries_version, speller
from checks.spelling.family import check_page, judged, misspellings, words_fact
from checks.spelling.judge import verdict, verdicts
from checks.spelling.neighbours import _search, neighbours
from checks.spelling.text import Place, team_text
from checks.spelling.words import scan
from ground.errors import ConfigError
from ground.model import BrowserFacts, Fetch, Finding, Outcome
from reports.data import ReportedFinding
from reports.grouping import group_findings
from shoplint.config import parse_config
from shoplint.spelling_command import add_words
from store.sqlite import SqliteStore

LABELLED = Path(__file__).parent / "data" / "spelling"
_MARK = re.compile(r"\[([^\]]+)\]")
THRESHOLD = SpellingSettings.of(SpellingConfig()).min_confidence


def _scores(lang: str) -> tuple[float, float, int]:
    """Precision and recall over the language's labelled sentences, and how many there are."""
    found_right = found_wrong = missed = sentences = 0
    for line in (LABELLED / f"{lang}.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        sentences += 1
        marked = set(_MARK.findall(line))
        found = {w for w, _ in misspellings(_MARK.sub(r"\1", line), lang, frozenset(), THRESHOLD)}
        found_right += len(found & marked)
        found_wrong += len(found - marked)
        missed += len(marked - found)
    return (
        found_right / (found_right + found_wrong),
        found_right / (found_right + missed),
        sentences,
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_labelled_sentences_precision_and_recall_floors(lang):
    precision, recall, sentences = _scores(lang)
    assert sentences >= 150
    assert precision >= 0.9, precision
    assert recall >= 0.8, recall


def test_words_left_out_before_any_dictionary():
    text = (
        "Mail info@shop.nl of kijk op https://shop.nl/x. De XT-8000 kost €12,50 en de BTW "
        "is 21%. Een iPhone of PayPal, de Gazelle op zijn best."
    )
    judged = [(w.text, w.capitalised) for w in scan(text).words]
    assert ("BTW", False) not in judged and not any(t in ("iPhone", "PayPal") for t, _ in judged)
    assert not any("@" in t or "/" in t or any(c.isdigit() for c in t) for t, _ in judged)
    assert ("Gazelle", True) in judged  # a capital mid-sentence: judged as a likely name
    assert ("Mail", False) in judged and ("Een", False) in judged  # sentences start


def test_repeated_words_but_not_across_punctuation():
    assert scan("Bekijk De de fiets. Zet de de.").repeated == ("de", "de")
    assert scan("Klaar. Klaar is kees, the, the end").repeated == ()


def test_verdicts_rank_the_likeliest_slip_first_and_doubt_compounds_and_names():
    assert verdict("shiping", "en", False).suggestions[0] == "shipping"
    assert verdict("verzendig", "nl", False) == (("verzending",), 0.9)
    assert verdict("Verzendig", "nl", False).suggestions == ("Verzending",)
    # a compound the dictionary lacks, one joining letter from one it has: no slip
    assert verdict("kinderzitjesbevestiging", "nl", False).confidence < THRESHOLD
    assert verdict("Nexxt", "en", True).confidence < THRESHOLD  # a name mid-sentence
    assert verdict("Shimano", "en", True).suggestions == ()
    # a name mid-sentence cannot reach the bar: its neighbours are not searched for
    assert verdict("Verzendig", "nl", True) == (("Verzending",), 0.5)
    assert verdict("Verzendig", "nl", True, at_least=THRESHOLD) == ((), 0.0)
    assert verdict("Verzendig", "nl", False, at_least=THRESHOLD).confidence == 0.9


def _page(html: str, lang: str = "nl", url: str = "https://shop.test/p/") -> Page:
    fetch = Fetch(url, 0, Outcome.RESPONSE, 200, lang=lang, is_page=True)
    return Page(fetch, lxml.html.fromstring(html))


def _found(ctx: CheckContext, *pages: Page) -> list[Finding]:
    """The family's findings on these pages as a run makes them: each page read (its
    repeated words reported there), then every page's words judged against them all."""
    on_pages = [f for page in pages for f in check_page(page, ctx)]
    facts = [(page.url, fact) for page in pages if (fact := words_fact(page, ctx))]
    return [f for f in (*on_pages, *judged(facts, "https://shop.test/", ctx)) if f is not None]


def _ctx(**spelling) -> CheckContext:
    return CheckContext(
        {}, "https://shop.test/", dt.date(2026, 5, 1), spelling=SpellingConfig(**spelling)
    )


SHOP_PAGE = """<html lang="nl"><head><title>Racefietsn | Fietsen</title>
<script type="application/ld+json">{"@type": "Product", "name": "Vouwfiets Pliant",
 "brand": {"@type": "Brand", "name": "Velozz"}}</script></head><body>
<nav><a href="/">Home</a><a href="/a/">Onderdeelen</a></nav>
<main><h1>Gratis verzendig</h1><p>De Velozz Pliant vouwfiets is licht. Bekijk ook de de
andere onderdelen. De stuurtassen zijn waterdict. Ook de fietstasssen zijn waterdicht.</p>
<section class="reviews"><p>Echt een toppe fietz, snel geleverd!</p></section>
<p class="usp">Betaal met Klarnna</p><button>In winkelwagen</button></main></body></html>"""


def test_a_page_template_slips_are_errors_text_slips_warnings_reviews_ignored():
    found = {(f.code, f.target.split("#:~:text=")[1]) for f in _found(_ctx(), _page(SHOP_PAGE))}
    assert found == {
        ("SPL003", "Racefietsn"),  # the title
        ("SPL003", "Onderdeelen"),  # the navigation
        ("SPL003", "verzendig"),  # a heading
        ("SPL002", "de%20de"),
        ("SPL001", "waterdict"),
        ("SPL001", "fietstasssen"),
    }  # Velozz (the page's own brand), fietz (a review), Klarnna (a name mid-sentence): not


def test_vocabulary_and_ignore_selectors_of_the_config():
    ctx = _ctx(words=["waterdict", "Fietstasssen"], ignore=["nav", "title", "h1"])
    found = {f.target.split("#:~:text=")[1] for f in _found(ctx, _page(SHOP_PAGE))}
    assert found == {"de%20de"}


def test_finding_quotes_the_sentence_and_names_the_suggestion():
    (finding,) = [
        f
        for f in _found(_ctx(), _page(SHOP_PAGE))
        if f.code == "SPL001" and "waterdict" in f.target
    ]
    assert finding.message == "“waterdict” is likely misspelled: did you mean “waterdicht”?"
    assert finding.evidence.startswith("“De stuurtassen zijn waterdict.”")
    assert finding.target == "https://shop.test/p/#:~:text=waterdict"


def test_a_block_in_another_language_is_checked_in_its_own():
    html = """<html lang="nl"><body><main><p>Deze fiets wordt volledig gemonteerd geleverd
    en is klaar om weg te rijden. Bestel vandaag, morgen in huis.</p><p>This bike is delivered
    fully assembled and ready to ride, so you can recieve it and go for a ride today.</p>
    </main></body></html>"""
    found = [f.target.split("#:~:text=")[1] for f in _found(_ctx(), _page(html))]
    assert found == ["recieve"]


def test_template_parts_read_once_in_their_place():
    places = {p.text: p.place for p in team_text(lxml.html.fromstring(SHOP_PAGE), ()).passages}
    assert places["Gratis verzendig"] is Place.HEADING
    assert places["In winkelwagen"] is Place.BUTTON
    assert places["Onderdeelen"] is Place.NAVIGATION
    assert not any("fietz" in text for text in places)


def test_buttons_navigation_code_and_reviews_told_apart():
    html = """<html><body><nav role="navigation"><a href="/x/">Fietsen</a>
    <div role="navigation"><a href="/y/">Tassen</a></div></nav>
    <div role="navigation"><a href="/z/">Acties</a></div>
    <main><a class="big	btn" href="/k/">Bestellen</a><a role="button" href="/w/">Verder</a>
    <a class="btnx" href="/q/">Gewone link</a><input type="submit" value="Verstuur">
    <p>Typ <tt>kwonlyargs</tt> of <samp>rsync</samp> in.</p>
    <p lang="en" translate="no">Gazelle Ultimate</p>
    <div class="x
    review"><p>Mooi fietz</p></div><div id="reviews"><p>Snel geleverd</p></div>
    <span itemprop="brand">Velozz</span><span itemprop="color">Rood</span></main></body></html>"""
    text = team_text(lxml.html.fromstring(html), ())
    places = [(p.place, p.text) for p in text.passages if p.place is not Place.TEXT]
    assert places == [
        (Place.BUTTON, "Bestellen"),
        (Place.BUTTON, "Verder"),
        (Place.BUTTON, "Verstuur"),
        (Place.NAVIGATION, "Fietsen"),
        (Place.NAVIGATION, "Tassen"),  # once, though inside two navigations
        (Place.NAVIGATION, "Acties"),
    ]
    left_out = set(text.ignored.split())
    assert {"kwonlyargs", "rsync", "Gazelle", "fietz", "Snel"} <= left_out
    assert "Bestellen" not in left_out and text.names == "Velozz"


def test_template_parts_hidden_or_inside_left_out_text_are_not_read():
    html = """<html><body><div hidden><h2>Verborgen kopp</h2></div>
    <div style="display: none"><nav><a href="/a/">Onzichtbaar</a></nav></div>
    <div class="reviews"><h3>Klantenreviewz</h3><button>Nutig</button></div>
    <nav><ul><li style="visibility:hidden"><a href="/b/">Weg</a></li>
    <li><a href="/c/">Fietsen</a></li></ul></nav><h2>Zichtbaar</h2></body></html>"""
    text = team_text(lxml.html.fromstring(html), ())
    assert [(p.place, p.text) for p in text.passages if p.place is not Place.TEXT] == [
        (Place.HEADING, "Zichtbaar"),
        (Place.NAVIGATION, "Fietsen"),
    ]


def test_a_word_a_dictionary_cannot_hold_is_taken_as_right():
    # en_US is latin-1: "Łódźa" cannot be looked up there, and what cannot be judged is
    # never reported; a word both dictionaries can hold and reject is still rejected
    assert speller("en").accepts("Łódźa") and not speller("en").accepts("qqxzv")
    assert not list(misspellings("We ship from Łódźa daily.", "en", frozenset(), 0))


def test_config_section_errors_name_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"spelling\.ignore: .*'a\[' is not a CSS selector"):
        parse_config({"spelling": {"ignore": ["a["]}}, "shoplint.yml")
    with pytest.raises(ConfigError, match=r"spelling\.min_confidence"):
        parse_config({"spelling": {"min_confidence": 2}}, "shoplint.yml")
    missing = tmp_path / "words.txt"
    with pytest.raises(ConfigError, match=r"spelling\.words: cannot read .*words\.txt"):
        SpellingSettings.of(SpellingConfig(words=str(missing)))


def test_words_file_read_with_comments_and_spelling_add_keeps_it_sorted(tmp_path):
    path = tmp_path / "shoplint-words.txt"
    path.write_text("# the shop's words\nVelozz\nbakfiets  # a comment\n\n", encoding="utf-8")
    assert SpellingSettings.of(SpellingConfig(words=str(path))).vocabulary == {"velozz", "bakfiets"}
    assert add_words(path, ["Pliant", "bakfiets", "achterwieldrager"]) == (2, 4)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "# the shop's words",
        "achterwieldrager",
        "bakfiets",
        "Pliant",
        "Velozz",
    ]
    with pytest.raises(ConfigError, match="not one word"):
        add_words(path, ["twee woorden"])


def test_reports_group_a_word_across_the_pages_it_is_on():
    ctx = _ctx()
    nav = """<html lang="nl"><body><nav><a href="/x/">Onderdeelen</a></nav><main><p>Welkom in
    onze winkel.</p></main></body></html>"""
    findings = _found(
        ctx, *(_page(nav, url=url) for url in ("https://shop.test/a/", "https://shop.test/b/"))
    )
    assert [f.target for f in findings] == [
        "https://shop.test/a/#:~:text=Onderdeelen",
        "https://shop.test/b/#:~:text=Onderdeelen",
    ]
    (group,) = group_findings(ReportedFinding(f, None, True) for f in findings)
    assert group.pages == 2


def _shop_page(url: str, text: str, heading: str = "Welkom") -> Page:
    html = f"""<html lang="nl"><body><main><h1>{heading}</h1><p>{text}</p></main></body></html>"""
    return _page(html, url=url)


def test_a_word_in_many_of_the_site_texts_is_the_shops_own_a_template_slip_is_not():
    texts = [
        "De stuurtassen zijn waterdict en licht.",
        "Deze fietstassen zijn waterdict, ook in de regen.",
        "Een waterdict zadeldek voor elke fiets.",
    ]
    pages = [
        _shop_page(f"https://shop.test/{i}/", text, "Gratis verzendig")
        for i, text in enumerate(texts)
    ]
    found = {(f.code, f.url, f.target.split("#:~:text=")[1]) for f in _found(_ctx(), *pages)}
    # "waterdict" stands in three different texts: the shop's own word, however close to
    # "waterdicht"; the heading is one text, shown on three pages: a slip on each of them
    assert found == {("SPL003", f"https://shop.test/{i}/", "verzendig") for i in range(3)}
    # in two texts it is still rare, and reported on both pages
    two = {(f.code, f.url) for f in _found(_ctx(), *pages[:2]) if "waterdict" in f.target}
    assert two == {("SPL001", "https://shop.test/0/"), ("SPL001", "https://shop.test/1/")}
    # a bar lowered far enough reaches the frequent word too
    lowered = {f.url for f in _found(_ctx(min_confidence=0.5), *pages) if "waterdict" in f.target}
    assert len(lowered) == 3


def test_vocabulary_words_no_page_uses_are_listed_once():
    ctx = _ctx(words=["Velozz", "waterdict", "Bobike", "XT-8000"])
    pages = [
        _shop_page("https://shop.test/a/", "De Velozz stuurtassen zijn waterdict."),
        _shop_page("https://shop.test/b/", "Ook met de XT-8000 naaf."),
    ]
    (unused,) = [f for f in _found(ctx, *pages) if f.code == "SPL004"]
    assert unused.url == "https://shop.test/" and unused.target is None
    assert unused.message == "Vocabulary words that no page uses any more (spelling.words): 1"
    assert unused.evidence == "Bobike"
    used = _ctx(words=["Velozz"])
    assert not [f for f in _found(used, *pages) if f.code == "SPL004"]


def test_a_slip_only_a_script_wrote_says_so():
    page = _shop_page("https://shop.test/app/", "De stuurtassen zijn waterdict.")
    page.fetch = Fetch(
        page.url, 0, Outcome.RESPONSE, 200, lang="nl", is_page=True, scripted="",
        browser=BrowserFacts("app-shell", source_text="Welkom"),
    )  # fmt: skip
    (finding,) = [f for f in _found(_ctx(), page) if f.code == "SPL001"]
    assert finding.evidence.endswith("; seen only after rendering: not in the page source")
    page = _shop_page(page.url, "De stuurtassen zijn waterdict.")  # read plainly
    (plain,) = [f for f in _found(_ctx(), page) if f.code == "SPL001"]
    assert "rendering" not in plain.evidence


def test_searches_are_remembered_in_the_store_for_the_next_run(tmp_path):
    store = SqliteStore(str(tmp_path / "shoplint.db"))
    version = dictionaries_version()

    def suggested(text: str) -> str:
        page = _shop_page("https://shop.test/", text)
        facts = [(page.url, words_fact(page, _ctx()))]
        (finding,) = [f for f in judged(facts, page.url, _ctx(), store) if f is not None]
        return finding.message.split("did you mean ")[1]

    try:
        assert suggested("De stuurtasssen zijn licht.") == "“stuurtassen”?"
        assert store.spelling_neighbours(version, [("nl", "stuurtasssen")]) == {
            ("nl", "stuurtasssen"): ("stuurtassen",)
        }
        # what an earlier run found is not searched again (here: planted, to tell)
        store.save_spelling_neighbours(version, {("nl", "bagagedragr"): ("bagagedraagr",)})
        assert suggested("De bagagedragr is stevig.") == "“bagagedraagr”?"
        # unless other dictionaries found it
        store.save_spelling_neighbours("other 1.0", {("nl", "spatbordn"): ("spatbordx",)})
        assert "spatbordx" not in suggested("De spatbordn zijn zwart.")
    finally:
        store.close()


def test_many_searches_shared_among_helper_processes_find_what_one_would():
    """Over 100 searches go to two forked helpers (50 or more each): words of the labelled
    sentences with their third letter left out, searched by no other test."""
    words = re.findall(r"\b[a-z]{7,}\b", (LABELLED / "en.txt").read_text(encoding="utf-8"))
    asked = [(w[:2] + w[3:], "en", False, 0.0, False) for w in dict.fromkeys(words)]
    assert len(asked) >= 100
    shared = verdicts(asked)
    for word, lang, *_ in asked[::10]:  # what the helpers found, searched again here
        assert neighbours(lang, word) == _search(lang, word)
    assert shared[("avilable", "en", False, 0.0, False)].suggestions == ("available",)
