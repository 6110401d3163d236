"""One fixture site with every family's seeded defects (tests/defect_sites/), crawled once:
each family finds exactly its seeded defects, and nothing on its clean pages."""

from __future__ import annotations

import importlib
import json
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from conftest import CRAWLED, RUN_TIMEOUT, StoreReader, shoplint_command, subprocess_env
from fixture_server import FixtureServer, html_page, resource

SITES_DIR = Path(__file__).parent / "defect_sites"
FAMILIES = sorted(path.stem for path in SITES_DIR.glob("*.py"))


def _site(family: str) -> ModuleType:
    return importlib.import_module(f"defect_sites.{family}")


def _sitemap(origin: str, paths: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{origin}{path}</loc></url>" for path in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[dict]]:
    tmp = tmp_path_factory.mktemp("defect-site")
    store = StoreReader(tmp / "shoplint.db", tmp / "report")
    sites = [_site(family) for family in FAMILIES]
    routes: dict = {"/": html_page(links=[f"/{family}/" for family in FAMILIES], lang="en")}
    for site in sites:
        routes.update(site.ROUTES)
    with FixtureServer(routes) as server:
        sitemap = [path for site in sites for path in getattr(site, "SITEMAP", [])]
        server.routes["/sitemap.xml"] = resource(_sitemap(server.origin, sitemap), "text/xml")
        (tmp / "shoplint.yml").write_text("crawl: {autothrottle: false, retries: 0}\n")
        proc = subprocess.run(
            shoplint_command(
                "run", server.url, "--db", str(store.db), "--out", str(store.out),
                "--internal-only", "--config", str(tmp / "shoplint.yml"),
            ),
            cwd=tmp, env=subprocess_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT,
        )  # fmt: skip
        assert proc.returncode in CRAWLED, proc.stderr
        origin = server.origin
    return origin, store.findings_json()["findings"]


def test_the_site_seeds_at_least_thirty_defects():
    assert sum(len(_site(family).EXPECTED) for family in FAMILIES) >= 30


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_finds_exactly_its_seeded_defects(crawl, family):
    origin, findings = crawl
    site = _site(family)
    own_pages = {url for _, url, _ in site.EXPECTED} | set(site.CLEAN)

    def path(url: str | None) -> str | None:
        return url.removeprefix(origin) if url else None

    got = sorted(
        (f["code"], path(f["url"]), path(f["target"]))
        for f in findings
        if f["check"] == family
        and (path(f["url"]).startswith(f"/{family}/") or path(f["url"]) in own_pages)
    )
    unexpected = [f for f in got if f not in site.EXPECTED]
    missed = [f for f in site.EXPECTED if f not in got]
    assert not unexpected and not missed, json.dumps(
        {"unexpected": unexpected, "missed": missed}, indent=1
    )
    clean_hits = [f for f in got if f[1] in site.CLEAN]
    assert not clean_hits
