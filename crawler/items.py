"""What the spider yields: plain records for the item pipeline to store."""

from __future__ import annotations

from dataclasses import dataclass

from shoplint.model import Fetch, Reference, SitemapEntry


@dataclass(frozen=True, slots=True)
class CrawledUrl:
    """One fetched URL, with the references found on it when it is a parsed page."""

    fetch: Fetch
    refs: tuple[Reference, ...] = ()


@dataclass(frozen=True, slots=True)
class SitemapUrls:
    entries: tuple[SitemapEntry, ...]
