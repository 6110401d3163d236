"""The shop's data: ``catalog.yml`` loaded once and resolved against a `today`, so the
page modules read products, content and seeded routes from one ``Site``."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

CATALOG_FILE = Path(__file__).resolve().parent / "catalog.yml"

# simple pages rendered from a template of the same name
SIMPLE_PAGES = {
    "/over-ons/": "over_ons.html",
    "/voorwaarden/": "voorwaarden.html",
    "/privacy/": "privacy.html",
    "/retourneren/": "retourneren.html",
    "/cadeaubon/": "cadeaubon.html",
    "/account/": "account.html",
    "/contact/bedankt/": "contact_bedankt.html",
    "/advies/verlichting/": "advies_verlichting.html",  # the spelling family's defects
}
CHECKOUT_PAGES = {
    "/afrekenen/adres/",
    "/afrekenen/verzending/",
    "/afrekenen/betaling/",
    "/afrekenen/bevestiging/",
}


def resolve_date(value: Any, today: dt.date) -> dt.date | None:
    """Resolve 'today', 'today+N', 'today-N', ISO strings and dates."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"today\s*(?:([+-])\s*(\d+))?", text)
    if m:
        days = int(m.group(2) or 0)
        return today + dt.timedelta(days=-days if m.group(1) == "-" else days)
    return dt.date.fromisoformat(text)


@functools.lru_cache(maxsize=1)
def _raw_catalog() -> dict:
    with CATALOG_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_catalog() -> dict:
    """The raw catalogue data (dates unresolved). Callers must not mutate it."""
    return _raw_catalog()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _decimal_or_none(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value else None


@dataclass
class Product:
    id: int
    slug: str
    name: str
    brand: str
    category: str
    price: Decimal
    description: str
    specs: dict
    color: str | None = None
    was_price: Decimal | None = None
    promo_until: dt.date | None = None
    cart_price: Decimal | None = None
    stock: str = "in"
    links: list = field(default_factory=list)
    checkout_flaws: list = field(default_factory=list)
    main_src: str | None = None
    main_alt_missing: bool = False
    extra_srcset: str | None = None
    old_slugs: list = field(default_factory=list)

    @classmethod
    def from_catalog(cls, entry: dict, today: dt.date) -> Product:
        """A product from its entry in catalog.yml."""
        return cls(
            id=int(entry["id"]),
            slug=entry["slug"],
            name=entry["name"],
            brand=entry["brand"],
            category=entry["category"],
            price=Decimal(str(entry["price"])),
            description=entry["description"].strip(),
            specs=entry.get("specs") or {},
            color=entry.get("color"),
            was_price=_decimal_or_none(entry.get("was_price")),
            promo_until=resolve_date(entry.get("promo_until"), today),
            cart_price=_decimal_or_none(entry.get("cart_price")),
            stock=entry.get("stock", "in"),
            links=entry.get("links") or [],
            checkout_flaws=entry.get("checkout_flaws") or [],
            main_src=entry.get("main_src"),
            main_alt_missing=bool(entry.get("main_alt_missing")),
            extra_srcset=entry.get("extra_srcset"),
            old_slugs=entry.get("old_slugs") or [],
        )

    @property
    def path(self) -> str:
        return f"/product/{self.slug}/"

    @property
    def in_stock(self) -> bool:
        return self.stock != "out"

    @property
    def brand_slug(self) -> str:
        return slugify(self.brand)

    def img(self, variant: str) -> str:
        return f"/static/img/producten/{self.slug}-{variant}.png"

    @property
    def charged_price(self) -> Decimal:
        return self.cart_price if self.cart_price is not None else self.price


class Site:
    """The catalogue resolved against one `today`."""

    def __init__(self, today: dt.date):
        raw = load_catalog()
        self.today = today
        self.shop = raw["shop"]
        self.checkout = raw["checkout"]
        self._load_catalogue(raw)
        self._load_content(raw)
        self._load_seeded_routes(raw)
        self._load_sitemaps(raw["sitemap"])
        self.known_pages = self._canonical_pages()

    def _date(self, value: Any) -> dt.date | None:
        return resolve_date(value, self.today)

    def _load_catalogue(self, raw: dict) -> None:
        self.categories = raw["categories"]
        self.category_by_slug = {c["slug"]: c for c in self.categories}
        self.products = [Product.from_catalog(p, self.today) for p in raw["products"]]
        self.product_by_slug = {p.slug: p for p in self.products}
        self.product_by_id = {p.id: p for p in self.products}
        self.featured_home = [self.product_by_slug[s] for s in raw["featured_on_home"]]
        self.featured_promotions = [self.product_by_slug[s] for s in raw["featured_on_promotions"]]

    def _load_content(self, raw: dict) -> None:
        self.promotions = [
            dict(a, valid_until=self._date(a.get("valid_until"))) for a in raw["promotions"]
        ]
        self.promotion_by_slug = {a["slug"]: a for a in self.promotions}
        self.soft_404 = raw.get("soft_404") or {}
        self.blog = [dict(b, date=self._date(b["date"])) for b in raw["blog"]]
        self.blog_by_slug = {b["slug"]: b for b in self.blog}
        faq = raw["faq"]
        self.faq = dict(faq, last_updated=self._date(faq.get("last_updated")))
        self.page_updated = {
            path: self._date(value) for path, value in (raw.get("page_updated") or {}).items()
        }

    def _load_seeded_routes(self, raw: dict) -> None:
        """Redirects (old product slugs redirect too), 410s, 500s and broken images."""
        routes = raw.get("routes") or {}
        self.redirects = dict(routes.get("redirects") or {})
        for p in self.products:
            for old in p.old_slugs:
                self.redirects[f"/product/{old}/"] = {"to": p.path, "status": 301}
        self.gone = set(routes.get("gone") or [])
        self.server_error = set(routes.get("server_error") or [])
        self.broken_assets = raw.get("broken_assets") or {}

    def _load_sitemaps(self, sitemap: dict) -> None:
        self.sitemap_pages = [(e["path"], self._date(e["lastmod"])) for e in sitemap["pages"]]
        self.sitemap_products = [(p.path, self.today - dt.timedelta(days=7)) for p in self.products]
        self.sitemap_products += [
            (e["path"], self._date(e["lastmod"])) for e in sitemap.get("products_extra") or []
        ]

    def _canonical_pages(self) -> set[str]:
        """Every canonical HTML page (used for trailing-slash redirects)."""
        pages = {"/", "/acties/", "/blog/", "/faq/", "/contact/", "/winkelwagen/"}
        pages |= set(SIMPLE_PAGES)
        pages |= {f"/categorie/{c['slug']}/" for c in self.categories}
        pages |= {p.path for p in self.products}
        pages |= {f"/acties/{a['slug']}/" for a in self.promotions}
        pages |= {f"/blog/{b['slug']}/" for b in self.blog}
        return pages | CHECKOUT_PAGES

    def products_in(self, category: str) -> list[Product]:
        return [p for p in self.products if p.category == category]
