"""Crawler traps made of paths alone (crawler/path_traps.py): a calendar that links to the
next month forever and a session id in the path each stop the crawl from following them
after a bounded number of pages, with the default limits, while pagination and a catalogue
of numbered products are crawled whole. The traps are counted and reported (PAG012)."""

from __future__ import annotations

import itertools

import pytest
from conftest import CRAWLED
from fixture_server import FixtureServer, html_page

from crawler.config import CrawlConfig
from crawler.frontier import Admission, MemoryFrontier
from crawler.path_traps import path_template

_TOKENS = (f"{n:04d}a7f3c9e1b5d2{n:04d}" for n in itertools.count())  # 20 characters, random-like


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/agenda/2026/12/", "/agenda/{year}/{month}/"),
        ("/agenda/2026/12/31/", "/agenda/{year}/{month}/{day}/"),
        ("/blog/2024-05-01/opening/", "/blog/{date}/opening/"),
        ("/fietsen/page/3/", "/fietsen/page/{n}/"),
        ("/fietsen/page-3/", "/fietsen/page-{n}/"),
        ("/s/a8f3k2x9q1lm4n7p/fietsen/", "/s/{token}/fietsen/"),
        ("/(S(lit3py55t21z5v55vlm25s55))/page.aspx", "/{token}/page.aspx"),
        ("/p/550e8400-e29b-41d4-a716-446655440000/", "/p/{token}/"),
        ("/product/gazelle-esprit-c3/", "/product/gazelle-esprit-c{n}/"),
        ("/fahrradzubehoerundersatzteile/", "/fahrradzubehoerundersatzteile/"),  # a long word
        ("/", "/"),
    ],
)
def test_path_templates(path, template):
    assert path_template(path) == template


def test_a_template_running_deeper_than_its_limit_is_an_endless_path():
    frontier = MemoryFrontier(max_template_depth=3)
    months = [f"http://shop/agenda/2026/{month:02d}/" for month in range(1, 9)]
    verdicts = [frontier.admit(url, True, depth) for depth, url in enumerate(months, start=1)]
    assert verdicts == [Admission.NEW] * 4 + [Admission.ENDLESS_PATH] * 4
    (trap,) = frontier.traps
    assert (trap.pattern, trap.example, trap.skipped) == (
        "/agenda/{year}/{month}/",
        months[4],
        4,
    )
    assert frontier.pages_admitted == 4  # a trap costs none of max_pages


def test_many_addresses_of_one_template_at_the_same_depth_are_a_catalogue():
    frontier = MemoryFrontier(max_template_depth=3, max_path_tokens=3)
    products = [f"http://shop/product/{n}/" for n in range(500)]
    products += [f"http://shop/p/{next(_TOKENS)}/" for _ in range(50)]  # a token last: a name
    assert {frontier.admit(url, True, 2 + n % 3) for n, url in enumerate(products)} == {
        Admission.NEW
    }
    assert frontier.traps == []


def test_a_token_mid_path_with_too_many_values_is_a_path_token_trap():
    frontier = MemoryFrontier(max_path_tokens=2)
    tokens = [next(_TOKENS) for _ in range(3)]
    verdicts = [
        frontier.admit(f"http://shop/s/{token}/{page}/", True, 1)
        for token in tokens
        for page in ("a", "b")
    ]
    assert verdicts == [Admission.NEW] * 4 + [Admission.PATH_TOKEN] * 2
    assert [trap.pattern for trap in frontier.traps] == ["/s/{token}/*"]


def test_resources_and_disabled_guards_are_not_judged():
    frontier = MemoryFrontier(max_template_depth=0, max_path_tokens=0)
    assert {
        frontier.admit(f"http://shop/agenda/{2000 + year}/01/", True, year) for year in range(100)
    } == {Admission.NEW}
    guarded = MemoryFrontier(max_template_depth=1)
    urls = [f"http://shop/img/{n}/" for n in range(10)]
    assert {guarded.admit(url, False, depth) for depth, url in enumerate(urls)} == {Admission.NEW}


# -- end to end: `shoplint run` with the default limits -------------------------------------

PAGINATION = 15  # pages of a category, each linking only to the next: within the limit


def _trap_shop(target: str):
    path = target.partition("?")[0]
    if path == "/":
        links = ["/agenda/2026/12/", f"/s/{next(_TOKENS)}/fietsen/", "/fietsen/page/1/"]
        return html_page(links=links)
    if path.startswith("/agenda/"):  # next and previous month, forever
        year, month = (int(part) for part in path.split("/")[2:4])
        after = (year + month // 12, month % 12 + 1)
        before = (year - (month == 1), (month - 2) % 12 + 1)
        return html_page(links=[f"/agenda/{y}/{m:02d}/" for y, m in (after, before)])
    if path.startswith("/s/"):  # every answer names a new session
        token = next(_TOKENS)
        return html_page(links=[f"/s/{token}/{page}/" for page in ("fietsen", "sale", "contact")])
    if path.startswith("/fietsen/page/"):
        n = int(path.split("/")[3])
        links = [f"/product/{10 * n + i}/" for i in range(2)]
        return html_page(links=[*links, f"/fietsen/page/{n + 1}/"] if n < PAGINATION else links)
    if path.startswith("/product/"):
        return html_page("<h1>Fiets</h1>")
    return None


def test_calendar_and_session_traps_end_with_the_defaults_and_are_reported(run_shoplint):
    with FixtureServer(_trap_shop) as site:
        proc, store = run_shoplint(site.url, config={"crawl": {"autothrottle": False}})
    assert proc.returncode in CRAWLED and "Traceback" not in proc.stderr, proc.stderr
    fetched = store.fetches()
    paths = [url.removeprefix(site.origin) for url, row in fetched.items() if row["is_page"]]
    # each trap costs a bounded number of pages (the default depth's months either way;
    # 10 sessions)
    depth = CrawlConfig().max_template_depth
    assert 1.5 * depth <= sum(p.startswith("/agenda/") for p in paths) <= 2 * depth + 5
    assert sum(p.startswith("/s/") for p in paths) <= 40
    # pagination within the limit and its products are crawled whole
    assert {f"/fietsen/page/{n}/" for n in range(1, PAGINATION + 1)} <= set(paths)
    assert sum(p.startswith("/product/") for p in paths) == 2 * PAGINATION
    counters = store.run()["counters"]
    assert counters["skipped_endless_path"] >= 2 and counters["skipped_path_token"] >= 1
    traps = {
        f["message"]: f["url"] for f in store.findings_json()["findings"] if f["code"] == "PAG012"
    }
    assert set(traps) == {
        "Crawler trap: /agenda/{year}/{month}/ leads on to ever new addresses, link after link",
        "Crawler trap: /s/{token}/* puts a new token in the path of every page",
    }
    for url in traps.values():  # the first address not followed, recorded as skipped
        assert fetched[url]["outcome"] == "skipped"
    others = [f for f in store.findings_json()["findings"] if f["code"] != "PAG012"]
    assert not [f for f in others if {f["url"], f["target"]} & set(traps.values())]
    index = (store.out / "index.html").read_text(encoding="utf-8")
    assert "endless path" in index and "path token" in index  # the report's Not fetched line
