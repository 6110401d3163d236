"""What shoplint.yml says about notifications (`notify:`): when to send, the SMTP server
for the teams' mails, the chat webhooks. Secrets are never written here: the config names
the environment variables that hold them (the SMTP password, and the webhook URLs, which
are secrets too: whoever has one can post to the channel)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from ground.sections import CompactSection, Section, env_name

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def _addresses(value: object) -> object:
    return [value] if isinstance(value, str) else value


class SmtpConfig(CompactSection):
    host: str = Field(min_length=1)
    port: int | None = Field(None, ge=1, le=65535)  # default: 587, 465 or 25 by security
    security: Literal["starttls", "tls", "none"] = "starttls"
    username_env: str | None = None  # the variable holding the user name
    password_env: str | None = None  # the variable holding the password
    timeout: float = Field(30, gt=0)  # seconds for the connection and each command

    _names = field_validator("username_env", "password_env")(env_name)

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


class EmailConfig(CompactSection):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    smtp: SmtpConfig
    sender: str = Field(alias="from", min_length=3)  # `from:` in the file
    overview: list[str] = Field(default_factory=list)  # get the overview; teams: teams.*.email

    _lists = field_validator("overview", mode="before")(_addresses)


class WebhookConfig(CompactSection):
    format: Literal["slack", "teams", "mattermost"]
    url_env: str  # the variable holding the webhook's URL
    timeout: float = Field(10, gt=0)  # seconds for the whole request

    _names = field_validator("url_env")(env_name)


class NotifyConfig(Section):
    # always | gate-failed: only when the release gate failed | new-findings: only when a
    # run found something new (a quiet night sends nothing)
    when: Literal["always", "gate-failed", "new-findings"] = "new-findings"
    email: EmailConfig | None = None
    webhooks: list[WebhookConfig] = Field(default_factory=list)

    @property
    def configured(self) -> bool:
        return self.email is not None or bool(self.webhooks)
