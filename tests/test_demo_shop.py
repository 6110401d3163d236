"""Tests of the bundled demo shop (shoplint/demo) and its defects manifest."""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree as ET

import httpx
import pytest
import textstat
import yaml
from bs4 import BeautifulSoup

import shoplint.demo
from shoplint.demo import DemoShop

DEMO_DIR = Path(shoplint.demo.__file__).resolve().parent
MANIFEST = yaml.safe_load((DEMO_DIR / "defects.yml").read_text(encoding="utf-8"))
DEFECTS = MANIFEST["defects"]
CLEAN = MANIFEST["clean"]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITEWIDE_TARGETS = {d["target"] for d in DEFECTS if d.get("sitewide")}
FAMILIES = {
    "links",
    "images",
    "pages",
    "freshness",
    "language",
    "spelling",
    "seo",
    "accessibility",
    "products",
    "checkout",
}


# --------------------------------------------------------------------------- fixtures, helpers


@pytest.fixture(scope="module")
def shop():
    with DemoShop() as s:
        yield s


@pytest.fixture
def client(shop):
    with httpx.Client(base_url=shop.url.rstrip("/"), timeout=15) as c:
        yield c


@pytest.fixture(scope="module")
def fetch(shop):
    """Cached GET without redirects, shared by the manifest and clean-page tests."""
    cache: dict[str, httpx.Response] = {}
    c = httpx.Client(base_url=shop.url.rstrip("/"), timeout=15)

    def get(path: str) -> httpx.Response:
        if path not in cache:
            cache[path] = c.get(path)
        return cache[path]

    yield get
    c.close()


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def png_is_valid(data: bytes) -> bool:
    """Full structural check: signature, chunk CRCs, IHDR, IDAT size, IEND."""
    try:
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            return False
        pos, idat, width, height, ended = 8, b"", 0, 0, False
        while pos < len(data):
            length, kind = struct.unpack(">I4s", data[pos : pos + 8])
            chunk = data[pos + 8 : pos + 8 + length]
            (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
            if len(chunk) != length or zlib.crc32(kind + chunk) != crc:
                return False
            if kind == b"IHDR":
                width, height = struct.unpack(">II", chunk[:8])
            elif kind == b"IDAT":
                idat += chunk
            elif kind == b"IEND":
                ended = True
                break
            pos += 12 + length
        return ended and len(zlib.decompress(idat)) == height * (width * 3 + 1)
    except (struct.error, zlib.error):
        return False


def prose(html: str) -> str:
    """The text of <main>, one sentence per block element (no nav, forms, scripts)."""
    s = soup(html)
    for tag in s(["script", "style", "nav", "form", "select"]):
        tag.decompose()
    parts = []
    for el in s.find("main").find_all(
        ["p", "li", "h1", "h2", "h3", "h4", "dt", "dd", "td", "th", "figcaption"]
    ):
        if el.find(["p", "li", "ul", "ol", "table", "dl"]):
            continue
        text = el.get_text(" ", strip=True)
        if text:
            parts.append(text if re.search(r"[.!?:]$", text) else text + ".")
    return " ".join(parts)


def douma(text: str) -> float:
    textstat.set_lang("nl")
    return textstat.flesch_reading_ease(text)


def jsonld_offer(html: str) -> dict:
    node = soup(html).find("script", type="application/ld+json")
    return json.loads(node.string)["offers"]


def add_to_cart(client: httpx.Client, slug: str, qty: int = 1) -> httpx.Response:
    page = client.get(f"/product/{slug}/")
    assert page.status_code == 200
    form = soup(page.text).select_one("form.add-to-cart")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    data["qty"] = str(qty)
    return client.post(form["action"], data=data)


def csrf_of(html: str, form_id: str) -> str:
    return soup(html).select_one(f"form#{form_id} input[name=csrf]")["value"]


ADDRESS = {
    "name": "Anna de Boer",
    "email": "anna@example.org",
    "street": "Dorpsstraat 1",
    "postcode": "3511 AB",
    "city": "Utrecht",
}


def run_checkout(client: httpx.Client, slug: str) -> dict:
    """A scripted guest checkout; returns the pages and timings seen on the way."""
    seen: dict = {}
    r = add_to_cart(client, slug)
    assert r.status_code == 303 and r.headers["location"] == "/winkelwagen/"
    cart = client.get("/winkelwagen/")
    seen["cart"] = cart
    link = soup(cart.text).select_one("a.checkout-button")
    assert link["href"] == "/afrekenen/adres/"
    address = client.get(link["href"])
    seen["address"] = address
    r = client.post("/afrekenen/adres/", data={**ADDRESS, "csrf": csrf_of(address.text, "address")})
    assert r.status_code == 303 and r.headers["location"] == "/afrekenen/verzending/"
    t0 = time.monotonic()
    shipping = client.get("/afrekenen/verzending/")
    seen["shipping_seconds"] = time.monotonic() - t0
    seen["shipping"] = shipping
    s = soup(shipping.text)
    form = s.select_one("form#shipping")
    bezorging = form.select_one("input[name=bezorging][checked]")["value"]
    bezorgdag = form.select_one("select[name=bezorgdag] option[selected]")["value"]
    r = client.post(
        "/afrekenen/verzending/",
        data={
            "bezorging": bezorging,
            "bezorgdag": bezorgdag,
            "csrf": csrf_of(shipping.text, "shipping"),
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/afrekenen/betaling/"
    payment = client.get("/afrekenen/betaling/")
    seen["payment"] = payment
    methode = soup(payment.text).select_one("form#payment input[name=methode][checked]")["value"]
    r = client.post(
        "/afrekenen/betaling/", data={"methode": methode, "csrf": csrf_of(payment.text, "payment")}
    )
    assert r.status_code == 303 and r.headers["location"] == "/afrekenen/bevestiging/"
    seen["confirmation"] = client.get("/afrekenen/bevestiging/")
    return seen


# --------------------------------------------------------------------------- basics


def test_lifecycle_and_url():
    shop = DemoShop()
    with pytest.raises(RuntimeError):
        _ = shop.url
    shop.start()
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", shop.url)
        assert httpx.get(shop.url).status_code == 200
    finally:
        shop.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{shop.port}/", timeout=2)


def test_home(client, shop):
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert int(r.headers["content-length"]) == len(r.content) < 12_000
    s = soup(r.text)
    assert s.html["lang"] == "nl"
    form = s.select_one('form[action="/zoeken"]')
    assert form["method"] == "get" and form.select_one("input[name=q]")
    footer = {a["href"] for a in s.select("footer a")}
    assert {
        "/over-ons/",
        "/contact/",
        "/voorwaarden/",
        "/privacy/",
        "/retourneren/",
        "/faq/",
    } <= footer
    year = dt.date.today().year
    assert f"© {year} Fietsenwinkel De Spaak" in s.select_one("footer").get_text()
    nav = {a["href"] for a in s.select("nav.main-nav a")}
    assert len([h for h in nav if h.startswith("/categorie/")]) == 6
    assert "/account/" in r.text


def test_unknown_url_is_a_real_404(client):
    r = client.get("/bestaat/niet/")
    assert r.status_code == 404
    assert "Pagina niet gevonden" in r.text
    assert client.get("/product/bestaat-niet/").status_code == 404
    assert client.get("/static/img/producten/bestaat-niet-640.png").status_code == 404


def test_trailing_slash_redirect_and_head(client):
    r = client.get("/faq")
    assert r.status_code == 301 and r.headers["location"] == "/faq/"
    get = client.get("/over-ons/")
    head = client.head("/over-ons/")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(get.content))


def test_robots_txt_names_the_sitemap(client, shop):
    r = client.get("/robots.txt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {shop.url}sitemap.xml" in r.text
    assert "Disallow: /account/" in r.text


def test_sitemap_index_and_urlsets(client, shop):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    assert index.tag == f"{SM}sitemapindex"
    locs = [e.text for e in index.iter(f"{SM}loc")]
    assert locs == [f"{shop.url}sitemap-pages.xml", f"{shop.url}sitemap-products.xml"]
    urls = {}
    for loc in locs:
        urlset = ET.fromstring(client.get(urlsplit(loc).path).content)
        assert urlset.tag == f"{SM}urlset"
        for url in urlset.iter(f"{SM}url"):
            path = urlsplit(url.find(f"{SM}loc").text).path
            dt.date.fromisoformat(url.find(f"{SM}lastmod").text)
            urls[path] = loc
    products = [p for p in urls if p.startswith("/product/")]
    catalog_products = shoplint.demo.site.load_catalog()["products"]
    assert len(catalog_products) == 40
    for p in catalog_products:
        assert urls[f"/product/{p['slug']}/"].endswith("sitemap-products.xml")
    assert len(products) == 41  # 40 products + one old slug that redirects (seeded)
    assert "/" in urls and "/faq/" in urls


def test_many_parallel_requests(shop):
    paths = ["/", "/faq/", "/categorie/e-bikes/", "/product/woom-4/", "/sitemap.xml"] * 10
    paths += [f"/static/img/producten/woom-4-{v}.png" for v in ("320", "640")] * 5
    with (
        httpx.Client(base_url=shop.url.rstrip("/"), timeout=15) as c,
        ThreadPoolExecutor(10) as pool,
    ):
        statuses = list(pool.map(lambda p: c.get(p).status_code, paths))
    assert statuses == [200] * len(paths)


def test_keep_alive():
    with DemoShop() as shop, httpx.Client(base_url=shop.url.rstrip("/")) as c:
        r1 = c.get("/")
        r2 = c.get("/faq/")
        assert r1.http_version == "HTTP/1.1" and r2.status_code == 200
        assert r1.headers.get("connection", "").lower() != "close"


def test_product_pages(client):
    catalog = shoplint.demo.site.load_catalog()
    for p in catalog["products"]:
        r = client.get(f"/product/{p['slug']}/")
        assert r.status_code == 200, p["slug"]
        s = soup(r.text)
        offer = jsonld_offer(r.text)
        assert offer["priceCurrency"] == "EUR"
        price_el = s.select_one('[itemprop="price"]')
        assert price_el["content"] == offer["price"] == f"{p['price']:.2f}"
        assert "price" in price_el["class"]
        assert re.fullmatch(r"€ \d{1,3}(\.\d{3})*,\d{2}", price_el.get_text())
        img = s.select_one("img.product-image")
        assert img.has_attr("srcset") and s.select_one("picture source[srcset]")
        form = s.select_one("form.add-to-cart")
        assert form["method"] == "post" and form["action"] == "/winkelwagen/toevoegen"
        assert form.select_one("input[name=product]")["value"] == str(p["id"])
        assert form.select_one("input[name=csrf]")["value"]
        assert form.select_one("input[name=qty]")["value"] == "1"
        out = p.get("stock") == "out"
        assert offer["availability"].endswith("OutOfStock" if out else "InStock")
        assert form.select_one("button").has_attr("disabled") == out
        assert len(r.content) < 12_000


def test_product_images_are_valid_pngs(client):
    for path in [
        "/static/img/producten/gazelle-esprit-c3-640.png",
        "/static/img/producten/gazelle-esprit-c3-320.png",
        "/static/img/producten/woom-4-detail-480.png",
        "/static/img/producten/woom-4-detail-240.png",
        "/static/img/logo.png",
        "/static/img/banner.png",
        "/static/img/scheiding.png",
        "/static/img/categorie/onderdelen.png",
        "/static/img/blog/veilig-fietsen-met-kinderen.png",
    ]:
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"] == "image/png", path
        assert png_is_valid(r.content), path
        assert len(r.content) < 40_000
    assert (
        client.get("/static/img/producten/woom-4-640.png").content
        == client.get("/static/img/producten/woom-4-640.png").content
    )
    assert client.get("/favicon.ico").headers["content-type"] == "image/x-icon"
    assert client.get("/static/stijl.css").headers["content-type"].startswith("text/css")


def test_category_query_variants(client):
    r = client.get("/categorie/racefietsen/?sort=prijs-op&merk=trek")
    assert r.status_code == 200
    s = soup(r.text)
    assert s.select_one("link[rel=canonical]")["href"].endswith("/categorie/racefietsen/")
    hrefs = [a["href"] for a in s.select(".filters a")]
    assert "/categorie/racefietsen/?sort=prijs-af&merk=trek" in hrefs
    assert "/categorie/racefietsen/?sort=prijs-op&merk=giant" in hrefs
    listing = soup(client.get("/categorie/stadsfietsen/?sort=prijs-op").text)
    prices = [c.get_text() for c in listing.select(".card-price")]
    values = [float(p[2:].replace(".", "").replace(",", ".")) for p in prices]
    assert values == sorted(values)


def test_search(client):
    r = client.get("/zoeken", params={"q": "gazelle"})
    assert r.status_code == 200
    names = [a.get_text() for a in soup(r.text).select(".product-card h3 a")]
    assert "Gazelle Esprit C3" in names and all("Gazelle" in n for n in names)
    assert "Geen producten gevonden" in client.get("/zoeken?q=onzin").text


# --------------------------------------------------------------------------- cart, checkout


def test_clean_guest_checkout(client):
    seen = run_checkout(client, "gazelle-esprit-c3")
    cart = soup(seen["cart"].text)
    assert cart.select_one(".cart-line .line-price").get_text() == "€ 649,00"
    policies = {a["href"] for a in cart.select("nav.cart-policies a")}
    assert policies == {"/voorwaarden/", "/privacy/", "/retourneren/"}
    assert seen["shipping_seconds"] < 2
    assert "Er is iets misgegaan" not in seen["payment"].text
    conf = seen["confirmation"]
    assert conf.status_code == 200 and "Bedankt voor je bestelling" in conf.text
    assert re.fullmatch(r"DS-\d{8}-\d{4}", soup(conf.text).select_one(".order-number").get_text())
    assert soup(conf.text).select_one(".order-total").get_text() == "€ 649,00"
    # the cart is empty again, and the checkout steps send you back to it
    r = client.get("/afrekenen/adres/")
    assert r.status_code == 303 and r.headers["location"] == "/winkelwagen/"
    assert "Je winkelwagen is leeg" in client.get("/winkelwagen/").text


def test_add_to_cart_without_or_with_wrong_csrf_is_403(client):
    page = client.get("/product/gazelle-esprit-c3/")
    assert page.status_code == 200
    r = client.post("/winkelwagen/toevoegen", data={"product": "1101", "qty": "1"})
    assert r.status_code == 403
    r = client.post("/winkelwagen/toevoegen", data={"product": "1101", "qty": "1", "csrf": "x"})
    assert r.status_code == 403
    # a fresh client (no session cookie) with a token from another session
    token = soup(page.text).select_one("input[name=csrf]")["value"]
    with httpx.Client(base_url=str(client.base_url)) as other:
        r = other.post("/winkelwagen/toevoegen", data={"product": "1101", "csrf": token})
        assert r.status_code == 403


def test_checkout_without_cart_or_session_redirects(client, shop):
    with httpx.Client(base_url=shop.url.rstrip("/")) as fresh:
        for step in ("adres", "verzending", "betaling", "bevestiging"):
            r = fresh.get(f"/afrekenen/{step}/")
            assert r.status_code == 303 and r.headers["location"] == "/winkelwagen/", step
        r = fresh.post("/afrekenen/adres/", data=ADDRESS)
        assert r.status_code == 303 and r.headers["location"] == "/winkelwagen/"
        r = fresh.get("/afrekenen/adres/", follow_redirects=True)
        assert r.status_code == 200 and "Je winkelwagen is leeg" in r.text


def test_invalid_address_rerenders_with_error(client):
    add_to_cart(client, "gazelle-esprit-c3")
    page = client.get("/afrekenen/adres/")
    bad = {**ADDRESS, "postcode": "12345", "csrf": csrf_of(page.text, "address")}
    r = client.post("/afrekenen/adres/", data=bad)
    assert r.status_code == 200
    assert "Vul een geldige postcode in" in r.text
    assert soup(r.text).select_one("form#address input[name=name]")["value"] == "Anna de Boer"
    r = client.post("/afrekenen/adres/", data={**ADDRESS})  # no csrf
    assert r.status_code == 403
    # skipping a step sends you back
    r = client.get("/afrekenen/betaling/")
    assert r.status_code == 303 and r.headers["location"] == "/afrekenen/adres/"


def test_flawed_checkout_flow(client):
    """The seeded checkout defects of defects.yml, all on one flow (takes ~3.5 s)."""
    product = client.get("/product/sparta-d-burst-m8b/")
    assert soup(product.text).select_one(".price").get_text() == "€ 1.299,00"
    assert jsonld_offer(product.text)["price"] == "1299.00"
    seen = run_checkout(client, "sparta-d-burst-m8b")
    cart = soup(seen["cart"].text)
    assert cart.select_one(".cart-line .line-price").get_text() == "€ 1.349,00"  # price-mismatch
    policies = {a["href"] for a in cart.select("a")}
    assert "/retourneren/" not in policies and "/voorwaarden/" in policies  # missing-policy-link
    assert seen["shipping_seconds"] >= 3.0  # slow-step
    alert = soup(seen["payment"].text).select_one("div.alert.alert-error[role=alert]")
    assert alert.get_text() == "Er is iets misgegaan bij het laden van de betaalmethoden"
    assert seen["confirmation"].status_code == 200


def test_crash_postcode_gives_500(client):
    add_to_cart(client, "gazelle-esprit-c3")
    page = client.get("/afrekenen/adres/")
    data = {**ADDRESS, "postcode": "9999ZZ", "csrf": csrf_of(page.text, "address")}
    assert client.post("/afrekenen/adres/", data=data).status_code == 500
    data["postcode"] = "9999 zz"
    assert client.post("/afrekenen/adres/", data=data).status_code == 500
    data["postcode"] = "3511 AB"
    assert client.post("/afrekenen/adres/", data=data).status_code == 303


def test_contact_form(client):
    page = client.get("/contact/")
    token = csrf_of(page.text, "contact")
    r = client.post("/contact/", data={"name": "", "email": "x", "message": "", "csrf": token})
    assert r.status_code == 200 and "Vul je naam in." in r.text
    data = {"name": "Jan", "email": "jan@example.org", "message": "Hallo daar", "csrf": token}
    r = client.post("/contact/", data=data)
    assert r.status_code == 303 and r.headers["location"] == "/contact/bedankt/"
    assert client.post("/contact/", data={**data, "csrf": "fout"}).status_code == 403


# --------------------------------------------------------------------------- the manifest


def test_manifest_shape():
    families = {d["family"] for d in DEFECTS}
    assert families == FAMILIES
    for family in FAMILIES:
        assert sum(d["family"] == family for d in DEFECTS) >= 2, family
    for d in DEFECTS:
        assert {"family", "kind", "url", "target", "note"} <= set(d), d
        assert d["url"].startswith("/")
    defect_urls = {d["url"] for d in DEFECTS}
    assert not defect_urls & set(CLEAN) - {"/winkelwagen/"}


def _find_ref(page: BeautifulSoup, target: str) -> list:
    """Elements of `page` that reference `target` in href, src or srcset."""
    found = []
    for el in page.find_all(["a", "img", "source", "link"]):
        refs = [el.get("href"), el.get("src")]
        refs += [c.strip().split(" ")[0] for c in (el.get("srcset") or "").split(",")]
        if target in [r for r in refs if r]:
            found.append(el)
    return found


@pytest.mark.parametrize(
    "defect",
    [d for d in DEFECTS if d["family"] != "checkout"],
    ids=lambda d: f"{d['family']}-{d['kind']}-{d['url']}",
)
def test_manifest_defect_is_present(defect, fetch, shop):
    kind, url, target = defect["kind"], defect["url"], defect["target"]
    page = fetch(url)
    assert page.status_code == 200
    if url.endswith(".xml"):
        locs = {urlsplit(e.text).path for e in ET.fromstring(page.content).iter(f"{SM}loc")}
        assert target in locs
    html = page.text
    s = soup(html) if not url.endswith(".xml") else None
    if "status" in defect and target and not target.startswith("#"):
        assert fetch(target).status_code == defect["status"], target
    if defect["family"] in ("links", "images") and kind not in ("broken-fragment",):
        assert _find_ref(s, target), f"{target} not referenced on {url}"
    if "hops" in defect:
        hops = defect["hops"]
        for a, b in zip(hops, hops[1:], strict=False):
            r = fetch(a)
            assert r.status_code in (301, 302) and r.headers["location"] == b
        if kind == "redirect-chain":
            assert len(hops) - 1 == 4 and fetch(hops[-1]).status_code == 200
    main = s.find("main").get_text(" ", strip=True) if s else ""

    checks = {
        "broken-fragment": lambda: (
            s.select_one('a[href="#specificaties"]') and not s.find(id="specificaties")
        ),
        "malformed-href": lambda: s.find("a", href=target),
        "empty-image": lambda: (
            fetch(target).content == b"" and fetch(target).headers["content-type"] == "image/png"
        ),
        "corrupt-image": lambda: (
            fetch(target).content.startswith(b"\x89PNG") and not png_is_valid(fetch(target).content)
        ),
        "wrong-content-type": lambda: (
            fetch(target).headers["content-type"].startswith("text/html")
            and s.find("source", srcset=target)
        ),
        "broken-srcset": lambda: fetch(_find_ref(s, target)[0]["src"]).status_code == 200,
        "missing-alt": lambda: not _find_ref(s, target)[0].has_attr("alt"),
        "empty-alt": lambda: (
            _find_ref(s, target)[0]["alt"] == "" and not _find_ref(s, target)[0].has_attr("role")
        ),
        "heavy-image": lambda: (
            len(fetch(target).content) > 600_000 and png_is_valid(fetch(target).content)
        ),
        "soft-404": lambda: (
            "Oeps, deze pagina bestaat niet meer" in main
            and 'href="/acties/winterdeal/"' in fetch("/acties/").text
        ),
        "visible-error": lambda: "Er is iets misgegaan. Probeer het later opnieuw." in main,
        "template-placeholder": lambda: "{{ product.naam }}" in main,
        "lorem-ipsum": lambda: "Lorem ipsum" in main,
        "nan-price": lambda: "€ NaN" in main,
        "expired-promotion": lambda: "31 december 2024" in main or "15-03-2025" in main,
        "expired-price-valid-until": lambda: (
            jsonld_offer(html)["priceValidUntil"] == "2024-12-31" and s.select_one(".was-price")
        ),
        "stale-copyright": lambda: "© 2019" in main,
        "stale-last-updated": lambda: "Laatst bijgewerkt: 3 maart 2022" in main,
        "featured-out-of-stock": lambda: (
            jsonld_offer(fetch(target).text)["availability"].endswith("OutOfStock")
            and s.select_one(f'.product-card a[href="{target}"]')
        ),
        "hard-to-read": lambda: douma(prose(html)) < 45,
        "lang-mismatch": lambda: s.html["lang"] == "en" and douma(prose(html)) > 60,
    }
    if kind in checks:
        assert checks[kind](), defect
    if kind == "orphan-page":
        urlset = ET.fromstring(fetch("/sitemap-pages.xml").content)
        pages = {urlsplit(e.text).path for e in urlset.iter(f"{SM}loc")}
        assert url in pages
        for other in pages - {url}:
            r = fetch(other)
            if r.status_code == 200:
                assert f'href="{url}"' not in r.text, other


def test_manifest_scores_match_notes(fetch):
    hard = [d for d in DEFECTS if d["kind"] == "hard-to-read"]
    scores = [douma(prose(fetch(d["url"]).text)) for d in hard]
    assert min(scores) < 30
    assert f"{douma(prose(fetch('/voorwaarden/').text)):.1f}" in hard[0]["note"]


@pytest.mark.parametrize("path", CLEAN)
def test_clean_page_is_clean(path, fetch, shop):
    r = fetch(path)
    assert r.status_code == 200
    s = soup(r.text)
    assert s.html["lang"] == "nl"
    main = s.find("main").get_text(" ", strip=True)
    for bad in ("NaN", "{{", "Lorem", "Er is iets misgegaan", "Oeps", "©", "2022", "2024"):
        assert bad not in main, bad
    text = prose(r.text)
    if len(text.split()) >= 50:
        assert douma(text) >= 60, (path, douma(text))
    if path != "/winkelwagen/":  # the cart uses the checkout layout, without the site footer
        assert {a["href"] for a in s.select("footer a")} >= SITEWIDE_TARGETS
    for img in s.find_all("img"):
        decorative = img.get("alt") == "" and img.get("role") == "presentation"
        assert img.get("alt") or decorative, img
    base = shop.url.rstrip("/") + path
    ids = {el["id"] for el in s.find_all(id=True)}
    for el in s.find_all(["a", "img", "source", "link", "script"]):
        refs = [el.get("href"), el.get("src")]
        refs += [c.strip().split(" ")[0] for c in (el.get("srcset") or "").split(",")]
        for ref in filter(None, refs):
            if ref.startswith(("mailto:", "tel:")):
                continue
            if ref.startswith("#"):
                assert ref[1:] in ids, ref
                continue
            absolute = urljoin(base, ref)
            parts = urlsplit(absolute)
            if parts.netloc != urlsplit(shop.url).netloc:
                continue  # schema.org hrefs of microdata <link> tags
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in SITEWIDE_TARGETS:
                continue
            got = fetch(target)
            assert got.status_code == 200, (path, target, got.status_code)
            if el.name in ("img", "source"):
                assert png_is_valid(got.content), target


# --------------------------------------------------------------------------- dates


def test_dates_follow_an_explicit_today():
    today = dt.date(2031, 5, 20)
    with DemoShop(today=today) as shop, httpx.Client(base_url=shop.url.rstrip("/")) as c:
        assert "© 2031 Fietsenwinkel De Spaak" in c.get("/").text
        assert "Laatst bijgewerkt: 20 april 2031" in c.get("/retourneren/").text
        assert "Actie geldig t/m 19 juli 2031" in c.get("/acties/gratis-onderhoudsbeurt/").text
        stella = c.get("/product/stella-livorno/").text
        assert jsonld_offer(stella)["priceValidUntil"] == "2031-07-19"
        assert "Actieprijs geldig t/m 19 juli 2031" in stella
        # expired content keeps its fixed past dates
        assert "Actie geldig t/m 31 december 2024" in c.get("/acties/kerstdeal/").text
        trek = c.get("/product/trek-domane-al-2/").text
        assert jsonld_offer(trek)["priceValidUntil"] == "2024-12-31"
        assert "Actieprijs geldig" not in trek
        assert "Laatst bijgewerkt: 3 maart 2022" in c.get("/faq/").text
        blog = c.get("/blog/veilig-fietsen-met-kinderen/").text
        assert "8 mei 2031" in blog
        urlset = ET.fromstring(c.get("/sitemap-products.xml").content)
        assert {e.text for e in urlset.iter(f"{SM}lastmod")} >= {"2031-05-13"}
        # delivery days start tomorrow (no Sundays)
        add_to_cart(c, "gazelle-esprit-c3")
        page = c.get("/afrekenen/adres/")
        c.post("/afrekenen/adres/", data={**ADDRESS, "csrf": csrf_of(page.text, "address")})
        options = soup(c.get("/afrekenen/verzending/").text).select("select[name=bezorgdag] option")
        days = [dt.date.fromisoformat(o["value"]) for o in options]
        assert days[0] == dt.date(2031, 5, 21) and options[0].has_attr("selected")
        assert all(d.weekday() != 6 for d in days)
