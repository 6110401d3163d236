"""Nothing the crawl meets vanishes: a page in any encoding is read, an answer over the
size cap (gzip included) is a fetch row, a counter and a finding, an image too big to
decode is named so, and a password written into a link never reaches a report."""

from __future__ import annotations

import gzip
import sqlite3
import struct
import zlib

from conftest import CRAWLED
from fixture_server import FixtureServer, Reply, html_page, resource

CONFIG = {"crawl": {"autothrottle": False, "retries": 0, "internal_only": True}}
CAP = 100_000  # crawl.max_response_bytes in the size tests


def _paths(rows: dict, origin: str) -> dict:
    return {url.removeprefix(origin): row for url, row in rows.items()}


def _findings(store, code: str, origin: str) -> dict[str | None, dict]:
    """target path -> finding, for one rule."""
    found = store.findings_json()["findings"]
    return {(f["target"] or "").removeprefix(origin): f for f in found if f["code"] == code}


def _page(text: str, link: str, charset: str, encoding: str, bom: bytes = b"") -> Reply:
    html = f'<html><head><title>{text}</title></head><body><p>{text}</p><a href="{link}">verder</a>'
    return Reply(200, bom + html.encode(encoding), {"Content-Type": f"text/html{charset}"})


# (path, title as a browser shows it, the page's bytes)
ENCODED = [
    # a byte-order mark wins over the header's charset, as in browsers
    ("/utf16/", "Fietsen – ö", _page("Fietsen – ö", "/na/utf16/", "; charset=iso-8859-1",
                                     "utf-16-le", b"\xff\xfe")),
    ("/euc-jp/", "自転車", _page("自転車", "/na/euc-jp/", "; charset=EUC-JP", "euc-jp")),
    ("/iso-2022-jp/", "自転車", _page("自転車", "/na/iso-2022-jp/", "; charset=ISO-2022-JP",
                                      "iso-2022-jp")),
    ("/mac/", "Café", _page("Café", "/na/mac/", "; charset=macintosh", "mac-roman")),
    ("/cp437/", "Café", _page("Café", "/na/cp437/", "; charset=cp437", "cp437")),
    ("/onbekend/", None, _page("Cafe", "/na/onbekend/", "; charset=x-klingon", "ascii")),
]  # fmt: skip


def test_pages_in_any_encoding_are_read_and_their_links_followed(run_shoplint):
    # windows-1252 leaves 0x81 undefined: a browser shows a replacement, the page goes on
    bad_byte = b"<html><head><title>Caf\xe9</title></head><body>\x81 <a href='/na/cp1252/'>x</a>"
    routes = {path: reply for path, _, reply in ENCODED}
    routes["/cp1252/"] = Reply(200, bad_byte, {"Content-Type": "text/html; charset=windows-1252"})
    routes["/"] = html_page(links=[*routes])
    with FixtureServer(routes) as site:
        proc, store = run_shoplint(site.url, config=CONFIG)
        assert proc.returncode in CRAWLED and "Traceback" not in proc.stderr, proc.stderr
    fetches = _paths(store.fetches(), site.origin)
    for path, title in [(path, title) for path, title, _ in ENCODED] + [("/cp1252/", "Café")]:
        row = fetches[path]
        assert (row["is_page"], row["error"]) == (1, None), row
        if title is not None:
            assert row["title"] == title, path
        name = path.strip("/")
        assert fetches[f"/na/{name}/"]["status"] == 404, f"the link on {path} was not followed"
    assert "unparseable" not in store.run()["counters"]


def _gzipped(body: bytes, content_type: str) -> Reply:
    return resource(gzip.compress(body, 9), content_type, **{"Content-Encoding": "gzip"})


def test_answers_over_the_size_cap_are_recorded_counted_reported_and_not_fetched_again(
    run_shoplint, store_reader
):
    bomb = b"<html><body>" + b" " * (20 * CAP) + b"</body></html>"  # 2 MB from 2 KB of gzip
    routes = {
        "/": html_page('<img src="/bom.png" alt="Bom">', links=["/bom/", "/groot/", "/ok/"]),
        "/bom/": _gzipped(bomb, "text/html"),
        "/bom.png": _gzipped(b"\x89PNG\r\n\x1a\n" + bytes(20 * CAP), "image/png"),
        "/groot/": Reply(200, bomb),
        "/ok/": html_page("ok"),
    }
    config = {"crawl": {**CONFIG["crawl"], "max_response_bytes": CAP}}
    with FixtureServer(routes) as site:
        proc, store = run_shoplint(site.url, config=config)
        assert proc.returncode in CRAWLED and "Traceback" not in proc.stderr, proc.stderr
        fetches = _paths(store.fetches(), site.origin)
        for path in ("/bom/", "/bom.png", "/groot/"):
            assert (fetches[path]["outcome"], fetches[path]["error"]) == ("failed", "too-large")
        counters = store.run()["counters"]
        assert counters["failed_too_large"] == 3
        assert counters["failures"] >= 3
        links = _findings(store, "LNK002", site.origin)
        assert set(links) == {"/bom/", "/groot/"}
        assert "crawl.max_response_bytes" in links["/bom/"]["message"]
        image = _findings(store, "IMG005", site.origin)["/bom.png"]
        assert "crawl.max_response_bytes" in image["message"]

        # as a kill -9 after the crawl would leave it: the run still `running`
        with sqlite3.connect(store_reader.db) as db:
            db.execute("UPDATE runs SET status = 'running'")
        proc, store = run_shoplint(site.url, "--resume", config=config)
        assert proc.returncode in CRAWLED, proc.stderr
        for path in ("/bom/", "/bom.png", "/groot/", "/ok/"):
            assert site.hits[path] == 1, path  # recorded, so never fetched again
    assert store.run()["status"] == "complete"


def _png(width: int, height: int) -> bytes:
    """A valid black-and-white PNG: 30,000 x 30,000 pixels take 110 KB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + bytes((width + 7) // 8)
    pixels = zlib.compressobj(9)
    data = b"".join(pixels.compress(row) for _ in range(height)) + pixels.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def test_a_valid_image_with_too_many_pixels_is_heavy_not_damaged(run_shoplint):
    routes = {
        "/": html_page('<img src="/poster.png" alt="Poster"> <img src="/klein.png" alt="Klein">'),
        "/poster.png": resource(_png(30_000, 30_000), "image/png"),
        "/klein.png": resource(_png(8, 8), "image/png"),
    }
    with FixtureServer(routes) as site:
        proc, store = run_shoplint(site.url, config=CONFIG)
        assert proc.returncode in CRAWLED, proc.stderr
    assert _findings(store, "IMG003", site.origin) == {}
    heavy = _findings(store, "IMG005", site.origin)
    assert set(heavy) == {"/poster.png"}
    assert "pixels" in heavy["/poster.png"]["message"]
    assert "900 megapixels" in heavy["/poster.png"]["evidence"]


def test_a_password_in_a_link_address_is_masked_in_every_report(run_shoplint):
    with FixtureServer() as site:
        secret = f"http://klant:geheim123@127.0.0.1:{site.port}"
        site.routes = {
            "/": html_page(
                f'<a href="{secret}/weg/">Mijn bestelling</a> '
                '<a href="http://klant:geheim123@">Kapot</a>'
            )
        }
        proc, store = run_shoplint(site.url, config=CONFIG)
        assert proc.returncode in CRAWLED, proc.stderr
    broken = _findings(store, "LNK001", site.origin)
    assert list(broken) == [f"http://klant:***@127.0.0.1:{site.port}/weg/"]
    assert "klant:***@" in broken[next(iter(broken))]["evidence"]
    assert list(_findings(store, "LNK007", site.origin)) == ["http://klant:***@"]
    for report in store.out.iterdir():
        assert "geheim123" not in report.read_text(encoding="utf-8"), report.name
