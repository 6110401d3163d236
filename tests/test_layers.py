"""The layers stay apart: loading the configuration reads the rules' declarations
(checks/catalogue/) but imports no check family and none of their heavy dependencies."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from checks.engine import FAMILIES
from checks.registry import FAMILY_PREFIXES, REGISTRY

NOT_FOR_THE_CONFIGURATION = (
    "checks.links",
    "checks.images",
    "checks.pages",
    "checks.freshness",
    "checks.language",
    "checks.readability",
    "checks.engine",
    "checks.checkout.walker",
    "checks.checkout.run",
    "checks.checkout.page_rules",
    "httpx",
    "dateparser",
    "pycld2",
    "textstat",
    "extruct",
    "scrapy",
)

CONFIG = """\
checks:
  LNK003: {options: {redirect_statuses: [301, 302, 308]}}
  LNK008: {options: {timeout: 2, retries: 0}}
  FRS004: {options: {max_age_days_by_url: {"*/faq/*": 180}, sources: [page, sitemap]}}
  LNG001:
    options:
      min_words: 40
      below_by_url: {"*/voorwaarden/*": {nl: 30}}
      content_selectors: {"*/product/*": [".beschrijving"]}
      default_lang: nl
  LNG002: {options: {below: {nl: 25}}}
  CHK007: {options: {required: [terms, returns]}}
"""


def test_configuration_loads_without_any_check_family(tmp_path):
    config = tmp_path / "shoplint.yml"
    config.write_text(CONFIG, encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import json, sys
        from shoplint.config import load_config
        config = load_config({str(config)!r})
        assert config.checks["LNG001"].options["min_words"] == 40
        print(json.dumps(sorted(sys.modules)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert sorted(loaded & set(NOT_FOR_THE_CONFIGURATION)) == []


def test_every_family_is_run_by_the_engine_in_report_order():
    assert [family.name for family in FAMILIES] == list(FAMILY_PREFIXES)
    assert {rule.family for rule in REGISTRY.values()} == set(FAMILY_PREFIXES)
