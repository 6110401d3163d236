"""Words the reports show that come from data, not from a sentence in the code: severities,
run statuses, how a checkout flow ended. Listed here so that `pybabel extract` finds them;
`Translator.pgettext(context, word)` translates them where they are shown."""

from __future__ import annotations


def pgettext(context: str, message: str) -> str:
    """Marks `message` in `context` for extraction (Babel's default keyword)."""
    return message


WORDS = (
    pgettext("severity", "error"),
    pgettext("severity", "warning"),
    pgettext("severity", "info"),
    pgettext("run status", "running"),
    pgettext("run status", "complete"),
    pgettext("run status", "interrupted"),
    pgettext("run status", "failed"),
    pgettext("flow end", "completed"),
    pgettext("flow end", "stopped"),
    pgettext("flow end", "handed-over"),
    pgettext("flow end", "failed"),
)
