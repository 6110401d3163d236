"""The reports in Dutch (report.language: nl).

The catalogue is checked against the code as it is now: the messages are extracted afresh
with the project's babel.cfg (templates, writers, finding-message templates and every rule
of checks/catalogue, new families included), and each must have a Dutch translation; the
demo shop's report in Dutch must have no finding message left in English."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from conftest import RUN_TIMEOUT, shoplint_command, subprocess_env
from stored_runs import finding, store_run

from checks.registry import REGISTRY
from reports.i18n import translator

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "reports" / "i18n"
PO = I18N / "locale" / "nl" / "LC_MESSAGES" / "shoplint.po"
UPDATE = (
    "pybabel extract -F reports/i18n/babel.cfg -o reports/i18n/locale/shoplint.pot"
    " --sort-by-file --no-wrap -c TRANSLATORS: . && pybabel update -i"
    " reports/i18n/locale/shoplint.pot -d reports/i18n/locale -D shoplint --no-wrap"
    " --ignore-obsolete --no-fuzzy-matching, translate the empty msgstr in"
    " reports/i18n/locale/nl/LC_MESSAGES/shoplint.po, then pybabel compile -d"
    " reports/i18n/locale -D shoplint"
)
_PLACEHOLDERS = re.compile(r"%\(\w+\)s|\{\w+\}")


def _key(context: str | None, message: str | tuple) -> tuple[str | None, str]:
    return context, message if isinstance(message, str) else message[0]


def _catalogue():
    with PO.open("rb") as file:
        return read_po(file)


def _extracted() -> set[tuple[str | None, str]]:
    with (I18N / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    return {
        _key(context, message)
        for _, _, message, _, context in extract_from_dir(str(ROOT), method_map, options_map)
    }


def test_every_message_of_the_code_has_a_dutch_translation():
    translated = {
        _key(m.context, m.id)
        for m in _catalogue()
        if m.id
        and "fuzzy" not in m.flags
        and (m.string if isinstance(m.string, str) else all(m.string))
    }
    missing = sorted(_extracted() - translated, key=str)
    assert not missing, f"{len(missing)} without Dutch ({UPDATE}):\n" + "\n".join(
        map(repr, missing[:40])
    )


def test_every_rule_reads_in_dutch():
    """Through the compiled catalogue, as the reports read it."""
    nl = translator("nl")
    untranslated = [
        code
        for code, rule in REGISTRY.items()
        if not (nl.has(rule.summary) and nl.has(rule.explanation))
        or not nl.has(rule.name, "rule name")
        or not nl.has(rule.family, "family")
    ]
    assert not untranslated, f"compile the catalogue again ({UPDATE})"


def test_translations_keep_their_placeholders():
    for message in _catalogue():
        if not message.id or not message.string:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(_PLACEHOLDERS.findall(ids[-1]))
        for string in strings:
            assert set(_PLACEHOLDERS.findall(string)) == wanted, string


def test_finding_messages_are_translated_part_by_part():
    nl = translator("nl")
    assert nl.text("Link to a page that does not exist (404, after 2 redirects)") == (
        "Link naar een pagina die niet bestaat (404, na 2 doorverwijzingen)"
    )
    assert nl.text("Promotion ended on 15 March 2025, 630 days ago (and 2 more on this page)") == (
        "Actie afgelopen op 15 maart 2025, 630 dagen geleden (en nog 2 op deze pagina)"
    )
    assert nl.text("Checkout step 'address' took 3,506 ms (budget 3,000 ms)") == (
        "Afrekenstap 'address' duurde 3.506 ms (budget 3.000 ms)"
    )
    assert nl.text("The page declares English (en), but its text is Dutch (nl)") == (
        "De pagina zegt Engels (en) te zijn, maar de tekst is Nederlands (nl)"
    )
    assert nl.text("Something a check says that no template knows") == (
        "Something a check says that no template knows"
    )


def test_a_stored_run_reported_in_dutch(cli, tmp_path, write_config):
    db, out = tmp_path / "shoplint.db", tmp_path / "report"
    store_run(
        db,
        [
            finding("LNK001", "/fietsen/", "/gone/"),
            finding("PAG006", "/kapot/", message="Page answers a server error (500)"),
        ],
        pages=1234,
    )
    config = write_config({"report": {"language": "nl"}})
    result = cli("gate", "--config", str(config), "--db", str(db), "--out", str(out))
    assert result.returncode == 1
    assert "Releasepoort: GEZAKT" in result.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in index
    assert "1.234 pagina's gecontroleerd" in index and "1 mei 2026" in index
    assert "Link naar een pagina die niet bestaat (404)" in index
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## shoplint: ❌ releasepoort gezakt")
    report = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    first = report["findings"][0]
    assert first["check"] == "links" and first["severity"] == "error"  # the contract's words
    assert first["message"] == "Link naar een pagina die niet bestaat (404)"
    with (out / "findings.csv").open(encoding="utf-8-sig") as file:
        header = next(csv.reader(file))
    assert header[:3] == ["controle", "code", "ernst"]
    cases = ET.parse(out / "junit.xml").getroot().iter("testcase")
    names = {case.get("name") for case in cases}
    nl = translator("nl")
    assert f"LNK001 {nl.rule_name(REGISTRY['LNK001'])}" in names


def test_shoplint_checks_explains_in_dutch(cli):
    result = cli("checks", "LNK001", "--language", "nl")
    nl = translator("nl")
    assert nl.summary(REGISTRY["LNK001"]) in result.stdout
    assert "eigenaar content" in result.stdout


@pytest.fixture(scope="module")
def dutch_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-nl") / "report"
    proc = subprocess.run(
        shoplint_command("demo", "--language", "nl", "--out", str(out)),
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def test_the_dutch_demo_leaves_no_finding_message_in_english(dutch_demo, cli, tmp_path):
    """The English report of the same run is the reference: every message must differ."""
    english = tmp_path / "en"
    result = cli("gate", "--db", str(dutch_demo / "shoplint.db"), "--out", str(english))
    assert result.returncode in (0, 1), result.stderr
    dutch = json.loads((dutch_demo / "findings.json").read_text(encoding="utf-8"))
    messages = {
        f["fingerprint"]: f["message"]
        for f in json.loads((english / "findings.json").read_text(encoding="utf-8"))["findings"]
    }
    same = sorted(
        {f["message"] for f in dutch["findings"] if messages[f["fingerprint"]] == f["message"]}
    )
    assert not same, "no template in reports/i18n/messages.py matches:\n" + "\n".join(same)
