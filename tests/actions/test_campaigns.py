"""Which campaign and which facts a question asks for, answered from a campaign record."""

from __future__ import annotations

from typing import Any, Dict, List

from actions.campaigns import aspects_of, describe, find_campaign

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


def test_finds_seed_campaign_by_its_usual_names() -> None:
    for text in ["Koliko stane kWh v akciji 99,99 %?", "akcija 99.99", "do samooskrbe"]:
        assert find_campaign(text, ALL)["code"] == SAMOOSKRBA["code"]


def test_finds_demo_campaign_by_name_words() -> None:
    assert find_campaign("pristop k akciji ugodna elektrika", ALL)["code"] == DEMO["code"]
    assert find_campaign("kakšne akcije imate", ALL) is None


def test_closed_campaign_says_joining_is_no_longer_possible() -> None:
    text = describe(SAMOOSKRBA, aspects_of("koliko stane kWh"))
    assert "0,00001" in text and "30. 6. 2026" in text and "ni več mogoče pristopiti" in text


def test_aspects() -> None:
    assert aspects_of("Kolikšno je mesečno nadomestilo?") == ["fee"]
    assert "source" in aspects_of("Kakšen vir energije dobim?")
    assert "conditions" in aspects_of("kaj potrebujem za sodelovanje")
    text = describe(SAMOOSKRBA, aspects_of("Kakšen vir energije dobim?"))
    assert "jedrska" in text
    assert "SZP" in describe(SAMOOSKRBA, aspects_of("kaj potrebujem za sodelovanje"))
    assert "gospodinjski" in describe(SAMOOSKRBA, aspects_of("Kdo lahko sodeluje?"))
