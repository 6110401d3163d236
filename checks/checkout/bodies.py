"""Response bodies as a browser holds them, decompressed, and never more than a cap.

httpx inflates a whole network read at once: 64 KiB of gzip become 64 MB, of brotli far
more, so a compression bomb on a checkout page could take all memory before any size
check. Here the body is inflated a bounded step at a time and refused past the cap, the
crawl's own (`crawl.max_response_bytes`). Only the encodings that can be inflated so are
asked for (ACCEPT_ENCODING); a server that sends another anyway is answered as unreadable.
"""

from __future__ import annotations

import zlib

ACCEPT_ENCODING = "gzip, deflate"
_STEP = 64 * 1024  # bytes inflated at most per step
_GZIP_OR_ZLIB = zlib.MAX_WBITS | 32  # either header, detected
_RAW_DEFLATE = -zlib.MAX_WBITS  # "deflate" without its zlib header, as some servers send it


class BodyProblem(Exception):
    """The body cannot be held: too large, or in an encoding that cannot be read."""


class Body:
    """A body fed chunk by chunk as it arrives (`feed`), then `done()` for its bytes."""

    def __init__(self, content_encoding: str, limit: int):
        self.limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c not in ("", "identity")]
        if len(codings) > 1 or codings[0:1] not in ([], ["gzip"], ["x-gzip"], ["deflate"]):
            raise BodyProblem(f"the answer is encoded as {content_encoding!r}, not asked for")
        self._inflate = zlib.decompressobj(_GZIP_OR_ZLIB) if codings else None
        self._raw = False  # fell back to raw deflate
        self._inflating = False  # output came: a later error is damage, not another format

    def feed(self, data: bytes) -> None:
        if self._inflate is None:
            self._keep(data)
            return
        while data and not self._inflate.eof:
            self._keep(self._inflated(data))
            data = self._inflate.unconsumed_tail

    def done(self) -> bytes:
        if self._inflate is not None and not self._inflate.eof:
            self._keep(self._inflate.flush())  # a stream cut short: what came, as browsers show
        return b"".join(self._parts)

    def _inflated(self, data: bytes) -> bytes:
        assert self._inflate is not None
        try:
            out = self._inflate.decompress(data, _STEP)
        except zlib.error:
            if self._inflating or self._raw:
                raise BodyProblem("the answer's compressed body is damaged") from None
            self._raw, self._inflate = True, zlib.decompressobj(_RAW_DEFLATE)
            return self._inflated(data)
        self._inflating = self._inflating or bool(out)
        return out

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self.limit:
            raise BodyProblem(f"the answer is larger than {self.limit:,} bytes (decompressed)")
        self._parts.append(data)
