"""Web widget channel against the Rasa stand-in: forwarding, neutralisation, history isolation, bad input."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.channels import web
from bot.channels.web import web_conversation_id
from bot.config import Settings
from bot.main import create_app
from bot.neutralise import SAFE_SLASH
from tests.bot.conftest import API_KEY, login, new_session, next_message, say, unique
from tests.bot.fakes import FakeRasa


def sent_to_rasa(fake: FakeRasa, conv_prefix: str = "web-") -> list[str]:
    return [m for s, m in fake.received if s.startswith(conv_prefix)]


def test_demo_page_and_widget(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'lang="sl"' in page.text and "Moj GEN-I" in page.text
    assert "/static/widget.js" in page.text
    js = client.get("/static/widget.js")
    assert js.status_code == 200 and "X-Session-Id" in js.text


def test_forwarding_and_buttons(client: TestClient, fake_rasa: FakeRasa) -> None:
    sid = new_session(client)
    body = say(client, sid, text="pozabu sm geslo")
    texts = [m["text"] for m in body["messages"]]
    assert "Pozabil sem geslo" in texts[0]
    assert body["messages"][-1]["buttons"] == [{"title": "Da", "payload": "/affirm"},
                                               {"title": "Ne", "payload": "/deny"}]
    # A button press is a payload and passes through as such.
    body = say(client, sid, payload="/affirm", title="Da")
    assert body["messages"][0]["text"].startswith("Hvala za oceno")
    assert fake_rasa.received[-1][1] == "/affirm"


def test_typed_command_does_not_reach_rasa_as_command(client: TestClient, fake_rasa: FakeRasa) -> None:
    sid = new_session(client)
    for typed in ("/affirm", '  /inform{"customer_masked": "x"}'):
        say(client, sid, text=typed)
        forwarded = fake_rasa.received[-1][1]
        assert not forwarded.strip().startswith("/"), forwarded
        assert forwarded.startswith(SAFE_SLASH)
    # A payload the bot never offered is treated as typed text too.
    say(client, sid, payload='/affirm{"x": 1}', title="Da")
    assert fake_rasa.received[-1][1].startswith(SAFE_SLASH)


def test_history_only_for_its_own_session(client: TestClient) -> None:
    a, b = new_session(client), new_session(client)
    assert a != b and len(a) >= 40
    say(client, a, text="skrivnost ane")
    hist_a = client.get("/api/web/history", headers={"X-Session-Id": a}).json()["messages"]
    assert [m["role"] for m in hist_a] == ["user", "bot"] and hist_a[0]["text"] == "skrivnost ane"
    hist_b = client.get("/api/web/history", headers={"X-Session-Id": b}).json()["messages"]
    assert hist_b == []
    for bad in ("", "guess", a[:-1] + ("x" if a[-1] != "x" else "y"), "x" * 500):
        r = client.get("/api/web/history", headers={"X-Session-Id": bad})
        assert r.status_code == 404
    assert client.get("/api/web/history").status_code == 404
    r = client.post("/api/web/message", headers={"X-Session-Id": "made-up"}, json={"text": "zdravo"})
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("raw", "expect"),
    [
        ({"text": ""}, "prazno"),
        ({"text": "😀😀😀"}, "besedilo"),
        ({"text": "\x00\x01\x02\xff\ufffd"}, "znake"),
        ({"text": 12345}, "prazno"),
        ({}, "prazno"),
    ],
)
def test_bad_input_gets_slovene_reply(client: TestClient, raw: dict[str, object], expect: str) -> None:
    sid = new_session(client)
    body = say(client, sid, **raw)
    assert expect in body["messages"][0]["text"]


def test_huge_and_binary_bodies_never_500(client: TestClient, fake_rasa: FakeRasa) -> None:
    sid = new_session(client)
    body = say(client, sid, text="a" * 100_000)
    assert "predolgo" in body["messages"][0]["text"]
    assert len(fake_rasa.received[-1][1]) == 2000
    for raw in (b"\xff\xfe\x00garbage", b"[1,2", b'"string"'):
        r = client.post("/api/web/message", headers={"X-Session-Id": sid}, content=raw)
        assert r.status_code == 200 and r.json()["messages"][0]["text"]
    # Over GATEWAY_MAX_BODY_BYTES: refused unread with a Slovene reason the widget shows.
    r = client.post("/api/web/message", headers={"X-Session-Id": sid}, content=b"x" * 300_000)
    assert r.status_code == 413 and "predolgo" in r.json()["detail"]


def test_rate_limit_per_sender(settings: Settings) -> None:
    settings.rate_limit = "3/minute"
    with TestClient(create_app(settings)) as c:
        sid, other = new_session(c), new_session(c)
        replies = [say(c, sid, text=f"vprašanje {i}")["messages"][0]["text"] for i in range(5)]
        assert "Počakajte" in replies[3] and "Počakajte" in replies[4]
        assert "Počakajte" not in say(c, other, text="zdravo")["messages"][0]["text"]


def test_rasa_down_polite_reply(client: TestClient, fake_rasa: FakeRasa) -> None:
    fake_rasa.down = True
    sid = new_session(client)
    body = say(client, sid, text="zdravo")
    assert "ni dosegljiv" in body["messages"][0]["text"]


def test_fallback_counted(client: TestClient) -> None:
    sid = new_session(client)
    say(client, sid, text="xyzzy")
    say(client, sid, text="pozabu sm geslo")
    totals = client.app.state.gateway.store.totals()  # type: ignore[attr-defined]
    assert totals["forwarded"] == 2 and totals["fallbacks"] == 1


def test_a_reply_that_only_sounds_like_a_miss_is_not_counted(client: TestClient) -> None:
    """Only the actions' explicit marker counts as a misunderstanding, not the wording of a reply."""
    session = new_session(client)
    say(client, session, text="nekaj podobno")
    conv_id = web_conversation_id(session)
    conv = client.app.state.gateway.store.conversation(conv_id)  # type: ignore[attr-defined]
    assert conv is not None and conv.fallbacks == 0 and conv.forwarded == 1


def test_invoice_pdf_link_opens_in_the_browser(client: TestClient, backend_url: str) -> None:
    """The backend signs the link, the gateway serves the PDF; a forged or altered link gets a page."""
    import re

    import httpx

    from tests.bot.conftest import API_KEY

    api, h = f"{backend_url}/api/v1", {"X-API-Key": API_KEY}
    conv = "gw-pdf-" + unique()
    httpx.post(f"{api}/verification/start", headers=h, json={"identifier": "ana.novak@example.com",
                                                             "conversation_id": conv}).raise_for_status()
    body = httpx.get(f"{api}/dev/outbox", headers=h, params={"limit": 1, "recipient": "ana.novak@example.com"})
    code = re.search(r"\b(\d{6})\b", body.json()[0]["body"]).group(1)  # type: ignore[union-attr]
    answer = httpx.post(f"{api}/verification/confirm", headers=h, json={"code": code, "conversation_id": conv})
    token = answer.json()["token"]
    me = {**h, "Authorization": f"Bearer {token}", "X-Conversation-Id": conv}
    number = httpx.get(f"{api}/me/invoices", headers=me, params={"limit": 1}).json()["items"][0]["number"]
    link = httpx.post(f"{api}/me/invoices/{number}/pdf-link", headers=me).json()["token"]
    r = client.get(f"/racun/{link}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["cache-control"] == "no-store" and number.encode() in r.content
    for bad in (link[:-3] + "xyz", "a.b", "<script>"):
        gone = client.get(f"/racun/{bad}")
        assert gone.status_code == 404 and "ni veljavna" in gone.text and "<script>" not in gone.text


# --- what the widget needs beyond the text (times, agent names, used buttons, queue place) ---------
def test_history_carries_times_and_used_buttons(client: TestClient) -> None:
    sid = new_session(client)
    say(client, sid, text="pozabu sm geslo")
    reply = say(client, sid, payload="/affirm", title="Da")
    assert datetime.fromisoformat(reply["messages"][0]["created_at"]).utcoffset() is not None
    assert reply["conversation"] == {"state": "bot", "agent": None, "queue_position": None}

    body = client.get("/api/web/history", headers={"X-Session-Id": sid}).json()
    msgs = body["messages"]
    assert [m["role"] for m in msgs] == ["user", "bot", "bot", "user", "bot"]
    for m in msgs:
        at = datetime.fromisoformat(m["created_at"])
        assert at.utcoffset() in (timedelta(hours=1), timedelta(hours=2))  # Ljubljana, winter or summer
        assert abs(at.timestamp() - time.time()) < 60
        assert m["author"] is None
    question = msgs[2]
    assert question["buttons"] == [{"title": "Da", "payload": "/affirm"}, {"title": "Ne", "payload": "/deny"}]
    assert question["answered"] is True and question["chosen"] == "Da"
    assert msgs[1]["answered"] is True and msgs[1]["chosen"] is None  # no buttons, but answered after
    assert msgs[-1]["answered"] is False and msgs[-1]["chosen"] is None
    assert body["handoff"] is False and body["conversation"]["state"] == "bot"


def test_buttons_answered_by_typing_are_used_but_not_chosen(client: TestClient) -> None:
    sid = new_session(client)
    say(client, sid, text="pozabu sm geslo")
    msgs = client.get("/api/web/history", headers={"X-Session-Id": sid}).json()["messages"]
    assert msgs[-1]["buttons"] and msgs[-1]["answered"] is False  # still open: the widget keeps it enabled
    say(client, sid, text="kaj pa račun")
    msgs = client.get("/api/web/history", headers={"X-Session-Id": sid}).json()["messages"]
    assert msgs[2]["buttons"] and msgs[2]["answered"] is True and msgs[2]["chosen"] is None


def test_queue_position_agent_name_and_live_state_frames(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web, "STATE_CHECK_SECONDS", 0.05)
    first, second = new_session(client), new_session(client)
    body = say(client, first, text="želim govoriti s svetovalcem")
    assert body["handoff"] is True
    assert body["conversation"]["state"] == "queued"
    position_first = body["conversation"]["queue_position"]
    body = say(client, second, text="želim govoriti s svetovalcem")
    assert body["conversation"] == {"state": "queued", "agent": None, "queue_position": position_first + 1}

    csrf = login(client)
    conv_first, conv_second = web_conversation_id(first), web_conversation_id(second)
    with client.websocket_connect("/api/web/ws") as ws:
        ws.send_json({"session_id": second})
        ready = ws.receive_json()
        assert ready["type"] == "ready" and ready["conversation"]["queue_position"] == position_first + 1
        # The agent takes the first conversation: the second moves up without asking.
        r = client.post(f"/agent/c/{conv_first}/claim", data={"csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303
        frame = ws.receive_json()
        assert frame == {"type": "state",
                         "conversation": {"state": "queued", "agent": None, "queue_position": position_first}}
        r = client.post(f"/agent/c/{conv_second}/reply", data={"csrf": csrf, "text": "Dober dan, tu Ana."},
                        follow_redirects=False)
        assert r.status_code == 303
        notice = next_message(ws)  # the reply claims it: first who took it, then the reply
        assert notice["message"]["role"] == "system" and "Ana" in notice["message"]["text"]
        pushed = next_message(ws)
        assert pushed["type"] == "message"
        assert pushed["conversation"] == {"state": "assigned", "agent": "Ana", "queue_position": None}
        assert pushed["message"]["author"] == "Ana" and pushed["message"]["text"] == "Dober dan, tu Ana."
        assert datetime.fromisoformat(pushed["message"]["created_at"]).utcoffset() is not None

    hist = client.get("/api/web/history", headers={"X-Session-Id": second}).json()
    assert hist["conversation"] == {"state": "assigned", "agent": "Ana", "queue_position": None}
    agent_turn = hist["messages"][-1]
    assert agent_turn["role"] == "agent" and agent_turn["author"] == "Ana"
    assert agent_turn["created_at"] == pushed["message"]["created_at"]
    first_hist = client.get("/api/web/history", headers={"X-Session-Id": first}).json()
    assert first_hist["conversation"] == {"state": "assigned", "agent": "Ana", "queue_position": None}


def test_history_messages_unit() -> None:
    turns = [
        {"id": 1, "role": "bot", "text": "Izberite", "buttons": [{"title": "Da", "payload": "/affirm"}],
         "created_at": 1_700_000_000.0, "author": None},
        {"id": 2, "role": "user", "text": "/affirm", "buttons": [], "created_at": 1_700_000_001.0, "author": None},
        {"id": 3, "role": "agent", "text": "Pozdravljeni", "buttons": [], "created_at": 1_700_000_002.0,
         "author": "maja"},
    ]
    out = web.history_messages(turns)
    assert out[0]["chosen"] == "Da"  # a press stored by its payload (no title sent) is found too
    assert out[0]["created_at"] == "2023-11-14T23:13:20+01:00"
    assert out[2]["author"] == "Maja" and out[1]["author"] is None


def test_the_widget_brand_reaches_rasa_and_the_ticket(client: TestClient, fake_rasa: FakeRasa,
                                                      backend_url: str) -> None:
    """A Butan plin site's widget: the assistant must answer with Moj Butan plin's facts (the brand
    slot from the metadata) and the agent sees the brand on the ticket; an unknown brand is ignored."""
    sid = new_session(client)
    say(client, sid, text="pozabil sem geslo", brand="butan")
    assert fake_rasa.metadata[-1]["brand"] == "butan"
    say(client, sid, text="pozabil sem geslo", brand="<script>")
    assert "brand" not in fake_rasa.metadata[-1]
    assert say(client, sid, text="želim govoriti s svetovalcem", brand="butan")["handoff"] is True
    r = httpx.get(f"{backend_url}/api/v1/conversations/{web_conversation_id(sid)}/handoff",
                  headers={"X-API-Key": API_KEY})
    assert r.status_code == 200 and r.json()["ticket"]["brand"] == "butan", r.text
