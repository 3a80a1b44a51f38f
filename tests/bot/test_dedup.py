"""Replays processed once: the same Twilio MessageSid or Telegram update_id again is answered but
neither forwarded to Rasa nor stored again (issue 12: a replayed Twilio request ran twice)."""

from __future__ import annotations

import asyncio
import time

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.dedup import Deduplicator
from bot.handoff import Gateway, conversation_key
from bot.store import Store
from tests.bot.fakes import FakeRasa, FakeTelegram
from tests.bot.test_sms import PHONE, parts, post_sms
from tests.bot.test_telegram import HDR, message_update, sent_to


def test_replayed_twilio_request_processed_once(client: TestClient, fake_rasa: FakeRasa) -> None:
    conv = conversation_key("sms", PHONE)
    sid = "SM" + "a1" * 16
    first = post_sms(client, "pozabu sm geslo", sid=sid)
    assert first.status_code == 200 and parts(first.text)
    before = len(fake_rasa.received)
    replay = post_sms(client, "pozabu sm geslo", sid=sid)
    assert replay.status_code == 200 and parts(replay.text) == []  # no second reply SMS
    assert len(fake_rasa.received) == before
    gateway: Gateway = client.app.state.gateway  # type: ignore[attr-defined]
    assert [t["text"] for t in gateway.store.turns(conv) if t["role"] == "user"] == ["pozabu sm geslo"]
    # Another MessageSid with the same text is a new message.
    assert parts(post_sms(client, "pozabu sm geslo").text)
    assert len(fake_rasa.received) == before + 1


def test_resent_telegram_update_processed_once(
    client: TestClient, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    chat = 880
    update = message_update(8800, chat, "pozabu sm geslo")
    assert client.post("/telegram/webhook", json=update, headers=HDR).status_code == 200
    sent, received = len(sent_to(fake_telegram, chat)), len(fake_rasa.received)
    r = client.post("/telegram/webhook", json=update, headers=HDR)
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert len(sent_to(fake_telegram, chat)) == sent and len(fake_rasa.received) == received


def test_claim_expires_and_is_released_on_failure(settings: Settings) -> None:
    store = Store(settings.resolved_database_url())
    dedup = Deduplicator(store, ttl_seconds=1)

    async def run() -> None:
        async with dedup.once("sms", "SM1") as first:
            assert first
        async with dedup.once("sms", "SM1") as first:
            assert not first
        with pytest.raises(RuntimeError):
            async with dedup.once("sms", "SM2") as first:
                assert first
                raise RuntimeError("Rasa failed half-way")
        async with dedup.once("sms", "SM2") as first:
            assert first  # the retry after a failure is processed
        async with dedup.once("sms", "not a sid!") as first:
            assert first  # malformed ids are not deduplicated (never a key)
        time.sleep(1.1)
        async with dedup.once("sms", "SM1") as first:
            assert first  # expired
        assert store.purge_deliveries(time.time() + 5) == 2

    try:
        asyncio.run(run())
    finally:
        store.close()
