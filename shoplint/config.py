"""shoplint.yml: the configuration, validated on load.

Every option has a default, so `shoplint run URL` works without a file. A wrong key or
type stops the run with one line naming the key path and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from checks.checkout.flow import Flow, as_flow_list, unique_names
from checks.config import RuleConfig, known_rules
from checks.spelling.config import SpellingConfig
from crawler.config import CrawlConfig, SiteConfig
from ground.errors import ConfigError
from ground.sections import Section
from reports.config import (
    TEAM_ID,
    GateConfig,
    OwnersConfig,
    ReportConfig,
    TeamConfig,
    check_owner_teams,
    default_teams,
)
from reports.notify.config import NotifyConfig
from store.config import STORE_ENV, StoreConfig

DEFAULT_CONFIG_FILE = "shoplint.yml"


class RunConfig(Section):
    """Time limits of a run: past one, it is stored as interrupted and reported (read by
    shoplint/bounds.py)."""

    max_minutes: float | None = Field(300, gt=0)  # the whole run; None: no limit
    site_rules_minutes: float | None = Field(30, gt=0)  # the site rules, external links too
    checkout_minutes: float | None = Field(10, gt=0)  # the checkout walk
    stop_grace_seconds: float = Field(2, ge=0, le=60)  # for requests in flight at a stop


class Config(Section):
    run: RunConfig = Field(default_factory=RunConfig)
    site: SiteConfig = Field(default_factory=SiteConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    checks: dict[str, RuleConfig] = Field(default_factory=dict)  # rule code -> settings
    teams: dict[str, TeamConfig] = Field(default_factory=default_teams)  # id -> team
    owners: OwnersConfig = Field(default_factory=OwnersConfig)
    gate: GateConfig = Field(default_factory=GateConfig)
    checkout: list[Flow] | None = None  # the checkout flows: checks/checkout/flow.py
    notify: NotifyConfig = Field(default_factory=NotifyConfig)  # mail and chat after a run
    spelling: SpellingConfig = Field(default_factory=SpellingConfig)

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
        check_owner_teams(self.owners, self.teams)
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
        return known_rules(checks)

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
    """Read `path`, or ./shoplint.yml when it exists, or use the defaults; $SHOPLINT_DB
    names the store over store.path (and --db, laid over this later, over both)."""
    config = _read_config(path)
    store = os.environ.get(STORE_ENV)
    return config.with_overrides({"store": {"path": store}}) if store else config


def _read_config(path: str | Path | None) -> Config:
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
