"""The browser family: what a page showed while it loaded in Chromium (ground/model.py
BrowserFacts, gathered by the crawl's rendering), judged like any page rule. A page that
was not rendered has no browser facts and no findings here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from urllib.parse import urlsplit

from checks.context import CheckContext
from checks.page import Page
from ground.model import Finding

SCRIPT_ERROR, FAILED_REQUEST, IMAGE_NOT_SHOWN, EMPTY_RENDER, HIDDEN_CONTENT = (
    "BRW001",
    "BRW002",
    "BRW003",
    "BRW004",
    "BRW005",
)
_SHOWN = 3  # distinct messages of a script (answers of a call) quoted in one finding


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    browser = page.fetch.browser
    if browser is None:
        return
    why = f"rendered in Chromium ({browser.reason})"
    if ctx.enabled(SCRIPT_ERROR):
        for script, errors in _by_where(browser.script_errors).items():
            message = f"Script error: {errors[0][0][:120]}"
            evidence = f"{_counted(errors)}; {why}"
            yield ctx.finding(SCRIPT_ERROR, page.url, script or None, message, evidence)
    if ctx.enabled(FAILED_REQUEST):
        allowed = tuple(ctx.option(FAILED_REQUEST, "ignore_paths"))
        for url, answers in _by_where(browser.failed_requests).items():
            if allowed and urlsplit(url).path.startswith(allowed):
                continue
            message = f"A call of the page to its site failed ({answers[0][0]})"
            yield ctx.finding(FAILED_REQUEST, page.url, url, message, f"{_counted(answers)}; {why}")
    for url in browser.broken_images:
        yield ctx.finding(IMAGE_NOT_SHOWN, page.url, url, "Image did not show in the browser", why)
    if ctx.enabled(EMPTY_RENDER):
        yield _empty(page, ctx, why)
    if browser.hidden and browser.script_errors:  # the script that was to show it failed
        message = "Content stays hidden after a script error"
        evidence = f"{', '.join(browser.hidden)}; script error: {browser.script_errors[0][1]}"
        yield ctx.finding(HIDDEN_CONTENT, page.url, None, message, f"{evidence}; {why}")


def _by_where(seen: tuple[tuple[str, str, int], ...]) -> dict[str, list[tuple[str, int]]]:
    """What the browser saw, (where, what, times), by where: one finding per script or call
    and page, so the same one failing on many pages shares its target, and the report
    shows it as one row."""
    grouped: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for where, what, times in seen:
        grouped[where].append((what, times))
    return grouped


def _counted(said: list[tuple[str, int]]) -> str:
    """What was said, each with how often (a script failing in a loop is one line)."""
    shown = "; ".join(f"{what} ({n} times)" if n > 1 else what for what, n in said[:_SHOWN])
    return shown + (f" and {len(said) - _SHOWN} more" if len(said) > _SHOWN else "")


def _empty(page: Page, ctx: CheckContext, why: str) -> Finding | None:
    words = page.visible_text.split()
    if len(words) >= 3 * ctx.option(EMPTY_RENDER, "min_words") + 20:
        return None  # a page with text to read is no error screen, whatever it says
    text = " ".join(words).lower()
    said = next((p for p in ctx.option(EMPTY_RENDER, "error_phrases") if p in text), None)
    if said is not None:
        return ctx.finding(EMPTY_RENDER, page.url, None, f"The page shows an error: '{said}'", why)
    if len(words) < ctx.option(EMPTY_RENDER, "min_words"):
        return ctx.finding(EMPTY_RENDER, page.url, None, "The page is empty in the browser", why)
    return None
