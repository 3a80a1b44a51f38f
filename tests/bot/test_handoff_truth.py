"""The backend's ticket decides who has the conversation; a hand-back closes it only after Rasa resumed."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from bot.channels.web import web_conversation_id
from bot.config import Settings
from bot.handoff import HANDBACK_NOTICE, STATE_UNKNOWN
from bot.main import create_app
from devtools.servers import free_port
from tests.bot.conftest import API_KEY, login, new_session, say, tickets
from tests.bot.fakes import FakeRasa


def test_failed_resume_keeps_the_conversation_with_the_agent(
    client: TestClient, fake_rasa: FakeRasa, backend_url: str
) -> None:
    sid = new_session(client)
    conv = web_conversation_id(sid)
    say(client, sid, text="želim govoriti s svetovalcem")
    csrf = login(client)
    client.post(f"/agent/c/{conv}/reply", data={"csrf": csrf, "text": "Tu Ana."})

    fake_rasa.resume_fails = 100  # Rasa is restarting: every resume is refused
    r = client.post(f"/agent/c/{conv}/handback", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    [ticket] = tickets(backend_url, conv)
    assert ticket["status"] == "handback_failed"  # not closed: a person still has it
    page = client.get(r.headers["location"])
    assert "Vrnitev virtualnemu pomočniku ni uspela" in page.text
    assert "vrnitev pomočniku ni uspela" in client.get("/agent").text

    # The user's next message reaches the agent, not the paused Rasa (where it would vanish).
    before = len(fake_rasa.received)
    assert say(client, sid, text="ste še tam?")["messages"] == []
    assert len(fake_rasa.received) == before
    transcript = client.get(f"/agent/api/c/{conv}/transcript").json()
    assert ("user", "ste še tam?") in [(i["role"], i["text"]) for i in transcript["items"]]
    assert transcript["ticket_status"] == "handback_failed"

    fake_rasa.resume_fails = 1  # one more refusal, then Rasa is back: the retry succeeds
    r = client.post(f"/agent/c/{conv}/handback", data={"csrf": csrf}, follow_redirects=False)
    assert r.headers["location"] == "/agent"
    assert tickets(backend_url, conv)[0]["status"] == "closed"
    history = client.get("/api/web/history", headers={"X-Session-Id": sid}).json()
    # the notice, then the satisfaction question (tests/bot/test_satisfaction.py)
    assert history["handoff"] is False and history["messages"][-2]["text"] == HANDBACK_NOTICE
    assert say(client, sid, text="hvala")["messages"][0]["text"].startswith("Odgovor pomočnika")


def test_ticket_closed_elsewhere_gives_the_conversation_back(
    client: TestClient, fake_rasa: FakeRasa, backend_url: str
) -> None:
    """Another replica (or the backend's own tools) closed the ticket: the ticket decides, and a
    still-paused Rasa is resumed so the user is answered instead of ignored."""
    sid = new_session(client)
    conv = web_conversation_id(sid)
    say(client, sid, text="želim govoriti s svetovalcem")
    assert conv in fake_rasa.paused
    [ticket] = tickets(backend_url, conv)
    httpx.patch(f"{backend_url}/api/v1/handoff-tickets/{ticket['id']}", headers={"X-API-Key": API_KEY},
                json={"status": "closed"}).raise_for_status()
    body = say(client, sid, text="pozabu sm geslo")
    assert body["handoff"] is False and "Pozabil sem geslo" in body["messages"][0]["text"]
    assert conv not in fake_rasa.paused


def test_two_gateways_agree_on_the_ticket(settings: Settings, fake_rasa: FakeRasa, backend_url: str) -> None:
    """Replica B sees A's handoff through the backend, even with a database of its own."""
    other = settings.model_copy(update={"database_url": settings.database_url.replace("gateway.db", "b.db")})
    from bot.prestart import upgrade

    upgrade(other.database_url)
    with TestClient(create_app(settings)) as a, TestClient(create_app(other)) as b:
        sid = new_session(a)
        conv = web_conversation_id(sid)
        say(a, sid, text="svetovalec, prosim")
        assert len(tickets(backend_url, conv)) == 1
        csrf = login(b)
        inbox = b.get("/agent/api/inbox").json()
        assert conv in [c["id"] for c in inbox["queue"]]
        # a second handoff request from the other side does not open a second ticket
        client_b = b.app.state.gateway  # type: ignore[attr-defined]
        b.portal.call(client_b.start_handoff, client_b.store.ensure_conversation(conv, "web", conv), "request")  # type: ignore[union-attr]
        assert len(tickets(backend_url, conv)) == 1
        b.post(f"/agent/c/{conv}/handback", data={"csrf": csrf})
        assert tickets(backend_url, conv)[0]["status"] == "closed"
        assert say(a, sid, text="hvala")["messages"][0]["text"].startswith("Odgovor pomočnika")


def test_backend_down_message_is_not_lost_silently(settings: Settings, fake_rasa: FakeRasa) -> None:
    settings.backend_url = f"http://127.0.0.1:{free_port()}"
    with TestClient(create_app(settings)) as c:
        sid = new_session(c)
        before = len(fake_rasa.received)
        body = say(c, sid, text="zdravo")
        assert [m["text"] for m in body["messages"]] == [STATE_UNKNOWN]
        assert len(fake_rasa.received) == before
        assert c.get("/api/web/history", headers={"X-Session-Id": sid}).json()["messages"] == []
