"""Configuration errors stop `shoplint run` with exit 2 and one line naming the key, before
anything is crawled or written; `shoplint init` writes the defaults."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import CRAWLED, subprocess_env
from fixture_server import FixtureServer, html_page

from ground.errors import ConfigError
from shoplint.config import Config, load_config

NOWHERE = "http://127.0.0.1:9/"  # never contacted: every case here fails before the crawl


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("crawl:\n  concurency: 4\n", ["crawl.concurency", "unknown key"]),
        ("crawl:\n  concurrency: fast\n", ["crawl.concurrency", "'fast'"]),
        ("crawl:\n  concurrency: 0\n", ["crawl.concurrency", "greater than or equal to 1"]),
        ("crawl: {obey_robots: maybe}\n", ["crawl.obey_robots", "'maybe'"]),
        ("crawl: {max_pages: 1.5}\n", ["crawl.max_pages"]),
        ("crawl: {drop_params: utm_*}\n", ["crawl.drop_params", "list"]),
        ("site: {hosts: 5}\n", ["site.hosts"]),
        (
            "crawl: {render_ignore_hosts: ['https://cdn.example/']}\n",
            ["crawl.render_ignore_hosts", "not a host name: 'https://cdn.example/'"],
        ),
        ("crawl: {render_block_hosts: chat.example}\n", ["crawl.render_block_hosts", "list"]),
        ("crawl: {render_wait_for: '#app ['}\n", ["crawl.render_wait_for", "not a CSS selector"]),
        ("crawler:\n  concurrency: 4\n", ["crawler", "unknown key"]),
        ("crawl:\n  concurrency: 4\n   bad: [\n", ["line 3"]),  # malformed YAML
        ("crawl: [unclosed\n", ["line 2"]),
        ("- crawl\n- store\n", ["top level", "mapping"]),
        ("just a string\n", ["top level"]),
    ],
    ids=[
        "unknown-key",
        "wrong-type",
        "out-of-range",
        "not-a-bool",
        "not-an-int",
        "not-a-list",
        "hosts-not-a-list",
        "render-host-not-a-host",
        "render-hosts-not-a-list",
        "render-wait-not-a-selector",
        "unknown-section",
        "bad-yaml-indent",
        "bad-yaml-unclosed",
        "top-level-list",
        "top-level-string",
    ],
)
def test_bad_config_exits_2_naming_the_key(tmp_path, run_shoplint, store_reader, text, named):
    config = tmp_path / "shoplint-bad.yml"
    config.write_text(text, encoding="utf-8")
    proc, _ = run_shoplint(NOWHERE, "--config", str(config))

    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert line.startswith("shoplint: ")
    assert str(config) in line
    for words in named:
        assert words in line
    assert "Traceback" not in proc.stderr
    assert not store_reader.db.exists()  # stopped before opening the store
    assert not store_reader.out.exists()


def test_missing_config_file_exits_2_naming_it(tmp_path, run_shoplint):
    proc, _ = run_shoplint(NOWHERE, "--config", str(tmp_path / "nope.yml"))
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert "nope.yml" in line
    assert "cannot read" in line


def test_shoplint_yml_in_the_working_folder_is_read(tmp_path, run_shoplint):
    (tmp_path / "shoplint.yml").write_text("crawl:\n  concurency: 4\n", encoding="utf-8")
    proc, _ = run_shoplint(NOWHERE)  # no --config: ./shoplint.yml applies
    assert proc.returncode == 2
    assert "shoplint.yml: crawl.concurency: unknown key" in one_line(proc.stderr)


def test_config_file_settings_reach_the_crawl(run_shoplint):
    """A valid file is not only accepted but obeyed (here: exclude and robots)."""
    robots = "User-agent: *\nDisallow: /shop/\n"
    routes = {
        "/": html_page(links=["/shop/", "/account/"]),
        "/shop/": html_page("s"),
        "/robots.txt": robots,
    }
    with FixtureServer(routes) as site:
        config = {"crawl": {"obey_robots": False, "exclude": ["*/account/*"], "retries": 0}}
        proc, store = run_shoplint(site.url, config=config)
        assert proc.returncode in CRAWLED, proc.stderr
    assert site.hits["/shop/"] == 1
    assert site.hits["/account/"] == 0


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--today", "2026-13-45"], "--today"),
        (["--today", "gisteren"], "--today"),
        (["--max-pages", "-1"], "--max-pages"),
        (["--max-pages", "abc"], "--max-pages"),
        (["--frobnicate"], "--frobnicate"),
    ],
)
def test_bad_option_exits_2_naming_it(run_shoplint, store_reader, args, named):
    proc, _ = run_shoplint(NOWHERE, *args)
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert named in line
    assert not store_reader.db.exists()


def test_bad_shoplint_today_environment_variable_exits_2(tmp_path, run_args):
    env = {**subprocess_env(), "SHOPLINT_TODAY": "2026-02-30"}
    proc = subprocess.run(
        run_args(NOWHERE), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "SHOPLINT_TODAY" in one_line(proc.stderr) and "2026-02-30" in one_line(proc.stderr)


def test_today_is_stored_with_the_run(run_shoplint):
    with FixtureServer({"/": html_page("home")}) as site:
        proc, store = run_shoplint(
            site.url, "--today", "2026-12-24", config={"crawl": {"retries": 0}}
        )
    assert proc.returncode in CRAWLED, proc.stderr
    assert store.run()["today"] == "2026-12-24"
    assert store.findings_json()["run"]["today"] == "2026-12-24"


# -- shoplint init --------------------------------------------------------------------------


def test_init_writes_the_defaults(tmp_path, shoplint_cli):
    proc = shoplint_cli("init")
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "shoplint.yml"
    assert load_config(path) == Config()
    assert "shoplint.yml" in proc.stdout
    # every section and key of the configuration is in the file, so users can see them
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert written == Config().model_dump(mode="json")


def test_init_to_a_named_path(tmp_path, shoplint_cli):
    target = tmp_path / "other.yml"
    assert shoplint_cli("init", str(target)).returncode == 0
    assert load_config(target) == Config()
    assert not (tmp_path / "shoplint.yml").exists()


def test_init_into_a_missing_folder_exits_2_in_one_line(tmp_path, shoplint_cli):
    proc = shoplint_cli("init", "no-such-folder/shop.yml")
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert "no-such-folder/shop.yml" in line
    assert "Traceback" not in proc.stderr


def test_init_refuses_to_overwrite_without_force(tmp_path, shoplint_cli):
    path: Path = tmp_path / "shoplint.yml"
    path.write_text("crawl: {concurrency: 3}\n", encoding="utf-8")

    proc = shoplint_cli("init")
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert "shoplint.yml" in line
    assert "--force" in line
    assert path.read_text(encoding="utf-8") == "crawl: {concurrency: 3}\n"

    proc = shoplint_cli("init", "--force")
    assert proc.returncode == 0, proc.stderr
    assert load_config(path) == Config()


# -- load_config, in-process ----------------------------------------------------------------


def test_empty_config_file_is_the_defaults(tmp_path):
    path = tmp_path / "empty.yml"
    path.write_text("# nothing set\n", encoding="utf-8")
    assert load_config(path) == Config()


def test_partial_config_keeps_other_defaults(tmp_path):
    path = tmp_path / "partial.yml"
    path.write_text("crawl:\n  concurrency: 3\nsite:\n  hosts: [img.shop.nl]\n")
    config = load_config(path)
    assert config.crawl.concurrency == 3
    assert config.site.hosts == ["img.shop.nl"]
    assert config.crawl.download_timeout == Config().crawl.download_timeout
    assert config.store == Config().store


def test_command_line_overrides_are_validated():
    with pytest.raises(ConfigError, match="crawl.max_pages"):
        Config().with_overrides({"crawl": {"max_pages": -5}})
    assert Config().with_overrides({"crawl": {"max_pages": None}}) == Config()
    assert Config().with_overrides({"crawl": {"max_pages": 7}}).crawl.max_pages == 7


def test_config_digest_changes_with_the_configuration():
    assert Config().digest() == Config().digest()
    assert Config().digest() != Config().with_overrides({"crawl": {"max_pages": 7}}).digest()
