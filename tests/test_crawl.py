"""The crawl, end to end: `shoplint run` against purpose-built local sites, asserting on
what the run store holds and on what the servers were (and were not) asked for."""

from __future__ import annotations

import gzip
import subprocess
import sys
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from conftest import CRAWLED
from fixture_server import (
    FixtureServer,
    Reply,
    closed_port,
    html_page,
    redirect,
    resource,
)

from ground.urls import NOT_FOUND_PROBE
from store import open_store

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
FAST = {"crawl": {"autothrottle": False, "retries": 0}}  # quick crawls of tiny sites


def crawl_config(**crawl: object) -> dict:
    return {"crawl": {**FAST["crawl"], **crawl}}


def site_fetches(fetches: dict[str, dict], origin: str) -> dict[str, dict]:
    """The fetch rows of the site by path (robots.txt and sitemap.xml included)."""
    return {url.removeprefix(origin): row for url, row in fetches.items()}


# -- inventory ------------------------------------------------------------------------------


def test_every_page_and_resource_is_found_with_status_type_and_depth(run_shoplint):
    home = html_page(
        '<img src="/img/logo.png" alt="Logo"><img src="/banner.html" alt="Banner">'
        '<script src="/static/app.js"></script>',
        head='<link rel="stylesheet" href="/static/site.css">',
        links=["/cat/", "/about/"],
    )
    routes = {
        "/": home,
        "/cat/": html_page(links=["/cat/item-1/", "/"]),
        "/cat/item-1/": html_page('<img src="/img/item-1.png" alt="Item">', links=["/cat/"]),
        "/about/": html_page("About us"),
        "/img/logo.png": resource(PNG, "image/png"),
        "/img/item-1.png": resource(PNG, "image/png"),
        "/static/site.css": resource(b"a{background:url(/img/bg.png)}", "text/css"),
        "/static/app.js": resource(b'fetch("/api/hidden/")', "application/javascript"),
        # an "image" that is really an HTML page: a resource, so never parsed for links
        "/banner.html": html_page(links=["/only-linked-from-a-resource/"]),
    }
    with FixtureServer(routes) as site:
        proc, store = run_shoplint(site.url, config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr
        got = site_fetches(store.fetches(), site.origin)

    expected = {  # path: (status, content type prefix, depth, is_page)
        "/": (200, "text/html", 0, 1),
        "/cat/": (200, "text/html", 1, 1),
        "/about/": (200, "text/html", 1, 1),
        "/cat/item-1/": (200, "text/html", 2, 1),
        "/img/logo.png": (200, "image/png", 1, 0),
        "/img/item-1.png": (200, "image/png", 3, 0),
        "/static/site.css": (200, "text/css", 1, 0),
        "/static/app.js": (200, "application/javascript", 1, 0),
        "/banner.html": (200, "text/html", 1, 0),
    }
    assert set(got) - {"/robots.txt", "/sitemap.xml", NOT_FOUND_PROBE} == set(expected)
    for path, (status, ctype, depth, is_page) in expected.items():
        row = got[path]
        assert row["outcome"] == "response", path
        assert row["status"] == status, path
        assert row["content_type"].startswith(ctype), path
        assert row["depth"] == depth, path
        assert row["is_page"] == is_page, path
    assert got["/img/logo.png"]["size"] == len(PNG)
    assert got["/cat/item-1/"]["title"] == "Page"
    assert got["/"]["lang"] == "en"
    # resources are fetched, never parsed: nothing they mention is requested
    assert site.hits_on_path("/only-linked-from-a-resource/") == 0
    assert site.hits_on_path("/img/bg.png") == 0
    assert site.hits_on_path("/api/hidden/") == 0
    assert store.refs(source=site.origin + "/banner.html") == []
    # each URL is requested once however many pages link to it
    for path in expected:
        assert site.hits[path] == 1, path
    run = store.run()
    assert run["status"] == "complete"
    assert run["counters"]["pages"] == 4


# -- references -----------------------------------------------------------------------------

REFS_PAGE = """<!DOCTYPE html>
<html lang="nl"><head>
<title>  Every   kind </title>
<link rel="stylesheet" href="/static/site.css">
<link rel="icon" href="/favicon.ico">
<link rel="canonical" href="/refs/">
<link rel="alternate" hreflang="de" href="/de/refs/">
<meta http-equiv="refresh" content="30; url=/refreshed/">
<meta name="robots" content="noindex, follow">
<script src="/static/app.js"></script>
</head><body>
<a href="/shop/">  Shop
   <b>now</b> </a>
<a href="/img-link/"><img src="/img/sale.png" alt="Sale"></a>
<img src="/img/no-alt.png">
<img src="/img/empty-alt.png" alt="">
<img src="/img/one.png" srcset="/img/one-1x.png 1x, /img/one-2x.png 2x" alt="One">
<picture>
  <source srcset="/img/p-480.webp 480w, /img/p-960.webp 960w" type="image/webp">
  <img src="/img/p.jpg" alt="Picture">
</picture>
<iframe src="/frame/"></iframe>
<form action="/search/" method="get"><input name="q"></form>
<form action="/cart/add/" method="POST"><input name="sku" value="1"></form>
<map name="m"><area href="/area/" alt="Region" shape="rect" coords="0,0,1,1"></map>
<a href="mailto:shop@example.com">Mail us</a>
<a href="http://">Manual (pdf)</a>
<a href="#top">Top</a>
</body></html>
"""


def test_every_reference_is_recorded_with_kind_source_and_text(run_shoplint):
    with FixtureServer() as site:
        site.routes.update({"/": html_page(links=["/refs/"]), "/refs/": REFS_PAGE})
        proc, store = run_shoplint(site.url, config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr
        o = site.origin
        source = o + "/refs/"
        refs = store.refs(source=source)

    def on_site(kind: str, path: str, text: str | None = None, method: str | None = None):
        return (kind, path, o + path, o + path, text, method)  # raw, url, target

    got = [(r["kind"], r["raw"], r["url"], r["target"], r["text"], r["method"]) for r in refs]
    assert got == [
        on_site("link-stylesheet", "/static/site.css"),
        on_site("link-icon", "/favicon.ico"),
        on_site("link-canonical", "/refs/"),
        on_site("link-alternate", "/de/refs/", "de"),  # hreflang as its text
        on_site("meta-refresh", "/refreshed/"),
        on_site("script", "/static/app.js"),
        on_site("a", "/shop/", "Shop now"),  # whitespace squeezed, markup dropped
        on_site("a", "/img-link/", "Sale"),  # an image link's text is the image's alt
        on_site("img", "/img/sale.png", "Sale"),
        on_site("img", "/img/no-alt.png", None),  # no alt attribute
        on_site("img", "/img/empty-alt.png", ""),  # alt="": a decorative image
        on_site("img", "/img/one.png", "One"),
        on_site("img-srcset", "/img/one-1x.png", "One"),
        on_site("img-srcset", "/img/one-2x.png", "One"),
        on_site("source-srcset", "/img/p-480.webp"),
        on_site("source-srcset", "/img/p-960.webp"),
        on_site("img", "/img/p.jpg", "Picture"),
        on_site("iframe", "/frame/"),
        on_site("form-action", "/search/", None, "GET"),
        on_site("form-action", "/cart/add/", None, "POST"),
        on_site("area", "/area/", "Region"),
        ("a", "mailto:shop@example.com", None, None, "Mail us", None),
        ("a", "http://", None, None, "Manual (pdf)", None),  # no host: not a self-link
        ("a", "#top", source + "#top", source, "Top", None),
    ]
    page = store.fetches()[source]
    assert page["title"] == "Every kind"
    assert page["lang"] == "nl"
    assert page["canonical"] == source
    assert page["meta_robots"] == "noindex, follow"
    # every site reference but the POST form's action was fetched; resources unparsed
    fetched = site_fetches(store.fetches(), o)
    for path in (
        "/shop/",
        "/img-link/",
        "/frame/",
        "/area/",
        "/refreshed/",
        "/de/refs/",
        "/img/one-2x.png",
        "/img/p-960.webp",
        "/favicon.ico",
        "/search/",
    ):
        assert path in fetched, path
    assert fetched["/frame/"]["depth"] == 2
    assert fetched["/img/p-480.webp"]["is_page"] == 0


def test_post_form_action_is_never_fetched_and_get_form_action_is(run_shoplint):
    page = html_page(
        '<form action="/cart/add/" method="post"><button>Add</button></form>'
        '<form action="/newsletter/" method="POST"><input name="email"></form>'
        '<form action="/search/"><input name="q"></form>'  # no method: GET
    )
    with FixtureServer({"/": page, "/search/": html_page("results")}) as site:
        proc, store = run_shoplint(site.url, config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr
        methods = [m for m, target in site.requests if target == "/search/"]

    assert site.hits_on_path("/cart/add/") == 0
    assert site.hits_on_path("/newsletter/") == 0
    assert methods == ["GET"]
    fetches = store.fetches()
    assert site.origin + "/cart/add/" not in fetches
    assert fetches[site.origin + "/search/"]["is_page"] == 1
    actions = {r["raw"]: r["method"] for r in store.refs() if r["kind"] == "form-action"}
    assert actions == {"/cart/add/": "POST", "/newsletter/": "POST", "/search/": "GET"}


def test_base_href_resolves_relative_references(run_shoplint):
    page = (
        '<!DOCTYPE html><html><head><base href="/shop/nl/"><title>b</title></head><body>'
        '<a href="fietsen/">Fietsen</a><a href="../en/">English</a>'
        '<a href="/absolute/">Abs</a><img src="img/x.png" alt="x"><a href="?page=2">Next</a>'
        "</body></html>"
    )
    routes = {"/": html_page(links=["/base/page.html"]), "/base/page.html": page}
    with FixtureServer(routes) as site:
        proc, store = run_shoplint(site.url, config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr
        o = site.origin
        refs = {r["raw"]: r["url"] for r in store.refs(source=o + "/base/page.html")}

    assert refs == {
        "fietsen/": o + "/shop/nl/fietsen/",
        "../en/": o + "/shop/en/",
        "/absolute/": o + "/absolute/",
        "img/x.png": o + "/shop/nl/img/x.png",
        "?page=2": o + "/shop/nl/?page=2",
    }
    assert site.hits["/shop/nl/fietsen/"] == 1
    assert site.hits["/shop/nl/img/x.png"] == 1
    assert site.hits_on_path("/base/fietsen/") == 0


# -- external references --------------------------------------------------------------------


def _site_linking_to(external: FixtureServer) -> dict:
    ext = external.origin
    return {
        "/": html_page(
            f'<img src="{ext}/img/partner.png" alt="Partner">'
            f'<form action="{ext}/search/" method="get"></form>'
            f'<iframe src="{ext}/embed/"></iframe>',
            head=f'<link rel="stylesheet" href="{ext}/cdn/site.css">',
            links=[f"{ext}/partner/", "/local/"],
        ),
        "/local/": html_page(links=[f"{ext}/partner/?from=local"]),
    }


def test_external_references_are_recorded_but_never_fetched(run_shoplint):
    with FixtureServer() as external, FixtureServer() as site:
        external.routes.update({"/partner/": html_page(links=["/partner/deeper/"])})
        site.routes.update(_site_linking_to(external))
        proc, store = run_shoplint(site.url, "--internal-only", config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr

    assert external.requests == []
    ext = external.origin
    targets = {r["target"] for r in store.refs() if r["target"].startswith(ext)}
    assert targets == {
        f"{ext}/img/partner.png",
        f"{ext}/search/",
        f"{ext}/embed/",
        f"{ext}/cdn/site.css",
        f"{ext}/partner/",
        f"{ext}/partner/?from=local",
    }
    assert not [url for url in store.fetches() if url.startswith(ext)]
    assert site.origin + "/local/" in store.fetches()


def test_external_pages_are_never_crawled(run_shoplint):
    """Without --internal-only an external address may be checked, but never parsed,
    so nothing it links to is ever requested."""
    with FixtureServer() as external, FixtureServer() as site:
        external.routes.update({"/partner/": html_page(links=["/partner/deeper/"])})
        site.routes.update(_site_linking_to(external))
        proc, store = run_shoplint(site.url, config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr

    assert external.hits_on_path("/partner/deeper/") == 0
    assert all(n <= 1 for n in external.hits.values()), external.hits
    external_fetches = [r for u, r in store.fetches().items() if u.startswith(external.origin)]
    assert all(row["is_page"] == 0 for row in external_fetches)
    assert not [r for r in store.refs() if r["source"].startswith(external.origin)]


# -- URL normalisation ----------------------------------------------------------------------


def test_url_variants_of_one_page_are_fetched_once(run_shoplint):
    with FixtureServer() as site:
        o = site.origin
        variants = [
            "/product/?size=m&color=red",
            "/product/?color=red&size=m",
            "/product/?color=red&size=m&utm_source=newsletter&utm_medium=email",
            "/product/?utm_campaign=x&color=red&size=m#reviews",
            "/product/?color=red&sessionid=abc123&size=m",
            "/product/?color=red&size=m&PHPSESSID=f00&gclid=zz",
            f"{o}/product/?color=red&size=m#top",
            f"HTTP://127.0.0.1:{site.port}/product/?size=m&color=red",
        ]
        site.routes.update({"/": html_page(links=variants), "/product/": html_page("p")})
        proc, store = run_shoplint(site.url, config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr

    assert site.hits_on_path("/product/") == 1
    assert site.hits["/product/?color=red&size=m"] == 1
    product_rows = [u for u in store.fetches() if "/product/" in u]
    assert product_rows == [o + "/product/?color=red&size=m"]
    targets = {r["target"] for r in store.refs(source=o + "/")}
    assert targets == {o + "/product/?color=red&size=m"}
    # the raw and resolved address keep what was written (fragment included)
    urls = {r["url"] for r in store.refs(source=o + "/")}
    assert o + "/product/?utm_campaign=x&color=red&size=m#reviews" in urls


# -- crawler traps --------------------------------------------------------------------------


def _facet_trap(target: str) -> Reply | None:
    """/filters/ links to two new filter combinations on every page, forever; /repeat/
    links to itself with the same parameter appended once more."""
    parts = urlsplit(target)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if parts.path == "/":
        return html_page(links=["/filters/", "/repeat/?f=a"])
    if parts.path == "/filters/":
        n = len(pairs)
        links = [
            "/filters/?" + urlencode([*pairs, (f"p{n}", "1")]),
            "/filters/?" + urlencode([*pairs, (f"p{n}", "2")]),
        ]
        return html_page(f"{n} filters", links=links)
    if parts.path == "/repeat/":
        return html_page(links=["/repeat/?" + urlencode([*pairs, ("f", "a")])])
    return None


def test_facet_trap_guards_stop_infinite_filter_spaces(run_shoplint):
    with FixtureServer(_facet_trap) as site:
        proc, store = run_shoplint(site.url, config=crawl_config(max_query_variants=6))
        assert proc.returncode in CRAWLED, proc.stderr

    filter_queries = [t for t in site.hits if t.startswith("/filters/?")]
    assert len(filter_queries) == 6
    assert site.hits["/filters/"] == 1
    assert all(n == 1 for t, n in site.hits.items() if t.startswith(("/filters/", "/repeat/")))
    assert site.hits["/repeat/?f=a"] == 1
    assert site.hits_on_path("/repeat/") == 1  # ?f=a&f=a is never requested
    run = store.run()
    assert run["status"] == "complete"
    counters = run["counters"]
    # 7 pages fetched, 2 new variants linked from each, 6 admitted: 8 skipped
    assert counters["skipped_query_variants"] == 8
    assert counters["skipped_repeated_parameter"] == 1
    report = store.findings_json()["run"]
    assert report["status"] == "complete"
    assert report["counters"]["skipped_query_variants"] == counters["skipped_query_variants"]
    assert report["counters"]["skipped_repeated_parameter"] == 1


def test_repeated_path_segments_and_overlong_urls_are_skipped(run_shoplint):
    def compounding(target: str) -> Reply | None:
        # a relative link that compounds on every page: /a/b/ -> /a/b/a/b/ -> ...
        path = urlsplit(target).path
        if path == "/" or path.startswith("/a/b/"):
            return html_page(links=["a/b/", "/" + "x" * 300 + "/"])
        return None

    with FixtureServer(compounding) as site:
        proc, store = run_shoplint(site.url, config=crawl_config(max_url_length=200))
        assert proc.returncode in CRAWLED, proc.stderr

    assert site.hits_on_path("/" + "x" * 300 + "/") == 0
    deepest = max((path for path in site.hits if path != NOT_FOUND_PROBE), key=len)
    assert deepest == "/a/b/a/b/a/b/"  # a segment a fourth time is a trap
    counters = store.run()["counters"]
    assert counters["skipped_repeated_path"] == 1
    assert counters["skipped_too_long"] == 1


# -- robots.txt -----------------------------------------------------------------------------

ROBOTS = b"""User-agent: shoplint
Disallow: /private/

User-agent: *
Disallow: /
"""


def _robots_site() -> dict:
    return {
        "/robots.txt": resource(ROBOTS, "text/plain"),
        "/": html_page(links=["/private/orders/", "/public/"]),
        "/public/": html_page("public"),
        "/private/orders/": html_page("secret"),
    }


def test_robots_txt_disallow_is_honoured(run_shoplint):
    with FixtureServer(_robots_site()) as site:
        proc, store = run_shoplint(site.url, config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr

    assert site.hits_on_path("/private/orders/") == 0
    fetches = site_fetches(store.fetches(), site.origin)
    assert fetches["/private/orders/"]["outcome"] == "disallowed"
    assert fetches["/private/orders/"]["status"] is None
    assert fetches["/private/orders/"]["error"] == "robots.txt"
    # shoplint's own group applies, not the catch-all that disallows everything
    assert fetches["/public/"]["status"] == 200
    assert fetches["/robots.txt"]["status"] == 200
    assert store.run()["counters"]["skipped_robots"] == 1


def test_robots_txt_is_ignored_when_configured(run_shoplint):
    with FixtureServer(_robots_site()) as site:
        proc, store = run_shoplint(site.url, config=crawl_config(obey_robots=False))
        assert proc.returncode in CRAWLED, proc.stderr

    assert site.hits["/private/orders/"] == 1
    fetches = site_fetches(store.fetches(), site.origin)
    assert fetches["/private/orders/"]["outcome"] == "response"
    assert fetches["/private/orders/"]["is_page"] == 1


def test_robots_txt_disallowing_the_start_url_fails_the_run(run_shoplint):
    robots = resource(b"User-agent: *\nDisallow: /\n", "text/plain")
    with FixtureServer({"/robots.txt": robots, "/": html_page("home")}) as site:
        proc, store = run_shoplint(site.url, config=FAST)

    assert proc.returncode == 3
    assert site.hits["/"] == 0
    assert "robots.txt disallows the start URL" in proc.stderr
    assert store.run()["status"] == "failed"


# -- sitemaps -------------------------------------------------------------------------------


def _urlset(origin: str, entries: list[tuple[str, str | None]]) -> bytes:
    urls = "".join(
        f"<url><loc>{origin}{path}</loc>"
        + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
        + "</url>"
        for path, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def test_sitemaps_from_robots_txt_seed_the_crawl(run_shoplint):
    with FixtureServer() as site:
        o = site.origin
        index = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{o}/sitemaps/pages.xml</loc></sitemap>"
            f"<sitemap><loc>{o}/sitemaps/products.xml.gz</loc></sitemap>"
            "</sitemapindex>"
        ).encode()
        pages = _urlset(o, [("/", "2026-01-01"), ("/orphan/", "2026-03-04T10:00:00+00:00")])
        products = gzip.compress(
            _urlset(o, [("/product/1/", "2025-12-24"), ("/product/2/", None)]) + b"\n"
        )
        site.routes.update(
            {
                "/robots.txt": resource(
                    f"User-agent: *\nSitemap: {o}/sitemap_index.xml\n".encode(), "text/plain"
                ),
                "/sitemap_index.xml": resource(index, "application/xml"),
                "/sitemaps/pages.xml": resource(pages, "application/xml"),
                "/sitemaps/products.xml.gz": resource(products, "application/x-gzip"),
                "/": html_page("home"),  # links to nothing: every other page is an orphan
                "/orphan/": html_page(links=["/linked-from-orphan/"]),
                "/product/1/": html_page("p1"),
                "/product/2/": html_page("p2"),
                "/linked-from-orphan/": html_page("x"),
            }
        )
        proc, store = run_shoplint(site.url, config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr

    fetches = site_fetches(store.fetches(), o)
    for path in ("/orphan/", "/product/1/", "/product/2/"):
        assert fetches[path]["is_page"] == 1, path
        assert fetches[path]["depth"] == 0, path
    assert fetches["/linked-from-orphan/"]["depth"] == 1
    assert site.hits["/sitemap.xml"] == 0  # robots.txt named the sitemaps
    assert site.hits["/"] == 1
    entries = {
        (e["sitemap"].removeprefix(o), e["url"].removeprefix(o)): e["lastmod"]
        for e in store.sitemap_entries()
    }
    assert entries == {
        ("/sitemaps/pages.xml", "/"): "2026-01-01",
        ("/sitemaps/pages.xml", "/orphan/"): "2026-03-04T10:00:00+00:00",
        ("/sitemaps/products.xml.gz", "/product/1/"): "2025-12-24",
        ("/sitemaps/products.xml.gz", "/product/2/"): None,
    }


def test_sitemap_xml_is_tried_without_a_robots_sitemap_line(run_shoplint):
    with FixtureServer() as site:
        o = site.origin
        site.routes.update(
            {
                "/robots.txt": resource(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
                "/sitemap.xml": resource(
                    _urlset(o, [("/orphan/", "2026-02-03"), ("/private/x/", None)]),
                    "text/xml",
                ),
                "/": html_page("home"),
                "/orphan/": html_page("orphan"),
            }
        )
        proc, store = run_shoplint(site.url, config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr

    assert site.hits["/sitemap.xml"] == 1
    assert site.hits["/orphan/"] == 1
    assert site.hits_on_path("/private/x/") == 0  # sitemap seeds still obey robots.txt
    lastmods = {e["url"].removeprefix(o): e["lastmod"] for e in store.sitemap_entries()}
    assert lastmods == {"/orphan/": "2026-02-03", "/private/x/": None}


def test_external_sitemap_entries_are_listed_not_fetched(run_shoplint):
    with FixtureServer() as external, FixtureServer() as site:
        sitemap = _urlset(external.origin, [("/elsewhere/", None)])
        site.routes.update({"/": html_page("home"), "/sitemap.xml": resource(sitemap, "text/xml")})
        proc, store = run_shoplint(site.url, config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr

    assert external.requests == []
    assert [e["url"] for e in store.sitemap_entries()] == [external.origin + "/elsewhere/"]


# -- redirects ------------------------------------------------------------------------------


def test_redirect_chain_is_one_fetch_per_hop(run_shoplint):
    with FixtureServer() as site:
        o = site.origin
        site.routes.update(
            {
                "/": html_page(links=["/old/", "/loop-a/"]),
                "/old/": redirect("/older/", 301),
                "/older/": redirect(f"{o}/oldest/?utm_source=x", 302),
                "/oldest/": redirect("../new/", 307),  # relative Location
                "/new/": html_page("new home of the page"),
                "/loop-a/": redirect("/loop-b/", 302),
                "/loop-b/": redirect("/loop-a/", 302),
            }
        )
        proc, store = run_shoplint(site.url, config=FAST)
        assert proc.returncode in CRAWLED, proc.stderr

    fetches = site_fetches(store.fetches(), o)
    assert fetches["/old/"]["status"] == 301
    assert fetches["/old/"]["redirect_to"] == o + "/older/"
    assert fetches["/older/"]["status"] == 302
    assert fetches["/older/"]["redirect_to"] == o + "/oldest/"  # normalised hop
    assert fetches["/oldest/"]["redirect_to"] == o + "/new/"
    assert fetches["/new/"]["redirect_to"] is None
    assert fetches["/new/"]["is_page"] == 1
    assert {fetches[p]["depth"] for p in ("/old/", "/older/", "/oldest/", "/new/")} == {1}
    for path in ("/old/", "/older/", "/oldest/", "/new/", "/loop-a/", "/loop-b/"):
        assert site.hits_on_path(path) == 1, path
    assert fetches["/loop-b/"]["redirect_to"] == o + "/loop-a/"

    db = open_store(str(store.db))
    try:
        run_id = store.run()["id"]
        chain = db.redirect_chain(run_id, o + "/old/")
        assert [f.url for f in chain] == [o + p for p in ("/old/", "/older/", "/oldest/", "/new/")]
        assert [f.status for f in chain] == [301, 302, 307, 200]
        loop = db.redirect_chain(run_id, o + "/loop-a/")
        assert [f.url for f in loop] == [o + "/loop-a/", o + "/loop-b/"]
    finally:
        db.close()
    assert store.run()["status"] == "complete"


def test_endless_redirects_stop_at_max_redirects(run_shoplint):
    def forever(target: str) -> Reply | None:
        if target == "/":
            return html_page(links=["/r/1"])
        if target.startswith("/r/"):
            return redirect(f"/r/{int(target.rsplit('/', 1)[1]) + 1}", 302)
        return None

    with FixtureServer(forever) as site:
        proc, store = run_shoplint(site.url, config=crawl_config(max_redirects=5))
        assert proc.returncode in CRAWLED, proc.stderr

    hops = sorted(int(t.rsplit("/", 1)[1]) for t in site.hits if t.startswith("/r/"))
    assert hops == [1, 2, 3, 4, 5, 6]  # the first request and 5 redirects followed
    fetches = site_fetches(store.fetches(), site.origin)
    assert fetches["/r/6"]["redirect_to"] == site.origin + "/r/7"
    assert "/r/7" not in fetches
    assert store.run()["status"] == "complete"


def test_start_url_redirect_is_followed(run_shoplint):
    with FixtureServer(
        {"/": redirect("/nl/", 302), "/nl/": html_page(links=["/nl/a/"]), "/nl/a/": html_page("a")}
    ) as site:
        proc, store = run_shoplint(site.url, config=FAST)

    assert proc.returncode in CRAWLED, proc.stderr
    fetches = site_fetches(store.fetches(), site.origin)
    assert fetches["/"]["redirect_to"] == site.origin + "/nl/"
    assert fetches["/nl/"]["depth"] == 0
    assert fetches["/nl/a/"]["depth"] == 1


# -- failures -------------------------------------------------------------------------------


def test_timeouts_and_refused_connections_are_recorded(run_shoplint):
    dead = closed_port()
    with FixtureServer() as site:
        site.routes.update(
            {
                "/": html_page(
                    f'<img src="http://127.0.0.1:{dead}/img/gone.png" alt="gone">',
                    links=["/slow/", "/ok/", f"http://127.0.0.1:{dead}/offline/"],
                ),
                "/slow/": Reply(200, b"<html>late</html>", delay=3),
                "/ok/": html_page("ok"),
            }
        )
        config = crawl_config(download_timeout=1)
        config["site"] = {"hosts": [f"127.0.0.1:{dead}"]}
        proc, store = run_shoplint(site.url, config=config)
        assert proc.returncode in CRAWLED, proc.stderr

    fetches = store.fetches()
    slow = fetches[site.origin + "/slow/"]
    assert (slow["outcome"], slow["error"], slow["status"]) == ("failed", "timeout", None)
    for url in (f"http://127.0.0.1:{dead}/offline/", f"http://127.0.0.1:{dead}/img/gone.png"):
        assert (fetches[url]["outcome"], fetches[url]["error"]) == ("failed", "refused"), url
    assert fetches[site.origin + "/ok/"]["status"] == 200
    assert site.hits["/slow/"] == 1  # retries: 0
    run = store.run()
    assert run["status"] == "complete"
    assert run["counters"]["failures"] >= 3


def test_oversized_binary_empty_malformed_and_500_pages_do_not_stop_the_crawl(run_shoplint):
    binary = bytes(range(256)) * 64 + b"\x00\xff" * 100
    malformed = (
        b"<html><head><title>Broken</title><meta charset=utf-8></head><body><div><table><tr><td>"
        b'<a href="/after-malformed/">next<p>unclosed <b><i>nest</b></i>'
        b"<a href='/also-found/'>also</a><script>if (a < b) { x = '</div>' }</script>"
        b"\xff\xfe broken utf-8 &bogus; &#xZZ;"
    )
    routes = {
        "/": html_page(links=["/huge/", "/binary/", "/empty/", "/malformed/", "/error/"]),
        "/huge/": html_page("x" * 200_000 + '<a href="/behind-huge/">h</a>'),
        "/binary/": Reply(200, binary),
        "/empty/": Reply(200, b""),
        "/malformed/": Reply(200, malformed),
        "/error/": Reply(
            500, b'<html><body>Internal error <a href="/behind-500/">x</a></body></html>'
        ),
        "/after-malformed/": html_page("ok"),
        "/also-found/": html_page("ok"),
    }
    with FixtureServer(routes) as site:
        proc, store = run_shoplint(site.url, config=crawl_config(max_response_bytes=100_000))
        assert proc.returncode in CRAWLED, proc.stderr

    f = site_fetches(store.fetches(), site.origin)
    assert (f["/huge/"]["outcome"], f["/huge/"]["error"]) == ("failed", "too-large")
    assert site.hits_on_path("/behind-huge/") == 0
    assert f["/binary/"]["outcome"] == "response"
    assert f["/binary/"]["status"] == 200
    assert f["/empty/"]["status"] == 200
    assert f["/empty/"]["size"] == 0
    assert f["/malformed/"]["status"] == 200
    assert f["/malformed/"]["is_page"] == 1
    assert f["/after-malformed/"]["status"] == 200
    assert f["/also-found/"]["status"] == 200
    assert f["/error/"]["status"] == 500
    assert f["/error/"]["is_page"] == 0  # an error page is recorded, not crawled
    assert site.hits_on_path("/behind-500/") == 0
    run = store.run()
    assert run["status"] == "complete"
    assert store.findings_json()["run"]["status"] == "complete"


# -- limits ---------------------------------------------------------------------------------


def _chain_site(length: int) -> dict:
    """/ -> /d1/ -> /d2/ -> ... each page also showing one image."""
    routes: dict = {}
    for n in range(length + 1):
        path = "/" if n == 0 else f"/d{n}/"
        routes[path] = html_page(f'<img src="/img/{n}.png" alt="">', links=[f"/d{n + 1}/"])
        routes[f"/img/{n}.png"] = resource(PNG, "image/png")
    return routes


def test_max_depth_is_honoured(run_shoplint):
    with FixtureServer(_chain_site(6)) as site:
        proc, store = run_shoplint(site.url, config=crawl_config(max_depth=2))
        assert proc.returncode in CRAWLED, proc.stderr

    f = site_fetches(store.fetches(), site.origin)
    pages = sorted((row["depth"], path) for path, row in f.items() if row["is_page"])
    assert pages == [(0, "/"), (1, "/d1/"), (2, "/d2/")]
    # the links on the deepest pages are checked (fetched) but not followed further
    assert f["/d3/"]["depth"] == 3
    assert f["/d3/"]["is_page"] == 0
    assert site.hits_on_path("/d4/") == 0
    assert site.hits_on_path("/img/3.png") == 0


@pytest.mark.parametrize("how", ["option", "config"])
def test_max_pages_is_honoured(run_shoplint, how):
    links = [f"/p/{n}/" for n in range(20)]
    routes = {"/": html_page(links=links)}
    routes.update({path: html_page('<img src="/img.png" alt="">') for path in links})
    routes["/img.png"] = resource(PNG, "image/png")
    with FixtureServer(routes) as site:
        if how == "option":
            proc, store = run_shoplint(site.url, "--max-pages", "5", config=FAST)
        else:
            proc, store = run_shoplint(site.url, config=crawl_config(max_pages=5))
        assert proc.returncode in CRAWLED, proc.stderr

    fetches = store.fetches()
    assert sum(row["is_page"] for row in fetches.values()) == 5
    assert sum(n for t, n in site.hits.items() if t.startswith("/p/")) == 4
    assert site.hits["/img.png"] == 1  # resources of admitted pages are still fetched
    run = store.run()
    assert run["status"] == "complete"
    assert run["counters"]["pages"] == 5
    assert run["counters"]["skipped_max_pages"] == 16


def test_exclude_globs_are_never_fetched(run_shoplint):
    with FixtureServer(
        {"/": html_page(links=["/account/login/", "/shop/"]), "/shop/": html_page("shop")}
    ) as site:
        proc, store = run_shoplint(site.url, config=crawl_config(exclude=["*/account/*"]))
        assert proc.returncode in CRAWLED, proc.stderr

    assert site.hits_on_path("/account/login/") == 0
    assert site.hits["/shop/"] == 1
    assert store.run()["counters"]["skipped_excluded"] == 1


# -- a start URL that cannot be crawled ---------------------------------------------------


def test_unreachable_start_url_exits_3_and_records_a_failed_run(run_shoplint):
    url = f"http://127.0.0.1:{closed_port()}/"
    proc, store = run_shoplint(url, config=FAST)

    assert proc.returncode == 3
    problems = [line for line in proc.stderr.splitlines() if line.startswith("shoplint:")]
    assert len(problems) == 1, proc.stderr
    assert url in problems[0]
    assert "unreachable" in problems[0]
    assert "refused" in problems[0]
    assert "Traceback" not in proc.stderr
    run = store.run()
    assert run["status"] == "failed"
    assert run["finished_at"] is not None
    assert store.fetches()[url]["error"] == "refused"
    report = store.findings_json()
    assert report["run"]["status"] == "failed"
    assert report["run"]["id"] == run["id"]
    assert report["findings"] == []


def test_start_url_that_is_not_http_exits_2(run_shoplint):
    proc, _ = run_shoplint("ftp://example.com/", config=FAST)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "shoplint: URL: expected an absolute http(s) address, got 'ftp://example.com/'"
    ]


# -- politeness -----------------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 3])
def test_concurrency_caps_requests_in_parallel(run_shoplint, concurrency):
    links = [f"/p/{n}/" for n in range(12)]
    routes = {"/": html_page(links=links)}
    for path in links:
        page = html_page(f'<img src="/img{path}x.png" alt="">')
        routes[path] = Reply(page.status, page.body, page.headers, delay=0.1)
        routes[f"/img{path}x.png"] = Reply(200, PNG, {"Content-Type": "image/png"}, delay=0.05)
    with FixtureServer(routes) as site:
        proc, store = run_shoplint(site.url, config=crawl_config(concurrency=concurrency))
        assert proc.returncode in CRAWLED, proc.stderr

    assert sum(row["is_page"] for row in store.fetches().values()) == 13
    assert site.peak_in_flight <= concurrency
    if concurrency > 1:
        assert site.peak_in_flight > 1  # and the parallelism is really used


def test_a_start_url_redirecting_to_another_origin_fails_with_the_reason(run_shoplint):
    with (
        FixtureServer({"/": html_page("the real shop")}) as elsewhere,
        FixtureServer({"/": redirect(elsewhere.url, 301)}) as site,
    ):
        proc, store = run_shoplint(site.url, config=FAST)

    assert proc.returncode == 3
    assert f"redirects to {elsewhere.url}" in proc.stderr
    assert "site.hosts" in proc.stderr
    assert elsewhere.hits_on_path("/") == 0  # another origin is never crawled
    assert store.run()["status"] == "failed"


# -- what the crawl loads -------------------------------------------------------------------

_COMPONENTS = """
import sys
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from crawler.config import CrawlConfig, SiteConfig
from crawler.settings import crawl_settings
settings = Settings(crawl_settings(CrawlConfig(), SiteConfig(), "https://shop.nl/", "x.db", 1))
for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES"):
    print(*build_component_list(settings.getwithbase(name)))
print(*sorted(m for m in ("aiohttp", "tldextract") if m in sys.modules))
"""


def test_the_crawl_runs_no_remote_control_and_loads_no_unused_component():
    """Scrapy's remote control runs Python code sent to it over HTTP: a site check has no
    use for it. Scrapy imports every component a setting names, so the unused ones must
    not be named at all: their imports (aiohttp, tldextract) cost a tenth of a second."""
    lines = subprocess.run(
        [sys.executable, "-c", _COMPONENTS], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    extensions, downloader, spider, imported = lines
    assert "RemoteControl" not in extensions
    assert "CoreStats" in extensions  # finish_reason comes from it
    assert "CookiesMiddleware" not in downloader
    assert "crawler.robots.SpiderRobotsTxt" in downloader.split()
    assert "MetaCopyDetectionMiddleware" not in spider
    assert imported == ""
