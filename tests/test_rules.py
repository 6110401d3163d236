"""Every rule's test cases, kept as data: tests/rules/<CODE>.yml.

A file holds one rule's cases. Each case is a small site (path -> page) that is served on
127.0.0.1 and crawled for real by `shoplint run`; `expect` lists the findings of that rule,
as (url, target) paths, and nothing else of that rule may be found:

    rule: LNK001
    cases:
      - name: fail_link_to_a_missing_page
        site:
          /: '<a href="/gone/">Bekijk</a>'            # a string: an HTML page, 200
          /old/: {status: 301, headers: {Location: /}}  # or a reply: status, body, headers,
          /img.png: {body_hex: "89504e47", content_type: image/png}   # content_type, delay
        config: {checks: {LNK001: {options: {...}}}}  # optional shoplint.yml
        today: "2026-05-01"                           # optional
        expect:
          - {url: /, target: /gone/}                  # target may be null

`{port}` in a page, a body or an expected target stands for the server's port:
`http://localhost:{port}/x/` is the same server under another host name, so an external
site (the site is 127.0.0.1:{port}).

`pytest -k LNK001` runs one rule's cases.

Families whose cases cannot be a crawled site keep them in their own module, named in
CASES_ELSEWHERE; that module checks that each of its rules has cases.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CRAWLED
from fixture_server import HTML, FixtureServer, Reply

from checks.registry import REGISTRY

RULES_DIR = Path(__file__).parent / "rules"
CASES_ELSEWHERE = {  # family -> where its rules' cases are instead (each checks its own)
    "checkout": "test_checkout_rules.py: a flow needs sessions, form posts and https",
    "browser": "test_rendering.py: a page needs Chromium to run its scripts",
}


def _cases() -> list[Any]:
    params = []
    for path in sorted(RULES_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            params.append(pytest.param(data["rule"], case, id=f"{data['rule']}-{case['name']}"))
    return params


def _reply(value: str | dict[str, Any], port: int) -> Reply | str:
    if isinstance(value, str):
        return value.replace("{port}", str(port))
    body = bytes.fromhex(value["body_hex"]) if "body_hex" in value else value.get("body", "")
    if isinstance(body, str):
        body = body.replace("{port}", str(port)).encode()
    headers = {"Content-Type": value.get("content_type", HTML), **value.get("headers", {})}
    return Reply(
        value.get("status", 200),
        body,
        headers,
        value.get("delay", 0.0),
    )


def _path(url: str | None, origin: str) -> str | None:
    return url.removeprefix(origin) if url is not None else None


def test_every_registered_rule_has_cases_and_every_case_file_a_rule():
    files = {path.stem for path in RULES_DIR.glob("*.yml")}
    here = {code for code, rule in REGISTRY.items() if rule.family not in CASES_ELSEWHERE}
    assert files == here


@pytest.mark.parametrize(("code", "case"), _cases())
def test_rule_case(code: str, case: dict[str, Any], run_shoplint):
    with FixtureServer() as site:
        site.routes = {path: _reply(value, site.port) for path, value in case["site"].items()}
        args = ("--today", case["today"]) if "today" in case else ()
        config = {"crawl": {"autothrottle": False, "retries": 0}, **case.get("config", {})}
        proc, store = run_shoplint(site.url, *args, config=config)
        assert proc.returncode in CRAWLED and "Traceback" not in proc.stderr, proc.stderr
    found = [f for f in store.findings_json()["findings"] if f["code"] == code]
    got = sorted((_path(f["url"], site.origin), _path(f["target"], site.origin)) for f in found)
    port = str(site.port)
    expected = sorted(
        (e["url"], e["target"].replace("{port}", port) if e.get("target") else None)
        for e in case["expect"]
    )
    assert got == expected, json.dumps(found, indent=1, ensure_ascii=False)
