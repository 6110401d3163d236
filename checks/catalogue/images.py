"""The images family's rules (checks/images.py): images a customer cannot see, a screen reader
cannot describe, or a phone on a slow connection cannot load."""

from __future__ import annotations

from checks.catalogue.rule import Option, Rule
from ground.model import Severity as S

RULES = (
    Rule(
        code="IMG001",
        family="images",
        name="broken-image",
        severity=S.ERROR,
        team="content",
        summary="An image whose address does not exist (4xx), directly or after redirects",
        explanation=(
            "The page shows an image that is not there: the address answers 'not found' (404), "
            "'gone' (410) or another 4xx error, or redirects in a loop. Customers see an empty "
            "frame or a broken-image icon where a product photo should be, and a shop with "
            "missing photos looks unreliable. Every candidate of a srcset and every <picture> "
            "source counts: phones and large screens pick different ones; so do a video's "
            "poster, the page's share image (og:image, twitter:image) and its video, audio and "
            "subtitle files, found missing the same way. Upload the file again or point the "
            "page at one that exists."
        ),
    ),
    Rule(
        code="IMG002",
        family="images",
        name="image-server-error",
        severity=S.ERROR,
        team="it",
        summary="An image whose address answers a server error (5xx) or cannot be fetched",
        explanation=(
            "The server fails when this image (or video, audio, subtitle or share image) is "
            "requested: it answers a server error (5xx), refuses the connection, times out, cuts "
            "the download off, or redirects to an address no browser opens (javascript:, ftp:). "
            "Customers see a broken-image icon, often on many pages at once because image servers "
            "fail for whole folders. This is for the team that runs the web and image servers: "
            "the image itself may be fine."
        ),
    ),
    Rule(
        code="IMG003",
        family="images",
        name="unreadable-image",
        severity=S.ERROR,
        team="content",
        summary="An image address that answers, but with nothing a browser can show",
        explanation=(
            "The image address answers, but what comes back cannot be shown: an empty file (a "
            "video, audio or subtitle file too), a web page instead of an image, or an image file "
            "that is cut off or damaged (for example an upload that was interrupted). Customers "
            "see a broken-image icon or half a photo. Upload the image again, and check that the "
            "page points at the image file itself, not at a page about it."
        ),
    ),
    Rule(
        code="IMG004",
        family="images",
        name="missing-alt-text",
        severity=S.WARNING,
        team="content",
        summary="A content image without alt text",
        explanation=(
            "The image has no alt text, or an empty one, while it is not marked as decoration. "
            "Blind and partially sighted customers use screen readers that read the alt text "
            "aloud; without it they hear nothing, or the file name, where a product photo or "
            "an explanation should be. Search engines use it too. Describe what the image shows "
            "in a few words ('Red city bike with a front basket'). An image that is only "
            'decoration keeps alt="" and gets role="presentation", so that it is skipped.'
        ),
    ),
    Rule(
        code="IMG005",
        family="images",
        name="heavy-image",
        severity=S.WARNING,
        team="content",
        summary="An image file larger than the limit (default 500 KB)",
        explanation=(
            "The image file is very large, or too large to download at all (over the crawl's "
            "size limit, crawl.max_response_bytes), or has so many pixels (over about 179 "
            "million, Pillow's decompression-bomb limit) that decoding it takes gigabytes of "
            "memory. Customers on a phone with a slow connection or a small data bundle wait "
            "for it, and cheap phones may give up. A product photo "
            "rarely needs more than 200 KB: export it at the size it is shown (not straight "
            "from the camera), as JPEG or WebP rather than PNG for photos, and let the shop's "
            "image service make the smaller versions."
        ),
        options={"max_kb": Option(default=500, type=float, doc="kilobytes of 1024 bytes")},
    ),
)
