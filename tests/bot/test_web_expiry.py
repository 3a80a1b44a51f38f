"""The web history expires (GATEWAY_WEB_HISTORY_HOURS, default 24 h of no message): then the
session is unknown (404, the widget starts a new one) and its turns and Rasa events are gone."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import update

from bot.channels.web import web_conversation_id
from bot.config import Settings
from bot.handoff import Gateway
from bot.main import create_app
from bot.models import Turn, WebSession
from tests.bot import rasa_tracker
from tests.bot.conftest import new_session, say


def age(gateway: Gateway, conv: str, hours: float) -> None:
    """Move the conversation's session and turns `hours` into the past."""
    then = time.time() - hours * 3600
    with gateway.store.engine.begin() as db:
        db.execute(update(Turn).where(Turn.conversation_id == conv).values(created_at=then))
        db.execute(update(WebSession).where(WebSession.conversation_id == conv).values(created_at=then))


def test_idle_session_expires_and_its_history_is_gone(client: TestClient, settings: Settings) -> None:
    assert settings.web_history_hours == 24
    gateway: Gateway = client.app.state.gateway  # type: ignore[attr-defined]
    url = settings.resolved_tracker_url()
    rasa_tracker.create(url)
    old, recent = new_session(client), new_session(client)
    for sid in (old, recent):
        say(client, sid, text="moji računi")
        rasa_tracker.add_event(url, web_conversation_id(sid), "moji računi", time.time())
    age(gateway, web_conversation_id(old), 24.5)
    age(gateway, web_conversation_id(recent), 23.5)

    assert client.get("/api/web/history", headers={"X-Session-Id": old}).status_code == 404
    r = client.post("/api/web/message", headers={"X-Session-Id": old}, json={"text": "zdravo"})
    assert r.status_code == 404
    conv = web_conversation_id(old)
    assert gateway.store.turns(conv) == [] and gateway.store.conversation(conv) is None
    assert rasa_tracker.texts(url, conv) == []
    # 23.5 h idle: still there, and a message makes it fresh again.
    assert client.get("/api/web/history", headers={"X-Session-Id": recent}).json()["messages"]
    assert rasa_tracker.texts(url, web_conversation_id(recent)) == ["moji računi"]
    with client.websocket_connect("/api/web/ws") as ws:
        ws.send_json({"session_id": old})
        assert ws.receive_json()["type"] == "error"


def test_history_hours_configurable(settings: Settings) -> None:
    settings.web_history_hours = 0.5
    with TestClient(create_app(settings)) as c:
        gateway: Gateway = c.app.state.gateway  # type: ignore[attr-defined]
        sid = new_session(c)
        say(c, sid, text="zdravo")
        age(gateway, web_conversation_id(sid), 0.6)
        assert c.get("/api/web/history", headers={"X-Session-Id": sid}).status_code == 404
