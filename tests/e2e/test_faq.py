"""Real Slovene questions to the real Rasa + action servers; the reply must carry the facts."""

from __future__ import annotations

import re
import unicodedata
from typing import List

import httpx
import pytest
import yaml

from actions.faq_meta import intent_titles
from tests.e2e.conftest import RASA_TOKEN, ROOT, Chat


def norm(messages: List[dict]) -> str:
    """All texts and button titles, lower-case, without diacritics (as the FAQ evaluation)."""
    parts = []
    for m in messages:
        parts.append(m.get("text") or "")
        parts += [b.get("title", "") for b in m.get("buttons") or []]
    text = unicodedata.normalize("NFKD", "\n".join(parts).lower())
    return "".join(c for c in text if not unicodedata.combining(c))


CASES = [
    ("Kako se registriram v Moj GEN-I?", [r"registr", r"(elektronsk|e-?naslov|e-?post)"]),
    ("pozabu sm geslo", [r"pozabil sem geslo"]),
    ("ne najdem maila za aktivacijo racuna", [r"(vsiljen|promocij)"]),
    ("a lahko spremenim uporabnisko ime", [r"ni mozn", r"registr"]),
    ("kje zamenjam geslo v portalu", [r"nastavitv", r"uredi geslo"]),
    ("Ali obstaja aplikacija za telefon?", [r"aplikacij"]),
    ("kako dodam pogodbo na portal", [r"merilnega mesta", r"pogodbe"]),
    ("kako oddam stevcno stanje na portalu", [r"decimal", r"5 dni"]),
    ("kdaj lahko sporocim stanje stevca", [r"operater"]),
    ("vaša telefonska številka?", [r"080 ?1558"]),
    ("kdaj ste odprti", [r"8\.? do 20", r"sobot"]),
    ("Butan plin: kaj potrebujem za povezavo odjemnega mesta?", [r"davcn", r"placnik", r"zunanj"]),
    ("Moj Butan plin, jeklenke, lahko povezem?", [r"jeklenk"]),
    ("koliko je eko popust", [r"eko", r"1,22"]),
]


@pytest.mark.parametrize(("question", "facts"), CASES)
def test_faq_answer_contains_the_facts(chat: Chat, question: str, facts: List[str]) -> None:
    reply = norm(chat.say(question))
    for fact in facts:
        assert re.search(fact, reply), f"{fact!r} missing in reply to {question!r}: {reply[:300]}"


def test_every_faq_answer_asks_for_a_rating(chat: Chat) -> None:
    messages = chat.say("kako se registriram na portal")
    assert messages[-1]["text"] == "Vam je bil odgovor v pomoč?"
    assert [b["title"] for b in messages[-1]["buttons"]] == ["Da", "Ne"]
    thanks = norm(chat.say("Da"))
    assert "hvala za oceno" in thanks


def test_brand_named_once_stays_for_the_conversation(chat: Chat) -> None:
    butan = norm(chat.say("Imam vprašanje o portalu Moj Butan plin"))
    assert butan
    reply = norm(chat.say("kako se registriram"))
    assert "pogoj" in reply and "geslo" in reply  # the Butan plin registration answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Živijo", r"(pozdrav|zivjo|dober dan)"),
        ("ali si robot?", r"robot"),
        ("Koliko je ura v Tokiu?", r"(zal|ne znam)"),
        ("želim govoriti s svetovalcem", r"svetoval"),
    ],
)
def test_conversation_basics(chat: Chat, text: str, expected: str) -> None:
    assert re.search(expected, norm(chat.say(text)))


@pytest.mark.parametrize(
    "text",
    ["", " ", "a" * 100_000, "😀😀😀", "\x00\x01\x02\xff\ufffd", "'; DROP TABLE users; --"],
)
def test_bad_input_gets_a_slovene_reply(chat: Chat, text: str) -> None:
    messages = chat.say(text)
    reply = " ".join(m.get("text") or "" for m in messages)
    assert reply.strip(), f"no reply to {text[:20]!r}"
    assert re.search(r"[čšž]|pomag|vprašanj|razumel", reply), reply


def shown(messages: List[dict]) -> List[dict]:
    """The messages a user sees (the actions' machine-readable notes have no text)."""
    return [m for m in messages if m.get("text")]


def test_two_misses_in_a_row_hand_over_to_a_person(chat: Chat) -> None:
    said = chat.say("portal")
    assert {"fallback": {"kind": "nlu"}} in [m.get("custom") for m in said]  # marked for the gateway
    first = shown(said)
    assert "Ste mislili" in first[0]["text"]
    titles = [b["title"] for b in first[0]["buttons"]]
    assert titles[-1] == "Nič od tega" and all(not t.startswith("faq") for t in titles)
    second = chat.say("portal")
    assert any((m.get("custom") or {}).get("handoff", {}).get("reason") == "fallback" for m in second)


def test_none_of_these_asks_to_rephrase(chat: Chat) -> None:
    first = shown(chat.say("portal"))
    assert "drugace" in norm(chat.say(first[0]["buttons"][-1]["payload"]))  # "Nič od tega"


def test_clicking_a_suggestion_answers_that_topic(chat: Chat) -> None:
    first = shown(chat.say("portal"))
    title = first[0]["buttons"][0]["payload"]
    answer = chat.say(title)
    assert answer[-1]["text"] == "Vam je bil odgovor v pomoč?"


def test_every_fallback_button_title_is_understood_as_its_intent(rasa_url: str) -> None:
    """A click sends the title as text: the model must read it as the intent it stands for."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for intent, title in intent_titles(domain).items():
        parsed = httpx.post(f"{rasa_url}/model/parse", params={"token": RASA_TOKEN}, json={"text": title}).json()
        assert parsed["intent"]["name"] == intent, (title, parsed["intent"])
