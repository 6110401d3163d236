"""The browser family's rules (checks/browser.py): what only a browser shows, on pages the
crawl rendered in Chromium (crawl.render: auto or always). Owned by IT: they are the
site's scripts, calls and templates failing, not its texts."""

from __future__ import annotations

from checks.catalogue.rule import Option, Rule
from ground.model import Severity as S

RULES = (
    Rule(
        code="BRW001",
        family="browser",
        name="script-error",
        severity=S.ERROR,
        team="it",
        summary="A script of the site throws an error a customer's browser stops on",
        explanation=(
            "While the page loaded in the browser, one of the site's own scripts stopped with an "
            "uncaught error (the messages are in the evidence). What that script should have "
            "done did not happen: a product list that stays empty, a button that does nothing, "
            "a price that never appears. Errors of other sites' scripts (trackers, chat "
            "widgets) are left out. Open the page with the browser's console open to see where."
        ),
    ),
    Rule(
        code="BRW002",
        family="browser",
        name="failed-request",
        severity=S.ERROR,
        team="it",
        summary="A call the page makes to its own site fails (4xx, 5xx or no answer)",
        explanation=(
            "While the page loaded, the browser asked the site for something the page needs "
            "(data from an API, a script, a stylesheet, a font) and got an error or no answer. "
            "On a shop built in JavaScript this is how 'the product list did not load' looks "
            "from outside. The target is the address that failed, the evidence its status."
        ),
        options={
            "ignore_paths": Option(
                default=[],
                type=list[str],
                doc="path prefixes of calls allowed to fail (e.g. an optional widget's API)",
            )
        },
    ),
    Rule(
        code="BRW003",
        family="browser",
        name="image-not-shown",
        severity=S.WARNING,
        team="it",
        summary="An image in the page as the browser built it did not show",
        explanation=(
            "The browser finished loading an image of the page without a picture to show: its "
            "address is wrong (often one a script put together), or the file is not an image "
            "the browser can decode. Customers see an empty frame. The target is the address "
            "the browser tried."
        ),
    ),
    Rule(
        code="BRW004",
        family="browser",
        name="empty-render",
        severity=S.ERROR,
        team="it",
        summary="The page shows nothing, or only an error message, once rendered",
        explanation=(
            "In the browser the page ends up empty, or showing only an error screen such as "
            "'Something went wrong' or 'Er is iets misgegaan': the app behind it failed. A "
            "customer who lands here from a search engine or a newsletter leaves."
        ),
        options={
            "min_words": Option(
                default=5, type=int, doc="fewer visible words than this: an empty page"
            ),
            "error_phrases": Option(
                default=[
                    "something went wrong",
                    "er is iets misgegaan",
                    "er ging iets mis",
                    "application error",
                    "an unexpected error has occurred",
                ],
                type=list[str],
                doc="what an error screen says (lower case), on a page of few words",
            ),
        },
    ),
    Rule(
        code="BRW005",
        family="browser",
        name="hidden-content",
        severity=S.ERROR,
        team="it",
        summary="The page's content stays hidden, or keeps loading, after a script failed",
        explanation=(
            "Once the page had loaded in the browser, its main content was still hidden "
            "(display:none, visibility:hidden, or marked busy with aria-busy) or a loading "
            "indicator (a spinner, a loader, a skeleton) was still showing, and a script of "
            "the site had stopped with an error: the script that was to show the content "
            "never got there. Customers wait for a page that never comes. The evidence names "
            "what stayed hidden and the script error."
        ),
    ),
)
