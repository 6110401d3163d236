"""Shops built in JavaScript: pages rendered in Debian's chromium (crawl.render), driven by
scrapy-playwright inside the crawl, against real local sites whose content, links and
defects only a browser shows."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

from conftest import CRAWLED, RUN_TIMEOUT, TODAY, report_of, shoplint_command, subprocess_env
from fixture_server import FixtureServer, Reply, html_page, resource
from services import require

from checks.registry import family_rules
from crawler.render_decision import app_shell
from ground.html.extract import parse_html
from shoplint.demo import DemoShop

SHELL = b"""<!DOCTYPE html><html lang="en"><head><title>Bikes</title></head><body>
<div id="root"></div><noscript>Please enable JavaScript to use this shop.</noscript>
<script src="/app.js"></script></body></html>"""
APP = b"""
fetch('/api/products.json').then(r => r.json()).then(items => {
  document.getElementById('root').innerHTML = '<h1>Our bikes</h1><p>' +
    'Fine bikes for every rider, serviced in our own workshop. '.repeat(10) + '</p>' +
    items.map(i => '<a href="/bike/' + i + '/">Bike ' + i + '</a>').join(' ') +
    '<img src="/img/missing.png" alt="A bike">';
  fetch('/api/stock').then(r => r.text());
  throw new Error('stock widget failed');
});
"""


def _shop() -> dict[str, Reply]:
    routes = {
        "/": html_page("Home", links=["/app/", "/plain/"]),
        "/plain/": html_page("A page written on the server, to read without a browser. " * 8),
        "/app/": Reply(200, SHELL),
        "/app.js": resource(APP, "text/javascript"),
        "/api/products.json": resource(b"[1, 2, 3]", "application/json"),
        "/api/stock": Reply(500, b"unavailable"),
    }
    for i in (1, 2, 3):
        routes[f"/bike/{i}/"] = html_page(f"Bike {i} is a fine bike for every day. " * 8)
    return routes


def _chromium() -> None:
    require(shutil.which("chromium") is not None, "Debian's chromium is not installed")


def _run(tmp: Path, url: str, render: str, *args: str, **crawl: Any) -> dict[str, Any]:
    config = tmp / f"{render}.yml"
    config.write_text(
        f"crawl: {{render: {render}, {', '.join(f'{k}: {v}' for k, v in crawl.items())}}}\n"
    )
    proc = subprocess.run(
        shoplint_command(
            "run", url, "--config", str(config), "--db", str(tmp / f"{render}.db"),
            "--out", str(tmp / render), "--internal-only", *args,
        ),
        cwd=tmp, env=subprocess_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )  # fmt: skip
    assert proc.returncode in CRAWLED, proc.stderr
    return report_of(tmp / render)


def _found(report: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    def path(url: str | None) -> str | None:
        return url.split("/", 3)[-1] if url else None  # after the origin

    return {(f["code"], path(f["url"]), path(f["target"])) for f in report["findings"]}


def test_an_app_shell_is_told_from_a_page_written_on_the_server():
    assert app_shell(parse_html(SHELL, "utf-8"))
    page = html_page("Fine bikes for every rider, serviced in our own workshop. " * 10)
    assert not app_shell(parse_html(page.body, "utf-8"))
    # a page with its text in the HTML is no shell, whatever scripts it loads
    mounted = page.body.replace(b"<body>", b'<body><div id="root"></div>')
    assert not app_shell(parse_html(mounted, "utf-8"))


def test_auto_renders_the_app_and_finds_what_only_a_browser_shows(tmp_path: Path):
    _chromium()
    with FixtureServer(_shop()) as site:
        plain = _run(tmp_path, site.url, "never")
        assert site.hits["/bike/1/"] == 0  # its link exists only once the script has run
        rendered = _run(tmp_path, site.url, "auto")
    assert site.hits["/bike/1/"] == 1 and site.hits["/bike/3/"] == 1
    found = _found(rendered)
    assert {
        ("BRW001", "app/", None),  # the uncaught error
        ("BRW002", "app/", "api/stock"),  # the API call answering 500
        ("BRW003", "app/", "img/missing.png"),  # the image the script added
        ("IMG001", "app/", "img/missing.png"),  # and checked like any image
    } <= found
    assert not {f for f in found if f[0].startswith("BRW") and f[1] != "app/"}
    assert not {f for f in _found(plain) if f[0].startswith("BRW")}
    # only the shell needed a browser: the page written on the server was read plainly
    assert rendered["run"]["counters"]["rendered_app-shell"] == 1
    script_error = next(f for f in rendered["findings"] if f["code"] == "BRW001")
    assert "stock widget failed" in script_error["evidence"]
    assert "rendered in Chromium (app-shell)" in script_error["evidence"]


def test_always_renders_every_page(tmp_path: Path):
    _chromium()
    with FixtureServer(_shop()) as site:
        report = _run(tmp_path, site.url, "always")
    counters = report["run"]["counters"]
    assert counters["rendered_always"] == counters["pages"] == 6  # home, plain, app, 3 bikes


def test_a_template_that_needs_the_browser_is_rendered_for_all_its_pages(tmp_path: Path):
    """/item/1/ is a shell; the browser shows its links, so /item/{n}/ needs rendering, and
    /item/2/, written on the server but with links only its script adds, is rendered too."""
    _chromium()
    script = b"""document.getElementById('more').innerHTML = [2, 3, 4, 5, 6, 7, 8]
      .map(i => '<a href="/item/' + i + '/">Item ' + i + '</a>').join(' ');"""
    text = "An item page written on the server, with enough words to read as a page. " * 8

    def item(n: int, shell: bool) -> Reply:
        body = "" if shell else f"<h1>Item {n}</h1><p>{text}</p>"
        html = (
            f'<!DOCTYPE html><html lang="en"><head><title>Item {n}</title></head><body>{body}'
            '<div id="root"></div><div id="more"></div><script src="/more.js"></script>'
            "</body></html>"
        )
        return Reply(200, html.encode())

    routes: dict[str, Any] = {"/": html_page("Home", links=["/item/1/"])}
    routes["/more.js"] = resource(script, "text/javascript")
    routes["/item/1/"] = item(1, shell=True)
    for n in range(2, 9):
        routes[f"/item/{n}/"] = item(n, shell=False)
    with FixtureServer(routes) as site:
        report = _run(tmp_path, site.url, "auto", concurrency=1)
    counters = report["run"]["counters"]
    assert counters["rendered_app-shell"] == 1
    assert counters["rendered_template"] == 7


def test_the_demo_shops_assortment_app_shows_its_defects_in_the_browser(tmp_path: Path):
    _chromium()
    with DemoShop(today=dt.date.fromisoformat(TODAY)) as shop:
        report = _run(tmp_path, shop.url, "auto")
    app = {f for f in _found(report) if "assortiment" in f[1]}
    assert {
        ("LNK001", "assortiment/", "assortiment/outlet/"),  # a link the script adds
        ("IMG001", "assortiment/", "static/img/assortiment-banner.png"),
        ("BRW003", "assortiment/", "static/img/assortiment-banner.png"),
        ("BRW002", "assortiment/e-bikes/", "api/assortiment/e-bikes.json"),
        ("BRW001", "assortiment/kinderfietsen/", None),
        ("BRW004", "assortiment/kinderfietsen/", None),
    } <= app
    assert any(code == "PAG011" and page == "assortiment/accessoires/" for code, page, _ in app)
    clean = ("assortiment/racefietsen/", "assortiment/stadsfietsen/")
    assert not {f for f in app if f[1] in clean}


def test_rendering_without_a_browser_is_one_line(tmp_path: Path):
    config = tmp_path / "shoplint.yml"
    config.write_text("crawl: {render: auto, browser_path: /nonexistent/chromium}\n")
    proc = subprocess.run(
        shoplint_command(
            "run", "http://127.0.0.1:1/", "--config", str(config), "--db", str(tmp_path / "s.db")
        ),
        cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "shoplint: crawl.render needs Chromium: /nonexistent/chromium was not found"
        " (apt-get install chromium, or set crawl.browser_path or SHOPLINT_CHROMIUM)"
    )


def test_every_browser_rule_has_cases_here():
    """tests/test_rules.py leaves the browser family's cases to this module (CASES_ELSEWHERE):
    each rule is found above on a page that has its defect, and on no clean page."""
    covered = {"BRW001", "BRW002", "BRW003", "BRW004"}
    assert {rule.code for rule in family_rules("browser")} == covered
