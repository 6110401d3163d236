"""The pages family's rules (checks/pages.py): pages that are missing or only pretend to
exist, pages the server fails on, pages no customer can reach, and text a customer should
never see."""

from __future__ import annotations

from checks.catalogue.rule import Option, Rule
from ground.model import Severity as S

RULES = (
    Rule(
        code="PAG001",
        family="pages",
        name="sitemap-lists-missing-page",
        severity=S.ERROR,
        team="content",
        summary="The sitemap lists an address that does not work (4xx, 5xx, or a redirect to one)",
        explanation=(
            "The sitemap is the list of pages the shop asks search engines to show. This address "
            "is on it, but opening it gives 'not found', 'gone', a server error, or redirects to "
            "such a page or in a loop. Search engines keep sending customers to it, and they land "
            "on an error page. If the page is gone for good, take it out of the sitemap (and "
            "redirect it to its successor); if it should exist, put it back online."
        ),
    ),
    Rule(
        code="PAG002",
        family="pages",
        name="sitemap-lists-redirect",
        severity=S.WARNING,
        team="content",
        summary="The sitemap lists an address that redirects to another page",
        explanation=(
            "The sitemap should list every page under its own, current address. This address "
            "redirects elsewhere (a renamed product, a moved page), so search engines keep the old "
            "address and reach the page one detour later, and may show the old one in results. "
            "Replace the address in the sitemap with the one it redirects to; most shops rebuild "
            "the sitemap from the catalogue, so check why the old address is still produced."
        ),
    ),
    Rule(
        code="PAG003",
        family="pages",
        name="orphan-page",
        severity=S.INFO,
        team="content",
        summary="A page in the sitemap that no page of the shop links to",
        explanation=(
            "The page is listed in the sitemap, but no page of the shop links to it: a customer "
            "browsing the shop can never get there, only through a search engine or an old "
            "bookmark. Often it is a page that was meant to be taken down, or a new page someone "
            "forgot to link from a menu or category. Link it from where customers would look for "
            "it, or take it offline and out of the sitemap."
        ),
    ),
    Rule(
        code="PAG004",
        family="pages",
        name="soft-404",
        severity=S.WARNING,
        team="content",
        summary="A page that answers 200 OK but says it does not exist (a 'soft 404')",
        explanation=(
            "The page tells visitors it does not exist ('Pagina niet gevonden', 'page not found'), "
            "or looks exactly like the shop's not-found page, while the server reports it as a "
            "normal, working page. Customers who follow a link or a search result land on a dead "
            "end, and link checks and search engines cannot see that it is missing, so the links "
            "to it are never fixed. Remove the page properly (so it answers 404 or 410, or "
            "redirects to a page that replaces it) and update the links that lead to it."
        ),
        options={
            "max_main_words": Option(
                default=150, type=int, doc="main text longer than this is a real page"
            ),
        },
    ),
    Rule(
        code="PAG005",
        family="pages",
        name="missing-pages-not-404",
        severity=S.WARNING,
        team="it",
        summary="The site answers an address that does not exist with something other than 404",
        explanation=(
            "shoplint asked the site for an address that cannot exist. The site did not answer "
            "'404 Not Found' but showed a normal page (200 OK), redirected to another page, or "
            "failed with a server error. Then every removed page and every mistyped link looks "
            "like a working page to browsers, search engines and link checkers: broken links go "
            "unnoticed and search engines fill up with copies of the error page. Configure the "
            "shop to answer unknown addresses with status 404 (the page may stay as friendly as "
            "it is)."
        ),
    ),
    Rule(
        code="PAG006",
        family="pages",
        name="server-error-page",
        severity=S.ERROR,
        team="it",
        summary="A page of the shop that answers a server error (5xx)",
        explanation=(
            "The server fails when this page is opened: it answers a server error (500 and up), "
            "so customers see an error page instead of the product or information. The page "
            "itself may be fine; something behind it (a database, a plug-in, a feed) is broken. "
            "This is for the IT team: open the address, look in the server's error log for it, "
            "and fix the cause."
        ),
    ),
    Rule(
        code="PAG007",
        family="pages",
        name="visible-error-message",
        severity=S.ERROR,
        team="it",
        summary=(
            "An error message on a working page ('Er is iets misgegaan', 'Something went wrong')"
        ),
        explanation=(
            "Part of the page failed and says so to the customer: a recommendation block, a "
            "price feed, a review widget or a payment list shows 'Er is iets misgegaan' or a "
            "similar error instead of its content. The rest of the page works, so nobody notices "
            "from the server's point of view, but customers lose trust and may not find what they "
            "came for. This is for the IT team: find the failing part of the page and fix it, or "
            "hide it when it fails."
        ),
    ),
    Rule(
        code="PAG008",
        family="pages",
        name="visible-stack-trace",
        severity=S.ERROR,
        team="it",
        summary="A program's stack trace shown on the page",
        explanation=(
            "The page shows the technical report of a program crash (a 'stack trace' from "
            "Python, Java, PHP, .NET or JavaScript), with file names and line numbers. Customers "
            "see gibberish where content should be, and attackers learn how the shop is built. "
            "This is for the IT team: fix the error, and configure the shop to log such reports "
            "instead of showing them."
        ),
    ),
    Rule(
        code="PAG009",
        family="pages",
        name="unrendered-template-code",
        severity=S.ERROR,
        team="content",
        summary="Template code shown on the page ({{ ... }}, {% ... %}, ${...})",
        explanation=(
            "The page shows template code such as '{{ product.naam }}' where a product name, a "
            "price or a sentence should be. It usually comes from a text pasted into the shop's "
            "editor with a placeholder the editor does not fill in, or from a template with a "
            "typing error. Customers see the raw code and the page looks broken. Replace the "
            "placeholder with the real text; if it is in a template, ask IT to fix it."
        ),
    ),
    Rule(
        code="PAG010",
        family="pages",
        name="filler-text",
        severity=S.ERROR,
        team="content",
        summary="Filler text on the page ('Lorem ipsum', 'tekst volgt')",
        explanation=(
            "The page still contains the dummy text that stood in while it was being designed "
            "('Lorem ipsum dolor sit amet', 'Hier komt de tekst'). Customers read nonsense where "
            "a description should be, and the shop looks unfinished. Write the real text, or "
            "take the page offline until it is ready."
        ),
    ),
    Rule(
        code="PAG011",
        family="pages",
        name="missing-value",
        severity=S.ERROR,
        team="it",
        summary="'NaN', 'undefined' or 'null' shown where a price or name should be",
        explanation=(
            "Where the page should show a price or a product name it shows 'NaN', 'undefined' or "
            "'null': the words programs use for a value they do not have. Customers cannot see "
            "what the product costs (and will not buy it), and the shop looks broken. It usually "
            "means a product's price or name is missing in the data the page is built from, or a "
            "script that formats prices fails. This is for the IT team; check the product's data "
            "in the shop too."
        ),
    ),
    Rule(
        code="PAG012",
        family="pages",
        name="crawler-trap",
        severity=S.WARNING,
        team="it",
        summary="Part of the shop generates new addresses without end (a crawler trap)",
        explanation=(
            "The shop links from page to page to addresses that never run out: a calendar whose "
            "'next month' goes on forever (/agenda/{year}/{month}/), pagination past the last "
            "page, or an id written into the path that is new on every page (/s/{token}/...: "
            "the same pages over and over under new names). shoplint stopped following the "
            "pattern named in the message (the report's 'Not fetched' line counts what it "
            "skipped), but search engines keep crawling it and spend their visits on empty "
            "pages instead of your products, which costs the shop its ranking. This is for the IT "
            "team: stop linking beyond the real range (no 'next' after the last page or event), "
            "keep session ids out of addresses (a cookie holds them), or disallow the pattern in "
            "robots.txt. If the pages are real, raise crawl.max_template_depth or "
            "crawl.max_path_tokens."
        ),
    ),
    Rule(
        code="PAG013",
        family="pages",
        name="rate-limited-page",
        severity=S.WARNING,
        team="it",
        summary="An address of the shop kept answering '429 Too Many Requests': not checked",
        explanation=(
            "The shop refused to answer this address with '429 Too Many Requests', each time "
            "shoplint asked, also after waiting as long as the shop asked it to (up to "
            "crawl.max_retry_after). Nothing is known about the page or file itself, and "
            "neither the links on it nor anything it would show were checked. Customers are "
            "rarely rate-limited, so this is about the check, not the shop: the IT team can let "
            "shoplint's user agent through the rate limit (or the firewall or CDN rule that "
            "answers 429), or lower crawl.concurrency."
        ),
    ),
)
