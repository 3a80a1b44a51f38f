"""Console tools (issue 14): canned replies (stored, editable), internal notes (never sent to the
customer), transfer to another agent (the customer is told who now), search by customer number or
text, transcripts with button titles instead of payloads."""

from __future__ import annotations

import time
import warnings

import httpx

from bot.agent_console import hash_password
from bot.channels.web import web_conversation_id
from bot.config import Settings
from bot.main import create_app
from tests.bot.conftest import AGENT_PASSWORD, API_KEY, csrf_of, login, new_session, say, tickets

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

BOR_PASSWORD = "geslo-za-bora-2"


def two_agents(settings: Settings) -> Settings:
    return settings.model_copy(update={
        "agent_users": {**settings.agent_users, "bor": hash_password(BOR_PASSWORD)},
        "agent_names": {"bor": ("Bor", "m")},
    })


def test_canned_replies_stored_and_editable(client: TestClient) -> None:
    csrf = login(client)
    page = client.get("/agent/canned").text
    assert "Pripravljeni odgovori" in page and "Pozdrav" in page  # a fresh database starts with a few
    r = client.post("/agent/canned", data={"csrf": csrf, "title": "Števec", "text": "Stanje števca lahko oddate v portalu."},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/agent/canned").text
    assert "Stanje števca lahko oddate v portalu." in page
    target = page.split("Stanje števca lahko oddate v portalu.")[0].rsplit('name="id" value="', 1)[1].split('"')[0]
    r = client.post("/agent/canned", data={"csrf": csrf, "id": target, "title": "Števec", "text": "Popravljeno besedilo."},
                    follow_redirects=False)
    assert r.status_code == 303 and "Popravljeno besedilo." in client.get("/agent/canned").text
    r = client.post("/agent/canned", data={"csrf": csrf, "title": " ", "text": "x"})
    assert r.status_code == 422 and "obvezna" in r.text
    assert client.post("/agent/canned", data={"title": "a", "text": "b"}).status_code == 403
    r = client.post(f"/agent/canned/{target}/delete", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and "Popravljeno besedilo." not in client.get("/agent/canned").text


def test_notes_stay_internal_and_canned_replies_are_offered(client: TestClient, backend_url: str) -> None:
    sid = new_session(client)
    conv = web_conversation_id(sid)
    say(client, sid, text="želim govoriti s svetovalcem")
    csrf = login(client)
    r = client.post(f"/agent/c/{conv}/note", data={"csrf": csrf, "text": "Stranka je nejevoljna, preveri račun 2026-10."},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"/agent/c/{conv}").text
    assert "Stranka je nejevoljna" in page and "Interne opombe" in page
    assert 'id="canned"' in page and "Pozdravljeni! Hvala, ker ste počakali." in page
    history = client.get("/api/web/history", headers={"X-Session-Id": sid}).json()["messages"]
    assert all("nejevoljna" not in m["text"] for m in history)  # never shown to the customer
    transcript = client.get(f"/agent/api/c/{conv}/transcript").json()
    assert all("nejevoljna" not in i["text"] for i in transcript["items"])


def test_transfer_to_another_agent(settings: Settings, backend_url: str) -> None:
    with TestClient(create_app(two_agents(settings))) as client:
        sid = new_session(client)
        conv = web_conversation_id(sid)
        say(client, sid, text="želim govoriti s svetovalcem")
        csrf = login(client)
        client.post(f"/agent/c/{conv}/claim", data={"csrf": csrf})
        page = client.get(f"/agent/c/{conv}").text
        assert 'id="transfer-to"' in page and ">Bor<" in page
        r = client.post(f"/agent/c/{conv}/transfer", data={"csrf": csrf, "to": "bor"}, follow_redirects=False)
        assert r.status_code == 303
        assert tickets(backend_url, conv)[0]["assigned_to"] == "bor"
        texts = [m["text"] for m in client.get("/api/web/history", headers={"X-Session-Id": sid}).json()["messages"]]
        assert texts[-1] == "Pogovor je prevzel svetovalec Bor."
        for to in ("nihče", "bor", ""):  # unknown, or already Bor's (ana no longer has it: still refused for bor)
            r = client.post(f"/agent/c/{conv}/transfer", data={"csrf": csrf, "to": to}, follow_redirects=False)
            assert r.status_code in (303, 409)
        assert tickets(backend_url, conv)[0]["assigned_to"] == "bor"
        r = client.post(f"/agent/c/{conv}/transfer", data={"csrf": csrf, "to": "nihče"}, follow_redirects=False)
        assert r.status_code == 409 and "predati" in r.text


def test_search_by_text_and_customer_number(client: TestClient, backend_url: str) -> None:
    sid = new_session(client)
    conv = web_conversation_id(sid)
    say(client, sid, text="Zanima me položnica za vikendico Zgornje Gorje")
    login(client)
    page = client.get("/agent/search", params={"q": "vikendico zgornje"}).text
    assert f"/agent/c/{conv}" in page
    assert "Ni zadetkov" in client.get("/agent/search", params={"q": "ničesar takega ni 100%_"}).text
    assert "vsaj 3 znake" in client.get("/agent/search", params={"q": "ab"}).text

    # verified in this conversation (the backend issues a session token only after the code)
    h = {"X-API-Key": API_KEY}
    r = httpx.post(f"{backend_url}/api/v1/verification/start", headers=h,
                   json={"identifier": "ana.novak@example.com", "conversation_id": conv})
    assert r.status_code == 200, r.text
    body = httpx.get(f"{backend_url}/api/v1/dev/outbox", headers=h, params={"limit": 1}).json()[0]["body"]
    code = body.split(": ", 1)[1][:6]
    r = httpx.post(f"{backend_url}/api/v1/verification/confirm", headers=h, json={"conversation_id": conv, "code": code})
    assert r.status_code == 200, r.text
    page = client.get("/agent/search", params={"q": "1000001"}).text
    assert f"/agent/c/{conv}" in page and "preverjena stranka 1000001" in page


def test_transcript_shows_button_titles(client: TestClient) -> None:
    from bot.handoff import Gateway

    events = [
        {"event": "bot", "text": "Ali vam je odgovor pomagal?", "timestamp": 1.0,
         "data": {"buttons": [{"title": "Da", "payload": "/affirm"}, {"title": "Ne", "payload": "/deny"}]}},
        {"event": "user", "text": "/affirm", "timestamp": 2.0},
        {"event": "user", "text": "/deny je bilo napisano", "timestamp": 3.0},
    ]
    gateway: Gateway = client.app.state.gateway  # type: ignore[attr-defined]

    async def tracker(_conv: str) -> dict:
        return {"events": events, "slots": {}}

    gateway.rasa.tracker = tracker  # type: ignore[method-assign]
    import asyncio

    items = asyncio.run(gateway.transcript("web-000000000000000000000000"))["items"]
    assert [i["text"] for i in items] == ["Ali vam je odgovor pomagal?", "Da", "/deny je bilo napisano"]


def test_login_as_second_agent(settings: Settings) -> None:
    with TestClient(create_app(two_agents(settings))) as client:
        page = client.get("/agent/login")
        r = client.post("/agent/login", data={"username": "bor", "password": BOR_PASSWORD, "csrf": csrf_of(page.text)},
                        follow_redirects=False)
        assert r.status_code == 303
        assert AGENT_PASSWORD != BOR_PASSWORD


def test_notes_go_with_the_history(settings: Settings) -> None:
    """Erasure ("izbriši moje podatke"), an expired conversation and the retention sweep take the
    agents' notes about the conversation with them."""
    from bot.console_store import ConsoleStore
    from bot.store import Store

    store = Store(settings.resolved_database_url())
    notes = ConsoleStore(store)
    try:
        for conv in ("web-erase", "web-forget", "web-old"):
            store.ensure_conversation(conv, "web", conv)
            assert notes.add_note(conv, "ana", "Stranka je poklicala včeraj.")
        store.delete_turns("web-erase")
        store.delete_conversation("web-forget")
        assert notes.notes("web-erase") == [] and notes.notes("web-forget") == []
        assert len(notes.notes("web-old")) == 1
        store.delete_turns_older_than(time.time() + 1)
        assert notes.notes("web-old") == []
    finally:
        store.close()
