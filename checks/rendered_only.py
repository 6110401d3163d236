"""Findings on a page read in the browser whose subject its HTML source does not hold say
so in their evidence: a content editor looking in the page source (or in the CMS field
behind it) would not find that link or text, a script put it there. One place for every
family: the page rules' findings and the site rules' pass through here (checks/engine.py),
and only those on rendered pages are looked at.

The subject of a finding is
1. its target, when that is an address of the page: seen only after rendering when one of
   the page's references the browser showed, and not its source, has it (Fetch.scripted);
2. else (no target, or a text fragment's), the text its message quotes (the rule naming
   what it found), else the text its evidence quotes, else the lines of its evidence
   (a snippet, with the text around what was found): seen only after rendering when some
   of it is in the rendered page's visible text and none of that is in its source's.
   Known on the page rules' side only: the site rules see no page text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cached_property

from checks.context import EVIDENCE_LIMIT, clipped
from checks.page import Page, once_a_page
from ground.model import Fetch, Finding

NOTE = "seen only after rendering: not in the page source"
_TEXT_FRAGMENT = "#:~:text="  # a target that opens the page at a text (spelling)
_QUOTED = re.compile(r"“([^”]+)”|‘([^’]+)’|\"([^\"]+)\"|'([^']+)'")
_SHORTEST = 3  # characters: a shorter quote tells nothing about where it came from ('NaN')


class RenderedOnly:
    """What one rendered page showed that its HTML source did not."""

    def __init__(self, scripted: str, text: str | None = None, source_text: str | None = None):
        self.addresses = frozenset(scripted.split("\n")) if scripted else frozenset()
        self._texts = (text, source_text)

    @cached_property
    def text(self) -> str | None:
        """The rendered page's visible text, folded: only when a finding quotes a text."""
        return _folded(self._texts[0]) if self._texts[0] is not None else None

    @cached_property
    def source_text(self) -> str | None:
        return _folded(self._texts[1]) if self._texts[1] is not None else None

    @staticmethod
    @once_a_page
    def of_page(page: Page) -> RenderedOnly:
        """The page's, once: the page rules and spelling both ask."""
        browser = page.fetch.browser
        source_text = browser.source_text if browser is not None else None
        return RenderedOnly(page.fetch.scripted or "", page.visible_text, source_text)

    def marked(self, finding: Finding) -> Finding:
        """The finding, its evidence saying so when its subject only showed in the browser."""
        if not self._only_rendered(finding):
            return finding
        return replace(finding, evidence=noted(finding.evidence))

    def shows_only(self, quoting: str) -> bool:
        """The texts `quoting` quotes are in the rendered page's text, not in its source."""
        return self._only_in_text(_pieces(_quoted(quoting)))

    def _only_rendered(self, finding: Finding) -> bool:
        target = finding.target
        if target and _TEXT_FRAGMENT not in target:
            return target in self.addresses
        return self._only_in_text(_quotes(finding))

    def _only_in_text(self, quotes: list[str]) -> bool:
        if self.text is None or self.source_text is None:
            return False
        shown = [quote for quote in quotes if quote in self.text]
        return bool(shown) and not any(quote in self.source_text for quote in shown)


def noted(evidence: str | None) -> str:
    """Evidence saying its subject showed only in the browser."""
    if not evidence:
        return NOTE
    return f"{clipped(evidence, EVIDENCE_LIMIT - len(NOTE) - 2)}; {NOTE}"


def marked_on_site(findings: Iterable[Finding], fetches: Mapping[str, Fetch]) -> list[Finding]:
    """The site rules' findings, those on rendered pages marked by their addresses."""
    rendered = {url: f.scripted for url, f in fetches.items() if f.scripted}
    if not rendered:
        return list(findings)
    pages: dict[str, RenderedOnly] = {}
    kept = []
    for finding in findings:
        if finding.url in rendered:
            if finding.url not in pages:
                pages[finding.url] = RenderedOnly(rendered[finding.url])
            finding = pages[finding.url].marked(finding)
        kept.append(finding)
    return kept


def _quotes(finding: Finding) -> list[str]:
    """The texts a finding quotes (section 2 of this module's docstring), in pieces: an
    ellipsis marks what was left out."""
    evidence = finding.evidence or ""
    quoted = _quoted(finding.message) or _quoted(evidence)
    if not quoted and not evidence.startswith("<"):  # an HTML tag is no text of the page
        quoted = evidence.splitlines()
    return _pieces(quoted)


def _pieces(quoted: list[str]) -> list[str]:
    """The quotes, folded, cut where an ellipsis marks what was left out."""
    pieces = (piece for quote in quoted for piece in re.split(r"…|\.\.\.", quote))
    return [folded for piece in pieces if len(folded := _folded(piece)) >= _SHORTEST]


def _quoted(said: str) -> list[str]:
    return [next(group for group in m.groups() if group) for m in _QUOTED.finditer(said)]


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()
