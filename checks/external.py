"""External links, checked over HTTP after the crawl (the crawler itself never leaves the site).

HEAD first, GET when a server refuses HEAD; a few requests per host at a time; retries with
backoff on timeouts, dropped connections and 429/502/503/504, honouring Retry-After up to a
limit; and a verdict that is never a guess: ok, broken or inconclusive. A site that turns
robots away is inconclusive, not broken: customers' browsers get through. Results are cached
in the store across runs: an ok result is trusted for a while, any other verdict is checked
again.

Every attempt is bounded: one wall-clock limit for all its requests (a server dripping its
answer a byte at a time holds it no longer than any other), redirects followed hop by hop
without reading their bodies, at most 16 KB of any answer read, and connections only to
addresses the run's AddressPolicy allows (never the cloud metadata service or the runner's
own network), vetted on every hop after DNS resolution.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import zlib
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from urllib.parse import urlsplit

import httpx
import yaml

from checks.guarded_http import guarded_transport
from ground.addresses import AddressPolicy, BlockedAddress
from ground.model import ExternalCheck, LinkVerdict
from ground.retry_after import retry_after_seconds
from store import LinkCache

_CHALLENGES = yaml.safe_load(
    files("checks").joinpath("data", "bot_challenges.yml").read_text(encoding="utf-8")
)
_CHALLENGE_HEADERS = {str(k).lower(): str(v).lower() for k, v in _CHALLENGES["headers"].items()}
_CHALLENGE_MARKERS = tuple(marker.lower() for marker in _CHALLENGES["body_markers"])

# A HEAD answered so is asked again with GET: refused (403, 405, 501), or a 503 that may be
# a bot wall's challenge page rather than an outage (its body tells).
HEAD_REFUSED = frozenset({403, 405, 501, 503})
_RETRY_STATUSES = frozenset({429, 502, 503, 504})  # temporary: wait and ask again
_BLOCKED_STATUSES = frozenset({401, 403, 999})  # robots turned away (999: LinkedIn's)
_GONE_STATUSES = frozenset({404, 410})
_MAX_REDIRECTS = 20  # hops, as browsers allow
_MAX_CONNECTIONS = 32  # requests in flight over all hosts
_BODY_SNIFF = 16_384  # bytes of a temporary-error answer read to recognise a challenge page
_DNS_TEMPORARY = {socket.EAI_AGAIN}  # the resolver did not answer: says nothing of the site
_NO_ROUTE = {errno.ENETUNREACH, errno.EHOSTUNREACH}  # our network, not the site


@dataclass(frozen=True)
class ExternalSettings:
    user_agent: str
    timeout: float  # seconds, wall clock, for one attempt: its redirects, HEAD and GET
    retries: int  # extra attempts after a timeout, a dropped connection or 429/502/503/504
    backoff: float  # seconds before the first retry, doubled each time (Retry-After wins)
    per_host: int  # requests in flight per host
    recheck_ok_after: timedelta  # how long an ok result is trusted
    max_retry_after: float = 30.0  # seconds; a server asking for a longer wait is not retried
    addresses: AddressPolicy = AddressPolicy()  # where requests may go: public addresses only


@dataclass(frozen=True)
class _Attempt:
    verdict: LinkVerdict
    reason: str
    status: int | None = None
    retry: bool = False  # worth asking again
    retry_after: float | None = None  # the server's own Retry-After, seconds


def check_external(
    urls: Iterable[str], cache: LinkCache, settings: ExternalSettings, now: datetime | None = None
) -> dict[str, ExternalCheck]:
    """Every URL's result: from the cache when it was ok recently enough, else checked now
    (and cached)."""
    now = now or datetime.now(UTC)
    wanted = list(dict.fromkeys(urls))
    trusted_since = now - settings.recheck_ok_after
    results = {
        url: cached
        for url, cached in cache.external_checks(wanted).items()
        if cached.verdict is LinkVerdict.OK
        and datetime.fromisoformat(cached.checked_at) > trusted_since
    }
    due = [url for url in wanted if url not in results]
    if due:
        checked = asyncio.run(_check_all(due, settings, now.isoformat(timespec="seconds")))
        cache.save_external_checks(checked)
        results.update((check.url, check) for check in checked)
    return results


async def _check_all(
    urls: list[str], settings: ExternalSettings, checked_at: str
) -> list[ExternalCheck]:
    host_slots: defaultdict[str, asyncio.Semaphore] = defaultdict(
        lambda: asyncio.Semaphore(settings.per_host)
    )
    slots = asyncio.Semaphore(_MAX_CONNECTIONS)
    async with httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent},
        timeout=httpx.Timeout(settings.timeout, pool=None),  # waiting for a slot is no timeout
        transport=guarded_transport(
            settings.addresses, httpx.Limits(max_connections=_MAX_CONNECTIONS)
        ),
    ) as client:

        async def check(url: str) -> ExternalCheck:
            host_slot = host_slots[urlsplit(url).netloc.lower()]
            attempt = await _with_retries(client, url, host_slot, slots, settings)
            return ExternalCheck(url, attempt.verdict, attempt.reason, attempt.status, checked_at)

        return list(await asyncio.gather(*(check(url) for url in urls)))


async def _with_retries(
    client: httpx.AsyncClient,
    url: str,
    host_slot: asyncio.Semaphore,
    slots: asyncio.Semaphore,
    settings: ExternalSettings,
) -> _Attempt:
    """Ask until the answer is final or the retries are spent; the slots are given back
    while waiting, so a rate-limited host does not hold up the others."""
    for retry in range(settings.retries + 1):
        async with host_slot, slots:
            attempt = await _attempt(client, url, settings.timeout)
        if not attempt.retry or retry == settings.retries:
            break
        wait = attempt.retry_after
        if wait is None:
            wait = settings.backoff * 2**retry
        if wait > settings.max_retry_after:
            break
        await asyncio.sleep(wait)
    return attempt


async def _attempt(client: httpx.AsyncClient, url: str, timeout: float) -> _Attempt:
    try:
        async with asyncio.timeout(timeout):
            return await _ask(client, url)
    except (TimeoutError, httpx.TimeoutException):
        return _Attempt(LinkVerdict.INCONCLUSIVE, "timeout", retry=True)
    except BlockedAddress as exc:  # no customer can reach it either; never asked again
        return _Attempt(LinkVerdict.BROKEN, f"blocked-address {exc}")
    except httpx.TooManyRedirects:
        return _Attempt(LinkVerdict.INCONCLUSIVE, "redirect-loop")
    except httpx.ConnectError as exc:
        verdict, reason = _connect_failure(exc)
        return _Attempt(verdict, reason, retry=True)
    except httpx.UnsupportedProtocol:  # a redirect to mailto:, javascript:, ftp:, ...
        return _Attempt(LinkVerdict.BROKEN, "invalid-url")
    except httpx.TransportError:  # connection dropped, not HTTP
        return _Attempt(LinkVerdict.INCONCLUSIVE, "dropped", retry=True)
    except httpx.InvalidURL:
        return _Attempt(LinkVerdict.BROKEN, "invalid-url")


async def _ask(client: httpx.AsyncClient, url: str) -> _Attempt:
    async with _final_answer(client, "HEAD", url) as response:
        if response.status_code not in HEAD_REFUSED:
            return _judge(response, b"")
    async with _final_answer(client, "GET", url) as response:
        sniff = response.status_code in _RETRY_STATUSES
        return _judge(response, await _first_bytes(response) if sniff else b"")


@asynccontextmanager
async def _final_answer(
    client: httpx.AsyncClient, method: str, url: str
) -> AsyncIterator[httpx.Response]:
    """The answer at the end of `url`'s redirects, its body not read. Each hop is a
    request of its own, so each connects through the guarded transport, and no redirect's
    body is ever read."""
    for _ in range(_MAX_REDIRECTS + 1):
        response = await client.send(client.build_request(method, url), stream=True)
        if not response.has_redirect_location:
            break
        await response.aclose()
        url = str(response.url.join(response.headers["Location"]))
    else:
        raise httpx.TooManyRedirects("too many redirects", request=response.request)
    try:
        yield response
    finally:
        await response.aclose()


def _judge(response: httpx.Response, body: bytes) -> _Attempt:
    status = response.status_code
    if _is_challenge(response.headers, body):
        return _Attempt(LinkVerdict.INCONCLUSIVE, "challenge", status)
    if response.is_success:
        return _Attempt(LinkVerdict.OK, "ok", status)
    if status in _RETRY_STATUSES:
        reason = "rate-limited" if status == 429 else "unavailable"
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        return _Attempt(LinkVerdict.INCONCLUSIVE, reason, status, True, wait)
    if status in _BLOCKED_STATUSES:
        return _Attempt(LinkVerdict.INCONCLUSIVE, "blocked", status)
    if status in _GONE_STATUSES:
        return _Attempt(LinkVerdict.BROKEN, "not-found", status)
    if status >= 500:
        return _Attempt(LinkVerdict.BROKEN, "server-error", status)
    if status >= 400:
        return _Attempt(LinkVerdict.BROKEN, "client-error", status)
    return _Attempt(LinkVerdict.INCONCLUSIVE, "unexpected", status)  # a 3xx without Location


async def _first_bytes(response: httpx.Response) -> bytes:
    """At most _BODY_SNIFF bytes of the body, decompressed no further than that (a
    compressed answer may inflate a thousandfold)."""
    raw = b""
    async for chunk in response.aiter_raw():
        raw += chunk
        if len(raw) >= _BODY_SNIFF:
            break
    if response.headers.get("Content-Encoding", "").strip().lower() in ("gzip", "deflate"):
        try:
            return zlib.decompressobj(wbits=47).decompress(raw, _BODY_SNIFF)  # gzip or zlib
        except zlib.error:
            return b""
    return raw[:_BODY_SNIFF]


def _is_challenge(headers: httpx.Headers, body: bytes) -> bool:
    """A bot wall (Cloudflare, DataDome, a captcha page) rather than the site's answer."""
    for name, value in _CHALLENGE_HEADERS.items():
        got = headers.get(name)
        if got is not None and value in ("*", got.lower()):
            return True
    if not body:
        return False
    text = body.decode("utf-8", "replace").lower()
    return any(marker in text for marker in _CHALLENGE_MARKERS)


def _connect_failure(exc: BaseException) -> tuple[LinkVerdict, str]:
    """Why no connection was made, from the cause httpx wraps: a name that does not
    resolve, a refused connection or a TLS failure is broken for customers too; a
    resolver that did not answer or a network without a route says nothing of the site."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return LinkVerdict.BROKEN, "tls"
        if isinstance(cause, socket.gaierror):
            if cause.errno in _DNS_TEMPORARY:
                return LinkVerdict.INCONCLUSIVE, "unreachable"
            return LinkVerdict.BROKEN, "dns"
        if isinstance(cause, ConnectionRefusedError):
            return LinkVerdict.BROKEN, "refused"
        if isinstance(cause, OSError) and cause.errno in _NO_ROUTE:
            return LinkVerdict.INCONCLUSIVE, "unreachable"
        cause = cause.__cause__ or cause.__context__
    return LinkVerdict.INCONCLUSIVE, "unreachable"
