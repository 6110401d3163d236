"""Reading promotion end dates and "last updated" dates in Dutch, English, German and
French, written out and numeric: each format once ended (before TODAY) and once still
running, and the wording that must not be read as a date at all."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import TODAY

from checks.dates import dates_after, http_date, iso_date
from checks.freshness import promotion_ends
from ground.html.facts import LAST_UPDATED

today = date.fromisoformat(TODAY)  # 2026-05-01

# (id, text with {year} for a 4-digit year or {yy} for a 2-digit one, month, day)
FORMATS = [
    ("nl-written", "Actie geldig t/m 31 december {year}, op = op.", 12, 31),
    ("nl-dashes", "Alleen deze week, tot en met 15-03-{year}: gratis bidonhouder.", 3, 15),
    ("nl-slashes-short-year", "Aanbieding geldig tot 31/12/{yy}.", 12, 31),
    ("nl-abbreviated-month", "De actie loopt tot 31 dec. {year}.", 12, 31),
    ("nl-weekday", "Actieprijs geldig t/m zondag 5 januari {year}", 1, 5),
    ("en-day-month", "Offer ends 31 December {year}. Terms apply.", 12, 31),
    ("en-month-day", "Valid until December 31, {year} while stocks last.", 12, 31),
    ("en-ordinal", "Sale ends on 5th January {year}", 1, 5),
    ("en-iso", "Price valid through {year}-12-31", 12, 31),
    ("de-written", "Gültig bis 1. März {year} in allen Filialen.", 3, 1),
    ("de-dots", "Angebot gilt bis 31.12.{year}", 12, 31),
    ("de-weekday", "Nur bis Samstag, 1. März {year}!", 3, 1),
    ("fr-written", "Offre valable jusqu'au 3 janvier {year} inclus.", 1, 3),
    ("fr-le", "Fin de l'offre le 3 janvier {year}.", 1, 3),
    ("fr-premier", "Valable jusqu’au 1er mars {year} dans nos magasins.", 3, 1),
    ("fr-slashes", "Promotion valable jusqu'au 31/12/{year}.", 12, 31),
]


def _text(template: str, year: int) -> str:
    return template.format(year=year, yy=f"{year % 100:02d}")


@pytest.mark.parametrize(
    ("template", "month", "day"), [f[1:] for f in FORMATS], ids=[f[0] for f in FORMATS]
)
def test_an_ended_promotion_is_read_in_every_format(template: str, month: int, day: int):
    text = _text(template, 2024)
    (found,) = promotion_ends(text)
    assert found.day == date(2024, month, day)
    assert found.day < today
    assert "24" in text[found.start : found.end]  # the span read runs up to the date


@pytest.mark.parametrize(
    ("template", "month", "day"), [f[1:] for f in FORMATS], ids=[f[0] for f in FORMATS]
)
def test_a_running_promotion_is_read_as_running(template: str, month: int, day: int):
    (found,) = promotion_ends(_text(template, 2027))
    assert found.day == date(2027, month, day)
    assert found.day >= today


def test_the_formats_cover_four_languages_and_twelve_formats():
    assert {name.split("-")[0] for name, *_ in FORMATS} == {"nl", "en", "de", "fr"}
    assert len(FORMATS) >= 12


@pytest.mark.parametrize(
    "text",
    [
        "Open ma t/m vr 9:00-18:00, za 10-17 uur.",  # opening hours: no date
        "Retourneren kan tot en met 30 dagen na ontvangst.",  # a period, not a date
        "Actie geldig t/m 31 december",  # no year: no verdict
        "Valid until further notice. Since 2019 in Utrecht.",
        "Wir liefern bis 2025 Stück pro Tag.",
        "Livraison gratuite jusqu'au seuil de 50 euros.",
        "Gepubliceerd op 31 december 2024.",  # a date, but no promotion wording before it
    ],
)
def test_text_without_a_promotion_end_date(text: str):
    assert promotion_ends(text) == []


def test_one_promotion_announced_twice_is_one_date():
    """ "Alleen deze week" and "tot en met" both announce the same end date."""
    assert [f.day for f in promotion_ends("Alleen deze week, tot en met 15-03-2025!")] == [
        date(2025, 3, 15)
    ]


def test_every_promotion_on_a_page_in_text_order():
    text = "Kerstdeal geldig t/m 31-12-2024. Zomeractie: offer ends 31 August 2026."
    assert [f.day for f in promotion_ends(text)] == [date(2024, 12, 31), date(2026, 8, 31)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Laatst bijgewerkt: 3 maart 2022", date(2022, 3, 3)),
        ("Last updated: March 3, 2022", date(2022, 3, 3)),
        ("Zuletzt aktualisiert am 03.03.2022", date(2022, 3, 3)),
        ("Mis à jour le 3 mars 2022", date(2022, 3, 3)),
        ("article:modified_time 2022-03-03T10:00:00+01:00", date(2022, 3, 3)),
        ("Laatst bijgewerkt: 1 april 2026", date(2026, 4, 1)),
        ("Laatst bijgewerkt: gisteren", None),
    ],
)
def test_the_date_of_a_last_updated_statement(text: str, expected: date | None):
    found = next(dates_after(text, LAST_UPDATED), None)
    assert (found.day if found else None) == expected


def test_machine_dates():
    assert iso_date("2022-03-03") == date(2022, 3, 3)
    assert iso_date("2022-03-03T10:00:00+01:00") == date(2022, 3, 3)
    assert iso_date("March 2022") is None
    assert http_date("Thu, 03 Mar 2022 10:00:00 GMT") == date(2022, 3, 3)
    assert http_date("yesterday") is None
