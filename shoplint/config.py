"""shoplint.yml: the configuration, validated on load.

Every option has a default, so `shoplint run URL` works without a file. A wrong key or
type stops the run with one line naming the key path and what was expected.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from checks import REGISTRY
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


class StoreConfig(_Section):
    path: str = "shoplint.db"


class ReportConfig(_Section):
    out: str = "shoplint-report"


class RuleConfig(_Section):
    enabled: bool = True
    severity: Severity | None = None  # None: the rule's default
    options: dict[str, Any] = Field(default_factory=dict)  # see `shoplint checks CODE`
    ignore: list[str] = Field(default_factory=list)  # URL globs of pages the rule skips


class Config(_Section):
    site: SiteConfig = Field(default_factory=SiteConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    checks: dict[str, RuleConfig] = Field(default_factory=dict)  # rule code -> settings

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
        raise ConfigError(f"{source}: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "value_error":
        return f"{key}: {message}"
    return f"{key}: {message[0].lower()}{message[1:]} (got {error['input']!r})"
