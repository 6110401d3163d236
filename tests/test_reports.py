"""Every output format, read back the way its consumer reads it: findings.json (the contract
and its extensions), findings.csv (a spreadsheet), junit.xml (parsed as CI test views parse
it), summary.md (a CI job summary) and the HTML pages; new and fixed findings across two
runs of a changing site; the history a store keeps, and what retention drops."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import CRAWLED, TODAY
from fixture_server import FixtureServer, html_page
from markupsafe import escape
from stored_runs import SHOP, finding, store_run

from checks.registry import REGISTRY
from ground.model import FlowEnd, FlowOutcome, StepOutcome, StepStatus
from store import SqliteStore

FOOTER_PAGES = [f"/product/fiets-{n}/" for n in range(40)]
FOOTER_LINK = [
    finding("LNK001", page, "/vacatures/", evidence="Vacatures") for page in FOOTER_PAGES
]
PROMO = finding("LNK001", "/acties/kerst/", "/acties/oud/", "Link to a page that is gone (410)")
SERVER = finding("LNK002", "/faq/", "/service/", "Link to a page with a server error (500)")
NO_ALT = finding("IMG004", "/blog/a/", "/img/a.png", "Image without alt text", "=cmd|'/c calc'!A1")
CONTROL = finding("IMG001", "/blog/b/", "/img/b.png", "Image that does not exist", "bell \x07 <&>")
ALL = [*FOOTER_LINK, PROMO, SERVER, NO_ALT, CONTROL]


@pytest.fixture
def reported(cli, tmp_path: Path) -> Path:
    """The report folder of a stored run of ALL, compared with an earlier run, with one
    finding accepted."""
    db = tmp_path / "shoplint.db"
    store_run(db, [*FOOTER_LINK[:10], PROMO, finding("LNK001", "/oud/", "/weg/")], pages=20)
    store_run(db, ALL, pages=45)
    (tmp_path / "shoplint-baseline.yml").write_text(
        f"accepted:\n  - {{fingerprint: {PROMO.fingerprint}, reason: ends in June, by: Anna,"
        " accepted_on: 2026-04-20}\n",
        encoding="utf-8",
    )
    proc = cli("gate", "--db", str(db), "--out", str(tmp_path / "report"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return tmp_path / "report"


# -- findings.json --------------------------------------------------------------------------


def test_findings_json_keeps_the_contract_and_adds_history(reported):
    data = json.loads((reported / "findings.json").read_text(encoding="utf-8"))
    assert data["schema"] == 1
    run = data["run"]
    assert {"id", "start_url", "started_at", "finished_at", "status", "pages", "today"} <= set(run)
    assert (run["id"], run["start_url"], run["status"], run["pages"]) == (2, SHOP, "complete", 45)
    assert len(data["findings"]) == len(ALL)
    contract = {"check", "code", "severity", "owner", "url", "target", "message", "evidence"}
    for f in data["findings"]:
        assert contract | {"fingerprint"} <= set(f)
        assert f["check"] in {"links", "images", "pages", "freshness", "language", "checkout"}
        assert f["severity"] in {"error", "warning", "info"}
        assert f["status"] in {"new", "existing"}
        assert f["first_seen"] == TODAY
    by_fp = {f["fingerprint"]: f for f in data["findings"]}
    assert by_fp[PROMO.fingerprint]["owner"] == "marketing"  # routed, not the rule's own
    assert by_fp[PROMO.fingerprint]["owner_name"] == "Marketing"
    assert by_fp[PROMO.fingerprint]["accepted"]["by"] == "Anna"
    assert by_fp[PROMO.fingerprint]["blocking"] is False
    assert by_fp[SERVER.fingerprint]["owner"] == "it"
    assert by_fp[SERVER.fingerprint]["blocking"] is True
    assert by_fp[FOOTER_LINK[0].fingerprint]["status"] == "existing"
    assert by_fp[FOOTER_LINK[39].fingerprint]["status"] == "new"
    assert [f["url"] for f in data["fixed"]] == [SHOP + "oud/"]
    assert data["compared_with"] == 1
    assert data["gate"]["passed"] is False
    assert data["teams"]["customer-service"] == {"name": "Customer service"}
    # most severe first
    ranks = {"error": 0, "warning": 1, "info": 2}
    assert [ranks[f["severity"]] for f in data["findings"]] == sorted(
        ranks[f["severity"]] for f in data["findings"]
    )


# -- findings.csv ---------------------------------------------------------------------------


def test_findings_csv_opens_as_a_table_without_formulas(reported):
    with (reported / "findings.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == len(ALL)
    row = next(r for r in rows if r["fingerprint"] == NO_ALT.fingerprint)
    assert row["evidence"] == "'=cmd|'/c calc'!A1"  # a spreadsheet shows it, never runs it
    assert (row["code"], row["severity"], row["owner_name"]) == ("IMG004", "warning", "Content")
    promo = next(r for r in rows if r["fingerprint"] == PROMO.fingerprint)
    assert (promo["accepted_by"], promo["blocking"]) == ("Anna", "no")
    assert next(r for r in rows if r["code"] == "LNK002")["blocking"] == "yes"


# -- junit.xml ------------------------------------------------------------------------------


def test_junit_xml_has_a_case_per_rule_and_team_failing_over_the_threshold(reported):
    root = ET.parse(reported / "junit.xml").getroot()
    assert root.tag == "testsuites"
    cases = {
        (suite.get("name"), case.get("name")): case
        for suite in root.iter("testsuite")
        for case in suite.iter("testcase")
    }
    broken = cases[("Content (content)", "LNK001 broken-link")]
    failure = broken.find("failure")
    assert failure is not None
    assert failure.get("message").startswith("40 findings over the release gate's threshold")
    assert f"{SHOP}product/fiets-0/ -> {SHOP}vacatures/" in failure.text
    promo = cases[("Marketing (marketing)", "LNK001 broken-link")]  # accepted: passes
    assert promo.find("failure") is None
    assert "1 accepted" in promo.find("system-out").text
    assert cases[("IT (it)", "LNK002 link-to-server-error")].find("failure") is not None
    alt = cases[("Content (content)", "IMG004 missing-alt-text")]  # a warning: within
    assert alt.find("failure") is None and "1 finding within" in alt.find("system-out").text
    control = cases[("Content (content)", "IMG001 broken-image")].find("failure").text
    assert "bell \ufffd <&>" in control  # no character XML forbids
    # every enabled rule is a case: those without findings pass
    assert {name.split()[0] for _, name in cases} == set(REGISTRY)
    failures = sum(1 for case in cases.values() if case.find("failure") is not None)
    assert int(root.get("failures")) == failures == 3
    assert int(root.get("tests")) == len(cases)
    for suite in root.iter("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))


# -- summary.md -----------------------------------------------------------------------------


def test_summary_md_is_a_ci_job_summary(reported):
    text = (reported / "summary.md").read_text(encoding="utf-8")
    assert text.startswith("## shoplint: ❌ release gate failed\n")
    assert "- LNK001 broken-link: 40 errors (content 40)" in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[0] == "| Team | Error | Warning | Info | New | Blocking | Accepted |"
    assert "| Content | 41 | 1 | 0 | 32 | 41 | 0 |" in table  # 30 footer pages and 2 more
    assert "| Marketing | 0 | 0 | 0 | 0 | 0 | 1 |" in table
    assert "Since run 1 (1 May 2026): **33 new**, **1 fixed**." in text
    biggest = [line for line in table if "LNK001 broken-link ⛔" in line]
    assert biggest[0].endswith("| 40 | Content |")  # the footer link: one row, 40 pages
    assert "`https://shop.example/vacatures/`" in biggest[0]


def test_crawled_text_cannot_break_the_summary(cli, tmp_path):
    db = tmp_path / "shoplint.db"
    evil = finding(
        "LNK001",
        "/a/",
        "/x|y/",
        "Link text <script>alert(1)</script> | [click](javascript:alert(1)) *bold*",
    )
    store_run(db, [evil])
    cli("gate", "--db", str(db), "--out", str(tmp_path / "report"))
    text = (tmp_path / "report" / "summary.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if "LNK001 broken" in line and "|" in line)
    assert "&lt;script&gt;" in row and "<script>" not in row
    assert "\\[click\\]" in row and "\\*bold\\*" in row
    assert "`https://shop.example/x\\|y/`" in row
    assert row.count(" | ") == 4  # five cells, whatever the text held


# -- HTML -----------------------------------------------------------------------------------


def test_html_groups_a_template_defect_into_one_row(reported):
    content = (reported / "owner-content.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr data-order="\d+" data-pages="(\d+)"', content)
    assert sorted(map(int, rows)) == [1, 1, 40]  # 40 pages, one row
    assert "<strong>40 pages</strong>, e.g." in content
    assert "All 40 pages</summary>" in content
    assert content.count('href="https://shop.example/product/fiets-') == 3 + 40
    assert "What is wrong and how to fix it" in content
    assert str(escape(REGISTRY["LNK001"].explanation)) in content


def test_html_writes_the_overview_and_a_page_per_team(reported):
    for team in ("content", "marketing", "it", "inventory", "customer-service"):
        assert (reported / f"owner-{team}.html").is_file()
    index = (reported / "index.html").read_text(encoding="utf-8")
    for heading in ("Release gate failed", "Teams", "Trend", "Biggest problems"):
        assert heading in index
    assert "New since run 1" in index and "Fixed since run 1" in index
    assert index.count("<rect ") == 3  # run 1: errors; run 2: errors and a warning
    assert "<script src" not in index and "<link " not in index and "@import" not in index
    assert 'http-equiv="Content-Security-Policy"' in index
    inventory = (reported / "owner-inventory.html").read_text(encoding="utf-8")
    assert "Nothing to fix for Inventory in this run." in inventory
    marketing = (reported / "owner-marketing.html").read_text(encoding="utf-8")
    assert "Accepted findings" in marketing and "ends in June" in marketing


def test_only_the_formats_configured_are_written(cli, tmp_path, write_config):
    db = tmp_path / "shoplint.db"
    store_run(db, [NO_ALT])
    config = write_config({"report": {"formats": ["junit"]}})
    out = tmp_path / "only"
    assert cli("gate", "--db", str(db), "--out", str(out), "--config", str(config)).returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["findings.json", "junit.xml"]
    bad = write_config({"report": {"formats": ["pdf"]}}, "bad.yml")
    proc = cli("gate", "--db", str(db), "--config", str(bad))
    assert proc.returncode == 2 and "report.formats: 'pdf': unknown format" in proc.stderr


# -- history and retention ------------------------------------------------------------------


def test_first_seen_survives_retention_and_ages(cli, tmp_path):
    db = tmp_path / "shoplint.db"
    for day in range(1, 6):
        findings = [NO_ALT] if day != 3 else [NO_ALT, SERVER]
        store_run(db, findings, today=dt.date(2026, 4, day))
    store = SqliteStore(str(db))
    assert store.prune_runs(SHOP, 2) == [3, 2, 1]
    store.close()
    with sqlite3.connect(db) as conn:
        assert [row[0] for row in conn.execute("SELECT id FROM runs")] == [4, 5]
        history = dict(conn.execute("SELECT fingerprint, first_seen FROM finding_history"))
        assert conn.execute("SELECT COUNT(*) FROM findings WHERE run_id < 4").fetchone() == (0,)
    assert history == {NO_ALT.fingerprint: "2026-04-01"}  # SERVER is in no run kept
    proc = cli("gate", "--db", str(db), "--out", str(tmp_path / "report"), "--today", "2026-04-05")
    assert proc.returncode == 0
    data = json.loads((tmp_path / "report" / "findings.json").read_text(encoding="utf-8"))
    assert data["findings"][0]["first_seen"] == "2026-04-01"
    page = (tmp_path / "report" / "owner-content.html").read_text(encoding="utf-8")
    assert '1 April 2026 <span class="muted">4 days</span>' in page


def test_run_keeps_the_runs_configured(run_shoplint):
    with FixtureServer({"/": html_page(links=["/gone/"])}) as site:
        for _ in range(3):
            proc, store = run_shoplint(site.url, "--keep-runs", "2")
            assert proc.returncode in CRAWLED, proc.stderr
    assert [run["id"] for run in store.runs()] == [2, 3]


# -- two runs of a changing site ------------------------------------------------------------


def test_new_and_fixed_across_two_runs_of_a_changing_site(run_shoplint):
    footer = ["/vacatures/"]  # a broken link in the shared footer of every page
    # the links family alone: a page coming back must bring no other family's findings
    only_links = {code: {"enabled": False} for code, r in REGISTRY.items() if r.family != "links"}
    config = {"crawl": {"retries": 0}, "checks": only_links}
    pages = {
        "/": html_page(links=["/a/", "/b/", "/c/", *footer]),
        "/a/": html_page(links=["/oud-product/", *footer]),
        "/b/": html_page(links=footer),
        "/c/": html_page(links=footer),
    }
    with FixtureServer(pages) as site:
        proc, store = run_shoplint(site.url, config=config)
        assert proc.returncode in CRAWLED, proc.stderr
        first = store.findings_json()
        assert "new" not in proc.stdout.splitlines()[-4]  # nothing to compare with yet

        pages["/oud-product/"] = html_page("back in the range")  # fixed
        pages["/b/"] = html_page(links=[*footer, "/nieuw-kapot/"])  # new
        proc, store = run_shoplint(site.url, config=config)
        assert proc.returncode in CRAWLED, proc.stderr
    second = store.findings_json()

    def paths(findings):
        return {
            (f["url"].removeprefix(site.origin), f["target"].removeprefix(site.origin))
            for f in findings
        }

    assert ("/a/", "/oud-product/") in paths(first["findings"])
    status = {
        (f["url"].removeprefix(site.origin), f["target"].removeprefix(site.origin)): f["status"]
        for f in second["findings"]
    }
    assert status[("/b/", "/nieuw-kapot/")] == "new"
    assert status[("/", "/vacatures/")] == "existing"
    assert sum(1 for s in status.values() if s == "new") == 1
    assert paths(second["fixed"]) == {("/a/", "/oud-product/")}
    assert second["compared_with"] == first["run"]["id"]
    assert "(1 new, 1 fixed since run 1)" in proc.stdout

    index = (store.out / "index.html").read_text(encoding="utf-8")
    new_section = index.split("New since run 1")[1].split("Fixed since run 1")[0]
    assert "/nieuw-kapot/" in new_section and "/vacatures/" not in new_section
    fixed_section = index.split("Fixed since run 1")[1].split("</section>")[0]
    assert "/oud-product/" in fixed_section
    content = (store.out / "owner-content.html").read_text(encoding="utf-8")
    assert '<span class="badge new">new</span>' in content
    assert "<strong>4 pages</strong>" in content  # the footer link: one row
    summary = (store.out / "summary.md").read_text(encoding="utf-8")
    assert "**1 new**, **1 fixed**" in summary


def test_the_checkout_at_a_glance(cli, tmp_path):
    db = tmp_path / "shoplint.db"
    run_id = store_run(db, [finding("LNK001", "/a/", "/b/")])
    steps = (
        StepOutcome("add to cart", "submit form.add-to-cart", StepStatus.PASSED, ms=120),
        StepOutcome("address", "submit form#address", StepStatus.FAILED, ms=2300, note="500"),
        StepOutcome("pay", "submit form#payment", StepStatus.NOT_RUN),
    )
    store = SqliteStore(str(db))
    store.add_checkout_flow(run_id, FlowOutcome("guest", SHOP, FlowEnd.FAILED, 2420, steps))
    store.close()
    cli("gate", "--db", str(db), "--out", str(tmp_path / "report"))
    index = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    glance = index.split("Checkout at a glance")[1].split("</section>")[0]
    assert "<strong>guest</strong>" in glance and '<span class="badge fail">failed</span>' in glance
    assert '<li class="failed" title="submit form#address">2. address' in glance
    assert "2,420 ms in all" in glance and "address: 500" in glance
    store_run(tmp_path / "other.db", [])  # no flow walked, no checkout finding: no section
    cli("gate", "--db", str(tmp_path / "other.db"), "--out", str(tmp_path / "quiet"))
    assert "Checkout at a glance" not in (tmp_path / "quiet" / "index.html").read_text()
