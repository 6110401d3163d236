"""Links: every link on the site leads somewhere that works.

One site rule, after the crawl. Each link target is judged once (its redirect chain walked
in memory) and every page that links to it gets its own finding. External links are checked
over HTTP at the end (checks/external.py), or only listed when the run is internal-only.

What counts as a link: <a>, <area>, <iframe>, GET form actions (site search), meta refresh,
<link rel=canonical|alternate> (a broken canonical or hreflang address sends search
engines to a missing page) and og:url (the address a shared link names). Not links: POST
form actions (add-to-cart, login: never fetched, never reported), images, media,
stylesheets and scripts (other families judge those). rel=nofollow links are checked like
any other: a broken link hurts customers whatever search engines are told. mailto:, tel:
and javascript: links are skipped; malformed addresses are findings.

A finding's target is the link's address resolved to absolute, without its #fragment (with
it for a missing fragment, LNK006); a malformed address (LNK007) is shown as written, since
no absolute address can honestly be made of it.

A redirect is judged as a browser follows it: more than 20 redirects, or one to an address
no browser opens (javascript:, ftp:, data:), is a dead end; one that leaves the site is
judged where it lands, like an external link, with the chain as evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from http import HTTPStatus
from typing import NamedTuple
from urllib.parse import unquote

from checks.context import CheckContext
from checks.external import ExternalSettings, check_external
from checks.site import SiteView, chain_text, site_path
from ground.addresses import AddressPolicy
from ground.model import (
    BROWSER_MAX_REDIRECTS,
    ExternalCheck,
    Fetch,
    Finding,
    LinkVerdict,
    Outcome,
    Reference,
    RefKind,
    too_many_redirects,
)
from ground.urls import is_malformed, is_web_address

_LINK_KINDS = frozenset(
    {
        RefKind.A,
        RefKind.AREA,
        RefKind.IFRAME,
        RefKind.FORM_ACTION,
        RefKind.META_REFRESH,
        RefKind.LINK_CANONICAL,
        RefKind.LINK_ALTERNATE,
        RefKind.META_URL,
    }
)
_EXTERNAL_CODES = ("LNK008", "LNK009", "LNK010")
_TAGS = {  # how a link looks in the page, for the evidence
    RefKind.A: '<a href="{raw}">{text}</a>',
    RefKind.AREA: '<area href="{raw}" alt="{text}">',
    RefKind.IFRAME: '<iframe src="{raw}">',
    RefKind.FORM_ACTION: '<form method="get" action="{raw}">',
    RefKind.META_REFRESH: '<meta http-equiv="refresh" content="0; url={raw}">',
    RefKind.LINK_CANONICAL: '<link rel="canonical" href="{raw}">',
    RefKind.LINK_ALTERNATE: '<link rel="alternate" href="{raw}">',
    RefKind.META_URL: '<meta property="og:url" content="{raw}">',
}
_FAILURES = {  # Fetch.error -> what customers experience
    "dns": "its name does not resolve",
    "refused": "connection refused",
    "timeout": "no answer in time",
    "tls": "secure connection failed",
    "truncated": "answer cut off",
    "bad-response": "no valid answer",
}
_SCRIPT_FRAGMENTS = ("/", "!", ":~:")  # app routes (#/cart, #!x) and text fragments
_EXTERNAL_MESSAGES = {  # ExternalCheck.reason -> (rule, message)
    "not-found": ("LNK008", "Link to an external page that does not exist ({status})"),
    "client-error": ("LNK008", "Link to an external page that cannot be opened ({status})"),
    "server-error": ("LNK008", "Link to an external page with a server error ({status})"),
    "dns": ("LNK008", "Link to a website whose name no longer exists (DNS)"),
    "refused": ("LNK008", "Link to a website that refuses connections"),
    "tls": ("LNK008", "Link to a website whose secure connection fails (TLS certificate)"),
    "invalid-url": ("LNK008", "Link to an external address that cannot be requested"),
    "blocked-address": (  # detail: the address and its kind, "169.254.169.254 (link-local)"
        "LNK008",
        "Link to an internal network address customers cannot reach, never requested: {detail}",
    ),
    "blocked": ("LNK009", "External link could not be verified: the site blocks robots ({status})"),
    "challenge": ("LNK009", "External link could not be verified: the site shows a bot check"),
    "rate-limited": ("LNK009", "External link could not be verified: rate-limited ({status})"),
    "redirect-loop": ("LNK009", "External link could not be verified: too many redirects"),
    "unexpected": ("LNK009", "External link could not be verified: unexpected answer ({status})"),
    "timeout": ("LNK010", "External site did not answer in time ({attempts} attempts)"),
    "unavailable": ("LNK010", "External site is temporarily unavailable ({status})"),
    "dropped": ("LNK010", "External site broke off the connection ({attempts} attempts)"),
    "unreachable": ("LNK010", "External site could not be reached from here"),
}


@dataclass(frozen=True, slots=True)
class _Problem:
    """What is wrong with a link target, whichever page links to it."""

    code: str
    message: str
    chain: str | None  # the redirect chain, as evidence


@dataclass(frozen=True, slots=True)
class _Departure:
    """A site address whose redirects leave the site: judged where they land."""

    destination: str
    chain: str


class _Linked(NamedTuple):
    """A link to an external address, directly or through redirects on the site."""

    ref: Reference
    target: str  # the link's own address: what the page has to change
    chain: str | None  # the redirects that led off the site


def check_site(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    judge = _TargetJudge(site, ctx)
    external: dict[str, dict[tuple[str, str], _Linked]] = {}  # url -> (page, target) -> link
    reported: set[tuple[str, str, str]] = set()
    malformed: dict[str, bool] = {}
    for ref in site.references(_LINK_KINDS):
        if ref.kind not in _LINK_KINDS or (ref.kind is RefKind.FORM_ACTION and ref.method != "GET"):
            continue
        bad = malformed.get(ref.raw)
        if bad is None:
            bad = malformed[ref.raw] = is_malformed(ref.raw)
        if bad:
            written = ref.raw.strip()  # what a browser makes of it is a guess: show this
            message = f"Link with a malformed address: {written[:100]}"
            yield _once(reported, ctx, "LNK007", ref, written, message, None)
            continue
        if ref.url is None or ref.target is None:
            continue  # mailto:, tel:, javascript:, data: ...
        address = ref.url.partition("#")[0]
        if ref.target not in site.fetches:
            if not ctx.site.contains(ref.target):
                links = external.setdefault(address, {})
                links.setdefault((ref.source, address), _Linked(ref, address, None))
            continue  # a site URL the crawl did not reach (limits, excluded): unknown
        problem, departure = judge.judged(ref.target)
        if problem is not None:
            yield _once(reported, ctx, problem.code, ref, address, problem.message, problem.chain)
        if departure is not None:
            links = external.setdefault(departure.destination, {})
            links.setdefault((ref.source, address), _Linked(ref, address, departure.chain))
        missing = judge.missing_fragment(ref)
        if missing is not None:
            message = f"Link to a section that does not exist on its page (#{missing})"
            yield _once(reported, ctx, "LNK006", ref, ref.url, message, None)
    if external and any(ctx.enabled(code) for code in _EXTERNAL_CODES):
        yield from _external_findings(external, site, ctx)


def _once(
    reported: set[tuple[str, str, str]],
    ctx: CheckContext,
    code: str,
    ref: Reference,
    target: str,
    message: str,
    chain: str | None,
) -> Finding | None:
    """One finding per (code, page, target): the first link to it on the page speaks."""
    key = (code, ref.source, target)
    if key in reported:
        return None
    reported.add(key)
    return ctx.finding(code, ref.source, target, message, _evidence(ref, chain))


class _TargetJudge:
    """Judges each internal target once, however many pages link to it."""

    def __init__(self, site: SiteView, ctx: CheckContext):
        self.site = site
        self.origin = ctx.site_origin
        self.contains = ctx.site.contains
        self.max_hops = int(ctx.option("LNK004", "max_hops"))
        self.moved = frozenset(int(s) for s in ctx.option("LNK003", "redirect_statuses"))
        self._judged: dict[str, tuple[_Problem | None, _Departure | None]] = {}
        self._anchors: dict[str, frozenset[str]] = {}

    def judged(self, target: str) -> tuple[_Problem | None, _Departure | None]:
        """What is wrong with the target, and where it leaves the site, if it does."""
        found = self._judged.get(target)
        if found is None:
            chain = self.site.chain(target)
            found = self._judged[target] = (self._judge(chain), self._departure(chain))
        return found

    def _judge(self, chain: list[Fetch]) -> _Problem | None:
        first, last = chain[0], chain[-1]
        redirects = sum(1 for fetch in chain if fetch.redirect_to is not None)
        via = f", after {redirects} redirect{'s' if redirects > 1 else ''}" if redirects else ""
        shown = chain_text(chain, self.origin) if redirects else None
        if last.outcome is Outcome.DISALLOWED:
            return None  # robots.txt keeps us out: unknown, not broken
        if last.outcome is Outcome.FAILED:
            return _Problem("LNK002", _failure_message(last.error, via), shown)
        if last.redirect_to is not None and any(f.url == last.redirect_to for f in chain):
            return _Problem("LNK005", "Link to an address that redirects in a loop", shown)
        if too_many_redirects(chain):
            return _Problem("LNK005", _too_many_message(redirects, last), shown)
        if last.redirect_to is not None and not is_web_address(last.redirect_to):
            written = last.redirect_to[:100]
            message = f"Link to an address that redirects to {written}, which no browser opens"
            return _Problem("LNK002", message, shown)
        status = last.status or 0
        if status >= 500:
            message = f"Link to a page with a server error ({_status(status)}{via})"
            return _Problem("LNK002", message, shown)
        if 400 <= status < 500 and status != 429:
            return _Problem("LNK001", _missing_message(status, via), shown)
        if redirects > self.max_hops:
            message = f"Link goes through {redirects} redirects (more than {self.max_hops})"
            return _Problem("LNK004", message, shown)
        if redirects and first.status in self.moved:
            final = site_path(last.redirect_to or last.url, self.origin)
            message = f"Link to an address that has moved ({first.status}) to {final}: update it"
            return _Problem("LNK003", message, shown)
        return None

    def _departure(self, chain: list[Fetch]) -> _Departure | None:
        """Where the chain leaves the site for an http(s) address (never crawled)."""
        away = chain[-1].redirect_to
        if away is None or self.contains(away) or not is_web_address(away):
            return None
        if too_many_redirects(chain):
            return None  # a dead end before it gets there
        return _Departure(away, chain_text(chain, self.origin))

    def missing_fragment(self, ref: Reference) -> str | None:
        """The #fragment of a working link that names no id or <a name> on its page. As
        the HTML standard finds one: as written, then percent-decoded; empty or `top`
        (the decoded one, any case) is the top of the page."""
        if ref.url is None or "#" not in ref.url:
            return None
        written = ref.url.partition("#")[2]
        fragment = unquote(written)
        if not written or fragment.lower() == "top" or fragment.startswith(_SCRIPT_FRAGMENTS):
            return None
        last = self.site.chain(ref.target or "")[-1]
        if not (last.is_page and last.status == 200):
            return None  # not a parsed page: its ids are unknown
        anchors = self._anchors.get(last.url)
        if anchors is None:
            anchors = self._anchors[last.url] = frozenset((last.anchors or "").split())
        return None if written in anchors or fragment in anchors else fragment


def _failure_message(error: str | None, via: str) -> str:
    if error == "too-large":
        return (
            f"Link to a page of the site too large to load{via}: over the crawl's size limit"
            " (crawl.max_response_bytes)"
        )
    failure = _FAILURES.get(error or "", error)
    return f"Link to a page of the site that does not answer ({failure}{via})"


def _too_many_message(redirects: int, last: Fetch) -> str:
    """How often the link redirects: exactly, or at least, where the crawl gave up."""
    count = f"{redirects} times" + (" or more" if last.redirect_to is not None else "")
    if redirects > BROWSER_MAX_REDIRECTS:
        why = f"browsers give up after {BROWSER_MAX_REDIRECTS}"
    else:
        why = "more than the crawl follows (crawl.max_redirects)"
    return f"Link to an address that redirects {count}: {why}"


def _missing_message(status: int, via: str) -> str:
    if status == 404:
        return f"Link to a page that does not exist (404{via})"
    if status == 410:
        return f"Link to a page that is gone (410{via})"
    return f"Link to a page that cannot be opened ({_status(status)}{via})"


def _status(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _evidence(ref: Reference, chain: str | None) -> str:
    tag = _TAGS[ref.kind].format(raw=escape(ref.raw), text=escape(ref.text or ""))
    return f"{tag} | {chain}" if chain else tag


def _external_findings(
    links: dict[str, dict[tuple[str, str], _Linked]], site: SiteView, ctx: CheckContext
) -> Iterator[Finding | None]:
    if ctx.internal_only:
        for linked in (link for pages in links.values() for link in pages.values()):
            message = "External link not checked (internal-only run)"
            yield _external_finding(ctx, "LNK009", message, linked)
        return
    settings = _external_settings(ctx)
    results = check_external(links, site.link_cache, settings)
    for url, pages in links.items():
        verdict = _external_verdict(results[url], settings)
        if verdict is None:
            continue
        code, message = verdict
        for linked in pages.values():
            yield _external_finding(ctx, code, message, linked)


def _external_finding(
    ctx: CheckContext, code: str, message: str, linked: _Linked
) -> Finding | None:
    ref, chain = linked.ref, linked.chain
    if chain is not None:
        message += ", reached through a redirect"
    return ctx.finding(code, ref.source, linked.target, message, _evidence(ref, chain))


def _external_verdict(check: ExternalCheck, settings: ExternalSettings) -> tuple[str, str] | None:
    if check.verdict is LinkVerdict.OK:
        return None
    reason, _, detail = check.reason.partition(" ")
    code, message = _EXTERNAL_MESSAGES[reason]
    status = _status(check.status) if check.status else "no answer"
    return code, message.format(status=status, attempts=settings.retries + 1, detail=detail)


def _external_settings(ctx: CheckContext) -> ExternalSettings:
    def option(name: str) -> float:
        return float(ctx.option("LNK008", name))

    return ExternalSettings(
        user_agent=ctx.user_agent,
        timeout=option("timeout"),
        retries=int(option("retries")),
        backoff=option("backoff"),
        per_host=max(1, int(option("per_host_concurrency"))),
        recheck_ok_after=timedelta(days=option("recheck_ok_days")),
        max_retry_after=option("max_retry_after"),
        addresses=AddressPolicy.for_site(ctx.site_origin, ctx.option("LNK008", "private_hosts")),
    )
