"""One customer's browser for one flow: its own cookie jar, redirects followed one hop at a
time (each hop recorded), and two lines it never crosses: a payment provider is never
requested (the flow hands over there), and an internal-only run never leaves the site.

A visit (a request and its redirects) has `timeout` seconds in all, however slowly the
shop trickles its answer out (httpx's own timeouts bound each read, not the whole), and
its body is held to the crawl's size cap, decompressed (bodies.py)."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from importlib.resources import files
from urllib.parse import urlencode, urlsplit

import httpx
import yaml

from checks.checkout.bodies import ACCEPT_ENCODING, Body, BodyProblem
from checks.checkout.credentials import SiteSecrets
from ground.chromium import on_hosts
from ground.urls import Site

MAX_HOPS = 20  # redirects followed before a step gives up
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_KNOWN_PAYMENT_HOSTS = tuple(
    yaml.safe_load(
        files("checks").joinpath("data", "payment_hosts.yml").read_text(encoding="utf-8")
    )["hosts"]
)


@dataclass(frozen=True, slots=True)
class Hop:
    method: str
    url: str
    status: int

    def __str__(self) -> str:
        return f"{self.method} {self.url} {self.status}"


@dataclass(frozen=True)
class Visit:
    """What one request became, its redirects followed."""

    hops: tuple[Hop, ...]
    ms: int  # every hop, bodies included
    response: httpx.Response | None = None  # the final answer, when there was one
    handover: str | None = None  # the payment provider's address the next request was for
    off_site: str | None = None  # an address off the site, not requested (internal-only run)
    problem: str | None = None  # why there is no answer: timeout, refused, too many redirects
    body: bytes = b""  # the final answer's body, decompressed (when it was read)

    @property
    def text(self) -> str:
        """The body as a browser decodes it: the declared charset, else UTF-8; bad bytes
        replaced."""
        encoding = self.response.encoding if self.response is not None else None
        return self.body.decode(encoding or "utf-8", "replace")


def status_text(status: int) -> str:
    """`404 Not Found`: a status with its reason phrase, as messages show it."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class PaymentHosts:
    """The known payment providers (checks/data/payment_hosts.yml) and a flow's own."""

    def __init__(self, extra: Iterable[str] = ()):
        self.hosts = tuple(h.lower().strip(".") for h in (*_KNOWN_PAYMENT_HOSTS, *extra))

    def __contains__(self, url: str) -> bool:
        return on_hosts(urlsplit(url).hostname or "", self.hosts)


class Browser:
    def __init__(
        self,
        site: Site,
        secrets: SiteSecrets,
        payment_hosts: PaymentHosts,
        *,
        user_agent: str,
        timeout: float,
        max_bytes: int,
        internal_only: bool,
        tls: ssl.SSLContext | None = None,
    ):
        self.site = site
        self.payment_hosts = payment_hosts
        self._secrets = secrets
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._internal_only = internal_only
        self._loop = asyncio.Runner()  # the visits are sync to the walker, async inside
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=timeout,
            verify=tls or True,
        )

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._loop.run(self._client.aclose())
        finally:
            self._loop.close()

    def visit(
        self,
        method: str,
        url: str,
        form: Sequence[tuple[str, str]] | None = None,
        *,
        read: bool = True,
    ) -> Visit:
        """Request `url` (a POST sends `form`, in order) and follow its redirects as a
        browser does: 303 and 302 (and 301 after a POST) continue with a GET. The final
        answer's body is read when `read` (a link check needs only the status)."""
        return self._loop.run(self._visit(method, url, form, read))

    async def _visit(
        self, method: str, url: str, form: Sequence[tuple[str, str]] | None, read: bool
    ) -> Visit:
        hops: list[Hop] = []
        started = time.perf_counter()

        def done(
            response: httpx.Response | None = None,
            handover: str | None = None,
            off_site: str | None = None,
            problem: str | None = None,
            body: bytes = b"",
        ) -> Visit:
            ms = round((time.perf_counter() - started) * 1000)
            return Visit(tuple(hops), ms, response, handover, off_site, problem, body)

        try:
            async with asyncio.timeout(self._timeout):
                while True:
                    if url in self.payment_hosts:
                        return done(handover=url)
                    inside = self.site.contains(url)
                    if not inside and self._internal_only:
                        return done(off_site=url)
                    if len(hops) > MAX_HOPS:
                        return done(problem=f"more than {MAX_HOPS} redirects")
                    body = urlencode(form) if method == "POST" and form is not None else None
                    request = self._client.build_request(
                        method, url, content=body, headers=_FORM if body is not None else None
                    )
                    if inside:  # credentials go to the site's own hosts only
                        self._secrets.apply(request)
                    response = await self._client.send(request, stream=True)
                    try:
                        hops.append(Hop(method, url, response.status_code))
                        follow = response.next_request
                        if follow is None:
                            content = await self._body(response) if read else b""
                            return done(response=response, body=content)
                    finally:
                        await response.aclose()
                    if follow.method != method:
                        form = None
                    method, url = follow.method, str(follow.url)
        except TimeoutError:
            return done(problem=self._too_slow())
        except BodyProblem as problem:
            return done(problem=str(problem))
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return done(problem=self._no_answer(exc))

    async def _body(self, response: httpx.Response) -> bytes:
        body = Body(response.headers.get("Content-Encoding", ""), self._max_bytes)
        async for chunk in response.aiter_raw():
            body.feed(chunk)
        return body.done()

    def _too_slow(self) -> str:
        return f"no complete answer within {self._timeout:g} s"

    def _no_answer(self, exc: httpx.HTTPError | httpx.InvalidURL) -> str:
        if isinstance(exc, httpx.TimeoutException):
            return self._too_slow()
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        if isinstance(exc, httpx.ConnectError):
            return f"could not connect ({detail})"
        return f"no usable answer ({detail})"
