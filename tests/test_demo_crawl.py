"""The crawl finds every page and resource of the demo shop, and records what is on them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from conftest import CRAWLED, TODAY, StoreReader, shoplint_in

from shoplint.demo import DemoShop
from shoplint.demo.server import Site

DEMO = Path(__file__).parent.parent / "shoplint" / "demo"
IMAGE_VARIANTS = ("320", "640", "detail-240", "detail-480")
# reachable only by submitting a form (POST), which a crawler never does
AFTER_A_POST = {
    "/afrekenen/verzending/",
    "/afrekenen/betaling/",
    "/afrekenen/bevestiging/",
    "/contact/bedankt/",
}


@pytest.fixture(scope="module")
def demo_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, StoreReader]:
    tmp = tmp_path_factory.mktemp("demo-crawl")
    store = StoreReader(tmp / "shoplint.db", tmp / "report")
    with DemoShop(today=dt.date.fromisoformat(TODAY)) as shop:
        base = shop.url.rstrip("/")
        proc = shoplint_in(tmp, "run", shop.url, "--db", str(store.db), "--out", str(store.out))
    assert proc.returncode in CRAWLED, proc.stderr
    return base, store


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(dt.date.fromisoformat(TODAY))


def test_every_page_of_the_demo_shop_is_crawled_and_parsed(demo_crawl, site):
    base, store = demo_crawl
    fetches = store.fetches()
    expected = site.known_pages - AFTER_A_POST - {"/afrekenen/adres/", "/account/"}
    missing = {p for p in expected if base + p not in fetches}
    assert not missing
    for path in expected:
        fetch = fetches[base + path]
        assert (fetch["status"], fetch["is_page"]) == (200, 1), path


def test_every_image_stylesheet_and_script_is_fetched_not_parsed(demo_crawl, site):
    base, store = demo_crawl
    fetches = store.fetches()
    resources = {
        f"/static/img/producten/{p.slug}-{v}.png"
        for p in site.products
        if p.main_src is None
        for v in IMAGE_VARIANTS
    }
    resources |= {f"/static/img/categorie/{c['slug']}.png" for c in site.categories}
    resources |= {"/static/img/logo.png", "/static/stijl.css", "/static/winkel.js", "/favicon.ico"}
    missing = {r for r in resources if base + r not in fetches}
    assert not missing
    for path in resources:
        assert fetches[base + path]["is_page"] == 0, path
    assert fetches[base + "/static/img/logo.png"]["content_type"] == "image/png"


def test_sitemaps_seed_the_crawl_and_keep_lastmod(demo_crawl, site):
    base, store = demo_crawl
    fetches = store.fetches()
    entries = {e["url"]: e for e in store.sitemap_entries()}
    listed = {base + path for path, _ in site.sitemap_pages + site.sitemap_products}
    assert listed == set(entries)
    assert all(url in fetches for url in listed)
    orphan = base + "/cadeaubon/"  # linked from nowhere, only the sitemap knows it
    assert fetches[orphan]["status"] == 200 and fetches[orphan]["depth"] == 0
    assert entries[base + "/faq/"]["lastmod"]
    assert entries[base + "/faq/"]["sitemap"] == base + "/sitemap-pages.xml"


def test_every_seeded_broken_target_is_fetched_with_its_status(demo_crawl):
    base, store = demo_crawl
    fetches = store.fetches()
    manifest = yaml.safe_load((DEMO / "defects.yml").read_text(encoding="utf-8"))
    checked = 0
    for defect in manifest["defects"]:
        target, status = defect.get("target"), defect.get("status")
        if not (target and status and target.startswith("/")):
            continue
        key = base + target.split("#")[0]
        assert fetches[key]["status"] == status, defect
        checked += 1
    assert checked >= 10


def test_robots_txt_disallow_is_honoured_on_the_demo_shop(demo_crawl):
    base, store = demo_crawl
    account = store.fetches()[base + "/account/"]
    assert (account["outcome"], account["status"]) == ("disallowed", None)


def test_references_are_recorded_with_source_kind_and_text(demo_crawl, site):
    base, store = demo_crawl
    product = site.product_by_slug["gazelle-esprit-c3"]
    refs = store.refs(source=base + product.path)
    kinds = {r["kind"] for r in refs}
    assert {
        "a",
        "img",
        "img-srcset",
        "source-srcset",
        "link-stylesheet",
        "link-icon",
        "link-canonical",
        "script",
        "form-action",
    } <= kinds
    cart_form = next(r for r in refs if r["kind"] == "form-action" and r["method"] == "POST")
    assert cart_form["target"] == base + "/winkelwagen/toevoegen"
    assert base + "/winkelwagen/toevoegen" not in store.fetches()  # a POST action is not a link
    search = next(r for r in refs if r["kind"] == "form-action" and r["method"] == "GET")
    assert search["target"] == base + "/zoeken"
    main_image = next(r for r in refs if r["kind"] == "img" and product.slug in r["raw"])
    assert main_image["text"]  # the alt text
    home_link = next(r for r in refs if r["kind"] == "a" and r["target"] == base + "/")
    assert home_link["url"] == base + "/"


def test_demo_command_writes_a_report_and_says_where(tmp_path):
    proc = shoplint_in(tmp_path, "demo", "--out", str(tmp_path / "report"))
    assert proc.returncode == 0, proc.stderr
    index = tmp_path / "report" / "index.html"
    assert f"Report: {index}" in proc.stdout
    assert index.is_file() and (tmp_path / "report" / "findings.json").is_file()
    assert "complete" in proc.stdout
