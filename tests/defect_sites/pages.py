"""A fixture site with seeded page defects, to be merged with the other families' sites.

ROUTES: path -> page or Reply, every path under /pages/; the entry page /pages/ links to
every linked page, and every page links back to it. SITEMAP: the paths the merged site's
/sitemap.xml lists (missing, failing and redirecting addresses, and an orphan, among them).
EXPECTED: (code, page path, target path or None) of every pages finding the crawl must
make on this site, and no other; sitemap findings are made on /sitemap.xml. CLEAN: pages
that must have no pages finding.

How a site answers a missing page (PAG005) is a property of the whole merged site, so it is
tested in tests/rules/PAG005.yml, not here. Pages stay under 50 words, so the language
checks do not score them.
"""

from __future__ import annotations

from fixture_server import Reply, html_page, redirect

P = "/pages/"
INDEX = P  # the entry page: links to every linked page of this site
BACK = f'<p><a href="{INDEX}">{INDEX}</a></p>'  # in no language: pages are in four


def _page(title: str, body: str, lang: str = "nl", status: int = 200) -> Reply:
    return html_page(f"{body}\n{BACK}", title=title, lang=lang, status=status)


DEFECT_PAGES = {
    # soft 404s: 200 OK, but the page says it does not exist
    f"{P}winterdeal/": _page(
        "Winterdeal | De Spaak",
        "<h1>Oeps, deze pagina bestaat niet meer</h1><p>Deze actie is afgelopen.</p>",
    ),
    f"{P}sale/": _page("Page Not Found | Bike Shop", "<h1>Sorry!</h1>", lang="en"),
    f"{P}aktion/": _page("Aktion | Fahrradladen", "<h1>Seite nicht gefunden</h1>", lang="de"),
    f"{P}promo/": _page(
        "Promo | Magasin de vélos",
        "<main><h1>Oups !</h1><p>Cette page n’existe plus.</p></main>",
        lang="fr",
    ),
    # visible error messages
    f"{P}onderdelen/": _page(
        "Onderdelen",
        "<h1>Onderdelen</h1><h2>Aanbevolen voor jou</h2>"
        '<p class="widget-error">Er is iets misgegaan. Probeer het later opnieuw.</p>',
    ),
    f"{P}versand/": _page(
        "Versand",
        '<h1>Versand</h1><div class="alert" role="alert">Ein Fehler ist aufgetreten.</div>',
        lang="de",
    ),
    # stack traces
    f"{P}traceback/": _page(
        "Product",
        '<h1>Product</h1><pre>Traceback (most recent call last):\n  File "/srv/shop/views.py",'
        " line 42, in product\nZeroDivisionError: division by zero</pre>",
        lang="en",
    ),
    f"{P}php-fout/": _page(
        "Winkelwagen",
        "<h1>Winkelwagen</h1><b>Fatal error</b>: Uncaught Error: Call to a member function "
        "getPrice() on null in /var/www/html/cart.php:31",
    ),
    # unrendered template code
    f"{P}bianchi/": _page(
        "Bianchi Via Nirone 7",
        "<h1>Bianchi Via Nirone 7</h1><p>Kom {{ product.naam }} bekijken in onze winkel.</p>",
    ),
    f"{P}voorraad/": _page(
        "Voorraad", "<h1>Voorraad</h1><p>{% if voorraad > 0 %}Op voorraad{% endif %}</p>"
    ),
    # filler text
    f"{P}e-bike/": _page(
        "E-bike",
        "<h1>E-bike</h1><p>Een krachtige e-bike. Lorem ipsum dolor sit amet, consectetur "
        "adipiscing elit.</p>",
    ),
    # placeholders where a price or a name should be
    f"{P}accessoires/": _page(
        "Accessoires",
        '<h1>Accessoires</h1><ul class="grid">'
        f'<li class="card"><a href="{P}product/pomp/">Vloerpomp</a>'
        '<p class="card-price">€ NaN</p></li>'
        f'<li class="card"><a href="{P}product/slot/">Ringslot</a>'
        '<p class="card-price">€ 49,95</p></li></ul>',
    ),
    f"{P}product/bel/": _page(
        "Fietsbel", '<h1 itemprop="name">undefined</h1><p class="price">€ 12,95</p>'
    ),
}

CLEAN_PAGES = {
    f"{P}nieuwe-naam/": _page("Nieuwe naam", "<h1>Stadsfiets</h1><p>Een fijne fiets.</p>"),
    f"{P}product/pomp/": _page("Vloerpomp", '<h1>Vloerpomp</h1><p class="price">€ 44,95</p>'),
    f"{P}product/slot/": _page("Ringslot", '<h1>Ringslot</h1><p class="price">€ 49,95</p>'),
    # prose that mentions null, NaN, errors and not finding things, innocently
    f"{P}versandkosten/": _page(
        "Versandkosten",
        "<h1>Versandkosten</h1><p>Versand für null Euro und null Prozent Zinsen.</p>",
        lang="de",
    ),
    f"{P}klantenservice/": _page(
        "Klantenservice",
        "<h1>Niet gevonden wat je zoekt?</h1>"
        "<h2>Er is iets misgegaan met mijn bestelling, wat nu?</h2>"
        "<p>Ziet u de melding “Er is iets misgegaan”, herlaad dan de pagina. Wij maken zelden "
        "een error.</p>",
    ),
    f"{P}peugeot-404/": _page("Peugeot 404 fietsbel", "<h1>Peugeot 404 fietsbel</h1>"),
    f"{P}developer/": _page(
        "Developer",
        "<h1>Developer</h1><p>In JavaScript means NaN 'not a number'; a <code>null</code> "
        "value is empty. Python or Java? Fatal error? Never here.</p>",
        lang="en",
    ),
    # problems a visitor never sees: hidden, in a script or in a template
    f"{P}verborgen/": _page(
        "Verborgen",
        "<h1>Verborgen</h1>"
        '<div class="alert" style="display: none">Er is iets misgegaan.</div>'
        '<span class="price" hidden>€ NaN</span>'
        "<template><p>{{ product.naam }}</p></template>"
        '<script>if (price === undefined) { alert("Something went wrong"); }</script>',
    ),
}

SITEMAP_PAGES = {  # listed in the sitemap; not linked from the index
    f"{P}cadeaubon/": _page("Cadeaubon", "<h1>Cadeaubon</h1><p>Geef een fiets cadeau.</p>"),
}

INDEX_BODY = "".join(f'<a href="{path}">{path}</a>\n' for path in (*DEFECT_PAGES, *CLEAN_PAGES))

ROUTES: dict[str, str | Reply] = {
    INDEX: html_page(f"<h1>Pagina's</h1>\n{INDEX_BODY}", title="Pagina's", lang="nl"),
    **DEFECT_PAGES,
    **CLEAN_PAGES,
    **SITEMAP_PAGES,
    # a real not-found page: answers 404, so it is no soft 404 (only the sitemap lists it)
    f"{P}weg/": _page(
        "Pagina niet gevonden",
        "<h1>Pagina niet gevonden</h1><p>Deze pagina bestaat niet.</p>",
        status=404,
    ),
    f"{P}verwijderd/": _page("Verwijderd", "<h1>Deze pagina is verwijderd</h1>", status=410),
    f"{P}storing/": Reply(500, b"<h1>Internal Server Error</h1>"),
    f"{P}oude-naam/": redirect(f"{P}nieuwe-naam/"),
    f"{P}oude-actie/": redirect(f"{P}actie-weg/"),  # -> 404
}

SITEMAP: list[str] = [
    INDEX,
    f"{P}nieuwe-naam/",
    f"{P}cadeaubon/",
    f"{P}weg/",
    f"{P}verwijderd/",
    f"{P}storing/",
    f"{P}oude-naam/",
    f"{P}oude-actie/",
]

SITEMAP_URL = "/sitemap.xml"  # where sitemap findings are made: the merged site's sitemap

EXPECTED: list[tuple[str, str, str | None]] = [
    ("PAG001", SITEMAP_URL, f"{P}weg/"),  # 404
    ("PAG001", SITEMAP_URL, f"{P}verwijderd/"),  # 410
    ("PAG001", SITEMAP_URL, f"{P}storing/"),  # 500
    ("PAG001", SITEMAP_URL, f"{P}oude-actie/"),  # 301 -> 404
    ("PAG002", SITEMAP_URL, f"{P}oude-naam/"),  # 301 -> 200
    ("PAG003", f"{P}cadeaubon/", None),  # in the sitemap, linked from nowhere
    ("PAG004", f"{P}winterdeal/", None),  # Dutch heading
    ("PAG004", f"{P}sale/", None),  # English title
    ("PAG004", f"{P}aktion/", None),  # German heading
    ("PAG004", f"{P}promo/", None),  # French main text
    ("PAG006", f"{P}storing/", None),  # 500
    ("PAG007", f"{P}onderdelen/", None),  # 'Er is iets misgegaan' in a widget
    ("PAG007", f"{P}versand/", None),  # 'Ein Fehler ist aufgetreten'
    ("PAG008", f"{P}traceback/", None),  # Python
    ("PAG008", f"{P}php-fout/", None),  # PHP
    ("PAG009", f"{P}bianchi/", None),  # {{ }}
    ("PAG009", f"{P}voorraad/", None),  # {% %}
    ("PAG010", f"{P}e-bike/", None),  # Lorem ipsum
    ("PAG011", f"{P}accessoires/", f"{P}product/pomp/"),  # '€ NaN' on a listing card
    ("PAG011", f"{P}product/bel/", None),  # 'undefined' as the product name
]

CLEAN: list[str] = [INDEX, *CLEAN_PAGES, f"{P}weg/"]
