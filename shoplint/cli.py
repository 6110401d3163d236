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
from typing import NoReturn

from shoplint import __version__
from shoplint.config import DEFAULT_CONFIG_FILE, Config, load_config
from shoplint.errors import ConfigError, CrawlError, ShoplintError
from shoplint.runner import RunOutcome, run

EXIT_USAGE = 2


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
    run_cmd.add_argument("--db", help="run store file (default: store.path, shoplint.db)")
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

    demo_cmd = commands.add_parser("demo", help="run shoplint against the bundled demo shop")
    _add_run_options(demo_cmd)
    demo_cmd.add_argument(
        "--serve", action="store_true", help="only serve the demo shop, until Ctrl-C"
    )

    checks_cmd = commands.add_parser("checks", help="list the rules, or explain one")
    checks_cmd.add_argument("code", nargs="?", metavar="CODE", help="a rule code, e.g. LNK001")

    init_cmd = commands.add_parser("init", help="write a commented starter shoplint.yml")
    init_cmd.add_argument("path", nargs="?", default=DEFAULT_CONFIG_FILE)
    init_cmd.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def _add_run_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--out", help="report folder (default: report.out, shoplint-report)")
    command.add_argument(
        "--today",
        help="judge outdated content against this date, YYYY-MM-DD "
        "(default: $SHOPLINT_TODAY, else the real date)",
    )


def _count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value!r}")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        commands = {"run": cmd_run, "demo": cmd_demo, "checks": cmd_checks, "init": cmd_init}
        return commands[args.command](args)
    except ShoplintError as exc:
        print(f"shoplint: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # after the crawl: the run stays resumable with --resume
        print("shoplint: interrupted", file=sys.stderr)
        return CrawlError.exit_code


def cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config).with_overrides(
        {
            "report": {"out": args.out},
            "store": {"path": args.db},
            "crawl": {"max_pages": args.max_pages, "internal_only": args.internal_only},
        }
    )
    outcome = run(args.url, config, _today(args.today), resume=args.resume)
    _print_outcome(outcome)
    return outcome.exit_code


def cmd_demo(args: argparse.Namespace) -> int:
    from shoplint.demo import DemoShop

    today = _today(args.today)
    with DemoShop(today=today) as shop:
        if args.serve:
            print(f"The demo shop is open at {shop.url} (Ctrl-C closes it)", flush=True)
            _wait_for_interrupt()
            return 0
        out = args.out or "shoplint-report"
        config = Config().with_overrides(
            {
                "report": {"out": out},
                "store": {"path": str(Path(out) / "shoplint.db")},
                "crawl": {"internal_only": True},
            }
        )
        outcome = run(shop.url, config, today)
    _print_outcome(outcome)
    return 0 if outcome.problem is None else outcome.exit_code


def cmd_checks(args: argparse.Namespace) -> int:
    from checks import REGISTRY

    if args.code is None:
        for rule in sorted(REGISTRY.values(), key=lambda r: r.code):
            print(
                f"{rule.code}  {rule.family:<10} {rule.severity.value:<8} {rule.owner:<17}"
                f" {rule.name}"
            )
        return 0
    rule = REGISTRY.get(args.code.upper())
    if rule is None:
        raise ConfigError(f"CODE: unknown rule code {args.code!r} (`shoplint checks` lists them)")
    print(f"{rule.code} {rule.name} ({rule.family}; {rule.severity.value}; owner {rule.owner})")
    print(f"\n{rule.summary}\n\n{textwrap.fill(rule.explanation, 88)}")
    if rule.options:
        print(f"\nOptions (in shoplint.yml: checks: {{{rule.code}: {{options: ...}}}}):")
        for name, default in rule.options.items():
            print(f"  {name}: {default!r}")
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
    run_info = outcome.run
    print(
        f"Run {run_info.id} of {run_info.start_url}: {run_info.status.value},"
        f" {run_info.counters.get('pages', 0)} pages, {len(outcome.findings)} findings."
    )
    print(f"Report: {(outcome.report_dir / 'index.html').resolve()}")
    if outcome.problem:
        print(f"shoplint: {outcome.problem}", file=sys.stderr)
    elif outcome.gate.passed:
        print("Release gate: passed.")
    else:
        print("Release gate: FAILED")
        for reason in outcome.gate.reasons:
            print(f"  {reason}")


def _wait_for_interrupt() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
