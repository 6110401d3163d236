"""The products family's rules (checks/products.py): the product data a customer decides on
(description, photos, price, stock) and whether a customer can find the product at all.

A product page is one whose schema.org data (JSON-LD or microdata) describes one Product:
what search engines and comparison sites read, and what the checks compare the page with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from checks.catalogue.rule import Option, Rule, check_css, described
from ground.model import Severity as S

Count = described(Annotated[int, Field(ge=1)], "a number, 1 or more")
Selectors = described(list[str], "a list of CSS selectors")
Globs = described(list[str], "a list of URL globs")


def check_selectors(options: Mapping[str, Any]) -> None:
    """A CSS selector that does not compile fails when the configuration is loaded, not on
    every page."""
    for name, value in options.items():
        if not name.endswith(("selector", "selectors")) or value is None:
            continue
        for css in [value] if isinstance(value, str) else value:
            check_css(css, name)


RULES = (
    Rule(
        code="PRD001",
        family="products",
        name="thin-product-description",
        severity=S.WARNING,
        team="content",
        summary="A product page without a description, or with a very short one",
        explanation=(
            "The product has no description, or only a few words. Customers who cannot touch "
            "the product read the description to decide; without it they buy elsewhere or "
            "return it, and search engines rank a thin page low. Describe what it is, for whom, "
            "and what makes it different, in at least a short paragraph. The description is "
            "the one in the product's structured data, else the first element matching "
            "description_selectors."
        ),
        options={
            "min_words": Option(default=30, type=Count, doc="words"),
            "description_selectors": Option(
                default=["[itemprop=description]", ".product-description", ".description"],
                type=Selectors,
                doc="CSS, first match, when the structured data has no description",
            ),
        },
        check_options=check_selectors,
    ),
    Rule(
        code="PRD002",
        family="products",
        name="duplicate-product-description",
        severity=S.WARNING,
        team="content",
        summary="The same description on several products (copied text)",
        explanation=(
            "Several products have word for word the same description: copied from a similar "
            "product, or the supplier's text pasted in everywhere. Customers cannot tell the "
            "products apart, and search engines show only one of the pages. All products "
            "sharing the text are one row in the report. Write what is particular to each "
            "product. The first 500 characters of the descriptions are compared."
        ),
    ),
    Rule(
        code="PRD003",
        family="products",
        name="missing-product-image",
        severity=S.ERROR,
        team="content",
        summary="A product page without a product image",
        explanation=(
            "The product has no photo: neither its structured data nor the page names one. "
            "Customers rarely buy what they cannot see, and shopping search engines leave "
            "products without an image out. Add at least one photo of the product itself. "
            "The image is the structured data's, else og:image, else the first image inside "
            "image_selectors."
        ),
        options={
            "image_selectors": Option(
                default=["[itemprop=image]", ".product-image", ".product-images img"],
                type=Selectors,
                doc="CSS, when the structured data names no image",
            ),
        },
        check_options=check_selectors,
    ),
    Rule(
        code="PRD004",
        family="products",
        name="placeholder-product-image",
        severity=S.WARNING,
        team="content",
        summary="A product shown with a placeholder image ('no-image.png', or one shared by many)",
        explanation=(
            "The product's image is a placeholder: its file name says so ('placeholder', "
            "'no-image', 'geen-afbeelding'), or the very same image is the image of many "
            "products. Customers see a grey silhouette instead of the product. Upload the "
            "product's own photos."
        ),
        options={
            "max_products": Option(default=3, type=Count, doc="products that may share one image"),
        },
    ),
    Rule(
        code="PRD005",
        family="products",
        name="incomplete-product-data",
        severity=S.WARNING,
        team="content",
        summary="Product structured data without a price, currency or availability",
        explanation=(
            "The page's schema.org Product data lacks its offer's price, its currency "
            "(priceCurrency) or its availability. Search engines show prices and stock in "
            "their results only from complete data, and shopping comparison sites drop the "
            "product. Let the template fill every field from the catalogue."
        ),
    ),
    Rule(
        code="PRD006",
        family="products",
        name="structured-price-differs",
        severity=S.ERROR,
        team="content",
        summary="The price in the structured data differs from the price on the page",
        explanation=(
            "The page shows one price, and its structured data (what search engines and "
            "comparison sites read) says another: a customer comes for € 899 and finds € 949. "
            "Shopping search engines may drop the product, and in many countries showing a "
            "lower price than charged is not allowed. Usually the data is filled from another "
            "field than the page (a list price, a stale cache). The JSON-LD price is compared "
            "with the text of the first element matching price_selectors (a microdata price is "
            "written on the element that shows it)."
        ),
        options={
            "price_selectors": Option(
                default=[".price", ".product-price", "[itemprop=price]"],
                type=Selectors,
                doc="CSS: where the page shows its price",
            ),
        },
        check_options=check_selectors,
    ),
    Rule(
        code="PRD007",
        family="products",
        name="stock-contradiction",
        severity=S.WARNING,
        team="inventory",
        summary="The structured data says in stock while the page says sold out, or the reverse",
        explanation=(
            "The product's structured data says InStock while the page itself says "
            "'uitverkocht' or 'sold out' next to its buy button (or the data says OutOfStock "
            "while the product can be ordered). Search engines show the data's stock in their "
            "results, so customers come for a product they cannot buy, or never hear of one "
            "they could. Fill both from the same stock figure."
        ),
    ),
    Rule(
        code="PRD008",
        family="products",
        name="product-not-in-category",
        severity=S.WARNING,
        team="content",
        summary="A product no category page links to (found only by search or the sitemap)",
        explanation=(
            "No category page of the shop links to this product: customers browsing the "
            "categories never see it, only those who search for its name or come from a search "
            "engine. Usually it was left out of a category by mistake. Add it to its category. "
            "Category pages are those matching category_pages (URL globs, their ?page= variants "
            "included); a shop whose addresses match none is not judged."
        ),
        options={
            "category_pages": Option(
                default=[
                    "*/categorie/*",
                    "*/categorieen/*",
                    "*/category/*",
                    "*/categories/*",
                    "*/collections/*",
                    "*/kategorie/*",
                ],
                type=Globs,
                doc="URL globs of the category pages",
            ),
        },
    ),
)
