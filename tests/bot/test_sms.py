"""SMS webhook: Twilio signatures (valid / forged), TwiML parts, numbered options, outbound during handoff."""

from __future__ import annotations

import re
import uuid
from xml.etree import ElementTree

from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from bot.handoff import HANDBACK_NOTICE, conversation_key
from tests.bot.conftest import TWILIO_TOKEN, login
from tests.bot.fakes import FakeRasa

URL = "http://testserver/sms/inbound"
PHONE = "+38640111222"


def post_sms(client: TestClient, body: str, sender: str = PHONE, signature: str | None = None,  # noqa: ANN201
             sid: str | None = None):
    """A signed Twilio webhook call; every message its own MessageSid unless `sid` repeats one."""
    params = {"From": sender, "Body": body, "MessageSid": sid or "SM" + uuid.uuid4().hex}
    sig = signature if signature is not None else RequestValidator(TWILIO_TOKEN).compute_signature(URL, params)
    return client.post("/sms/inbound", data=params, headers={"X-Twilio-Signature": sig})


def parts(resp_text: str) -> list[str]:
    return [m.text or "" for m in ElementTree.fromstring(resp_text).iter("Message")]


def test_forged_or_missing_signature_is_403(client: TestClient, fake_rasa: FakeRasa) -> None:
    before = len(fake_rasa.received)
    assert post_sms(client, "zdravo", signature="forged").status_code == 403
    r = client.post("/sms/inbound", data={"From": PHONE, "Body": "zdravo"})
    assert r.status_code == 403
    # Signed for other content: changing the body breaks it.
    good = RequestValidator(TWILIO_TOKEN).compute_signature(URL, {"From": PHONE, "Body": "a"})
    r = client.post("/sms/inbound", data={"From": PHONE, "Body": "b"}, headers={"X-Twilio-Signature": good})
    assert r.status_code == 403
    assert len(fake_rasa.received) == before


def test_valid_sms_reply_with_numbered_options(client: TestClient, fake_rasa: FakeRasa) -> None:
    r = post_sms(client, "pozabu sm geslo")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    msgs = parts(r.text)
    assert all(len(p) <= 153 for p in msgs)
    assert any("1 – Da, 2 – Ne" in p for p in msgs)
    conv = conversation_key("sms", PHONE)
    assert fake_rasa.received[-1] == (conv, "pozabu sm geslo")
    assert PHONE not in conv
    # "2" sends the second option's payload.
    r = post_sms(client, " 2 ")
    assert fake_rasa.received[-1] == (conv, "/deny")
    assert "žal mi je" in parts(r.text)[0]
    # Typed command over SMS is neutralised too.
    post_sms(client, "/affirm")
    assert not fake_rasa.received[-1][1].startswith("/")


def test_long_reply_split_into_parts(client: TestClient) -> None:
    r = post_sms(client, "beseda " * 60)
    msgs = parts(r.text)
    assert len(msgs) >= 3 and all(len(p) <= 153 for p in msgs)
    assert all(re.match(r"^\S.*\S$", p) for p in msgs)


def test_agent_reply_goes_to_sms_outbox(client: TestClient) -> None:
    phone = "+38641999888"
    parts(post_sms(client, "rad bi svetovalca", sender=phone).text)
    conv = conversation_key("sms", phone)
    assert parts(post_sms(client, "nujno", sender=phone).text) == []
    csrf = login(client)
    long_reply = "Pozdravljeni, " + "preverjamo vaš račun " * 12
    client.post(f"/agent/c/{conv}/reply", data={"csrf": csrf, "text": long_reply})
    client.post(f"/agent/c/{conv}/handback", data={"csrf": csrf})
    store = client.app.state.gateway.store  # type: ignore[attr-defined]
    out = [m["body"] for m in store.sms_outbox(phone)]
    assert len(out) >= 4 and all(len(b) <= 153 for b in out)
    assert out[0] == "Z vami se zdaj pogovarja Ana iz službe za pomoč strankam."  # the claim notice
    # ... the reply, the hand-back notice, then the satisfaction question (test_satisfaction.py)
    back = out.index(HANDBACK_NOTICE)
    assert " ".join(out[1:back]) == long_reply.strip()
    assert " ".join(out[back + 1:]).startswith("Kako ste zadovoljni s pomočjo svetovalca?")
