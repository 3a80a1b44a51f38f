"""Gateway hardening (issue 12): bounded bodies and JSON on every channel, security headers, API docs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from bot import bounded
from bot.channels.web import BAD_REQUEST
from bot.config import Settings
from bot.main import create_app
from tests.bot.conftest import TG_SECRET, login, new_session
from tests.bot.fakes import FakeRasa, FakeTelegram

TG = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
DEEP = b"[" * 100_000 + b"]" * 100_000  # 200 000 bytes: under the size limit, far too deep


def test_deeply_nested_json_at_web_message_is_a_polite_refusal(client: TestClient, fake_rasa: FakeRasa) -> None:
    sid = new_session(client)
    before = len(fake_rasa.received)
    for body in (DEEP, b'{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"):
        r = client.post("/api/web/message", content=body,
                        headers={"X-Session-Id": sid, "Content-Type": "application/json"})
        assert r.status_code == 200, r.text[:200]
        assert r.json()["messages"][0]["text"] == BAD_REQUEST
    assert len(fake_rasa.received) == before


def test_oversized_body_refused_on_every_channel(client: TestClient, fake_rasa: FakeRasa) -> None:
    sid = new_session(client)
    big = b'{"text": "' + b"a" * 300_000 + b'"}'
    before = len(fake_rasa.received)
    r = client.post("/api/web/message", content=big, headers={"X-Session-Id": sid})
    assert r.status_code == 413 and "predolgo" in r.json()["detail"]
    assert client.post("/telegram/webhook", content=big, headers=TG).status_code == 413
    assert client.post("/sms/inbound", content=b"Body=" + b"a" * 300_000,
                       headers={"X-Twilio-Signature": "x",
                                "Content-Type": "application/x-www-form-urlencoded"}).status_code in (403, 413)
    assert len(fake_rasa.received) == before


def test_deep_json_at_telegram_webhook_dropped(client: TestClient, fake_telegram: FakeTelegram) -> None:
    before = len(fake_telegram.sent())
    r = client.post("/telegram/webhook", content=DEEP, headers={**TG, "Content-Type": "application/json"})
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert len(fake_telegram.sent()) == before


def test_deep_json_as_first_websocket_frame_closes_the_socket(client: TestClient) -> None:
    with client.websocket_connect("/api/web/ws") as ws:
        ws.send_text('{"session_id": ' + "[" * 50_000 + "]" * 50_000 + "}")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1008


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    assert bounded.json_depth('{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert bounded.json_depth('"\\"[[["') == 0
    assert bounded.loads(b'{"a": [[1]]}', 3) == {"a": [[1]]}
    with pytest.raises(bounded.JsonRefused):
        bounded.loads("[" * 33 + "]" * 33, 32)
    with pytest.raises(bounded.JsonRefused):
        bounded.loads("{nope", 32)


def csp_of(resp: Any) -> dict[str, str]:
    header = resp.headers.get("content-security-policy", "")
    assert header, f"no CSP on {resp.url}"
    return {d.split()[0]: " ".join(d.split()[1:]) for d in header.split(";") if d.strip()}


def test_strict_csp_on_every_page(client: TestClient) -> None:
    for path in ("/", "/static/hostile.html", "/agent/login"):
        r = client.get(path)
        assert r.status_code == 200
        csp = csp_of(r)
        assert csp["default-src"] == "'none'"
        assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
        assert csp["style-src"] == "'self'" and csp["base-uri"] == "'none'" and csp["object-src"] == "'none'"
        assert "<style" not in r.text  # an inline style would be blocked: styles come from 'self'
    assert csp_of(client.get("/"))["frame-ancestors"] == "'self'"
    assert csp_of(client.get("/agent/login"))["frame-ancestors"] == "'none'"
    assert client.get("/agent/login").headers["x-frame-options"] == "DENY"
    assert csp_of(client.get("/static/widget.js"))["default-src"] == "'none'"


def test_frame_ancestors_from_config_and_console_never_framable(settings: Settings) -> None:
    settings.frame_ancestors = "'self'  https://www.gen-i.si"
    with TestClient(create_app(settings)) as c:
        assert csp_of(c.get("/"))["frame-ancestors"] == "'self' https://www.gen-i.si"
        assert csp_of(c.get("/static/index.html"))["frame-ancestors"] == "'self' https://www.gen-i.si"
        assert csp_of(c.get("/agent/login"))["frame-ancestors"] == "'none'"
    with pytest.raises(ValueError):
        Settings(frame_ancestors="'self'; script-src *")
    assert Settings(frame_ancestors="self https://www.gen-i.si").frame_ancestors == "'self' https://www.gen-i.si"


def test_console_inline_scripts_carry_the_pages_nonce(client: TestClient) -> None:
    csrf = login(client)
    assert csrf
    page = client.get("/agent")
    nonce = re.search(r"'nonce-([^']+)'", csp_of(page)["script-src"])
    assert nonce, csp_of(page)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page.text)
    assert inline and all(f'nonce="{nonce.group(1)}"' in attrs for attrs in inline)
    again = re.search(r"'nonce-([^']+)'", csp_of(client.get("/agent"))["script-src"])
    assert again and again.group(1) != nonce.group(1)  # fresh per response


def test_openapi_and_docs_off_in_production(settings: Settings) -> None:
    assert settings.environment == "production"
    with TestClient(create_app(settings)) as c:
        for path in ("/openapi.json", "/docs", "/redoc"):
            assert c.get(path).status_code == 404
    settings.environment = "development"
    with TestClient(create_app(settings)) as c:
        schema = c.get("/openapi.json")
        assert schema.status_code == 200 and "/api/web/message" in schema.json()["paths"]
