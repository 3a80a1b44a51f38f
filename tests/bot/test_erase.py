"""«Izbriši moje podatke»: on Rasa's {"erase": {"conversation": true}} the gateway deletes the
conversation's turns and its Rasa tracker events, and the user still gets the reply."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from bot.channels.web import web_conversation_id
from bot.config import Settings
from bot.handoff import ERASE_FAILED, Gateway, conversation_key
from bot.main import create_app
from tests.bot import rasa_tracker
from tests.bot.conftest import new_session, say
from tests.bot.fakes import ERASED_TEXT, FakeTelegram
from tests.bot.test_telegram import HDR, message_update, sent_to


def history(client: TestClient, sid: str) -> list[tuple[str, str]]:
    r = client.get("/api/web/history", headers={"X-Session-Id": sid})
    assert r.status_code == 200
    return [(m["role"], m["text"]) for m in r.json()["messages"]]


def test_erase_marker_deletes_turns_and_tracker_events(client: TestClient, settings: Settings) -> None:
    url = settings.resolved_tracker_url()
    rasa_tracker.create(url)
    sid, other = new_session(client), new_session(client)
    conv, other_conv = web_conversation_id(sid), web_conversation_id(other)
    say(client, sid, text="pozabu sm geslo")
    say(client, other, text="pozabu sm geslo")
    now = time.time()
    for sender in (conv, other_conv):
        rasa_tracker.add_event(url, sender, "moj e-naslov je ana.novak@example.com", now)
    assert len(history(client, sid)) == 3

    body = say(client, sid, text="izbriši moje podatke")
    assert [m["text"] for m in body["messages"]] == [ERASED_TEXT]  # delivered; the marker is not shown
    assert history(client, sid) == [("bot", ERASED_TEXT)]  # the old turns are gone
    assert rasa_tracker.texts(url, conv) == []
    # Another conversation keeps everything.
    assert rasa_tracker.texts(url, other_conv) == ["moj e-naslov je ana.novak@example.com"]
    assert len(history(client, other)) == 3
    # The conversation goes on.
    assert say(client, sid, text="zdravo")["messages"][0]["text"].startswith("Odgovor pomočnika")


def test_erase_without_a_tracker_database_yet(client: TestClient) -> None:
    """Rasa has not created its SQLite file yet: nothing there to delete, the turns still go."""
    sid = new_session(client)
    say(client, sid, text="pozabu sm geslo")
    assert say(client, sid, text="Izbriši moje podatke")["messages"][0]["text"] == ERASED_TEXT
    assert history(client, sid) == [("bot", ERASED_TEXT)]


def test_erase_failing_says_so_and_keeps_nothing_half_way(settings: Settings) -> None:
    settings.rasa_tracker_url = "postgresql+psycopg://nobody@127.0.0.1:1/rasa?connect_timeout=2"
    with TestClient(create_app(settings)) as c:
        sid = new_session(c)
        say(c, sid, text="pozabu sm geslo")
        body = say(c, sid, text="izbriši moje podatke")
        assert [m["text"] for m in body["messages"]] == [ERASE_FAILED]
        assert ("user", "pozabu sm geslo") in history(c, sid)  # not deleted half-way


def test_erase_over_telegram(client: TestClient, fake_telegram: FakeTelegram) -> None:
    chat = 777
    conv = conversation_key("telegram", str(chat))
    client.post("/telegram/webhook", json=message_update(70, chat, "pozabu sm geslo"), headers=HDR)
    client.post("/telegram/webhook", json=message_update(71, chat, "izbriši moje podatke"), headers=HDR)
    assert sent_to(fake_telegram, chat)[-1]["text"] == ERASED_TEXT
    gateway: Gateway = client.app.state.gateway  # type: ignore[attr-defined]
    assert [t["text"] for t in gateway.store.turns(conv)] == [ERASED_TEXT]
