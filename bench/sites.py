"""The sites bench/site_bench.py serves besides the shop: a folder of static files (a real
site, e.g. Debian's python3-doc), and generated documentation-like sites whose page count,
page size and link count are chosen (many small pages; a few very large ones).

Both are `site_server.Site`s: request target -> (content type, bytes), and the HTML pages.
"""

from __future__ import annotations

import math
import mimetypes
import os
import random
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from shopgen import paragraph_pool, png

HTML_SUFFIXES = (".html", ".htm")
_HREF = re.compile(rb"""href\s*=\s*["']([^"'#]*)""")
PARAGRAPH_CHARS = 440  # at most, each with one link: ~40 links in 15 KB, ~80 in 30 KB


@dataclass
class StaticSite:
    resources: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    html: set[str] = field(default_factory=set)
    ignore_query: bool = True  # a static file is the same whatever the query (`a.css?v=2`)

    def add(self, target: str, ctype: str, body: bytes, page: bool = False) -> None:
        self.resources[target] = (ctype, body)
        if page:
            self.html.add(target)


def content_type(name: str) -> str:
    """By extension, as a static server would; compressed files are opaque bytes."""
    ctype, encoding = mimetypes.guess_type(name, strict=False)
    if encoding or not ctype:
        return "application/octet-stream"
    return f"{ctype}; charset=utf-8" if ctype.startswith("text/") else ctype


def load_folder(root: Path) -> StaticSite:
    """Every file under `root` at its path (symlinks followed); a directory's index.html
    also at "dir/" (an alias, served but not counted as a page: its file is the page)."""
    site = StaticSite()
    root = root.resolve()
    for dirpath, _, files in os.walk(root, followlinks=True):
        rel = Path(dirpath).relative_to(root).as_posix()
        prefix = "/" if rel == "." else f"/{quote(rel)}/"
        for name in sorted(files):
            body = (Path(dirpath) / name).read_bytes()
            ctype = content_type(name)
            site.add(prefix + quote(name), ctype, body, page=name.endswith(HTML_SUFFIXES))
            if name == "index.html":
                site.add(prefix, ctype, body)
    return site


def linked_from_others(site: StaticSite, targets: Collection[str]) -> set[str]:
    """Which of `targets` some other page of the site links to (a crawler can find those;
    the rest only a tool given every page can)."""
    found = set()
    for page in site.html:
        for href in _HREF.findall(site.resources[page][1]):
            url = urlsplit(urljoin("http://site" + page, unescape(href.decode(errors="replace"))))
            if url.netloc == "site" and url.path in targets and url.path != page:
                found.add(url.path)
    return found


def generated_site(n_pages: int, page_bytes: int, seed: int = 1) -> StaticSite:
    """`n_pages` pages of ~`page_bytes` each, a link per paragraph (~370 bytes), so a larger
    page is the same page with more paragraphs and links. A home page lists ~sqrt(N)
    sections, each section lists its pages (every page is within 2 links of `/`); every
    page has a header (logo, the first 8 sections), then paragraphs each with a link to a
    random page, four in five relative (`../sec-2/page-7.html`, `page-8.html`)."""
    rng = random.Random(seed)
    paras = paragraph_pool(rng, 400)
    n_sections = min(math.isqrt(n_pages), n_pages - 1)
    sections = [f"/sec-{s + 1}/" for s in range(n_sections)]
    leaves: list[list[str]] = [[] for _ in sections]
    for i in range(n_pages - 1 - n_sections):
        leaves[i % n_sections].append(f"{sections[i % n_sections]}page-{i + 1}.html")
    targets = ["/", *sections, *(p for sec in leaves for p in sec)]
    site = StaticSite(ignore_query=False)
    site.add("/logo.png", "image/png", png(64, 32, (30, 90, 160), rng))
    nav = [("/", "Home"), *((s, f"Section {i + 1}") for i, s in enumerate(sections[:8]))]
    for target in targets:
        if target == "/":
            listing = [(s, f"Section {i + 1}") for i, s in enumerate(sections)]
        elif target in sections:
            pages = leaves[sections.index(target)]
            listing = [(p, f"Page {p.rsplit('-', 1)[1][:-5]}") for p in pages]
        else:
            listing = []
        html = _page(target, nav + listing, targets, page_bytes, paras, random.Random(target))
        site.add(target, "text/html; charset=utf-8", html.encode(), page=True)
    return site


def _href(from_target: str, to: str, i: int) -> str:
    """Absolute one time in five, else relative to `from_target`'s directory."""
    if i % 5 == 4:
        return to
    rel = os.path.relpath(to, from_target.rsplit("/", 1)[0] or "/")
    rel = rel + "/" if to.endswith("/") and rel != "." else rel
    if rel == ".":
        return "./"
    return "./" + rel if i % 5 == 0 and not rel.startswith("..") else rel


def _page(
    target: str,
    links: list[tuple[str, str]],
    targets: list[str],
    size: int,
    paras: list[str],
    rng: random.Random,
) -> str:
    """One page: header and listing `links`, then paragraphs with a link each up to `size`."""
    items = "".join(
        f'<li><a href="{_href(target, to, i)}">{escape(text)}</a></li>\n'
        for i, (to, text) in enumerate(links)
    )
    out = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Handbook: {escape(target)}</title>\n"
        f'<meta name="description" content="The handbook, page {escape(target)}.">\n'
        f'</head>\n<body>\n<header><a href="{_href(target, "/", 0)}">'
        '<img src="/logo.png" alt="Handbook" width="64" height="32"></a></header>\n'
        f"<nav><ul>\n{items}</ul></nav>\n<main>\n<h1>Handbook {escape(target)}</h1>\n"
    ]
    have, i = len(out[0]), len(links)
    while have < size:
        if i % 12 == 0:
            out.append(f"<h2>Part {i // 12 + 1}</h2>\n")
        text = paras[rng.randrange(len(paras))]
        cut = text.find(" ", PARAGRAPH_CHARS)
        text = text[:cut] if cut > 0 else text
        words = text.find(" ", 20)
        href = _href(target, rng.choice(targets), i)
        out.append(f'<p><a href="{href}">{text[:words]}</a>{text[words:]}</p>\n')
        have += len(out[-1])
        i += 1
    out.append("</main>\n<footer><p>&copy; The handbook.</p></footer>\n</body>\n</html>\n")
    return "".join(out)
