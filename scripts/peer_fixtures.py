"""The test fixtures of three established link checkers (lychee, linkinator, LinkChecker, in
../shared/peer-fixtures/) served as sites on 127.0.0.1, crawled by shoplint, and shoplint's
verdict for every link compared with the one the peer's own tests state. The cases are data
(tests/peer_cases.yml, which says how a site is served); tests/test_peer_fixtures.py asserts
them, this script prints them for a human.

    python scripts/peer_fixtures.py            # crawl; print each case and both verdicts
    python scripts/peer_fixtures.py --serve    # only serve the sites; prints the hub's URL
"""

from __future__ import annotations

import argparse
import mimetypes
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "peer-fixtures"
CASES = ROOT / "tests" / "peer_cases.yml"
HUB = "hub"  # the page key of a site's cases that the hub page links to

sys.path.insert(0, str(ROOT / "tests"))  # the suite's own test server

from fixture_server import FixtureServer, PerMethod, Reply, closed_port  # noqa: E402

# shoplint's rule codes, grouped into the verdicts the peers give
VERDICT_CODES = {
    "malformed": frozenset({"LNK007"}),
    "broken": frozenset({"LNK001", "LNK002", "LNK005", "LNK008", "IMG001", "IMG002", "IMG003"}),
    "missing-fragment": frozenset({"LNK006"}),
    "unverified": frozenset({"LNK009", "LNK010", "PAG013"}),
}
_ADDRESS_CODES = frozenset({"PAG013"})  # said of the link's target itself, on no page
VERDICTS = ("ok", "skip", *VERDICT_CODES)
_NOT_READ = frozenset({"not read", "skip"})  # what a peer's "skip" is in shoplint's terms
_TEXT_TYPES = ("text/", "application/xhtml+xml")
_LISTING = b"<html><title>Dummy directory listing</title><body></body></html>"


@dataclass(frozen=True)
class Case:
    site: str
    peer: str
    page: str  # a path of the site, or HUB
    href: str  # as written in the page
    peer_verdict: str
    expected: str  # shoplint's verdict: the peer's unless `why` says why not
    why: str | None = None  # shoplint means to differ: the case is outside the agreement count
    gap: str | None = None  # shoplint should agree and does not yet

    @property
    def id(self) -> str:
        return f"{self.site} {self.page} {self.href}"

    @property
    def counted(self) -> bool:
        """In the agreement count: every case but those where shoplint means to differ."""
        return self.why is None


@dataclass(frozen=True)
class Peers:
    sites: dict[str, dict[str, Any]]
    cases: tuple[Case, ...]
    left_out: tuple[str, ...]


def load(path: Path = CASES) -> Peers:
    """The sites and cases of tests/peer_cases.yml, checked for what a typo would break."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for name, site in data["sites"].items():
        for page, links in site.get("pages", {}).items():
            for href, verdict in links.items():
                cases.append(_case(name, site["peer"], page, href, verdict))
    left_out = tuple(data.get("left_out", ()))
    return Peers(data["sites"], tuple(cases), left_out)


def _case(site: str, peer: str, page: str, href: str, verdict: str | dict[str, str]) -> Case:
    if isinstance(verdict, str):
        verdict = {"peer": verdict}
    where = f"{CASES.name}: {site} {page} {href}"
    if set(verdict) - {"peer", "shoplint", "why", "gap"} or "peer" not in verdict:
        raise ValueError(f"{where}: a verdict is a word, {{peer, shoplint, why}} or {{peer, gap}}")
    if ("shoplint" in verdict) != ("why" in verdict) or "gap" in verdict and "why" in verdict:
        raise ValueError(f"{where}: a verdict unlike the peer's needs a why (and is no gap)")
    peer_verdict = verdict["peer"]
    expected = verdict.get("shoplint", peer_verdict)
    for value in (peer_verdict, expected):
        if value not in VERDICTS:
            raise ValueError(f"{where}: unknown verdict {value!r}")
    why, gap = verdict.get("why"), verdict.get("gap")
    return Case(site, peer, page, href, peer_verdict, expected, why, gap)


# -- serving ----------------------------------------------------------------------------


class _SiteRoutes:
    """A FixtureServer route table for one site: the peer test's own replies first, then
    its fixture folders, served as a plain static web server serves them."""

    def __init__(self, spec: Mapping[str, Any], rename: _Renamer):
        self.rename = rename
        replies = spec.get("replies", {})
        self.replies = {path: _Replies(value, rename) for path, value in replies.items()}
        self.mounts = sorted(
            ((prefix, FIXTURES / folder) for prefix, folder in spec.get("mount", {}).items()),
            key=lambda mount: -len(mount[0]),
        )
        self.clean_urls = bool(spec.get("clean_urls"))
        self.listing = bool(spec.get("listing"))
        self.status_paths = spec.get("status_paths")

    def __call__(self, target: str) -> Reply | PerMethod | None:
        path = unquote(urlsplit(target).path)
        if path in self.replies:
            return self.replies[path].next()
        if self.status_paths and path.startswith(self.status_paths):
            code = path.removeprefix(self.status_paths)
            if code.isdigit():
                return _status_reply(int(code))
        for prefix, folder in self.mounts:
            if path.startswith(prefix):
                return self._file(folder, path, path.removeprefix(prefix))
        return None

    def _file(self, folder: Path, path: str, rest: str) -> Reply | None:
        file = (folder / rest).resolve()
        if not file.is_relative_to(folder.resolve()):
            return None
        if file.is_dir():
            if not path.endswith("/"):
                return Reply(301, b"", {"Location": quote(path + "/")})
            if (file / "index.html").is_file():
                file = file / "index.html"
            elif self.listing:
                return Reply(200, _LISTING, {"Content-Type": "text/html"})
            else:
                return None
        if not file.is_file() and self.clean_urls:
            pretty = (file.with_name(file.name + ext) for ext in (".html", ".htm"))
            file = next((f for f in pretty if f.is_file()), file)
        return self._serve(file) if file.is_file() else None

    def _serve(self, file: Path) -> Reply:
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        body = file.read_bytes()
        if content_type.startswith(_TEXT_TYPES):
            body = self.rename.bytes(body)
        return Reply(200, body, {"Content-Type": content_type})


class _Replies:
    """A reply of peer_cases.yml: the same one every time, or a sequence (`then`) whose last
    reply repeats; a `head` status for HEAD requests."""

    def __init__(self, spec: int | Mapping[str, Any], rename: _Renamer):
        spec = _reply_spec(spec)
        then = [_reply_spec(later) for later in spec.get("then", ())]
        self.sequence = [self._reply(one, rename) for one in (spec, *then)]
        self._served = 0
        self._lock = threading.Lock()

    @staticmethod
    def _reply(spec: Mapping[str, Any], rename: _Renamer) -> Reply | PerMethod:
        headers = {name: str(value) for name, value in spec.get("headers", {}).items()}
        if "location" in spec:
            headers["Location"] = rename.text(spec["location"])
        body = spec.get("body", "").encode()
        if "file" in spec:
            body = (FIXTURES / spec["file"]).read_bytes()
        if "type" in spec:
            headers["Content-Type"] = spec["type"]
            body = rename.bytes(body) if spec["type"].startswith(_TEXT_TYPES) else body
        reply = Reply(spec.get("status", 200), body, headers)
        return PerMethod({"HEAD": Reply(spec["head"], b"", {})}, reply) if "head" in spec else reply

    def next(self) -> Reply | PerMethod:
        with self._lock:
            reply = self.sequence[min(self._served, len(self.sequence) - 1)]
            self._served += 1
        return reply


def _reply_spec(spec: int | Mapping[str, Any]) -> Mapping[str, Any]:
    return {"status": spec} if isinstance(spec, int) else spec


def fixture_paths(site: Mapping[str, Any]) -> list[str]:
    """The folders and files under FIXTURES a site serves."""
    replies = [*site.get("replies", {}).values()]
    for host in site.get("hosts", {}).values():
        replies += host.get("replies", {}).values()
    files = [reply["file"] for reply in replies if isinstance(reply, dict) and "file" in reply]
    return [*site.get("mount", {}).values(), *files]


def _status_reply(status: int) -> Reply:
    """LinkChecker's test server: /status/N answers N, with a body where one may be sent."""
    body = b"testcontent" if status >= 200 and status not in (204, 304) else b""
    return Reply(status, body, {})


class _Renamer:
    """Puts the local server of each mocked host (example.invalid, ...) where the host's
    name stands in a URL: `//example.invalid/x` -> `//127.0.0.1:PORT/x`."""

    def __init__(self, netlocs: Mapping[str, str]):
        self.netlocs = dict(netlocs)
        names = "|".join(re.escape(name) for name in sorted(netlocs, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<=//)({names})(?![\w.:-])") if names else None
        self._bytes = re.compile(self._pattern.pattern.encode()) if self._pattern else None

    def text(self, value: str) -> str:
        return self._pattern.sub(lambda m: self.netlocs[m[1]], value) if self._pattern else value

    def bytes(self, value: bytes) -> bytes:
        if not self._bytes:
            return value
        return self._bytes.sub(lambda m: self.netlocs[m[1].decode()].encode(), value)


@dataclass
class ServedSite:
    name: str
    origin: str
    rename: _Renamer
    start: list[str]
    netlocs: list[str]  # the site's hosts: its own and its mocked ones

    def page_url(self, page: str, hub_url: str) -> str:
        return hub_url if page == HUB else self.origin + page

    def raw(self, case: Case) -> str:
        """The href as it stands in the served page."""
        return self.origin + case.href if case.page == HUB else self.rename.text(case.href)


@dataclass
class Served:
    hub_url: str
    sites: dict[str, ServedSite]
    servers: list[FixtureServer]

    def hosts(self) -> list[str]:
        return [netloc for site in self.sites.values() for netloc in site.netlocs]

    def hits(self, url: str) -> int:
        """Requests any of the servers got for `url`'s path (and query)."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return sum(s.hits[target] for s in self.servers if f"127.0.0.1:{s.port}" == parts.netloc)


@contextmanager
def serve(peers: Peers) -> Iterator[Served]:
    """Every site on its own port (their links are root-relative), each mocked host on
    another, and a hub page linking to every site's start pages."""
    with ExitStack() as stack:
        servers: list[FixtureServer] = []

        def start(routes: Any) -> FixtureServer:
            server = stack.enter_context(FixtureServer(routes))
            servers.append(server)
            return server

        hub = start({})
        sites = {}
        for name, spec in peers.sites.items():
            netlocs = {}
            for host, mock in spec.get("hosts", {}).items():
                if mock.get("refuse"):
                    netlocs[host] = f"127.0.0.1:{closed_port()}"
                else:
                    server = start(_SiteRoutes(mock, _Renamer({})))
                    netlocs[host] = f"127.0.0.1:{server.port}"
            rename = _Renamer(netlocs)
            server = start(_SiteRoutes(spec, rename))
            hub_links = [c.href for c in peers.cases if c.site == name and c.page == HUB]
            sites[name] = ServedSite(
                name,
                server.origin,
                rename,
                [*spec.get("start", ["/"]), *hub_links],
                [f"127.0.0.1:{server.port}", *netlocs.values()],
            )
        links = "".join(
            f'<a href="{escape(site.origin + path)}">{escape(site.name)}</a>\n'
            for site in sites.values()
            for path in site.start
        )
        hub.routes = {"/": f"<!DOCTYPE html><title>Peer fixtures</title>\n{links}"}
        yield Served(hub.url, sites, servers)


# -- crawling and judging -----------------------------------------------------------------


def config(served: Served) -> dict[str, Any]:
    """A small, fast crawl: every site and mocked host is the site; nothing is throttled."""
    return {
        "site": {"hosts": served.hosts()},
        "crawl": {"autothrottle": False, "download_timeout": 10},
        "report": {"formats": []},
        "store": {"keep_runs": 0},
    }


def crawl(served: Served, workdir: Path, timeout: float = 120) -> Path:
    """`shoplint run HUB --internal-only` into workdir; returns the store."""
    db, config_file = workdir / "shoplint.db", workdir / "peers.yml"
    config_file.write_text(yaml.safe_dump(config(served)), encoding="utf-8")
    command = [sys.executable, "-m", "shoplint", "run", served.hub_url, "--internal-only"]
    command += ["--db", str(db), "--out", str(workdir / "report"), "--config", str(config_file)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPLINT_")}
    done = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode not in (0, 1):  # 1: the release gate failed, as it should here
        raise RuntimeError(f"shoplint run exited {done.returncode}:\n{done.stderr[-3000:]}")
    return db


@dataclass(frozen=True)
class _Ref:
    kind: str
    raw: str
    url: str | None
    target: str | None


def verdicts(served: Served, peers: Peers, db: Path) -> dict[str, str]:
    """Case id -> shoplint's verdict, read from the store of the crawl."""
    with sqlite3.connect(db) as conn:
        run_id = conn.execute("SELECT max(id) FROM runs").fetchone()[0]
        refs: dict[str, list[_Ref]] = defaultdict(list)
        for source, *ref in conn.execute(
            "SELECT source, kind, raw, url, target FROM refs WHERE run_id = ?", (run_id,)
        ):
            refs[source].append(_Ref(*ref))
        rows = conn.execute("SELECT url FROM fetches WHERE run_id = ?", (run_id,))
        fetched = {url for (url,) in rows}
        codes: dict[tuple[str, str], set[str]] = defaultdict(set)
        for code, url, target in conn.execute(
            "SELECT code, url, target FROM findings WHERE run_id = ?", (run_id,)
        ):
            codes[url, target or ""].add(code)
    judge = _Judge(served, refs, fetched, codes)
    return {case.id: judge(case) for case in peers.cases}


class _Judge:
    """shoplint's verdict on a case: what the crawl read on the page, fetched, and found."""

    def __init__(
        self,
        served: Served,
        refs: Mapping[str, list[_Ref]],
        fetched: set[str],
        codes: Mapping[tuple[str, str], set[str]],
    ):
        self.served = served
        self.refs = refs
        self.fetched = fetched
        self.codes = codes

    def __call__(self, case: Case) -> str:
        site = self.served.sites[case.site]
        page = site.page_url(case.page, self.served.hub_url)
        raw = site.raw(case)
        if raw.endswith("..."):
            found = [r for r in self.refs[page] if r.raw.strip().startswith(raw[:-3])]
        else:
            found = [r for r in self.refs[page] if r.raw.strip() == raw]
        if not found:
            return "not read" if not self._requested(page, raw) else "requested, not read"
        labels = {self._label(page, ref) for ref in found}
        return labels.pop() if len(labels) == 1 else " + ".join(sorted(labels))

    def _label(self, page: str, ref: _Ref) -> str:
        found = self.codes.get((ref.target or "", ""), set()) & _ADDRESS_CODES
        for target in {ref.raw.strip(), ref.url, (ref.url or "").partition("#")[0]} - {None, ""}:
            found = found | self.codes.get((page, target), set())
        for verdict, codes in VERDICT_CODES.items():
            if found & codes:
                return verdict
        if ref.target is None:
            return "skip"
        return "ok" if ref.target in self.fetched else "not fetched"

    def _requested(self, page: str, raw: str) -> bool:
        url = urljoin(page, raw)
        return url.startswith("http") and self.served.hits(url) > 0


def agrees(case: Case, verdict: str) -> bool:
    return verdict == case.peer_verdict or (case.peer_verdict == "skip" and verdict in _NOT_READ)


def as_expected(case: Case, verdict: str) -> bool:
    return verdict == case.expected or (case.expected == "skip" and verdict in _NOT_READ)


def surprising(case: Case, verdict: str) -> bool:
    """Not as meant, or a gap that is one no longer."""
    return as_expected(case, verdict) == bool(case.gap)


def agreement(cases: Iterable[Case], found: Mapping[str, str]) -> tuple[int, int]:
    """(cases agreeing with the peer, cases counted): those where shoplint means to differ
    are not counted."""
    counted = [case for case in cases if case.counted]
    return sum(agrees(case, found[case.id]) for case in counted), len(counted)


def _mark(case: Case, verdict: str) -> str:
    if agrees(case, verdict):
        return "agree"
    if case.why:
        return "differ by design" if as_expected(case, verdict) else "DIFFER, not as meant"
    return "DIFFER (a gap)" if case.gap else "DIFFER"


def report(peers: Peers, found: Mapping[str, str]) -> int:
    """Prints every case and the agreement per peer; 1 when a case is not as expected."""
    for case in peers.cases:
        verdict = found[case.id]
        mark, shown = _mark(case, verdict), case.id[:100]
        print(f"{mark:20} {shown:100}  peer: {case.peer_verdict:16} shoplint: {verdict}")
    print()
    for peer in ("all", *sorted({c.peer for c in peers.cases})):
        cases = [c for c in peers.cases if peer in ("all", c.peer)]
        agreed, counted = agreement(cases, found)
        left = sum(line.lower().startswith(peer) for line in peers.left_out)
        left_text = f", {left} lines of left-out cases" if peer != "all" else ""
        print(
            f"{peer:11} {agreed}/{counted} agree ({agreed / counted:.1%}); "
            f"{len(cases) - counted} differ by design{left_text}"
        )
    return 1 if any(surprising(c, found[c.id]) for c in peers.cases) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="only serve the sites")
    args = parser.parse_args(argv)
    if not FIXTURES.is_dir():
        print(f"peer_fixtures: {FIXTURES} is missing", file=sys.stderr)
        return 2
    peers = load()
    with serve(peers) as served:
        if args.serve:
            print(f"Serving the peers' fixtures: {served.hub_url} (Ctrl-C stops)")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return 0
        with tempfile.TemporaryDirectory(prefix="peer-fixtures-") as tmp:
            found = verdicts(served, peers, crawl(served, Path(tmp)))
    return report(peers, found)


if __name__ == "__main__":
    sys.exit(main())
