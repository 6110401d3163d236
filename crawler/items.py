"""What the spider yields: plain records for the item pipeline to store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ground.model import Fetch, Finding, Reference, SitemapEntry


@dataclass(frozen=True, slots=True)
class CrawledUrl:
    """One fetched URL, with the references found on it when it is a parsed page.

    `doc` is the parsed tree and `body` the bytes it was parsed from (in `encoding`),
    handed to the page checks and dropped before storing; `findings` are what the page
    checks found on it. `again`: a page stored before in this run, read plainly, now
    rendered: it replaces that record, its references and findings."""

    fetch: Fetch
    refs: tuple[Reference, ...] = ()
    doc: Any = None
    body: bytes = b""
    encoding: str = "utf-8"
    findings: tuple[Finding, ...] = ()
    again: bool = False


@dataclass(frozen=True, slots=True)
class SitemapUrls:
    entries: tuple[SitemapEntry, ...]
