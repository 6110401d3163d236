"""Deterministic synthetic shop used by the crawl benchmark.

``build_site(n_pages, seed, base_url)`` returns a :class:`Site`: every URL the
shop serves (target as sent on the request line -> content type + bytes), and
the set of targets that are HTML pages. Exactly ``n_pages`` HTML pages are
reachable from ``/`` by following ``<a href>`` links (depth <= 3), and no link
points outside the site or to a missing resource (except one ``mailto:``).

Shape (for N = 5,000, seed 1):

* home ``/``, 17 info pages (about, faq, cart, blog, search, ...) and a handful of blog
  posts used to pad the total to exactly N;
* K = clamp(N // 250, 4, 40) categories, each listed over ``?page=k`` pages of
  24 products, plus 4 sort/filter variants of page 1 (``?sort=...`` and
  ``?availability=in-stock``) -- bounded, they are not a trap: variant pages
  link back only to the plain pagination URLs;
* all remaining pages are products ``/products/<slug>-<id>``.

Every HTML page is ~27-33 KB (realistic markup + paragraphs), with ~80 links
(~21+K shared header/footer links) and ~20 images (13 shared icons, one image per
product, category thumbs). About 300 distinct small PNGs are served; every product
has its own image URL (bytes drawn from that pool), so distinct image URLs ~= N.

``links="dense"`` is the same shop with the link density of real shops: ~400 links a
page, four in five relative (``../``, ``./``, bare names), in a mega-menu, a fat footer and
related-products blocks, on top of the same text (pages grow to ~55 KB). The pages, and
so what a crawler must fetch, are the same.

``client_share`` (0 by default) makes that share of the N pages client-rendered, as a
JavaScript storefront's are: every k-th product page moves to ``/app/products/<id>`` (one
path template of its own) and its HTML is an app shell (the head, an empty
``<div id="app">``, a ``<noscript>`` note and ``/static/js/storefront.js``); the script
fetches ``/api/products/<id>.json`` and puts the page's markup from it (header, product,
links, images, text, footer: what the server-rendered page has) into the mount element.
The render benchmark (bench/render_bench.py) crawls it.
"""

from __future__ import annotations

import functools
import json
import random
import struct
import zlib
from dataclasses import dataclass, field
from html import escape
from typing import Literal

LinkDensity = Literal["normal", "dense"]

SHOP = "Northwind Outfitters"
PER_PAGE = 24
VARIANTS = [
    ("sort=price-asc", "Price, low to high"),
    ("sort=price-desc", "Price, high to low"),
    ("sort=newest", "Newest"),
    ("availability=in-stock", "In stock only"),
]
INFO_PAGES = [
    ("/pages/about/", "About us"),
    ("/pages/contact/", "Contact"),
    ("/pages/shipping/", "Shipping"),
    ("/pages/returns/", "Returns & exchanges"),
    ("/pages/faq/", "FAQ"),
    ("/pages/privacy/", "Privacy policy"),
    ("/pages/terms/", "Terms of service"),
    ("/pages/careers/", "Careers"),
    ("/pages/stores/", "Store locator"),
    ("/pages/size-guide/", "Size guide"),
    ("/pages/gift-cards/", "Gift cards"),
    ("/pages/sustainability/", "Sustainability"),
    ("/account/", "Account"),
    ("/cart/", "Cart"),
    ("/wishlist/", "Wishlist"),
    ("/blog/", "Journal"),
    ("/search", "Search"),  # also the header search form's GET action
]
HEADER_INFO = ["/account/", "/wishlist/", "/cart/", "/pages/stores/"]
FOOTER_INFO = [p for p, _ in INFO_PAGES if p not in ("/account/", "/wishlist/", "/cart/")]

CATEGORY_NAMES = [
    "Shirts",
    "T-Shirts",
    "Knitwear",
    "Jackets",
    "Coats",
    "Trousers",
    "Jeans",
    "Shorts",
    "Dresses",
    "Skirts",
    "Shoes",
    "Boots",
    "Sneakers",
    "Sandals",
    "Bags",
    "Backpacks",
    "Hats",
    "Scarves",
    "Gloves",
    "Belts",
    "Socks",
    "Underwear",
    "Swimwear",
    "Sportswear",
    "Rainwear",
    "Outdoor",
    "Camping",
    "Kitchen",
    "Bedding",
    "Towels",
    "Candles",
    "Ceramics",
    "Stationery",
    "Watches",
    "Jewellery",
    "Sunglasses",
    "Wallets",
    "Kids",
    "Baby",
    "Gifts",
]
ADJ = [
    "Classic",
    "Heritage",
    "Everyday",
    "Organic",
    "Relaxed",
    "Slim",
    "Oversized",
    "Vintage",
    "Essential",
    "Premium",
    "Lightweight",
    "Waterproof",
    "Recycled",
    "Handmade",
    "Alpine",
    "Coastal",
    "Urban",
    "Nordic",
    "Soft",
    "Rugged",
    "Café",
    "Summer",
    "Winter",
    "Weekend",
]
MATERIAL = [
    "Linen",
    "Cotton",
    "Wool",
    "Merino",
    "Cashmere",
    "Denim",
    "Leather",
    "Suede",
    "Canvas",
    "Nylon",
    "Hemp",
    "Silk",
    "Fleece",
    "Corduroy",
    "Twill",
    "Jersey",
    "Bamboo",
    "Stoneware",
    "Oak",
    "Brass",
]
COLOURS = [
    "Navy",
    "Olive",
    "Sand",
    "Charcoal",
    "Rust",
    "Ivory",
    "Forest",
    "Sky",
    "Black",
    "Stone",
    "Burgundy",
    "Ochre",
    "Slate",
    "Moss",
    "Clay",
    "Cream",
]
WORDS = (  # noqa: SIM905
    "the a an and or but with for from into over under about this that these those our your "
    "their its each every some more most less fabric cotton wool linen stitch seam hem collar "
    "cuff sleeve pocket button zip lining weight feel fit size length width colour shade tone "
    "wash dry iron care warm cool soft durable breathable comfortable relaxed tailored classic "
    "modern timeless crafted woven knitted dyed finished made designed tested worn loved chosen "
    "sourced mill workshop factory partner farm region season summer winter spring autumn "
    "morning evening weekend city coast mountain trail travel commute office home garden "
    "kitchen table everyday occasion gift order delivery shipping return exchange refund "
    "customer team quality detail material product collection range style look layer outfit "
    "pair match wear keep last years decades repair reuse recycle sustainable organic natural "
    "fair responsible careful honest simple small independent family local european portuguese "
    "italian japanese scottish irish yarn thread dye pattern texture grain finish surface edge "
    "corner shape form line proportion balance light dark bright deep rich subtle muted is are "
    "was were be been being has have had will would can could should may might must does do "
    "did gets gives takes makes keeps holds brings feels looks works fits suits moves breathes "
    "softens improves ages develops patina character comfort warmth protection support freedom "
    "movement room space air water wind rain sun snow cold heat very quite rather slightly "
    "really truly naturally gently easily quickly slowly always often sometimes never still "
    "just also even well better best perfectly nicely properly fully entirely completely"
).split()
REVIEWERS = [
    "Anna K.",
    "Marc D.",
    "Sofia R.",
    "Jonas P.",
    "Léa M.",
    "Tom H.",
    "Priya S.",
    "Ola N.",
    "Chen W.",
    "Maria G.",
    "Ben T.",
    "Zoë F.",
    "Ravi I.",
    "Elif Y.",
]
N_PNG = 300
DENSE_MENU_LINKS = 180  # links in the dense mega-menu: categories, their pages, products
DENSE_POPULAR = 40  # "popular products" in the dense footer
DENSE_RELATED = 40  # per related block in dense mode ("more from", "trending")
BODY_OPEN = '<body class="template">\n'
CLIENT_SCRIPT = "/static/js/storefront.js"
# the client-rendered storefront: the page's markup comes from its JSON, by fetch()
STOREFRONT_JS = b"""(function () {
  var app = document.getElementById("app");
  var id = location.pathname.split("/").filter(Boolean).pop();
  fetch("/api/products/" + id + ".json")
    .then(function (r) { return r.json(); })
    .then(function (data) { app.innerHTML = data.html; });
})();
"""


@dataclass
class Site:
    n_pages: int
    resources: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # target -> (ctype, body)
    html: set[str] = field(default_factory=set)
    sitemap_urls: list[str] = field(default_factory=list)
    ignore_query = False  # site_server: the query string names a different page here

    def add(self, target: str, ctype: str, body: bytes, html: bool = False) -> None:
        assert target not in self.resources, target
        self.resources[target] = (ctype, body)
        if html:
            self.html.add(target)


# --------------------------------------------------------------------------- PNGs
def png(width: int, height: int, rgb: tuple[int, int, int], rng: random.Random) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    r0, g0, b0 = rgb
    rows = []
    stripe = rng.randint(2, 8)
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            k = ((x + y) // stripe) % 2
            row += bytes(((r0 + 40 * k) % 256, (g0 + 25 * k) % 256, (b0 + (x * 3)) % 256))
        rows.append(bytes(row))
    raw = b"".join(rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def _png_pool(rng: random.Random) -> list[bytes]:
    pool = []
    for i in range(N_PNG):
        size = (16, 24, 32, 48, 64)[i % 5]
        rgb = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        pool.append(png(size, size, rgb, rng))
    return pool


# --------------------------------------------------------------------------- text
def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    s = " ".join(words)
    return s[0].upper() + s[1:] + rng.choice((".", ".", ".", "!", "?"))


def paragraph_pool(rng: random.Random, n: int = 1500) -> list[str]:
    return [escape(" ".join(_sentence(rng) for _ in range(rng.randint(3, 7)))) for _ in range(n)]


# --------------------------------------------------------------------------- layout
def _layout(n: int) -> tuple[int, list[int], int]:
    """Return (K categories, products per category, blog posts) so the total is n."""
    if n < 100:
        raise ValueError("--pages must be >= 100")
    k = max(4, min(40, n // 250))
    fixed = 1 + len(INFO_PAGES) + k * len(VARIANTS)

    def split(p: int) -> list[int]:
        return [p // k + (1 if i < p % k else 0) for i in range(k)]

    def total(p: int) -> int:
        return fixed + p + sum(-(-c // PER_PAGE) for c in split(p))

    p = n - fixed
    while total(p) > n:
        p -= 1
    blog = n - total(p)  # small (< k + 1): padded with journal posts
    return k, split(p), blog


@dataclass
class Product:
    pid: int
    cat: int
    name: str
    slug: str
    price: float
    colour: str
    client: bool = False  # rendered in the browser from /api/products/<pid>.json

    @property
    def url(self) -> str:
        if self.client:
            return f"/app/products/{self.pid}"
        return f"/products/{self.slug}-{self.pid}"

    @property
    def api(self) -> str:
        return f"/api/products/{self.pid}.json"

    @property
    def img(self) -> str:
        return f"/media/products/{self.pid}.png"


def _dir_parts(target: str) -> list[str]:
    """The directory of a request target, as path segments ("/a/b?q" -> ["a"])."""
    return target.split("?", 1)[0].split("/")[1:-1]


def _relative(from_dir: tuple[str, ...], target: str) -> str:
    """`target` (absolute) as a link relative to a page in `from_dir`: "../x", "./?page=2",
    "name" (posixpath.relpath, but fast, and keeping the trailing slash and the query)."""
    path, q, query = target.partition("?")
    parts = path.split("/")[1:]
    to_dir, name = parts[:-1], parts[-1]
    common = 0
    while common < min(len(from_dir), len(to_dir)) and from_dir[common] == to_dir[common]:
        common += 1
    ups = "../" * (len(from_dir) - common)
    down = "".join(d + "/" for d in to_dir[common:])
    rel = ups + down + name + q + query
    return rel if rel and not rel.startswith("?") else "./" + rel


def _slugify(s: str) -> str:
    out = []
    for ch in s.lower().replace("é", "e"):
        out.append(ch if ch.isalnum() else "-")
    return "-".join(filter(None, "".join(out).split("-")))


class _Builder:
    def __init__(
        self,
        n: int,
        seed: int,
        base_url: str,
        sitemap: bool = True,
        links: LinkDensity = "normal",
        client_share: float = 0.0,
    ):
        self.n = n
        self.sitemap = sitemap
        self.dense = links == "dense"
        self.base = base_url.rstrip("/")
        self.rng = random.Random(seed)
        self.paras = paragraph_pool(self.rng)
        self.k, per_cat, self.n_blog = _layout(n)
        self.cats = []
        for i in range(self.k):
            name = CATEGORY_NAMES[i % len(CATEGORY_NAMES)]
            if i >= len(CATEGORY_NAMES):
                name = f"{name} {i // len(CATEGORY_NAMES) + 1}"
            self.cats.append((name, _slugify(name)))
        self.products: list[Product] = []
        self.by_cat: list[list[Product]] = [[] for _ in range(self.k)]
        pid = 1000
        for c, count in enumerate(per_cat):
            for _ in range(count):
                pid += 1
                name = (
                    f"{self.rng.choice(ADJ)} {self.rng.choice(MATERIAL)} "
                    f"{self.cats[c][0].rstrip('s')}"
                )
                p = Product(
                    pid,
                    c,
                    name,
                    _slugify(name),
                    round(self.rng.uniform(9, 390), 2),
                    self.rng.choice(COLOURS),
                )
                self.products.append(p)
                self.by_cat[c].append(p)
        self._client_rendered(round(client_share * n))
        self.site = Site(n)

    def _client_rendered(self, count: int) -> None:
        """Make `count` product pages, spread evenly over the catalogue, client-rendered."""
        if not 0 <= count <= len(self.products):
            raise ValueError(f"client share of {count} pages: there are {len(self.products)}")
        step = len(self.products) / count if count else 0
        for i in range(count):
            self.products[int(i * step)].client = True

    # ---------------------------------------------------------------- fragments
    def cat_url(self, c: int, page: int = 1, variant: str | None = None) -> str:
        u = f"/collections/{self.cats[c][1]}/"
        if variant:
            return f"{u}?{variant}"
        return u if page == 1 else f"{u}?page={page}"

    def head(self, title: str, desc: str, canonical: str) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)} &ndash; {SHOP}</title>\n"
            f'<meta name="description" content="{escape(desc)}">\n'
            f'<link rel="canonical" href="{self.base}{canonical}">\n'
            '<link rel="stylesheet" href="/static/css/site.css">\n'
            '<link rel="icon" type="image/png" href="/static/img/favicon.png">\n'
            '<script src="/static/js/app.js" defer></script>\n'
            f'<meta property="og:title" content="{escape(title)}">\n'
            f'<meta property="og:site_name" content="{SHOP}">\n</head>\n{BODY_OPEN}'
        )

    def header(self) -> str:
        nav = "".join(
            f'<li class="nav__item"><a class="nav__link" href="{self.cat_url(c)}">'
            f"{escape(self.cats[c][0])}</a></li>\n"
            for c in range(min(self.k, 20))
        )
        icons = "".join(
            f'<a class="header__icon" href="{u}" aria-label="{lbl}">'
            f'<img src="/static/img/icon-{ic}.png" alt="" width="24" height="24"></a>\n'
            for u, lbl, ic in (
                ("/account/", "Account", "account"),
                ("/wishlist/", "Wishlist", "heart"),
                ("/cart/", "Cart", "cart"),
            )
        )
        return (
            '<div class="announcement-bar">Free shipping on orders over &euro;75 &middot; '
            '<a href="/pages/stores/">Find a store near you</a></div>\n'
            '<header class="header" role="banner">\n<div class="header__inner">\n'
            f'<a class="header__logo" href="/"><img src="/static/img/logo.png" alt="{SHOP}" '
            'width="180" height="48"></a>\n'
            '<form class="search" action="/search" method="get" role="search">'
            '<input type="search" name="q" placeholder="Search the store" aria-label="Search">'
            '<button type="submit"><img src="/static/img/icon-search.png" alt="Search" '
            'width="20" height="20"></button></form>\n'
            f'<div class="header__icons">\n{icons}</div>\n</div>\n'
            f'<nav class="nav" aria-label="Main">\n<ul class="nav__list">\n{nav}</ul>\n</nav>\n'
            '</header>\n<main id="main" class="main">\n'
        )

    def footer(self) -> str:
        links = "".join(
            f'<li><a href="{u}">{escape(t)}</a></li>\n' for u, t in INFO_PAGES if u in FOOTER_INFO
        )
        social = "".join(
            f'<img class="social" src="/static/img/social-{s}.png" alt="{s}" width="24" '
            'height="24">\n'
            for s in ("instagram", "facebook", "pinterest", "youtube")
        )
        pay = "".join(
            f'<img class="payment" src="/static/img/pay-{p}.png" alt="{p}" width="38" '
            'height="24">\n'
            for p in ("visa", "mastercard", "amex", "paypal", "klarna")
        )
        return (
            '</main>\n<footer class="footer" role="contentinfo">\n<div class="footer__grid">\n'
            f'<div class="footer__col"><h2>Help &amp; information</h2>\n<ul>\n{links}</ul></div>\n'
            '<div class="footer__col"><h2>Newsletter</h2><p>Sign up for early access to new '
            "collections, stories from our makers and 10% off your first order.</p>"
            '<form action="/newsletter" method="post"><input type="email" name="email" '
            'placeholder="you@example.com"><button>Subscribe</button></form>\n'
            '<p>Questions? <a href="mailto:hello@northwind.example">hello@northwind.example'
            "</a></p></div>\n"
            f'<div class="footer__col footer__social">{social}</div>\n</div>\n'
            f'<div class="footer__payments">{pay}</div>\n'
            f'<p class="footer__legal">&copy; 2024 {SHOP}. All prices include VAT.</p>\n'
            "</footer>\n</body>\n</html>\n"
        )

    def fill(self, rng: random.Random, have: int, target: int, heading: str) -> str:
        parts = [f'<section class="rte">\n<h2>{escape(heading)}</h2>\n']
        size = have + 60
        while size < target:
            p = f"<p>{self.paras[rng.randrange(len(self.paras))]}</p>\n"
            parts.append(p)
            size += len(p)
        parts.append("</section>\n")
        return "".join(parts)

    def card(self, p: Product, with_img: bool = True) -> str:
        img = (
            (
                f'<a class="card__media" href="{p.url}"><img src="{p.img}" alt="{escape(p.name)}" '
                'loading="lazy" width="300" height="300"></a>'
            )
            if with_img
            else ""
        )
        return (
            f'<li class="card">{img}<a class="card__title" href="{p.url}">'
            f'{escape(p.name)}</a><span class="price">&euro;{p.price:.2f}</span></li>\n'
        )

    def page(
        self,
        target: str,
        title: str,
        desc: str,
        canonical: str,
        body: str,
        rng: random.Random,
        heading: str,
    ) -> None:
        top = self.head(title, desc, canonical) + self.header()
        bottom = self.footer()
        have = len(top) + len(body) + len(bottom)
        filler = self.fill(rng, have, rng.randint(27_000, 33_000), heading)
        self.add_page(target, top, body + filler, bottom, rng)

    def add_page(
        self,
        target: str,
        top: str,
        main: str,
        bottom: str,
        rng: random.Random,
        api: str | None = None,
    ) -> None:
        """The page, with the dense link blocks around its main part when links="dense";
        with an `api`, an app shell whose body the storefront script fetches from there."""
        if self.dense:
            menu, more = self.dense_blocks(target, rng)
            main = menu + main + more
        html = top + main + bottom
        if api is not None:
            head, body = html.split(BODY_OPEN, 1)
            body = body.removesuffix("</body>\n</html>\n")
            self.site.add(api, "application/json", json.dumps({"html": body}).encode())
            html = (
                f'{head}{BODY_OPEN}<div id="app"></div>\n<noscript>Please enable JavaScript '
                f'to shop here.</noscript>\n<script src="{CLIENT_SCRIPT}"></script>\n'
                "</body>\n</html>\n"
            )
        self.site.add(target, "text/html; charset=utf-8", html.encode("utf-8"), html=True)

    # ---------------------------------------------------------------- dense links
    def link(self, from_dir: tuple[str, ...], target: str, text: str, i: int) -> str:
        """An <a> to `target`: relative four times in five, absolute otherwise."""
        href = target if i % 5 == 4 else _relative(from_dir, target)
        return f'<li><a href="{escape(href)}">{escape(text)}</a></li>\n'

    @functools.cache  # noqa: B019 (one builder per site, kept for the build only)
    def shared_dense(self, from_dir: tuple[str, ...]) -> tuple[str, str]:
        """The mega-menu and the fat footer, the same on every page but for the relative
        links, which depend only on the page's directory."""
        per_cat = max(2, DENSE_MENU_LINKS // self.k - 3)
        menu = ['<nav class="mega-menu" aria-label="All categories">\n']
        for c in range(self.k):
            pages = max(1, -(-len(self.by_cat[c]) // PER_PAGE))
            targets = [(self.cat_url(c), self.cats[c][0])]
            targets += [(self.cat_url(c, p), f"Page {p}") for p in range(2, min(pages, 3) + 1)]
            targets += [(p.url, p.name) for p in self.by_cat[c][:per_cat]]
            items = "".join(self.link(from_dir, u, t, i) for i, (u, t) in enumerate(targets))
            menu.append(f'<div class="mega-menu__col"><ul>\n{items}</ul></div>\n')
        menu.append("</nav>\n")
        footer = [(u, t) for u, t in INFO_PAGES]
        footer += [(f"/blog/journal-{i + 1}/", f"Journal {i + 1}") for i in range(self.n_blog)]
        footer += [(self.cat_url(c), name) for c, (name, _) in enumerate(self.cats)]
        step = max(1, len(self.products) // DENSE_POPULAR)
        footer += [(p.url, p.name) for p in self.products[::step][:DENSE_POPULAR]]
        items = "".join(self.link(from_dir, u, t, i) for i, (u, t) in enumerate(footer))
        return "".join(menu), f'<nav class="footer-links"><ul>\n{items}</ul></nav>\n'

    def dense_blocks(self, target: str, rng: random.Random) -> tuple[str, str]:
        """(mega-menu, related products + fat footer) for a page at `target`."""
        from_dir = tuple(_dir_parts(target))
        menu, footer = self.shared_dense(from_dir)
        cat = self.by_cat[rng.randrange(self.k)]
        blocks = [
            ("More from this category", rng.sample(cat, min(DENSE_RELATED, len(cat)))),
            ("Trending now", rng.sample(self.products, min(DENSE_RELATED, len(self.products)))),
        ]
        more = "".join(
            f'<section class="related"><h2>{title}</h2><ul>\n'
            + "".join(self.link(from_dir, p.url, p.name, i) for i, p in enumerate(picks))
            + "</ul></section>\n"
            for title, picks in blocks
        )
        return menu, more + footer

    # ---------------------------------------------------------------- pages
    def build(self) -> Site:
        s = self.site
        rng = self.rng
        pool = _png_pool(rng)
        for name in (
            "logo",
            "favicon",
            "icon-account",
            "icon-heart",
            "icon-cart",
            "icon-search",
            "social-instagram",
            "social-facebook",
            "social-pinterest",
            "social-youtube",
            "pay-visa",
            "pay-mastercard",
            "pay-amex",
            "pay-paypal",
            "pay-klarna",
            "hero",
        ):
            s.add(f"/static/img/{name}.png", "image/png", pool[len(s.resources) % N_PNG])
        for c in range(self.k):
            s.add(f"/media/collections/{self.cats[c][1]}.png", "image/png", pool[(17 * c) % N_PNG])
        for p in self.products:
            s.add(p.img, "image/png", pool[p.pid % N_PNG])
        s.add("/static/css/site.css", "text/css; charset=utf-8", self.css())
        s.add("/static/js/app.js", "application/javascript; charset=utf-8", self.js())
        if any(p.client for p in self.products):
            s.add(CLIENT_SCRIPT, "application/javascript; charset=utf-8", STOREFRONT_JS)

        self.home()
        for u, t in INFO_PAGES:
            self.info(u, t)
        for i in range(self.n_blog):
            self.blog_post(i)
        for c in range(self.k):
            self.category(c)
        for p in self.products:
            self.product(p)
        assert len(s.html) == self.n, (len(s.html), self.n)

        s.sitemap_urls = [
            self.base + u for u in sorted(s.html) if "?sort" not in u and "?availability" not in u
        ]
        sm = [
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        ]
        sm += [f"<url><loc>{escape(u)}</loc></url>\n" for u in s.sitemap_urls]
        sm.append("</urlset>\n")
        robots = "User-agent: *\nDisallow: /checkout/\nAllow: /\n"
        if self.sitemap:
            s.add("/sitemap.xml", "application/xml", "".join(sm).encode())
            robots += f"\nSitemap: {self.base}/sitemap.xml\n"
        s.add("/robots.txt", "text/plain; charset=utf-8", robots.encode())
        return s

    def home(self) -> None:
        rng = random.Random(f"home-{self.n}")
        cats = "".join(
            f'<li class="collection"><a href="{self.cat_url(c)}"><img src="/media/collections/'
            f'{self.cats[c][1]}.png" alt="" loading="lazy" width="200" height="200">'
            f"<span>{escape(self.cats[c][0])}</span></a></li>\n"
            for c in range(self.k)
        )
        featured = "".join(
            self.card(p, i < 8)
            for i, p in enumerate(rng.sample(self.products, min(16, len(self.products))))
        )
        body = (
            '<section class="hero"><img src="/static/img/hero.png" alt="" width="1600" '
            'height="600"><h1>Made to last. Made to be worn.</h1>'
            f'<a class="button" href="{self.cat_url(0)}">Shop {escape(self.cats[0][0])}</a>'
            "</section>\n"
            f'<section><h2>Shop by category</h2><ul class="collections">\n{cats}</ul></section>\n'
            f'<section><h2>Featured</h2><ul class="grid">\n{featured}</ul></section>\n'
        )
        self.page(
            "/",
            f"{SHOP} – Clothing & goods made to last",
            "Independent shop.",
            "/",
            body,
            rng,
            "Our story",
        )

    def info(self, url: str, title: str) -> None:
        rng = random.Random(f"info-{url}")
        extra = ""
        if url == "/blog/":
            extra = (
                '<ul class="articles">\n'
                + "".join(
                    f'<li><a href="/blog/journal-{i + 1}/">Journal entry {i + 1}</a></li>\n'
                    for i in range(self.n_blog)
                )
                + "</ul>\n"
            )
        body = (
            f'<nav class="breadcrumbs"><a href="/">Home</a> / <span>{escape(title)}</span>'
            f"</nav>\n<h1>{escape(title)}</h1>\n{extra}"
        )
        self.page(url, title, f"{title} at {SHOP}.", url, body, rng, title)

    def blog_post(self, i: int) -> None:
        url = f"/blog/journal-{i + 1}/"
        rng = random.Random(f"blog-{i}")
        picks = rng.sample(self.products, min(4, len(self.products)))
        body = (
            '<nav class="breadcrumbs"><a href="/">Home</a> / <a href="/blog/">Journal</a>'
            f'</nav>\n<h1>Journal entry {i + 1}</h1>\n<ul class="grid">'
            + "".join(self.card(p) for p in picks)
            + "</ul>\n"
        )
        self.page(url, f"Journal entry {i + 1}", "From the journal.", url, body, rng, "Notes")

    def category(self, c: int) -> None:
        name, _ = self.cats[c]
        prods = self.by_cat[c]
        pages = max(1, -(-len(prods) // PER_PAGE))
        variants = "".join(
            f'<li><a href="{self.cat_url(c, variant=v)}">{t}</a></li>' for v, t in VARIANTS
        )

        def render(target: str, page: int, items: list[Product], variant: str | None) -> None:
            rng = random.Random(f"cat-{c}-{page}-{variant}")
            pag = []
            if page > 1:
                pag.append(f'<a rel="prev" href="{self.cat_url(c, page - 1)}">&larr; Previous</a>')
            pag += [
                f'<a href="{self.cat_url(c, i)}">{i}</a>'
                if i != page
                else f'<span aria-current="page">{i}</span>'
                for i in range(1, pages + 1)
            ]
            if page < pages:
                pag.append(f'<a rel="next" href="{self.cat_url(c, page + 1)}">Next &rarr;</a>')
            body = (
                f'<nav class="breadcrumbs"><a href="/">Home</a> / <span>{escape(name)}</span>'
                f"</nav>\n<h1>{escape(name)}</h1>\n"
                f'<div class="toolbar"><span>{len(prods)} products</span>'
                f'<ul class="sort">{variants}</ul></div>\n'
                '<ul class="grid">\n' + "".join(self.card(p) for p in items) + "</ul>\n"
                f'<nav class="pagination">{" ".join(pag)}</nav>\n'
            )
            self.page(
                target,
                f"{name} – page {page}" if page > 1 else name,
                f"Shop {name} at {SHOP}.",
                self.cat_url(c, page),
                body,
                rng,
                f"About {name}",
            )

        for page in range(1, pages + 1):
            render(
                self.cat_url(c, page), page, prods[(page - 1) * PER_PAGE : page * PER_PAGE], None
            )
        for v, _ in VARIANTS:
            if v == "sort=price-asc":
                items = sorted(prods, key=lambda p: p.price)
            elif v == "sort=price-desc":
                items = sorted(prods, key=lambda p: -p.price)
            elif v == "sort=newest":
                items = sorted(prods, key=lambda p: -p.pid)
            else:
                items = [p for p in prods if p.pid % 5]
            render(self.cat_url(c, variant=v), 1, items[:PER_PAGE], v)

    def product(self, p: Product) -> None:
        rng = random.Random(p.pid)
        same = self.by_cat[p.cat]
        related = [q for q in rng.sample(same, min(9, len(same))) if q is not p][:8]
        also = rng.sample(self.products, 8)
        recent = rng.sample(self.products, 6)
        others = rng.sample(range(self.k), min(4, self.k))
        cat_name = self.cats[p.cat][0]
        stars = rng.randint(3, 5)
        reviews = "".join(
            f'<li class="review"><strong>{escape(rng.choice(REVIEWERS))}</strong> '
            f'<span class="stars">{"★" * stars}{"☆" * (5 - stars)}</span>'
            f"<p>{self.paras[rng.randrange(len(self.paras))]}</p></li>\n"
            for _ in range(rng.randint(2, 5))
        )
        body = (
            f'<nav class="breadcrumbs"><a href="/">Home</a> / '
            f'<a href="{self.cat_url(p.cat)}">{escape(cat_name)}</a> / '
            f"<span>{escape(p.name)}</span></nav>\n"
            '<div class="product" itemscope itemtype="https://schema.org/Product">\n'
            f'<div class="product__media"><img src="{p.img}" alt="{escape(p.name)}" '
            'width="800" height="800" itemprop="image"></div>\n'
            f'<div class="product__info"><h1 itemprop="name">{escape(p.name)}</h1>\n'
            f'<p class="price" itemprop="price">&euro;{p.price:.2f}</p>\n'
            f"<p>Colour: {p.colour}</p>\n"
            '<form class="product-form" action="/cart/add" method="post">'
            f'<input type="hidden" name="id" value="{p.pid}">'
            '<select name="size"><option>XS</option><option>S</option><option>M</option>'
            "<option>L</option><option>XL</option></select>"
            '<button type="submit">Add to cart</button></form>\n'
            '<ul class="product__tabs"><li><a href="#description">Description</a></li>'
            '<li><a href="#reviews">Reviews</a></li><li><a href="#shipping">Shipping</a></li>'
            '<li><a href="/pages/size-guide/">Size guide</a></li></ul>\n</div>\n</div>\n'
            f'<section id="reviews"><h2>Reviews</h2><ul>\n{reviews}</ul></section>\n'
            '<section class="related"><h2>You may also like</h2><ul class="grid">\n'
            + "".join(self.card(q, i < 6) for i, q in enumerate(related))
            + "</ul></section>\n"
            '<section class="also"><h2>Customers also bought</h2><ul>\n'
            + "".join(f'<li><a href="{q.url}">{escape(q.name)}</a></li>\n' for q in also)
            + "</ul></section>\n"
            '<section class="recent"><h2>Recently viewed</h2><ul>\n'
            + "".join(f'<li><a href="{q.url}">{escape(q.name)}</a></li>\n' for q in recent)
            + "</ul></section>\n"
            '<section class="more"><h2>Shop more</h2><p>'
            + " &middot; ".join(
                f'<a href="{self.cat_url(c)}">{escape(self.cats[c][0])}</a>' for c in others
            )
            + "</p></section>\n"
            '<section id="shipping"><h2>Shipping &amp; returns</h2><p>Free shipping over '
            '&euro;75. <a href="/pages/returns/">Free returns</a> within 30 days.</p></section>\n'
            '<div id="description">\n'
        )
        # the filler paragraphs go inside <div id="description">
        top = self.head(p.name, f"{p.name} in {p.colour}.", p.url) + self.header()
        bottom = "</div>\n" + self.footer()
        have = len(top) + len(body) + len(bottom)
        filler = self.fill(rng, have, rng.randint(27_000, 33_000), "Details & care")
        self.add_page(p.url, top, body + filler, bottom, rng, p.api if p.client else None)

    def css(self) -> bytes:
        rng = random.Random("css")
        rules = []
        for i in range(220):
            rules.append(
                f".c{i}{{margin:{rng.randint(0, 40)}px;padding:{rng.randint(0, 24)}px;"
                f"color:#{rng.randrange(0xFFFFFF):06x};display:flex}}"
            )
        return "\n".join(rules).encode()

    def js(self) -> bytes:
        return (
            b"(function(){document.addEventListener('DOMContentLoaded',function(){"
            b"var b=document.querySelectorAll('.product-form button');for(var i=0;i<b.length;"
            b"i++){b[i].addEventListener('click',function(){});}});})();\n" * 20
        )


def build_site(
    n_pages: int,
    seed: int = 1,
    base_url: str = "http://127.0.0.1",
    sitemap: bool = True,
    links: LinkDensity = "normal",
    client_share: float = 0.0,
) -> Site:
    """The shop; sitemap=False serves no sitemap.xml (404) and names none in robots.txt, so
    crawlers find pages by links only; links="dense" gives ~400 links a page; client_share
    makes that share of the pages client-rendered product pages (see above)."""
    return _Builder(n_pages, seed, base_url, sitemap, links, client_share).build()


if __name__ == "__main__":  # quick look: python bench/shopgen.py 5000
    import sys
    import time

    t = time.perf_counter()
    links: LinkDensity = "dense" if "dense" in sys.argv[2:] else "normal"
    site = build_site(int(sys.argv[1]) if len(sys.argv) > 1 else 500, links=links)
    dt = time.perf_counter() - t
    html = [site.resources[u][1] for u in site.html]
    hrefs = sum(h.count(b"<a ") for h in html)
    print(
        f"{len(site.html)} html pages, {len(site.resources)} resources, "
        f"{sum(map(len, html)) / len(html) / 1024:.1f} KiB avg html, "
        f"{hrefs / len(html):.0f} links/page, built in {dt:.1f}s"
    )
