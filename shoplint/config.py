"""shoplint.yml: the configuration, validated on load.

Every option has a default, so `shoplint run URL` works without a file. A wrong key or
type stops the run with one line naming the key path and what was expected.
"""

from __future__ import annotations

import enum
import fnmatch
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from checks import REGISTRY
from checks.checkout.flow import Flow, as_flow_list, unique_names
from checks.rules import FAMILY_PREFIXES
from shoplint.errors import ConfigError
from shoplint.model import Severity

DEFAULT_CONFIG_FILE = "shoplint.yml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteConfig(_Section):
    hosts: list[str] = Field(default_factory=list)  # host or host:port that also count as the site


class CrawlConfig(_Section):
    concurrency: int = Field(8, ge=1, le=256)  # requests in parallel per host
    download_timeout: float = Field(20, gt=0)  # seconds
    retries: int = Field(2, ge=0, le=10)  # extra attempts on transient errors
    obey_robots: bool = True
    autothrottle: bool = True
    user_agent: str | None = None  # None: shoplint's own, see crawler/settings.py
    max_pages: int = Field(50_000, ge=0)  # HTML pages; 0 = no limit
    max_depth: int = Field(0, ge=0)  # link hops from a seed; 0 = no limit
    max_response_bytes: int = Field(10 * 1024 * 1024, ge=1024)  # larger bodies are dropped
    max_url_length: int = Field(2048, ge=64)  # characters
    max_query_variants: int = Field(30, ge=1)  # distinct query strings per path (facet traps)
    max_redirects: int = Field(20, ge=1)  # hops before a chain is given up
    internal_only: bool = False  # make no request outside the site
    drop_params: list[str] = Field(
        default_factory=lambda: [
            "utm_*",
            "gclid",
            "fbclid",
            "msclkid",
            "mc_cid",
            "mc_eid",
            "_ga",
            "_gl",
            "sessionid",
            "sid",
            "phpsessid",
            "jsessionid",
            "sessid",
        ]
    )  # query parameters removed from URLs (globs, case-insensitive)
    exclude: list[str] = Field(default_factory=list)  # URL globs never fetched
    # processes running the page checks beside the crawl; None: one when the machine has a
    # second core; 0: the checks run in the crawl's own process
    check_workers: int | None = Field(None, ge=0, le=8)


class StoreConfig(_Section):
    path: str = "shoplint.db"
    keep_runs: int = Field(30, ge=0)  # runs kept per start URL, newest first; 0 = all


REPORT_FORMATS = ("html", "csv", "junit", "markdown")  # findings.json is always written


class ReportConfig(_Section):
    out: str = "shoplint-report"
    formats: list[str] = Field(default_factory=lambda: list(REPORT_FORMATS))
    trend_runs: int = Field(12, ge=2, le=100)  # runs drawn in the overview's trend

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, formats: list[str]) -> list[str]:
        for name in formats:
            if name not in REPORT_FORMATS:
                raise ValueError(f"{name!r}: unknown format (known: {', '.join(REPORT_FORMATS)})")
        return formats


class RuleConfig(_Section):
    enabled: bool = True
    severity: Severity | None = None  # None: the rule's default
    options: dict[str, Any] = Field(default_factory=dict)  # see `shoplint checks CODE`
    ignore: list[str] = Field(default_factory=list)  # URL globs of pages the rule skips


TEAM_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # also the owner page's file name
_GLOB_CHARACTERS = frozenset("*?[")


class _Compact(_Section):
    """Dumped without its empty keys, so the starter file and digests stay readable."""

    @model_serializer(mode="wrap")
    def _without_empty(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {key: value for key, value in handler(self).items() if value not in (None, [])}


class TeamConfig(_Compact):
    name: str = Field(min_length=1)  # as the reports show it
    email: str | None = None


def _default_teams() -> dict[str, TeamConfig]:
    return {
        "content": TeamConfig(name="Content"),
        "marketing": TeamConfig(name="Marketing"),
        "it": TeamConfig(name="IT"),
        "inventory": TeamConfig(name="Inventory"),
        "customer-service": TeamConfig(name="Customer service"),
    }


class OwnerRule(_Compact):
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
        OwnerRule(rule=["*promotion*"], owner="marketing", note="promotions are marketing's"),
        OwnerRule(rule=["*stock*", "*sold-out*"], owner="inventory", note="stock is inventory's"),
        OwnerRule(
            rule=["*server-error*", "*stack-trace*", "*error-message*", "redirect-*"],
            owner="it",
            note="server errors and redirects are IT's, on whatever page they show",
        ),
        OwnerRule(rule=["cart-price-mismatch"], owner="content", note="prices are content's"),
    ]


class OwnersConfig(_Section):
    default: str | None = None  # team of findings no rule matches; null: the rule's own
    rules: list[OwnerRule] = Field(default_factory=_default_owner_rules)


class GatePolicy(enum.StrEnum):
    """What fails the release gate (accepted findings never count)."""

    ERRORS = "errors"  # any finding of `severity` or worse
    MAX_PER_RULE = "max-per-rule"  # a rule with more findings than its maximum
    NEW = "new"  # any finding of `severity` or worse that the compared run did not have


class GateConfig(_Section):
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


class Config(_Section):
    site: SiteConfig = Field(default_factory=SiteConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    checks: dict[str, RuleConfig] = Field(default_factory=dict)  # rule code -> settings
    teams: dict[str, TeamConfig] = Field(default_factory=_default_teams)  # id -> team
    owners: OwnersConfig = Field(default_factory=OwnersConfig)
    gate: GateConfig = Field(default_factory=GateConfig)
    checkout: list[Flow] | None = None  # the checkout flows: checks/checkout/flow.py

    @field_validator("teams")
    @classmethod
    def _team_ids(cls, teams: dict[str, TeamConfig]) -> dict[str, TeamConfig]:
        if not teams:
            raise ValueError("declare at least one team")
        for team_id in teams:
            if not TEAM_ID.fullmatch(team_id):
                raise ValueError(f"{team_id!r}: a team id is lowercase letters, digits and -")
        return teams

    @model_validator(mode="after")
    def _owners_are_teams(self) -> Config:
        """Every finding must land with a declared team: the reports have a page per team."""
        declared = ", ".join(self.teams)
        for index, rule in enumerate(self.owners.rules):
            if rule.owner not in self.teams:
                raise ValueError(
                    f"owners.rules.{index}.owner: {rule.owner!r} is not a team (teams: {declared})"
                )
        if self.owners.default is not None:
            if self.owners.default not in self.teams:
                raise ValueError(
                    f"owners.default: {self.owners.default!r} is not a team (teams: {declared})"
                )
            return self
        for rule in REGISTRY.values():
            if rule.owner not in self.teams:
                raise ValueError(
                    f"owners.default: rule {rule.code} belongs to team {rule.owner!r} by default,"
                    f" which is not declared under teams: declare it, or set owners.default"
                )
        return self

    @field_validator("checkout", mode="before")
    @classmethod
    def _one_flow_or_a_list(cls, value: Any) -> Any:
        return as_flow_list(value)

    @field_validator("checkout")
    @classmethod
    def _flow_names(cls, flows: list[Flow] | None) -> list[Flow] | None:
        return unique_names(flows)

    @field_validator("checks")
    @classmethod
    def _known_rules(cls, checks: dict[str, RuleConfig]) -> dict[str, RuleConfig]:
        for code, rule_config in checks.items():
            rule = REGISTRY.get(code)
            if rule is None:
                raise ValueError(f"{code}: unknown rule code (`shoplint checks` lists them)")
            unknown = set(rule_config.options) - set(rule.options)
            if unknown:
                known = ", ".join(sorted(rule.options)) or "none"
                raise ValueError(f"{code}.options.{min(unknown)}: unknown option (known: {known})")
            if rule.check_options is not None:
                try:
                    rule.check_options({**rule.options, **rule_config.options})
                except ValueError as exc:
                    raise ValueError(f"{code}.options.{exc}") from None
        return checks

    def digest(self) -> str:
        """A short hash of the effective configuration, stored with each run."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def with_overrides(self, overrides: dict[str, dict[str, Any]]) -> Config:
        """This configuration with command-line values laid over it, validated again."""
        data = self.model_dump()
        for section, values in overrides.items():
            data[section].update({k: v for k, v in values.items() if v is not None})
        return parse_config(data, "command line")


def load_config(path: str | Path | None) -> Config:
    """Read `path`, or ./shoplint.yml when it exists, or use the defaults."""
    if path is None:
        if not Path(DEFAULT_CONFIG_FILE).is_file():
            return Config()
        path = DEFAULT_CONFIG_FILE
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{path}{where}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of sections at the top level")
    return parse_config(data, str(path))


def parse_config(data: dict[str, Any], source: str) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_first_error(exc, data)}") from None


def _first_error(exc: ValidationError, data: dict[str, Any]) -> str:
    error = exc.errors()[0]
    loc = list(error["loc"])
    if loc[:2] == ["checkout", 0] and isinstance(data.get("checkout"), dict):
        del loc[1]  # one flow, written without a list around it
    key = ".".join(str(part) for part in loc)
    if error["type"] == "extra_forbidden":
        return f"{key or '(top level)'}: unknown key"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "value_error":
        return f"{key}: {message}" if key else message  # a whole-file check names its keys
    return f"{key}: {message[0].lower()}{message[1:]} (got {error['input']!r})"
