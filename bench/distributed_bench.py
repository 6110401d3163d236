#!/usr/bin/env python3
"""Distributed crawl benchmark: the synthetic shop crawled by one process on SQLite, and by
1, 2 and 4 processes sharing the crawl over Redis with the run kept in PostgreSQL.

One bench run:
  1. serves the synthetic shop from its own process (as crawl_bench does) and starts a
     throwaway PostgreSQL (tests/services.py; a fresh database per measured run);
  2. for each setup: a fresh redis-server, the `shoplint worker`s started first (they wait
     for the coordinator's announcement), then the coordinator, `shoplint run --frontier`,
     measured from outside as crawl_bench measures a tool (bench/measure.py);
  3. adds what a shared crawl costs: every process's peak RSS and CPU, Redis commands and
     PostgreSQL rows and bytes per page, the CPU of Redis and PostgreSQL themselves;
  4. prints a Markdown table and writes bench/results/distributed-latest.json.

    python bench/distributed_bench.py --repeat 3        # 5,000 pages, every setup
    python bench/distributed_bench.py --quick           # 500 pages, smoke run
    python bench/distributed_bench.py --only sqlite,shared-2

See bench/README.md ("Distributed benchmark"). All traffic stays on 127.0.0.1; every child
is bounded by a timeout and killed with its process group.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "tests"))  # services.py: throwaway Redis and PostgreSQL

import crawl_bench  # noqa: E402
from measure import NOISY_CORES, TreeSampler, clean_env, run_child, start_sampled  # noqa: E402
from runs import (  # noqa: E402
    RESULTS,
    RunOptions,
    add_run_options,
    noise_warnings,
    run_header,
    run_median,
    source_line,
    write_results,
)
from services import (  # noqa: E402
    Postgres,
    new_database,
    postgres_server,
    redis_server,
    wait_until_connected,
)
from site_server import SiteServer  # noqa: E402
from tools import CONCURRENCY, shoplint_unavailable, tool_command, venv_bin  # noqa: E402

READY_SECONDS = 120  # for the workers to start and reach Redis
WORKER_EXIT_SECONDS = 120  # for a worker to end once its coordinator has
TARGET_SPEEDUP = 1.6  # issue 13: 2 processes >= 1.6x one process's pages/s, checks on
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Setup:
    """One way of crawling the shop."""

    name: str
    processes: int  # the coordinator and processes - 1 workers
    shared: bool  # Redis frontier + PostgreSQL store; else one process on SQLite
    check_workers: int | None  # crawl.check_workers (None: shoplint's default, 1 on 2 cores)


SETUPS = (
    Setup("sqlite", 1, False, None),
    Setup("shared-1", 1, True, None),
    Setup("shared-2", 2, True, None),
    Setup("shared-4", 4, True, None),
    Setup("sqlite-cw0", 1, False, 0),
    Setup("shared-1-cw0", 1, True, 0),
    Setup("shared-2-cw0", 2, True, 0),
)
# (more processes, fewer) whose pages/s ratio the report states, and the target
SPEEDUPS = (
    ("shared-2", "shared-1", TARGET_SPEEDUP),
    ("shared-2-cw0", "shared-1-cw0", TARGET_SPEEDUP),  # checks on, in the crawling process
    ("shared-4", "shared-1", None),
    ("shared-1", "sqlite", None),
    ("shared-1-cw0", "sqlite-cw0", None),
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    names = [s.name for s in SETUPS]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=None, help="shop size (default 5000)")
    ap.add_argument("--quick", action="store_true", help="500 pages")
    ap.add_argument("--only", default=",".join(names), help="comma list of " + ",".join(names))
    add_run_options(ap, repeat=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--links", choices=("normal", "dense"), default="normal")
    ap.add_argument(
        "--concurrency",
        type=int,
        default=CONCURRENCY,
        help=f"crawl.concurrency: requests in parallel per shop host (default {CONCURRENCY})",
    )
    ap.add_argument(
        "--pin-server",
        type=int,
        metavar="CPU",
        help="pin the shop server to this CPU (sched_setaffinity, as taskset -p does)",
    )
    ap.add_argument("--out", default=str(RESULTS / "distributed-latest.json"))
    args = ap.parse_args(argv)
    args.pages = args.pages or (500 if args.quick else 5000)
    args.no_sitemap = False  # crawl_bench.shop_server's option: the shop names its sitemap
    wanted = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        ap.error(f"unknown setup(s) {unknown}; choose from {names}")
    args.setups = [s for s in SETUPS if s.name in wanted]
    return args


def shoplint_location() -> str:
    """Where the measured shoplint is imported from (PYTHONPATH may name a snapshot of the
    tree, which other people's edits do not break mid-run)."""
    code = "import shoplint; print(shoplint.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(), timeout=60
    )
    return str(Path(done.stdout.strip()).parent.parent) if done.returncode == 0 else "unknown"


def config_file(setup: Setup, work: Path, concurrency: int) -> Path:
    """The setup's shoplint.yml: the concurrency per shop host, every check on (the
    default)."""
    crawl: dict[str, Any] = {"concurrency": concurrency}
    if setup.check_workers is not None:
        crawl["check_workers"] = setup.check_workers
    path = work / f"{setup.name}.yml"
    path.write_text(json.dumps({"crawl": crawl}))  # JSON is YAML
    return path


def sqlite_counts(db: Path, pages: int) -> dict[str, Any]:
    """Rows of each table of the run's (fresh) SQLite store, and its size on disk, journal
    files included; per page too."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    return {
        "rows": rows,
        "rows_per_page": round(sum(rows.values()) / pages, 1) if pages else None,
        "bytes": size,
        "bytes_per_page": round(size / pages) if pages else None,
    }


# -- the CPU of the services -----------------------------------------------------------------


def _stat_cpu_s(pid: int, reaped: bool) -> float:
    """A process's CPU seconds; with `reaped`, those of the children it waited for too."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = [int(x) for x in fields[11 : 15 if reaped else 13]]  # utime stime [cutime cstime]
    return sum(ticks) / CLOCK_TICKS


def postgres_cpu_s(server: Postgres) -> float:
    """CPU seconds of the PostgreSQL server: the postmaster, its live backends and every
    backend that has ended (a backend lives as long as its connection)."""
    postmaster = int((server.datadir / "postmaster.pid").read_text().split()[0])
    try:
        with open(f"/proc/{postmaster}/task/{postmaster}/children") as f:
            backends = [int(x) for x in f.read().split()]
    except OSError:
        backends = []
    return _stat_cpu_s(postmaster, True) + sum(_stat_cpu_s(b, True) for b in backends)


# -- the workers ------------------------------------------------------------------------------


@dataclass
class Worker:
    proc: subprocess.Popen[bytes]
    log: Path
    sampler: TreeSampler
    exit_code: int | None = None
    timed_out: bool = False
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0

    def wait(self, deadline: float) -> None:
        """Reaps the worker (its process group killed after `deadline`), with its CPU and
        peak RSS (its check worker included)."""
        while time.monotonic() < deadline:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.1)
        else:
            self.timed_out = True
            self.kill()
            pid, status, usage = os.wait4(self.proc.pid, 0)
        self.sampler.stop()
        self.exit_code = self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.kill()  # anything it left running
        self.cpu_s = usage.ru_utime + usage.ru_stime
        self.peak_rss_mb = max(usage.ru_maxrss, self.sampler.peak_kb) / 1024

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def pages(self) -> int | None:
        """The pages it crawled, as its last line says ("worker: 812 pages, ...")."""
        found = re.findall(r"worker: (\d+) pages", self.log.read_text(errors="replace"))
        return int(found[-1]) if found else None

    def report(self) -> dict[str, Any]:
        return {
            "exit_code": self.exit_code,
            "timed_out": self.timed_out,
            "pages": self.pages(),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "cpu_s": round(self.cpu_s, 2),
            "rss_timeline_mb": self.sampler.timeline,
            "log": str(self.log),
        }


def start_worker(redis_url: str, db: str, log: Path, cwd: Path) -> Worker:
    cmd = [venv_bin("shoplint"), "worker", redis_url, "--db", db, "--wait", str(READY_SECONDS)]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        out.write(("$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        proc, sampler = start_sampled(cmd, out, cwd)
    return Worker(proc, log, sampler)


@contextlib.contextmanager
def started_workers(count: int, redis_url: str, db: str, log: Path, cwd: Path) -> Iterator[list]:
    workers: list[Worker] = []
    try:
        for k in range(count):
            worker_log = log.with_name(f"{log.stem}-worker{k + 1}.log")
            workers.append(start_worker(redis_url, db, worker_log, cwd))
        yield workers
    finally:
        for worker in workers:
            if worker.exit_code is None:
                worker.kill()
                worker.wait(time.monotonic())


# -- what the services saw --------------------------------------------------------------------


def redis_counts(client: Any, cpu_before: float, pages: int) -> dict[str, Any]:
    """Commands since CONFIG RESETSTAT (those run by Lua scripts counted too, as Redis counts
    them), by command; Redis's CPU and peak memory."""
    stats, memory, cpu = client.info("stats"), client.info("memory"), client.info("cpu")
    by_command = {
        name.removeprefix("cmdstat_"): value["calls"]
        for name, value in client.info("commandstats").items()
    }
    commands = stats["total_commands_processed"]
    cpu_s = cpu["used_cpu_user"] + cpu["used_cpu_sys"] - cpu_before
    return {
        "commands": commands,
        "commands_per_page": round(commands / pages, 1) if pages else None,
        "by_command": dict(sorted(by_command.items(), key=lambda kv: -kv[1])),
        "peak_memory_mb": round(memory["used_memory_peak"] / 2**20, 1),
        "cpu_s": round(cpu_s, 2),
        "cpu_ms_per_page": round(cpu_s * 1000 / pages, 3) if pages else None,
    }


def postgres_counts(url: str, empty_bytes: int, pages: int) -> dict[str, Any]:
    """Rows and bytes of each table of the run's (fresh) database, per page too."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # settles the visibility map: sizes as a reader sees
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        rows, sizes = {}, {}
        for table in tables:
            rows[table] = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            sizes[table] = conn.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()[0]
        database = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    total_rows, total_bytes = sum(rows.values()), sum(sizes.values())
    return {
        "rows": rows,
        "rows_per_page": round(total_rows / pages, 1) if pages else None,
        "table_bytes": sizes,
        "bytes": total_bytes,
        "bytes_per_page": round(total_bytes / pages) if pages else None,
        "database_growth_bytes": database - empty_bytes,
    }


def database_size(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def drop_database(server: Postgres, url: str) -> None:
    import psycopg

    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


# -- one measured run of a setup --------------------------------------------------------------


class Trials:
    """Measured runs of the setups (runs.run_median's `measured`), sharing one PostgreSQL."""

    def __init__(self, postgres: Postgres | None):
        self.postgres = postgres
        self.databases = 0

    def measure(
        self,
        setup: Setup,
        name: str,
        cmd: list[str],
        server: SiteServer,
        timeout: float,
        log: Path,
        cwd: Path,
    ) -> dict[str, Any]:
        """One run of `setup` (runs.run_median's `measured`: `name` is the setup's)."""
        if not setup.shared:
            result = run_child(setup.name, cmd, server, timeout, log, cwd)
            db = Path(cmd[cmd.index("--db") + 1])
            result["store"] = sqlite_counts(db, result["pages_fetched"])
            return whole_setup(setup, result, [])
        assert self.postgres is not None
        self.databases += 1
        db = new_database(self.postgres, f"bench_{self.databases}")
        try:
            return self._shared(setup, cmd, server, timeout, log, cwd, db)
        finally:
            drop_database(self.postgres, db)

    def _shared(
        self,
        setup: Setup,
        cmd: list[str],
        server: SiteServer,
        timeout: float,
        log: Path,
        cwd: Path,
        db: str,
    ) -> dict[str, Any]:
        assert self.postgres is not None
        cmd = list(cmd)
        cmd[cmd.index("--db") + 1] = db
        empty = database_size(db)
        with redis_server(cwd / "redis") as redis:
            cmd += ["--frontier", redis.url]
            client = _redis_client(redis.url)
            with started_workers(setup.processes - 1, redis.url, db, log, cwd) as workers:
                wait_until_connected(client, [w.proc for w in workers], READY_SECONDS)
                client.config_resetstat()
                redis_cpu = _redis_cpu(client)
                pg_cpu = postgres_cpu_s(self.postgres)
                result = run_child(setup.name, cmd, server, timeout, log, cwd)
                deadline = time.monotonic() + WORKER_EXIT_SECONDS
                for worker in workers:
                    worker.wait(deadline)
                pages = result["pages_fetched"]
                result["redis"] = redis_counts(client, redis_cpu, pages)
                result["postgres_cpu_s"] = round(postgres_cpu_s(self.postgres) - pg_cpu, 2)
            client.close()
        result["store"] = postgres_counts(db, empty, pages)
        return whole_setup(setup, result, workers)


def whole_setup(setup: Setup, result: dict[str, Any], workers: list[Worker]) -> dict[str, Any]:
    """The setup's numbers over the coordinator's: every process's RSS and CPU, and the
    machine's other load without the workers' and the services' CPU."""
    services = result.get("postgres_cpu_s", 0.0) + result.get("redis", {}).get("cpu_s", 0.0)
    workers_cpu = sum(w.cpu_s for w in workers)
    other = max(result["other_cpu_s"] - workers_cpu - services, 0.0)
    wall = result["wall_s"]
    result.update(
        setup=asdict(setup),
        workers=[w.report() for w in workers],
        coordinator_rss_mb=result["peak_rss_mb"],
        coordinator_cpu_s=round(result["cpu_user_s"] + result["cpu_sys_s"], 2),
        cpu_all_s=round(result["cpu_user_s"] + result["cpu_sys_s"] + workers_cpu, 2),
        services_cpu_s=round(services, 2),
        other_cpu_s=round(other, 2),
        other_cores=round(other / wall, 2) if wall else 0.0,
        refetched=result["server"]["html_gets"] - result["server"]["html_distinct"],
    )
    return result


def _redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def _redis_cpu(client: Any) -> float:
    cpu = client.info("cpu")
    return cpu["used_cpu_user"] + cpu["used_cpu_sys"]


# -- the report -------------------------------------------------------------------------------


def speedups(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pages/s ratios of SPEEDUPS that this run measured."""
    by_name = {r["tool"]: r for r in results}
    return [
        {
            "pair": f"{more}/{fewer}",
            "ratio": round(by_name[more]["pages_per_s"] / by_name[fewer]["pages_per_s"], 2),
            "target": target,
        }
        for more, fewer, target in SPEEDUPS
        if more in by_name and fewer in by_name and by_name[fewer]["pages_per_s"]
    ]


def format_table(results: list[dict[str, Any]]) -> str:
    """One row per setup: speed, traffic, memory and CPU of its processes."""
    lines = [
        "| setup | processes | check workers | pages / N | wall s | pages/s | requests | "
        "peak RSS MB: coordinator; workers | CPU s (cores busy) | shop server CPU s |",
        "|" + "---|" * 10,
    ]
    for r in results:
        setup = r["setup"]
        flag = "" if r["complete"] else " **INCOMPLETE**"
        codes = [r["exit_code"]] + [w["exit_code"] for w in r["workers"]]
        if any(code not in (0, 1) for code in codes) or r["refetched"]:
            flag += f" (exits {codes}, {r['refetched']} pages fetched twice)"
        workers = ", ".join(f"{w['peak_rss_mb']:.0f}" for w in r["workers"]) or "-"
        cw = "default (1)" if setup["check_workers"] is None else str(setup["check_workers"])
        lines.append(
            f"| {setup['name']} | {setup['processes']} | {cw} | "
            f"{r['pages_fetched']} / {r['pages_expected']}{flag} | {r['wall_s']:.1f} | "
            f"{r['pages_per_s']:.1f} | {r['requests']} | "
            f"{r['coordinator_rss_mb']:.0f}; {workers} | "
            f"{r['cpu_all_s']:.0f} ({r['cpu_all_s'] / r['wall_s']:.2f}) | "
            f"{r['server_cpu_s']:.1f} |"
        )
    return "\n".join(lines)


def format_costs(results: list[dict[str, Any]]) -> str:
    """One row per setup: what the store (and Redis, when shared) took per page."""
    lines = [
        "| setup | pages by process | shoplint CPU ms/page | Redis commands/page | "
        "Redis CPU ms/page | Redis peak MB | store rows/page | store KB/page | "
        "PostgreSQL CPU ms/page |",
        "|" + "---|" * 9,
    ]
    for r in results:
        pages, store = r["pages_fetched"], r["store"]
        shares = [w["pages"] for w in r["workers"]]
        if all(n is not None for n in shares):
            shares.insert(0, pages - sum(shares))
        redis = r.get("redis")
        pg_ms = f"{r['postgres_cpu_s'] * 1000 / pages:.2f}" if redis and pages else "-"
        lines.append(
            f"| {r['tool']} | {', '.join(map(str, shares)) if r['workers'] else pages} | "
            f"{r['cpu_all_s'] * 1000 / pages:.1f} | "
            f"{redis['commands_per_page'] if redis else '-'} | "
            f"{redis['cpu_ms_per_page'] if redis else '-'} | "
            f"{redis['peak_memory_mb'] if redis else '-'} | "
            f"{store.get('rows_per_page', '-')} | {(store['bytes_per_page'] or 0) / 1024:.1f} | "
            f"{pg_ms} |"
        )
    return "\n".join(lines)


def print_report(out: dict[str, Any], out_path: str) -> None:
    print()
    print(
        f"### Distributed benchmark: {out['pages']}-page synthetic shop, concurrency "
        f"{out['concurrency']} per shop host, {os.cpu_count()} CPUs, median of {out['repeat']}"
    )
    print(f"\n{source_line(out)}; shoplint imported from {out['shoplint_tree']}\n")
    print(format_table(out["results"]))
    print()
    print(format_costs(out["results"]))
    print()
    for speedup in out["speedups"]:
        ratio, target = speedup["ratio"], speedup["target"]
        verdict = ""
        if target is not None:
            verdict = f" ({'OK' if ratio >= target else 'below'}: target >= {target})"
        print(f"- pages/s {speedup['pair']}: {ratio:.2f}x{verdict}")
    for r in out["results"]:
        if r["server_cpu_s"] > 0.5 * r["wall_s"]:
            print(f"- WARNING: the shop server was busy {r['server_cpu_s']:.0f}s of "
                  f"{r['wall_s']:.0f}s during {r['tool']}: it may be the bottleneck")  # fmt: skip
    for line in noise_warnings(out["results"]):
        print(line)
    print(f"\nraw numbers: {out_path}; logs: {RESULTS / 'logs'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # a SIGTERM unwinds: the servers and children started here are stopped on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    why = shoplint_unavailable()
    if why:
        print(f"shoplint cannot run: {why}", file=sys.stderr)
        return 1
    RESULTS.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {
        **run_header(),
        "pages": args.pages,
        "links": args.links,
        "seed": args.seed,
        "concurrency": args.concurrency,
        "repeat": args.repeat,
        "shoplint_tree": shoplint_location(),
        "pinned_server_cpu": args.pin_server,
        "noisy_cores": NOISY_CORES,
    }
    opts = RunOptions.from_args(args)
    print(f"building + serving a {args.pages}-page shop ...", file=sys.stderr, flush=True)
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(crawl_bench.shop_server(args.pages, args))
        if args.pin_server is not None:
            os.sched_setaffinity(server.proc.pid, {args.pin_server})
        postgres = None
        if any(s.shared for s in args.setups):
            postgres = stack.enter_context(postgres_server())
        trials = Trials(postgres)
        results = []
        for setup in args.setups:

            def command(work: Path, setup: Setup = setup) -> list[str]:
                config = str(config_file(setup, work, args.concurrency))
                return tool_command("shoplint", server.url, server.n_pages, work, config)

            measured = functools.partial(trials.measure, setup)
            results.append(run_median(setup.name, command, server, opts, "distributed", measured))
    out["results"] = results
    out["speedups"] = speedups(results)
    out["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    default_out = Path(args.out).resolve() == (RESULTS / "distributed-latest.json").resolve()
    history = f"distributed-{{stamp}}-{args.pages}.json" if default_out else None
    write_results(out, Path(args.out), history)
    print_report(out, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
