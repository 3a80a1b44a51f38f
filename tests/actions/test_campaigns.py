"""Campaign questions from a campaign record in the domain's words; joining against the real backend."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from actions.campaigns import ActionJoinCampaign, ValidateCampaignJoinForm, aspects_of, describe
from actions.shared import find_campaign
from tests.actions.conftest import DOMAIN, message, responses, run, said, slot_events, tracker

SAMOOSKRBA: Dict[str, Any] = {
    "code": "99-99-nizja-cena-elektrike-do-samooskrbe", "name": "99,99 % nižja cena elektrike do samooskrbe",
    "brand": "gen-i", "energy": "elektrika", "status": "closed", "household_only": True,
    "description": "Akcija za samooskrbo.", "join_from": "2024-10-01", "join_to": "2026-06-30",
    "prices": [{"item": "VT", "unit": "€/kWh", "net": "0,00001", "gross": "0,00001"},
               {"item": "Dodatek za izbiro vira energije – 100 % jedrska energija",
                "unit": "€/merilno mesto/mesec", "net": "0,00", "gross": "0,00"}],
    "fees": [{"item": "Mesečno nadomestilo", "unit": "€/merilno mesto/mesec", "net": "1,99", "gross": "2,43"}],
    "discounts": [], "conditions": ["Le gospodinjski odjemalec."],
    "required_documents": ["SZP – soglasje za priključitev brez zadržkov"],
    "prices_valid_from": "2024-10-01", "prices_valid_to": "2026-08-31", "prices_valid_note": None,
    "amendments": [],
}
DEMO = {**SAMOOSKRBA, "code": "demo-ugodna-elektrika", "name": "Ugodna elektrika (demo)", "status": "open",
        "join_to": "2026-12-31"}
ALL: List[Dict[str, Any]] = [SAMOOSKRBA, DEMO]
UGODNA = "demo-ugodna-elektrika"


def test_finds_seed_campaign_by_its_usual_names() -> None:
    for text in ["Koliko stane kWh v akciji 99,99 %?", "akcija 99.99", "do samooskrbe"]:
        assert find_campaign(text, ALL)["code"] == SAMOOSKRBA["code"]  # type: ignore[index]


def test_finds_demo_campaign_by_name_words() -> None:
    assert find_campaign("pristop k akciji ugodna elektrika", ALL)["code"] == DEMO["code"]  # type: ignore[index]
    assert find_campaign("kakšne akcije imate", ALL) is None


@pytest.mark.offline
def test_closed_campaign_says_joining_is_no_longer_possible() -> None:
    text = describe(SAMOOSKRBA, aspects_of("koliko stane kWh"), DOMAIN)  # type: ignore[arg-type]
    assert "0,00001" in text and "30. 6. 2026" in text and "ni več mogoče pristopiti" in text
    assert "{" not in text  # every variable of the domain's pieces was filled


@pytest.mark.offline
def test_aspects() -> None:
    assert aspects_of("Kolikšno je mesečno nadomestilo?") == ["fee"]
    assert "source" in aspects_of("Kakšen vir energije dobim?")
    assert "conditions" in aspects_of("kaj potrebujem za sodelovanje")
    assert "jedrska" in describe(SAMOOSKRBA, aspects_of("Kakšen vir energije dobim?"), DOMAIN)  # type: ignore[arg-type]
    assert "SZP" in describe(SAMOOSKRBA, aspects_of("kaj potrebujem za sodelovanje"), DOMAIN)  # type: ignore[arg-type]
    assert "gospodinjski" in describe(SAMOOSKRBA, aspects_of("Kdo lahko sodeluje?"), DOMAIN)  # type: ignore[arg-type]
    fee = describe(SAMOOSKRBA, aspects_of("Kolikšno je mesečno nadomestilo?"), DOMAIN)  # type: ignore[arg-type]
    assert "2,43" in fee and "1,99 brez DDV" in fee


def join_turn(c: Any, slots: Dict[str, Any], new: Dict[str, Any], text: str, **kw: Any):  # type: ignore[no-untyped-def]
    t = tracker(c.conversation, {"auth_token": c.token, **slots}, message(text, **kw), new, loop="campaign_join_form")
    return run(ValidateCampaignJoinForm(), t)


def test_the_requested_campaign_and_the_only_point_are_taken(customer) -> None:  # type: ignore[no-untyped-def]
    natasa = customer("natasa.jerman@example.com")
    events, dispatcher = join_turn(natasa, {"request_text": "rad bi pristopil k akciji Ugodna elektrika"}, {}, "")
    slots = slot_events(events)
    assert slots["join_campaign"] == UGODNA and slots["join_point"] == "SI-E-100017"
    assert "utter_join_eligible" in responses(dispatcher)  # the backend checked her point at once


def test_a_pooblasceni_point_is_refused_with_the_reason(customer) -> None:  # type: ignore[no-untyped-def]
    bojan = customer("bojan.kos@example.com")
    events, dispatcher = join_turn(bojan, {"request_text": "pristop k akciji ugodna elektrika"}, {}, "")
    refused = said(dispatcher, "utter_join_not_eligible")
    assert "polnim dostopom" in refused["reasons"]
    assert slot_events(events)["flow_stopped"] is True


def test_a_closed_campaign_is_explained_not_joined(customer) -> None:  # type: ignore[no-untyped-def]
    natasa = customer("natasa.jerman@example.com")
    events, dispatcher = join_turn(natasa, {"requested_slot": "join_campaign"},
                                   {"join_campaign": "akcija 99,99"}, "akcija 99,99")
    assert "ni več mogoče pristopiti" in said(dispatcher, "utter_campaign")["text"]
    assert slot_events(events)["flow_stopped"] is True


def test_confirmed_join_is_stored_once(customer) -> None:  # type: ignore[no-untyped-def]
    jana = customer("oto.bergant@example.com")  # polni, electricity and gas, not in a campaign
    slots = {"auth_token": jana.token, "join_campaign": UGODNA, "join_point": "SI-E-100018", "join_confirm": True}
    events, dispatcher = run(ActionJoinCampaign(), tracker(jana.conversation, slots, message("ja", intent="affirm")))
    done = said(dispatcher, "utter_join_done")
    assert "Ugodna elektrika" in done["campaign"] and done["start"]
    assert slot_events(events)["join_point"] is None
    _, again = run(ActionJoinCampaign(), tracker(jana.conversation, slots, message("ja", intent="affirm")))
    assert "že sodeluje v tej akciji" in said(again, "utter_join_not_saved")["reasons"]
