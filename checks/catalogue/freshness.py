"""The freshness family's rules (checks/freshness.py): content that has gone out of date."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from checks.catalogue.rule import Option, Rule
from ground.model import Severity as S

RULES = (
    Rule(
        code="FRS001",
        family="freshness",
        name="expired-promotion",
        severity=S.WARNING,
        team="marketing",
        summary="A promotion on the page ended before today ('geldig t/m 31 december 2024')",
        explanation=(
            "The page announces a promotion with an end date that has passed ('Actie geldig t/m "
            "31 december 2024', 'offer ends', 'gültig bis', 'jusqu'au'). Customers who read it "
            "expect the deal, and either feel misled at the checkout or call customer service to "
            "claim it; an old campaign also makes the whole shop look neglected. Take the "
            "promotion off the page, or update the date if it really was extended. Dates are "
            "read in Dutch, English, German and French, written out or as numbers, right after "
            "the words that announce an end date (a list a shop can extend)."
        ),
    ),
    Rule(
        code="FRS002",
        family="freshness",
        name="expired-offer-price",
        severity=S.WARNING,
        team="marketing",
        summary="The page's structured data says its offer price was only valid until a past date",
        explanation=(
            "Besides what customers read, a product page tells search engines its price in "
            "structured data (schema.org JSON-LD or microdata), including until when that price "
            "is valid (priceValidUntil). That date has passed: search engines may stop showing "
            "the price, or show a price the shop no longer honours. Usually a promotion price "
            "was left in place after the campaign. End the promotion price in the shop's "
            "back office, or set a new end date if the price still holds."
        ),
    ),
    Rule(
        code="FRS003",
        family="freshness",
        name="stale-copyright-year",
        severity=S.INFO,
        team="content",
        summary="A copyright notice with a year long past ('© 2019')",
        explanation=(
            "The page shows a copyright notice with an old year ('© 2019', 'Copyright "
            "2015-2019': the last year counts). It is a small thing, but customers read it as a "
            "sign that nobody has looked after the page or the shop for years. Update the year, "
            "or drop it (a notice without a year is just as valid). In the shop's footer it is "
            "one change in the template; elsewhere, in the page's text."
        ),
        options={
            "max_age_years": Option(
                default=1,
                type=Annotated[int, Field(ge=0)],
                doc="years before this year: 1 = last year is fine",
            ),
        },
    ),
    Rule(
        code="FRS004",
        family="freshness",
        name="page-not-updated",
        severity=S.WARNING,
        team="content",
        summary="The page says it was last updated longer ago than pages of its kind may be",
        explanation=(
            "The page says when it was last updated ('Laatst bijgewerkt: 3 maart 2022', 'Last "
            "updated', or an article:modified_time tag), and that is longer ago than the maximum "
            "age for pages of its kind (365 days unless configured per kind, such as 180 days "
            "for FAQ pages). Information about prices, delivery, returns and conditions goes out "
            "of date, and customers trust it less when they can see it is old. Review the page, "
            "correct what changed, and update its date. Optionally the sitemap's lastmod and the "
            "server's Last-Modified header count too (option sources); they are off by default "
            "because shop software writes them, not editors, and an old blog post or terms page "
            "may rightly stay as it is. What the page itself says wins over the sitemap, and the "
            "sitemap over the header; each page is reported once."
        ),
        options={
            "max_age_days": Option(
                default=365,
                type=int,
                doc="days a page may go without an update, unless max_age_days_by_url says else",
            ),
            "max_age_days_by_url": Option(
                default={},
                type=dict[str, int],
                doc='URL glob -> days, first match wins: {"*/faq/*": 180}',
            ),
            "sources": Option(
                default=["page"],
                type=list[Literal["page", "sitemap", "header"]],
                doc='add "sitemap" and/or "header" to judge those dates too',
            ),
        },
    ),
    Rule(
        code="FRS005",
        family="freshness",
        name="promoted-product-unavailable",
        severity=S.WARNING,
        team="marketing",
        summary="The home page or a promotion page features a product that is out of stock",
        explanation=(
            "The home page or a promotion page features a product whose own page says it is out "
            "of stock (schema.org availability OutOfStock or SoldOut, or 'Uitverkocht', 'out of "
            "stock', 'ausverkauft', 'épuisé' next to its buy button). Customers click through "
            "from the campaign and cannot buy it; a campaign for a product with low stock floods "
            "customer service. Take the product off the page, or agree with inventory when it is "
            "back. Only the home page and promotion pages (option promotion_pages, by URL) count "
            "as promoting: a category page that lists a sold-out product, or a product page's "
            "'see also' links, are ordinary navigation and stay silent."
        ),
        options={
            "promotion_pages": Option(
                default=[
                    "*/acties/*",
                    "*/actie/*",
                    "*/aanbiedingen/*",
                    "*/promoties/*",
                    "*/promotions/*",
                    "*/promo/*",
                    "*/deals/*",
                    "*/sale/*",
                    "*/angebote/*",
                    "*/aktionen/*",
                    "*/offres/*",
                    "*/soldes/*",
                ],
                type=list[str],
                doc="URL globs of pages that promote, besides the home page",
            )
        },
    ),
)
