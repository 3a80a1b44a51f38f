"""Notices at the gateway, with the real backend: STOP / ODJAVA over the signed Twilio webhook (and
Telegram) ends the sender's subscriptions without Rasa; a number from the number that got a
reading reminder reaches Rasa with the backend's reminder grant, from another number without."""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.handoff import conversation_key
from bot.notices import OPT_OUT_DONE, OPT_OUT_NONE, is_opt_out, reading_value
from devtools.servers import backend
from tests.bot.conftest import API_KEY
from tests.bot.fakes import FakeRasa, FakeTelegram
from tests.bot.test_sms import parts, post_sms
from tests.bot.test_telegram import HDR, message_update, sent_to

ANA_G = "SI-G-100002"  # gas, window 26.–29.
ANA_PHONE = "+38641123456"  # 041 123 456 on file
OTHER_PHONE = "+38640999000"


@pytest.fixture(scope="module")
def backend_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real backend with its clock on 26. 11. 2026, 11:00 (the gas window's first day)."""
    with backend(tmp_path_factory.mktemp("backend-notices"), API_KEY, OTP_SECRET="test-otp",
                 BACKEND_FAKE_TODAY="2026-11-26") as url:
        yield url


def api(backend_url: str, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
    r = httpx.request(method, f"{backend_url}/api/v1{path}", headers={"X-API-Key": API_KEY, **(headers or {})},
                      timeout=30, **kw)
    assert r.status_code < 300, r.text
    return r.json()


def verified(backend_url: str, email: str, conv: str) -> dict[str, str]:
    """The headers of a conversation verified with the one-time code (as the chat does)."""
    api(backend_url, "POST", "/verification/start", json={"identifier": email, "conversation_id": conv})
    box = api(backend_url, "GET", f"/dev/outbox?limit=1&recipient={urllib.parse.quote(email)}")
    code = re.search(r"\b(\d{6})\b", box[0]["body"]).group(1)  # type: ignore[union-attr]
    token = api(backend_url, "POST", "/verification/confirm", json={"code": code, "conversation_id": conv})["token"]
    return {"Authorization": f"Bearer {token}", "X-Conversation-Id": conv}


def subscribe(backend_url: str, h: dict[str, str], channel: str = "sms", **extra: str) -> None:
    api(backend_url, "POST", "/me/subscriptions", headers=h,
        json={"metering_point": ANA_G, "kind": "reading_reminder", "channel": channel, **extra})


def remind(backend_url: str) -> None:
    """The scheduler's pass at 09:00 on the window's first day: the reminder goes out."""
    api(backend_url, "POST", "/dev/scheduler/run", json={"at": "2026-11-26T09:00:00+01:00"})


def test_stop_words_and_reading_values() -> None:
    for text in ("STOP", "stop", " Stop ", "S T O P", "ODJAVA", "odjava!", "Odjava."):
        assert is_opt_out(text), text
    for text in ("stop opomniku?", "ne", "odjavil bi se od akcije", "", None):
        assert not is_opt_out(text), text
    assert reading_value(" 12 345 ") == "12 345" and reading_value("4.321") == "4.321"
    assert reading_value("12345 kWh") is None and reading_value("da") is None


def test_sms_reply_to_a_reminder_carries_the_grant_and_stop_ends_it(
    client: TestClient, fake_rasa: FakeRasa, backend_url: str
) -> None:
    h = verified(backend_url, "ana.novak@example.com", "chat-ana-notices")
    subscribe(backend_url, h)
    remind(backend_url)
    reminders = [m for m in api(backend_url, "GET", "/dev/outbox?limit=20&recipient=%2B38641123456")
                 if "oddajte stanje" in m["body"]]
    assert len(reminders) == 1

    # another number's number: no grant, the message is ordinary text (the chat asks for the code)
    post_sms(client, "12345", sender=OTHER_PHONE)
    assert fake_rasa.received[-1] == (conversation_key("sms", OTHER_PHONE), "12345")
    assert "reminder_grant" not in fake_rasa.metadata[-1]

    # the reminded number: the grant for that point, bound to the SMS conversation
    post_sms(client, "12 345", sender=ANA_PHONE)
    conv = conversation_key("sms", ANA_PHONE)
    assert fake_rasa.received[-1] == (conv, "12 345")
    grant = fake_rasa.metadata[-1]["reminder_grant"]
    assert grant["token"].startswith("rg.") and grant["metering_point"] == ANA_G and grant["value"] == "12 345"
    points = api(backend_url, "GET", "/me/metering-points",
                 headers={"Authorization": f"Bearer {grant['token']}", "X-Conversation-Id": conv})
    assert [p["number"] for p in points] == [ANA_G]
    # text that is no number gets no grant
    post_sms(client, "moji računi", sender=ANA_PHONE)
    assert "reminder_grant" not in fake_rasa.metadata[-1]

    # STOP (signed) ends the subscription at once, without Rasa
    before = len(fake_rasa.received)
    r = post_sms(client, " Stop ", sender=ANA_PHONE)
    assert r.status_code == 200 and " ".join(parts(r.text)) == OPT_OUT_DONE["sms"]
    assert len(fake_rasa.received) == before
    assert api(backend_url, "GET", "/me/subscriptions", headers=h) == []
    # and a reading sent after it has no reminder to answer any more
    post_sms(client, "12345", sender=ANA_PHONE)
    assert "reminder_grant" not in fake_rasa.metadata[-1]
    # ODJAVA again: nothing left, said so
    assert " ".join(parts(post_sms(client, "ODJAVA", sender=ANA_PHONE).text)) == OPT_OUT_NONE["sms"]


def test_a_forged_stop_ends_nothing(client: TestClient, backend_url: str) -> None:
    h = verified(backend_url, "helena.vidmar@example.com", "chat-helena-notices")
    point = api(backend_url, "GET", "/me/metering-points", headers=h)[0]["number"]
    api(backend_url, "POST", "/me/subscriptions", headers=h,
        json={"metering_point": point, "kind": "reading_reminder", "channel": "sms"})
    assert post_sms(client, "STOP", sender="+38640121212", signature="forged").status_code == 403
    assert len(api(backend_url, "GET", "/me/subscriptions", headers=h)) == 1


def test_telegram_passes_the_chat_id_and_stop_ends_that_chat(
    client: TestClient, fake_rasa: FakeRasa, fake_telegram: FakeTelegram, backend_url: str, tmp_path: Path
) -> None:
    chat = 700123456
    client.post("/telegram/webhook", json=message_update(9001, chat, "vklopi opomnik na Telegram"), headers=HDR)
    assert fake_rasa.metadata[-1]["telegram_chat_id"] == str(chat)
    h = verified(backend_url, "klemen.bizjak@example.com", "chat-klemen-notices")
    point = api(backend_url, "GET", "/me/metering-points", headers=h)[0]["number"]
    api(backend_url, "POST", "/me/subscriptions", headers=h,
        json={"metering_point": point, "kind": "reading_reminder", "channel": "telegram",
              "telegram_chat_id": str(chat)})
    # the reminder goes to the chat; a number from that chat carries the grant, with the chat id
    remind(backend_url)
    client.post("/telegram/webhook", json=message_update(9002, chat, "4321"), headers=HDR)
    assert fake_rasa.received[-1] == (conversation_key("telegram", str(chat)), "4321")
    assert fake_rasa.metadata[-1]["reminder_grant"]["metering_point"] == point
    assert fake_rasa.metadata[-1]["telegram_chat_id"] == str(chat)
    before = len(fake_rasa.received)
    client.post("/telegram/webhook", json=message_update(9003, chat, "STOP"), headers=HDR)
    deadline = time.time() + 5
    while not any(m.get("text") == OPT_OUT_DONE["telegram"] for m in sent_to(fake_telegram, chat)):
        assert time.time() < deadline, sent_to(fake_telegram, chat)
        time.sleep(0.05)
    assert len(fake_rasa.received) == before
    assert api(backend_url, "GET", "/me/subscriptions", headers=h) == []


def test_stop_ends_the_numbers_subscriptions_and_never_reaches_rasa(
    client: TestClient, fake_rasa: FakeRasa, backend_url: str
) -> None:
    h = verified(backend_url, "franc.golob@example.com", "chat-franc-notices")  # phone 031 987 654
    point = api(backend_url, "GET", "/me/metering-points", headers=h)[0]["number"]
    api(backend_url, "POST", "/me/subscriptions", headers=h,
        json={"metering_point": point, "kind": "reading_reminder", "channel": "sms"})
    before = len(fake_rasa.received)
    r = post_sms(client, "s t o p", sender="+38631987654")
    assert " ".join(parts(r.text)) == OPT_OUT_DONE["sms"]
    assert len(fake_rasa.received) == before
    assert api(backend_url, "GET", "/me/subscriptions", headers=h) == []
