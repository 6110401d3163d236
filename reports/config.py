"""What the reports, the owners and the release gate read from shoplint.yml (`report:`,
`teams:`, `owners:`, `gate:`)."""

from __future__ import annotations

import enum
import fnmatch
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from checks.registry import FAMILY_PREFIXES, REGISTRY
from ground.model import Severity
from ground.sections import CompactSection, Section
from reports.i18n import N_

REPORT_FORMATS = ("html", "csv", "junit", "markdown")  # findings.json is always written


class ReportConfig(Section):
    out: str = "shoplint-report"
    formats: list[str] = Field(default_factory=lambda: list(REPORT_FORMATS))
    trend_runs: int = Field(12, ge=2, le=100)  # runs drawn in the overview's trend
    language: Literal["en", "nl"] = "en"  # every word of every report and `shoplint checks`
    url: str | None = None  # where CI publishes the report folder: the links in notifications

    @field_validator("url")
    @classmethod
    def _web_address(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"https?://[^/]", url):
            raise ValueError(f"expected an http(s) address, got {url!r}")
        return url if url is None or url.endswith("/") else url + "/"

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, formats: list[str]) -> list[str]:
        for name in formats:
            if name not in REPORT_FORMATS:
                raise ValueError(f"{name!r}: unknown format (known: {', '.join(REPORT_FORMATS)})")
        return formats


TEAM_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # also the owner page's file name
_GLOB_CHARACTERS = frozenset("*?[")


class TeamConfig(CompactSection):
    name: str = Field(min_length=1)  # as the reports show it
    email: str | list[str] | None = None  # its mail (notify.email): an address or a list

    @property
    def addresses(self) -> list[str]:
        return [self.email] if isinstance(self.email, str) else list(self.email or ())


def default_teams() -> dict[str, TeamConfig]:
    """The usual teams; their names are translated in the reports (report.language)."""
    return {
        "content": TeamConfig(name=N_("Content")),
        "marketing": TeamConfig(name=N_("Marketing")),
        "it": TeamConfig(name=N_("IT")),
        "inventory": TeamConfig(name=N_("Inventory")),
        "customer-service": TeamConfig(name=N_("Customer service")),
    }


class OwnerRule(CompactSection):
    """One ownership rule: when every condition it has matches a finding, `owner` gets it."""

    url: list[str] = Field(default_factory=list)  # globs on the page URL; * matches / too
    url_regex: str | None = None  # a regular expression searched in the page URL
    family: list[str] = Field(default_factory=list)  # links, images, pages, ...
    rule: list[str] = Field(default_factory=list)  # rule codes or names; globs allowed
    owner: str
    note: str | None = None  # why: `shoplint owners URL` shows it

    @field_validator("url", "family", "rule", mode="before")
    @classmethod
    def _one_or_a_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("url_regex")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression ({exc})") from None
        return pattern

    @field_validator("family")
    @classmethod
    def _known_families(cls, families: list[str]) -> list[str]:
        for family in families:
            if family not in FAMILY_PREFIXES:
                raise ValueError(
                    f"{family!r}: unknown family (known: {', '.join(FAMILY_PREFIXES)})"
                )
        return families

    @field_validator("rule")
    @classmethod
    def _known_rules(cls, patterns: list[str]) -> list[str]:
        """A pattern without wildcards must name a rule; a glob may match none yet."""
        names = {rule.name for rule in REGISTRY.values()}
        for pattern in patterns:
            if _GLOB_CHARACTERS.isdisjoint(pattern) and not (
                pattern.upper() in REGISTRY or pattern.lower() in names
            ):
                raise ValueError(f"{pattern!r}: no rule has this code or name")
        return patterns

    @model_validator(mode="after")
    def _has_a_condition(self) -> OwnerRule:
        if not (self.url or self.url_regex or self.family or self.rule):
            raise ValueError("a rule needs a condition: url, url_regex, family or rule")
        return self

    def matches_rule(self, code: str, name: str) -> bool:
        return any(
            fnmatch.fnmatchcase(code, pattern.upper()) or fnmatch.fnmatchcase(name, pattern.lower())
            for pattern in self.rule
        )


_PAGE = r"([/?#]|$)"  # the end of a URL path segment


def _default_owner_rules() -> list[OwnerRule]:
    """A shop's usual teams; the last matching rule wins, so the specific come last."""
    return [
        OwnerRule(
            url_regex=rf"/(acties|actie|aanbiedingen|promoties|promotions?|promo|sales?|deals"
            rf"|offers|angebote|aktionen){_PAGE}",
            owner="marketing",
            note="promotion pages are marketing's",
        ),
        OwnerRule(
            url_regex=rf"/(faq|veelgestelde-vragen|contact|klantenservice|customer-service"
            rf"|service|help|hulp|retourneren|retouren|returns?|kundenservice){_PAGE}",
            owner="customer-service",
            note="FAQ, contact and returns pages are customer service's",
        ),
        OwnerRule(
            url_regex=rf"/(afrekenen|checkout|kassa|kasse|winkelwagen|winkelmand|cart|basket"
            rf"|warenkorb){_PAGE}",
            owner="it",
            note="the cart and checkout pages are the shop platform's",
        ),
        OwnerRule(family=["checkout"], owner="it", note="a broken checkout is IT's"),
        OwnerRule(family=["seo"], owner="marketing", note="search results are marketing's"),
        OwnerRule(
            rule=["unlabelled-field", "required-marked-*", "missing-page-language", "zoom-blocked"],
            owner="it",
            note="forms and page structure are the templates': IT's",
        ),
        OwnerRule(rule=["*promotion*"], owner="marketing", note="promotions are marketing's"),
        OwnerRule(rule=["*stock*", "*sold-out*"], owner="inventory", note="stock is inventory's"),
        OwnerRule(
            rule=["*server-error*", "*stack-trace*", "*error-message*", "redirect-*"],
            owner="it",
            note="server errors and redirects are IT's, on whatever page they show",
        ),
        OwnerRule(rule=["cart-price-mismatch"], owner="content", note="prices are content's"),
    ]


class OwnersConfig(Section):
    default: str | None = None  # team of findings no rule matches; null: the rule's own
    rules: list[OwnerRule] = Field(default_factory=_default_owner_rules)


def check_owner_teams(owners: OwnersConfig, teams: Mapping[str, TeamConfig]) -> None:
    """Every finding must land with a declared team: the reports have a page per team.
    Raises ValueError naming the key."""
    declared = ", ".join(teams)
    for index, rule in enumerate(owners.rules):
        if rule.owner not in teams:
            raise ValueError(
                f"owners.rules.{index}.owner: {rule.owner!r} is not a team (teams: {declared})"
            )
    if owners.default is not None:
        if owners.default not in teams:
            raise ValueError(
                f"owners.default: {owners.default!r} is not a team (teams: {declared})"
            )
        return
    for rule in REGISTRY.values():
        if rule.team not in teams:
            raise ValueError(
                f"owners.default: rule {rule.code} belongs to team {rule.team!r} by default,"
                f" which is not declared under teams: declare it, or set owners.default"
            )


class GatePolicy(enum.StrEnum):
    """What fails the release gate (accepted findings never count)."""

    ERRORS = "errors"  # any finding of `severity` or worse
    MAX_PER_RULE = "max-per-rule"  # a rule with more findings than its maximum
    NEW = "new"  # any finding of `severity` or worse that the compared run did not have


class GateConfig(Section):
    policy: GatePolicy = GatePolicy.ERRORS
    severity: Severity = Severity.ERROR  # the least severe that counts (errors, new)
    max_per_rule: dict[str, int] = Field(default_factory=dict)  # code or "*" -> findings allowed
    baseline: str = "shoplint-baseline.yml"  # accepted findings (`shoplint accept`)
    compare_with: str = "previous"  # previous | none | a run id | a start URL (its last run)

    @field_validator("max_per_rule")
    @classmethod
    def _known_codes(cls, maxima: dict[str, int]) -> dict[str, int]:
        for code, maximum in maxima.items():
            if code != "*" and code not in REGISTRY:
                raise ValueError(f"{code}: unknown rule code (`shoplint checks` lists them)")
            if maximum < 0:
                raise ValueError(f"{code}: expected a number of findings >= 0, got {maximum}")
        return maxima

    @field_validator("compare_with", mode="before")
    @classmethod
    def _run_reference(cls, value: Any) -> Any:
        text = str(value)
        if text in ("previous", "none") or text.isdigit() or re.match(r"https?://", text):
            return text
        raise ValueError(f"expected previous, none, a run id or a start URL, got {value!r}")

    @model_validator(mode="after")
    def _policy_has_its_settings(self) -> GateConfig:
        if self.policy is GatePolicy.MAX_PER_RULE and not self.max_per_rule:
            raise ValueError("max_per_rule: the max-per-rule policy needs at least one maximum")
        return self
