"""The seo family's rules (checks/seo.py): what a search engine shows of the shop, and
which of its pages it may show: titles and descriptions, headings, canonical addresses,
language versions (hreflang) and what the sitemap asks to have indexed.

Pages that say `noindex` are left out of the rules about titles, descriptions and
headings: search engines do not list them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from checks.catalogue.rule import Option, Rule, described
from ground.model import Severity as S

Count = described(Annotated[int, Field(ge=1)], "a number, 1 or more")

RULES = (
    Rule(
        code="SEO001",
        family="seo",
        name="missing-title",
        severity=S.ERROR,
        team="marketing",
        summary="A page without a title, or with an empty one",
        explanation=(
            "The page has no <title>, or an empty one. The title is the blue link a search "
            "engine shows for the page and the name of the browser tab; without it the search "
            "engine makes one up from the page, usually badly, and customers cannot tell the "
            "page's tab from the others. Give every page a title that says what is on it, most "
            "important words first: 'Gazelle Esprit C3 stadsfiets | De Spaak'."
        ),
    ),
    Rule(
        code="SEO002",
        family="seo",
        name="duplicate-title",
        severity=S.WARNING,
        team="marketing",
        summary="The same title on several pages that are not the same page",
        explanation=(
            "Several different pages have exactly the same title, so search results show "
            "the same blue link for each and the pages compete with each other: the search "
            "engine picks one, often not the one a customer wanted. A page's variants (the "
            "same address with ?sort= or ?page=, or pages whose canonical link names the same "
            "page) are one page and do not count. All pages sharing the title are one row "
            "in the report. Give each page a title of its own (the product's, the category's "
            "name), usually by fixing the template that writes it."
        ),
    ),
    Rule(
        code="SEO003",
        family="seo",
        name="title-too-long",
        severity=S.INFO,
        team="marketing",
        summary="A title too long to show in full in search results",
        explanation=(
            "Search engines cut titles off at about 600 pixels (roughly 60 to 70 characters) "
            "and show '...' instead of the rest: what comes after the cut is lost, often the "
            "shop's name or the part that makes the page different. The width is estimated "
            "from the characters (a W is wider than an i). Put the important words first and "
            "shorten the rest."
        ),
        options={
            "max_chars": Option(default=70, type=Count, doc="characters"),
            "max_pixels": Option(
                default=600, type=Count, doc="estimated width in pixels (Arial 20px)"
            ),
        },
    ),
    Rule(
        code="SEO004",
        family="seo",
        name="title-only-site-name",
        severity=S.WARNING,
        team="marketing",
        summary="A page whose title is only the shop's name",
        explanation=(
            "The title says who the shop is but not what is on the page, so in search results "
            "and browser tabs every such page looks the same. Put what the page is about in "
            "front of the shop's name: 'Retourneren | De Spaak'. The shop's name is the option "
            "site_name, or else the name most titles of the site end (or start) with."
        ),
        options={
            "site_name": Option(
                default=None, type=str | None, doc="null: the name most titles end with"
            ),
        },
    ),
    Rule(
        code="SEO005",
        family="seo",
        name="missing-meta-description",
        severity=S.WARNING,
        team="marketing",
        summary="A page without a meta description",
        explanation=(
            'The page has no <meta name="description">, or an empty one. Search engines show '
            "the description as the text under the link; without it they quote a piece of the "
            "page, often the menu or the cookie notice. Write one or two sentences that make a "
            "customer want to click: what the page offers and why here."
        ),
    ),
    Rule(
        code="SEO006",
        family="seo",
        name="duplicate-meta-description",
        severity=S.WARNING,
        team="marketing",
        summary="The same meta description on several pages",
        explanation=(
            "Several different pages have the same meta description, so search results show "
            "the same text under each of them and customers cannot tell them apart. It usually "
            "comes from a template that writes one fixed text. Variants of one page (?sort=, "
            "canonical duplicates) do not count; all pages sharing the text are one row. Write a "
            "description per page, or let the template build it from the page's own data."
        ),
    ),
    Rule(
        code="SEO007",
        family="seo",
        name="meta-description-length",
        severity=S.INFO,
        team="marketing",
        summary="A meta description too short to say anything, or too long to show in full",
        explanation=(
            "Search engines show about 150 to 160 characters of a description and cut the "
            "rest; a description of a few words says too little, and search engines then "
            "replace it with a piece of the page. Aim for one or two full sentences."
        ),
        options={
            "min_chars": Option(default=50, type=Count, doc="characters"),
            "max_chars": Option(default=160, type=Count, doc="characters"),
        },
    ),
    Rule(
        code="SEO008",
        family="seo",
        name="h1",
        severity=S.WARNING,
        team="marketing",
        summary="A page without a main heading (h1), or with several different ones",
        explanation=(
            "The main heading (<h1>) tells search engines, and customers using a screen reader, "
            "what the page is about. A page without one leaves them guessing; a page with "
            "several different ones (a logo, a banner and the product name all marked h1) "
            "says it is about several things. Give every page one h1 with its subject, and "
            "make the other headings h2 or lower."
        ),
    ),
    Rule(
        code="SEO009",
        family="seo",
        name="bad-canonical",
        severity=S.WARNING,
        team="marketing",
        summary="A canonical link to a page that fails, redirects, says noindex or is elsewhere",
        explanation=(
            '<link rel="canonical"> tells search engines which address to show for the page. '
            "Here it names an address that does not answer 200 OK, that redirects, that says "
            "noindex, or that is on another host: search engines then ignore it, or drop the "
            "page from their results altogether. Point the canonical link at the page's own, "
            "working address (or at the one page it duplicates), usually in the template."
        ),
    ),
    Rule(
        code="SEO010",
        family="seo",
        name="sitemap-page-canonical-elsewhere",
        severity=S.WARNING,
        team="marketing",
        summary="A page in the sitemap whose canonical link names another address",
        explanation=(
            "The sitemap asks search engines to show this address, while the page itself says "
            "(with its canonical link) that another address is the one to show. The two "
            "contradict each other and search engines may pick either. List the canonical "
            "address in the sitemap, or make the page canonical to itself."
        ),
    ),
    Rule(
        code="SEO011",
        family="seo",
        name="hreflang-broken-alternate",
        severity=S.WARNING,
        team="marketing",
        summary="A language version (hreflang) whose address does not answer 200 OK",
        explanation=(
            "The page names a version of itself in another language or for another country "
            '(<link rel="alternate" hreflang>), but that address is broken or redirects. '
            "Search engines ignore such a pair and may show customers the wrong language. "
            "Name each language version by its working, final address."
        ),
    ),
    Rule(
        code="SEO012",
        family="seo",
        name="hreflang-no-return-link",
        severity=S.WARNING,
        team="marketing",
        summary="A language version that does not link back (hreflang return link missing)",
        explanation=(
            "Page A names page B as its version in another language, but B does not name A "
            "back. Search engines only trust language versions that confirm each other, so "
            "they ignore the pair. Every language version must list all the others, itself "
            "included, usually from one shared list in the template."
        ),
    ),
    Rule(
        code="SEO013",
        family="seo",
        name="hreflang-invalid-code",
        severity=S.WARNING,
        team="marketing",
        summary="A language version with an invalid language or region code",
        explanation=(
            "An hreflang value must be a language code (ISO 639-1: nl, en, de), optionally "
            "followed by a country code (ISO 3166-1: nl-BE, en-GB), or x-default. Common "
            "mistakes: en-UK (the code for the United Kingdom is GB), jp (Japanese is ja), "
            "nl_NL (an underscore), a country alone (be). Search engines ignore such a value."
        ),
    ),
    Rule(
        code="SEO014",
        family="seo",
        name="hreflang-no-x-default",
        severity=S.INFO,
        team="marketing",
        summary="Language versions without an x-default",
        explanation=(
            "The page names its versions in other languages, but none as x-default: the page "
            "for customers whose language is none of them. Search engines then pick one. Add "
            '<link rel="alternate" hreflang="x-default"> for the version to fall back on '
            "(often the language chooser or the main language)."
        ),
    ),
    Rule(
        code="SEO015",
        family="seo",
        name="hreflang-language-mismatch",
        severity=S.WARNING,
        team="marketing",
        summary="A page whose hreflang says one language while its text is in another",
        explanation=(
            "The page's own hreflang entry says it is the version in one language, but its "
            "text is written in another (as the language checks detect it): a version that "
            "was never translated, or the language versions mixed up. Search engines send "
            "the customers of that language to it. Translate the page, or correct the "
            "hreflang list."
        ),
    ),
    Rule(
        code="SEO016",
        family="seo",
        name="sitemap-page-not-indexable",
        severity=S.WARNING,
        team="marketing",
        summary="A page in the sitemap that says noindex or that robots.txt disallows",
        explanation=(
            "The sitemap asks search engines to index this page, but the page itself says "
            'noindex (<meta name="robots">), or robots.txt forbids crawling it. The two '
            "contradict each other: either the page should be found (remove the noindex or "
            "the Disallow line) or it should not (take it out of the sitemap)."
        ),
    ),
)
