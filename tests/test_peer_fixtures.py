"""shoplint against the test fixtures of lychee, linkinator and LinkChecker: each link's
verdict as the peer's own tests state it (tests/peer_cases.yml), for one real crawl of all
the fixtures served on 127.0.0.1 (scripts/peer_fixtures.py serves, crawls and judges; run it
to see every case). Each case is asserted, and shoplint must agree with the peers on at
least 98% of the cases it means to agree on.

The fixtures live beside the repository (../shared/peer-fixtures/): without them the module
is skipped, except in CI, where that fails."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from conftest import RUN_TIMEOUT

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "peer_fixtures.py"
MIN_AGREEMENT = 0.98


def _script():
    spec = importlib.util.spec_from_file_location("peer_fixtures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


peer = _script()
PEERS = peer.load()


@pytest.fixture(scope="module")
def fixtures() -> Path:
    if not peer.FIXTURES.is_dir():
        message = f"the peers' fixtures are missing: {peer.FIXTURES}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return peer.FIXTURES


@pytest.fixture(scope="module")
def found(fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Case id -> shoplint's verdict, from one crawl of every site."""
    with peer.serve(PEERS) as served:
        db = peer.crawl(served, tmp_path_factory.mktemp("peers"), timeout=RUN_TIMEOUT)
        return peer.verdicts(served, PEERS, db)


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason=case.gap)] if case.gap else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in PEERS.cases])
def test_shoplint_judges_the_link_as_meant(case, found):
    verdict = found[case.id]
    meant = case.expected if case.expected == case.peer_verdict else f"{case.expected} ({case.why})"
    assert peer.as_expected(case, verdict), (
        f"{case.peer} says {case.peer_verdict}; shoplint should say {meant}, says {verdict}"
    )


def test_shoplint_agrees_with_the_peers(found):
    agreed, counted = peer.agreement(PEERS.cases, found)
    differing = [
        f"  {case.id}: {case.peer} {case.peer_verdict}, shoplint {found[case.id]}"
        for case in PEERS.cases
        if case.counted and not peer.agrees(case, found[case.id])
    ]
    assert agreed / counted >= MIN_AGREEMENT, (
        f"shoplint agrees with the peers on {agreed} of {counted} cases "
        f"({agreed / counted:.1%}, at least {MIN_AGREEMENT:.0%} needed); differing:\n"
        + "\n".join(differing)
    )


def test_every_site_serves_fixtures_that_exist(fixtures):
    """A renamed fixture would otherwise show as links shoplint did not read."""
    missing = [
        f"{name}: {path}"
        for name, site in PEERS.sites.items()
        for path in peer.fixture_paths(site)
        if not (fixtures / path).exists()
    ]
    assert not missing, f"not in {fixtures}: {missing}"


def test_each_left_out_case_names_its_peer_and_why():
    peers = {site["peer"] for site in PEERS.sites.values()}
    for line in PEERS.left_out:
        name, _, why = line.partition(":")
        assert name.split()[0].lower() in peers and why.strip(), line
