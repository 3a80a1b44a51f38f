"""Telegram bridge against a local stand-in of the Bot API (python-telegram-bot's base_url)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from bot.channels.telegram import GREETING, run_polling
from bot.config import Settings
from bot.handoff import HANDBACK_NOTICE, conversation_key
from bot.neutralise import SAFE_SLASH
from tests.bot.conftest import TG_SECRET, login
from tests.bot.fakes import HANDOFF_TEXT, FakeRasa, FakeTelegram

HDR = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}


def message_update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Ana"},
    }
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": msg}


def callback_update(update_id: int, chat_id: int, data: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}", "chat_instance": "ci", "data": data,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ana"},
            "message": {"message_id": 1, "date": int(time.time()), "text": "Vam je bil odgovor v pomoč?",
                        "chat": {"id": chat_id, "type": "private"}},
        },
    }


def sent_to(fake: FakeTelegram, chat_id: int) -> list[dict[str, Any]]:
    return [p for p in fake.sent() if str(p["chat_id"]) == str(chat_id)]


def test_webhook_secret_required(client: TestClient, fake_telegram: FakeTelegram) -> None:
    before = len(fake_telegram.sent())
    assert client.post("/telegram/webhook", json=message_update(1, 500, "zdravo")).status_code == 403
    r = client.post("/telegram/webhook", json=message_update(1, 500, "zdravo"),
                    headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
    assert r.status_code == 403
    assert len(fake_telegram.sent()) == before
    r = client.post("/telegram/webhook", content=b"\xff{", headers=HDR)
    assert r.status_code == 200


def test_webhook_start_text_buttons_callback(
    client: TestClient, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    chat = 601
    conv = conversation_key("telegram", str(chat))
    assert client.post("/telegram/webhook", json=message_update(10, chat, "/start"), headers=HDR).status_code == 200
    assert sent_to(fake_telegram, chat)[-1]["text"] == GREETING

    client.post("/telegram/webhook", json=message_update(11, chat, "pozabu sm geslo"), headers=HDR)
    assert fake_rasa.received[-1] == (conv, "pozabu sm geslo")
    last = sent_to(fake_telegram, chat)[-1]
    assert last["text"] == "Vam je bil odgovor v pomoč?"
    assert last["reply_markup"]["inline_keyboard"] == [
        [{"text": "Da", "callback_data": "/affirm"}], [{"text": "Ne", "callback_data": "/deny"}]
    ]

    client.post("/telegram/webhook", json=callback_update(12, chat, "/affirm"), headers=HDR)
    assert fake_rasa.received[-1] == (conv, "/affirm")  # button payload passes through
    assert any(name == "answerCallbackQuery" for name, _ in fake_telegram.calls)

    client.post("/telegram/webhook", json=message_update(13, chat, "/affirm"), headers=HDR)
    assert fake_rasa.received[-1] == (conv, SAFE_SLASH + "affirm")  # typed: neutralised


def test_telegram_handoff_agent_reply_via_bot_api(client: TestClient, fake_telegram: FakeTelegram) -> None:
    chat = 602
    conv = conversation_key("telegram", str(chat))
    client.post("/telegram/webhook", json=message_update(20, chat, "hočem človeka"), headers=HDR)
    assert sent_to(fake_telegram, chat)[-1]["text"] == HANDOFF_TEXT
    csrf = login(client)
    client.post(f"/agent/c/{conv}/reply", data={"csrf": csrf, "text": "Tu Ana, kako lahko pomagam?"})
    assert sent_to(fake_telegram, chat)[-1]["text"] == "Tu Ana, kako lahko pomagam?"
    client.post(f"/agent/c/{conv}/handback", data={"csrf": csrf})
    assert sent_to(fake_telegram, chat)[-2]["text"] == HANDBACK_NOTICE
    question = sent_to(fake_telegram, chat)[-1]  # the satisfaction question, 1-5 as inline buttons
    assert question["text"].startswith("Kako ste zadovoljni s pomočjo svetovalca?")
    assert "ocena-svetovalca:" in str(question.get("reply_markup"))


def test_long_polling_drives_the_same_bridge(settings: Settings, fake_telegram: FakeTelegram) -> None:
    chat = 603
    fake_telegram.updates.append(message_update(900, chat, "kje zamenjam geslo"))
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(run_polling(settings, stop),), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not sent_to(fake_telegram, chat) and time.monotonic() < deadline:
            time.sleep(0.1)
        texts = [p["text"] for p in sent_to(fake_telegram, chat)]
        assert texts and "Pozabil sem geslo" in texts[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=20)
        fake_telegram.updates.clear()
    assert not thread.is_alive()
