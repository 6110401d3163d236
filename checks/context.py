"""What a rule needs besides the page or site: its settings, the date, and one way to
make a finding (severity override, ignore patterns and fingerprint applied in one place)."""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from checks.registry import REGISTRY, Rule
from checks.spelling.config import SpellingConfig, SpellingSettings
from ground.model import Finding, Severity
from ground.urls import Site, origin

EVIDENCE_LIMIT = 500  # characters
# the password of an address written with one (http://user:secret@host/), anywhere in a text
_PASSWORD = re.compile(r"(//[^/?#@\s:\"'<>]*:)[^/?#@\s\"'<>]*@")


@dataclass(frozen=True)
class RuleSettings:
    enabled: bool
    severity: Severity
    options: Mapping[str, Any]
    ignore: re.Pattern[str] | None  # URL globs, as one pattern


class CheckContext:
    """Per run: the effective settings of every rule, and the finding factory."""

    def __init__(
        self,
        rule_config: Mapping[str, Any],
        start_url: str,
        today: date,
        *,
        site_hosts: Iterable[str] = (),
        internal_only: bool = False,
        user_agent: str = "shoplint",
        spelling: SpellingConfig | None = None,
    ):
        self.today = today
        self.site_origin = origin(start_url)
        self.site = Site(start_url, site_hosts)  # tells the site's URLs from external ones
        self.internal_only = internal_only  # make no request outside the site
        self.user_agent = user_agent  # for requests rules make themselves (external links)
        self.spelling = SpellingSettings.of(spelling or SpellingConfig())  # words file read now
        self._settings = {
            code: _settings(rule, rule_config.get(code)) for code, rule in REGISTRY.items()
        }

    def settings(self, code: str) -> RuleSettings:
        return self._settings[code]

    def enabled(self, code: str) -> bool:
        return self._settings[code].enabled

    def option(self, code: str, name: str) -> Any:
        return self._settings[code].options[name]

    def finding(
        self, code: str, url: str, target: str | None, message: str, evidence: str | None = None
    ) -> Finding | None:
        """The finding, or None when the rule is off or the page is ignored for it. A
        password written into an address is masked (`user:***@`) wherever it shows."""
        settings = self._settings[code]
        if not settings.enabled or (settings.ignore and settings.ignore.match(url)):
            return None
        rule = REGISTRY[code]
        url, message = mask_password(url), mask_password(message)
        target = mask_password(target) if target else target
        evidence = clipped(mask_password(evidence)) if evidence else evidence
        return Finding(
            rule.family,
            code,
            settings.severity,
            rule.team,
            url,
            target,
            message,
            evidence,
            self.fingerprint(code, url, target),
        )

    def fingerprint(self, code: str, url: str, target: str | None) -> str:
        """Stable across runs, and across hosts of the same shop (staging, production):
        the site's own origin is left out of the addresses."""
        key = "|".join((code, self._site_relative(url), self._site_relative(target or "")))
        return hashlib.sha256(key.encode()).hexdigest()[:20]

    def _site_relative(self, url: str) -> str:
        return url.removeprefix(self.site_origin) if url.startswith(self.site_origin) else url


def clipped(evidence: str, room: int = EVIDENCE_LIMIT) -> str:
    """Evidence cut to fit `room` characters (a finding's evidence is a hint, not a copy)."""
    return evidence if len(evidence) <= room else evidence[: room - 1] + "…"


def shortened(text: str, limit: int) -> str:
    """A quoted text cut at a word before `limit` characters, marked as cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + " …"


def mask_password(text: str) -> str:
    """`text` with the password of every address in it written as ***."""
    return _PASSWORD.sub(r"\1***@", text) if "@" in text else text


def _settings(rule: Rule, config: Any) -> RuleSettings:
    if config is None:
        return RuleSettings(True, rule.severity, rule.defaults, None)
    ignore = "|".join(fnmatch.translate(glob) for glob in config.ignore)
    return RuleSettings(
        config.enabled,
        config.severity or rule.severity,
        {**rule.defaults, **config.options},
        re.compile(ignore) if ignore else None,
    )
