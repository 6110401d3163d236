"""Credentials for a protected (staging) shop: read from the environment variables the
config names, sent to the site's own hosts only, and blanked out of everything shown."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from checks.checkout.flow import Credentials
from ground.errors import ConfigError

HIDDEN = "***"


@dataclass(frozen=True)
class SiteSecrets:
    headers: Mapping[str, str]  # header name -> value (basic auth is an Authorization header)
    cookie: tuple[str, str] | None  # (name, value)
    hidden: tuple[str, ...] = ()  # every secret as it could show up in text, longest first
    basic_auth: tuple[str, str] | None = None  # (user, password), for a browser's own login

    def apply(self, request: httpx.Request) -> None:
        """Add the secrets to a request for one of the site's own addresses."""
        request.headers.update(self.headers)
        if self.cookie:
            pair = f"{self.cookie[0]}={self.cookie[1]}"
            jar = request.headers.get("Cookie")
            request.headers["Cookie"] = f"{jar}; {pair}" if jar else pair

    def redact(self, text: str) -> str:
        for secret in self.hidden:
            text = text.replace(secret, HIDDEN)
        return text


NO_SECRETS = SiteSecrets({}, None)


def site_secrets(
    credentials: Credentials | None, environ: Mapping[str, str], where: str
) -> SiteSecrets:
    """The secrets `credentials` names, from `environ`; a ConfigError naming the key and
    the variable when one is not set. `where` is the flow's key path, for that message."""
    if credentials is None:
        return NO_SECRETS

    def read(key: str, variable: str) -> str:
        value = environ.get(variable)
        if not value:
            raise ConfigError(
                f"{where}.credentials.{key}: environment variable {variable} is not set"
            )
        return value

    headers: dict[str, str] = {}
    hidden: list[str] = []
    if basic := credentials.basic_auth:
        user = read("basic_auth.username_env", basic.username_env)
        password = read("basic_auth.password_env", basic.password_env)
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
        hidden += [token, password]
    if header := credentials.header:
        headers[header.name] = read("header.value_env", header.value_env)
        hidden.append(headers[header.name])
    cookie = None
    if credentials.cookie:
        cookie = (credentials.cookie.name, read("cookie.value_env", credentials.cookie.value_env))
        hidden.append(cookie[1])
    hidden_longest_first = tuple(sorted(set(hidden), key=len, reverse=True))
    login = (user, password) if basic else None
    return SiteSecrets(headers, cookie, hidden_longest_first, login)
