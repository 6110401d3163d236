"""`shoplint checkout URL` and the checkout in `shoplint run`, as a user runs them: output,
exit codes, what is stored with the run, and secrets that never show."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import yaml
from checkout_shop import GUEST_STEPS, CheckoutShop, Flaws, guest_flow, walk
from conftest import TODAY, shoplint_in

from ground.model import FlowEnd, StepStatus
from shoplint.demo import DemoShop

DEMO_CONFIG = Path(__file__).parent.parent / "shoplint" / "demo" / "shoplint.yml"


def checkout_cli(tmp_path: Path, url: str, config: Path):
    return shoplint_in(tmp_path, "checkout", url, "--config", str(config))


def test_checkout_prints_each_step_with_status_and_time(tmp_path, write_config):
    config = write_config({"checkout": guest_flow(name="guest")})
    with CheckoutShop() as shop:
        proc = checkout_cli(tmp_path, shop.url, config)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("Checkout flow 'guest': completed, ")
    assert lines[1].split()[:3] == ["PASSED", "start", "200"]
    assert lines[1].endswith(f"ms  {shop.url}product/bike/")
    assert [line.split()[0] for line in lines[1:]] == ["PASSED"] * 6
    assert "Findings" not in proc.stdout


def test_checkout_exit_codes_say_whether_the_checkout_works(tmp_path, write_config):
    config = write_config({"checkout": guest_flow()})
    with CheckoutShop(Flaws(crash_postcode="1234AB")) as shop:
        failed = checkout_cli(tmp_path, shop.url, config)
    assert failed.returncode == 1
    assert "FAILED       address              500" in failed.stdout
    assert "expected status 2xx, found 500 Internal Server Error" in failed.stdout
    assert "Findings (1):\n  error    CHK001  " in failed.stdout
    unreachable = checkout_cli(tmp_path, "http://127.0.0.1:9/", config)
    assert unreachable.returncode == 3
    assert unreachable.stderr.strip() == "shoplint: http://127.0.0.1:9/ did not answer"


def test_checkout_without_a_checkout_section_or_with_a_wrong_key_exits_2(tmp_path, write_config):
    empty = checkout_cli(tmp_path, "http://127.0.0.1:9/", write_config({"crawl": {"retries": 0}}))
    assert empty.returncode == 2
    assert "checkout: the config has no checkout section" in empty.stderr
    typo = [{**GUEST_STEPS[0], "exepct": {"status": 200}}]
    bad = write_config({"checkout": guest_flow(steps=typo)}, "bad.yml")
    wrong = checkout_cli(tmp_path, "http://127.0.0.1:9/", bad)
    assert (wrong.returncode, wrong.stderr.strip()) == (
        2,
        f"shoplint: {bad}: checkout.steps.0.exepct: unknown key",
    )


SECRET_TOKEN = "tok-5ecr3t-93be27"
SECRET_PASSWORD = "pw-5ecr3t-4f8a1c"


def test_credentials_from_the_environment_are_never_printed_or_stored(
    tmp_path, write_config, run_shoplint, monkeypatch
):
    """The staging shop wants basic auth and a header, and its payment page even echoes
    the token back: the flow gets in, and no output, report or store holds a secret."""

    basic = "Basic " + base64.b64encode(f"tester:{SECRET_PASSWORD}".encode()).decode()
    flaws = Flaws(
        require={"Authorization": basic, "X-Staging-Token": SECRET_TOKEN},
        payment_message=f"Something went wrong. Your token {SECRET_TOKEN} is invalid.",
    )
    credentials = {
        "basic_auth": {"username_env": "STAGE_USER", "password_env": "STAGE_PASSWORD"},
        "header": {"name": "X-Staging-Token", "value_env": "STAGE_TOKEN"},
    }
    monkeypatch.setenv("STAGE_USER", "tester")
    monkeypatch.setenv("STAGE_PASSWORD", SECRET_PASSWORD)
    monkeypatch.setenv("STAGE_TOKEN", SECRET_TOKEN)
    config = {"checkout": guest_flow(credentials=credentials), "crawl": {"retries": 0}}
    with CheckoutShop(flaws) as shop:
        proc = checkout_cli(tmp_path, shop.url, write_config(config))
        assert "CHK003" in proc.stdout and "Your token *** is invalid" in proc.stdout
        run_proc, store = run_shoplint(shop.url, config=config)
    for text in (proc.stdout, proc.stderr, run_proc.stdout, run_proc.stderr):
        assert SECRET_TOKEN not in text and SECRET_PASSWORD not in text
    stored = store.db.read_bytes() + (store.out / "findings.json").read_bytes()
    for written in store.out.iterdir():
        stored += written.read_bytes() if written.is_file() else b""
    assert SECRET_TOKEN.encode() not in stored and SECRET_PASSWORD.encode() not in stored
    codes = {f["code"] for f in store.findings_json()["findings"] if f["check"] == "checkout"}
    assert codes == {"CHK003"}


def test_run_stores_each_flows_outcome_with_the_run(run_shoplint, store_reader):
    config = {
        "checkout": [guest_flow(name="guest"), guest_flow(name="browse", stop_before="pay")],
        "crawl": {"retries": 0},
    }
    with CheckoutShop(Flaws(cart_price="€ 1.349,00")) as shop:
        proc, store = run_shoplint(shop.url, config=config)
    assert proc.returncode == 1, proc.stderr  # the price mismatch fails the gate
    flows = store._query("SELECT * FROM checkout_flows ORDER BY rowid")
    assert [(f["name"], f["end_state"]) for f in flows] == [
        ("guest", "completed"),
        ("browse", "stopped"),
    ]
    steps = json.loads(flows[1]["steps"])
    assert [(s["name"], s["status"]) for s in steps][-2:] == [
        ("shipping", "passed"),
        ("pay", "not-run"),
    ]
    assert all(isinstance(s["ms"], int) for s in steps[:-1]) and steps[0]["http_status"] == 200
    assert flows[0]["total_ms"] == sum(s["ms"] for s in json.loads(flows[0]["steps"]))
    found = [f for f in store.findings_json()["findings"] if f["check"] == "checkout"]
    assert [(f["code"], f["url"]) for f in found] == [("CHK008", shop.url + "cart/")]  # once


def test_the_demo_configs_checkout(tmp_path):
    """The README's example: the demo config's flows against the demo shop."""
    with DemoShop(today=dt.date.fromisoformat(TODAY)) as shop:
        proc = checkout_cli(tmp_path, shop.url, DEMO_CONFIG)
    assert proc.returncode == 1, proc.stderr
    headlines = [line for line in proc.stdout.splitlines() if line.startswith("Checkout flow")]
    assert [line.split(":")[1].split(",")[0].strip() for line in headlines] == [
        "completed",  # guest checkout: no flaw
        "completed",  # with the e-bike: flaws found on the way
        "failed",  # postcode lookup: 500
    ]


def test_the_readme_example_flow_walks_the_demo_shop():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The checkout check", 1)[1]
    example = yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])
    with DemoShop(today=dt.date.fromisoformat(TODAY)) as shop:
        (result,) = walk(shop.url, example["checkout"])
    assert result.outcome.end is FlowEnd.STOPPED  # stop_before: pay
    assert [s.status for s in result.outcome.steps][-1] is StepStatus.NOT_RUN
    assert not result.findings
