"""The findings of one walked flow, made in one place."""

from __future__ import annotations

import re
from collections.abc import Callable

from checks.context import CheckContext
from ground.model import Finding

SCREENSHOTS = "screenshots"  # the report folder's subfolder of failed browser steps' pictures
# how a finding's evidence names a picture (the HTML report makes it a link)
SCREENSHOT_NOTE = re.compile(rf"screenshot: ({SCREENSHOTS}/[A-Za-z0-9._-]+\.png)")


def with_screenshot(evidence: str | None, screenshot: str | None) -> str | None:
    """The evidence, with the failed step's picture (a path in the report folder) named."""
    if screenshot is None:
        return evidence
    shot = f"screenshot: {screenshot}"
    return f"{evidence} | {shot}" if evidence else shot


class FlowFindings:
    """Findings through the context (settings, owner, fingerprint), each page address in
    its crawl-key form, once per (code, page, target), no secret in any of their text.

    A finding about what the flow built (a step that failed or was slow, a wrong price, an
    error message, a missing policy link) has the flow's start page as its target: the
    product in the cart, which tells two flows' findings on the same page apart. A finding
    about a link, an image or an insecure address has that address as its target."""

    def __init__(
        self,
        ctx: CheckContext,
        normalize: Callable[[str], str | None],
        start_url: str,
        redact: Callable[[str], str],
    ):
        self.ctx = ctx
        self.redact = redact  # blanks out the flow's secrets: applied before anything is cut
        self._normalize = normalize
        self.start_url = self.page(start_url)
        self.found: list[Finding] = []
        self._keys: set[tuple[str, str, str | None]] = set()

    def page(self, url: str) -> str:
        return self._normalize(url) or url

    def add(
        self, code: str, url: str, target: str | None, message: str, evidence: str | None = None
    ) -> None:
        key = (code, self.redact(self.page(url)), target and self.redact(target))
        if key in self._keys:
            return
        self._keys.add(key)
        evidence = evidence and self.redact(evidence)
        finding = self.ctx.finding(code, key[1], key[2], self.redact(message), evidence)
        if finding is not None:
            self.found.append(finding)

    def about_flow(self, code: str, url: str, message: str, evidence: str | None = None) -> None:
        self.add(code, url, self.start_url, message, evidence)
