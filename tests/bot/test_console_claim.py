"""Claim notice (issue 14): the customer is told on their own channel who took the conversation,
with the display name configured in AGENT_USERS, exactly once per agent."""

from __future__ import annotations

import warnings

from bot.channels.web import web_conversation_id
from bot.config import Settings, parse_agent_names
from bot.handoff import conversation_key
from bot.main import create_app
from tests.bot.conftest import login, new_session, next_message, say
from tests.bot.fakes import FakeTelegram
from tests.bot.test_telegram import HDR, message_update, sent_to

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def named(settings: Settings) -> Settings:
    return settings.model_copy(update={"agent_names": {"ana": ("Maja", "ž")}})


def test_agent_names_parsed_from_agent_users() -> None:
    raw = "maja:scrypt.a.b:Maja:ž, bor:scrypt.c.d:Bor Novak:m ,eva:scrypt.e.f:Eva,ana:scrypt.g.h"
    assert parse_agent_names(raw) == {"maja": ("Maja", "ž"), "bor": ("Bor Novak", "m"), "eva": ("Eva", "")}
    assert Settings(agent_users=raw).agent_users["bor"] == "scrypt.c.d"
    assert Settings(agent_users=raw).agent_names["maja"] == ("Maja", "ž")


def test_claim_notice_on_the_web_once_with_the_configured_name(settings: Settings) -> None:
    with TestClient(create_app(named(settings))) as client:
        sid = new_session(client)
        conv = web_conversation_id(sid)
        assert say(client, sid, text="želim govoriti s svetovalcem")["handoff"] is True
        csrf = login(client)
        with client.websocket_connect("/api/web/ws") as ws:
            ws.send_json({"session_id": sid})
            assert ws.receive_json()["type"] == "ready"
            client.post(f"/agent/c/{conv}/claim", data={"csrf": csrf})
            frame = next_message(ws)
            assert frame["message"]["role"] == "system"
            assert frame["message"]["text"] == "Pogovor je prevzela svetovalka Maja."
            assert frame["conversation"]["agent"] == "Maja"
            # A second claim and the reply by the same agent: no second notice.
            client.post(f"/agent/c/{conv}/claim", data={"csrf": csrf})
            client.post(f"/agent/c/{conv}/reply", data={"csrf": csrf, "text": "Dober dan."})
            reply = next_message(ws)["message"]
            assert (reply["role"], reply["author"], reply["text"]) == ("agent", "Maja", "Dober dan.")
        history = client.get("/api/web/history", headers={"X-Session-Id": sid}).json()["messages"]
        notices = [m for m in history if "prevzela" in m["text"]]
        assert len(notices) == 1 and notices[0]["role"] == "system"


def test_claim_notice_on_telegram(settings: Settings, fake_telegram: FakeTelegram) -> None:
    chat = 7603  # not used by another test of the shared Telegram stand-in
    conv = conversation_key("telegram", str(chat))
    with TestClient(create_app(named(settings))) as client:
        client.post("/telegram/webhook", json=message_update(30, chat, "hočem človeka"), headers=HDR)
        csrf = login(client)
        client.post(f"/agent/c/{conv}/claim", data={"csrf": csrf})
        assert sent_to(fake_telegram, chat)[-1]["text"] == "Pogovor je prevzela svetovalka Maja."


def test_the_conversation_page_gives_the_reason_in_slovene(settings: Settings) -> None:
    with TestClient(create_app(named(settings))) as client:
        sid = new_session(client)
        conv = web_conversation_id(sid)
        assert say(client, sid, text="želim govoriti s svetovalcem")["handoff"] is True
        login(client)
        page = client.get(f"/agent/c/{conv}").text
        assert "Razlog: želi svetovalca" in page and "Razlog: request" not in page
