"""client_ref: a keyed hash of the client address in Rasa's metadata; proxies trusted only if configured."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.clientref import client_address, client_ref, parse_networks
from tests.bot.conftest import new_session, say
from tests.bot.fakes import FakeRasa
from tests.bot.test_sms import PHONE, post_sms


def test_client_address_honours_only_trusted_proxies() -> None:
    lb = parse_networks(["127.0.0.1", "10.0.0.0/8", "not-an-ip"])
    xff = {"x-forwarded-for": "6.6.6.6, 203.0.113.7"}
    assert client_address("127.0.0.1", xff, lb) == "203.0.113.7"
    assert client_address("127.0.0.1", {"x-forwarded-for": "203.0.113.7, 10.1.1.1"}, lb) == "203.0.113.7"
    assert client_address("198.51.100.2", xff, lb) == "198.51.100.2"  # not a proxy: header ignored
    assert client_address("127.0.0.1", xff, []) == "127.0.0.1"  # nothing configured: header ignored
    assert client_address(None, {}, lb) == "unknown"
    a, b = client_ref("k1", "web", "203.0.113.7"), client_ref("k2", "web", "203.0.113.7")
    assert a != b and len(a) == 32 and "203" not in a and a == client_ref("k1", "web", "203.0.113.7")


def test_metadata_carries_channel_and_client_ref(client: TestClient, fake_rasa: FakeRasa) -> None:
    sid = new_session(client)
    say(client, sid, text="zdravo")
    meta = fake_rasa.metadata[-1]
    assert meta["channel"] == "web"
    assert meta["client_ref"] == client_ref("test-client-ref-secret", "web", "testclient")
    post_sms(client, "zdravo")
    meta = fake_rasa.metadata[-1]
    assert meta == {"channel": "sms", "client_ref": client_ref("test-client-ref-secret", "sms", PHONE)}
    assert PHONE not in str(fake_rasa.metadata)


def test_fallback_counted_from_the_custom_flag_only(client: TestClient, fake_rasa: FakeRasa) -> None:
    sid = new_session(client)
    body = say(client, sid, text="xyzzy")
    assert all(m["text"] for m in body["messages"])  # the {"fallback": true} message is not shown
    # a reply that merely begins like the old "not understood" texts, without the flag: not counted
    assert say(client, sid, text="ponovi: Nisem prepričan, kaj točno vas zanima")["messages"][0]["text"].startswith(
        "Nisem prepričan")
    totals = client.app.state.gateway.store.totals()  # type: ignore[attr-defined]
    assert totals["fallbacks"] == 1
