"""The stored crawl as site rules see it, read-only: every fetch by URL, redirect chains
walked in memory, and the references and sitemap entries streamed from the store; and the
caches kept across runs, the only things a site rule may write (each through its own
role): the external links' answers and spelling's searches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property

from ground.model import Fetch, Reference, RefKind, SitemapEntry, walk_redirects
from store import LinkCache, RunReader, SpellingCache


class SiteView:
    def __init__(
        self,
        run: RunReader,
        run_id: int,
        start_url: str,
        link_cache: LinkCache,
        spelling_cache: SpellingCache,
    ):
        self._run = run
        self.run_id = run_id
        self.start_url = start_url
        self.link_cache = link_cache  # external answers across runs (checks/external.py)
        self.spelling_cache = spelling_cache  # searches across runs (checks/spelling/)

    @cached_property
    def fetches(self) -> dict[str, Fetch]:
        return {f.url: f for f in self._run.fetches(self.run_id)}

    def references(
        self,
        kinds: Iterable[RefKind] | None = None,
        sources: Iterable[str] | None = None,
        targets: Iterable[str] | None = None,
    ) -> Iterator[Reference]:
        """Of `kinds`, and on the pages `sources` or to the addresses `targets`, only, when
        given: a rule that needs a few pages' references does not read the whole site's
        (see RunReader.references)."""
        return self._run.references(self.run_id, kinds, sources, targets)

    def linking_pages(self, kinds: Iterable[RefKind]) -> Iterator[tuple[str, str, str]]:
        """(target, least source, greatest source) by address linked (RunReader)."""
        return self._run.linking_pages(self.run_id, kinds)

    def sitemap_entries(self) -> Iterator[SitemapEntry]:
        return self._run.sitemap_entries(self.run_id)

    def chain(self, url: str, max_hops: int = 50) -> list[Fetch]:
        return walk_redirects(self.fetches.get, url, max_hops)


def site_path(url: str, origin: str) -> str:
    """The site's own addresses as paths (shorter evidence), others as they are."""
    return url[len(origin) :] if url.startswith(origin + "/") else url


def chain_text(chain: list[Fetch], origin: str) -> str:
    """`/old/ 301 → /new/ 404`: a redirect chain as evidence, the site's own addresses as
    paths; a chain that stops on a redirect (a loop, or off the site) names where it went."""
    hops = [f"{site_path(f.url, origin)} {f.status or f.error or f.outcome}" for f in chain]
    if chain and chain[-1].redirect_to is not None:
        hops.append(site_path(chain[-1].redirect_to, origin))
    return " → ".join(hops)
