""""Ste mislili …?" offers readable Slovene titles, never intent names."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultAskAffirmation

DOMAIN: Dict[str, Any] = {
    "responses": {
        "utter_faq/register": [{"text": "…", "metadata": {"title": "Registracija na portal"}}],
        "utter_faq/forgot_password": [{"text": "…", "metadata": {"title": "Pozabljeno geslo"}}],
        "utter_faq/change_password": [{"text": "…", "metadata": {"title": "Sprememba gesla"}}],
    }
}


def latest(intent_ranking: list, faq_ranking: list) -> Dict[str, Any]:
    return {
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": intent_ranking,
        "response_selector": {
            "faq": {
                "ranking": [{"intent_response_key": f"faq/{t}", "confidence": 0.3} for t in faq_ranking]
            }
        },
        "text": "geslo",
    }


def run(message: Dict[str, Any]) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = Tracker("c", {}, message, [], False, None, {}, "action_listen")
    asyncio.run(ActionDefaultAskAffirmation().run(dispatcher, tracker, DOMAIN))
    return dispatcher


def test_offers_faq_titles_and_none_of_these() -> None:
    message = latest(
        [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "faq", "confidence": 0.35},
         {"name": "human_handoff", "confidence": 0.1}],
        ["forgot_password", "change_password", "register"],
    )
    (sent,) = run(message).messages
    titles = [b["title"] for b in sent["buttons"]]
    assert titles == ["Pozabljeno geslo", "Sprememba gesla", "Registracija na portal", "Nič od tega"]
    # a click sends the title as plain text: the model classifies it like any message
    assert sent["buttons"][0]["payload"] == "Pozabljeno geslo"


def test_non_faq_intents_get_slovene_titles() -> None:
    message = latest(
        [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "human_handoff", "confidence": 0.3}], []
    )
    (sent,) = run(message).messages
    assert [b["title"] for b in sent["buttons"]] == ["Pogovor s svetovalcem", "Nič od tega"]


def test_nothing_to_offer_asks_to_rephrase() -> None:
    (sent,) = run(latest([{"name": "nlu_fallback", "confidence": 0.9}], [])).messages
    assert sent["response"] == "utter_ask_rephrase"


def test_portal_topic_and_chat_self_service_are_both_offered() -> None:
    message = latest(
        [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "submit_reading", "confidence": 0.5},
            {"name": "faq", "confidence": 0.49},
        ],
        ["register"],
    )
    (sent,) = run(message).messages
    titles = [b["title"] for b in sent["buttons"]]
    assert titles == ["Oddaja stanja števca tukaj v klepetu", "Registracija na portal", "Nič od tega"]
