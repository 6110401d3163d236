"""Routing findings to teams: the shipped defaults follow a shop's real teams, the last
matching rule wins, every condition kind works, mistakes in the owners config stop the run
with one line naming the key, and `shoplint owners URL` explains a page's routing."""

from __future__ import annotations

import dataclasses
import itertools
import sqlite3
from typing import Any

import pytest
from conftest import CRAWLED
from fixture_server import FixtureServer, html_page
from stored_runs import SHOP, finding

from checks.registry import REGISTRY
from ground.errors import ConfigError
from reports.config import OwnersConfig
from reports.owners import Router
from shoplint.config import Config, parse_config


def routed(config: Config, path: str, code: str) -> str:
    return Router(config.owners).route(finding(code, path)).owner


def code_named(part: str) -> str:
    """The first registered rule whose name has `part` in it."""
    codes = sorted(code for code, rule in REGISTRY.items() if part in rule.name)
    assert codes, f"no registered rule named *{part}*"
    return codes[0]


def code_of_family(family: str) -> str:
    codes = sorted(code for code, rule in REGISTRY.items() if rule.family == family)
    assert codes, f"no {family} rule registered"
    return codes[0]


# -- the shipped defaults -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "code", "team"),
    [
        ("/product/racefiets/", "LNK001", "content"),  # everything else on pages
        ("/blog/winterklaar/", "IMG004", "content"),
        ("/acties/kerstdeal/", "LNK001", "marketing"),  # promotion pages
        ("/aanbiedingen/", "IMG001", "marketing"),
        ("/sale", "LNK001", "marketing"),
        ("/faq/", "LNK001", "customer-service"),  # FAQ, contact, returns
        ("/contact/", "IMG004", "customer-service"),
        ("/retourneren/?land=be", "LNK001", "customer-service"),
        ("/afrekenen/adres/", "IMG004", "it"),  # the checkout's pages
        ("/winkelwagen/", "LNK001", "it"),
        ("/faq/", "LNK002", "it"),  # a server error is IT's, whichever page shows it
        ("/acties/kerstdeal/", "IMG002", "it"),
    ],
)
def test_defaults_route_to_a_shops_teams(path, code, team):
    assert routed(Config(), path, code) == team


def test_defaults_route_checkout_server_error_and_promotion_rules():
    config = Config()
    assert routed(config, "/afrekenen/betaling/", code_of_family("checkout")) == "it"
    assert routed(config, "/product/racefiets/", code_named("promotion")) == "marketing"
    assert routed(config, "/acties/", code_named("server-error")) == "it"


@pytest.mark.parametrize("name", ["out-of-stock-product", "low-stock-banner", "sold-out-offer"])
def test_defaults_send_stock_rules_to_inventory(name):
    """Rules about stock, by name: a shop's own rules, or ones a later version adds."""
    inventory = next(r for r in Config().owners.rules if r.owner == "inventory")
    assert inventory.matches_rule("XYZ001", name)
    assert not inventory.matches_rule("XYZ001", "promoted-product-unavailable")  # marketing's


def test_a_finding_keeps_its_rules_team_when_no_rule_matches():
    config = parse_config({"owners": {"rules": []}}, "test")
    for code, rule in REGISTRY.items():
        assert routed(config, "/acties/", code) == rule.team


def test_routing_replaces_the_owner_and_nothing_else():
    original = finding("LNK001", "/acties/x/", "/gone/")
    moved = Router(Config().owners).route(original)
    assert moved.owner == "marketing" and original.owner == "content"
    assert moved == dataclasses.replace(original, owner="marketing")
    unchanged = finding("LNK001", "/product/x/", "/gone/")
    assert Router(Config().owners).route(unchanged) is unchanged


# -- rules as configured --------------------------------------------------------------------


def owners(*rules: dict[str, Any], default: str | None = None) -> Config:
    return parse_config({"owners": {"default": default, "rules": list(rules)}}, "test")


def test_the_last_matching_rule_wins():
    blog = {"url": "*/blog/*", "owner": "marketing"}
    images = {"family": "images", "owner": "it"}
    assert routed(owners(blog, images), "/blog/a/", "IMG001") == "it"
    assert routed(owners(images, blog), "/blog/a/", "IMG001") == "marketing"
    assert routed(owners(images, blog), "/product/a/", "IMG001") == "it"


@pytest.mark.parametrize(
    ("rule", "matches", "misses"),
    [
        ({"url": "*/blog/*"}, ("/blog/a/", "IMG001"), ("/blogs/a/", "IMG001")),
        ({"url": ["*/merk/*", "*/brand/*"]}, ("/brand/x", "LNK001"), ("/merken/x", "LNK001")),
        ({"url": "https://shop.example/a?*"}, ("/a?b=1", "LNK001"), ("/a", "LNK001")),
        ({"url_regex": r"/p/\d+$"}, ("/p/12", "LNK001"), ("/p/12/x", "LNK001")),
        ({"family": "images"}, ("/x/", "IMG004"), ("/x/", "LNK001")),
        ({"rule": "LNK001"}, ("/x/", "LNK001"), ("/x/", "LNK003")),
        ({"rule": "lnk001"}, ("/x/", "LNK001"), ("/x/", "LNK003")),  # codes in any case
        ({"rule": "broken-link"}, ("/x/", "LNK001"), ("/x/", "IMG001")),  # by name
        ({"rule": "IMG*"}, ("/x/", "IMG005"), ("/x/", "LNK001")),  # globs on codes
        ({"rule": "*-image"}, ("/x/", "IMG001"), ("/x/", "LNK001")),  # and on names
        (  # every condition a rule has must match
            {"url": "*/blog/*", "family": "links"},
            ("/blog/a/", "LNK001"),
            ("/blog/a/", "IMG001"),
        ),
    ],
)
def test_each_condition_kind(rule, matches, misses):
    config = owners({**rule, "owner": "inventory"}, default="content")
    assert routed(config, *matches) == "inventory"
    assert routed(config, *misses) == "content"


def test_a_default_owner_catches_the_rest():
    config = owners({"url": "*/blog/*", "owner": "marketing"}, default="customer-service")
    assert routed(config, "/blog/a/", "LNK002") == "marketing"
    assert routed(config, "/product/a/", "LNK002") == "customer-service"  # not the rule's "it"


def test_teams_of_your_own():
    config = parse_config(
        {
            "teams": {"redactie": {"name": "Redactie", "email": "redactie@shop.example"}},
            "owners": {"default": "redactie", "rules": []},
        },
        "test",
    )
    assert routed(config, "/x/", "LNK002") == "redactie"
    assert config.teams["redactie"].email == "redactie@shop.example"


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"owners": {"rules": [{"url": "*", "owner": "seo"}]}}, "owners.rules.0.owner: 'seo'"),
        ({"owners": {"default": "seo"}}, "owners.default: 'seo' is not a team"),
        ({"owners": {"rules": [{"url_regex": "(", "owner": "it"}]}}, "owners.rules.0.url_regex"),
        ({"owners": {"rules": [{"family": "fonts", "owner": "it"}]}}, "owners.rules.0.family"),
        ({"owners": {"rules": [{"rule": "broken-lnk", "owner": "it"}]}}, "'broken-lnk'"),
        ({"owners": {"rules": [{"owner": "it"}]}}, "needs a condition"),
        ({"owners": {"rules": [{"url": "*", "owner": "it", "team": "x"}]}}, "team: unknown key"),
        ({"teams": {"Web Team": {"name": "Web"}}}, "'Web Team'"),
        ({"teams": {}}, "at least one team"),
        ({"teams": {"web": {}}}, "teams.web.name"),
        (  # the rules' own teams must exist when no default catches them
            {"teams": {"web": {"name": "Web"}}, "owners": {"rules": []}},
            "owners.default: rule",
        ),
    ],
)
def test_owner_config_mistakes_name_the_key(data, named):
    with pytest.raises(ConfigError) as caught:
        parse_config(data, "shoplint.yml")
    assert named in str(caught.value), str(caught.value)
    assert str(caught.value).startswith("shoplint.yml: ")


def test_a_glob_may_match_no_rule_yet():
    """Like CODEOWNERS: a pattern for rules a later version adds is not an error."""
    assert owners({"rule": "XYZ*", "owner": "it"}).owners.rules[0].rule == ["XYZ*"]


def test_the_defaults_are_written_out_compactly():
    dumped = OwnersConfig().model_dump(mode="json")
    assert dumped["rules"][3] == {
        "family": ["checkout"],
        "owner": "it",
        "note": "a broken checkout is IT's",
    }


# -- shoplint owners URL --------------------------------------------------------------------


def test_owners_command_explains_a_pages_routing(shoplint_cli, write_config):
    config = write_config(
        {
            "owners": {
                "rules": [
                    {"url": "*/merken/*", "owner": "marketing", "note": "brand pages"},
                    {"rule": "LNK002", "owner": "it"},
                ]
            }
        }
    )
    proc = shoplint_cli("owners", SHOP + "merken/gazelle/", "--config", str(config))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "owners.rules.0: url */merken/* -> marketing  [this page]" in out
    assert "owners.rules.1: rule LNK002 -> it  [any page]" in out
    assert "Marketing (marketing) by owners.rules.0 (brand pages):" in out
    assert "IT (it) by owners.rules.1:" in out
    assert "LNK001" in codes_under(out, "Marketing (marketing) by owners.rules.0")
    assert codes_under(out, "IT (it) by owners.rules.1:") == ["LNK002"]

    proc = shoplint_cli("owners", SHOP + "over-ons/", "--config", str(config))
    assert "owners.rules.0: url */merken/* -> marketing  [NOT this page]" in proc.stdout
    assert "Content (content) by the rule's own team (no rule matches):" in proc.stdout


def codes_under(out: str, heading: str) -> list[str]:
    """The rule codes listed (indented, wrapped) under a heading line of `shoplint owners`."""
    lines = out.split(heading, 1)[1].splitlines()[1:]
    return " ".join(itertools.takewhile(lambda line: line.startswith("    "), lines)).split()


def test_a_run_reports_findings_with_their_routed_teams(run_shoplint):
    routes = {
        "/": html_page(links=["/acties/", "/faq/"]),
        "/acties/": html_page(links=["/weg-actie/"]),
        "/faq/": html_page(links=["/weg-faq/"]),
    }
    with FixtureServer(routes) as site:
        proc, store = run_shoplint(site.url, config={"crawl": {"retries": 0}})
    assert proc.returncode in CRAWLED, proc.stderr
    report = store.findings_json()
    teams = {(f["url"].removeprefix(site.origin), f["code"]): f for f in report["findings"]}
    assert teams[("/acties/", "LNK001")]["owner"] == "marketing"
    assert teams[("/acties/", "LNK001")]["owner_name"] == "Marketing"
    assert teams[("/faq/", "LNK001")]["owner"] == "customer-service"
    # the store keeps what the check said; routing is applied when reporting
    assert {row["owner"] for row in store_rows(store.db) if row["code"] == "LNK001"} == {"content"}


def store_rows(db) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute("SELECT * FROM findings")]
