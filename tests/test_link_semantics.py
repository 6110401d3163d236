"""Links judged as a browser follows them, where the established link checkers agree:
redirect chains past the browsers' limit, 304s, redirects to addresses no browser opens or
off the site, and the media and share tags a shop's pages depend on. (Fragments written
with a percent sign and `http:/` addresses are rule cases: tests/rules/LNK006.yml, LNK007.yml.)"""

from __future__ import annotations

import re

from conftest import CRAWLED
from fixture_server import FixtureServer, Reply, html_page, redirect, resource

CONFIG = {"crawl": {"autothrottle": False, "retries": 0, "internal_only": True}}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "da63f8cfc0000003010100f70341430000000049454e44ae426082"
)


def _findings(store, origin: str) -> dict[tuple[str, str], dict]:
    """(code, target path) -> finding."""
    return {
        (f["code"], (f["target"] or "").removeprefix(origin)): f
        for f in store.findings_json()["findings"]
    }


def _chains(target: str) -> Reply | None:
    """/lang/N/ redirects to /lang/N+1/ up to 30 redirects; /kort/N/ up to 20; then a page."""
    match = re.fullmatch(r"/(lang|kort)/(\d+)/", target)
    if target == "/":
        return html_page(links=["/lang/0/", "/kort/0/"])
    if match is None:
        return None
    name, hop = match.group(1), int(match.group(2))
    if hop < (30 if name == "lang" else 20):
        return redirect(f"/{name}/{hop + 1}/", 302)
    return html_page("aangekomen")


def test_a_chain_of_more_redirects_than_browsers_follow_is_broken(run_shoplint):
    with FixtureServer(_chains) as site:
        proc, store = run_shoplint(site.url, config=CONFIG)
        assert proc.returncode in CRAWLED, proc.stderr
        assert site.hits["/lang/22/"] == 0  # the crawl gave up where browsers do
        assert site.hits["/kort/20/"] == 1
    found = _findings(store, site.origin)
    too_many = found["LNK005", "/lang/0/"]
    assert "21 times or more" in too_many["message"]
    assert "browsers give up after 20" in too_many["message"]
    assert ("LNK004", "/lang/0/") not in found
    # twenty redirects still reach the page: a long chain, not a broken link
    assert "20 redirects" in found["LNK004", "/kort/0/"]["message"]
    assert ("LNK005", "/kort/0/") not in found


def test_a_304_is_not_followed_even_with_a_location(run_shoplint):
    routes = {
        "/": html_page(links=["/bewaard/"]),
        "/bewaard/": Reply(304, b"", {"Location": "/elders/"}),
        "/elders/": html_page("elders"),
    }
    with FixtureServer(routes) as site:
        proc, store = run_shoplint(site.url, config=CONFIG)
        assert proc.returncode in CRAWLED, proc.stderr
        assert site.hits["/elders/"] == 0
    row = store.fetches()[site.origin + "/bewaard/"]
    assert (row["status"], row["redirect_to"]) == (304, None)


def test_a_redirect_to_an_address_no_browser_opens_says_where_it_points(run_shoplint):
    routes = {
        "/": html_page('<img src="/logo.png" alt="Logo">', links=["/menu/", "/handleiding/"]),
        "/menu/": redirect("javascript:void(0)", 302),
        "/handleiding/": redirect("ftp://ftp.example.nl/handleiding.pdf"),
        "/logo.png": redirect("data:image/png;base64,iVBORw0KGgo=", 302),
    }
    with FixtureServer(routes) as site:
        proc, store = run_shoplint(site.url, config=CONFIG)
        assert proc.returncode in CRAWLED, proc.stderr
    found = _findings(store, site.origin)
    menu = found["LNK002", "/menu/"]
    assert "javascript:void(0)" in menu["message"]
    assert menu["evidence"].endswith("/menu/ 302 → javascript:void(0)")
    assert "ftp://ftp.example.nl/handleiding.pdf" in found["LNK002", "/handleiding/"]["message"]
    logo = found["IMG002", "/logo.png"]
    assert "data:image/png" in logo["message"]


def test_a_site_link_that_redirects_off_the_site_is_checked_where_it_lands(run_shoplint):
    with FixtureServer() as partner, FixtureServer() as site:
        partner.routes = {"/welkom/": html_page(links=["/dieper/"])}  # /oud/: 404
        site.routes = {
            "/": html_page(links=["/partner/", "/merk/"]),
            "/partner/": redirect(partner.origin + "/oud/", 302),
            "/merk/": redirect(partner.origin + "/welkom/", 302),
        }
        config = {"crawl": {"autothrottle": False, "retries": 0}}
        config["checks"] = {"LNK008": {"options": {"timeout": 2, "retries": 0}}}
        proc, store = run_shoplint(site.url, config=config)
        assert proc.returncode in CRAWLED, proc.stderr
        assert {target for _, target in partner.requests} == {"/oud/", "/welkom/"}  # checked
    found = _findings(store, site.origin)
    dead = found["LNK008", "/partner/"]
    assert dead["url"] == site.url
    assert "reached through a redirect" in dead["message"]
    assert dead["evidence"].endswith(f"/partner/ 302 → {partner.origin}/oud/")
    assert not [key for key in found if key[1] == "/merk/"]


def test_media_and_share_tags_are_read_and_their_files_judged(run_shoplint):
    routes = {
        "/": html_page(
            '<video src="/film.mp4" poster="/poster.png"><track src="/film.vtt"></video>'
            '<audio><source src="/uitleg.mp3"></audio>',
            head='<meta property="og:image" content="/deel.png">'
            '<meta property="og:url" content="/product/">',
        ),
        "/film.mp4": html_page('<a href="/nooit/">niet gevolgd</a>'),  # a file: not parsed
        "/poster.png": resource(PNG, "image/png"),
        "/uitleg.mp3": resource(b"ID3", "audio/mpeg"),
        "/product/": html_page("product"),
    }
    with FixtureServer(routes) as site:
        proc, store = run_shoplint(site.url, config=CONFIG)
        assert proc.returncode in CRAWLED, proc.stderr
        assert site.hits["/nooit/"] == 0
    kinds = {r["raw"]: r["kind"] for r in store.refs(site.url)}
    assert kinds == {
        "/film.mp4": "video",
        "/poster.png": "video-poster",
        "/film.vtt": "track",
        "/uitleg.mp3": "media-source",
        "/deel.png": "meta-image",
        "/product/": "meta-url",
    }
    found = _findings(store, site.origin)
    assert {target for code, target in found if code.startswith("IMG")} == {
        "/film.vtt",
        "/deel.png",
    }
    assert found["IMG001", "/film.vtt"]["message"] == ("Subtitle file that does not exist (404)")
    assert "og:image" in found["IMG001", "/deel.png"]["evidence"]
