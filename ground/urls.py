"""URL handling: resolving references, normalising crawl keys, telling site from outside.

Runs once per reference found (80 per page on a real shop), so both steps are memoised:
most references on a shop are the same navigation and footer links on every page.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

_DEFAULT_PORTS = {"http": 80, "https": 443}
NOT_FOUND_PROBE = "/shoplint-not-found-probe-7c1e/"  # a path no shop has, fetched once per run
_CACHE_SIZE = 20_000  # distinct URLs; bounded so memory stays flat on big shops
_ORIGIN = re.compile(r"[^/?#]*//[^/?#]*")
_AUTHORITY = re.compile(r"(?:https?:)?//", re.IGNORECASE)  # a reference naming its host
_SCHEME_TYPO = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*//")  # htp//host: a scheme without colon
_WEB_SCHEMES = ("http://", "https://")
# a relative path and nothing else: no scheme, query, fragment, parameters nor backslash
_PLAIN_PATH = re.compile(r"[\w.~!$&'()*+,=@%-][\w.~!$&'()*+,=@%/-]*", re.ASCII)


def origin(url: str) -> str:
    """`scheme://host:port` of an absolute URL, as written."""
    match = _ORIGIN.match(url)  # the authority ends at a path, query or fragment
    return match.group() if match else url


def resolve(base: str, raw: str) -> str | None:
    """The absolute address of `raw` on a page at `base`, fragment kept; None when the
    reference is not an http(s) address (mailto:, tel:, javascript:) or is malformed."""
    raw = raw.strip()
    if raw.startswith("/") and not raw.startswith("//"):
        return origin(base) + raw  # the common case on shops, without urljoin's cost
    if _PLAIN_PATH.fullmatch(raw) and base.startswith(_WEB_SCHEMES):
        return _join_path(base, raw)  # the common case on documentation sites
    return _resolve_general(base, raw)


def _join_path(base: str, raw: str) -> str | None:
    """urljoin(base, raw) for a relative path of plain characters (`os.html`,
    `../library/`) on an http(s) page, at a fifth of its cost: the page's directory, the
    path's segments laid on it, empty segments between dropped and dot segments removed,
    as urljoin does."""
    directory = _directory(base)
    path_start = directory.index("/", directory.index("//") + 2)
    if not _web_origin(directory[:path_start]):  # no host, a malformed port
        return _resolve_general(base, raw)
    segments = directory[path_start:-1].split("/") + raw.split("/")
    segments[1:-1] = filter(None, segments[1:-1])
    resolved: list[str] = []
    for segment in segments:
        if segment == "..":
            if resolved:
                resolved.pop()
        elif segment != ".":
            resolved.append(segment)
    if segments[-1] in (".", ".."):
        resolved.append("")
    path = "/".join(resolved)  # no leading "/" when `..` went past the root
    return directory[:path_start] + (path if path.startswith("/") else "/" + path)


def _resolve_general(base: str, raw: str) -> str | None:
    try:
        url = urljoin(base, raw)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
        if _AUTHORITY.match(raw) and not urlsplit(raw).hostname:
            return None  # "http://", "//": urljoin would silently keep the page's host
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return url


@lru_cache(maxsize=64)
def _web_origin(origin: str) -> bool:
    """`scheme://authority` has a host and a valid port: the checks `_resolve_general`
    makes of a page's address."""
    return _resolve_general(origin + "/", "") is not None


def is_web_address(url: str) -> bool:
    """An absolute http(s) address with a host: what a browser can request."""
    return _resolve_general(url, url) is not None


def is_malformed(raw: str) -> bool:
    """True for an href that cannot be a working address (`http://`, `http:/`, `htp//x:`...),
    as opposed to a well-formed non-web scheme such as mailto: or tel:. A web scheme not
    followed by `//` (`http:/x`, `https:`) is a typing error, though browsers guess a
    meaning for it on a page of the same scheme."""
    raw = raw.strip()
    scheme, sep, rest = raw.partition(":")
    if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        if scheme.lower() in _DEFAULT_PORTS:
            return not rest.startswith("//") or _resolve_general("http://x/", raw) is None
        return False
    if raw.startswith("//"):
        return _resolve_general("http://x/", raw) is None  # "//" alone names no host
    if _SCHEME_TYPO.match(raw):
        return True
    return any(ch in raw for ch in '<>"\\ ') and not raw.startswith(("/", ".", "#", "?"))


class Normalizer:
    """Turns an absolute URL into its crawl key: fragment dropped, tracking and session
    parameters removed, query sorted, host lower-cased, default port dropped."""

    def __init__(self, drop_params: Iterable[str]):
        pattern = "|".join(fnmatch.translate(p.lower()) for p in drop_params) or r"(?!)"
        self._dropped = re.compile(pattern, re.IGNORECASE)
        self.normalize = lru_cache(maxsize=_CACHE_SIZE)(self._normalize)

    def _normalize(self, url: str) -> str | None:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        netloc = parts.hostname.lower()
        if ":" in netloc:
            netloc = f"[{netloc}]"
        if port is not None and port != _DEFAULT_PORTS[scheme]:
            netloc = f"{netloc}:{port}"
        path = re.sub(r";jsessionid=[^/?]*", "", parts.path, flags=re.IGNORECASE) or "/"
        query = "&".join(
            pair
            for pair in parts.query.split("&")
            if pair and not self._dropped.fullmatch(pair.partition("=")[0])
        )
        return canonicalize_url(urlunsplit((scheme, netloc, path, query, "")))


class LinkResolver:
    """A page's references as absolute URLs and crawl keys, at the cost of a dict lookup
    for every reference seen before: a link resolves the same way on every page of one
    directory (an absolute one on every page of a scheme), and most links of a site are
    the same menu, footer and sibling links page after page. The fragment is set aside
    first (it changes neither the page nor the crawl key), so `os.html#os.path` and
    `os.html#os.stat` share one entry."""

    def __init__(self, normalizer: Normalizer, size: int = _CACHE_SIZE * 5):
        self._normalize = normalizer.normalize
        self._size = size
        self._known: dict[tuple[str, str], tuple[str | None, str | None]] = {}

    def on_page(self, base: str) -> Callable[[str], tuple[str | None, str | None]]:
        """For each reference on a page at `base`: (absolute URL with its fragment, crawl
        key); (None, None) for what is no http(s) address (see `resolve`)."""
        directory, known, normalize = _directory(base), self._known, self._normalize
        scheme = base.partition(":")[0]  # an http(s) address resolves alike on any such page

        def resolve_here(raw: str) -> tuple[str | None, str | None]:
            address, hash_, fragment = raw.strip().partition("#")
            if address[:1] in ("", "?"):
                key = (base, address)
            elif address.startswith(_WEB_SCHEMES):
                key = (scheme, address)
            else:
                key = (directory, address)
            found = known.get(key)
            if found is None:
                url = resolve(base, address)
                found = (url, normalize(url) if url else None)
                if len(known) >= self._size:
                    known.clear()  # bounded memory; refilled from the pages that follow
                known[key] = found
            url, target = found
            return (f"{url}#{fragment}", target) if hash_ and url is not None else found

        return resolve_here


def _directory(url: str) -> str:
    """`url` up to the last / of its path: what a relative path is resolved against."""
    end = len(url)
    for mark in "?#":
        at = url.find(mark)
        if 0 <= at < end:
            end = at
    slash = url.rfind("/", 0, end)
    return url[: slash + 1] if slash > url.find("//") + 1 else url[:end] + "/"


class Site:
    """The site: the start URL's origin plus the hosts the configuration adds."""

    def __init__(self, start_url: str, extra_hosts: Iterable[str] = ()):
        self.origin = origin(start_url)
        self._netlocs = {h.lower() for h in extra_hosts}

    def contains(self, url: str) -> bool:
        url_origin = origin(url)
        if url_origin == self.origin:
            return True
        if not self._netlocs:
            return False
        netloc = url_origin.partition("//")[2]
        return netloc in self._netlocs or netloc.partition(":")[0] in self._netlocs
