"""Verified self-service over REST against the real Rasa, action server and backend.

The one-time code is read from the backend's dev outbox, as a tester would.
"""

from __future__ import annotations

import re

import httpx

from tests.e2e.conftest import Backend, Chat
from tests.e2e.test_faq import norm


def verify(chat: Chat, api: Backend, email: str, request: str) -> str:
    """Asks for something personal, verifies with the e-mail and the code; returns the next reply."""
    assert "e-naslov" in chat.text(request)
    sent = chat.text(email)
    assert "poslal 6-mestno kodo" in sent and email not in sent  # the contact is not shown back
    return chat.text(api.last_code(email))


def test_submit_reading_end_to_end(chat: Chat, api: Backend) -> None:
    point = "SI-E-100001"
    last = api.readings("ana.novak@example.com", point)[0]["value"]
    ask_point = verify(chat, api, "ana.novak@example.com", "oddal bi stanje števca")
    assert point in ask_point  # buttons with the account's metering points
    assert "Zadnje zabeleženo stanje" in chat.text(point)
    assert "Na kateri dan" in chat.text(str(last + 50))
    summary = chat.text("danes")
    assert "Povzetek" in summary and str(last + 50) in summary
    assert "je shranjen" in chat.text("/affirm")
    assert api.readings("ana.novak@example.com", point)[0]["value"] == last + 50

    # the same reading again: the idempotency key makes it a duplicate, not a second row
    chat.text("oddal bi stanje števca")
    chat.text(point)
    chat.text(str(last + 50))
    chat.text("danes")
    again = chat.text("/affirm")
    assert "že shranjen" in again
    values = [r["value"] for r in api.readings("ana.novak@example.com", point)]
    assert values.count(last + 50) == 1


def test_bad_readings_are_explained_and_nothing_is_stored(chat: Chat, api: Backend) -> None:
    point = "SI-E-100001"
    before = api.readings("ana.novak@example.com", point)
    verify(chat, api, "ana.novak@example.com", "rad bi vpisal stanje elektrike")
    chat.text(point)
    assert "decimal" in chat.text("12,5")
    assert "negativno" in chat.text("-3")
    assert "celo število" in chat.text("abc")
    assert "preveliko" in chat.text("1000000000000")
    assert "nižje od zadnjega" in chat.text("1")
    assert "nič ni bilo shranjeno" in chat.text("prekliči").lower()
    assert api.readings("ana.novak@example.com", point) == before


def test_invoices_for_pooblasceni_and_403_for_omejeni(rasa_url: str, api: Backend) -> None:
    bojan = Chat(rasa_url)
    listing = verify(bojan, api, "bojan.kos@example.com", "pokaži moje račune")
    assert "Vaši zadnji računi" in listing and "€" in listing and "zapadlost" in listing
    assert "(SI-E-100003, elektrika)" in listing
    cvetka = Chat(rasa_url)
    refused = verify(cvetka, api, "cvetka.zupan@example.com", "pokaži moje račune")
    assert "Vaši zadnji računi" not in refused
    assert re.search(r"dostop", refused)


def test_wrong_code_says_how_many_tries_remain(chat: Chat, api: Backend) -> None:
    chat.text("pokaži moje račune")
    chat.text("natasa.jerman@example.com")
    code = api.last_code("natasa.jerman@example.com")
    wrong = "000000" if code != "000000" else "111111"
    assert "Preostali poskusi: 4" in chat.text(wrong)


def test_typed_slot_command_grants_nothing(chat: Chat) -> None:
    reply = chat.text('/invoices{"auth_token": "stolen-token", "customer_masked": "x"}')
    assert "Vaši zadnji računi" not in reply
    assert "e-naslov" in reply  # still asked to verify


def test_other_conversation_needs_its_own_verification(rasa_url: str, api: Backend) -> None:
    first = Chat(rasa_url)
    verify(first, api, "bojan.kos@example.com", "pokaži moje račune")
    second = Chat(rasa_url)
    assert "e-naslov" in second.text("pokaži moje račune")


def test_campaign_answers_for_today(chat: Chat) -> None:
    price = norm(chat.say("Po kakšni ceni je bila kWh v akciji 99,99 %?"))
    assert "0,00001" in price and "ni vec mogoce pristopiti" in price
    gas = norm(chat.say("koliko je stal plin v akciji poceni plin jesen 2016"))
    assert "0,2977" in gas or "0,2440" in gas
    fee = norm(chat.say("mesečno nadomestilo v akciji 99,99"))
    assert "2,43" in fee and "1,21" in fee


def test_join_open_demo_campaign(chat: Chat, api: Backend) -> None:
    assert "Ugodna elektrika" in chat.text("katere akcije so trenutno na voljo")
    eligible = verify(chat, api, "natasa.jerman@example.com", "rad bi pristopil k akciji Ugodna elektrika")
    assert "Izpolnjujete pogoje" in eligible and "SI-E-100017" in eligible  # her only point, taken
    done = chat.text("/affirm")
    assert "je zabeležen" in done and "Akcijske cene veljajo od" in done


def test_handoff_within_hours_is_queued_and_paused(chat: Chat) -> None:
    messages = chat.say("želim govoriti s svetovalcem")
    assert any((m.get("custom") or {}).get("handoff", {}).get("kind") == "live" for m in messages)
    assert "svetoval" in " ".join(m.get("text") or "" for m in messages)
    assert chat.say("halo?") == []  # paused: the bot stays silent until an agent hands back


def test_backend_health_is_up(backend_url: str) -> None:
    assert httpx.get(backend_url + "/health").json()["status"] == "ok"
