"""Handoff: queue -> agent reply delivered live -> hand back -> Rasa resumed; console auth and CSRF."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.channels.web import web_conversation_id
from bot.handoff import HANDBACK_NOTICE
from tests.bot.conftest import csrf_of, login, new_session, next_message, say, tickets
from tests.bot.fakes import HANDOFF_TEXT, FakeRasa


def test_full_handoff_round_trip(client: TestClient, fake_rasa: FakeRasa, backend_url: str) -> None:
    sid = new_session(client)
    conv = web_conversation_id(sid)
    say(client, sid, text="pozabu sm geslo")
    body = say(client, sid, text="želim govoriti s svetovalcem")
    assert [m["text"] for m in body["messages"]] == [HANDOFF_TEXT] and body["handoff"] is True
    [ticket] = tickets(backend_url, conv)
    assert ticket["kind"] == "live" and ticket["channel"] == "web" and ticket["status"] == "open"
    assert ticket["reason"] == "request"

    # While handed off, the user's messages go to the agent inbox, not to Rasa; the bot is silent.
    before = len(fake_rasa.received)
    body = say(client, sid, text="Ali je kdo tam?")
    assert body["messages"] == [] and len(fake_rasa.received) == before
    say(client, sid, text="/affirm")  # typed command during handoff: stored, never forwarded
    assert len(fake_rasa.received) == before

    csrf = login(client)
    inbox = client.get("/agent/api/inbox").json()
    assert conv in [c["id"] for c in inbox["queue"]]
    transcript = client.get(f"/agent/api/c/{conv}/transcript").json()
    texts = [(i["role"], i["text"]) for i in transcript["items"]]
    assert ("user", "pozabu sm geslo") in texts and ("bot", HANDOFF_TEXT) in texts  # from Rasa's tracker
    assert ("user", "Ali je kdo tam?") in texts  # from the gateway, during handoff
    assert transcript["customer_masked"] == "a***@e***.si"
    page = client.get(f"/agent/c/{conv}")
    assert page.status_code == 200 and "a***@e***.si" in page.text and "Ali je kdo tam?" in page.text

    with client.websocket_connect("/api/web/ws") as ws:
        ws.send_json({"session_id": sid})
        assert ws.receive_json()["type"] == "ready"
        r = client.post(f"/agent/c/{conv}/reply", data={"csrf": csrf, "text": "Pozdravljeni, tu Ana."},
                        follow_redirects=False)
        assert r.status_code == 303
        # The first reply claims the conversation: the customer is told who, then gets the reply.
        claimed = next_message(ws)["message"]
        assert (claimed["role"], claimed["text"]) == (
            "system", "Z vami se zdaj pogovarja Ana iz službe za pomoč strankam.")
        pushed = next_message(ws)
        assert {k: pushed["message"][k] for k in ("role", "text", "buttons")} == {
            "role": "agent", "text": "Pozdravljeni, tu Ana.", "buttons": []}
        assert pushed["message"]["author"] == "Ana"
        assert tickets(backend_url, conv)[0]["status"] == "assigned"

        r = client.post(f"/agent/c/{conv}/handback", data={"csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303
        assert next_message(ws)["message"]["text"] == HANDBACK_NOTICE

    assert tickets(backend_url, conv)[0]["status"] == "closed"
    assert conv in fake_rasa.resumed
    history = client.get("/api/web/history", headers={"X-Session-Id": sid}).json()["messages"]
    assert [m["role"] for m in history][-3:] == ["agent", "system", "system"]  # reply, notice, question
    body = say(client, sid, text="hvala")
    assert body["messages"][0]["text"].startswith("Odgovor pomočnika") and fake_rasa.received[-1] == (conv, "hvala")


def test_console_requires_login(client: TestClient) -> None:
    r = client.get("/agent", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/agent/login"
    assert client.get("/agent/report", follow_redirects=False).status_code == 303
    assert client.get("/agent/api/inbox").status_code == 401
    assert client.get("/agent/api/c/web-0123456789abcdef01234567/transcript").status_code == 401
    assert client.post("/agent/c/web-0123456789abcdef01234567/reply", data={"text": "x"}).status_code == 401
    # Forged cookie
    client.cookies.set("agent_session", "eyJ1IjoiYW5hIn0.forged.sig", path="/agent")
    assert client.get("/agent/api/inbox").status_code == 401


def test_login_wrong_password_and_csrf(client: TestClient) -> None:
    page = client.get("/agent/login")
    token = csrf_of(page.text)
    r = client.post("/agent/login", data={"username": "ana", "password": "napačno", "csrf": token})
    assert r.status_code == 401 and "Napačno" in r.text
    r = client.post("/agent/login", data={"username": "ana", "password": "x", "csrf": "forged"})
    assert r.status_code == 403
    cookie = client.cookies.get("agent_login_csrf")
    assert cookie
    set_cookie = page.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie


def test_csrf_rejected_on_console_actions(client: TestClient) -> None:
    sid = new_session(client)
    conv = web_conversation_id(sid)
    say(client, sid, text="svetovalec prosim")
    csrf = login(client)
    for data in ({"text": "x"}, {"text": "x", "csrf": "wrong"}):
        assert client.post(f"/agent/c/{conv}/reply", data=data).status_code == 403
    r = client.post(f"/agent/c/{conv}/reply", data={"text": "x", "csrf": csrf},
                    headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert client.post(f"/agent/c/{conv}/handback", data={"csrf": "wrong"}).status_code == 403
    history = client.get("/api/web/history", headers={"X-Session-Id": sid}).json()
    assert history["handoff"] is True and all(m["role"] != "agent" for m in history["messages"])
    cookie = [h for h in client.get("/agent").headers.get_list("set-cookie")]
    assert cookie == []  # the session cookie is only set at login


def test_report_page(client: TestClient, backend_url: str) -> None:
    import httpx

    from tests.bot.conftest import API_KEY

    httpx.post(f"{backend_url}/api/v1/feedback", headers={"X-API-Key": API_KEY},
               json={"conversation_id": "r1", "topic": "forgot_password", "rating": "Da"})
    sid = new_session(client)
    say(client, sid, text="xyzzy")
    say(client, sid, text="svetovalec")
    login(client)
    page = client.get("/agent/report")
    assert page.status_code == 200
    assert "Pozabljeno geslo" in page.text and "Delež nerazumljenih" in page.text  # the FAQ title
    assert "50,0\u00a0%" in page.text  # 1 fallback of 2 forwarded messages (Slovene format)
