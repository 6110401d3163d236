"""Accessibility: what a screen reader, a keyboard or a zooming customer cannot get from a
page, as far as its HTML shows it (no browser: contrast, focus order and colour are not
judged). Each rule names its WCAG 2.2 success criterion in its explanation.

Everything but the titles is judged on each page's tree as it is crawled, in one walk over
the elements the rules look at; titles shared by a template's pages are judged after the
crawl, with the seo family's notion of which addresses are one page.

An element's accessible name follows the accname rules as far as they matter here: its
aria-labelledby or aria-label, its text (an image's alt text included), its title; a
form field's label (for=, or around it) and placeholder too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import lxml.html

from checks import DATA
from checks.context import CheckContext
from checks.head import head_of
from checks.language_codes import valid_lang
from checks.page import Page
from checks.shared_values import page_list, same_page, shared
from checks.site import SiteView, site_path
from ground.html.text import is_shown, is_visible
from ground.model import Finding
from ground.words import every_language, load_words, phrase_pattern

LINK_WITHOUT_NAME = "ACC001"
VAGUE_LINK_TEXT = "ACC002"
FILE_NAME_ALT = "ACC003"
ALT_REPEATS_TEXT = "ACC004"
EMPTY_HEADING = "ACC005"
SKIPPED_HEADING = "ACC006"
UNLABELLED_FIELD = "ACC007"
ASTERISK_ONLY = "ACC008"
PAGE_LANGUAGE = "ACC009"
TEMPLATE_TITLE = "ACC010"
ZOOM_BLOCKED = "ACC011"

_PAGE_CODES = (
    LINK_WITHOUT_NAME,
    VAGUE_LINK_TEXT,
    FILE_NAME_ALT,
    ALT_REPEATS_TEXT,
    EMPTY_HEADING,
    SKIPPED_HEADING,
    UNLABELLED_FIELD,
    ASTERISK_ONLY,
    PAGE_LANGUAGE,
    ZOOM_BLOCKED,
)
_WORDS = load_words(DATA / "accessibility.yml")
_VAGUE = frozenset(phrase.casefold() for phrase in every_language(_WORDS["vague_link_texts"]))
_REQUIRED_WORDS = phrase_pattern(every_language(_WORDS["required_words"]))
_EXPLAINED_REACH = 40  # characters between an asterisk and the word that explains it
_VAGUE_LENGTH = max(map(len, _VAGUE)) + 4  # characters: a longer text is not one of them
_PUNCTUATION = " \t\n.,:;!?…»›→>-()[]"
_FILE_NAME = re.compile(
    r"\S+\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?|heic)"  # a file: zadel-02.JPG
    r"|(?:img|dsc[nf]?|pxl|dcim|photo|foto|image|afbeelding|screenshot)[ _-]?\d[\w-]*",  # IMG_2041
    re.IGNORECASE,
)
_UNNAMED_INPUTS = frozenset({"hidden", "submit", "button", "reset", "image"})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TAGS = ("a", "img", "label", "input", "select", "textarea", *_HEADINGS)
_VIEWPORT_SPLIT = re.compile(r"[,;]")
_TAGS_QUOTED = 3  # elements quoted as evidence of a page-wide finding


@dataclass(slots=True)
class _Walk:
    """The elements the page rules look at, collected in one pass over the tree."""

    links: list[lxml.html.HtmlElement] = field(default_factory=list)
    images: list[lxml.html.HtmlElement] = field(default_factory=list)
    headings: list[lxml.html.HtmlElement] = field(default_factory=list)
    fields: list[lxml.html.HtmlElement] = field(default_factory=list)
    labels: list[lxml.html.HtmlElement] = field(default_factory=list)


def _walk(doc: lxml.html.HtmlElement) -> _Walk:
    walk = _Walk()
    for el in doc.iter(_TAGS):
        tag = el.tag
        if tag == "a":
            if el.get("href") is not None:
                walk.links.append(el)
        elif tag == "img":
            walk.images.append(el)
        elif tag == "label":
            walk.labels.append(el)
        elif tag in ("input", "select", "textarea"):
            walk.fields.append(el)
        else:
            walk.headings.append(el)
    return walk


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    if not any(ctx.enabled(code) for code in _PAGE_CODES):
        return
    walk = _walk(page.doc)
    links = [(link, _link_name(link)) for link in walk.links]
    yield from _links_without_name(page, links, ctx)
    if ctx.enabled(VAGUE_LINK_TEXT):
        yield _vague_links(page, links, ctx)
    yield from _alt_texts(page, walk.images, ctx)
    if ctx.enabled(EMPTY_HEADING):
        yield _empty_headings(page, walk.headings, ctx)
    if ctx.enabled(SKIPPED_HEADING):
        yield _skipped_level(page, walk.headings, ctx)
    if walk.fields:
        labelled = {label.get("for") for label in walk.labels if label.get("for")}
        yield _unlabelled_fields(page, walk.fields, labelled, ctx)
        if ctx.enabled(ASTERISK_ONLY):
            yield _asterisk_only(page, walk.labels, ctx)
    yield _page_language(page, ctx)
    yield _zoom_blocked(page, ctx)


# -- links ---------------------------------------------------------------------------------


def _aria_name(el: lxml.html.HtmlElement) -> str:
    return (el.get("aria-label") or "").strip() or (el.get("aria-labelledby") or "").strip()


def _hidden_from_readers(el: lxml.html.HtmlElement) -> bool:
    return (el.get("aria-hidden") or "").strip().lower() == "true" or not is_visible(el)


def _link_name(link: lxml.html.HtmlElement) -> str:
    """What a screen reader says for the link: its label, else its text and its images'
    alt texts, else its title."""
    if not len(link) and link.text and (text := link.text.strip()) and not link.get("aria-label"):
        return text  # the usual menu link: its text, and nothing that overrides it
    aria = (link.get("aria-label") or "").strip()
    if aria or (link.get("aria-labelledby") or "").strip():
        return aria or "(aria-labelledby)"
    text = " ".join(link.text_content().split()) if len(link) else (link.text or "").strip()
    if not text and len(link):
        alts = (img.get("alt") or "" for img in link.iter("img"))
        text = " ".join(" ".join(alts).split())
    return text or (link.get("title") or "").strip()


def _links_without_name(
    page: Page, links: list[tuple[lxml.html.HtmlElement, str]], ctx: CheckContext
) -> Iterator[Finding | None]:
    if not ctx.enabled(LINK_WITHOUT_NAME):
        return
    reported: set[str | None] = set()
    for link, name in links:
        if name or _hidden_from_readers(link):
            continue
        target = page.address(link.get("href") or "")
        if target in reported:
            continue
        reported.add(target)
        images = list(link.iter("img"))
        if images:
            alt = images[0].get("alt")
            said = "no alt text" if alt is None else "an empty alt text"
            message = f"An image link without a name: its only content is an image with {said}"
        else:
            message = "A link without a name: no text, no alt text, no aria-label (an icon?)"
        yield ctx.finding(LINK_WITHOUT_NAME, page.url, target, message, _tag(link))


def _vague_links(
    page: Page, links: list[tuple[lxml.html.HtmlElement, str]], ctx: CheckContext
) -> Finding | None:
    """One finding per page: the vague texts that lead to two or more places."""
    places: dict[str, dict[str | None, None]] = {}
    for link, name in links:
        if len(name) > _VAGUE_LENGTH:
            continue
        text = name.strip(_PUNCTUATION)
        if text.casefold() in _VAGUE:
            places.setdefault(text, {})[page.address(link.get("href") or "")] = None
    vague = {text: list(targets) for text, targets in places.items() if len(targets) > 1}
    if not vague:
        return None
    said = ", ".join(f"“{text}” ({len(targets)}x)" for text, targets in vague.items())
    message = f"Links with the same vague text lead to different places: {said}"
    evidence = "; ".join(
        f"“{text}” → " + ", ".join(site_path(t or "?", ctx.site_origin) for t in targets)
        for text, targets in vague.items()
    )
    return ctx.finding(VAGUE_LINK_TEXT, page.url, None, message, evidence)


# -- images --------------------------------------------------------------------------------


def _alt_texts(
    page: Page, images: list[lxml.html.HtmlElement], ctx: CheckContext
) -> Iterator[Finding | None]:
    """Alt texts that are file names, or repeat the text beside them; whether the image is
    shown, and its address, are only worked out for those."""
    file_names, repeats = ctx.enabled(FILE_NAME_ALT), ctx.enabled(ALT_REPEATS_TEXT)
    if not (file_names or repeats):
        return
    reported: set[tuple[str, str]] = set()
    for img in images:
        alt, src = img.get("alt"), img.get("src")
        if not alt or not src:
            continue
        alt = " ".join(alt.split())
        problems = []
        if file_names and _FILE_NAME.fullmatch(alt):
            problems.append(
                (FILE_NAME_ALT, f"The alt text is a file name, not a description: “{alt}”")
            )
        if repeats and (beside := _text_beside(img)) and beside.casefold() == alt.casefold():
            message = f"The alt text repeats the text beside the image: “{alt}” is read twice"
            problems.append((ALT_REPEATS_TEXT, message))
        for code, message in problems:
            if (code, src) not in reported and is_shown(img):
                reported.add((code, src))
                yield ctx.finding(code, page.url, page.address(src), message, _tag(img))


def _text_beside(img: lxml.html.HtmlElement) -> str | None:
    """The text a screen reader reads with the image: the rest of the link it is in, or
    its figure's caption; None when it is in neither."""
    link = next(img.iterancestors("a", "figure"), None)
    if link is None:
        return None
    if link.tag == "figure":
        caption = next(link.iter("figcaption"), None)
        return " ".join(caption.text_content().split()) if caption is not None else None
    return " ".join(link.text_content().split())


# -- headings ------------------------------------------------------------------------------


def _empty_headings(
    page: Page, headings: list[lxml.html.HtmlElement], ctx: CheckContext
) -> Finding | None:
    empty = [
        h
        for h in headings
        if not h.text_content().strip()
        and not _aria_name(h)
        and not any((img.get("alt") or "").strip() for img in h.iter("img"))
        and not _hidden_from_readers(h)
    ]
    if not empty:
        return None
    count = f"{len(empty)} empty headings" if len(empty) > 1 else "An empty heading"
    message = f"{count}: a heading with no text ({', '.join(h.tag for h in empty)})"
    return ctx.finding(EMPTY_HEADING, page.url, None, message, _tags(empty))


def _skipped_level(
    page: Page, headings: list[lxml.html.HtmlElement], ctx: CheckContext
) -> Finding | None:
    """The first skip down the main content's outline; going back up any number of levels
    is fine (a section ends)."""
    main = next(page.doc.iter("main"), None)
    inside = [h for h in headings if main is None or _within(h, main)]
    shown = [h for h in inside if h.text_content().strip() and not _hidden_from_readers(h)]
    for before, after in zip(shown, shown[1:], strict=False):
        if int(after.tag[1]) > int(before.tag[1]) + 1:
            message = f"Heading level skipped: {before.tag} followed by {after.tag}"
            evidence = f"{_heading(before)} → {_heading(after)}"
            return ctx.finding(SKIPPED_HEADING, page.url, None, message, evidence)
    return None


def _within(el: lxml.html.HtmlElement, container: lxml.html.HtmlElement) -> bool:
    return any(ancestor is container for ancestor in el.iterancestors())


def _heading(h: lxml.html.HtmlElement) -> str:
    return f"<{h.tag}>{' '.join(h.text_content().split())[:60]}</{h.tag}>"


# -- forms ---------------------------------------------------------------------------------


def _unlabelled_fields(
    page: Page, fields: list[lxml.html.HtmlElement], labelled: set[str | None], ctx: CheckContext
) -> Finding | None:
    if not ctx.enabled(UNLABELLED_FIELD):
        return None
    unnamed = [f for f in fields if _needs_name(f) and not _field_named(f, labelled)]
    if not unnamed:
        return None
    count = f"{len(unnamed)} form fields" if len(unnamed) > 1 else "A form field"
    message = f"{count} without a label or accessible name"
    return ctx.finding(UNLABELLED_FIELD, page.url, None, message, _tags(unnamed))


def _needs_name(field: lxml.html.HtmlElement) -> bool:
    if field.tag == "input" and (field.get("type") or "text").lower() in _UNNAMED_INPUTS:
        return False
    return not _hidden_from_readers(field)


def _field_named(field: lxml.html.HtmlElement, labelled: set[str | None]) -> bool:
    if field.get("id") in labelled and field.get("id"):
        return True
    if _aria_name(field) or (field.get("title") or "").strip():
        return True
    if (field.get("placeholder") or "").strip():
        return True
    label = next(field.iterancestors("label"), None)
    return label is not None and bool(label.text_content().strip())


def _asterisk_only(
    page: Page, labels: list[lxml.html.HtmlElement], ctx: CheckContext
) -> Finding | None:
    """Labels marked with '*' whose field is not required in code, on a page whose text
    does not say what '*' means."""
    marked = [
        label
        for label in labels
        if "*" in label.text_content() and not _required_in_code(_field_of(page, label))
    ]
    if not marked or _asterisk_explained(page.visible_text):
        return None
    count = f"{len(marked)} fields" if len(marked) > 1 else "A field"
    message = f"{count} marked required by '*' only: not in code, and no text says what * means"
    return ctx.finding(ASTERISK_ONLY, page.url, None, message, _tags(marked))


def _field_of(page: Page, label: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    for_id = label.get("for")
    if for_id:
        return page.doc.get_element_by_id(for_id, None)
    return next(label.iter("input", "select", "textarea"), None)


def _required_in_code(field: lxml.html.HtmlElement | None) -> bool:
    if field is None:
        return True  # no field to judge
    return field.get("required") is not None or field.get("aria-required") == "true"


def _asterisk_explained(text: str) -> bool:
    at = text.find("*")
    while at >= 0:
        near = text[max(0, at - _EXPLAINED_REACH) : at + _EXPLAINED_REACH]
        if _REQUIRED_WORDS.search(near):
            return True
        at = text.find("*", at + 1)
    return False


# -- the page as a whole -------------------------------------------------------------------


def _page_language(page: Page, ctx: CheckContext) -> Finding | None:
    lang = page.doc.get("lang")
    if lang is not None and lang.strip() and valid_lang(lang):
        return None
    if lang is None or not lang.strip():
        message = "The page does not say which language it is in (<html> without lang)"
        return ctx.finding(PAGE_LANGUAGE, page.url, None, message)
    message = f"The page's language code “{lang}” is no language code"
    return ctx.finding(PAGE_LANGUAGE, page.url, None, message, f'<html lang="{lang}">')


def _zoom_blocked(page: Page, ctx: CheckContext) -> Finding | None:
    viewport = head_of(page).viewport
    if not viewport or not ctx.enabled(ZOOM_BLOCKED):
        return None
    settings = {}
    for part in _VIEWPORT_SPLIT.split(viewport.lower()):
        name, _, value = part.partition("=")
        settings[name.strip()] = value.strip()
    scalable = settings.get("user-scalable")
    blocked = scalable in ("no", "0")
    if not blocked and "maximum-scale" in settings:
        try:
            blocked = float(settings["maximum-scale"]) < ctx.option(ZOOM_BLOCKED, "min_scale")
        except ValueError:
            blocked = False
    if not blocked:
        return None
    message = "The page stops customers from zooming in"
    return ctx.finding(
        ZOOM_BLOCKED, page.url, None, message, f'<meta name="viewport" content="{viewport}">'
    )


# -- after the crawl ----------------------------------------------------------------------------


def check_site(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    if not ctx.enabled(TEMPLATE_TITLE):
        return
    titles = ((f.url, f.title) for f in site.fetches.values() if f.is_page and f.status == 200)
    minimum = ctx.option(TEMPLATE_TITLE, "min_pages")
    for title, urls in shared(titles, same_page(site), minimum):
        message = f"{len(urls)} different pages share the title “{title}”"
        evidence = page_list(urls, ctx.site_origin)
        yield from (ctx.finding(TEMPLATE_TITLE, url, None, message, evidence) for url in urls)


def _tag(el: lxml.html.HtmlElement) -> str:
    """The element's start tag and content, short: the evidence of where it is."""
    return lxml.html.tostring(el, encoding="unicode", with_tail=False).strip()[:200]


def _tags(elements: list[lxml.html.HtmlElement]) -> str:
    quoted = " ".join(_tag(el) for el in elements[:_TAGS_QUOTED])
    more = len(elements) - _TAGS_QUOTED
    return quoted + (f" and {more} more" if more > 0 else "")
