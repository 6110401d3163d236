"""What a page says about itself in its head and main heading (meta description, viewport,
language versions, h1s), read in one pass over those elements, once a page: the seo and
accessibility rules both ask."""

from __future__ import annotations

from dataclasses import dataclass, field

from checks.page import Page, once_a_page


@dataclass(slots=True)
class Alternate:
    """<link rel="alternate" hreflang=... href=...>, as written."""

    hreflang: str
    href: str


@dataclass(slots=True)
class Head:
    description: str | None = None  # whitespace squeezed; "" empty, None: no such meta
    viewport: str | None = None
    alternates: list[Alternate] = field(default_factory=list)
    h1s: list[str] = field(default_factory=list)  # each h1's text, whitespace squeezed


@once_a_page
def head_of(page: Page) -> Head:
    head = Head()
    for el in page.doc.iter("meta", "link", "h1"):
        tag = el.tag
        if tag == "h1":
            head.h1s.append(" ".join(el.text_content().split()))
        elif tag == "meta":
            name = (el.get("name") or "").lower()
            if name == "description" and head.description is None:
                head.description = " ".join((el.get("content") or "").split())
            elif name == "viewport" and head.viewport is None:
                head.viewport = el.get("content") or ""
        elif (el.get("rel") or "").lower().strip() == "alternate":
            hreflang, href = el.get("hreflang"), el.get("href")
            if hreflang is not None and href:
                head.alternates.append(Alternate(hreflang.strip(), href.strip()))
    return head


def says_noindex(meta_robots: str | None) -> bool:
    """Whether a robots meta value keeps the page out of search results."""
    words = (meta_robots or "").lower().replace(",", " ").split()
    return "noindex" in words or "none" in words
