"""The reports in the team's language: gettext catalogues (locale/, made with Babel from the
code, the templates and the rule catalogue) and Babel's formats for numbers, dates and
prices. `translator(language)` is the one way in; the README says how to update the
catalogues."""

from reports.i18n.messages import N_
from reports.i18n.translator import LANGUAGES, Translator, translator

__all__ = ["LANGUAGES", "N_", "Translator", "translator"]
