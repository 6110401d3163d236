"""Shops built in JavaScript: pages rendered in Debian's chromium (crawl.render), driven by
scrapy-playwright inside the crawl, against real local sites whose content, links and
defects only a browser shows."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import CRAWLED, RUN_TIMEOUT, TODAY, report_of, shoplint_command, subprocess_env
from fixture_server import FixtureServer, Reply, html_page, never_yielding, resource
from services import require_chromium

from checks.registry import family_rules
from checks.rendered_only import NOTE
from crawler.render_decision import app_shell
from ground.html.extract import parse_html
from shoplint.demo import DemoShop

SHELL = b"""<!DOCTYPE html><html lang="en"><head><title>Bikes</title></head><body>
<div id="root"></div><noscript>Please enable JavaScript to use this shop.</noscript>
<p>Lorem ipsum dolor sit amet.</p><a href="/gone/">Last year's offer</a>
<script src="/app.js"></script></body></html>"""
APP = b"""
fetch('/api/products.json').then(r => r.json()).then(items => {
  document.getElementById('root').innerHTML = '<h1>Our bikes</h1><p>' +
    'Fine bikes for every rider, serviced in our own workshop. '.repeat(10) + '</p>' +
    items.map(i => '<a href="/bike/' + i + '/">Bike ' + i + '</a>').join(' ') +
    '<a href="/bike/9/">Bike 9</a><p>Price: EUR NaN</p>' +
    '<img src="/img/missing.png" alt="A bike">';
  fetch('/api/stock').then(r => r.text());
  fetch('/api/stock').then(r => r.text());
  throw new Error('stock widget failed');
});
for (let i = 0; i < 3; i++) setTimeout(() => { throw new Error('price ticker failed'); }, 0);
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


def _run(
    tmp: Path,
    url: str,
    render: str,
    *args: str,
    name: str = "",
    site: str = "",
    prelude: str = "",
    **crawl: Any,
) -> dict[str, Any]:
    """A run of `url` with crawl.render `render` and the other crawl keys given (`site`: the
    config's site section, as YAML); `name` tells apart several runs with one render;
    `prelude`: Python run in the process before shoplint's command line."""
    name = name or render
    config = tmp / f"{name}.yml"
    config.write_text(
        f"crawl: {{render: {render}, {', '.join(f'{k}: {v}' for k, v in crawl.items())}}}\n"
        + (f"site: {site}\n" if site else "")
    )
    command = shoplint_command(
        "run", url, "--config", str(config), "--db", str(tmp / f"{name}.db"),
        "--out", str(tmp / name), "--internal-only", *args,
    )  # fmt: skip
    if prelude:  # python -m shoplint ARGS, with the prelude first
        command[1:3] = ["-c", f"{prelude}; from shoplint.cli import main; exit(main())"]
    proc = subprocess.run(
        command, cwd=tmp, env=subprocess_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT
    )
    assert proc.returncode in CRAWLED, proc.stderr
    return report_of(tmp / name)


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


@dataclass(frozen=True)
class AppRuns:
    """The shop crawled without rendering, then with `auto` (one crawl each for the module)."""

    url: str
    plain: dict[str, Any]
    rendered: dict[str, Any]
    bike_hits_plain: int  # GETs of a page only the script links, after the plain crawl
    bike_hits: tuple[int, int]  # and of two such pages after both


@pytest.fixture(scope="module")
def app_runs(tmp_path_factory: pytest.TempPathFactory) -> AppRuns:
    require_chromium()
    tmp = tmp_path_factory.mktemp("app-shop")
    with FixtureServer(_shop()) as site:
        plain = _run(tmp, site.url, "never")
        hits_plain = site.hits["/bike/1/"]
        rendered = _run(tmp, site.url, "auto")
        return AppRuns(
            site.url, plain, rendered, hits_plain, (site.hits["/bike/1/"], site.hits["/bike/3/"])
        )


def test_auto_renders_the_app_and_finds_what_only_a_browser_shows(app_runs: AppRuns):
    plain, rendered = app_runs.plain, app_runs.rendered
    assert app_runs.bike_hits_plain == 0  # its link exists only once the script has run
    assert app_runs.bike_hits == (1, 1)
    found = _found(rendered)
    assert {
        ("BRW001", "app/", "app.js"),  # the uncaught errors, by the script that threw them
        ("BRW002", "app/", "api/stock"),  # the API call answering 500
        ("BRW003", "app/", "img/missing.png"),  # the image the script added
        ("IMG001", "app/", "img/missing.png"),  # and checked like any image
    } <= found
    assert not {f for f in found if f[0].startswith("BRW") and f[1] != "app/"}
    assert not {f for f in _found(plain) if f[0].startswith("BRW")}
    # only the shell needed a browser: the page written on the server was read plainly
    assert rendered["run"]["counters"]["rendered_app-shell"] == 1
    (script_error,) = [f for f in rendered["findings"] if f["code"] == "BRW001"]
    assert "stock widget failed" in script_error["evidence"]
    assert "price ticker failed (3 times)" in script_error["evidence"]  # one finding, counted
    assert "rendered in Chromium (app-shell)" in script_error["evidence"]
    (failed_call,) = [f for f in rendered["findings"] if f["code"] == "BRW002"]
    assert failed_call["evidence"].startswith("500 (2 times); ")


def test_findings_on_a_rendered_page_say_what_only_the_browser_showed(app_runs: AppRuns):
    """Of the app shell's findings, those whose link, image or quoted text the script put
    on the page say it is not in the page source; those of what the source holds do not."""
    report, url = app_runs.rendered, app_runs.url
    evidence = {
        (f["code"], (f["target"] or "").removeprefix(url)): f["evidence"] or ""
        for f in report["findings"]
        if f["url"] == url + "app/"
    }
    scripted = [("LNK001", "bike/9/"), ("IMG001", "img/missing.png"), ("PAG011", "")]
    in_source = [("LNK001", "gone/"), ("PAG010", ""), ("BRW001", "app.js")]
    assert {key: NOTE in evidence[key] for key in scripted + in_source} == {
        **{key: True for key in scripted},  # a site rule's, a page rule's, a text's
        **{key: False for key in in_source},
    }
    assert not any(
        NOTE in (f["evidence"] or "") for f in report["findings"] if "app/" not in f["url"]
    )


def test_always_renders_every_page(tmp_path: Path):
    require_chromium()
    with FixtureServer(_shop()) as site:
        report = _run(tmp_path, site.url, "always")
    counters = report["run"]["counters"]
    assert counters["rendered_always"] == counters["pages"] == 6  # home, plain, app, 3 bikes


def test_browser_contexts_and_pages_recycled_every_few_pages_render_every_page(tmp_path: Path):
    """Contexts retired every 5 pages and browser pages every 2 loads, 4 pages at once:
    every page is rendered and the crawl ends. A request that waited while its context was
    retired used to open it again, a third context, and the crawl hung with a few pages
    left (seen at 10,000 pages with the real limits)."""
    require_chromium()
    text = "A page written on the server, with words enough to read as a page. " * 6
    routes = {"/": html_page(text, links=[f"/p/{n}/" for n in range(60)])}
    for n in range(60):
        routes[f"/p/{n}/"] = html_page(text, links=["/", f"/p/{(n + 1) % 60}/"])
    limits = "import crawler.rendering as r; r._CONTEXT_PAGES, r._PAGE_LOADS = 5, 2"
    with FixtureServer(routes) as site:
        report = _run(
            tmp_path, site.url, "always", render_concurrency=4, concurrency=10, prelude=limits
        )
    counters = report["run"]["counters"]
    assert counters["rendered_always"] == counters["pages"] == 61


CHAINED = b"""<!DOCTYPE html><html lang="en"><head><title>Home</title></head><body>
<h1>Our shop</h1><p>Bikes for every rider, from our own workshop.</p><nav id="menu"></nav><script>
fetch('/api/one').then(r => r.text()).then(() => fetch('/api/two')).then(r => r.text())
  .then(() => { document.getElementById('menu').innerHTML =
    '<a href="/broken/">Broken</a> <a href="/fine/">Fine</a>'; });
</script></body></html>"""
BROKEN = b"""<!DOCTYPE html><html lang="en"><head><title>Broken</title></head><body>
<h1>A page whose script fails</h1><script>
fetch('/api/down'); fetch('/api/slow');
throw new Error('broken page failed');
</script></body></html>"""


def test_one_browser_page_renders_page_after_page_and_reports_each_its_own(tmp_path: Path):
    """With one browser page, it renders every page in turn: the page is read once a chain
    of calls has ended (the menu's links come after the second call), and what a page
    showed (a script error, a failed call, a call still open when the browser moved on to
    the next page) is reported for that page only."""
    require_chromium()
    routes = {
        "/": Reply(200, CHAINED),
        "/api/one": resource(b"1", "text/plain"),
        "/api/two": resource(b"2", "text/plain"),
        "/broken/": Reply(200, BROKEN),
        "/api/down": Reply(500, b"down"),
        "/api/slow": Reply(200, b"late", delay=6),  # still open when the browser moves on
        "/fine/": html_page("A page that works, written on the server for every reader. " * 8),
    }
    with FixtureServer(routes) as site:
        report = _run(tmp_path, site.url, "always", concurrency=1, render_concurrency=1,
                      download_timeout=4)  # fmt: skip
        assert site.hits["/fine/"] == 2  # its link came after the calls: plain, rendered
    browser = {(f[0], f[1]) for f in _found(report) if f[0].startswith("BRW")}
    assert browser == {("BRW001", "broken/"), ("BRW002", "broken/")}


def _item_shop(home_links: list[str], scripted: range) -> dict[str, Any]:
    """/item/1/ an app shell, /item/2/ to /item/8/ written on the server (a text, a link
    home); on each, a script adds links to the items `scripted`."""
    script = f"""document.getElementById('more').innerHTML = {list(scripted)}
      .map(i => '<a href="/item/' + i + '/">Item ' + i + '</a>').join(' ');"""
    text = "An item page written on the server, with enough words to read as a page. " * 8

    def item(n: int, shell: bool) -> Reply:
        body = "" if shell else f'<h1>Item {n}</h1><p>{text}</p><a href="/">Home</a>'
        html = (
            f'<!DOCTYPE html><html lang="en"><head><title>Item {n}</title></head><body>{body}'
            '<div id="root"></div><div id="more"></div><script src="/more.js"></script>'
            "</body></html>"
        )
        return Reply(200, html.encode())

    routes: dict[str, Any] = {"/": html_page("Home", links=home_links)}
    routes["/more.js"] = resource(script.encode(), "text/javascript")
    routes["/item/1/"] = item(1, shell=True)
    for n in range(2, 9):
        routes[f"/item/{n}/"] = item(n, shell=False)
    return routes


def test_a_template_that_needs_the_browser_is_rendered_for_all_its_pages(tmp_path: Path):
    """/item/1/ is a shell; the browser shows its links, so /item/{n}/ needs rendering, and
    /item/2/, written on the server but with links only its script adds, is rendered too."""
    require_chromium()
    with FixtureServer(_item_shop(["/item/1/"], range(2, 9))) as site:
        report = _run(tmp_path, site.url, "auto", concurrency=1)
    counters = report["run"]["counters"]
    assert counters["rendered_app-shell"] == 1
    assert counters["rendered_template"] == 7


def test_pages_read_before_their_template_was_learnt_are_rendered_after_all(tmp_path: Path):
    """/item/2/ and /item/3/ are read plainly (written on the server) before the shell
    /item/1/ shows that /item/{n}/ needs the browser: they are then rendered too, once,
    and the store keeps what the browser showed (the links only their script adds), in
    place of what their HTML held; each page is counted once."""
    require_chromium()
    routes = _item_shop(["/item/2/", "/item/3/", "/item/1/"], range(4, 9))
    with FixtureServer(routes) as site:
        report = _run(tmp_path, site.url, "auto", concurrency=1)
        hits = dict(site.hits)
    counters = report["run"]["counters"]
    assert counters["rendered_app-shell"] == 1
    assert counters["rendered_template"] == 7  # /item/2/ to /item/8/, each once
    assert counters["pages"] == 9
    assert hits["/item/2/"] == hits["/item/3/"] == 3  # plain, plain again, in the browser
    with sqlite3.connect(tmp_path / "auto.db") as db:
        refs = db.execute(
            "SELECT raw, COUNT(*) FROM refs WHERE source LIKE '%/item/2/' GROUP BY raw"
        ).fetchall()
        (scripted,) = db.execute(
            "SELECT scripted FROM fetches WHERE url LIKE '%/item/2/'"
        ).fetchone()
    assert dict(refs) == {"/": 1, "/more.js": 1, **{f"/item/{n}/": 1 for n in range(4, 9)}}
    assert f"{site.url}item/8/" in scripted.split()


WIDGET_PAGE = b"""<!DOCTYPE html><html lang="en"><head><title>Reviews</title></head><body>
<h1>What riders say</h1><p>Our riders review every bike they buy from us.</p>
<div id="reviews"></div><script>
const widget = document.createElement('script');
widget.src = 'http://localhost:' + location.port + '/widget.js';
document.body.appendChild(widget);
</script></body></html>"""
WIDGET = b"""
fetch('http://localhost:' + location.port + '/api/reviews');
throw new Error('reviews widget failed');
"""


def test_hosts_of_the_site_can_be_ignored_or_blocked_while_rendering(tmp_path: Path):
    """A reviews widget served by a host of the site (site.hosts) throws and its call
    fails: reported, unless render_ignore_hosts names its host; render_block_hosts keeps
    the browser from loading it at all."""
    require_chromium()
    routes = {
        "/": Reply(200, WIDGET_PAGE),
        "/widget.js": resource(WIDGET, "text/javascript"),
        "/api/reviews": Reply(500, b"down"),
    }
    with FixtureServer(routes) as site:
        hosts = f"{{hosts: ['localhost:{site.url.split(':')[-1].strip('/')}']}}"
        heeded = _run(tmp_path, site.url, "always", site=hosts)
        assert site.hits["/api/reviews"] == 1  # only the widget calls it
        ignored = _run(tmp_path, site.url, "always", name="ignored", site=hosts,
                       render_ignore_hosts=["localhost"])  # fmt: skip
        assert site.hits["/api/reviews"] == 2
        blocked = _run(tmp_path, site.url, "always", name="blocked", site=hosts,
                       render_block_hosts=["localhost"])  # fmt: skip
        assert site.hits["/api/reviews"] == 2  # the widget was never loaded
    assert {f[0] for f in _found(heeded)} >= {"BRW001", "BRW002"}
    widget_error = next(f for f in heeded["findings"] if f["code"] == "BRW001")
    assert widget_error["target"].startswith("http://localhost:")
    assert not {f for f in _found(ignored) | _found(blocked) if f[0].startswith("BRW")}


def test_the_browser_waits_for_the_configured_selector(tmp_path: Path):
    """The offers show a few seconds after the page has loaded, while the network is idle:
    read at network idle the page has no link to them; with render_wait_for it has."""
    require_chromium()
    late = b"""setTimeout(() => {
      document.getElementById('offers').innerHTML = '<a href="/offer/">This week</a>';
    }, 4000);"""
    page = html_page("Our offers of the week, fresh every Monday. " * 8).body.replace(
        b"</body>", b'<div id="offers"></div><script src="/late.js"></script></body>'
    )
    routes = {
        "/": Reply(200, page),
        "/late.js": resource(late, "text/javascript"),
        "/offer/": html_page("This week's offer."),
    }
    with FixtureServer(routes) as site:
        _run(tmp_path, site.url, "always")
        assert site.hits["/offer/"] == 0
        _run(tmp_path, site.url, "always", name="waiting", render_wait_for="'#offers a'")
        assert site.hits["/offer/"] > 0


def test_a_page_whose_script_never_yields_costs_its_time_budget_not_the_crawl(tmp_path: Path):
    """A script that loops for ever once the page has loaded leaves the browser unable to
    read the page: the page is given up after its time budget (the download timeout and
    the wait for quiet), recorded as failed, and the crawl goes on to the other pages."""
    require_chromium()
    routes = {
        "/": html_page("Home", links=["/spinning/", "/fine/"]),
        "/spinning/": never_yielding(html_page("A page whose script never lets go. " * 8)),
        "/fine/": html_page("A page that works, written on the server for every reader. " * 8),
    }
    with FixtureServer(routes) as site:
        report = _run(tmp_path, site.url, "always", download_timeout=3)
    assert report["run"]["counters"]["rendered_always"] == 2  # home and /fine/
    with sqlite3.connect(tmp_path / "always.db") as db:
        outcome = db.execute("SELECT outcome, error FROM fetches WHERE url LIKE '%/spinning/'")
        assert outcome.fetchall() == [("failed", "timeout")]


def test_content_left_hidden_by_a_script_that_failed(tmp_path: Path):
    """BRW005: the main content still hidden, or a spinner still turning, once the page
    has settled, on a page whose script failed; not when the script did its work, nor for
    a spinner on a page whose scripts all ran."""
    require_chromium()
    text = "<h1>Bikes</h1><p>" + "Fine bikes for every rider, from our own workshop. " * 8 + "</p>"
    show = "document.getElementById('app').style.display = '';"

    def page(body: str, script: str) -> Reply:
        html = f'<!DOCTYPE html><html lang="en"><head><title>Shop</title></head><body>{body}'
        return Reply(200, f"{html}<script>{script}</script></body></html>".encode())

    hidden = f'<main id="app" style="display:none">{text}</main>'
    spinner = f'<main>{text}<div class="spinner">Loading offers</div></main>'
    routes = {
        "/": html_page("Home", links=["/hidden/", "/spinner/", "/shown/", "/waiting/"]),
        "/hidden/": page(hidden, "JSON.parse('{'); " + show),  # throws before showing it
        "/spinner/": page(spinner, "fetch('/api/offers').then(r => r.json());"),  # not JSON
        "/api/offers": resource(b"<html>down</html>", "text/html"),
        "/shown/": page(hidden, show),
        "/waiting/": page(spinner, ""),
    }
    with FixtureServer(routes) as site:
        report = _run(tmp_path, site.url, "always")
    assert {f[1] for f in _found(report) if f[0] == "BRW005"} == {"hidden/", "spinner/"}
    evidence = {f["url"].removeprefix(site.url): f["evidence"] for f in report["findings"]
                if f["code"] == "BRW005"}  # fmt: skip
    assert evidence["hidden/"].startswith("main#app (hidden); script error: ")
    assert evidence["spinner/"].startswith("div.spinner (still loading); script error: ")


def test_the_demo_shops_assortment_app_shows_its_defects_in_the_browser(tmp_path: Path):
    require_chromium()
    with DemoShop(today=dt.date.fromisoformat(TODAY)) as shop:
        report = _run(tmp_path, shop.url, "auto")
    app = {f for f in _found(report) if "assortiment" in f[1]}
    assert {
        ("LNK001", "assortiment/", "assortiment/outlet/"),  # a link the script adds
        ("IMG001", "assortiment/", "static/img/assortiment-banner.png"),
        ("BRW003", "assortiment/", "static/img/assortiment-banner.png"),
        ("BRW002", "assortiment/e-bikes/", "api/assortiment/e-bikes.json"),
        ("BRW001", "assortiment/kinderfietsen/", "static/assortiment.js"),
        ("BRW004", "assortiment/kinderfietsen/", None),
    } <= app
    assert any(code == "PAG011" and page == "assortiment/accessoires/" for code, page, _ in app)
    scripted_link = next(f for f in report["findings"] if f["code"] == "LNK001"
                         and (f["target"] or "").endswith("/assortiment/outlet/"))  # fmt: skip
    assert NOTE in scripted_link["evidence"]  # the script wrote it: no use looking in the CMS
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
    covered = {"BRW001", "BRW002", "BRW003", "BRW004", "BRW005"}
    assert {rule.code for rule in family_rules("browser")} == covered
