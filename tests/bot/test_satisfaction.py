"""Satisfaction after a human chat (issue 14): on hand-back or resolve the customer is asked
"Kako ste zadovoljni s pomočjo svetovalca?" with 1-5 on their own channel; the answer is kept by
the gateway (never sent to Rasa) and stored once with the ticket in the backend."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.channels.web import web_conversation_id
from bot.console_texts import RESOLVED_NOTICE, SATISFACTION_QUESTION, SATISFACTION_THANKS
from bot.handoff import HANDBACK_NOTICE, conversation_key
from tests.bot.conftest import login, new_session, next_message, say, tickets
from tests.bot.fakes import FakeRasa, FakeTelegram
from tests.bot.test_sms import parts, post_sms
from tests.bot.test_telegram import HDR, callback_update, message_update, sent_to


def _handed_off_web(client: TestClient) -> tuple[str, str, str]:
    sid = new_session(client)
    conv = web_conversation_id(sid)
    assert say(client, sid, text="želim govoriti s svetovalcem")["handoff"] is True
    csrf = login(client)
    client.post(f"/agent/c/{conv}/reply", data={"csrf": csrf, "text": "Dober dan, kako lahko pomagam?"})
    return sid, conv, csrf


def test_hand_back_asks_and_the_answer_is_stored_not_sent_to_rasa(
    client: TestClient, fake_rasa: FakeRasa, backend_url: str
) -> None:
    sid, conv, csrf = _handed_off_web(client)
    [ticket] = tickets(backend_url, conv)
    assert ticket["first_reply_at"] is not None and ticket["assigned_at"] is not None
    with client.websocket_connect("/api/web/ws") as ws:
        ws.send_json({"session_id": sid})
        assert ws.receive_json()["type"] == "ready"
        client.post(f"/agent/c/{conv}/handback", data={"csrf": csrf})
        assert next_message(ws)["message"]["text"] == HANDBACK_NOTICE
        question = next_message(ws)["message"]
    assert question["text"] == SATISFACTION_QUESTION and question["role"] == "system"
    assert [b["title"] for b in question["buttons"]] == ["1", "2", "3", "4", "5"]
    assert SATISFACTION_QUESTION.startswith("Kako ste zadovoljni s pomočjo svetovalca?")

    before = len(fake_rasa.received)
    four = question["buttons"][3]
    body = say(client, sid, payload=four["payload"], title=four["title"])
    assert [m["text"] for m in body["messages"]] == [SATISFACTION_THANKS]
    assert len(fake_rasa.received) == before  # the gateway's own question: Rasa never sees the answer
    [closed] = tickets(backend_url, conv)
    assert (closed["status"], closed["resolution"], closed["satisfaction"]) == ("closed", "handed_back", 4)

    # A second press does not overwrite the first; the history shows the answer as chosen.
    body = say(client, sid, payload=question["buttons"][0]["payload"], title="1")
    assert "že ocenili" in body["messages"][0]["text"]
    assert tickets(backend_url, conv)[0]["satisfaction"] == 4
    history = client.get("/api/web/history", headers={"X-Session-Id": sid}).json()["messages"]
    asked = [m for m in history if m["text"] == SATISFACTION_QUESTION]
    assert len(asked) == 1 and asked[0]["chosen"] == "4"
    # The bot has the conversation again: the next message goes to Rasa.
    say(client, sid, text="hvala")
    assert fake_rasa.received[-1] == (conv, "hvala")


def test_a_forged_answer_for_another_ticket_is_refused(client: TestClient, backend_url: str) -> None:
    _, other_conv, csrf = _handed_off_web(client)
    client.post(f"/agent/c/{other_conv}/handback", data={"csrf": csrf})
    [other] = tickets(backend_url, other_conv)
    sid = new_session(client)  # a customer who was never asked
    body = say(client, sid, payload=f"ocena-svetovalca:{other['id']}:1", title="1")
    assert body["messages"][0]["role"] == "system" and "zadovolj" not in body["messages"][0]["text"]
    assert tickets(backend_url, other_conv)[0]["satisfaction"] is None


def test_resolve_closes_as_resolved_and_asks(client: TestClient, fake_rasa: FakeRasa, backend_url: str) -> None:
    sid, conv, csrf = _handed_off_web(client)
    r = client.post(f"/agent/c/{conv}/resolve", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/agent"
    assert conv in fake_rasa.resumed
    [ticket] = tickets(backend_url, conv)
    assert (ticket["status"], ticket["resolution"]) == ("closed", "resolved")
    texts = [m["text"] for m in client.get("/api/web/history", headers={"X-Session-Id": sid}).json()["messages"]]
    assert texts[-2:] == [RESOLVED_NOTICE, SATISFACTION_QUESTION]


def test_sms_answer_by_number(client: TestClient, backend_url: str) -> None:
    phone = "+38641777666"
    parts(post_sms(client, "rad bi svetovalca", sender=phone).text)
    conv = conversation_key("sms", phone)
    csrf = login(client)
    client.post(f"/agent/c/{conv}/reply", data={"csrf": csrf, "text": "Pozdravljeni."})
    client.post(f"/agent/c/{conv}/handback", data={"csrf": csrf})
    store = client.app.state.gateway.store  # type: ignore[attr-defined]
    out = [m["body"] for m in store.sms_outbox(phone)]
    question = " ".join(out[out.index(HANDBACK_NOTICE) + 1:])  # one or more SMS parts
    assert question.startswith("Kako ste zadovoljni s pomočjo svetovalca?") and "Odgovorite s številko" in question
    assert parts(post_sms(client, "5", sender=phone).text) == [SATISFACTION_THANKS]
    assert tickets(backend_url, conv)[0]["satisfaction"] == 5


def test_telegram_answer_by_inline_button(client: TestClient, fake_telegram: FakeTelegram, backend_url: str) -> None:
    chat = 7604  # not used by another test of the shared Telegram stand-in
    conv = conversation_key("telegram", str(chat))
    client.post("/telegram/webhook", json=message_update(7604001, chat, "hočem človeka"), headers=HDR)
    csrf = login(client)
    client.post(f"/agent/c/{conv}/reply", data={"csrf": csrf, "text": "Dober dan."})
    client.post(f"/agent/c/{conv}/handback", data={"csrf": csrf})
    keyboard = sent_to(fake_telegram, chat)[-1]["reply_markup"]  # the question's 1-5 inline buttons
    payloads = [row[0]["callback_data"] for row in keyboard["inline_keyboard"]]
    assert len(payloads) == 5
    client.post("/telegram/webhook", json=callback_update(7604002, chat, payloads[1]), headers=HDR)
    assert sent_to(fake_telegram, chat)[-1]["text"] == SATISFACTION_THANKS
    assert tickets(backend_url, conv)[0]["satisfaction"] == 2
