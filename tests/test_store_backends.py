"""SQLite and PostgreSQL play every role of the store with the same answers: the same
order (byte order of text, references in document order, NULLs first), the same "first
finding stands" and "later fetch stands", the same history. PostgreSQL is a real server
(tests/services.py); its database sorts text the English way (ICU), so a query that
forgot the byte order would show here."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from services import Postgres

from ground.errors import ConfigError, CrawlError
from ground.model import (
    ExternalCheck,
    Fetch,
    Finding,
    FlowEnd,
    FlowOutcome,
    LinkVerdict,
    Outcome,
    Reference,
    RefKind,
    RunStatus,
    Severity,
    SitemapEntry,
    StepOutcome,
    StepStatus,
)
from store import Store, open_store, shown, store_exists
from store.locations import has_password

SHOP = "https://shop.example"
OTHER = "https://other.example"
_DATABASES = itertools.count()


def english_sorted_database(server: Postgres) -> str:
    """A new database whose text sorts as English readers expect ('apple' < 'Zebra'),
    unlike SQLite's byte order ('Zebra' < 'apple')."""
    import psycopg

    name = f"icu_{os.getpid()}_{next(_DATABASES)}"
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
            " LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'"
        )
    return server.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "shoplint.db")
    return english_sorted_database(request.getfixturevalue("postgres"))


@pytest.fixture
def store(location: str) -> Iterator[Store]:
    opened = open_store(location)
    yield opened
    opened.close()


def page(path: str, **facts: Any) -> Fetch:
    return Fetch(SHOP + path, facts.pop("depth", 1), Outcome.RESPONSE, facts.pop("status", 200),
                 is_page=True, **facts)  # fmt: skip


def link(source: str, target: str, kind: RefKind = RefKind.A, method: str | None = None):
    return Reference(SHOP + source, kind, target, SHOP + target, SHOP + target, "text", method)


def finding(code: str, path: str, target: str | None, message: str = "first") -> Finding:
    target_url = None if target is None else SHOP + target
    return Finding("links", code, Severity.ERROR, "content", SHOP + path, target_url, message,
                   None, f"{code}{path}{target}".replace("/", "-"))  # fmt: skip


def flow(name: str, total_ms: int) -> FlowOutcome:
    step = StepOutcome("cart", "get /cart/", StepStatus.PASSED, SHOP + "/cart/", 200, 12,
                       ("GET https://shop.example/cart/ 200",))  # fmt: skip
    return FlowOutcome(name, SHOP + "/", FlowEnd.COMPLETED, total_ms, (step,))


def history(store: Store) -> dict[str, Any]:
    """A history of four runs on two sites written through every role, and every answer
    the roles give about it (times of day left out: they are the clock's)."""
    first = store.begin_run(SHOP + "/", "digest", "2026-04-01")
    store.write_batch(
        first,
        [
            page("/", depth=0),
            page("/apple/", title="Apple", words='{"u": [], "v": ["velozz"]}'),
            page("/Zebra/", title="old title"),
            page("/é/"),
            Fetch(SHOP + "/old/", 1, Outcome.RESPONSE, 301, redirect_to=SHOP + "/new/"),
            Fetch(SHOP + "/new/", 2, Outcome.RESPONSE, 404),
            Fetch(SHOP + "/down/", 1, Outcome.FAILED, error="timeout"),
        ],
        [
            link("/", "/apple/"),
            link("/", "/logo.png", RefKind.IMG),
            link("/", "/Zebra/"),
            link("/", "/nowhere/"),
            link("/", "/cart/add", RefKind.FORM_ACTION, "POST"),  # not a link: never fetched
            link("/", "/search/", RefKind.FORM_ACTION, "GET"),
        ],
        [
            SitemapEntry(SHOP + "/sitemap.xml", SHOP + "/apple/", "2026-01-01"),
            SitemapEntry(SHOP + "/sitemap.xml", SHOP + "/listed-only/"),
        ],
        [
            finding("LNK001", "/", "/nowhere/"),
            finding("LNK001", "/", "/nowhere/", "second, same key"),
            finding("PAG010", "/apple/", None),
        ],
    )
    store.write_batch(
        first,
        [page("/Zebra/", title="new title")],  # fetched again: the later fetch stands
        [link("/apple/", "/"), link("/apple/", "/Zebra/")],
        [SitemapEntry(SHOP + "/sitemap.xml", SHOP + "/apple/", "2026-02-02")],
        [finding("PAG010", "/apple/", None, "later, same key")],
    )
    store.add_findings(
        first,
        [
            finding("LNK001", "/", "/nowhere/", "site rule, same key"),
            finding("LNK003", "/", "/old/"),
            finding("LNK003", "/", None),
        ],
    )
    for name, total in (("guest", 10), ("account", 20), ("guest", 30)):
        store.add_checkout_flow(first, flow(name, total))  # guest again: replaced, then last
    store.save_external_checks(
        [
            ExternalCheck(OTHER + "/a", LinkVerdict.OK, "ok", 200, "2026-04-01T00:00:00+00:00"),
            ExternalCheck(OTHER + "/b", LinkVerdict.BROKEN, "not-found", 404, "2026-04-01"),
        ]
    )
    store.save_external_checks([ExternalCheck(OTHER + "/a", LinkVerdict.BROKEN, "dns", None, "x")])
    store.save_spelling_neighbours("dicts 1", {("nl", "waterdict"): ("waterdicht",)})
    store.save_spelling_neighbours(
        "dicts 2", {("nl", "fietz"): ("fiets", "fietst"), ("en", "recieve"): ("receive",)}
    )
    store.save_spelling_neighbours("dicts 2", {("nl", "verzendig"): ()})
    store.finish_run(first, RunStatus.COMPLETE, {"pages": 4})
    store.record_first_seen(first)

    second = store.begin_run(SHOP + "/", "digest", "2026-05-01")
    store.add_findings(second, [finding("LNK003", "/", "/old/"), finding("IMG001", "/", "/x.png")])
    store.finish_run(second, RunStatus.COMPLETE, {"pages": 5})
    store.record_first_seen(second)
    elsewhere = store.begin_run(OTHER + "/", "digest", "2026-05-02")
    store.finish_run(elsewhere, RunStatus.INTERRUPTED, {})
    running = store.begin_run(SHOP + "/", "digest", "2026-05-03")

    def no_clock(info):
        return None if info is None else (info.id, info.start_url, info.status, info.today,
                                          info.counters)  # fmt: skip

    answers = {
        "fetches": list(store.fetches(first)),
        "fetched_urls": sorted(store.fetched_urls(first)),
        "references": list(store.references(first)),
        "images": list(store.references(first, [RefKind.IMG])),
        "on_pages": list(store.references(first, [RefKind.A], sources=[SHOP + "/apple/"])),
        "to_targets": list(store.references(first, targets=[SHOP + "/Zebra/", SHOP + "/logo.png"])),
        "linking_pages": sorted(store.linking_pages(first, [RefKind.A])),
        "sitemap_entries": sorted(store.sitemap_entries(first), key=lambda e: e.url),
        "status_counts": store.status_counts(first),
        "unfetched_targets": sorted(store.unfetched_targets(first)),
        "redirect_chain": store.redirect_chain(first, SHOP + "/old/"),
        "external_checks": store.external_checks([OTHER + "/a", OTHER + "/b", OTHER + "/c"]),
        "spelling_neighbours": store.spelling_neighbours(
            "dicts 2", [("nl", "waterdict"), ("nl", "fietz"), ("nl", "verzendig"), ("nl", "x")]
        ),
        "findings": store.findings(first),
        "fixed": store.findings(first, absent_from=second),
        "by_fingerprint": store.finding_by_fingerprint("LNK003"),
        "fingerprints": store.fingerprints(second),
        "first_seen": store.first_seen(second),
        "trend": [(no_clock(info), counts) for info, counts in store.trend(SHOP + "/", 99, 5)],
        "latest": no_clock(store.latest_run()),
        "latest_of_shop": no_clock(store.latest_run(SHOP + "/")),
        "latest_before": no_clock(store.latest_run(SHOP + "/", before=second)),
        "latest_complete": no_clock(store.latest_run(complete=True)),
        "unfinished": no_clock(store.latest_unfinished_run(SHOP + "/")),
        "flows": store.checkout_flows(first),
        "run": no_clock(store.run(second)),
        "pruned": store.prune_runs(SHOP + "/", keep=1),
        "first_seen_after_pruning": store.first_seen(second),
        "left": [no_clock(store.run(run_id)) for run_id in (second, elsewhere, running)],
    }
    return answers


def test_the_roles_keep_order_and_the_first_finding(store: Store):
    answers = history(store)
    assert [f.url.removeprefix(SHOP) for f in answers["fetches"]] == [
        "/", "/Zebra/", "/apple/", "/down/", "/new/", "/old/", "/é/"
    ]  # fmt: skip  # byte order: capitals first, é last
    assert next(f for f in answers["fetches"] if f.url.endswith("/Zebra/")).title == "new title"
    assert [(r.source, r.raw) for r in answers["references"]][:3] == [
        (SHOP + "/", "/apple/"), (SHOP + "/", "/logo.png"), (SHOP + "/", "/Zebra/")
    ]  # fmt: skip
    assert [r.raw for r in answers["references"]][-2:] == ["/", "/Zebra/"]  # batches in order
    assert [r.raw for r in answers["images"]] == ["/logo.png"]
    assert [(r.source, r.raw) for r in answers["on_pages"]] == [
        (SHOP + "/apple/", "/"), (SHOP + "/apple/", "/Zebra/")
    ]  # fmt: skip
    assert [(r.source, r.kind, r.raw) for r in answers["to_targets"]] == [
        (SHOP + "/", RefKind.IMG, "/logo.png"),
        (SHOP + "/", RefKind.A, "/Zebra/"),
        (SHOP + "/apple/", RefKind.A, "/Zebra/"),
    ]  # in document order, whatever the order of the addresses asked for
    assert answers["linking_pages"] == [  # (target, least source, greatest source)
        (SHOP + "/", SHOP + "/apple/", SHOP + "/apple/"),
        (SHOP + "/Zebra/", SHOP + "/", SHOP + "/apple/"),
        (SHOP + "/apple/", SHOP + "/", SHOP + "/"),
        (SHOP + "/nowhere/", SHOP + "/", SHOP + "/"),
    ]
    assert answers["status_counts"] == {"200": 4, "301": 1, "404": 1, "failed: timeout": 1}
    assert answers["unfetched_targets"] == [
        (SHOP + "/listed-only/", 0, True),
        (SHOP + "/logo.png", 1, False),
        (SHOP + "/nowhere/", 1, True),
        (SHOP + "/search/", 1, True),
    ]
    assert [f.status for f in answers["redirect_chain"]] == [301, 404]
    lastmod = {e.url: e.lastmod for e in answers["sitemap_entries"]}
    assert lastmod[SHOP + "/apple/"] == "2026-02-02"
    assert [(f.code, f.target, f.message) for f in answers["findings"]] == [
        ("LNK001", SHOP + "/nowhere/", "first"),
        ("LNK003", None, "first"),  # NULL first
        ("LNK003", SHOP + "/old/", "first"),
        ("PAG010", None, "first"),
    ]
    assert [(f.code, f.target) for f in answers["fixed"]] == [
        ("LNK001", SHOP + "/nowhere/"), ("LNK003", None), ("PAG010", None)
    ]  # fmt: skip
    assert answers["first_seen"] == {
        finding("LNK003", "/", "/old/").fingerprint: "2026-04-01",
        finding("IMG001", "/", "/x.png").fingerprint: "2026-05-01",
    }
    assert answers["first_seen_after_pruning"] == answers["first_seen"]
    assert [f.name for f in answers["flows"]] == ["account", "guest"]
    assert answers["flows"][1].total_ms == 30
    assert answers["external_checks"][OTHER + "/a"].verdict is LinkVerdict.BROKEN
    assert set(answers["external_checks"]) == {OTHER + "/a", OTHER + "/b"}
    # searched with other dictionaries: not trusted; none found is an answer too
    assert answers["spelling_neighbours"] == {
        ("nl", "fietz"): ("fiets", "fietst"),
        ("nl", "verzendig"): (),
    }
    assert next(f for f in answers["fetches"] if f.url.endswith("/apple/")).words == (
        '{"u": [], "v": ["velozz"]}'
    )
    assert answers["unfinished"][0] == answers["left"][2][0]


def test_a_page_written_again_replaces_its_references_and_findings(store: Store):
    """A page stored plainly, then rendered after all (crawler/render_decision.py): written
    again, its references and findings are the second writing's; the other pages keep
    theirs."""
    run = store.begin_run(SHOP + "/", "digest", "2026-04-01")
    store.write_batch(
        run,
        [page("/"), page("/a/", title="plain")],
        [link("/", "/a/"), link("/a/", "/old/")],
        [],
        [finding("LNK001", "/", "/gone/"), finding("LNK001", "/a/", "/old/")],
    )
    store.write_batch(
        run,
        [page("/a/", title="rendered")],
        [link("/a/", "/new/")],
        [],
        [finding("LNK001", "/a/", "/new/")],
        replaced=[SHOP + "/a/"],
    )
    assert {(r.source, r.raw) for r in store.references(run)} == {
        (SHOP + "/", "/a/"),
        (SHOP + "/a/", "/new/"),
    }
    assert {(f.url, f.target) for f in store.findings(run)} == {
        (SHOP + "/", SHOP + "/gone/"),
        (SHOP + "/a/", SHOP + "/new/"),
    }
    assert {f.url: f.title for f in store.fetches(run)}[SHOP + "/a/"] == "rendered"


def test_sqlite_and_postgresql_give_the_same_answers(tmp_path: Path, postgres: Postgres):
    answers = []
    for location in (str(tmp_path / "shoplint.db"), english_sorted_database(postgres)):
        store = open_store(location)
        try:
            answers.append(history(store))
        finally:
            store.close()
    sqlite, postgresql = answers
    assert {key: postgresql[key] for key in sqlite} == sqlite


def test_several_writers_at_once_lose_nothing_and_store_nothing_twice(location: str):
    """Four writers, each a connection of its own, write overlapping batches into one run,
    in opposite orders (the order that deadlocks unsorted writers): every fetch, finding
    and sitemap entry once, every reference of every batch."""
    writers, batches, pages = 4, 6, 40
    setup = open_store(location)
    run_id = setup.begin_run(SHOP + "/", "digest", "2026-05-01")

    def write(writer: int) -> None:
        store = open_store(location)
        try:
            for batch in range(batches):
                paths = [f"/p/{n}/" for n in range(pages)]
                if writer % 2:
                    paths.reverse()
                store.write_batch(
                    run_id,
                    [page(path, title=f"writer {writer}") for path in paths],
                    [link(path, f"/from/{writer}/{batch}/") for path in paths],
                    [SitemapEntry(SHOP + "/sitemap.xml", SHOP + path) for path in paths],
                    [finding("PAG010", path, None, f"writer {writer}") for path in paths],
                )
        finally:
            store.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fetches = list(setup.fetches(run_id))
    findings = setup.findings(run_id)
    refs = list(setup.references(run_id))
    entries = list(setup.sitemap_entries(run_id))
    setup.close()
    assert sorted(f.url for f in fetches) == sorted(SHOP + f"/p/{n}/" for n in range(pages))
    assert len(findings) == len({f.url for f in findings}) == pages
    assert len(entries) == pages
    assert len(refs) == writers * batches * pages
    assert len(set(refs)) == writers * batches * pages


def test_a_store_made_by_a_newer_shoplint_is_refused(location: str):
    open_store(location).close()
    if location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute("UPDATE schema_version SET version = 99")
    else:
        import sqlite3

        with sqlite3.connect(location) as conn:
            conn.execute("PRAGMA user_version = 99")
    with pytest.raises(CrawlError) as refused:
        open_store(location)
    assert "\n" not in str(refused.value)
    assert "made by a newer shoplint (schema version 99" in str(refused.value)


def test_a_store_exists_once_opened(location: str):
    assert not store_exists(location)
    open_store(location).close()
    assert store_exists(location)


def test_an_unreachable_database_is_one_line_without_the_password(postgres: Postgres):
    url = f"postgresql://shoplint:s3cret-pw@127.0.0.1:{postgres.port}/no_such_database"
    with pytest.raises(CrawlError) as failed:
        open_store(url)
    message = str(failed.value)
    assert message.startswith(f"store postgresql://shoplint@127.0.0.1:{postgres.port}/no_such")
    assert "s3cret-pw" not in message and "\n" not in message


def test_a_missing_password_variable_is_named(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SHOPLINT_TEST_PG_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="store.password_env: the environment variable"):
        open_store("postgresql://shoplint@127.0.0.1:1/x", "SHOPLINT_TEST_PG_PASSWORD")


@pytest.mark.parametrize(
    ("location", "secret", "safe"),
    [
        ("postgresql://u:pw@db.internal:5432/shoplint", True, "postgresql://u@db.internal:5432/shoplint"),
        ("postgres://:pw@db/x?sslmode=require&password=pw", True, "postgres://db/x?sslmode=require"),
        ("postgresql://u@db/x", False, "postgresql://u@db/x"),
        ("runs/shoplint.db", False, "runs/shoplint.db"),
    ],
)  # fmt: skip
def test_addresses_are_shown_without_their_password(location: str, secret: bool, safe: str):
    assert has_password(location) is secret
    assert shown(location) == safe


def test_a_connection_lost_while_idle_is_made_again(postgres: Postgres, pg_url: str):
    """A long crawl leaves the run book's connection idle for hours: a database restarted
    meanwhile (or a firewall's idle timeout) must not lose the run at its end."""
    import psycopg

    store = open_store(pg_url)
    run_id = store.begin_run(SHOP + "/", "digest", "2026-05-01")
    store.write_batch(run_id, [page("/")], [], [])
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                     (pg_url.rsplit("/", 1)[1],))  # fmt: skip
    store.write_batch(run_id, [page("/a/")], [], [])
    store.finish_run(run_id, RunStatus.COMPLETE, {})
    assert [f.url for f in store.fetches(run_id)] == [SHOP + "/", SHOP + "/a/"]
    assert store.run(run_id).status is RunStatus.COMPLETE
    store.close()
