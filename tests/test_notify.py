"""Notifications against real local servers: an SMTP server (aiosmtpd) that receives and
keeps the mails, with STARTTLS and a login where the test needs them, and an HTTP server
that takes the chat webhooks' posts (or answers 500, or too late). A failed delivery is
one warning line and changes no exit code; no secret shows in any output."""

from __future__ import annotations

import email
import json
import ssl
import threading
import time
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from certificates import self_signed_certificate
from fixture_server import FixtureServer, closed_port, html_page
from services import free_port
from stored_runs import finding, store_run

REPORT_URL = "https://ci.example/shop-reports/latest/"
SMTP_PASSWORD = "s3cret-smtp-password"
HOOK_TOKEN = "T000/B000/hook-secret-token"


# -- the servers ------------------------------------------------------------------------------


class _Inbox:
    """aiosmtpd's handler: keeps every message with its envelope."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.mails.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


class _Hooks(BaseHTTPRequestHandler):
    """/ok/... keeps the post, /fail/... answers 500, /slow/... answers too late."""

    posts: list[tuple[str, dict]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path.startswith("/slow/"):
            time.sleep(3)
        self.posts.append((self.path, body))
        self.send_response(500 if self.path.startswith("/fail/") else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def hooks():
    _Hooks.posts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hooks)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", _Hooks.posts
    finally:
        server.shutdown()
        server.server_close()


# -- a stored run and its config --------------------------------------------------------------

TEAMS = {
    "content": {"name": "Content", "email": ["content@shop.example", "editor@shop.example"]},
    "it": {"name": "IT", "email": "it@shop.example"},
    "marketing": {"name": "Marketing"},  # no address: no mail
    "inventory": {"name": "Inventory"},
    "customer-service": {"name": "Customer service"},
}


def _config(smtp_port: int, language: str = "en", when: str = "always", **email) -> dict:
    return {
        "report": {"language": language, "url": REPORT_URL},
        "teams": TEAMS,
        "notify": {
            "when": when,
            "email": {
                "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none", **email},
                "from": "shoplint@shop.example",
                "overview": ["head-of-digital@shop.example"],
            },
        },
    }


def _stored(tmp_path: Path) -> Path:
    db = tmp_path / "shoplint.db"
    store_run(
        db,
        [
            finding("LNK001", "/fietsen/", "/gone/"),
            finding("LNK001", "/accessoires/", "/gone/"),
            finding("PAG006", "/kapot/", message="Page answers a server error (500)"),
        ],
        pages=1234,
    )
    return db


def _parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset())
        for part in message.walk()
        if not part.is_multipart()
    }


# -- the tests --------------------------------------------------------------------------------


def test_each_team_gets_its_own_mail_and_the_overview_its_own(cli, tmp_path, smtp, write_config):
    port, inbox = smtp
    db = _stored(tmp_path)
    result = cli("notify", "--config", str(write_config(_config(port))), "--db", str(db))
    assert result.returncode == 0, result.stderr
    by_first = {tuple(rcpt): message for rcpt, message in inbox.mails}
    assert set(by_first) == {
        ("content@shop.example", "editor@shop.example"),
        ("it@shop.example",),
        ("head-of-digital@shop.example",),
    }
    content = by_first[("content@shop.example", "editor@shop.example")]
    assert content["From"] == "shoplint@shop.example"
    assert content["Subject"].startswith("[shoplint] Content: 2 errors")
    parts = _parts(content)
    assert set(parts) == {"text/plain", "text/html"}
    link = REPORT_URL + "owner-content.html"
    assert link in parts["text/plain"] and f'href="{link}"' in parts["text/html"]
    assert "LNK001 broken-link" in parts["text/plain"]
    assert "Link to a page that does not exist (404)" in parts["text/html"]
    assert "<script" not in parts["text/html"] and "<style" not in parts["text/html"]
    assert 'style="' in parts["text/html"]  # the CSS is in the elements
    it = _parts(by_first[("it@shop.example",)])
    assert "PAG006" in it["text/plain"] and "LNK001" not in it["text/plain"]
    overview = _parts(by_first[("head-of-digital@shop.example",)])
    assert REPORT_URL + "index.html" in overview["text/plain"]
    assert "Release gate failed" in overview["text/html"]
    assert "Content: 2 errors" in overview["text/plain"]


def test_dutch_mails_over_starttls_with_a_login(cli, tmp_path, write_config, monkeypatch):
    cert, key = self_signed_certificate(tmp_path, "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == SMTP_PASSWORD.encode())

    inbox = _Inbox()
    controller = Controller(
        inbox,
        hostname="localhost",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this server
        monkeypatch.setenv("SMTP_USER", "shoplint")
        monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
        config = _config(
            controller.port,
            language="nl",
            security="starttls",
            username_env="SMTP_USER",
            password_env="SMTP_PASSWORD",
        )
        config["notify"]["email"]["smtp"]["host"] = "localhost"
        db = _stored(tmp_path)
        result = cli("notify", "--config", str(write_config(config)), "--db", str(db))
    finally:
        controller.stop()
    assert result.returncode == 0, result.stderr
    assert logins == [(b"shoplint", SMTP_PASSWORD.encode())]
    assert len(inbox.mails) == 3
    subjects = {message["Subject"] for _, message in inbox.mails}
    assert "[shoplint] Content: 2 fouten, 2 nieuw, releasepoort gezakt" in subjects
    text = _parts(next(m for r, m in inbox.mails if "it@shop.example" in r))["text/plain"]
    assert "Pagina geeft een serverfout (500)" in text
    assert "1.234 pagina's gecontroleerd" in text and "1 mei 2026" in text
    assert SMTP_PASSWORD not in result.stdout + result.stderr


def test_each_chat_gets_the_overview_in_its_own_format(
    cli, tmp_path, hooks, write_config, monkeypatch
):
    base, posts = hooks
    for name in ("slack", "teams", "mattermost"):
        monkeypatch.setenv(f"{name.upper()}_HOOK", f"{base}/ok/{name}/{HOOK_TOKEN}")
    config = {
        "report": {"url": REPORT_URL},
        "teams": TEAMS,
        "notify": {
            "when": "always",
            "webhooks": [
                {"format": name, "url_env": f"{name.upper()}_HOOK"}
                for name in ("slack", "teams", "mattermost")
            ],
        },
    }
    result = cli("notify", "--config", str(write_config(config)), "--db", str(_stored(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert HOOK_TOKEN not in result.stdout + result.stderr
    got = {path.split("/")[2]: body for path, body in posts}
    slack = got["slack"]
    assert "Release gate failed" in slack["text"]
    assert slack["blocks"][0]["type"] == "header"
    fields = [f["text"] for block in slack["blocks"] for f in block.get("fields", [])]
    assert "*Content*\n2 errors, 0 warnings, 0 info, 2 blocking" in fields
    assert any(REPORT_URL + "index.html" in str(block) for block in slack["blocks"])
    card = got["teams"]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    facts = {f["title"]: f["value"] for b in card["content"]["body"] for f in b.get("facts", [])}
    assert facts["IT"] == "1 error, 0 warnings, 0 info, 1 blocking"
    assert card["content"]["actions"][0]["url"] == REPORT_URL + "index.html"
    attachment = got["mattermost"]["attachments"][0]
    assert attachment["title_link"] == REPORT_URL + "index.html"
    assert {"short": True, "title": "IT", "value": "1 error, 0 warnings, 0 info, 1 blocking"} in (
        attachment["fields"]
    )


def test_a_quiet_night_sends_nothing(cli, tmp_path, smtp, write_config):
    port, inbox = smtp
    db = _stored(tmp_path)
    second = store_run(db, [finding("LNK001", "/fietsen/", "/gone/")])  # nothing new
    config = str(write_config(_config(port, when="new-findings")))
    result = cli("notify", "--config", config, "--db", str(db), "--run", str(second))
    assert result.returncode == 0 and inbox.mails == [] and result.stdout == ""
    result = cli("notify", "--config", config, "--db", str(db), "--run", "1")
    assert len(inbox.mails) == 3  # the first run: everything is new


def test_dry_run_prints_and_sends_nothing(cli, tmp_path, smtp, write_config):
    port, inbox = smtp
    config = str(write_config(_config(port)))
    result = cli("notify", "--config", config, "--db", str(_stored(tmp_path)), "--dry-run")
    assert result.returncode == 0 and inbox.mails == []
    assert (
        "E-mail to content@shop.example, editor@shop.example: [shoplint] Content" in result.stdout
    )


def test_failed_deliveries_are_one_warning_each_and_the_run_keeps_its_exit_code(
    hooks, run_shoplint, monkeypatch
):
    """A dead SMTP server, a webhook answering 500 and one answering too late."""
    base, posts = hooks
    site = {"/": html_page('<a href="/gone/">weg</a>', title="Shop")}
    with FixtureServer(site) as server:
        dead = closed_port()
        config = _config(dead, password_env="SMTP_PASSWORD", username_env="SMTP_USER")
        config["notify"]["webhooks"] = [
            {"format": "slack", "url_env": "FAILING_HOOK"},
            {"format": "mattermost", "url_env": "SLOW_HOOK", "timeout": 1},
        ]
        monkeypatch.setenv("FAILING_HOOK", f"{base}/fail/{HOOK_TOKEN}")
        monkeypatch.setenv("SLOW_HOOK", f"{base}/slow/{HOOK_TOKEN}")
        monkeypatch.setenv("SMTP_USER", "shoplint")
        monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
        proc, store = run_shoplint(server.url, "--internal-only", config=config)
    assert proc.returncode == 1, proc.stderr  # the gate failed (a broken link): still 1
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 3, proc.stderr
    assert warnings[0].startswith("shoplint: warning: e-mail via 127.0.0.1 not delivered: ")
    assert "slack webhook ($FAILING_HOOK) not delivered: answered 500" in warnings[1]
    assert "mattermost webhook ($SLOW_HOOK) not delivered" in warnings[2]
    for secret in (HOOK_TOKEN, SMTP_PASSWORD):
        assert secret not in proc.stdout + proc.stderr
    assert (store.out / "index.html").exists()  # the run and its reports are all there
