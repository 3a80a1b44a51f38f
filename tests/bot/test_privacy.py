"""Personal data short-lived in the gateway (issue 12): codes as "••••••", contacts masked for agents."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot import privacy
from bot.channels.web import web_conversation_id
from bot.handoff import Gateway
from tests.bot.conftest import login, new_session, say, tickets
from tests.bot.fakes import FakeRasa

ASK = "ponovi: Vpišite 6-mestno kodo iz sporočila. Če je ni, napišite »nova koda«."


def stored_user_texts(client: TestClient, conv: str) -> list[str]:
    gateway: Gateway = client.app.state.gateway  # type: ignore[attr-defined]
    return [t["text"] for t in gateway.store.turns(conv) if t["role"] == "user"]


def history_texts(client: TestClient, sid: str) -> list[str]:
    r = client.get("/api/web/history", headers={"X-Session-Id": sid})
    return [m["text"] for m in r.json()["messages"] if m["role"] == "user"]


def test_typed_code_reaches_rasa_but_is_stored_masked(client: TestClient, fake_rasa: FakeRasa) -> None:
    sid = new_session(client)
    conv = web_conversation_id(sid)
    say(client, sid, text="123 456")  # a bare code, whatever came before
    assert fake_rasa.received[-1] == (conv, "123 456")
    say(client, sid, text=ASK)
    say(client, sid, text="koda je 654321")  # inside a sentence, right after the bot asked for it
    assert fake_rasa.received[-1] == (conv, "koda je 654321")
    say(client, sid, text="pozabu sm geslo")
    say(client, sid, text="naročilo 777888 je prišlo")  # not after a request for the code: kept
    assert stored_user_texts(client, conv) == ["••••••", ASK, "koda je ••••••", "pozabu sm geslo",
                                               "naročilo 777888 je prišlo"]
    assert history_texts(client, sid) == stored_user_texts(client, conv)


def test_code_typed_to_an_agent_is_stored_masked(client: TestClient) -> None:
    sid = new_session(client)
    conv = web_conversation_id(sid)
    say(client, sid, text="želim svetovalca")
    say(client, sid, text="987-654")
    assert stored_user_texts(client, conv)[-1] == "••••••"


def test_summary_and_transcript_mask_contacts_and_codes(
    client: TestClient, backend_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway: Gateway = client.app.state.gateway  # type: ignore[attr-defined]
    sent: list[dict[str, Any]] = []
    real_create = gateway.backend.create_ticket

    async def recording_create(*args: Any, **kwargs: Any) -> Any:
        sent.append(kwargs)  # what the gateway sends, before the backend redacts it again
        return await real_create(*args, **kwargs)

    monkeypatch.setattr(gateway.backend, "create_ticket", recording_create)
    sid = new_session(client)
    conv = web_conversation_id(sid)
    say(client, sid, text="moj e-naslov je ana.novak@example.com, telefon +386 41 555 123")
    say(client, sid, text=ASK)
    say(client, sid, text="123456")
    say(client, sid, text="želim svetovalca")
    [summary] = [k["summary"] for k in sent]
    for secret in ("ana.novak@example.com", "41 555 123", "123456"):
        assert secret not in summary
    assert "a***@e***.com" in summary and "041 *** 123" in summary
    assert tickets(backend_url, conv)[-1]["summary"] == summary

    login(client)
    assert client.get(f"/agent/c/{conv}").status_code == 200
    items = client.get(f"/agent/api/c/{conv}/transcript").json()["items"]
    said = [i["text"] for i in items if i["role"] == "user"]  # (the stand-in's bot echoes what it got)
    assert said == ["moj e-naslov je a***@e***.com, telefon 041 *** 123", ASK, "••••••", "želim svetovalca"]


@pytest.mark.parametrize(("text", "expected", "masked"), [
    ("123456", True, "••••••"), (" 123 456 ", False, "••••••"), ("123-456", False, "••••••"),
    ("koda 123456", True, "koda ••••••"), ("koda 123456", False, "koda 123456"),
    ("SI-E-100001", True, "SI-E-100001"), ("1234567", True, "1234567"),
])
def test_user_turn_text(text: str, expected: bool, masked: str) -> None:
    assert privacy.user_turn_text(text, expected) == masked


def test_asks_for_code_and_redact() -> None:
    assert privacy.asks_for_code("Vpišite 6-mestno kodo iz sporočila.")
    assert privacy.asks_for_code("Koda ni več veljavna.")
    assert not privacy.asks_for_code("Kodeks ravnanja je na spletni strani.")
    assert not privacy.asks_for_code(None)
    assert privacy.redact("pišite na j.k@gmail.com ali 041/123-456, koda 111 222") == \
        "pišite na j***@g***.com ali 041 *** 456, koda ••••••"
