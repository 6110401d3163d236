"""No request off the site goes where a link must not lead it (ground/addresses.py,
checks/guarded_http.py): never to link-local addresses (the cloud metadata service on
169.254.169.254), multicast or unspecified ones; to loopback and private ones only where
the site itself lives or for hosts the configuration names. Judged after DNS resolution,
on every redirect hop, and reported (LNK008), never silently dropped.

The test shop lives on 127.0.0.1, so loopback is inside for it; a policy made for a shop
on a public address (a literal IP: no DNS needed) shows loopback refused."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CRAWLED
from fixture_server import FixtureServer, html_page, redirect
from test_external_links import FAST

from checks.external import check_external
from ground.addresses import LOOPBACK, AddressPolicy, address_kind
from ground.model import ExternalCheck, LinkVerdict
from store import SqliteStore

METADATA = "http://169.254.169.254/latest/meta-data/"
PUBLIC_SHOP = "https://93.184.216.34/"  # a shop on a public address


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", "public"),
        ("2001:4860:4860::8888", "public"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("100.64.0.1", "private"),  # carrier-grade NAT
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("::ffff:169.254.169.254", "link-local"),  # IPv4 written as IPv6
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("255.255.255.255", "reserved"),
    ],
)
def test_address_kinds(address, kind):
    assert address_kind(address) == kind


def test_the_site_decides_what_is_inside():
    assert AddressPolicy.for_site("http://127.0.0.1:8000/").inside == {LOOPBACK}
    assert AddressPolicy.for_site("http://localhost:8000/").inside == {LOOPBACK}
    assert AddressPolicy.for_site(PUBLIC_SHOP).inside == frozenset()
    listed = AddressPolicy.for_site(PUBLIC_SHOP, ["Intranet.Example:8080", "localhost"])
    assert listed.hosts == {"intranet.example", "localhost"}


def check(tmp_path: Path, urls: list[str], policy: AddressPolicy) -> dict[str, ExternalCheck]:
    store = SqliteStore(str(tmp_path / "shoplint.db"))
    try:
        return check_external(urls, store, replace(FAST, timeout=5.0, addresses=policy))
    finally:
        store.close()


def blocked(result: ExternalCheck) -> str:
    assert result.verdict is LinkVerdict.BROKEN, result
    reason, _, detail = result.reason.partition(" ")
    assert reason == "blocked-address", result
    return detail


def test_link_local_is_refused_without_a_connection_whatever_the_site(tmp_path):
    urls = [METADATA, "http://[::ffff:169.254.169.254]/", "http://[fe80::1]/", "http://0.0.0.0/"]
    started = time.monotonic()
    results = check(tmp_path, urls, AddressPolicy.for_site("http://127.0.0.1:8000/"))
    assert time.monotonic() - started < 1  # a connection attempt would wait 5 s for nothing
    assert [blocked(results[url]) for url in urls] == [
        "169.254.169.254 (link-local)",
        "::ffff:169.254.169.254 (link-local)",
        "fe80::1 (link-local)",
        "0.0.0.0 (unspecified)",
    ]


def test_a_redirect_into_the_metadata_service_is_refused_at_that_hop(tmp_path):
    with FixtureServer({"/go/": redirect(METADATA, 302)}) as partner:
        url = partner.origin + "/go/"
        result = check(tmp_path, [url], AddressPolicy.for_site("http://127.0.0.1:8000/"))[url]
    assert blocked(result) == "169.254.169.254 (link-local)"
    assert partner.requests == [("HEAD", "/go/")]  # asked once: a refusal is not retried


def test_loopback_is_refused_for_a_shop_on_a_public_address_also_by_name(tmp_path):
    with FixtureServer({"/ok/": html_page("ok"), "/go/": redirect("/ok/")}) as partner:
        by_address, by_name = partner.origin + "/ok/", f"http://localhost:{partner.port}/ok/"
        results = check(tmp_path, [by_address, by_name], AddressPolicy.for_site(PUBLIC_SHOP))
    assert blocked(results[by_address]) == "127.0.0.1 (loopback)"
    assert blocked(results[by_name]).startswith("localhost: ")  # resolved, then judged
    assert partner.requests == []


def test_a_listed_host_may_be_on_loopback_other_names_may_not(tmp_path):
    policy = AddressPolicy.for_site(PUBLIC_SHOP, ["localhost:8080"])  # any port
    with FixtureServer({"/ok/": html_page("ok"), "/hop/": redirect("/ok/")}) as partner:
        listed = f"http://localhost:{partner.port}/hop/"
        other = partner.origin + "/ok/"
        results = check(tmp_path, [listed, other], policy)
    assert results[listed].verdict is LinkVerdict.OK  # through its redirect, on every hop
    assert blocked(results[other]) == "127.0.0.1 (loopback)"
    assert sorted(partner.requests) == [("HEAD", "/hop/"), ("HEAD", "/ok/")]


def test_run_reports_links_into_the_metadata_service(run_shoplint):
    with FixtureServer({"/go/": redirect(METADATA, 302)}) as partner:
        links = [METADATA, partner.origin + "/go/"]
        with FixtureServer({"/": html_page(links=links, title="Home")}) as site:
            config = {
                "crawl": {"autothrottle": False, "retries": 0},
                "checks": {"LNK008": {"options": {"timeout": 5, "retries": 1}}},
            }
            started = time.monotonic()
            proc, store = run_shoplint(site.url, config=config)
            took = time.monotonic() - started
    assert proc.returncode in CRAWLED, proc.stderr
    assert took < 30
    found = {
        f["target"]: (f["code"], f["message"])
        for f in store.findings_json()["findings"]
        if f["check"] == "links"
    }
    message = (
        "Link to an internal network address customers cannot reach, never requested:"
        " 169.254.169.254 (link-local)"
    )
    assert found == {url: ("LNK008", message) for url in links}
