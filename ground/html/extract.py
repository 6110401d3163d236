"""Reading a parsed HTML page: its facts (title, lang, canonical, robots) and every
reference on it, in one pass over the tree."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from typing import NamedTuple

import lxml.html
from lxml import etree
from PIL import Image, UnidentifiedImageError

from ground.model import RefKind
from ground.urls import resolve

_TEXT_LIMIT = 200  # characters of anchor text kept as evidence
TOO_MANY_PIXELS = "too many pixels"  # how image_problem names a decompression bomb
_PIXELS = re.compile(r"\((\d+) pixels\)")  # in Pillow's DecompressionBombError
_REFRESH_URL = re.compile(r"""url\s*=\s*['"]?([^'"]+)""", re.IGNORECASE)
_LINK_RELS = {
    "stylesheet": RefKind.LINK_STYLESHEET,
    "icon": RefKind.LINK_ICON,
    "shortcut icon": RefKind.LINK_ICON,
    "apple-touch-icon": RefKind.LINK_ICON,
    "canonical": RefKind.LINK_CANONICAL,
    "alternate": RefKind.LINK_ALTERNATE,
}
_META_REFS = {  # <meta property|name=...> whose content is an address
    "og:image": RefKind.META_IMAGE,
    "og:image:url": RefKind.META_IMAGE,
    "og:image:secure_url": RefKind.META_IMAGE,
    "twitter:image": RefKind.META_IMAGE,
    "twitter:image:src": RefKind.META_IMAGE,
    "og:url": RefKind.META_URL,
}
_MEDIA_KINDS = {"video": RefKind.VIDEO, "audio": RefKind.AUDIO, "track": RefKind.TRACK}
_TAGS = (
    "a",
    "area",
    "img",
    "source",
    "link",
    "script",
    "iframe",
    "frame",
    "form",
    "button",
    "input",
    "meta",
    "title",
    "base",
    "h1",
    "video",
    "audio",
    "track",
)


class RawRef(NamedTuple):
    """A reference as found, before resolution: kind, attribute value, text, form method.
    A named tuple (as ground.model.Reference): a page holds hundreds, built in one pass."""

    kind: RefKind
    raw: str
    text: str | None = None
    method: str | None = None


@dataclass(slots=True)
class PageFacts:
    title: str | None = None
    heading: str | None = None  # the first <h1>
    lang: str | None = None
    base: str | None = None  # <base href>, as written
    canonical: str | None = None  # as written
    meta_robots: str | None = None
    refs: list[RawRef] = field(default_factory=list)


_parsers: dict[str, etree.HTMLParser] = {}
# Every element is a plain HtmlElement, chosen in C. lxml.html's own parser asks a Python
# method for each element's class (FormElement for <form>, ...) whenever a rule steps onto
# it, which made walking a page's tree a quarter slower; nothing here uses those classes.
_ELEMENT_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)
# Encodings libxml2 decodes as a browser does, a byte that does not fit included. It knows
# others by other names only (euc-jp, not euc_jp), or none (mac-roman, cp437), and stops
# reading at the first byte that does not fit windows-1252: the rest of the page is lost.
_LIBXML2_DECODES = frozenset({"utf-8", "iso8859-1"})
_BROWSER_DEFAULT = "cp1252"  # what browsers read a page as when its charset is unknown


def parse_html(body: bytes, encoding: str) -> lxml.html.HtmlElement | None:
    """Parse a page once, decoded as a browser would: in any encoding Python knows, a byte
    that does not fit becoming U+FFFD rather than the end of the page; None when the bytes
    hold no HTML document at all."""
    codec = _codec_name(encoding)
    if codec not in _LIBXML2_DECODES:
        body, codec = body.decode(codec, "replace").lstrip("\ufeff").encode(), "utf-8"
    parser = _parsers.get(codec)
    if parser is None:
        parser = _parsers[codec] = etree.HTMLParser(encoding=codec)
        parser.set_element_class_lookup(_ELEMENT_CLASSES)
    try:
        return lxml.html.document_fromstring(body, parser=parser)
    except (etree.ParserError, ValueError):
        return None


@lru_cache(maxsize=64)
def _codec_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return _BROWSER_DEFAULT


def page_facts(doc: lxml.html.HtmlElement) -> PageFacts:
    facts = PageFacts(lang=doc.get("lang") or None)
    refs = facts.refs
    for el in doc.iter(_TAGS):
        tag = el.tag
        if tag == "a" or tag == "area":
            href = el.get("href")
            if href is not None:
                kind = RefKind.A if tag == "a" else RefKind.AREA
                refs.append(RawRef(kind, href, _anchor_text(el) if tag == "a" else el.get("alt")))
        elif tag == "img":
            alt = el.get("alt")
            src = el.get("src")
            if src is not None:
                refs.append(RawRef(RefKind.IMG, src, alt))
            srcset = el.get("srcset")
            if srcset:
                refs.extend(RawRef(RefKind.IMG_SRCSET, u, alt) for u in srcset_urls(srcset))
        elif tag == "source":
            src = el.get("src")  # a <video> or <audio> source; <picture> uses srcset
            if src is not None:
                refs.append(RawRef(RefKind.MEDIA_SOURCE, src))
            srcset = el.get("srcset")
            if srcset:
                refs.extend(RawRef(RefKind.SOURCE_SRCSET, u) for u in srcset_urls(srcset))
        elif tag == "link":
            _link(el, facts)
        elif tag == "script" or tag == "iframe" or tag == "frame":
            src = el.get("src")
            if src is not None:
                refs.append(RawRef(RefKind.SCRIPT if tag == "script" else RefKind.IFRAME, src))
        elif tag == "form":
            method = (el.get("method") or "get").upper()
            refs.append(RawRef(RefKind.FORM_ACTION, el.get("action") or "", None, method))
        elif tag == "button" or tag == "input":
            action = el.get("formaction")  # a submit button sending its form elsewhere
            if action is not None:
                refs.append(RawRef(RefKind.FORM_ACTION, action, None, _submit_method(el)))
        elif tag == "meta":
            _meta(el, facts)
        elif tag == "title":
            if facts.title is None:
                facts.title = _squeeze(el.text_content())
        elif tag == "h1":
            if facts.heading is None:
                facts.heading = _squeeze(el.text_content())
        elif tag == "base":
            if facts.base is None:
                facts.base = el.get("href")
        else:
            _media(el, refs)
    return facts


def base_href(doc: lxml.html.HtmlElement) -> str | None:
    """The page's <base href> as written, as page_facts reads it in its own pass: that of
    the first <base> element that has one."""
    return next((href for el in doc.iter("base") if (href := el.get("href")) is not None), None)


def page_base(url: str, written: str | None) -> str:
    """Where the relative addresses of the page at `url` resolve: its <base href> (as
    written), else the page itself."""
    return (resolve(url, written) if written else None) or url


def _media(el: lxml.html.HtmlElement, refs: list[RawRef]) -> None:
    """<video src poster>, <audio src>, <track src>: what a product video or its subtitles
    need (their <source> elements are read with the others)."""
    src = el.get("src")
    if src is not None:
        refs.append(RawRef(_MEDIA_KINDS[el.tag], src))
    poster = el.get("poster") if el.tag == "video" else None
    if poster:  # an empty poster attribute means none
        refs.append(RawRef(RefKind.VIDEO_POSTER, poster))


def _link(el: lxml.html.HtmlElement, facts: PageFacts) -> None:
    href = el.get("href")
    rel = (el.get("rel") or "").lower().strip()
    kind = _LINK_RELS.get(rel) or ("icon" in rel.split() and RefKind.LINK_ICON) or None
    if href is None or kind is None:
        return
    if kind is RefKind.LINK_CANONICAL and facts.canonical is None:
        facts.canonical = href
    facts.refs.append(RawRef(kind, href, el.get("hreflang")))


def _meta(el: lxml.html.HtmlElement, facts: PageFacts) -> None:
    name = (el.get("name") or "").lower()
    http_equiv = (el.get("http-equiv") or "").lower()
    address = _META_REFS.get((el.get("property") or name).lower())
    if address is not None:
        content = (el.get("content") or "").strip()
        if content:
            facts.refs.append(RawRef(address, content))
    elif name == "robots":
        facts.meta_robots = el.get("content")
    elif http_equiv == "refresh":
        match = _REFRESH_URL.search(el.get("content") or "")
        if match:
            facts.refs.append(RawRef(RefKind.META_REFRESH, match.group(1).strip()))
    elif http_equiv == "content-language" and facts.lang is None:
        facts.lang = single_language(el.get("content"))


def _submit_method(button: lxml.html.HtmlElement) -> str:
    """The method a formaction button sends its form with: its own, else its form's."""
    method = button.get("formmethod")
    if method is None:
        form = next(button.iterancestors("form"), None)
        method = form.get("method") if form is not None else None
    return (method or "get").upper()


def single_language(value: str | None) -> str | None:
    """A Content-Language value (header or meta pragma) as a page's language: only when it
    names exactly one, as the HTML standard has it."""
    value = (value or "").strip()
    return value if value and "," not in value else None


def _anchor_text(el: lxml.html.HtmlElement) -> str | None:
    if len(el):  # libxml2's text serialiser: what text_content() gives, in half the time
        text = _squeeze(etree.tostring(el, method="text", encoding=str, with_tail=False))
    else:  # a link with no child element (the usual menu link) needs no tree walk
        text = _squeeze(el.text or "")
    if not text:  # an image link: its alt text is what the customer is told
        img = next(el.iter("img"), None)
        text = _squeeze(img.get("alt") or "") if img is not None else ""
    return text or el.get("title") or el.get("aria-label") or None


def _squeeze(text: str) -> str:
    return " ".join(text.split())[:_TEXT_LIMIT]


def srcset_urls(srcset: str) -> Iterator[str]:
    """The candidate URLs of a srcset attribute, after the HTML standard's tokeniser: a
    URL is a run of non-space characters (trailing commas stripped), then descriptors up
    to the next comma outside parentheses."""
    pos, end = 0, len(srcset)
    while pos < end:
        while pos < end and (srcset[pos].isspace() or srcset[pos] == ","):
            pos += 1
        start = pos
        while pos < end and not srcset[pos].isspace():
            pos += 1
        url = srcset[start:pos].rstrip(",")
        if url:
            yield url
        if srcset[start:pos].endswith(","):
            continue
        in_parens = False
        while pos < end and (in_parens or srcset[pos] != ","):
            if srcset[pos] in "()":
                in_parens = srcset[pos] == "("
            pos += 1


# plain strings: lxml's default "smart" ones each keep a reference to their element
_FRAGMENT_TARGETS = etree.XPath("//@id | //a/@name", smart_strings=False)


def fragment_targets(doc: lxml.html.HtmlElement) -> str:
    """Every id and <a name> on the page, space-separated: what `#fragment` links can reach."""
    return " ".join(dict.fromkeys(_FRAGMENT_TARGETS(doc)))


def image_problem(body: bytes, content_type: str | None) -> str | None:
    """Why an image/* answer cannot be shown, or None: empty, bytes that do not decode as
    an image (truncated, corrupt), or a valid image with more pixels than Pillow's bomb
    limit (about 179 million: 30,000 x 30,000 is 900), which takes gigabytes to decode
    and makes phones give up. Pillow reads only headers and checksums here, not pixels.
    Formats Pillow does not know (SVG) are left alone."""
    if not content_type or not content_type.startswith("image/"):
        return None
    if not body:
        return "empty"
    if content_type.startswith("image/svg"):
        return None
    try:
        with Image.open(BytesIO(body)) as image:
            image.verify()
    except UnidentifiedImageError:
        return "not an image"
    except Image.DecompressionBombError as exc:
        pixels = _PIXELS.search(str(exc))
        size = f" ({int(pixels.group(1)) / 1e6:,.0f} megapixels)" if pixels else ""
        return TOO_MANY_PIXELS + size
    except Exception as exc:  # Pillow raises many kinds for corrupt data
        return f"corrupt ({type(exc).__name__}: {exc})"[:200]
    return None
