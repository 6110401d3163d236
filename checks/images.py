"""Images: ones a customer cannot see (missing, server error, unreadable), ones a screen
reader cannot describe (no alt text), and ones too heavy for a phone on a slow connection;
and the media a shop depends on: product videos, their posters and subtitles, audio, and
the picture a shared link shows (og:image, twitter:image).

Whether a file can be shown is judged after the crawl, on the stored answer at the end of
its redirects, for every <img src>, every srcset and <picture> candidate, every icon, video
poster and share image, and every <video>, <audio>, <source> and <track> file. Media are
judged on whether they are there: browsers sniff their type, and a video is big by nature
(one over the crawl's size limit exists, which is all a crawl asks of it). Alt text is
judged on each page's tree, where the element's attributes are.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html

from checks.context import CheckContext
from checks.page import Page
from checks.site import SiteView, chain_text
from ground.html.extract import TOO_MANY_PIXELS, srcset_urls
from ground.html.text import is_shown, visible_text_of
from ground.model import Fetch, Finding, Outcome, Reference, RefKind, too_many_redirects
from ground.urls import is_web_address

BROKEN = "IMG001"
SERVER_ERROR = "IMG002"
UNREADABLE = "IMG003"
MISSING_ALT = "IMG004"
HEAVY = "IMG005"


class _Use(enum.Enum):
    """How a browser uses the file, which decides what can be wrong with it."""

    IMAGE = "image"  # shown on the page: every check
    ICON = "icon"  # sniffed whatever its type; rarely looked at, so its weight is no matter
    SHARE = "share"  # fetched by social networks for a shared link; its weight is no matter
    MEDIA = "media"  # played: its type sniffed, its size expected


_USES = {
    RefKind.IMG: _Use.IMAGE,
    RefKind.IMG_SRCSET: _Use.IMAGE,
    RefKind.SOURCE_SRCSET: _Use.IMAGE,
    RefKind.VIDEO_POSTER: _Use.IMAGE,
    RefKind.LINK_ICON: _Use.ICON,
    RefKind.META_IMAGE: _Use.SHARE,
    RefKind.VIDEO: _Use.MEDIA,
    RefKind.AUDIO: _Use.MEDIA,
    RefKind.MEDIA_SOURCE: _Use.MEDIA,
    RefKind.TRACK: _Use.MEDIA,
}
_NOUNS = {  # what a message calls the file; "Image" when not named here
    RefKind.VIDEO_POSTER: "Video poster image",
    RefKind.META_IMAGE: "Share image",
    RefKind.VIDEO: "Video",
    RefKind.AUDIO: "Audio file",
    RefKind.MEDIA_SOURCE: "Video or audio file",
    RefKind.TRACK: "Subtitle file",
}
_WRITTEN = {  # how the page names the file, for the evidence (an <img> says its alt text)
    RefKind.IMG_SRCSET: "srcset candidate {raw} ({alt})",
    RefKind.SOURCE_SRCSET: "<picture> source candidate {raw}",
    RefKind.LINK_ICON: "icon {raw}",
    RefKind.VIDEO_POSTER: "<video poster> {raw}",
    RefKind.META_IMAGE: "og:image / twitter:image {raw}",
    RefKind.VIDEO: "<video src> {raw}",
    RefKind.AUDIO: "<audio src> {raw}",
    RefKind.MEDIA_SOURCE: "<source src> {raw}",
    RefKind.TRACK: "<track src> {raw}",
}
# content types a browser sniffs, showing the bytes if they are an image
_SNIFFED_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})
_DECORATIVE_ROLES = frozenset({"presentation", "none"})
_FAILURES = {
    "dns": "the host name does not resolve",
    "refused": "the server refused the connection",
    "timeout": "the server did not answer in time",
    "tls": "the secure connection failed (TLS)",
    "truncated": "the download was cut off",
    "bad-response": "the server's answer was garbled",
}
_KB = 1024
_CAP = "crawl.max_response_bytes"  # the setting a message names when a file is over it


@dataclass(frozen=True, slots=True)
class _Problem:
    code: str
    message: str
    detail: str | None = None  # what the crawler found wrong in the bytes, or the chain


# -- can the file be shown? (site rule) -----------------------------------------------------


def check_site(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    """One finding per (rule, page, address): an image in both the src and a srcset of one
    page is one finding, reported with the first reference (the src, with its alt)."""
    limit_kb = ctx.option(HEAVY, "max_kb")
    judged: dict[tuple[str, RefKind], _Problem | None] = {}
    reported: set[tuple[str, str, str]] = set()
    for ref in site.references(_USES):
        if ref.kind not in _USES or ref.target is None or ref.url is None:
            continue
        if (ref.target, ref.kind) not in judged:
            chain = site.chain(ref.target)
            judged[ref.target, ref.kind] = _problem(chain, ref.kind, limit_kb, ctx.site_origin)
        problem = judged[ref.target, ref.kind]
        if problem is None or (problem.code, ref.source, ref.url) in reported:
            continue
        reported.add((problem.code, ref.source, ref.url))
        evidence = "; ".join(filter(None, (_as_written(ref), problem.detail)))
        yield ctx.finding(problem.code, ref.source, ref.url, problem.message, evidence)


def _problem(chain: list[Fetch], kind: RefKind, limit_kb: float, origin: str) -> _Problem | None:
    """What stops the file at the end of `chain` from being shown, or makes it heavy.
    Nothing for an address that was not fetched (outside the site) or robots forbids."""
    if not chain:
        return None
    end, use, noun = chain[-1], _USES[kind], _NOUNS.get(kind, "Image")
    hops = chain_text(chain, origin) if len(chain) > 1 else None
    if end.outcome is Outcome.DISALLOWED:
        return None
    if end.outcome is Outcome.FAILED:
        if end.error == "too-large":
            if use is _Use.MEDIA:
                return None
            message = f"{noun} too large to download (over the crawl's size limit: {_CAP})"
            return _Problem(HEAVY, message, hops)
        reason = _FAILURES.get(end.error or "", end.error)
        return _Problem(SERVER_ERROR, f"{noun} could not be fetched: {reason}", hops)
    if end.redirect_to is not None and end.redirect_to in {fetch.url for fetch in chain}:
        return _Problem(BROKEN, f"{noun} address redirects in a loop", hops)
    if too_many_redirects(chain):
        return _Problem(BROKEN, f"{noun} address redirects more often than browsers follow", hops)
    if end.redirect_to is not None:  # the walk stopped on a redirect off the site
        if is_web_address(end.redirect_to):
            return None
        message = f"{noun} address redirects to {end.redirect_to[:100]}, which no browser opens"
        return _Problem(SERVER_ERROR, message, hops)
    status = end.status or 0
    if status >= 500:
        return _Problem(SERVER_ERROR, f"{noun} address answers a server error ({status})", hops)
    if status >= 300:  # 4xx, or a redirect that names no next address
        return _Problem(BROKEN, _missing_message(noun, status), hops)
    unreadable = _unreadable(end, use, noun, hops)
    if unreadable:
        return unreadable
    if use is _Use.IMAGE and end.size is not None and end.size > limit_kb * _KB:
        size = f"{end.size / _KB:.0f} KB, over the limit of {limit_kb} KB"
        return _Problem(HEAVY, f"Heavy image: {size}", hops)
    return None


def _missing_message(noun: str, status: int) -> str:
    if status == 404:
        return f"{noun} that does not exist (404)"
    if status == 410:
        return f"{noun} that was removed (410 Gone)"
    return f"{noun} that cannot be loaded ({status})"


def _unreadable(end: Fetch, use: _Use, noun: str, hops: str | None) -> _Problem | None:
    """Why an answered file cannot be shown, or None."""
    if end.size == 0 or end.body_problem == "empty":
        return _Problem(UNREADABLE, f"{noun} is an empty file (0 bytes)", hops)
    if use is _Use.MEDIA:
        return None
    media_type = (end.content_type or "").split(";")[0].strip().lower()
    # browsers sniff icons and untyped or binary answers: only a named non-image type is wrong
    sniffed = use is _Use.ICON or not media_type or media_type in _SNIFFED_TYPES
    if not sniffed and not media_type.startswith("image/"):
        return _Problem(UNREADABLE, f"{noun} address answers {media_type}, not an image", hops)
    if end.body_problem == "not an image":
        return _Problem(UNREADABLE, f"{noun} file is not in any image format", hops)
    if end.body_problem and end.body_problem.startswith(TOO_MANY_PIXELS):
        message = f"{noun} has more pixels than browsers decode comfortably (phones give up)"
        return _Problem(HEAVY, message, end.body_problem)
    if end.body_problem:  # corrupt: what the image library said is the evidence
        message = f"{noun} file is damaged (cut off or corrupt) and cannot be shown"
        return _Problem(UNREADABLE, message, end.body_problem)
    return None


def _as_written(ref: Reference) -> str:
    """How the page names the file: the srcset candidate, icon or media element, and the
    alt text of an <img>."""
    alt = f'alt="{ref.text}"' if ref.text is not None else "no alt attribute"
    if ref.kind is RefKind.IMG:
        return alt
    return _WRITTEN[ref.kind].format(raw=ref.raw, alt=alt)


# -- alt text (page rule) -------------------------------------------------------------------


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    """One finding per (page, image address) for content images without alt text."""
    if not ctx.enabled(MISSING_ALT):
        return
    reported: set[str | None] = set()
    for img in page.doc.iter("img"):
        alt = img.get("alt")
        if (alt and alt.strip()) or _needs_no_alt(img, alt):
            continue
        raw = img.get("src") or next(srcset_urls(img.get("srcset") or ""), None)
        if raw is None:
            continue  # shows nothing, so says nothing
        target = page.address(raw)  # as the crawl resolved it, <base href> included
        if target in reported:
            continue
        reported.add(target)
        message = "Image without alt text" if alt is None else "Image with empty alt text"
        yield ctx.finding(MISSING_ALT, page.url, target, message, _tag(img))


def _needs_no_alt(img: lxml.html.HtmlElement, alt: str | None) -> bool:
    """Marked decorative, named another way (aria-label), or never seen: hidden, or a
    1-pixel tracking image. An empty alt is also right on an image inside a link or
    button that already has a name (its text, or an aria-label): it would be said twice."""
    if (img.get("role") or "").strip().lower() in _DECORATIVE_ROLES:
        return True
    if (img.get("aria-hidden") or "").strip().lower() == "true" or _aria_named(img):
        return True
    if not is_shown(img) or img.get("width") in ("0", "1"):
        return True
    if alt is None:
        return False
    control = next(img.iterancestors("a", "button"), None)
    return control is not None and (_aria_named(control) or bool(visible_text_of(control)))


def _aria_named(el: lxml.html.HtmlElement) -> bool:
    return bool((el.get("aria-label") or "").strip() or (el.get("aria-labelledby") or "").strip())


def _tag(img: lxml.html.HtmlElement) -> str:
    return lxml.html.tostring(img, encoding="unicode", with_tail=False).strip()
