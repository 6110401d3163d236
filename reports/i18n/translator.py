"""One language of the reports: its gettext catalogue and Babel's formats.

English is the language the code is written in, so it needs no catalogue; Dutch is read
from locale/nl/LC_MESSAGES/shoplint.mo (compiled by `pybabel compile`, shipped with the
package). A text without a translation shows in English: a test keeps that from shipping.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from babel.support import Translations

from reports.i18n.messages import FindingTexts

if TYPE_CHECKING:
    from checks.registry import Rule

LANGUAGES = ("en", "nl")  # report.language
DOMAIN = "shoplint"
LOCALE_DIR = Path(__file__).parent / "locale"
_LOCALES = {"en": "en_GB", "nl": "nl_NL"}  # en_GB: "5 December 2026", as the checks write dates


class Translator:
    """Every word and number a report shows goes through here."""

    def __init__(self, language: str):
        if language not in LANGUAGES:
            raise ValueError(f"{language!r}: unknown language (known: {', '.join(LANGUAGES)})")
        self.language = language
        self.locale = Locale.parse(_LOCALES[language])
        self.translations: gettext.NullTranslations = (
            gettext.NullTranslations()
            if language == "en"
            else Translations.load(str(LOCALE_DIR), [language], DOMAIN)
        )
        self._texts = FindingTexts(self) if language != "en" else None

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)

    def has(self, message: str, context: str | None = None) -> bool:
        """Whether the catalogue translates `message` (English always does)."""
        if self.language == "en":
            return True
        key = f"{context}\x04{message}" if context else message
        return bool(getattr(self.translations, "_catalog", {}).get(key))

    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def day(self, value: date | str) -> str:
        """A date written out: 5 December 2026, 5 december 2026."""
        day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
        return format_date(day, "long", locale=self.locale)

    def language_name(self, english: str) -> str:
        """A language named in English ("Dutch", as the checks name it) in this language."""
        code = _english_language_codes().get(english.casefold())
        return self.locale.languages.get(code, english) if code else english

    def severity(self, severity: str) -> str:
        return self.pgettext("severity", str(severity))

    def moment(self, value: str) -> str:
        """An ISO-8601 time stamp written out: 6 Dec 2026, 02:44:58."""
        return format_datetime(datetime.fromisoformat(value), "medium", locale=self.locale)

    def severity_count(self, severity: str, n: int) -> str:
        """A count's severity in words: "errors", "fouten"."""
        if severity == "error":
            return self.ngettext("error", "errors", n)
        if severity == "warning":
            return self.ngettext("warning", "warnings", n)
        return self.ngettext("info", "info", n)

    def family(self, family: str) -> str:
        return self.pgettext("family", family)

    def rule_name(self, rule: Rule) -> str:
        return self.pgettext("rule name", rule.name)

    def summary(self, rule: Rule) -> str:
        return self.gettext(rule.summary)

    def explanation(self, rule: Rule) -> str:
        return self.gettext(rule.explanation)

    def text(self, text: str | None) -> str:
        """A finding's message (or evidence) in this language: the checks write English,
        and the store keeps it so; see messages.py for how it is matched."""
        if not text or self._texts is None:
            return text or ""
        return self._texts.translate(text)


@cache
def _english_language_codes() -> dict[str, str]:
    return {name.casefold(): code for code, name in Locale.parse("en").languages.items()}


@cache
def translator(language: str = "en") -> Translator:
    return Translator(language)
