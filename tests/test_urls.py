"""URL handling, as tables of real-world cases: resolving references, crawl keys, site
membership, malformed hrefs, srcset parsing and the frontier's decision order."""

from __future__ import annotations

from itertools import product
from urllib.parse import urljoin

import pytest

from crawler.frontier import Admission, MemoryFrontier
from ground.html.extract import srcset_urls
from ground.urls import LinkResolver, Normalizer, Site, is_malformed, origin, resolve

PAGE = "https://shop.nl/fietsen/racefietsen.html"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/acties/", "https://shop.nl/acties/"),
        ("/zoek?q=fiets#resultaten", "https://shop.nl/zoek?q=fiets#resultaten"),
        ("  /acties/\n", "https://shop.nl/acties/"),  # attribute whitespace
        ("gazelle.html", "https://shop.nl/fietsen/gazelle.html"),
        ("../service/", "https://shop.nl/service/"),
        ("./", "https://shop.nl/fietsen/"),
        ("?page=2", "https://shop.nl/fietsen/racefietsen.html?page=2"),
        ("#specs", "https://shop.nl/fietsen/racefietsen.html#specs"),
        ("", PAGE),  # an empty href is the page itself
        ("//cdn.shop.nl/img/a.png", "https://cdn.shop.nl/img/a.png"),  # scheme-relative
        ("http://partner.example/x", "http://partner.example/x"),
        ("https://shop.nl:8443/a", "https://shop.nl:8443/a"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("mailto:info@shop.nl", None),
        ("tel:+31201234567", None),
        ("javascript:void(0)", None),
        ("data:image/png;base64,iVBORw0KGgo=", None),
        ("ftp://files.shop.nl/catalogus.pdf", None),
        ("http://", None),  # a scheme without a host is not the page itself
        ("https://", None),
        ("//", None),
        ("http://shop.nl:poort/", None),  # malformed port
    ],
)
def test_resolve(raw, expected):
    assert resolve(PAGE, raw) == expected


@pytest.mark.parametrize(
    ("base", "raw", "expected"),
    [
        # a <base href> without a path: the authority ends at the query or fragment
        ("https://shop.nl?lang=nl", "/a/", "https://shop.nl/a/"),
        ("https://shop.nl#top", "/a/", "https://shop.nl/a/"),
        ("https://shop.nl", "/a/", "https://shop.nl/a/"),
        ("https://shop.nl:8443/x/y", "/a/", "https://shop.nl:8443/a/"),
        ("https://shop.nl/nl/", "fietsen/", "https://shop.nl/nl/fietsen/"),
    ],
)
def test_resolve_against_bases(base, raw, expected):
    assert resolve(base, raw) == expected


RELATIVE_BASES = (
    "https://shop.nl",
    "https://shop.nl/",
    "https://shop.nl/fietsen",
    "https://shop.nl/fietsen/",
    "https://shop.nl:8443/a/b/racefiets.html?kleur=rood/blauw#specs/x",
    "http://[::1]:8080/a//b/",
    "https://shop.nl/a;v=2/b;p",
    "https://shop.nl/%2e%2e/x/",
)
RELATIVE_PATHS = (
    "gazelle.html",
    "../service/",
    "../../../../x.html",  # past the root
    "./",
    ".",
    "..",
    "a/./b/../c",
    "a//b",
    "a/..",
    "...",
    ".hidden/~user/%20x_y-z=1@2*(3)",
)


@pytest.mark.parametrize(("base", "raw"), list(product(RELATIVE_BASES, RELATIVE_PATHS)))
def test_relative_paths_resolve_as_urljoin_does(base, raw):
    """Plain relative paths take a shortcut past urljoin: it must land where urljoin does."""
    assert resolve(base, raw) == urljoin(base, raw)


def test_a_relative_path_on_a_page_of_malformed_port_is_no_address():
    assert resolve("https://shop.nl:poort/a/", "b.html") is None


def test_link_resolver_answers_as_resolve_on_pages_of_either_scheme():
    """An absolute address is remembered once for all pages of a scheme; urljoin keeps an
    empty query on a page of another scheme, so http and https pages do not share it."""
    links = LinkResolver(Normalizer([]))
    raws = ("http://partner.example/x?", "https://partner.example/y#z", "../a.html", "?p=2")
    for page in (
        "https://shop.nl/a/b/c.html",
        "https://shop.nl/d/e.html",
        "http://shop.nl/f/g.html",
        "https://shop.nl/a/b/c.html",
    ):
        resolve_here = links.on_page(page)
        for raw in raws:
            url, target = resolve_here(raw)
            assert url == resolve(page, raw), (page, raw)
            assert target == Normalizer([]).normalize(url), (page, raw)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://shop.nl/a/b?c=1", "https://shop.nl"),
        ("https://shop.nl", "https://shop.nl"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("https://shop.nl?x=1", "https://shop.nl"),
        ("https://shop.nl#frag", "https://shop.nl"),
    ],
)
def test_origin(url, expected):
    assert origin(url) == expected


DROP = Normalizer(
    ["utm_*", "gclid", "fbclid", "sessionid", "sid", "phpsessid", "jsessionid", "sessid"]
)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://shop.nl/a?b=2&a=1", "https://shop.nl/a?a=1&b=2"),  # query sorted
        ("https://shop.nl/a#reviews", "https://shop.nl/a"),  # fragment dropped
        ("HTTPS://Shop.NL/a", "https://shop.nl/a"),  # scheme and host lower-cased
        ("https://shop.nl/A", "https://shop.nl/A"),  # ... the path is not
        ("https://shop.nl:443/a", "https://shop.nl/a"),  # default port dropped
        ("http://shop.nl:80/a", "http://shop.nl/a"),
        ("http://shop.nl:8080/a", "http://shop.nl:8080/a"),
        ("https://shop.nl", "https://shop.nl/"),  # empty path is /
        ("https://shop.nl/?utm_source=nb&utm_medium=email&q=1", "https://shop.nl/?q=1"),
        ("https://shop.nl/?UTM_Campaign=x&q=1", "https://shop.nl/?q=1"),  # case-insensitive
        ("https://shop.nl/?gclid=abc&fbclid=def", "https://shop.nl/"),
        ("https://shop.nl/?sid=1&sidebar=left", "https://shop.nl/?sidebar=left"),  # whole names
        ("https://shop.nl/?PHPSESSID=f00&p=2", "https://shop.nl/?p=2"),
        ("https://shop.nl/cart;jsessionid=0A1B?x=1", "https://shop.nl/cart?x=1"),
        ("https://shop.nl/caf%C3%A9", "https://shop.nl/caf%C3%A9"),
        ("https://shop.nl/café", "https://shop.nl/caf%C3%A9"),  # one key for both spellings
        ("https://shop.nl/a/../b/./c", "https://shop.nl/b/c"),
        ("https://shop.nl/?f=a&f=a", "https://shop.nl/?f=a&f=a"),  # kept: the frontier judges
        ("https://shop.nl/?q=a+b", "https://shop.nl/?q=a+b"),
        ("mailto:x@shop.nl", None),
        ("ftp://shop.nl/", None),
        ("https:///nohost", None),
        ("https://shop.nl:poort/", None),
    ],
)
def test_normalize(url, key):
    assert DROP.normalize(url) == key


def test_normalize_without_drop_params_keeps_every_parameter():
    assert Normalizer([]).normalize("https://shop.nl/?utm_source=x") == (
        "https://shop.nl/?utm_source=x"
    )


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("https://shop.nl/", True),
        ("https://shop.nl/fietsen/?p=2", True),
        ("http://shop.nl/", False),  # another scheme is another origin
        ("https://shop.nl:8443/", False),  # another port too
        ("https://www.shop.nl/", False),
        ("https://shop.nl.evil.example/", False),
        ("https://evil.example/?https://shop.nl/", False),
        ("https://img.shop.nl/a.png", True),  # configured host: any port and scheme
        ("http://img.shop.nl:8080/a.png", True),
        ("http://127.0.0.1:9999/x", True),  # configured host:port
        ("http://127.0.0.1:9998/x", False),
    ],
)
def test_site_contains(url, inside):
    site = Site("https://shop.nl/", ["IMG.shop.nl", "127.0.0.1:9999"])
    assert site.contains(url) is inside


def test_site_without_extra_hosts_is_the_start_origin():
    site = Site("http://127.0.0.1:8000/nl/")
    assert site.contains("http://127.0.0.1:8000/en/")
    assert not site.contains("http://127.0.0.1:8001/nl/")


@pytest.mark.parametrize(
    ("raw", "malformed"),
    [
        ("http://", True),
        ("https://", True),
        ("htp//www.cortina.nl/tide", True),  # scheme typo: resolves as a path, a 404
        ("htp//x:", True),
        ("http://shop.nl:poort/", True),
        ("//", True),
        ("<%= product.url %>", True),  # an unrendered template
        ('"/fietsen/"', True),  # quotes inside the attribute
        ("fietsen overzicht", True),
        ("https://shop.nl/a", False),
        ("//cdn.shop.nl/a.png", False),
        ("/fietsen/", False),
        ("/zoek?q=rode fiets", False),  # a space in a path still reaches the server
        ("../service/", False),
        ("#specs", False),
        ("?page=2", False),
        ("", False),
        ("mailto:info@shop.nl", False),  # a well-formed non-web scheme
        ("tel:+31201234567", False),
        ("javascript:void(0)", False),
        ("whatsapp://send?text=hoi", False),
    ],
)
def test_is_malformed(raw, malformed):
    assert is_malformed(raw) is malformed


@pytest.mark.parametrize(
    ("srcset", "urls"),
    [
        ("a.jpg 1x, b.jpg 2x", ["a.jpg", "b.jpg"]),
        ("a.jpg", ["a.jpg"]),
        ("a.jpg 480w,b.jpg 800w", ["a.jpg", "b.jpg"]),  # no space after the comma
        ("a.jpg, b.jpg", ["a.jpg", "b.jpg"]),  # no descriptors
        ("a.jpg,", ["a.jpg"]),
        (" , a.jpg 1x ,, b.jpg 2x , ", ["a.jpg", "b.jpg"]),
        ("a.jpg\n   480w,\n   b.jpg\t800w", ["a.jpg", "b.jpg"]),
        ("/img/a,b.jpg 1x, /img/c.jpg 2x", ["/img/a,b.jpg", "/img/c.jpg"]),  # comma in a URL
        ("data:image/png;base64,iVBO 1x, b.png 2x", ["data:image/png;base64,iVBO", "b.png"]),
        ("https://cdn.shop.nl/a.jpg?w=640&h=480 1.5x", ["https://cdn.shop.nl/a.jpg?w=640&h=480"]),
        ("a.jpg 1x (future, descriptor), b.jpg 2x", ["a.jpg", "b.jpg"]),  # comma in parens
        ("", []),
        ("   ", []),
    ],
)
def test_srcset_urls(srcset, urls):
    assert list(srcset_urls(srcset)) == urls


# -- the frontier ---------------------------------------------------------------------------

S = "https://shop.nl"


def test_frontier_admits_each_url_once():
    frontier = MemoryFrontier()
    assert frontier.admit(S + "/a", True) is Admission.NEW
    assert frontier.admit(S + "/a", True) is Admission.SEEN
    assert frontier.admit(S + "/a", False) is Admission.SEEN
    assert frontier.pages_admitted == 1


@pytest.mark.parametrize(
    ("settings", "url", "verdict"),
    [
        # each row: a URL that two guards refuse gets the verdict of the earlier one
        (
            {"exclude": ["*/account/*"], "max_url_length": 64},
            S + "/account/" + "x" * 80,
            Admission.EXCLUDED,
        ),
        ({"max_url_length": 64}, S + "/c/?f=a&f=a&" + "x=1&" * 20, Admission.TOO_LONG),
        ({}, S + "/a/a/a/a/?f=a&f=a", Admission.REPEATED_PARAMETER),
        ({"max_pages": 1}, S + "/a/a/a/a/", Admission.REPEATED_PATH),
        ({"max_pages": 1}, S + "/c/?f=4", Admission.QUERY_VARIANTS),
        ({"max_pages": 1}, S + "/d/", Admission.MAX_PAGES),
        ({"max_pages": 1}, S + "/img/d.png", Admission.NEW),
    ],
)
def test_frontier_decision_order(settings, url, verdict):
    frontier = MemoryFrontier(**{"max_query_variants": 3, **settings})
    frontier.admit(S + "/", True)  # one page: max_pages=1 is now reached
    for n in range(3):
        frontier.admit(f"{S}/c/?f={n}", False)  # three variants of /c/ (resources)
    navigable = not url.endswith(".png")
    assert frontier.admit(url, navigable) is verdict


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        (S + "/c/?f=a&f=b", Admission.NEW),  # one parameter, two values: a real filter
        (S + "/c/?f=a&g=a", Admission.NEW),
        (S + "/c/?f=a&f=a", Admission.REPEATED_PARAMETER),
        (S + "/c/?f=a&g=1&f=a", Admission.REPEATED_PARAMETER),
        (S + "/a/b/a/b/a/b/", Admission.NEW),  # a segment three times is allowed
        (S + "/a/b/a/b/a/b/a/b/", Admission.REPEATED_PATH),
        (S + "/x/x/x/x", Admission.REPEATED_PATH),
        (S + "/x/x/x", Admission.NEW),
        (S + "/a/b/c/d/e/f/g/h/", Admission.NEW),  # deep is not repeated
    ],
)
def test_frontier_trap_guards(url, verdict):
    assert MemoryFrontier().admit(url, True) is verdict


def test_frontier_counts_query_variants_per_path():
    frontier = MemoryFrontier(max_query_variants=2)
    assert frontier.admit(S + "/c/", True) is Admission.NEW  # no query: not a variant
    assert frontier.admit(S + "/c/?p=1", True) is Admission.NEW
    assert frontier.admit(S + "/c/?p=2", True) is Admission.NEW
    assert frontier.admit(S + "/c/?p=3", True) is Admission.QUERY_VARIANTS
    assert frontier.admit(S + "/c/?p=1", True) is Admission.SEEN
    assert frontier.admit(S + "/d/?p=3", True) is Admission.NEW  # another path, own count


def test_frontier_max_pages_counts_pages_not_resources():
    frontier = MemoryFrontier(max_pages=2)
    assert frontier.admit(S + "/", True) is Admission.NEW
    assert frontier.admit(S + "/a.png", False) is Admission.NEW
    assert frontier.admit(S + "/b/", True) is Admission.NEW
    assert frontier.admit(S + "/c/", True) is Admission.MAX_PAGES
    assert frontier.admit(S + "/b.css", False) is Admission.NEW
    assert frontier.pages_admitted == 2


def test_frontier_without_max_pages_has_no_page_limit():
    frontier = MemoryFrontier(max_pages=0)
    assert all(frontier.admit(f"{S}/p/{n}/", True) is Admission.NEW for n in range(500))


def test_frontier_judges_a_refused_url_once():
    """A trap URL linked from every page is refused (and counted as skipped) only once."""
    frontier = MemoryFrontier(exclude=["*/account/*"])
    assert frontier.admit(S + "/account/", True) is Admission.EXCLUDED
    assert frontier.admit(S + "/account/", True) is Admission.SEEN
