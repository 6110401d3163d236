"""A fixture site with seeded image defects, to be merged with the other families' sites.

ROUTES: path -> page or Reply, every path under /images/; the entry page /images/ links to
every page. EXPECTED: (code, page path, image path or None) of every images finding the
crawl must make, and no other. CLEAN: pages that must have no images finding.

The huge poster (11 MB) relies on the crawl's default download limit (10 MB): it is
not downloaded, and reported as heavy all the same.
"""

from __future__ import annotations

import random
from io import BytesIO

from fixture_server import Reply, html_page, redirect, resource
from PIL import Image


def _image(fmt: str, width: int = 64, height: int = 48, color: str = "#c8102e") -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), color).save(out, fmt)
    return out.getvalue()


def _noise_png(width: int, height: int) -> bytes:
    """A valid PNG that does not compress: the bytes of a careless camera export."""
    pixels = random.Random(3).randbytes(width * height * 3)
    out = BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, "PNG", compress_level=1)
    return out.getvalue()


PNG = _image("PNG")
PNG_2X = _image("PNG", 128, 96)
JPEG = _image("JPEG", color="#1d4f91")
WEBP = _image("WEBP", color="#2e7d32")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120"/></svg>'
HEAVY_PNG = _noise_png(560, 400)  # about 660 KB
HUGE_PNG = b"\x89PNG\r\n\x1a\n" + bytes(11 * 1024 * 1024)  # over the 10 MB download limit

IMG = "/images/img/"


def _page(title: str, body: str) -> Reply:
    return html_page(f"<h1>{title}</h1>\n{body}", title=title, lang="nl")


DEFECT_PAGES = {
    "/images/product-missing/": f'<img src="{IMG}fiets-oud.png" alt="Rode stadsfiets">',
    "/images/product-gone/": f'<img src="{IMG}actie-2023.png" alt="Zomeractie 2023">',
    "/images/product-moved/": f'<img src="{IMG}verhuisd.png" alt="Blauwe racefiets">',
    "/images/product-loop/": f'<img src="{IMG}rondje.png" alt="Groene e-bike">',
    "/images/product-srcset/": (
        f'<img src="{IMG}ok.png" srcset="{IMG}ok.png 1x, {IMG}fiets-2x.png 2x" alt="Bakfiets">'
    ),
    "/images/product-picture/": (
        f'<picture><source srcset="{IMG}detail.webp" type="image/webp">'
        f'<img src="{IMG}ok.jpg" alt="Detail van het stuur"></picture>'
    ),
    "/images/product-server-error/": f'<img src="{IMG}server-fout.png" alt="Kinderfiets">',
    "/images/product-empty/": f'<img src="{IMG}leeg.png" alt="Fietsslot">',
    "/images/product-truncated/": f'<img src="{IMG}afgebroken.png" alt="Fietstas">',
    "/images/product-html/": f'<img src="{IMG}pagina.png" alt="Fietspomp">',
    "/images/product-garbage/": f'<img src="{IMG}onzin.jpg" alt="Zadel">',
    "/images/product-no-alt/": f'<img src="{IMG}ok.png" width="64" height="48">',
    "/images/blog-empty-alt/": (
        f'<p>Zo zet je het zadel op de juiste hoogte:</p><img src="{IMG}ok.jpg" alt="">'
    ),
    "/images/category-heavy/": f'<img src="{IMG}e-bikes-groot.png" alt="Een rij e-bikes">',
    "/images/poster/": f'<img src="{IMG}poster-origineel.png" alt="Poster van de winkel">',
}

CLEAN_PAGES = {
    "/images/clean-decorative/": (
        f'<img src="{IMG}ok.png" alt="Onze winkel">'
        f'<img src="{IMG}scheiding.png" alt="" role="presentation">'
        f'<img src="{IMG}ster.png" alt="" role="none"><img src="{IMG}pijl.png" aria-hidden="true">'
    ),
    "/images/clean-responsive/": (
        f'<img src="{IMG}ok.png" srcset="{IMG}ok.png 64w, {IMG}ok-2x.png 128w" '
        f'sizes="(max-width: 600px) 64px, 128px" alt="Stadsfiets">'
        f'<picture><source srcset="{IMG}ok.webp" type="image/webp">'
        f'<source srcset="{IMG}ok.jpg 1x, {IMG}ok-2x.png 2x"><img src="{IMG}ok.jpg" alt="Stuur">'
        f'</picture><img src="{IMG}oude-naam.png" alt="Via een redirect">'
    ),
    "/images/clean-svg/": f'<img src="{IMG}logo.svg" alt="De Spaak">',
    "/images/clean-linked/": (
        f'<a href="/images/clean-svg/"><img src="{IMG}ok.png" alt=""> Rode stadsfiets</a>'
        f'<noscript><img src="{IMG}pixel.png" width="1" height="1" style="display:none">'
        "</noscript>"
    ),
}

INDEX = "/images/"  # the entry page: links to every page of this site
INDEX_BODY = "".join(f'<a href="{path}">{path}</a>\n' for path in (*DEFECT_PAGES, *CLEAN_PAGES))

ROUTES: dict[str, str | Reply] = {
    INDEX: _page("Afbeeldingen", INDEX_BODY),
    **{path: _page(path.strip("/").split("/")[-1], body) for path, body in DEFECT_PAGES.items()},
    **{path: _page(path.strip("/").split("/")[-1], body) for path, body in CLEAN_PAGES.items()},
    f"{IMG}ok.png": resource(PNG, "image/png"),
    f"{IMG}ok-2x.png": resource(PNG_2X, "image/png"),
    f"{IMG}ok.jpg": resource(JPEG, "image/jpeg"),
    f"{IMG}ok.webp": resource(WEBP, "image/webp"),
    f"{IMG}logo.svg": resource(SVG, "image/svg+xml"),
    f"{IMG}scheiding.png": resource(PNG, "image/png"),
    f"{IMG}ster.png": resource(PNG, "image/png"),
    f"{IMG}pijl.png": resource(PNG, "image/png"),
    f"{IMG}pixel.png": resource(PNG, "image/png"),
    f"{IMG}oude-naam.png": redirect(f"{IMG}ok.png"),
    # the defects
    f"{IMG}actie-2023.png": resource(b"Gone", "text/plain", status=410),
    f"{IMG}verhuisd.png": redirect(f"{IMG}nergens.png"),  # -> 404
    f"{IMG}rondje.png": redirect(f"{IMG}rondje-2.png", 302),
    f"{IMG}rondje-2.png": redirect(f"{IMG}rondje.png", 302),
    f"{IMG}server-fout.png": resource(b"Internal Server Error", "text/plain", status=500),
    f"{IMG}leeg.png": resource(b"", "image/png"),
    f"{IMG}afgebroken.png": resource(HEAVY_PNG[:2000], "image/png"),
    f"{IMG}pagina.png": _page("Afbeelding verplaatst", "<p>Deze afbeelding is verplaatst.</p>"),
    f"{IMG}onzin.jpg": resource(b"this is not a JPEG", "image/jpeg"),
    f"{IMG}e-bikes-groot.png": resource(HEAVY_PNG, "image/png"),
    f"{IMG}poster-origineel.png": resource(HUGE_PNG, "image/png"),
}

EXPECTED: list[tuple[str, str, str | None]] = [
    ("IMG001", "/images/product-missing/", f"{IMG}fiets-oud.png"),  # 404
    ("IMG001", "/images/product-gone/", f"{IMG}actie-2023.png"),  # 410
    ("IMG001", "/images/product-moved/", f"{IMG}verhuisd.png"),  # 301 -> 404
    ("IMG001", "/images/product-loop/", f"{IMG}rondje.png"),  # 302 loop
    ("IMG001", "/images/product-srcset/", f"{IMG}fiets-2x.png"),  # srcset candidate 404
    ("IMG001", "/images/product-picture/", f"{IMG}detail.webp"),  # <picture> source 404
    ("IMG002", "/images/product-server-error/", f"{IMG}server-fout.png"),  # 500
    ("IMG003", "/images/product-empty/", f"{IMG}leeg.png"),  # zero bytes
    ("IMG003", "/images/product-truncated/", f"{IMG}afgebroken.png"),  # cut-off PNG
    ("IMG003", "/images/product-html/", f"{IMG}pagina.png"),  # text/html
    ("IMG003", "/images/product-garbage/", f"{IMG}onzin.jpg"),  # not a JPEG at all
    ("IMG004", "/images/product-no-alt/", f"{IMG}ok.png"),  # no alt attribute
    ("IMG004", "/images/blog-empty-alt/", f"{IMG}ok.jpg"),  # alt="" on a content image
    ("IMG005", "/images/category-heavy/", f"{IMG}e-bikes-groot.png"),  # ~660 KB
    ("IMG005", "/images/poster/", f"{IMG}poster-origineel.png"),  # 11 MB, not downloaded
]

CLEAN: list[str] = [INDEX, *CLEAN_PAGES]
