"""Deterministic, dependency-free PNG images for the demo shop.

Every image is drawn in pure Python (zlib + struct) from a seed string, so the
same URL always yields the same bytes. Results are cached per process.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
import struct
import zlib

__all__ = [
    "encode_png",
    "product_image",
    "category_image",
    "blog_image",
    "banner_image",
    "logo_image",
    "divider_image",
    "favicon_png",
    "favicon_ico",
    "heavy_image",
    "truncated_png",
]


# --------------------------------------------------------------------------- encoding


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def encode_png(width: int, height: int, rgb: bytes | bytearray, level: int = 9) -> bytes:
    """Encode 8-bit RGB pixel data (row-major, no padding) as a PNG file."""
    stride = width * 3
    if len(rgb) != stride * height:
        raise ValueError("pixel buffer has the wrong size")
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter type: None
        raw += rgb[y * stride : (y + 1) * stride]
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(bytes(raw), level))
        + _chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- drawing


Color = tuple[int, int, int]


def _hex(color: str) -> Color:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def _mix(a: Color, b: Color, t: float) -> Color:
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))  # type: ignore[return-value]


def _seed_color(seed: str) -> Color:
    digest = hashlib.sha256(seed.encode()).digest()
    hue = digest[0] / 255
    # a saturated colour from the hue wheel, never too dark or too light
    r = 0.5 + 0.5 * math.cos(2 * math.pi * (hue + 0.0))
    g = 0.5 + 0.5 * math.cos(2 * math.pi * (hue + 1 / 3))
    b = 0.5 + 0.5 * math.cos(2 * math.pi * (hue + 2 / 3))
    return round(40 + 160 * r), round(40 + 160 * g), round(40 + 160 * b)


class Canvas:
    def __init__(self, width: int, height: int, background: Color):
        self.w = width
        self.h = height
        self.px = bytearray(bytes(background) * (width * height))

    def vertical_gradient(self, top: Color, bottom: Color) -> None:
        for y in range(self.h):
            row = bytes(_mix(top, bottom, y / max(1, self.h - 1))) * self.w
            self.px[y * self.w * 3 : (y + 1) * self.w * 3] = row

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: Color) -> None:
        x0, x1 = max(0, int(x0)), min(self.w, int(x1))
        y0, y1 = max(0, int(y0)), min(self.h, int(y1))
        if x1 <= x0:
            return
        row = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.w + x0) * 3
            self.px[start : start + len(row)] = row

    def _span(self, y: int, xa: float, xb: float, color: Color) -> None:
        """Fill pixels x in [xa, xb] of row y."""
        x0, x1 = max(0, math.ceil(xa)), min(self.w - 1, math.floor(xb))
        if 0 <= y < self.h and x1 >= x0:
            start = (y * self.w + x0) * 3
            self.px[start : start + (x1 - x0 + 1) * 3] = bytes(color) * (x1 - x0 + 1)

    def ring(self, cx: float, cy: float, r_out: float, r_in: float, color: Color) -> None:
        for y in range(max(0, math.ceil(cy - r_out)), min(self.h - 1, math.floor(cy + r_out)) + 1):
            dy2 = (y - cy) ** 2
            half_out = math.sqrt(max(0.0, r_out * r_out - dy2))
            if r_in > 0 and dy2 < r_in * r_in:
                half_in = math.sqrt(r_in * r_in - dy2)
                self._span(y, cx - half_out, cx - half_in, color)
                self._span(y, cx + half_in, cx + half_out, color)
            else:
                self._span(y, cx - half_out, cx + half_out, color)

    def disc(self, cx: float, cy: float, r: float, color: Color) -> None:
        self.ring(cx, cy, r, 0, color)

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float, color: Color) -> None:
        """A thick line with round caps (a capsule), filled row by row."""
        r = width / 2
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        y_lo = max(0, math.ceil(min(y0, y1) - r))
        y_hi = min(self.h - 1, math.floor(max(y0, y1) + r))
        for y in range(y_lo, y_hi + 1):
            lo, hi = math.inf, -math.inf
            for cx, cy in ((x0, y0), (x1, y1)):  # the round caps
                d2 = r * r - (y - cy) ** 2
                if d2 >= 0:
                    h = math.sqrt(d2)
                    lo, hi = min(lo, cx - h), max(hi, cx + h)
            if length > 0:
                # the band: |cross(p - a, d)| <= r * |d| and 0 <= dot(p - a, d) <= |d|^2,
                # both linear in x for a fixed row
                band = [-math.inf, math.inf]
                for coef, const, low, high in (
                    (dy, -(y - y0) * dx, -r * length, r * length),
                    (dx, (y - y0) * dy, 0.0, length * length),
                ):
                    if abs(coef) < 1e-12:
                        if not low <= const <= high:
                            band = [math.inf, -math.inf]
                        continue
                    a, b = (low - const) / coef + x0, (high - const) / coef + x0
                    band = [max(band[0], min(a, b)), min(band[1], max(a, b))]
                if band[0] <= band[1]:
                    lo, hi = min(lo, band[0]), max(hi, band[1])
            if lo <= hi:
                self._span(y, lo, hi, color)

    def png(self) -> bytes:
        return encode_png(self.w, self.h, self.px)


def _bike(c: Canvas, color: Color, kind: str) -> None:
    """Draw a simple bicycle silhouette scaled to the canvas."""
    w, h = c.w, c.h
    s = min(w / 640, h / 480)
    ox, oy = (w - 640 * s) / 2, (h - 480 * s) / 2

    def p(x: float, y: float) -> tuple[float, float]:
        return ox + x * s, oy + y * s

    dark = (40, 40, 48)
    wheel_r = 95 if kind != "kinderfietsen" else 70
    rear = p(190, 320)
    front = p(450, 320)
    if kind == "kinderfietsen":
        rear, front = p(220, 340), p(420, 340)
    for cx, cy in (rear, front):
        c.ring(cx, cy, wheel_r * s, (wheel_r - 12) * s, dark)
        c.disc(cx, cy, 7 * s, dark)
    seat = p(275, 180) if kind != "kinderfietsen" else p(290, 230)
    crank = p(310, 325) if kind != "kinderfietsen" else p(320, 345)
    head = p(420, 175) if kind != "kinderfietsen" else p(395, 225)
    lw = 13 * s
    c.line(*rear, *crank, lw, color)
    c.line(*rear, *seat, lw, color)
    c.line(*seat, *crank, lw, color)
    c.line(*seat, *head, lw, color)
    c.line(*crank, *head, lw, color)
    c.line(*head, *front, lw, color)
    # saddle
    c.line(seat[0] - 28 * s, seat[1] - 16 * s, seat[0] + 22 * s, seat[1] - 16 * s, 10 * s, dark)
    c.line(*seat, seat[0], seat[1] - 16 * s, 8 * s, dark)
    # handlebar
    if kind == "racefietsen":
        c.line(head[0], head[1], head[0] + 30 * s, head[1] - 10 * s, 9 * s, dark)
        c.line(head[0] + 30 * s, head[1] - 10 * s, head[0] + 38 * s, head[1] + 22 * s, 9 * s, dark)
    else:
        c.line(head[0], head[1], head[0] - 10 * s, head[1] - 40 * s, 9 * s, dark)
        c.line(head[0] - 30 * s, head[1] - 42 * s, head[0] + 12 * s, head[1] - 42 * s, 9 * s, dark)
    if kind == "e-bikes":
        # battery on the down tube
        bx, by = p(345, 235)
        c.rect(bx - 22 * s, by - 18 * s, bx + 26 * s, by + 18 * s, (30, 30, 30))
        c.rect(bx - 16 * s, by - 10 * s, bx + 20 * s, by + 10 * s, (120, 220, 120))
    if kind == "stadsfietsen":
        # rear rack and mudguard hint
        c.line(rear[0] - 10 * s, rear[1] - 105 * s, seat[0], seat[1] + 10 * s, 8 * s, dark)


def _accessory(c: Canvas, color: Color, seed: str) -> None:
    w, h = c.w, c.h
    cx, cy = w / 2, h / 2
    variant = hashlib.sha256(seed.encode()).digest()[1] % 3
    if variant == 0:  # lock
        c.ring(cx, cy - h * 0.12, h * 0.22, h * 0.15, (70, 70, 80))
        c.rect(cx - h * 0.28, cy - h * 0.08, cx + h * 0.28, cy + h * 0.3, color)
        c.disc(cx, cy + h * 0.1, h * 0.04, (30, 30, 30))
    elif variant == 1:  # bag
        c.rect(cx - h * 0.32, cy - h * 0.2, cx + h * 0.32, cy + h * 0.3, color)
        flap = _mix(color, (0, 0, 0), 0.3)
        c.rect(cx - h * 0.32, cy - h * 0.2, cx + h * 0.32, cy - h * 0.1, flap)
        c.line(cx - h * 0.15, cy - h * 0.2, cx - h * 0.1, cy - h * 0.35, h * 0.03, (50, 50, 50))
        c.line(cx + h * 0.15, cy - h * 0.2, cx + h * 0.1, cy - h * 0.35, h * 0.03, (50, 50, 50))
    else:  # helmet / lamp
        c.disc(cx, cy + h * 0.05, h * 0.3, color)
        pale = _mix(color, (255, 255, 255), 0.85)
        c.rect(cx - h * 0.32, cy + h * 0.05, cx + h * 0.32, cy + h * 0.38, pale)
        c.rect(cx - h * 0.2, cy - h * 0.1, cx + h * 0.2, cy - h * 0.05, (255, 255, 255))


def _part(c: Canvas, color: Color) -> None:
    w, h = c.w, c.h
    cx, cy = w / 2, h / 2
    r = h * 0.3
    c.ring(cx, cy, r, r * 0.55, color)
    teeth = 18
    for i in range(teeth):
        a = 2 * math.pi * i / teeth
        x0, y0 = cx + math.cos(a) * r * 0.95, cy + math.sin(a) * r * 0.95
        x1, y1 = cx + math.cos(a) * r * 1.18, cy + math.sin(a) * r * 1.18
        c.line(x0, y0, x1, y1, h * 0.045, color)
    c.disc(cx, cy, r * 0.2, _mix(color, (0, 0, 0), 0.4))


@functools.lru_cache(maxsize=512)
def product_image(slug: str, category: str, color: str | None, width: int, height: int) -> bytes:
    base = _hex(color) if color else _seed_color(slug)
    c = Canvas(width, height, (0, 0, 0))
    c.vertical_gradient(_mix(base, (255, 255, 255), 0.88), _mix(base, (255, 255, 255), 0.7))
    c.rect(0, height * 0.86, width, height, _mix(base, (120, 120, 120), 0.6))
    if category in {"racefietsen", "stadsfietsen", "e-bikes", "kinderfietsen"}:
        _bike(c, base, category)
    elif category == "accessoires":
        _accessory(c, base, slug)
    else:
        _part(c, base)
    return c.png()


@functools.lru_cache(maxsize=64)
def category_image(slug: str, category: str, width: int = 320, height: int = 200) -> bytes:
    return product_image("categorie-" + slug, category, None, width, height)


@functools.lru_cache(maxsize=64)
def blog_image(slug: str, width: int = 480, height: int = 270) -> bytes:
    base = _seed_color("blog-" + slug)
    c = Canvas(width, height, (0, 0, 0))
    c.vertical_gradient(_mix(base, (255, 255, 255), 0.6), base)
    rnd = random.Random(slug)
    for _ in range(6):
        r = rnd.uniform(0.08, 0.2) * height
        c.ring(rnd.uniform(0, width), rnd.uniform(0, height), r, r * 0.8, (255, 255, 255))
    return c.png()


@functools.lru_cache(maxsize=4)
def banner_image(width: int = 960, height: int = 320) -> bytes:
    c = Canvas(width, height, (0, 0, 0))
    c.vertical_gradient((255, 214, 140), (233, 120, 60))
    c.rect(0, height * 0.82, width, height, (70, 110, 70))
    for i, col in enumerate(((20, 80, 140), (170, 30, 40), (30, 120, 80))):
        sub = Canvas(300, 225, (0, 0, 0))
        _bike(sub, col, ("racefietsen", "stadsfietsen", "e-bikes")[i])
        # paste the bike (skip the black background) onto the banner
        x_off, y_off = 40 + i * 310, int(height * 0.82) - 205
        for y in range(sub.h):
            ty = y + y_off
            if not 0 <= ty < height:
                continue
            for x in range(sub.w):
                i3 = (y * sub.w + x) * 3
                if sub.px[i3 : i3 + 3] != b"\x00\x00\x00":
                    tx = x + x_off
                    if 0 <= tx < width:
                        j = (ty * width + tx) * 3
                        c.px[j : j + 3] = sub.px[i3 : i3 + 3]
    return c.png()


@functools.lru_cache(maxsize=2)
def logo_image(width: int = 180, height: int = 48) -> bytes:
    c = Canvas(width, height, (255, 255, 255))
    c.rect(0, 0, width, height, (22, 74, 110))
    c.ring(24, 24, 18, 14, (255, 255, 255))
    for i in range(8):
        a = math.pi * i / 4
        c.line(24, 24, 24 + math.cos(a) * 15, 24 + math.sin(a) * 15, 2, (255, 255, 255))
    c.rect(52, 14, 170, 20, (255, 196, 0))
    c.rect(52, 28, 140, 34, (255, 255, 255))
    return c.png()


@functools.lru_cache(maxsize=2)
def divider_image(width: int = 600, height: int = 12) -> bytes:
    c = Canvas(width, height, (255, 255, 255))
    for x in range(0, width, 24):
        c.disc(x + 12, height / 2, 4, (200, 160, 90))
    return c.png()


@functools.lru_cache(maxsize=2)
def favicon_png(size: int = 32) -> bytes:
    c = Canvas(size, size, (22, 74, 110))
    c.ring(size / 2, size / 2, size * 0.42, size * 0.32, (255, 255, 255))
    c.disc(size / 2, size / 2, size * 0.1, (255, 196, 0))
    return c.png()


@functools.lru_cache(maxsize=2)
def favicon_ico() -> bytes:
    """A .ico container holding one 32x32 PNG image."""
    png = favicon_png(32)
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", 32, 32, 0, 0, 1, 32, len(png), 6 + 16)
    return header + entry + png


@functools.lru_cache(maxsize=1)
def heavy_image(width: int = 560, height: int = 400) -> bytes:
    """A valid but needlessly heavy PNG (about 670 KB of deterministic noise)."""
    rnd = random.Random(20240501)
    return encode_png(width, height, rnd.randbytes(width * height * 3), level=1)


@functools.lru_cache(maxsize=8)
def truncated_png(slug: str, category: str) -> bytes:
    """The first part of a valid PNG: signature and header are fine, the data is cut off."""
    full = product_image(slug, category, None, 640, 480)
    return full[: max(60, len(full) // 3)]
