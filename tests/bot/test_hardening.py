"""Gateway hardening (issue 12): bounded bodies and JSON on every channel, security headers, API docs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from bot import bounded
from bot.channels.web import BAD_REQUEST
from tests.bot.conftest import TG_SECRET, new_session
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
