"""The browser family: what a page showed while it loaded in Chromium (ground/model.py
BrowserFacts, gathered by the crawl's rendering), judged like any page rule. A page that
was not rendered has no browser facts and no findings here."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from checks.context import CheckContext
from checks.page import Page
from ground.model import Finding

SCRIPT_ERROR, FAILED_REQUEST, IMAGE_NOT_SHOWN, EMPTY_RENDER = (
    "BRW001",
    "BRW002",
    "BRW003",
    "BRW004",
)
_SHOWN_ERRORS = 3  # script error messages quoted in one finding's evidence


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    browser = page.fetch.browser
    if browser is None:
        return
    why = f"rendered in Chromium ({browser.reason})"
    if browser.script_errors:
        errors = browser.script_errors
        shown = "; ".join(errors[:_SHOWN_ERRORS])
        more = f" and {len(errors) - _SHOWN_ERRORS} more" if len(errors) > _SHOWN_ERRORS else ""
        yield ctx.finding(
            SCRIPT_ERROR,
            page.url,
            None,
            f"Script error: {errors[0][:120]}",
            f"{shown}{more}; {why}",
        )
    if ctx.enabled(FAILED_REQUEST):
        allowed = tuple(ctx.option(FAILED_REQUEST, "ignore_paths"))
        for url, answer in browser.failed_requests:
            if allowed and urlsplit(url).path.startswith(allowed):
                continue
            message = f"A call of the page to its site failed ({answer})"
            yield ctx.finding(FAILED_REQUEST, page.url, url, message, why)
    for url in browser.broken_images:
        yield ctx.finding(IMAGE_NOT_SHOWN, page.url, url, "Image did not show in the browser", why)
    if ctx.enabled(EMPTY_RENDER):
        yield _empty(page, ctx, why)


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
