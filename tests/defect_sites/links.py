"""A fixture site with seeded link defects, to be merged with the other families' sites.

ROUTES: path -> page or Reply, every path under /links/; the entry page /links/ links to
every page. EXPECTED: (code, page path, target) of every links finding the crawl must make,
and no other; the target is a path, or for a malformed link (LNK007) the href as written.
CLEAN: pages that must have no links finding.

No link leaves the site (external links are tested in tests/test_external_links.py), and
robots.txt is not the family's to set, so robots-disallowed links are tested in LNK001.yml.
"""

from __future__ import annotations

from fixture_server import Reply, html_page, redirect

L = "/links/"


def _page(title: str, body: str, head: str = "") -> Reply:
    return html_page(f"<h1>{title}</h1>\n{body}", title=title, head=head, lang="nl")


DEFECT_PAGES = {
    f"{L}product-removed/": f'<a href="{L}product-2021/">Bekijk ook het model van 2021</a>',
    f"{L}blog-gone/": f'<p>Kijk bij de <a href="{L}actie-2023/">zomeractie</a>.</p>',
    f"{L}moved-then-missing/": f'<a href="{L}oude-pagina/">Onze openingstijden</a>',
    f"{L}partner-nofollow/": f'<a href="{L}nergens/" rel="nofollow">Onze partner</a>',
    f"{L}search-old/": (
        f'<form action="{L}zoek-oud" method="get"><input name="q"><button>Zoek</button></form>'
    ),
    f"{L}floor-plan/": f'<map name="kaart"><area href="{L}winkel-weg/" alt="Oude winkel"></map>',
    f"{L}old-promotion/": "<p>Deze actie is verhuisd.</p>",  # meta refresh, see ROUTES
    f"{L}video/": f'<iframe src="{L}embed/montage/" title="Montagevideo"></iframe>',
    f"{L}canonical-broken/": "<p>Een pagina met een verkeerd canoniek adres.</p>",
    f"{L}size-chart/": f'<a href="{L}maattabel/">Bekijk de maattabel</a>',
    f"{L}service-down/": f'<a href="{L}onderhoud/">Onderhoudsafspraak maken</a>',
    f"{L}blog-moved/": f'<p>Bekijk al onze <a href="{L}fietsen/racefietsen/">racefietsen</a>.</p>',
    f"{L}footer-contact/": f'<a href="{L}contact">Contact</a>',
    f"{L}blog-chain/": f'<a href="{L}aanbiedingen/">al onze aanbiedingen</a>',
    f"{L}faq/": f'<p>Meer hulp op de <a href="{L}service/">servicepagina</a>.</p>',
    f"{L}product-specs/": (
        '<a href="#specificaties">Bekijk alle specificaties</a><section id="specs"></section>'
    ),
    f"{L}guide/": f'<a href="{L}handleiding/#stap-9">Stap 9: de ketting</a>',
    f"{L}product-typo/": (
        '<a href="htp//www.cortina.nl/tide">Meer over de Cortina Tide</a>'
        '<a href="http://">Handleiding (pdf)</a>'
    ),
}

HEADS = {
    f"{L}old-promotion/": f'<meta http-equiv="refresh" content="0; url={L}actie-verlopen/">',
    f"{L}canonical-broken/": f'<link rel="canonical" href="{L}oude-url/">',
}

CLEAN_PAGES = {
    f"{L}clean-contact/": (
        '<a href="mailto:info@despaak.example">Mail ons</a> <a href="tel:+31301234567">Bel</a>'
        ' <a href="javascript:void(0)">Menu</a> <a href="#">Naar boven</a> <a href="#top">Top</a>'
        f'<form action="{L}winkelwagen/toevoegen" method="post"><button>Koop</button></form>'
        f'<form action="{L}taal" method="post"><button>English</button></form>'
    ),
    f"{L}clean-redirects/": (
        f'<a href="{L}winkelwagen/">Winkelwagen</a> <a href="{L}drie/">Via drie redirects</a>'
    ),
    f"{L}clean-anchors/": (
        '<a href="#reviews">Reviews</a> <div id="reviews"></div> <a href="#oud">Oud</a>'
        '<a name="oud"></a> <a href="#caf%C3%A9">Café</a> <p id="café"></p>'
        f'<a href="#/winkelwagen">App</a> <a href="{L}handleiding/#stap-1">Stap 1</a>'
        f'<a href="{L}handleiding#stap-2">Stap 2 (via de slash-redirect)</a>'
    ),
    f"{L}clean-relative/": (
        '<a href="../clean-contact/" rel="nofollow">Contact</a> <a href="?sort=prijs">Sorteer</a>'
        f'<form action="{L}zoeken" method="get"><input name="q"></form>'
    ),
    f"{L}clean-canonical/": "<p>Een pagina met een canoniek adres en een Engelse versie.</p>",
}

CLEAN_HEADS = {
    f"{L}clean-canonical/": (
        f'<link rel="canonical" href="{L}clean-canonical/">'
        f'<link rel="alternate" hreflang="en" href="{L}en/clean-canonical/">'
    ),
}

TARGET_PAGES = {  # linked from the pages above; no links of their own
    f"{L}categorie/racefietsen/": "<p>Racefietsen</p>",
    f"{L}contact/": "<p>Contact</p>",
    f"{L}acties/": "<p>Acties</p>",
    f"{L}handleiding/": '<h2 id="stap-1">Stap 1</h2><h2 id="stap-2">Stap 2</h2>',
    f"{L}inloggen/": "<p>Log in</p>",
    f"{L}zoeken": "<p>Zoekresultaten</p>",
    f"{L}en/clean-canonical/": "<p>English</p>",
    f"{L}vier/": "<p>Vier</p>",
}

INDEX = L  # the entry page: links to every page of this site
INDEX_BODY = "".join(f'<a href="{path}">{path}</a>\n' for path in (*DEFECT_PAGES, *CLEAN_PAGES))

ROUTES: dict[str, str | Reply] = {
    INDEX: _page("Links", INDEX_BODY),
    **{path: _page(path, body, HEADS.get(path, "")) for path, body in DEFECT_PAGES.items()},
    **{path: _page(path, body, CLEAN_HEADS.get(path, "")) for path, body in CLEAN_PAGES.items()},
    **{path: _page(path, body) for path, body in TARGET_PAGES.items()},
    # clean redirects: temporary (302: the cart sends a guest to log in), a 3-hop chain (the
    # limit), a missing trailing slash (handleiding#stap-2)
    f"{L}winkelwagen/": redirect(f"{L}inloggen/", 302),
    f"{L}drie/": redirect(f"{L}drie-2/", 302),
    f"{L}drie-2/": redirect(f"{L}drie-3/", 302),
    f"{L}drie-3/": redirect(f"{L}vier/", 302),
    f"{L}handleiding": redirect(f"{L}handleiding/", 302),
    # the defects
    f"{L}actie-2023/": Reply(410, b"Gone"),
    f"{L}oude-pagina/": redirect(f"{L}openingstijden-oud/"),  # -> 404
    f"{L}maattabel/": Reply(500, b"Internal Server Error"),
    f"{L}onderhoud/": Reply(503, b"Service Unavailable"),
    f"{L}fietsen/racefietsen/": redirect(f"{L}categorie/racefietsen/"),
    f"{L}contact": redirect(f"{L}contact/", 308),
    f"{L}aanbiedingen/": redirect(f"{L}aanbiedingen/2023/"),
    f"{L}aanbiedingen/2023/": redirect(f"{L}aanbiedingen/2024/"),
    f"{L}aanbiedingen/2024/": redirect(f"{L}acties/archief/", 302),
    f"{L}acties/archief/": redirect(f"{L}acties/"),
    f"{L}service/": redirect(f"{L}hulp/", 302),
    f"{L}hulp/": redirect(f"{L}service/", 302),
}

EXPECTED: list[tuple[str, str, str | None]] = [
    ("LNK001", f"{L}product-removed/", f"{L}product-2021/"),  # 404
    ("LNK001", f"{L}blog-gone/", f"{L}actie-2023/"),  # 410
    ("LNK001", f"{L}moved-then-missing/", f"{L}oude-pagina/"),  # 301 -> 404
    ("LNK001", f"{L}partner-nofollow/", f"{L}nergens/"),  # rel=nofollow, 404
    ("LNK001", f"{L}search-old/", f"{L}zoek-oud"),  # GET form action, 404
    ("LNK001", f"{L}floor-plan/", f"{L}winkel-weg/"),  # <area>, 404
    ("LNK001", f"{L}old-promotion/", f"{L}actie-verlopen/"),  # meta refresh, 404
    ("LNK001", f"{L}video/", f"{L}embed/montage/"),  # <iframe>, 404
    ("LNK001", f"{L}canonical-broken/", f"{L}oude-url/"),  # rel=canonical, 404
    ("LNK002", f"{L}size-chart/", f"{L}maattabel/"),  # 500
    ("LNK002", f"{L}service-down/", f"{L}onderhoud/"),  # 503
    ("LNK003", f"{L}blog-moved/", f"{L}fietsen/racefietsen/"),  # 301
    ("LNK003", f"{L}footer-contact/", f"{L}contact"),  # 308 (trailing slash)
    ("LNK004", f"{L}blog-chain/", f"{L}aanbiedingen/"),  # 4 hops
    ("LNK005", f"{L}faq/", f"{L}service/"),  # 302 loop
    ("LNK006", f"{L}product-specs/", f"{L}product-specs/#specificaties"),  # same page
    ("LNK006", f"{L}guide/", f"{L}handleiding/#stap-9"),  # another page
    ("LNK007", f"{L}product-typo/", "htp//www.cortina.nl/tide"),  # scheme typo
    ("LNK007", f"{L}product-typo/", "http://"),  # no host
]

CLEAN: list[str] = [INDEX, *CLEAN_PAGES, *TARGET_PAGES]
