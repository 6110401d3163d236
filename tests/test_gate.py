"""The release gate: each policy's exit code (errors, max-per-rule, new), the baseline of
accepted findings with an expired entry, `shoplint accept`, and `shoplint run` printing in a
few lines why the gate failed. Stored runs are made directly (tests/stored_runs.py) and
judged with `shoplint gate`, which applies the gate again without crawling."""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
from pathlib import Path

import pytest
import yaml
from conftest import TODAY
from fixture_server import FixtureServer, html_page
from stored_runs import finding, store_run

from ground.model import RunStatus
from shoplint.cli import build_parser

BROKEN = finding("LNK001", "/a/", "/gone/")  # error
BROKEN_TOO = finding("LNK001", "/b/", "/gone/")  # error
SERVER_ERROR = finding("LNK002", "/c/", "/boom/", "Link to a page with a server error (500)")
NO_ALT = finding("IMG004", "/a/", "/img.png", "Image without alt text")  # warning


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "shoplint.db"


@pytest.fixture
def gate(cli, db: Path, tmp_path: Path):
    return lambda *args: cli("gate", "--db", str(db), "--out", str(tmp_path / "report"), *args)


def report(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "report" / "findings.json").read_text(encoding="utf-8"))


# -- errors (the default) -------------------------------------------------------------------


def test_errors_policy_fails_on_an_error_and_says_why(gate, db, tmp_path):
    store_run(db, [BROKEN, BROKEN_TOO, NO_ALT])
    proc = gate()
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert "Release gate: FAILED (errors: any finding of severity error)" in lines
    assert "  LNK001 broken-link: 2 errors (content 2)" in lines
    assert lines[-1] == f"Report: {(tmp_path / 'report' / 'index.html').resolve()}"
    assert len(lines) <= 6
    assert report(tmp_path)["gate"]["passed"] is False


def test_errors_policy_passes_on_warnings(gate, db):
    store_run(db, [NO_ALT])
    proc = gate()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Release gate: passed (errors: any finding of severity error)." in proc.stdout


def test_a_lower_severity_counts_when_asked(gate, db, write_config):
    store_run(db, [NO_ALT])
    assert gate("--gate-severity", "warning").returncode == 1
    config = write_config({"gate": {"severity": "warning"}})
    proc = gate("--config", str(config))
    assert proc.returncode == 1
    assert "IMG004 missing-alt-text: 1 warning (content 1)" in proc.stdout


# -- max-per-rule ---------------------------------------------------------------------------


def test_max_per_rule_fails_only_over_the_maximum(gate, db):
    store_run(db, [BROKEN, BROKEN_TOO, NO_ALT])
    assert gate("--gate", "max-per-rule", "--max-per-rule", "LNK001=2").returncode == 0
    proc = gate("--gate", "max-per-rule", "--max-per-rule", "LNK001=1")
    assert proc.returncode == 1
    assert "LNK001 broken-link: 2 errors, at most 1 allowed (content 2)" in proc.stdout


def test_max_per_rule_star_is_every_other_rule(gate, db, write_config):
    store_run(db, [BROKEN, NO_ALT])
    config = write_config({"gate": {"policy": "max-per-rule", "max_per_rule": {"LNK001": 5}}})
    assert gate("--config", str(config)).returncode == 0  # IMG004 has no maximum
    proc = gate("--config", str(config), "--max-per-rule", "*=0")
    assert proc.returncode == 1
    assert "IMG004 missing-alt-text: 1 warning, at most 0 allowed" in proc.stdout
    assert "LNK001 broken-link" not in proc.stdout


def test_max_per_rule_without_maxima_is_a_config_error(gate, db, write_config):
    store_run(db, [BROKEN])
    proc = gate("--gate", "max-per-rule")
    assert proc.returncode == 2
    assert "gate" in proc.stderr and "max_per_rule" in proc.stderr
    bad = write_config({"gate": {"max_per_rule": {"LNK999": 1}}})
    proc = gate("--config", str(bad))
    assert proc.returncode == 2 and "gate.max_per_rule: LNK999: unknown rule code" in proc.stderr


# -- new ------------------------------------------------------------------------------------


def test_new_policy_fails_only_on_findings_the_previous_run_did_not_have(gate, db, tmp_path):
    store_run(db, [BROKEN])
    store_run(db, [BROKEN, NO_ALT])  # an old error and a new warning
    assert gate("--gate", "new").returncode == 0
    store_run(db, [BROKEN, NO_ALT, SERVER_ERROR])  # a new error
    proc = gate("--gate", "new")
    assert proc.returncode == 1
    assert "LNK002 link-to-server-error: 1 new error (it 1)" in proc.stdout
    assert "LNK001" not in proc.stdout
    blocking = [f["code"] for f in report(tmp_path)["findings"] if f["blocking"]]
    assert blocking == ["LNK002"]


def test_new_policy_compares_with_the_run_named(gate, db):
    first = store_run(db, [BROKEN])
    store_run(db, [BROKEN, SERVER_ERROR])
    store_run(db, [BROKEN, SERVER_ERROR])
    assert gate("--gate", "new").returncode == 0  # compared with the run before
    assert gate("--gate", "new", "--compare-with", str(first)).returncode == 1
    assert gate("--gate", "new", "--compare-with", "none").returncode == 1  # all new
    proc = gate("--gate", "new", "--compare-with", "99")
    assert proc.returncode == 2 and "gate.compare_with: no run 99" in proc.stderr


def test_new_policy_compares_staging_with_production(gate, db):
    """Fingerprints leave the site's own host out, so one site's runs compare across hosts."""
    production = "https://shop.example/"
    staging = "https://staging.shop.example/"
    store_run(db, [BROKEN], start_url=production)
    on_staging = [
        finding("LNK001", "/a/", "/gone/", site=staging),
        finding("LNK002", "/c/", "/boom/", site=staging),
    ]
    assert on_staging[0].fingerprint == BROKEN.fingerprint
    store_run(db, on_staging, start_url=staging)
    proc = gate(staging, "--gate", "new", "--compare-with", production)
    assert proc.returncode == 1
    assert "LNK002 link-to-server-error: 1 new error" in proc.stdout
    assert "LNK001" not in proc.stdout


def test_the_first_run_has_only_new_findings(gate, db):
    store_run(db, [BROKEN])
    assert gate("--gate", "new").returncode == 1


# -- the baseline: shoplint accept ----------------------------------------------------------


def test_accepted_findings_do_not_count_until_their_date(cli, gate, db, tmp_path):
    store_run(db, [BROKEN, NO_ALT])
    accept = cli(
        "accept",
        BROKEN.fingerprint[:8],  # a unique prefix will do, as with git
        "--reason",
        "Supplier page, they fix it in June",
        "--by",
        "Anna",
        "--until",
        "2026-06-30",
        "--db",
        str(db),
    )
    assert accept.returncode == 0, accept.stderr
    assert f"Accepted {BROKEN.fingerprint} (LNK001 on {BROKEN.url}) until 2026-06-30." in (
        accept.stdout
    )
    baseline = tmp_path / "shoplint-baseline.yml"
    text = baseline.read_text(encoding="utf-8")
    assert text.startswith("# Accepted shoplint findings")
    entry = yaml.safe_load(text)["accepted"][0]
    assert entry["fingerprint"] == BROKEN.fingerprint
    assert (entry["by"], entry["reason"], entry["accepted_on"]) == (
        "Anna",
        "Supplier page, they fix it in June",
        TODAY,
    )
    assert (entry["code"], entry["url"], entry["target"]) == ("LNK001", BROKEN.url, BROKEN.target)

    proc = gate()
    assert proc.returncode == 0, proc.stdout
    accepted = report(tmp_path)["findings"][0]["accepted"]
    assert accepted == {
        "by": "Anna",
        "reason": "Supplier page, they fix it in June",
        "accepted_on": TODAY,
        "until": "2026-06-30",
        "expired": False,
    }
    assert gate("--today", "2026-06-30").returncode == 0  # the last day still counts
    expired = gate("--today", "2026-07-01")
    assert expired.returncode == 1
    assert "LNK001 broken-link: 1 error" in expired.stdout
    assert report(tmp_path)["findings"][0]["accepted"]["expired"] is True


def test_a_baseline_with_an_expired_entry(gate, db, tmp_path):
    """A reviewed file as found in a repository: one entry still valid, one expired, one
    for a finding that is gone. Only the expired one counts; the report lists each."""
    store_run(db, [BROKEN, SERVER_ERROR])
    baseline = tmp_path / "shoplint-baseline.yml"
    entries = [
        {
            "fingerprint": BROKEN.fingerprint,
            "reason": "known",
            "by": "Anna",
            "accepted_on": "2026-04-01",
        },
        {
            "fingerprint": SERVER_ERROR.fingerprint,
            "reason": "hosting moves in April",
            "by": "Bram",
            "accepted_on": "2026-03-01",
            "until": "2026-04-30",
        },
        {
            "fingerprint": "0123456789abcdef0123",
            "reason": "old",
            "by": "Anna",
            "accepted_on": "2026-01-02",
        },
    ]
    baseline.write_text(yaml.safe_dump({"accepted": entries}), encoding="utf-8")
    proc = gate()
    assert proc.returncode == 1
    assert "LNK002 link-to-server-error: 1 error (it 1)" in proc.stdout
    assert "LNK001" not in proc.stdout
    data = report(tmp_path)
    by_code = {f["code"]: f for f in data["findings"]}
    assert by_code["LNK001"]["accepted"]["expired"] is False
    assert by_code["LNK002"]["accepted"]["expired"] is True
    assert by_code["LNK002"]["blocking"] is True
    assert [a["fingerprint"] for a in data["accepted_not_found"]] == ["0123456789abcdef0123"]
    index = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "Accepted findings" in index and "Expired acceptances" in index
    assert "Accepted but no longer found" in index and "0123456789abcdef0123" in index


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["ffffff"], "FINGERPRINT ffffff: matches no stored finding"),
        (["abc"], "FINGERPRINT abc: too short"),
        (["{fp}", "--until", "2026-04-30"], "--until: 2026-04-30 has passed already"),
        (["{fp}", "--until", "soon"], "--until"),
    ],
)
def test_accept_mistakes_exit_2_in_one_line(cli, db, args, named):
    store_run(db, [BROKEN])
    args = [arg.replace("{fp}", BROKEN.fingerprint) for arg in args]
    proc = cli("accept", *args, "--reason", "r", "--by", "b", "--db", str(db))
    assert proc.returncode == 2
    assert named in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_malformed_baseline_names_the_entry(gate, db, tmp_path):
    store_run(db, [BROKEN])
    (tmp_path / "shoplint-baseline.yml").write_text(
        "accepted:\n  - {fingerprint: abcdef123456, by: Anna, accepted_on: 2026-04-01}\n",
        encoding="utf-8",
    )
    proc = gate()
    assert proc.returncode == 2
    assert "shoplint-baseline.yml: accepted.0.reason: Field required" in proc.stderr


# -- which run --------------------------------------------------------------------------


def test_a_partial_crawl_never_passes(gate, db):
    store_run(db, [NO_ALT], status=RunStatus.INTERRUPTED)
    proc = gate()
    assert proc.returncode == 1
    assert "run 1 is interrupted: a partial crawl cannot pass" in proc.stdout


def test_gate_picks_the_run(gate, db):
    store_run(db, [BROKEN])
    store_run(db, [NO_ALT])
    assert gate().returncode == 0  # the latest
    assert gate("--run", "1").returncode == 1
    proc = gate("--run", "7")
    assert proc.returncode == 2 and "--run 7: no such run" in proc.stderr
    proc = gate("https://elsewhere.example/")
    assert proc.returncode == 2 and "no finished run of https://elsewhere.example/" in proc.stderr


def test_gate_without_a_store_exits_2(gate, db):
    proc = gate()
    assert proc.returncode == 2
    assert f"--db {db}: no run store there" in proc.stderr
    assert not db.exists()


# -- shoplint run ---------------------------------------------------------------------------


def test_run_exits_1_and_prints_why_then_0_when_fixed(run_shoplint):
    pages = {"/": html_page(links=["/a/", "/gone/"]), "/a/": html_page(links=["/gone/"])}
    with FixtureServer(pages) as site:
        proc, store = run_shoplint(site.url, config={"crawl": {"retries": 0}})
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()[-4:]
    found = len(store.findings_json()["findings"])  # the seo family's on these bare pages too
    assert lines[0].startswith("Run 1 of ") and f"{found} findings" in lines[0]
    assert lines[1:] == [
        "Release gate: FAILED (errors: any finding of severity error)",
        "  LNK001 broken-link: 2 errors (content 2)",
        f"Report: {(store.out / 'index.html').resolve()}",
    ]
    pages["/gone/"] = html_page("back again")
    with FixtureServer(pages) as site:
        proc, _ = run_shoplint(site.url, config={"crawl": {"retries": 0}})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Release gate: passed" in proc.stdout


def test_run_takes_the_gate_policy_from_the_command_line(run_shoplint):
    pages = {"/": html_page(links=["/gone/"])}
    with FixtureServer(pages) as site:
        proc, _ = run_shoplint(
            site.url,
            "--gate",
            "max-per-rule",
            "--max-per-rule",
            "LNK001=1",
            config={"crawl": {"retries": 0}},
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Release gate: passed (max-per-rule: LNK001 1)." in proc.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--gate", "sometimes"], "--gate"),
        (["--max-per-rule", "LNK001"], "--max-per-rule"),
        (["--gate-severity", "fatal"], "--gate-severity"),
        (["--compare-with", "yesterday"], "gate.compare_with"),
        (["--keep-runs", "-1"], "--keep-runs"),
    ],
)
def test_bad_gate_options_exit_2(run_shoplint, args, named):
    proc, _ = run_shoplint("http://127.0.0.1:9/", *args)
    assert proc.returncode == 2
    assert named in proc.stderr


# -- the CI examples ------------------------------------------------------------------------

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_ci_examples_use_the_command_line_as_it_is(name, example_variables):
    """Every shoplint command of the examples parses (options renamed would break users'
    pipelines silently), and each has the nightly and the release job."""
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    yaml.safe_load(text)
    commands = _shoplint_commands(text)
    assert {args[0] for args in commands} == {"run", "gate"}
    for args in commands:
        parsed = build_parser().parse_args(args)
        assert parsed.db == "/db" and parsed.out.startswith("shoplint-")
    assert "summary.md" in text and "junit.xml" in text and "--keep-runs" in text


def test_distributed_examples_use_the_command_line_as_it_is(example_variables):
    """examples/distributed: every shoplint command of the compose file and the nightly
    parses, the workers join the coordinator's Redis database, and the schema is upgraded in
    the store the run writes to."""
    folder = EXAMPLES / "distributed"
    compose = yaml.safe_load((folder / "compose.yml").read_text(encoding="utf-8"))
    in_compose = [
        shlex.split(os.path.expandvars(service["command"]))
        for service in compose["services"].values()
        if "build" in service  # the shoplint image
    ]
    assert all(words[0] == "shoplint" for words in in_compose)
    nightly = (folder / "github-actions.yml").read_text(encoding="utf-8")
    yaml.safe_load(nightly)
    for commands in ([words[1:] for words in in_compose], _shoplint_commands(nightly)):
        parsed = [build_parser().parse_args(args) for args in commands]
        assert {args.command for args in parsed} == {"db", "run", "worker"}
        (run,) = [args for args in parsed if args.command == "run"]
        assert {args.frontier for args in parsed if args.command == "worker"} == {run.frontier}
        assert {args.db for args in parsed if args.command == "db"} == {run.db}


def _shoplint_commands(text: str) -> list[list[str]]:
    """The arguments of each `shoplint` command in a CI file's shell lines, with the
    environment's variables, up to the first shell operator (`||`, `&`, `>`)."""
    operator = set("();<>|&").issuperset  # a token of shlex's punctuation_chars only
    commands = []
    for line in text.replace("\\\n", " ").splitlines():
        line = re.sub(r"^(- |run: |status=0 )", "", line.strip()).strip()
        if line.startswith("shoplint "):
            words = shlex.shlex(os.path.expandvars(line), posix=True, punctuation_chars=True)
            words.whitespace_split = True
            commands.append(list(itertools.takewhile(lambda w: not operator(w), words))[1:])
    return commands


@pytest.fixture
def example_variables(monkeypatch):
    for name, value in {
        "SHOP_URL": "https://shop.example/",
        "SHOPLINT_DB": "/db",
        "SHOPLINT_FRONTIER": "redis://redis.example:6379/0",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KEEP_RUNS", "60")
