"""The `shoplint` command line (see CONTRACTS.md for what must stay stable)."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from checks.registry import REGISTRY
from ground.errors import ConfigError, CrawlError, ShoplintError
from ground.model import FlowOutcome, Severity
from reports.config import GatePolicy
from reports.i18n import LANGUAGES, translator
from shoplint import __version__, spelling_command
from shoplint.config import DEFAULT_CONFIG_FILE, Config, load_config, parse_config
from shoplint.db_command import DB_HELP, db_location

if TYPE_CHECKING:
    from shoplint.gating import RunOutcome

# Each command imports what it needs when it runs: `shoplint checks` or `init` load no
# crawler and no check family, `gate` no crawler (a second at start-up, measured).

EXIT_USAGE = 2
DEMO_CONFIG = Path(__file__).parent / "demo" / "shoplint.yml"  # the demo's checkout flows
DEMO_BROWSER_FLOW = DEMO_CONFIG.with_name("browser_flow.yml")  # added when Chromium is there


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line naming the problem, exit 2 (argparse's default prints usage too)."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="shoplint", description=__doc__)
    parser.add_argument("--version", action="version", version=f"shoplint {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run_cmd = commands.add_parser("run", help="crawl a shop, check it, report, apply the gate")
    run_cmd.add_argument("url", metavar="URL", help="the shop's start URL")
    run_cmd.add_argument("--config", help=f"config file (default: ./{DEFAULT_CONFIG_FILE} if any)")
    _add_run_options(run_cmd)
    run_cmd.add_argument("--db", type=db_location, help=DB_HELP)
    run_cmd.add_argument(
        "--max-pages", type=_count, help="stop after this many HTML pages (0: no limit)"
    )
    run_cmd.add_argument(
        "--internal-only",
        action="store_true",
        default=None,
        help="make no request outside the site (external links are listed, not checked)",
    )
    run_cmd.add_argument(
        "--resume", action="store_true", help="continue the last interrupted run of URL"
    )
    run_cmd.add_argument(
        "--keep-runs", type=_count, help="runs of URL kept in the store (default 30; 0: all)"
    )
    shared = run_cmd.add_argument_group("a crawl shared with workers (README: Past one machine)")
    shared.add_argument(
        "--frontier",
        metavar="redis://HOST:PORT/DB",
        help="coordinate a crawl shared over this Redis with `shoplint worker`s",
    )
    shared.add_argument(
        "--no-crawl",
        action="store_true",
        help="with --frontier: only seed and coordinate; the workers fetch",
    )
    _add_gate_options(run_cmd)

    worker_cmd = commands.add_parser(
        "worker", help="join the crawl a Redis holds (`run --frontier`), until it ends"
    )
    worker_cmd.add_argument("frontier", metavar="redis://HOST:PORT/DB")
    worker_cmd.add_argument(
        "--db",
        type=db_location,
        help="the run store as this machine reaches it (default: $SHOPLINT_DB, else"
        " the coordinator's)",
    )
    worker_cmd.add_argument(
        "--stay", action="store_true", help="after a crawl ends, wait for the next one"
    )
    worker_cmd.add_argument(
        "--wait",
        type=_count,
        default=60,
        metavar="SECONDS",
        help="how long to wait for a crawl to join (default 60; with --stay: for ever)",
    )

    gate_cmd = commands.add_parser(
        "gate", help="apply the release gate to a stored run again, without crawling"
    )
    gate_cmd.add_argument(
        "url", nargs="?", metavar="URL", help="the latest run of this start URL (default: any)"
    )
    gate_cmd.add_argument("--run", type=_count, metavar="ID", help="this stored run instead")
    gate_cmd.add_argument("--config", help=f"config file (default: ./{DEFAULT_CONFIG_FILE} if any)")
    gate_cmd.add_argument("--db", type=db_location, help=DB_HELP)
    _add_run_options(gate_cmd)
    _add_gate_options(gate_cmd)

    accept_cmd = commands.add_parser(
        "accept", help="accept findings in the baseline: the gate stops counting them"
    )
    accept_cmd.add_argument(
        "fingerprints", nargs="+", metavar="FINGERPRINT", help="from findings.json (6+ chars)"
    )
    accept_cmd.add_argument("--reason", required=True, help="why the finding may stay")
    accept_cmd.add_argument("--by", required=True, help="who accepts it")
    accept_cmd.add_argument(
        "--until", type=_date, help="YYYY-MM-DD: the last day it counts as accepted"
    )
    accept_cmd.add_argument("--baseline", help="baseline file (default: gate.baseline)")
    accept_cmd.add_argument(
        "--config", help=f"config file (default: ./{DEFAULT_CONFIG_FILE} if any)"
    )
    accept_cmd.add_argument("--db", type=db_location, help=DB_HELP)

    owners_cmd = commands.add_parser("owners", help="explain which team gets a page's findings")
    owners_cmd.add_argument("url", metavar="URL", help="a page of the shop")
    owners_cmd.add_argument(
        "--config", help=f"config file (default: ./{DEFAULT_CONFIG_FILE} if any)"
    )

    demo_cmd = commands.add_parser("demo", help="run shoplint against the bundled demo shop")
    _add_run_options(demo_cmd)
    demo_cmd.add_argument(
        "--serve", action="store_true", help="only serve the demo shop, until Ctrl-C"
    )
    demo_cmd.add_argument(
        "--language", choices=LANGUAGES, help="the report's language (default: en)"
    )

    checkout_cmd = commands.add_parser(
        "checkout", help="walk the config's checkout flows now, print each step (nothing stored)"
    )
    checkout_cmd.add_argument("url", metavar="URL", help="the shop (flow paths resolve against it)")
    checkout_cmd.add_argument(
        "--config", help=f"config file (default: ./{DEFAULT_CONFIG_FILE} if any)"
    )

    checks_cmd = commands.add_parser("checks", help="list the rules, or explain one")
    checks_cmd.add_argument("code", nargs="?", metavar="CODE", help="a rule code, e.g. LNK001")
    checks_cmd.add_argument(
        "--config", help=f"config file, for report.language (default: ./{DEFAULT_CONFIG_FILE})"
    )
    checks_cmd.add_argument(
        "--language", choices=LANGUAGES, help="explain in this language (default: report.language)"
    )

    notify_cmd = commands.add_parser(
        "notify", help="send (or print) the notifications of a stored run again"
    )
    notify_cmd.add_argument(
        "--run", type=_count, metavar="ID", help="this run (default: the latest)"
    )
    notify_cmd.add_argument(
        "--config", help=f"config file (default: ./{DEFAULT_CONFIG_FILE} if any)"
    )
    notify_cmd.add_argument("--db", type=db_location, help=DB_HELP)
    notify_cmd.add_argument(
        "--dry-run", action="store_true", help="print the mails and chat messages, send nothing"
    )

    init_cmd = commands.add_parser("init", help="write a commented starter shoplint.yml")
    init_cmd.add_argument("path", nargs="?", default=DEFAULT_CONFIG_FILE)
    init_cmd.add_argument("--force", action="store_true", help="overwrite an existing file")

    db_cmd = commands.add_parser("db", help="the run store: make or upgrade its schema, copy it")
    db_commands = db_cmd.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    upgrade_cmd = db_commands.add_parser(
        "upgrade", help="make the store's schema, or bring it up to this shoplint's"
    )
    upgrade_cmd.add_argument("--db", type=db_location, help=DB_HELP)
    copy_cmd = db_commands.add_parser(
        "copy", help="copy every run and the history kept across runs into an empty store"
    )
    copy_cmd.add_argument("source", metavar="SRC", type=db_location, help="the store to copy")
    copy_cmd.add_argument("target", metavar="DST", type=db_location, help="an empty store")
    for command in (upgrade_cmd, copy_cmd):
        command.add_argument(
            "--config",
            help=f"config file, for store.password_env (default: ./{DEFAULT_CONFIG_FILE})",
        )
    spelling_command.add_parser(commands, _Parser)
    return parser


def _add_run_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--out", help="report folder (default: report.out, shoplint-report)")
    command.add_argument(
        "--today",
        help="judge outdated content against this date, YYYY-MM-DD "
        "(default: $SHOPLINT_TODAY, else the real date)",
    )


def _add_gate_options(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("release gate (default: the config's gate section)")
    group.add_argument("--gate", choices=[p.value for p in GatePolicy], help="the policy")
    group.add_argument(
        "--gate-severity",
        choices=[s.value for s in Severity],
        help="the least severe finding that counts (policies errors and new)",
    )
    group.add_argument(
        "--max-per-rule",
        action="append",
        type=_maximum,
        metavar="CODE=N",
        help="findings allowed of a rule (CODE or * for the others); repeatable",
    )
    group.add_argument("--baseline", help="accepted findings file (default: gate.baseline)")
    group.add_argument(
        "--compare-with",
        metavar="RUN",
        help="what new means: previous, none, a run id or a start URL (default: previous)",
    )


def _gate_overrides(args: argparse.Namespace, config: Config) -> dict[str, object]:
    maxima = dict(args.max_per_rule) if args.max_per_rule else None
    return {
        "policy": args.gate,
        "severity": args.gate_severity,
        "max_per_rule": {**config.gate.max_per_rule, **maxima} if maxima else None,
        "baseline": args.baseline,
        "compare_with": args.compare_with,
    }


def _maximum(value: str) -> tuple[str, int]:
    code, _, count = value.partition("=")
    if not code or not count.isdigit():
        raise argparse.ArgumentTypeError(f"expected CODE=N, e.g. LNK001=0, got {value!r}")
    return code.strip().upper(), int(count)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value!r}")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        commands = {
            "run": cmd_run,
            "worker": cmd_worker,
            "gate": cmd_gate,
            "accept": cmd_accept,
            "owners": cmd_owners,
            "checkout": cmd_checkout,
            "demo": cmd_demo,
            "checks": cmd_checks,
            "notify": cmd_notify,
            "init": cmd_init,
            "db": cmd_db,
            "spelling": spelling_command.cmd_spelling,
        }
        return commands[args.command](args)
    except ShoplintError as exc:
        print(f"shoplint: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # a second Ctrl-C: the run stays resumable with --resume
        print("shoplint: interrupted", file=sys.stderr)
        return CrawlError.exit_code
    except Exception as exc:  # never exit 1, the gate's code, nor with a bare traceback
        detail = str(exc).strip().splitlines()
        name = type(exc).__name__ + (f": {detail[0][:200]}" if detail else "")
        print(f"shoplint: unexpected error: {name}", file=sys.stderr)
        return CrawlError.exit_code


def cmd_run(args: argparse.Namespace) -> int:
    # Scrapy before the check families: its TLS module's deprecation shims walk the import
    # stack, scanning every module loaded for each frame (0.1 s with the checks loaded).
    import crawler.process  # noqa: F401
    from shoplint.runner import Shared, run

    config = load_config(args.config)
    config = config.with_overrides(
        {
            "report": {"out": args.out},
            "store": {"path": args.db, "keep_runs": args.keep_runs},
            "crawl": {"max_pages": args.max_pages, "internal_only": args.internal_only},
            "gate": _gate_overrides(args, config),
        }
    )
    shared = None
    if args.frontier:
        from shoplint.distributed import frontier_url

        shared = Shared(frontier_url(args.frontier), crawl_here=not args.no_crawl)
    elif args.no_crawl:
        raise ConfigError("--no-crawl: only with --frontier (the workers then fetch)")
    outcome = run(args.url, config, _today(args.today), resume=args.resume, shared=shared)
    _print_outcome(outcome)
    _notify(outcome, config)
    return _exit_code(outcome, outcome.exit_code)


def cmd_worker(args: argparse.Namespace) -> int:
    from shoplint.distributed import work

    return work(args.frontier, args.db, args.stay, args.wait)


def cmd_gate(args: argparse.Namespace) -> int:
    from shoplint.gating import gate

    config = load_config(args.config)
    config = config.with_overrides(
        {
            "report": {"out": args.out},
            "store": {"path": args.db},
            "gate": _gate_overrides(args, config),
        }
    )
    outcome = gate(config, _today(args.today), url=args.url, run_id=args.run)
    _print_outcome(outcome)
    return outcome.exit_code


def cmd_accept(args: argparse.Namespace) -> int:
    from reports.baseline import accept
    from store import open_store, shown, store_exists

    config = load_config(args.config).with_overrides({"store": {"path": args.db}})
    baseline = args.baseline or config.gate.baseline
    today = _today(None)
    if args.until is not None and args.until < today:
        raise ConfigError(f"--until: {args.until} has passed already")
    for prefix in args.fingerprints:
        if len(prefix) < 6:
            raise ConfigError(f"FINGERPRINT {prefix}: too short (6 characters at least)")
    where, password_env = config.store.path, config.store.password_env
    if not store_exists(where, password_env):
        raise ConfigError(f"--db {shown(where)}: no run store there to look findings up in")
    store = open_store(where, password_env)
    try:
        found = {prefix: store.finding_by_fingerprint(prefix) for prefix in args.fingerprints}
    finally:
        store.close()
    for prefix, matches in found.items():
        if len(matches) != 1:
            problem = "matches several findings" if matches else "matches no stored finding"
            raise ConfigError(f"FINGERPRINT {prefix}: {problem}")
    for (finding,) in found.values():
        accept(baseline, finding, args.reason, args.by, args.until, today)
        until = f" until {args.until}" if args.until else ""
        print(f"Accepted {finding.fingerprint} ({finding.code} on {finding.url}){until}.")
    print(f"Baseline: {baseline} (review and commit it)")
    return 0


def cmd_owners(args: argparse.Namespace) -> int:
    from reports.owners import Router

    config = load_config(args.config)
    print("\n".join(Router(config.owners).explain(args.url, config.teams)))
    return 0


def cmd_checkout(args: argparse.Namespace) -> int:
    from shoplint.runner import checkout

    """Exit 0 when every flow got as far as meant and found no error, 1 when not, 3 when
    the site did not answer at all."""
    results = checkout(args.url, load_config(args.config), _today(None))
    for result in results:
        print("\n".join(_flow_lines(result.outcome)))
    findings = [f for result in results for f in result.findings]
    if findings:
        print(f"\nFindings ({len(findings)}):")
    for f in findings:
        print(f"  {f.severity.value:<8} {f.code}  {f.url}\n    {f.message}")
        if f.evidence:
            print(f"    {f.evidence}")
    outcomes = [result.outcome for result in results]
    if all(o.steps[0].http_status is None for o in outcomes):
        print(f"shoplint: {args.url} did not answer", file=sys.stderr)
        return CrawlError.exit_code
    failed = not all(o.end.reached_end for o in outcomes)
    return 1 if failed or any(f.severity is Severity.ERROR for f in findings) else 0


def _flow_lines(flow: FlowOutcome) -> list[str]:
    """A flow as printed: a headline, then one line per step with its status and time."""
    lines = [f"Checkout flow {flow.name!r}: {flow.end.value}, {flow.total_ms:,} ms"]
    for step in flow.steps:
        status = str(step.http_status or "")
        ms = f"{step.ms:,} ms" if step.ms is not None else ""
        where = step.url or ""
        line = f"  {step.status.value.upper():<12} {step.name:<20} {status:>3} {ms:>9}  {where}"
        lines.append(line.rstrip())
        if step.note:
            lines.append(f"  {'':<12} {step.note}")
    return lines


def cmd_demo(args: argparse.Namespace) -> int:
    from shoplint.demo import DemoShop
    from shoplint.runner import run

    today = _today(args.today)
    with DemoShop(today=today) as shop:
        if args.serve:
            print(f"The demo shop is open at {shop.url} (Ctrl-C closes it)", flush=True)
            _wait_for_interrupt()
            return 0
        out = args.out or "shoplint-report"
        rendering = _demo_rendering()
        config = load_config(DEMO_CONFIG).with_overrides(
            {
                "report": {"out": out, "language": args.language},
                "store": {"path": str(Path(out) / "shoplint.db")},
                "crawl": {"internal_only": True, "render": rendering},
            }
        )
        if rendering != "never":
            config = _with_browser_flow(config)
        outcome = run(shop.url, config, today)
    _print_outcome(outcome)
    return _exit_code(outcome, 0 if outcome.problem is None else outcome.exit_code)


def _with_browser_flow(config: Config) -> Config:
    """The demo's configuration with its checkout flow in the browser added."""
    import yaml

    data = config.model_dump()
    flow = yaml.safe_load(DEMO_BROWSER_FLOW.read_text(encoding="utf-8"))
    return parse_config({**data, "checkout": [*data["checkout"], flow]}, str(DEMO_BROWSER_FLOW))


def _demo_rendering() -> str:
    """The demo's assortment app is rendered in Chromium when there is one (crawl.render:
    auto), and its checkout walked in it too; without, the demo says what it leaves out."""
    from crawler.config import CrawlConfig
    from crawler.render_decision import ready_to_render

    try:
        ready_to_render(CrawlConfig(render="auto"))
    except ConfigError:
        print(
            "demo: no Chromium (or no shoplint[render]): the assortment app, which only a"
            " browser shows, is crawled as plain HTML and its defects are not found, and the"
            " checkout flow in the browser (shoplint/demo/browser_flow.yml) is left out",
            file=sys.stderr,
        )
        return "never"
    return "auto"


def cmd_checks(args: argparse.Namespace) -> int:
    """The rules in the report's language; codes, families, teams and option names, which
    the configuration uses, stay as they are."""
    t = translator(args.language or load_config(args.config).report.language)
    if args.code is None:
        for rule in sorted(REGISTRY.values(), key=lambda r: r.code):
            print(
                f"{rule.code}  {rule.family:<10} {t.severity(rule.severity):<12}"
                f" {rule.team:<17} {t.rule_name(rule)}"
            )
        return 0
    rule = REGISTRY.get(args.code.upper())
    if rule is None:
        raise ConfigError(f"CODE: unknown rule code {args.code!r} (`shoplint checks` lists them)")
    about = t.gettext("%(family)s; %(severity)s; owner %(team)s") % {
        "family": rule.family,
        "severity": t.severity(rule.severity),
        "team": rule.team,
    }
    print(f"{rule.code} {t.rule_name(rule)} ({about})")
    print(f"\n{t.summary(rule)}\n\n{textwrap.fill(t.explanation(rule), 88)}")
    if rule.options:
        where = f"checks: {{{rule.code}: {{options: ...}}}}"
        print("\n" + t.gettext("Options (in shoplint.yml: %(where)s):") % {"where": where})
        for name, option in rule.options.items():
            doc = t.gettext(option.doc) if option.doc else ""
            print(f"  {name}: {option.default!r}")
            print(f"      {option.type_text}" + (f": {doc}" if doc else ""))
    return 0


def cmd_notify(args: argparse.Namespace) -> int:
    """A failed delivery is a warning line and never an exit code: the run is not at fault."""
    from shoplint.notifying import notify_stored_run

    config = load_config(args.config).with_overrides({"store": {"path": args.db}})
    for line in notify_stored_run(config, _today(None), args.run, dry_run=args.dry_run):
        print(line)
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from shoplint import db_command

    config = load_config(args.config)
    if args.db_command == "upgrade":
        config = config.with_overrides({"store": {"path": args.db}})
        print(db_command.upgrade(config.store.path, config.store.password_env))
    else:
        print(db_command.copy(args.source, args.target, config.store.password_env))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.exists() and not args.force:
        raise ConfigError(f"{path}: exists already (--force overwrites it)")
    try:
        path.write_text(files("shoplint").joinpath("starter.yml").read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the config file ({exc.strerror})") from None
    print(f"Wrote {path}: every option with its default, commented.")
    return 0


def _today(option: str | None) -> date:
    source, value = (
        ("--today", option) if option else ("SHOPLINT_TODAY", os.environ.get("SHOPLINT_TODAY"))
    )
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{source}: expected a date as YYYY-MM-DD, got {value!r}") from None


def _print_outcome(outcome: RunOutcome) -> None:
    report, run_info = outcome.report, outcome.run
    since = ""
    if report.compared is not None:
        new = sum(1 for f in report.findings if f.new)
        since = f" ({new} new, {len(report.fixed)} fixed since run {report.compared.id})"
    print(
        f"Run {run_info.id} of {run_info.start_url}: {run_info.status.value},"
        f" {run_info.counters.get('pages', 0)} pages, {len(report.findings)} findings{since}."
    )
    if outcome.problem:
        print(f"shoplint: {outcome.problem}", file=sys.stderr)
    else:
        print("\n".join(outcome.gate.summary()))
    print(f"Report: {(outcome.report_dir / 'index.html').resolve()}")


def _notify(outcome: RunOutcome, config: Config) -> None:
    """After the reports: warnings to stderr, never an exit code of their own."""
    from shoplint.notifying import notify_after_run

    for line in notify_after_run(outcome.report, config):
        print(line, file=sys.stderr if line.startswith("shoplint: warning") else sys.stdout)


def _exit_code(outcome: RunOutcome, code: int) -> int:
    """`code`; at once, when a phase of the run was abandoned: its thread may wait for an
    answer for hours, and the interpreter would wait for it (or its DNS look-ups) at exit."""
    if outcome.abandoned:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _wait_for_interrupt() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
