"""Chat: the overview (the verdict, counts per team, a link) posted to incoming webhooks in
the format each chat expects: Slack's blocks, Microsoft Teams' Adaptive Card (Workflows
webhooks), Mattermost's Slack-compatible attachments."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ground.errors import ConfigError
from reports.i18n import Translator
from reports.notify.config import WebhookConfig
from reports.notify.news import News, counts_line, verdict_line


@dataclass(frozen=True)
class ChatPost:
    webhook: WebhookConfig
    payload: dict[str, Any]

    @property
    def name(self) -> str:
        """How a message names the webhook: never by its URL, which is a secret."""
        return f"{self.webhook.format} webhook (${self.webhook.url_env})"

    def preview(self) -> str:
        return f"{self.name}:\n{json.dumps(self.payload, indent=2, ensure_ascii=False)}"


def post(chat: ChatPost, env: Mapping[str, str]) -> None:
    """Raises httpx.HTTPError, or ChatRefused for an answer other than 2xx."""
    url = env.get(chat.webhook.url_env)
    if not url:
        raise ConfigError(f"{chat.name}: environment variable {chat.webhook.url_env} is not set")
    answer = httpx.post(url, json=chat.payload, timeout=chat.webhook.timeout)
    if not answer.is_success:
        raise ChatRefused(f"answered {answer.status_code}")


class ChatRefused(Exception):
    """The webhook answered, but not with success."""


def chat_post(webhook: WebhookConfig, found: News, t: Translator) -> ChatPost:
    return ChatPost(webhook, _FORMATS[webhook.format](_Overview.of(found, t)))


@dataclass(frozen=True)
class _Overview:
    """The overview's parts, in words, for any chat format."""

    title: str
    verdict: str
    passed: bool
    teams: list[tuple[str, str]]  # team name, its counts in words
    link: str | None
    link_text: str

    @classmethod
    def of(cls, found: News, t: Translator) -> _Overview:
        data = found.data
        new = t.gettext("%(n)s new") % {"n": t.number(found.new_findings)}
        teams = [(team.team.name, counts_line(team.team.counts, t)) for team in found.teams]
        title = t.gettext("Shop health report: %(site)s") % {"site": data.run.start_url}
        return cls(
            title,
            f"{verdict_line(found, t)}; {new}",
            data.gate.passed,
            teams,
            found.link,
            t.gettext("Open the report"),
        )


def _slack(o: _Overview) -> dict[str, Any]:
    fields = [{"type": "mrkdwn", "text": f"*{name}*\n{counts}"} for name, counts in o.teams]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": o.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _icon(o) + " " + o.verdict}},
    ]
    for start in range(0, len(fields), 10):  # Slack takes ten fields a section
        blocks.append({"type": "section", "fields": fields[start : start + 10]})
    if o.link:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"<{o.link}|{o.link_text}>"}}
        )
    return {"text": f"{o.title}: {o.verdict}", "blocks": blocks}


def _teams(o: _Overview) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": o.title, "weight": "Bolder", "size": "Medium", "wrap": True},
        {
            "type": "TextBlock",
            "text": o.verdict,
            "color": "Good" if o.passed else "Attention",
            "wrap": True,
        },
        {"type": "FactSet", "facts": [{"title": name, "value": c} for name, c in o.teams]},
    ]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if o.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": o.link_text, "url": o.link}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def _mattermost(o: _Overview) -> dict[str, Any]:
    attachment: dict[str, Any] = {
        "fallback": f"{o.title}: {o.verdict}",
        "color": "#067647" if o.passed else "#b42318",
        "title": o.title,
        "text": o.verdict,
        "fields": [{"short": True, "title": name, "value": c} for name, c in o.teams],
    }
    if o.link:
        attachment["title_link"] = o.link
    return {"text": f"{_icon(o)} {o.verdict}", "attachments": [attachment]}


def _icon(o: _Overview) -> str:
    return ":white_check_mark:" if o.passed else ":x:"


_FORMATS: dict[str, Callable[[_Overview], dict[str, Any]]] = {
    "slack": _slack,
    "teams": _teams,
    "mattermost": _mattermost,
}
