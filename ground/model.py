"""The data model shared by crawler, store, checks and reports.

Records are small frozen dataclasses (references: named tuples): they travel from the
spider through the item pipeline into the store and back out to checks, and nothing along
the way may change them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple


class Outcome(enum.StrEnum):
    """What became of one fetch: one variant per outcome, never a pile of booleans."""

    RESPONSE = "response"  # the server answered (any status, redirects included)
    FAILED = "failed"  # no usable answer: DNS, refused, timeout, TLS, garbage, too large
    DISALLOWED = "disallowed"  # robots.txt forbids it, so it was not fetched
    SKIPPED = "skipped"  # a crawler trap's first address, not fetched; error: "reason pattern"


class RefKind(enum.StrEnum):
    """Where on a page a reference was found."""

    A = "a"
    AREA = "area"
    IMG = "img"
    IMG_SRCSET = "img-srcset"
    SOURCE_SRCSET = "source-srcset"
    LINK_STYLESHEET = "link-stylesheet"
    LINK_ICON = "link-icon"
    LINK_CANONICAL = "link-canonical"
    LINK_ALTERNATE = "link-alternate"
    SCRIPT = "script"
    IFRAME = "iframe"
    FORM_ACTION = "form-action"
    META_REFRESH = "meta-refresh"
    VIDEO = "video"  # <video src>
    VIDEO_POSTER = "video-poster"  # <video poster>: the image shown before it plays
    AUDIO = "audio"  # <audio src>
    MEDIA_SOURCE = "media-source"  # <source src> of a <video> or <audio>
    TRACK = "track"  # <track src>: subtitles, captions
    META_IMAGE = "meta-image"  # og:image, twitter:image: the picture of a shared link
    META_URL = "meta-url"  # og:url: the address a shared link names

    @property
    def navigable(self) -> bool:
        """A page a customer can land on (parsed when fetched), not a resource."""
        return self not in _RESOURCE_KINDS


_RESOURCE_KINDS = frozenset(
    {
        RefKind.IMG,
        RefKind.IMG_SRCSET,
        RefKind.SOURCE_SRCSET,
        RefKind.LINK_STYLESHEET,
        RefKind.LINK_ICON,
        RefKind.SCRIPT,
        RefKind.VIDEO,
        RefKind.VIDEO_POSTER,
        RefKind.AUDIO,
        RefKind.MEDIA_SOURCE,
        RefKind.TRACK,
        RefKind.META_IMAGE,
    }
)


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class RunStatus(enum.StrEnum):
    RUNNING = "running"  # in progress, or the process died without saying
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Fetch:
    """One URL the crawler requested. A redirect is a fetch whose `redirect_to` names
    the next hop, so a chain is the walk along `redirect_to` (see Store.redirect_chain)."""

    url: str  # normalised crawl key (no fragment, tracking parameters dropped)
    depth: int
    outcome: Outcome
    status: int | None = None
    # why a FAILED fetch failed (dns, refused, timeout, tls, too-large, ...), or what was
    # wrong with an answer (unparseable, too-many-redirects)
    error: str | None = None
    # the Location of a redirect: normalised, or as written when it is no http(s) address
    redirect_to: str | None = None
    content_type: str | None = None
    size: int | None = None  # body bytes received
    elapsed_ms: int | None = None
    last_modified: str | None = None  # the Last-Modified header, verbatim
    is_page: bool = False  # an HTML page that was parsed for references
    title: str | None = None
    lang: str | None = None  # <html lang>, else Content-Language (meta pragma, then header)
    canonical: str | None = None
    meta_robots: str | None = None
    heading: str | None = None  # the first <h1> of a page
    anchors: str | None = None  # a page's fragment targets (ids, <a name>), space-separated
    body_problem: str | None = None  # an image that cannot be shown: empty, corrupt, ...
    availability: str | None = None  # a product page: in_stock | out_of_stock (shop_facts)
    updated: str | None = None  # what a page says about when it was last updated, as written
    description: str | None = None  # <meta name="description">, whitespace squeezed (seo)
    product: str | None = None  # a product page: JSON of its description and image (products)
    # a page read in the browser (crawl.render): the addresses of its references that only
    # the browser showed, not its HTML source, one a line ("" none); None: not rendered
    scripted: str | None = None
    # the words of the page's own text its dictionaries reject, for the spelling rules to
    # judge against the whole site (checks/spelling/reading.py: JSON)
    words: str | None = None
    # what the page showed in a browser, when it was rendered (crawl.render); read by the
    # page rules, not stored: their findings are
    browser: BrowserFacts | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class BrowserFacts:
    """What a page showed while it loaded in Chromium, of its own site only (a third
    party's script and calls are not the shop's to fix)."""

    reason: str  # why it was rendered: always | app-shell | template
    # uncaught exceptions: (script address or "" for one in the page, message, times thrown)
    script_errors: tuple[tuple[str, str, int], ...] = ()
    # (url, HTTP status or network error, times asked)
    failed_requests: tuple[tuple[str, str, int], ...] = ()
    broken_images: tuple[str, ...] = ()  # <img> addresses that did not load (naturalWidth 0)
    source_text: str = ""  # the visible text of the HTML source: what shows without a script
    # the main content left hidden or busy, or a loading indicator left showing, once the
    # page settled: "what (how)", such as "main#app (hidden)", "div.spinner (still loading)"
    hidden: tuple[str, ...] = ()


TOO_MANY_REDIRECTS = "too-many-redirects"  # Fetch.error of the hop where the crawl gave up
BROWSER_MAX_REDIRECTS = 20  # the Fetch standard: following a 21st redirect is an error
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})  # the Fetch standard's; not 300, 304


def walk_redirects(
    lookup: Callable[[str], Fetch | None], url: str, max_hops: int = 50
) -> list[Fetch]:
    """The fetches from `url` along its redirects, ending at the first answer that is not
    a redirect, an unfetched hop, a loop (a hop seen before), or max_hops."""
    chain: list[Fetch] = []
    seen: set[str] = set()
    current: str | None = url
    while current is not None and current not in seen and len(chain) < max_hops:
        seen.add(current)
        fetch = lookup(current)
        if fetch is None:
            break
        chain.append(fetch)
        current = fetch.redirect_to
    return chain


def too_many_redirects(chain: list[Fetch]) -> bool:
    """More redirects than a browser follows, or the crawl gave up following them."""
    redirects = sum(1 for fetch in chain if fetch.redirect_to is not None)
    return redirects > BROWSER_MAX_REDIRECTS or any(f.error == TOO_MANY_REDIRECTS for f in chain)


class Reference(NamedTuple):
    """One reference from a page to another address, as written and as resolved. A named
    tuple, not a dataclass like the other records: a run holds about a hundred per page,
    and site rules read them all back several times; a tuple is built three times faster
    than a frozen dataclass and is just as immutable."""

    source: str  # the normalised URL of the page it is on
    kind: RefKind
    raw: str  # the attribute value as written in the HTML
    url: str | None  # absolute, fragment kept; None when not http(s) or malformed
    target: str | None  # normalised crawl key of `url`; None when url is None
    text: str | None = None  # anchor text, or alt text for images (None: no alt attribute)
    method: str | None = None  # GET or POST, for form actions


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    sitemap: str  # the sitemap file that lists it
    url: str  # normalised
    lastmod: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem on one page, in the shape of findings.json (see CONTRACTS.md)."""

    check: str
    code: str
    severity: Severity
    owner: str
    url: str
    target: str | None
    message: str
    evidence: str | None
    fingerprint: str


class LinkVerdict(enum.StrEnum):
    """What checking an external link concluded: three verdicts, never two."""

    OK = "ok"
    BROKEN = "broken"  # the link does not work for customers either
    INCONCLUSIVE = "inconclusive"  # blocked, rate-limited, too slow: could not tell


@dataclass(frozen=True, slots=True)
class ExternalCheck:
    """The result of checking one external URL, cached in the store across runs."""

    url: str  # as linked (absolute, fragment dropped)
    verdict: LinkVerdict
    reason: str  # why, in one word: ok, not-found, dns, refused, timeout, blocked, ...
    status: int | None  # the last HTTP status, if there was an answer
    checked_at: str  # ISO-8601, UTC


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    start_url: str
    config_digest: str
    started_at: str
    finished_at: str | None
    status: RunStatus
    today: str
    counters: dict[str, int] = field(default_factory=dict)


class FlowEnd(enum.StrEnum):
    """How a checkout flow ended: one variant per ending."""

    COMPLETED = "completed"  # every step was done
    STOPPED = "stopped"  # stopped before the step named in stop_before, as configured
    HANDED_OVER = "handed-over"  # reached a payment provider, which is never requested
    FAILED = "failed"  # a step failed; the steps after it were not run

    @property
    def reached_end(self) -> bool:
        """The flow got as far as it was meant to go."""
        return self is not FlowEnd.FAILED


class StepStatus(enum.StrEnum):
    PASSED = "passed"  # answered, every expectation met (a slow step passes, with a warning)
    FAILED = "failed"  # an expectation failed, or no answer: the flow stopped here
    HANDED_OVER = "handed-over"  # its request went to a payment provider: not sent
    NOT_RUN = "not-run"  # after a failure, or from the stop_before step on


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """One step of a checkout flow as it went: what the report shows per step."""

    name: str
    action: str  # what the step does: "get /cart/", "follow a.next", "submit form#address"
    status: StepStatus
    url: str | None = None  # the page the step ended on (after redirects)
    http_status: int | None = None  # the final answer's status
    ms: int | None = None  # time over every hop, bodies included
    hops: tuple[str, ...] = ()  # each request: "POST https://shop.example/cart/add 303"
    note: str | None = None  # why it failed, or where it handed over
    screenshot: str | None = None  # a failed browser step's picture, in the report folder
    failed_calls: tuple[str, ...] = ()  # the page's calls to its site that failed (browser)


@dataclass(frozen=True, slots=True)
class FlowOutcome:
    """A checkout flow as a whole: stored with the run, for the report's checkout summary."""

    name: str
    start_url: str
    end: FlowEnd
    total_ms: int  # the steps' times added up: what a customer waits
    steps: tuple[StepOutcome, ...]
